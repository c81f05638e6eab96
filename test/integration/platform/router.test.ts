/**
 * The platform's REST API over a real Express server on loopback: definitions saved and versioned,
 * a run started over HTTP, run history, rejects, lineage, quality history and issues, validation
 * errors with catalogue codes, and the guard asked for the right access on each route.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import express, { type RequestHandler } from 'express';
import { completeUscc } from '../../../shared/ids/uscc.js';
import { createPlatformRouter, type PlatformAccess } from '../../../cloud/platform/router.js';
import { openTestPlatform, type TestPlatform } from './helpers.js';

describe('platform REST API', () => {
  let t: TestPlatform;
  let server: http.Server;
  let base = '';
  const asked: string[] = [];

  /** The caller's access comes in a header: "read" or "manage" (manage implies read). */
  const guard = (access: PlatformAccess): RequestHandler => (req, res, next) => {
    asked.push(`${req.method} ${req.path} ${access}`);
    const has = String(req.headers['x-test-access'] ?? '');
    if (access === 'platform.manage' && has !== 'manage') return void res.status(403).json({ error: { code: 'CLOUD_AUTH_FORBIDDEN', message: `needs ${access}` } });
    if (has !== 'read' && has !== 'manage') return void res.status(401).json({ error: { code: 'CLOUD_AUTH_REQUIRED', message: 'no' } });
    res.locals['principal'] = { username: 'data-admin' };
    next();
  };

  async function call(method: string, p: string, body?: unknown, access = 'manage'): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}/api/platform${p}`, { method, headers: { 'x-test-access': access, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json() };
  }

  before(async () => {
    t = await openTestPlatform('sqlite');
    const app = express();
    app.use('/api/platform', createPlatformRouter({ platform: t.platform, guard }));
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await t?.close();
  });

  it('saves versioned definitions, runs a connector and reports runs, rejects, lineage and quality', async () => {
    const dataset = {
      title: '企业名录',
      owner: 'enterprise-desk',
      fields: [
        { name: 'uscc', type: 'text' },
        { name: 'name', type: 'text' },
      ],
      key: ['uscc'],
      quality: { rules: [{ id: 'uscc_ok', check: 'uscc', field: 'uscc' }] },
    };
    const created = await call('PUT', '/datasets/companies', dataset);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.version, 1);
    assert.equal(created.body.createdBy, 'data-admin');
    const same = await call('PUT', '/datasets/companies', dataset);
    assert.equal(same.status, 200);
    assert.equal(same.body.version, 1);
    const v2 = await call('PUT', '/datasets/companies', { ...dataset, description: '工商登记企业' });
    assert.equal(v2.status, 201);
    assert.equal(v2.body.version, 2);
    const got = await call('GET', '/datasets/companies?version=1', undefined, 'read');
    assert.equal(got.body.definition.description, '');
    assert.deepEqual(
      got.body.versions.map((v: { version: number; createdBy: string }) => [v.version, v.createdBy]),
      [
        [1, 'data-admin'],
        [2, 'data-admin'],
      ],
    );

    const inbox = path.join(t.dir, 'platform', 'inbox', 'companies');
    fs.mkdirSync(inbox, { recursive: true });
    const good = completeUscc('91310000MA1FL0001');
    fs.writeFileSync(path.join(inbox, 'c.json'), JSON.stringify([{ uscc: good, name: '上海某公司' }, { uscc: null, name: 'no code' }]));
    const conn = await call('PUT', '/connectors/companies-inbox', { name: '企业名录投递', source: { kind: 'file-inbox', dir: 'inbox/companies' }, target: { dataset: 'companies' } });
    assert.equal(conn.status, 201, JSON.stringify(conn.body));
    const run = await call('POST', '/connectors/companies-inbox/run', {});
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.status, 'succeeded');
    assert.equal(run.body.trigger, 'api');
    assert.deepEqual([run.body.rowsOut, run.body.rowsRejected], [1, 1]);

    const list = await call('GET', '/connectors', undefined, 'read');
    assert.equal(list.body.items[0].lastRun.id, run.body.id);
    const runs = await call('GET', '/runs?connector=companies-inbox', undefined, 'read');
    assert.equal(runs.body.total, 1);
    const one = await call('GET', `/runs/${run.body.id}`, undefined, 'read');
    assert.equal(one.body.rowsIn, 2);
    const rejects = await call('GET', '/rejects?dataset=companies&reason=missing_field', undefined, 'read');
    assert.equal(rejects.body.total, 1);
    assert.equal(rejects.body.items[0].field, 'uscc');
    const rows = await call('GET', `/datasets/companies/rows?uscc=${good}`, undefined, 'read');
    assert.deepEqual([rows.body.total, rows.body.rows[0].name], [1, '上海某公司']);
    const lineage = await call('GET', '/lineage?node=dataset:companies', undefined, 'read');
    assert.deepEqual(lineage.body.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`), ['connector:companies-inbox>dataset:companies']);

    const q = await call('POST', '/datasets/companies/quality/run', {});
    assert.equal(q.status, 200);
    assert.equal(q.body.score, 100);
    const hist = await call('GET', '/datasets/companies/quality', undefined, 'read');
    assert.deepEqual(
      hist.body.items.map((h: { trigger: string }) => h.trigger),
      ['manual', 'load'],
    );
    const detail = await call('GET', `/quality/runs/${q.body.id}`, undefined, 'read');
    assert.equal(detail.body.results[0].ruleId, 'uscc_ok');
    const issues = await call('GET', '/quality/issues?dataset=companies', undefined, 'read');
    assert.deepEqual(issues.body.items, []);
    const meta = await call('GET', '/meta', undefined, 'read');
    assert.ok(meta.body.connectorKinds.includes('sftp'));
    assert.ok(meta.body.codeTables.includes('country'));
  });

  it('answers bad input with catalogue errors and asks the guard for the right access', async () => {
    const bad = await call('PUT', '/connectors/x1', { name: 'x', source: { kind: 'ftp' }, target: { dataset: 'companies' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'CLOUD_BAD_REQUEST');
    const mismatch = await call('PUT', '/pipelines/p1', { id: 'p2', name: 'x', steps: [] });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error.message, /body names p2/);
    const unknownTarget = await call('PUT', '/connectors/x2', { name: 'x', source: { kind: 'file-inbox', dir: 'in' }, target: { dataset: 'nothing_here' } });
    assert.equal(unknownTarget.status, 400);
    assert.match(unknownTarget.body.error.message, /no data set nothing_here/);
    const missing = await call('POST', '/connectors/nope/run', {});
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'CLOUD_NOT_FOUND');
    const badPatch = await call('PATCH', '/quality/issues/1', { status: 'done' });
    assert.equal(badPatch.status, 400);

    asked.length = 0;
    const denied = await call('PUT', '/datasets/other', { title: 'x', owner: 'y', fields: [{ name: 'a', type: 'text' }], key: ['a'] }, 'read');
    assert.equal(denied.status, 403);
    const readOk = await call('GET', '/datasets', undefined, 'read');
    assert.equal(readOk.status, 200);
    const runDenied = await call('POST', '/connectors/companies-inbox/run', {}, 'read');
    assert.equal(runDenied.status, 403);
    assert.deepEqual(asked, ['PUT /datasets/other platform.manage', 'GET /datasets platform.read', 'POST /connectors/companies-inbox/run platform.manage']);
  });
});
