/**
 * A declaration feed through a pipeline (map → parse → validate → convert → dedupe → enrich) into a
 * data set, on both store dialects, with deliberately bad rows: every bad row ends in the rejects with
 * the right reason, the good rows land once, and a rerun of the same file changes nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { completeUscc, usccCheckChar } from '../../../shared/ids/uscc.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

const A = completeUscc('91310115MA1K4ABC0'); // in the master data
const B = completeUscc('91310000132200821'); // in the master data
const C = completeUscc('91310115MA1H7XYW2'); // valid, but not in the master data
const first17 = A.slice(0, 17);
const wrongCheck = first17 + (usccCheckChar(first17) === '1' ? '2' : '1');

const MASTER = ['uscc,customs_code,name,ent_type', `${A},3122940001,上海甲进出口有限公司,6`, `${B},3122930002,上海乙国际贸易有限公司,4`].join('\n');

/** Declaration items as an external system exports them (Chinese headers). */
const HEAD = '报关单号,项号,经营单位信用代码,原产国,监管方式,商品编码,美元价值';
const GOOD = [
  `222520261000000001,1,${A},US,0110,8471300000,12000.50`,
  `222520261000000001,2,${A},DE,0110,8517620000,800`,
  `222520261000000002,1,${B},JP,1233,8542310000,150000`,
  `222520260000000003,1,${B},US,0110,0901210000,35.2`,
  `222520260000000004,1,${a(A)},SG,0110,8471,99`,
];
/** Each bad row with the step and reason it must be rejected for. */
const BAD: [string, string, string, string][] = [
  [`222520261000000001,2,${A},US,0110,8517620000,900`, 'dedupe', 'duplicate', 'entry_id,g_no'],
  [`222520261000000005,1,${wrongCheck},US,0110,8471300000,10`, 'enrich', 'check_digit', 'uscc'],
  [`222520261000000006,1,${C},US,0110,8471300000,10`, 'enrich', 'no_master_record', 'uscc'],
  [`222520261000000007,1,${A},QQ,0110,8471300000,10`, 'convert', 'unknown_code', 'origin'],
  [`222520261000000008,1,${A},US,9999,8471300000,10`, 'convert', 'unknown_code', 'trade_mode'],
  [`222520261000000009,1,${A},US,0110,8471300000,abc`, 'parse', 'bad_type', 'value_usd'],
  [`222520261000000010,1,${A},US,0110,8471300000,-5`, 'validate', 'out_of_range', 'value_usd'],
  [`2225202610000000XX,1,${A},US,0110,8471300000,10`, 'validate', 'format', 'entry_id'],
  [`222520261000000011,1,${A},US,0110,12ab,10`, 'validate', 'format', 'hs_code'],
  [`222520261000000012,1,,US,0110,8471300000,10`, 'enrich', 'missing_field', 'uscc'],
];

/** The same USCC in lower case: the join normalises it. */
function a(uscc: string): string {
  return uscc.toLowerCase();
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`pipeline with bad rows (${dialect})`, () => {
    let t: TestPlatform;
    let inbox = '';
    suiteSetup(async () => {
      t = await openTestPlatform(dialect);
      inbox = path.join(t.dir, 'platform', 'inbox');
      const p = t.platform;
      await p.saveDataset(
        {
          name: 'enterprise',
          title: '企业主数据',
          owner: 'enterprise-desk',
          topic: 'enterprise',
          fields: [
            { name: 'uscc', type: 'text', required: true, title: '统一社会信用代码' },
            { name: 'customs_code', type: 'text', title: '海关编码' },
            { name: 'name', type: 'text', required: true, title: '企业名称' },
            { name: 'ent_type', type: 'text', codeTable: 'ent-type' },
          ],
          key: ['uscc'],
        },
        'tester',
      );
      await p.saveDataset(
        {
          name: 'declaration_items',
          title: '报关单商品项',
          owner: 'stats-desk',
          topic: 'declaration',
          fields: [
            { name: 'entry_id', type: 'text', required: true },
            { name: 'g_no', type: 'integer', required: true },
            { name: 'uscc', type: 'text', required: true },
            { name: 'enterprise_name', type: 'text' },
            { name: 'country', type: 'text', codeTable: 'country' },
            { name: 'trade_mode', type: 'text', codeTable: 'trade-mode' },
            { name: 'hs_code', type: 'text' },
            { name: 'value_usd', type: 'number', unit: 'USD' },
          ],
          key: ['entry_id', 'g_no'],
        },
        'tester',
      );
      await p.savePipeline(
        {
          id: 'decl-clean',
          name: '报关单清洗',
          steps: [
            { op: 'map', fields: { entry_id: '报关单号', g_no: '项号', uscc: '经营单位信用代码', origin: '原产国', trade_mode: '监管方式', hs_code: '商品编码', value_usd: '美元价值' } },
            { op: 'parse', fields: { g_no: 'integer', value_usd: 'number' } },
            { op: 'validate', checks: [{ field: 'entry_id', is: 'entry_id', required: true }, { field: 'hs_code', is: 'hs', required: true }, { field: 'value_usd', min: 0, required: true }] },
            { op: 'convert', field: 'origin', table: 'country', from: 'alpha2', to: 'code', target: 'country' },
            { op: 'convert', field: 'trade_mode', table: 'trade-mode', from: 'code', to: 'code' },
            { op: 'dedupe', key: ['entry_id', 'g_no'] },
            { op: 'enrich', dataset: 'enterprise', field: 'uscc', refField: 'uscc', match: 'uscc', fields: { enterprise_name: 'name' } },
          ],
        },
        'tester',
      );
      await p.saveConnector({ id: 'ent-master', name: '企业主数据文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'enterprise*.csv' }, target: { dataset: 'enterprise' } }, 'tester');
      await p.saveConnector({ id: 'decl-files', name: '报关单文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'decl*.csv' }, target: { dataset: 'declaration_items', pipeline: 'decl-clean' } }, 'tester');
      fs.mkdirSync(inbox, { recursive: true });
      fs.writeFileSync(path.join(inbox, 'enterprise.csv'), MASTER);
      const master = await p.runConnector('ent-master');
      assert.equal(master.rowsInserted, 2, master.error ?? '');
    });
    after(async () => {
      await t?.close();
    });

    const file = [HEAD, ...GOOD.slice(0, 2), BAD[0]![0], ...GOOD.slice(2), ...BAD.slice(1).map((b) => b[0])].join('\n');

    it('lands the good rows once and keeps every bad row with its reason', async () => {
      fs.writeFileSync(path.join(inbox, 'decl-2026-03.csv'), file);
      const run = await t.platform.runConnector('decl-files');
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.equal(run.pipelineId, 'decl-clean');
      assert.equal(run.pipelineVersion, 1);
      assert.equal(run.rowsIn, GOOD.length + BAD.length);
      assert.equal(run.rowsOut, GOOD.length);
      assert.equal(run.rowsRejected, BAD.length);
      assert.equal(run.rowsInserted, GOOD.length);

      const rows = await t.platform.rows('declaration_items', { limit: 100, offset: 0 });
      assert.equal(rows.total, GOOD.length);
      const one = rows.rows.find((r) => r['entry_id'] === '222520261000000001' && r['g_no'] === 2)!;
      // the first of the duplicated pair wins; codes converted; master data joined
      assert.deepEqual(
        { value: one['value_usd'], country: one['country'], mode: one['trade_mode'], name: one['enterprise_name'], uscc: one['uscc'] },
        { value: 800, country: 'DEU', mode: '0110', name: '上海甲进出口有限公司', uscc: A },
      );
      const lower = rows.rows.find((r) => r['entry_id'] === '222520260000000004')!;
      assert.equal(lower['uscc'], A);
      assert.equal(lower['country'], 'SGP');

      const rejects = await t.platform.rejects({ connectorId: 'decl-files' });
      assert.equal(rejects.total, BAD.length);
      const byRaw = new Map(rejects.items.map((r) => [Object.values(r.raw as Record<string, string>).join(','), r]));
      for (const [line, op, reason, field] of BAD) {
        const r = byRaw.get(line);
        assert.ok(r, `no reject for ${line}`);
        assert.deepEqual([r.op, r.reason, r.field], [op, reason, field], line);
        assert.match(r.ref, /^decl-2026-03\.csv:\d+$/);
      }
      // line numbers are the file's own
      assert.equal(byRaw.get(BAD[0]![0])!.ref, 'decl-2026-03.csv:4');

      const g = await t.platform.lineage('dataset:declaration_items');
      assert.deepEqual(g.edges.map((e) => `${e.from}>${e.to}`).sort(), [
        'connector:decl-files>pipeline:decl-clean',
        'connector:ent-master>dataset:enterprise',
        'dataset:enterprise>pipeline:decl-clean',
        'pipeline:decl-clean>dataset:declaration_items',
      ]);
      assert.equal(g.nodes.find((n) => n.id === 'pipeline:decl-clean')!.label, '报关单清洗');
    });

    it('changes nothing when the same file is loaded again', async () => {
      const before = await t.platform.rows('declaration_items', { limit: 100, offset: 0 });
      fs.writeFileSync(path.join(inbox, 'decl-2026-03.csv'), file);
      const run = await t.platform.runConnector('decl-files');
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.equal(run.rowsUnchanged, GOOD.length);
      assert.equal(run.rowsInserted + run.rowsUpdated, 0);
      const afterRows = await t.platform.rows('declaration_items', { limit: 100, offset: 0 });
      assert.deepEqual(
        afterRows.rows.map((r) => ({ ...r, _loaded_at: 0 })),
        before.rows.map((r) => ({ ...r, _loaded_at: 0 })),
      );
      const rejects = await t.platform.rejects({ connectorId: 'decl-files' });
      assert.equal(rejects.total, BAD.length);
      assert.ok(rejects.items.every((r) => r.times === 2 && r.lastRunId === run.id && r.firstRunId < run.id));
    });
  });
}
