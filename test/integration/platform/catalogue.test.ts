/**
 * Metadata harvested from what exists (data sets and fields, the store's own tables and columns,
 * connectors, pipelines), edits laid over it, search; catalogue entries with the GB/T 21063 / 2017
 * guide core metadata: generated codes, sharing rules, items from the data set, publication and the
 * CSV export. On both store dialects, through the REST API.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { after, describe, it } from 'node:test';
import express from 'express';
import { createPlatformRouter } from '../../../cloud/platform/router.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`metadata and resource catalogue (${dialect})`, () => {
    let t: TestPlatform;
    let server: http.Server;
    let base = '';
    /** Users and their organisation (id), as the cloud's accounts would have them. */
    const ORG_OF: Record<string, string> = { 'port-desk-wang': 'org-7', 'officer-li': 'org-9' };
    const ORG_NAMES: Record<string, string> = { 'org-7': 'port-desk', 'org-9': '海事联络组' };
    const call = async (method: string, p: string, body?: unknown, user = 'cataloguer'): Promise<{ status: number; body: any; text: string; type: string | null }> => {
      const res = await fetch(`${base}${p}`, { method, headers: { 'x-user': user, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* csv */
      }
      return { status: res.status, body: parsed, text, type: res.headers.get('content-type') };
    };

    suiteSetup(async () => {
      t = await openTestPlatform(dialect);
      await t.platform.saveDataset(
        {
          name: 'vessel_calls',
          title: '船舶进出港',
          owner: 'port-desk',
          topic: 'vessel',
          tags: ['船舶'],
          fields: [
            { name: 'imo', type: 'text', title: 'IMO 编号', sensitivity: 'public' },
            { name: 'eta', type: 'timestamp', title: '预计到港时间' },
            { name: 'draft_m', type: 'number', title: '吃水', unit: 'm' },
          ],
          key: ['imo', 'eta'],
        },
        'tester',
      );
      await t.platform.saveConnector({ id: 'vts', name: 'VTS 船舶动态', provider: '海事局', source: { kind: 'file-inbox', dir: 'vts' }, target: { dataset: 'vessel_calls' } }, 'tester');
      const app = express();
      // stands in for the cloud's session layer: who is calling
      app.use((req, res, next) => {
        const username = String(req.headers['x-user']);
        res.locals['principal'] = { username, orgId: ORG_OF[username] ?? null };
        next();
      });
      app.use(createPlatformRouter({ platform: t.platform, orgName: async (id) => ORG_NAMES[id] ?? null }));
      server = app.listen(0, '127.0.0.1');
      await new Promise<void>((r) => server.once('listening', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise<void>((r) => server?.close(() => r()));
      await t?.close();
    });

    it('harvests data sets, fields, store tables and connectors, keeps edits and searches them', async () => {
      const all = await call('GET', '/metadata');
      const ids = new Set(all.body.items.map((a: { id: string }) => a.id));
      for (const id of ['dataset:vessel_calls', 'field:vessel_calls.draft_m', 'table:gateways', 'column:gateways.revoked_at', 'table:pf_runs', 'connector:vts']) assert.ok(ids.has(id), `missing ${id}`);
      assert.ok(![...ids].some((id) => String(id).startsWith('table:ds_') || /migrations/.test(String(id))));
      const field = all.body.items.find((a: { id: string }) => a.id === 'field:vessel_calls.draft_m');
      assert.deepEqual([field.type, field.unit, field.title, field.owner, field.parent], ['number', 'm', '吃水', 'port-desk', 'dataset:vessel_calls']);
      const ds = all.body.items.find((a: { id: string }) => a.id === 'dataset:vessel_calls');
      assert.deepEqual([ds.rows, ds.topic, ds.qualityScore], [0, 'vessel', null]);
      assert.equal(all.body.items.find((a: { id: string }) => a.id === 'connector:vts').type, 'file-inbox');

      const edited = await call('PATCH', '/metadata/field:vessel_calls.draft_m', { description: '船舶平均吃水 (水尺计重)', tags: ['水尺', '吃水', '水尺'] });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.deepEqual([edited.body.description, edited.body.tags, edited.body.edited], ['船舶平均吃水 (水尺计重)', ['水尺', '吃水'], true]);
      const found = await call('GET', `/metadata?q=${encodeURIComponent('水尺')}`);
      assert.deepEqual(
        found.body.items.map((a: { id: string }) => a.id),
        ['field:vessel_calls.draft_m'],
      );
      const byKind = await call('GET', '/metadata?kind=dataset&q=vessel');
      assert.deepEqual(
        byKind.body.items.map((a: { id: string }) => a.id),
        ['dataset:vessel_calls'],
      );
      const reset = await call('PATCH', '/metadata/field:vessel_calls.draft_m', { tags: null });
      assert.deepEqual(reset.body.tags, []);
      assert.equal(reset.body.description, '船舶平均吃水 (水尺计重)');
      const unknown = await call('PATCH', '/metadata/dataset:nothing', { description: 'x' });
      assert.equal(unknown.status, 404);
    });

    it('creates, validates, publishes and exports catalogue entries', async () => {
      const entry = {
        name: '船舶进出港信息',
        catalogueType: 'department',
        classification: { category: '2', item: '01', catalog: '003' },
        provider: '浦东海关',
        providerCode: '2225',
        abstract: '自贸区港口船舶进出港动态，含 IMO 编号、预计到港时间和吃水。',
        format: 'database',
        sharing: { type: 'conditional', conditions: '仅供口岸监管部门使用', method: '接口' },
        opening: { open: false },
        updateCycle: 'realtime',
        keywords: ['船舶', '港口'],
        dataset: 'vessel_calls',
      };
      const first = await call('POST', '/catalogue', entry);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.code, '201003/000001');
      assert.equal(first.body.status, 'draft');
      assert.deepEqual(first.body.items, [
        { name: 'IMO 编号', type: '字符型' },
        { name: '预计到港时间', type: '日期时间型' },
        { name: '吃水', type: '数值型' },
      ]);
      const second = await call('POST', '/catalogue', { ...entry, name: '船舶吃水记录', related: ['201003/000001'], sharing: { type: 'unconditional' }, opening: { open: true } });
      assert.equal(second.body.code, '201003/000002');
      const other = await call('POST', '/catalogue', { ...entry, classification: { category: '2', item: '02', catalog: '001', detail: '005' } });
      assert.equal(other.body.code, '202001005/000001');

      const noConditions = await call('POST', '/catalogue', { ...entry, sharing: { type: 'none' } });
      assert.equal(noConditions.status, 400);
      assert.match(noConditions.body.error.message, /sharing\.conditions/);
      const openButNotShared = await call('POST', '/catalogue', { ...entry, sharing: { type: 'none', conditions: '涉及企业商业秘密' }, opening: { open: true } });
      assert.equal(openButNotShared.status, 400);
      const noItems = await call('POST', '/catalogue', { ...entry, dataset: undefined });
      assert.equal(noItems.status, 400);

      const updated = await call('PUT', '/catalogue/201003/000001', { ...entry, abstract: '更新后的摘要' });
      assert.deepEqual([updated.body.version, updated.body.abstract], [2, '更新后的摘要']);
      const moved = await call('PUT', '/catalogue/201003/000001', { ...entry, classification: { category: '3', item: '01', catalog: '003' } });
      assert.equal(moved.status, 400);

      const published = await call('POST', '/catalogue/201003/000001/publish');
      assert.equal(published.body.status, 'published');
      assert.ok(published.body.publishedAt > 0);
      const list = await call('GET', '/catalogue?status=published');
      assert.deepEqual(
        list.body.items.map((e: { code: string }) => e.code),
        ['201003/000001'],
      );
      const search = await call('GET', `/catalogue?q=${encodeURIComponent('吃水')}&sharing=unconditional`);
      assert.deepEqual(
        search.body.items.map((e: { code: string }) => e.code),
        ['201003/000002'],
      );

      const csv = await call('GET', '/catalogue/export?format=csv');
      assert.equal(csv.status, 200);
      assert.match(csv.type ?? '', /text\/csv/);
      const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
      assert.equal(lines.length, 2);
      assert.ok(lines[0]!.startsWith('信息资源代码,信息资源名称,信息资源分类,目录类型,信息资源提供方,提供方代码,信息资源摘要,信息资源格式,信息项,共享类型,共享条件,共享方式,是否向社会开放,开放条件,更新周期,发布日期'));
      assert.ok(lines[1]!.startsWith('201003/000001,船舶进出港信息,201003,部门,浦东海关,2225,更新后的摘要,数据库,IMO 编号(字符型)；预计到港时间(日期时间型)；吃水(数值型),有条件共享,仅供口岸监管部门使用,接口,否,,实时,'));
      // access: the conditional entry waits for its owner, the unconditional one is granted at once
      const draftRequest = await call('POST', '/catalogue/201003/000002/requests', { organisation: '边检站', purpose: '核对靠泊船舶' }, 'officer-li');
      assert.equal(draftRequest.status, 400);
      assert.match(draftRequest.body.error.message, /not published/);
      const pending = await call('POST', '/catalogue/201003/000001/requests', { organisation: '海事局', purpose: '船舶动态比对' }, 'officer-li');
      assert.equal(pending.status, 201, JSON.stringify(pending.body));
      assert.deepEqual([pending.body.status, pending.body.owner, pending.body.requester], ['pending', 'port-desk', 'officer-li']);
      // only the owner decides: port-desk-wang's organisation is port-desk; the requester's is not, nor is the cataloguer
      const asRequester = await call('GET', `/access-requests?code=${encodeURIComponent('201003/000001')}`, undefined, 'officer-li');
      const asOwner = await call('GET', `/access-requests?code=${encodeURIComponent('201003/000001')}`, undefined, 'port-desk-wang');
      assert.deepEqual([asRequester.body.items[0].canDecide, asOwner.body.items[0].canDecide], [false, true]);
      for (const who of ['officer-li', 'cataloguer']) {
        const notOwner = await call('POST', `/access-requests/${pending.body.id}/decision`, { decision: 'approved', note: '' }, who);
        assert.equal(notOwner.status, 403, `${who} is not the owner`);
        assert.match(notOwner.body.error.message, /decided by its owner port-desk/);
      }
      assert.equal((await call('GET', `/access-requests?code=${encodeURIComponent('201003/000001')}`)).body.items[0].status, 'pending', 'a refused decision changes nothing');
      const noReason = await call('POST', `/access-requests/${pending.body.id}/decision`, { decision: 'rejected' }, 'port-desk-wang');
      assert.equal(noReason.status, 400);
      const approved = await call('POST', `/access-requests/${pending.body.id}/decision`, { decision: 'approved', note: '同意，限监管用途' }, 'port-desk-wang');
      assert.deepEqual([approved.body.status, approved.body.decidedBy, approved.body.note], ['approved', 'port-desk-wang', '同意，限监管用途']);
      assert.equal((await call('GET', `/access-requests?code=${encodeURIComponent('201003/000001')}`, undefined, 'port-desk-wang')).body.items[0].canDecide, false, 'decided: nothing left to decide');
      const again = await call('POST', `/access-requests/${pending.body.id}/decision`, { decision: 'rejected', note: 'x' }, 'port-desk-wang');
      assert.equal(again.status, 400);
      await call('POST', '/catalogue/201003/000002/publish');
      const instant = await call('POST', '/catalogue/201003/000002/requests', { organisation: '边检站', purpose: '核对靠泊船舶' }, 'officer-li');
      assert.deepEqual([instant.body.status, instant.body.decidedBy], ['approved', 'system']);
      const pendingList = await call('GET', '/access-requests?owner=port-desk&status=approved');
      assert.equal(pendingList.body.items.length, 2);
      const log = await call('GET', `/catalogue-log?code=${encodeURIComponent('201003/000001')}`);
      assert.deepEqual(
        log.body.items.map((l: { action: string; actor: string }) => `${l.action}:${l.actor}`),
        ['created:cataloguer', 'updated:cataloguer', 'published:cataloguer', 'requested:officer-li', 'refused_decision:officer-li', 'refused_decision:cataloguer', 'approved:port-desk-wang'],
      );

      const withdrawn = await call('POST', '/catalogue/201003/000001/withdraw');
      assert.equal(withdrawn.body.status, 'withdrawn');
      const json = await call('GET', '/catalogue/export?format=json');
      assert.deepEqual(
        json.body.items.map((e: { code: string }) => e.code),
        ['201003/000002'],
      );
    });
  });
}
