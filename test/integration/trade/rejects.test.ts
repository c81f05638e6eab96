/**
 * Files with bad rows: every bad row lands in `reject` with the right reason and line, good rows are
 * stored once, declarations are kept or rejected whole, and a load that fails midway changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isQuaysideError } from '../../../shared/errors.js';
import { ensureSchema } from '../../../cloud/trade/schema.js';
import { TradeService } from '../../../cloud/trade/service.js';

const FIX = path.resolve(import.meta.dirname, '../../fixtures/trade');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as {
  enterprises: { good: number; rejects: { line: number; reason: string }[] };
  mixed: { good: number; rejects: { line: number; reason: string }[] };
  overlap: { loaded: number; duplicate: number; rejects: { line: number; reason: string }[] };
};
let dir: string;
let trade: TradeService;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-rej-'));
  trade = await TradeService.open({ dataDir: dir });
});
after(async () => {
  await trade?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rejectsOf(fileId: number): Promise<{ line: number; reason: string; raw: string; detail: string | null }[]> {
  const r = await trade.rejects(fileId);
  return r.items.map((x) => ({ line: Number(x['line_no']), reason: String(x['reason']), raw: String(x['raw']), detail: (x['detail'] as string | null) ?? null }));
}

describe('rejects', () => {
  it('enterprise master: check characters, code tables, consistency, duplicates', async () => {
    const r = await trade.loadFile('enterprises', path.join(FIX, 'enterprises.csv'));
    assert.equal(r.rowsLoaded, expected.enterprises.good);
    const got = await rejectsOf(r.fileId);
    assert.deepEqual(got.map(({ line, reason }) => ({ line, reason })), expected.enterprises.rejects);
    assert.match(got[0]!.detail!, /uscc=91310115MA1FL2B378/);
    assert.equal(JSON.parse(got[0]!.raw).customs_code, '3122240004');
  });

  it('a whitelisted pilot-era USCC that fails its checksum is accepted', async () => {
    await trade.db.write((c) => c.exec(`INSERT INTO uscc_whitelist VALUES ('91350100M0001TGQXM', 'pilot-era code, legal')`));
    const r = await trade.loadBatch('enterprises', [{ uscc: '91350100M0001TGQXM', customs_code: '3501960012', name: '试点期代码公司', ent_type: '6', region: '310115', credit_rating: 'REG', aeo: false, registered: '2012-01-01' }]);
    assert.equal(r.rowsLoaded, 1, JSON.stringify(r.rejectsByReason));
  });

  it('declarations: each bad row with its reason and physical line; good rows once; declarations whole', async () => {
    const r = await trade.loadFile('declarations', path.join(FIX, 'decl-mixed.csv'));
    assert.equal(r.status, 'loaded');
    assert.equal(r.rowsLoaded, expected.mixed.good);
    assert.equal(r.rowsRejected, expected.mixed.rejects.length);
    const got = await rejectsOf(r.fileId);
    assert.deepEqual(
      got.map(({ line, reason }) => ({ line, reason })),
      expected.mixed.rejects,
    );
    const malformed = got.find((x) => x.reason === 'malformed_line')!;
    assert.equal(malformed.raw, '224820250000000112,1,E,2025-03-10,2248');
    const sibling = got.find((x) => x.reason === 'sibling_item_rejected')!;
    assert.match(sibling.detail!, /another item of 222520251000000103/);
    const stored = await trade.db.query<{ entry_id: string; g_no: number }>('SELECT entry_id, g_no FROM decl_item ORDER BY entry_id, g_no');
    assert.deepEqual(
      stored.map((x) => `${x.entry_id}/${x.g_no}`),
      ['222520251000000102/1', '222520251000000119/1', '222520251000000119/2', '222520251000000119/3', '224820250000000101/1', '224820250000000101/2'],
    );
    const [files] = await trade.db.query<{ n: number }>('SELECT count(*) AS n FROM load_file WHERE rows_total = rows_loaded + rows_rejected + rows_duplicate');
    assert.equal(files!.n, 3);
  });

  it('rows already stored: identical ones are skipped, different ones rejected with their declaration', async () => {
    const r = await trade.loadFile('declarations', path.join(FIX, 'decl-overlap.csv'));
    assert.equal(r.rowsLoaded, expected.overlap.loaded);
    assert.equal(r.rowsDuplicate, expected.overlap.duplicate);
    assert.deepEqual((await rejectsOf(r.fileId)).map(({ line, reason }) => ({ line, reason })), expected.overlap.rejects);
    const [v] = await trade.db.query<{ v: number }>(`SELECT value_usd::DOUBLE AS v FROM decl_item WHERE entry_id = '222520251000000102'`);
    assert.equal(v!.v, 10000, 'the stored row keeps its first value');
  });

  it('a repeated item number rejects the whole declaration, nothing is lost', async () => {
    const lines = fs.readFileSync(path.join(FIX, 'decl-mixed.csv'), 'utf8').split('\n');
    const cols = lines[0]!.split(',');
    const rec = (g: number) => {
      const o = Object.fromEntries(cols.map((c, i) => [c, lines[1]!.split(',')[i]]));
      return { ...o, entry_id: '224820250000000301', g_no: g };
    };
    const r = await trade.loadBatch('declarations', [rec(1), rec(2), rec(2)]);
    assert.equal(r.rowsLoaded, 0);
    assert.equal(r.rowsTotal, 3);
    assert.deepEqual(r.rejectsByReason, { duplicate_in_file: 2, sibling_item_rejected: 1 });
  });

  it('a file with the wrong header is refused before anything is written', async () => {
    const bad = path.join(dir, 'bad-header.csv');
    fs.writeFileSync(bad, 'entry_id,g_no,flag\n1,2,3\n');
    const before = await trade.loads();
    await assert.rejects(trade.loadFile('declarations', bad), (e) => isQuaysideError(e, 'CLOUD_BAD_REQUEST') && /header must be/.test(e.message));
    assert.equal((await trade.loads()).length, before.length);
  });

  it('a load failing midway leaves no trace (one transaction)', async () => {
    const file = path.join(dir, 'late-failure.csv');
    const lines = fs.readFileSync(path.join(FIX, 'decl-mixed.csv'), 'utf8').split('\n');
    // a fresh declaration that would load fine
    fs.writeFileSync(file, [lines[0], lines[1]!.replace('224820250000000101', '224820250000000201'), ''].join('\n'));
    const count = async () => (await trade.db.query<{ n: number; f: number; r: number }>('SELECT (SELECT count(*) FROM decl_item) AS n, (SELECT count(*) FROM load_file) AS f, (SELECT count(*) FROM reject) AS r'))[0]!;
    const before = await count();
    // break the last step of the load (a cube table) so it fails after the facts were inserted
    await trade.db.write((c) => c.exec('ALTER TABLE agg_cube RENAME TO agg_cube_away'));
    await assert.rejects(trade.loadFile('declarations', file));
    await trade.db.write(async (c) => {
      await c.exec('ALTER TABLE agg_cube_away RENAME TO agg_cube');
      await ensureSchema(c);
    });
    assert.deepEqual(await count(), before);
    const r = await trade.loadFile('declarations', file);
    assert.equal(r.rowsLoaded, 1);
  });
});
