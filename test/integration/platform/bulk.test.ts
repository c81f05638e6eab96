/**
 * The bulk paths, on both store dialects:
 *
 * - landRows upserts thousands of rows in multi-row chunks: counts of inserted / updated / unchanged
 *   are exact, an identical rerun writes nothing (run id and load time stay), changed rows are
 *   rewritten, the last row of a key wins, and typed values (text, integer, number, timestamp,
 *   boolean, null) read back as they went in;
 * - a file-inbox load of a few thousand rows with bad ones: every bad row is in the rejects with its
 *   reason, a rerun inserts and updates nothing and counts the same rejects again (times = 2);
 * - quality rules evaluated inside the store (SQL aggregates, streamed columns) give exactly the
 *   counts, scores and failing samples of the row-by-row evaluation.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { datasetTable, ensureDatasetTable, landRows, readRows, scanRows } from '../../../cloud/platform/datasets.js';
import { DatasetDefinition, type DatasetDefinitionInput } from '../../../cloud/platform/definitions.js';
import type { Row } from '../../../cloud/platform/pipeline.js';
import { evaluateQuality } from '../../../cloud/platform/quality.js';
import { completeUscc, usccCheckChar } from '../../../shared/ids/uscc.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

const ITEMS: DatasetDefinitionInput = {
  name: 'bulk_items',
  title: '批量测试',
  owner: 'tester',
  fields: [
    { name: 'id', type: 'text', required: true },
    { name: 'n', type: 'integer', required: true },
    { name: 'price', type: 'number' },
    { name: 'at', type: 'timestamp' },
    { name: 'ok', type: 'boolean' },
    { name: 'note', type: 'text' },
  ],
  key: ['id', 'n'],
};

function item(i: number, salt = ''): Row {
  return { id: `E${String(i % 700).padStart(4, '0')}`, n: Math.floor(i / 700), price: i % 11 === 0 ? null : i * 1.25, at: 1_767_225_600_000 + i * 1000, ok: i % 3 === 0, note: i % 5 === 0 ? null : `第${i}项${salt}` };
}

const ents = Array.from({ length: 40 }, (_, i) => completeUscc(`91310115MA1K${String(i).padStart(4, '0')}0`));
const wrongCheck = (u: string) => u.slice(0, 17) + (usccCheckChar(u.slice(0, 17)) === '1' ? '2' : '1');

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`bulk landing and in-store quality (${dialect})`, () => {
    let t: TestPlatform;
    let db: Kysely<any>;
    const def = DatasetDefinition.parse(ITEMS);
    suiteSetup(async () => {
      t = await openTestPlatform(dialect);
      db = t.store.db as Kysely<any>;
      await ensureDatasetTable(db, def);
    });
    after(async () => {
      await t?.close();
    });

    it('upserts thousands of rows in chunks with exact counts; an identical rerun writes nothing', async () => {
      const rows = Array.from({ length: 4500 }, (_, i) => item(i));
      const first = await db.transaction().execute((trx) => landRows(trx, def, rows, 1, 1000));
      assert.deepEqual(first, { inserted: 4500, updated: 0, unchanged: 0 });
      const again = await db.transaction().execute((trx) => landRows(trx, def, rows, 2, 2000));
      assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 4500 });
      const runs = (await db.selectFrom(datasetTable(def.name)).select(['_run_id', '_loaded_at']).distinct().execute()).map((r) => [Number(r['_run_id']), Number(r['_loaded_at'])]);
      assert.deepEqual(runs, [[1, 1000]], 'nothing rewritten by the rerun');

      // 30 rows change, 20 are new, the rest are as before; a key given twice: the last one wins
      const next = rows.map((r, i) => (i % 150 === 7 ? { ...r, note: `改${i}`, ok: !r['ok'] } : r));
      for (let i = 4500; i < 4520; i++) next.push(item(i));
      next.push({ ...item(3), price: 1 }, { ...item(3), price: 2 });
      const third = await db.transaction().execute((trx) => landRows(trx, def, next, 3, 3000));
      assert.deepEqual(third, { inserted: 20, updated: 31, unchanged: 4500 - 31 });
      const total = Number((await db.selectFrom(datasetTable(def.name)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow())['n']);
      assert.equal(total, 4520);

      const byKey = async (id: string, n: number) => (await readRows(db, def, { limit: 1, offset: 0, where: { id, n: String(n) } })).rows[0];
      const three = await byKey('E0003', 0);
      assert.equal(three?.['price'], 2);
      const changed = await byKey('E0157', 0); // i = 157 = 150 + 7
      assert.deepEqual({ note: changed?.['note'], ok: changed?.['ok'] }, { note: '改157', ok: !item(157)['ok'] });
      const plain = await byKey('E0010', 3); // i = 2110: price null (i % 11 = 9? no) — check all types
      const want = item(2110);
      assert.deepEqual(
        { price: plain?.['price'], at: plain?.['at'], ok: plain?.['ok'], note: plain?.['note'] },
        { price: want['price'], at: want['at'], ok: want['ok'], note: want['note'] },
      );
      const nulls = await byKey('E0000', 0); // i = 0: price null (0 % 11), note null (0 % 5)
      assert.deepEqual({ price: nulls?.['price'], note: nulls?.['note'], ok: nulls?.['ok'] }, { price: null, note: null, ok: true });
      const runIds = (await db.selectFrom(datasetTable(def.name)).select('_run_id').where('_run_id', '=', 3).execute()).length;
      assert.equal(runIds, 20 + 31, 'only new and changed rows carry the third run');
    });

    it('a file-inbox load keeps every bad row in the rejects; a rerun changes nothing and counts them again', async () => {
      const p = t.platform;
      const inbox = path.join(t.dir, 'platform', 'bulk-inbox');
      fs.mkdirSync(inbox, { recursive: true });
      await p.saveDataset({ name: 'bulk_ent', title: '企业', owner: 'tester', fields: [{ name: 'uscc', type: 'text', required: true }, { name: 'name', type: 'text' }], key: ['uscc'] }, 'tester');
      await p.saveDataset(
        {
          name: 'bulk_decl',
          title: '报关单',
          owner: 'tester',
          fields: [
            { name: 'entry_id', type: 'text', required: true },
            { name: 'g_no', type: 'integer', required: true },
            { name: 'uscc', type: 'text', required: true },
            { name: 'ent_name', type: 'text' },
            { name: 'country', type: 'text' },
            { name: 'value', type: 'number' },
          ],
          key: ['entry_id', 'g_no'],
        },
        'tester',
      );
      await p.savePipeline(
        {
          id: 'bulk-clean',
          name: '清洗',
          steps: [
            { op: 'map', fields: { entry_id: '报关单号', g_no: '项号', uscc: '信用代码', origin: '原产国', value: '金额' } },
            { op: 'parse', fields: { g_no: 'integer', value: 'number' } },
            { op: 'validate', checks: [{ field: 'entry_id', is: 'entry_id', required: true }] },
            { op: 'convert', field: 'origin', table: 'country', from: 'alpha2', to: 'code', target: 'country' },
            { op: 'dedupe', key: ['entry_id', 'g_no'] },
            { op: 'enrich', dataset: 'bulk_ent', field: 'uscc', refField: 'uscc', match: 'uscc', fields: { ent_name: 'name' } },
          ],
        },
        'tester',
      );
      await p.saveConnector({ id: 'bulk-ent', name: '企业', source: { kind: 'file-inbox', dir: 'bulk-inbox', pattern: 'ent*.csv' }, target: { dataset: 'bulk_ent' } }, 'tester');
      await p.saveConnector({ id: 'bulk-decl', name: '报关单', source: { kind: 'file-inbox', dir: 'bulk-inbox', pattern: 'decl*.csv' }, target: { dataset: 'bulk_decl', pipeline: 'bulk-clean' } }, 'tester');
      fs.writeFileSync(path.join(inbox, 'ent.csv'), ['uscc,name', ...ents.map((u, i) => `${u},企业${i}`)].join('\n'));
      assert.equal((await p.runConnector('bulk-ent')).rowsInserted, ents.length);

      const N = 3000;
      const expected = new Map<string, number>(); // reason → count
      const lines = ['报关单号,项号,信用代码,原产国,金额'];
      for (let i = 0; i < N; i++) {
        const cells = [`222520261${String(Math.floor(i / 3)).padStart(9, '0')}`, String((i % 3) + 1), ents[i % ents.length]!, 'US', String(i)];
        const kind = i % 50 === 49 ? Math.floor(i / 50) % 5 : -1;
        if (kind === 0) cells[2] = wrongCheck(cells[2]!);
        if (kind === 1) cells[3] = 'QQ';
        if (kind === 2) cells[4] = 'x';
        if (kind === 3) cells[0] = cells[0]!.slice(0, 16) + 'ZZ';
        if (kind === 4) cells[2] = completeUscc('91310115MA1KWWWW0'); // valid, no master record
        const reason = ['check_digit', 'unknown_code', 'bad_type', 'format', 'no_master_record'][kind];
        if (reason) expected.set(reason, (expected.get(reason) ?? 0) + 1);
        lines.push(cells.join(','));
      }
      lines.push(lines[1]!); // a duplicate of the first row
      expected.set('duplicate', 1);
      const bad = [...expected.values()].reduce((a, b) => a + b, 0);
      const file = lines.join('\n');

      fs.writeFileSync(path.join(inbox, 'decl-1.csv'), file);
      const run = await p.runConnector('bulk-decl');
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.deepEqual({ in: run.rowsIn, out: run.rowsOut, rejected: run.rowsRejected, inserted: run.rowsInserted, updated: run.rowsUpdated }, { in: N + 1, out: N + 1 - bad, rejected: bad, inserted: N + 1 - bad, updated: 0 });
      const rejects = await p.rejects({ connectorId: 'bulk-decl', limit: 10_000 });
      const got = new Map<string, number>();
      for (const r of rejects.items) got.set(r.reason, (got.get(r.reason) ?? 0) + 1);
      assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()));
      assert.ok(rejects.items.every((r) => r.times === 1 && r.firstRunId === run.id));

      fs.writeFileSync(path.join(inbox, 'decl-1.csv'), file);
      const rerun = await p.runConnector('bulk-decl');
      assert.deepEqual({ inserted: rerun.rowsInserted, updated: rerun.rowsUpdated, unchanged: rerun.rowsUnchanged, rejected: rerun.rowsRejected }, { inserted: 0, updated: 0, unchanged: N + 1 - bad, rejected: bad });
      const after2 = await p.rejects({ connectorId: 'bulk-decl', limit: 10_000 });
      assert.equal(after2.total, bad, 'the same rejects, not new ones');
      assert.ok(after2.items.every((r) => r.times === 2 && r.lastRunId === rerun.id && r.firstRunId === run.id));
      assert.equal((await p.rows('bulk_decl', { limit: 1, offset: 0 })).total, N + 1 - bad);
      const lineage = await p.lineage('dataset:bulk_decl');
      assert.deepEqual(
        lineage.edges.map((e) => `${e.from}>${e.to}@${e.runId}`).sort(),
        ['connector:bulk-decl>pipeline:bulk-clean@' + rerun.id, 'dataset:bulk_ent>pipeline:bulk-clean@' + rerun.id, 'pipeline:bulk-clean>dataset:bulk_decl@' + rerun.id, 'connector:bulk-ent>dataset:bulk_ent@' + (await p.runs({ connectorId: 'bulk-ent' })).items[0]!.id].sort(),
      );
    });

    it('quality rules evaluated in the store equal the row-by-row evaluation, samples included', async () => {
      const q = DatasetDefinition.parse({
        name: 'bulk_quality',
        title: '质量',
        owner: 'tester',
        fields: [
          { name: 'id', type: 'integer', required: true },
          { name: 'uscc', type: 'text' },
          { name: 'code', type: 'text' },
          { name: 'country', type: 'text' },
          { name: 'hs', type: 'text' },
          { name: 'qty', type: 'integer' },
          { name: 'value', type: 'number' },
          { name: 'value_text', type: 'text' },
          { name: 'flag', type: 'boolean' },
          { name: 'at', type: 'timestamp' },
          { name: 'at_text', type: 'text' },
        ],
        key: ['id'],
        quality: {
          rules: [
            { id: 'uscc_present', check: 'not_null', field: 'uscc' },
            { id: 'flag_present', check: 'not_null', field: 'flag' },
            { id: 'uscc_valid', check: 'uscc', field: 'uscc', weight: 2 },
            { id: 'code_valid', check: 'customs_code', field: 'code' },
            { id: 'hs_valid', check: 'identifier', kind: 'hs', field: 'hs' },
            { id: 'hs_regex', check: 'regex', field: 'hs', pattern: '^\\d{10}$' },
            { id: 'country_known', check: 'code_table', field: 'country', table: 'country' },
            { id: 'qty_range', check: 'range', field: 'qty', min: 1, max: 900 },
            { id: 'value_min', check: 'range', field: 'value', min: 0 },
            { id: 'value_text_range', check: 'range', field: 'value_text', max: 5000 },
            { id: 'value_ge_qty', check: 'cross_field', left: 'value', op: '>=', right: 'qty', factor: 1.5, tolerance: 0.5 },
            { id: 'value_eq_qty', check: 'cross_field', left: 'value', op: '=', right: 'qty', factor: 2 },
            { id: 'value_ne_text', check: 'cross_field', left: 'value', op: '!=', right: 'value_text' },
            { id: 'qty_lt_flag', check: 'cross_field', left: 'qty', op: '<', right: 'flag', factor: 1000 },
            { id: 'uscc_unique', check: 'unique', fields: ['uscc'] },
            { id: 'pair_unique', check: 'unique', fields: ['country', 'qty'] },
            { id: 'registered', check: 'reference', field: 'uscc', dataset: 'bulk_ent', refField: 'uscc' },
            { id: 'fresh_loaded', check: 'freshness', maxAgeSeconds: 3600 },
            { id: 'fresh_at', check: 'freshness', field: 'at', maxAgeSeconds: 10 },
            { id: 'fresh_text', check: 'freshness', field: 'at_text', maxAgeSeconds: 10 },
            { id: 'readable', check: 'accessible', minRows: 10 },
          ],
        },
      });
      await ensureDatasetTable(db, q);
      const countries = ['USA', 'DEU', 'JPN', 'XXX', 'chn', ' FRA'];
      const rows: Row[] = [];
      for (let i = 0; i < 3100; i++) {
        const u = ents[i % ents.length]!;
        rows.push({
          id: i,
          uscc: i % 97 === 5 ? null : i % 89 === 3 ? wrongCheck(u) : i % 83 === 1 ? completeUscc('91310115MA1KWWWW0') : u,
          code: i % 71 === 2 ? 'bad' : `31229${String(i % 10)}${String(i % 10000).padStart(4, '0')}`,
          country: i % 13 === 0 ? null : countries[i % countries.length],
          hs: i % 61 === 7 ? '12ab' : i % 59 === 3 ? '8471' : `8471${String(i % 1000000).padStart(6, '0')}`,
          qty: i % 67 === 0 ? null : (i % 1000) + (i % 101 === 0 ? 5000 : 0),
          value: i % 53 === 0 ? null : i % 41 === 0 ? -3 : ((i % 1000) * 2 + (i % 7 === 0 ? 0.25 : 0)),
          value_text: i % 43 === 0 ? 'n/a' : i % 47 === 0 ? null : String((i % 1000) * 2),
          flag: i % 31 === 0 ? null : i % 2 === 0,
          at: i % 17 === 0 ? null : 1_700_000_000_000 + i,
          at_text: i % 19 === 0 ? null : String(1_700_000_000_000 - i),
        });
      }
      await db.transaction().execute((trx) => landRows(trx, q, rows, 9, 5_000));
      const ctx = {
        now: 1_700_000_000_000 + 1_000_000,
        count: rows.length,
        referenceValues: async () => new Set(ents),
      };
      async function* rowByRow(pages: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
        for await (const p of pages) yield p;
      }
      const inStore = await evaluateQuality(q, scanRows(db, q), ctx);
      const reference = await evaluateQuality(q, rowByRow(scanRows(db, q, 700)), ctx);
      assert.equal(inStore.rows, rows.length);
      assert.deepEqual(inStore, reference);
      // the defects are really there, so the comparison covers failures and samples
      const failing = inStore.results.filter((r) => r.failed > 0).map((r) => r.ruleId);
      for (const id of ['uscc_present', 'uscc_valid', 'code_valid', 'hs_valid', 'hs_regex', 'country_known', 'qty_range', 'value_min', 'value_text_range', 'value_ge_qty', 'value_eq_qty', 'uscc_unique', 'pair_unique', 'registered', 'fresh_at', 'fresh_text']) {
        assert.ok(failing.includes(id), `${id} fails somewhere`);
      }
      assert.ok(inStore.results.every((r) => r.sample.length <= 5));
    });
  });
}
