/**
 * Streaming loads: a run reads, processes and lands its source in slices (here 50 records, against
 * the default 10 000), all in one transaction. On both store dialects:
 *
 * - inbox files of many slices land exactly as they do in one piece (a second platform with the
 *   default slice size is the yardstick, besides the expected values): a duplicate key spanning two
 *   slices, or two files, is rejected once; bad rows from every slice end in the rejects; a rerun
 *   changes nothing;
 * - without a pipeline, a key met again in a later slice counts once and its last row wins, also
 *   when it changed in one slice and came back to its stored value in a later one; two identical
 *   records of a PostgreSQL source rejected in two slices are one reject (one fingerprint), once;
 * - a run that fails after some slices were landed (a PostgreSQL source failing in a later batch; on
 *   a PostgreSQL store also a value the store refuses in a late slice of a file) leaves rows,
 *   rejects, cursor and lineage as they were, and the next run pulls again; so does an HTTP API
 *   refusing a page (its pages are all read before anything lands);
 * - on a PostgreSQL store (its own pool connection per run) a running run shows the rows read and
 *   landed so far.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { completeUscc, usccCheckChar } from '../../../shared/ids/uscc.js';
import type { PlatformService, RejectRecord, RunRecord } from '../../../cloud/platform/service.js';
import { freshPgDatabase, services, suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

const SLICE = 50;
const A = completeUscc('91310115MA1K4ABC0');
const B = completeUscc('91310000132200821');
const C = completeUscc('91310115MA1H7XYW2'); // valid, not in the master data
const wrongCheck = A.slice(0, 17) + (usccCheckChar(A.slice(0, 17)) === '1' ? '2' : '1');

const MASTER = ['uscc,name', `${A},上海甲进出口有限公司`, `${B},上海乙国际贸易有限公司`].join('\n');
const HEAD = '报关单号,项号,经营单位信用代码,原产国,监管方式,商品编码,美元价值';
const entry = (n: number) => `222520261${String(n).padStart(9, '0')}`;
const COUNTRIES = ['US', 'DE', 'JP'];

interface Line {
  text: string;
  /** entry number of a row that lands; null for a bad one */
  lands: number | null;
  /** expected reject: [reason, detail pattern] */
  reject?: [string, RegExp];
}

function good(n: number, value = n * 1.5): Line {
  return { text: `${entry(n)},1,${n % 2 ? A : B},${COUNTRIES[n % 3]},0110,8471300000,${value}`, lands: n };
}

/**
 * decl-a.csv: 520 records (11 slices); decl-b.csv: 60. Bad rows sit in different slices; duplicates
 * of an earlier row 45 records later (the next slice), 495 later, in the next record, and across files.
 */
function files(): { a: Line[]; b: Line[] } {
  const a: Line[] = [];
  for (let i = 1; i <= 520; i++) a.push(good(i));
  // record `at` repeats the key of record `of` (line of + 1) with another value
  const dup = (list: Line[], at: number, of: number, file: string) => {
    list[at - 1] = { text: `${entry(of)},1,${of % 2 ? A : B},US,0110,8471300000,1`, lands: null, reject: ['duplicate', new RegExp(`^same entry_id, g_no as ${file}:${of + 1}$`)] };
  };
  a[19] = { text: `${entry(20)},1,${A},US,0110,8471300000,abc`, lands: null, reject: ['bad_type', /not a number/] };
  dup(a, 75, 30, 'decl-a.csv');
  dup(a, 102, 101, 'decl-a.csv');
  a[129] = { text: `${entry(130)},1,${A},US,0110,8471300000,5,extra`, lands: null, reject: ['parse_error', /8 fields where the header has 7/] };
  a[259] = { text: `${entry(260)},1,${A},QQ,0110,8471300000,5`, lands: null, reject: ['unknown_code', /QQ/] };
  a[399] = { text: `${entry(400)},1,${wrongCheck},US,0110,8471300000,5`, lands: null, reject: ['check_digit', /./] };
  a[454] = { text: `${entry(455)},1,${C},US,0110,8471300000,5`, lands: null, reject: ['no_master_record', /no enterprise record/] };
  dup(a, 500, 5, 'decl-a.csv');
  a[509] = { text: `${entry(510)},1,${A},US,0110,8471300000,-5`, lands: null, reject: ['out_of_range', /outside/] };
  const b: Line[] = [];
  for (let i = 1; i <= 60; i++) b.push(good(1000 + i));
  b[9] = { text: `${entry(200)},1,${B},US,0110,8471300000,1`, lands: null, reject: ['duplicate', /^same entry_id, g_no as decl-a\.csv:201$/] };
  b[39] = { text: `${entry(1040)},1,${A},US,0110,12ab,5`, lands: null, reject: ['format', /12ab/] };
  return { a, b };
}

async function setup(p: PlatformService): Promise<void> {
  await p.saveDataset({ name: 'enterprise', title: '企业', owner: 'o', fields: [{ name: 'uscc', type: 'text', required: true }, { name: 'name', type: 'text' }], key: ['uscc'] }, 't');
  await p.saveDataset(
    {
      name: 'declaration_items',
      title: '报关单商品项',
      owner: 'o',
      fields: [
        { name: 'entry_id', type: 'text', required: true },
        { name: 'g_no', type: 'integer', required: true },
        { name: 'uscc', type: 'text', required: true },
        { name: 'enterprise_name', type: 'text' },
        { name: 'country', type: 'text' },
        { name: 'hs_code', type: 'text' },
        { name: 'value_usd', type: 'number' },
      ],
      key: ['entry_id', 'g_no'],
    },
    't',
  );
  await p.savePipeline(
    {
      id: 'decl-clean',
      name: 'clean',
      steps: [
        { op: 'map', fields: { entry_id: '报关单号', g_no: '项号', uscc: '经营单位信用代码', origin: '原产国', trade_mode: '监管方式', hs_code: '商品编码', value_usd: '美元价值' } },
        { op: 'parse', fields: { g_no: 'integer', value_usd: 'number' } },
        { op: 'validate', checks: [{ field: 'entry_id', is: 'entry_id', required: true }, { field: 'hs_code', is: 'hs', required: true }, { field: 'value_usd', min: 0, required: true }] },
        { op: 'convert', field: 'origin', table: 'country', from: 'alpha2', to: 'code', target: 'country' },
        { op: 'dedupe', key: ['entry_id', 'g_no'] },
        { op: 'enrich', dataset: 'enterprise', field: 'uscc', refField: 'uscc', match: 'uscc', fields: { enterprise_name: 'name' } },
      ],
    },
    't',
  );
  await p.saveConnector({ id: 'ent', name: 'ent', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'enterprise*.csv' }, target: { dataset: 'enterprise' } }, 't');
  await p.saveConnector({ id: 'decl', name: 'decl', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'decl*.csv' }, target: { dataset: 'declaration_items', pipeline: 'decl-clean' }, retry: { attempts: 1 } }, 't');
  await p.saveDataset({ name: 'readings', title: 'readings', owner: 'o', fields: [{ name: 'k', type: 'text', required: true }, { name: 'v', type: 'integer' }], key: ['k'] }, 't');
  await p.saveConnector({ id: 'readings', name: 'readings', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'read*.csv' }, target: { dataset: 'readings' }, retry: { attempts: 1 } }, 't');
}

const inboxOf = (t: TestPlatform) => path.join(t.dir, 'platform', 'inbox');

function drop(t: TestPlatform, name: string, lines: string[]): void {
  fs.mkdirSync(inboxOf(t), { recursive: true });
  fs.writeFileSync(path.join(inboxOf(t), name), lines.join('\n'));
}

async function allRows(p: PlatformService, dataset: string): Promise<Record<string, unknown>[]> {
  const page = await p.rows(dataset, { limit: 100_000, offset: 0 });
  return page.rows.map((r) => ({ ...r, _loaded_at: 0 }));
}

async function allRejects(p: PlatformService, connectorId: string): Promise<RejectRecord[]> {
  return (await p.rejects({ connectorId, limit: 100_000 })).items;
}

/** Rejects as comparable between two platforms (run ids and row ids differ). */
function comparable(items: RejectRecord[]): unknown[] {
  return items.map((r) => ({ ref: r.ref, step: r.step, op: r.op, reason: r.reason, field: r.field, detail: r.detail, raw: r.raw, times: r.times })).sort((x, y) => (x.ref + x.reason < y.ref + y.reason ? -1 : 1));
}

const counts = (r: RunRecord) => ({
  status: r.status,
  rowsIn: r.rowsIn,
  rowsOut: r.rowsOut,
  rowsRejected: r.rowsRejected,
  rowsInserted: r.rowsInserted,
  rowsUpdated: r.rowsUpdated,
  rowsUnchanged: r.rowsUnchanged,
});

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`streaming loads (${dialect})`, () => {
    /** slices of SLICE records */
    let s: TestPlatform;
    /** the yardstick: the default slice size, so every load here is one slice */
    let w: TestPlatform;
    const { a, b } = files();
    const landing = [...a, ...b].filter((l) => l.lands !== null);
    const bad = [...a.map((l, i) => ({ l, ref: `decl-a.csv:${i + 2}` })), ...b.map((l, i) => ({ l, ref: `decl-b.csv:${i + 2}` }))].filter((x) => x.l.reject);

    suiteSetup(async () => {
      s = await openTestPlatform(dialect, { sliceRows: SLICE });
      w = await openTestPlatform(dialect);
      for (const t of [s, w]) {
        await setup(t.platform);
        drop(t, 'enterprise.csv', [MASTER]);
        const m = await t.platform.runConnector('ent');
        assert.equal(m.rowsInserted, 2, m.error ?? '');
      }
    });
    after(async () => {
      await s?.close();
      await w?.close();
    });

    it('lands files of many slices as in one piece: duplicates across slices and files rejected once, bad rows of every slice kept', async () => {
      const runs: RunRecord[] = [];
      for (const t of [s, w]) {
        drop(t, 'decl-a.csv', [HEAD, ...a.map((l) => l.text)]);
        drop(t, 'decl-b.csv', [HEAD, ...b.map((l) => l.text)]);
        runs.push(await t.platform.runConnector('decl'));
      }
      const [run, yard] = runs as [RunRecord, RunRecord];
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.deepEqual(counts(run), { status: 'succeeded', rowsIn: 580, rowsOut: landing.length, rowsRejected: bad.length, rowsInserted: landing.length, rowsUpdated: 0, rowsUnchanged: 0 });
      assert.equal(bad.length, 11);
      assert.deepEqual(counts(run), counts(yard));

      const rows = await allRows(s.platform, 'declaration_items');
      assert.deepEqual(rows.map((r) => r['entry_id']).sort(), landing.map((l) => entry(l.lands!)).sort());
      // the first row of a duplicated key wins (its value, not the duplicate's 1)
      assert.equal(rows.find((r) => r['entry_id'] === entry(30))!['value_usd'], 45);
      assert.equal(rows.find((r) => r['entry_id'] === entry(200))!['value_usd'], 300);
      assert.equal(rows.find((r) => r['entry_id'] === entry(1))!['enterprise_name'], '上海甲进出口有限公司');
      assert.deepEqual(rows, await allRows(w.platform, 'declaration_items'));

      const rejects = await allRejects(s.platform, 'decl');
      assert.equal(rejects.length, bad.length);
      for (const { l, ref } of bad) {
        const found = rejects.filter((r) => r.ref === ref);
        assert.equal(found.length, 1, `one reject for ${ref}`);
        assert.equal(found[0]!.reason, l.reject![0], ref);
        assert.match(found[0]!.detail, l.reject![1], ref);
        assert.equal(found[0]!.times, 1);
      }
      assert.deepEqual(comparable(rejects), comparable(await allRejects(w.platform, 'decl')));
      // both files read and archived
      assert.deepEqual(fs.readdirSync(inboxOf(s)).filter((f) => f.startsWith('decl')), []);
    });

    it('changes nothing when the same files come again, and counts every reject once more', async () => {
      const before = await allRows(s.platform, 'declaration_items');
      const runs: RunRecord[] = [];
      for (const t of [s, w]) {
        drop(t, 'decl-a.csv', [HEAD, ...a.map((l) => l.text)]);
        drop(t, 'decl-b.csv', [HEAD, ...b.map((l) => l.text)]);
        runs.push(await t.platform.runConnector('decl'));
      }
      assert.deepEqual(counts(runs[0]!), { status: 'succeeded', rowsIn: 580, rowsOut: landing.length, rowsRejected: bad.length, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: landing.length });
      assert.deepEqual(counts(runs[0]!), counts(runs[1]!));
      assert.deepEqual(await allRows(s.platform, 'declaration_items'), before);
      const rejects = await allRejects(s.platform, 'decl');
      assert.equal(rejects.length, bad.length);
      assert.ok(rejects.every((r) => r.times === 2 && r.lastRunId === runs[0]!.id));
      assert.deepEqual(comparable(rejects), comparable(await allRejects(w.platform, 'decl')));
    });

    it('counts a key met again in a later slice once, as in one piece, and its last row wins', async () => {
      const k = (i: number) => `K${String(i).padStart(3, '0')}`;
      const range = (from: number, to: number, v: (i: number) => number) => Array.from({ length: to - from }, (_, j) => `${k(from + j)},${v(from + j)}`);
      // K0–K149, then K0–K49 again with other values (two slices later)
      const first = ['k,v', ...range(0, 150, (i) => i), ...range(0, 50, (i) => i + 500)];
      // K0–K49 as stored; K50–K99 changed, then (two slices later) back to the stored value; K100–K149
      // changed; K150–K159 new, twice
      const second = ['k,v', ...range(0, 50, (i) => i + 500), ...range(50, 100, (i) => i + 1000), ...range(100, 150, (i) => i + 1000), ...range(50, 100, (i) => i), ...range(150, 160, () => 1), ...range(150, 160, () => 2)];
      const expected = [
        { rowsIn: 200, rowsInserted: 150, rowsUpdated: 0, rowsUnchanged: 0 },
        { rowsIn: 220, rowsInserted: 10, rowsUpdated: 50, rowsUnchanged: 100 },
      ];
      for (const [n, lines] of [first, second].entries()) {
        const got = [];
        for (const t of [s, w]) {
          drop(t, 'read.csv', lines);
          const r = await t.platform.runConnector('readings');
          assert.equal(r.status, 'succeeded', r.error ?? '');
          got.push({ rowsIn: r.rowsIn, rowsInserted: r.rowsInserted, rowsUpdated: r.rowsUpdated, rowsUnchanged: r.rowsUnchanged });
        }
        assert.deepEqual(got[0], expected[n], `run ${n + 1}`);
        assert.deepEqual(got[1], expected[n], `run ${n + 1}, one slice`);
        const rows = await allRows(s.platform, 'readings');
        assert.deepEqual(rows, await allRows(w.platform, 'readings'));
        const v = new Map(rows.map((r) => [r['k'], r['v']]));
        if (n === 0) assert.deepEqual([v.get(k(0)), v.get(k(49)), v.get(k(50))], [500, 549, 50]);
        else assert.deepEqual([v.get(k(0)), v.get(k(50)), v.get(k(100)), v.get(k(155)), rows.length], [500, 50, 1100, 2, 160]);
      }
    });

    it('keeps two identical rejects from two slices as one, as in one piece', async () => {
      const src = await freshPgDatabase((await services()).pgUrl);
      try {
        const c = new pg.Client({ connectionString: src.url });
        await c.connect();
        try {
          await c.query('CREATE SCHEMA src; CREATE TABLE src.items (id text, n text, wm integer)');
          // records 1–49 share watermark 1; records 50 and 51 (one slice each side of the edge) are
          // the same record twice, with a value the data set refuses
          for (let i = 1; i <= 49; i++) await c.query('INSERT INTO src.items VALUES ($1, $2, 1)', [`i${i}`, String(i)]);
          await c.query("INSERT INTO src.items VALUES ('twin', 'x', 5), ('twin', 'x', 5), ('last', '7', 6)");
        } finally {
          await c.end();
        }
        const u = new URL(src.url);
        process.env['QS_TEST_STREAM_PG_USER'] = decodeURIComponent(u.username);
        u.username = '';
        const got = [];
        for (const t of [s, w]) {
          await t.platform.saveDataset({ name: 'items', title: 'items', owner: 'o', fields: [{ name: 'id', type: 'text', required: true }, { name: 'n', type: 'integer' }], key: ['id'] }, 't');
          await t.platform.saveConnector({ id: 'items', name: 'items', source: { kind: 'postgres', url: u.toString(), user: { env: 'QS_TEST_STREAM_PG_USER' }, table: 'src.items', watermark: 'wm' }, retry: { attempts: 1 }, target: { dataset: 'items' } }, 't');
          const r = await t.platform.runConnector('items');
          assert.equal(r.status, 'succeeded', r.error ?? '');
          got.push(r);
        }
        assert.deepEqual(counts(got[0]!), { status: 'succeeded', rowsIn: 52, rowsOut: 50, rowsRejected: 2, rowsInserted: 50, rowsUpdated: 0, rowsUnchanged: 0 });
        assert.deepEqual(counts(got[0]!), counts(got[1]!));
        assert.equal(await s.platform.cursor('items'), '6');
        const rejects = await allRejects(s.platform, 'items');
        assert.deepEqual(
          rejects.map((r) => [r.ref, r.reason, r.field, r.times, r.firstRunId, r.lastRunId]),
          [['src.items wm=5', 'bad_type', 'n', 1, got[0]!.id, got[0]!.id]],
        );
        assert.deepEqual(comparable(rejects), comparable(await allRejects(w.platform, 'items')));
      } finally {
        await src.drop();
      }
    });

    if (dialect === 'postgres') {
      it('shows the rows read and landed so far while a run is in progress', async () => {
        const src = await freshPgDatabase((await services()).pgUrl);
        try {
          const c = new pg.Client({ connectionString: src.url });
          await c.connect();
          try {
            // every row takes 10 ms to read: 200 rows, 4 slices, about 2 s
            await c.query(`CREATE SCHEMA src;
              CREATE TABLE src.t (id text, wm integer);
              CREATE FUNCTION src.slow(w integer) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN w; END $$;
              CREATE VIEW src.v AS SELECT id, wm, src.slow(wm) AS n FROM src.t;
              INSERT INTO src.t SELECT 'r' || g, g FROM generate_series(1, 200) g`);
            const u = new URL(src.url);
            process.env['QS_TEST_STREAM_PG_USER'] = decodeURIComponent(u.username);
            u.username = '';
            const p = s.platform;
            await p.saveDataset({ name: 'slow_rows', title: 'slow', owner: 'o', fields: [{ name: 'id', type: 'text', required: true }, { name: 'n', type: 'integer' }], key: ['id'] }, 't');
            await p.saveConnector({ id: 'slow-rows', name: 'slow', source: { kind: 'postgres', url: u.toString(), user: { env: 'QS_TEST_STREAM_PG_USER' }, table: 'src.v', columns: ['id', 'n'], watermark: 'wm', batchSize: 25 }, retry: { attempts: 1 }, target: { dataset: 'slow_rows' } }, 't');
            const run = p.runConnector('slow-rows');
            let done = false;
            void run.finally(() => (done = true));
            const seen: [number, number][] = [];
            while (!done) {
              const live = (await p.runs({ connectorId: 'slow-rows', status: 'running' })).items[0];
              if (live) seen.push([live.rowsIn, live.rowsOut]);
              await new Promise((r) => setTimeout(r, 20));
            }
            const finished = await run;
            assert.equal(finished.status, 'succeeded', finished.error ?? '');
            assert.deepEqual([finished.rowsIn, finished.rowsOut], [200, 200]);
            const partial = seen.filter(([n]) => n > 0 && n < 200);
            assert.ok(partial.length > 0, `progress seen while running: ${seen.length} polls, the last ${JSON.stringify(seen.slice(-5))}`);
            for (const [n, out] of partial) assert.ok(n % SLICE === 0 && out === n, `whole slices read and landed: ${n}, ${out}`);
            for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![0] >= seen[i - 1]![0], 'it only grows');
          } finally {
            await c.end();
          }
        } finally {
          await src.drop();
        }
      });
    }

    describe('a run that fails after slices were landed', () => {
      let server: http.Server;
      const records: unknown[] = [];
      let failPage: number | null = null;
      const seen: string[] = [];

      suiteSetup(async () => {
        for (let i = 1; i <= 30; i++) records.push({ id: `P${i}`, seq: i });
        server = http.createServer((req, res) => {
          const url = new URL(req.url ?? '/', 'http://x');
          const page = Number(url.searchParams.get('page'));
          seen.push(`${url.searchParams.get('since') ?? '-'}/${page}`);
          if (page === failPage) {
            res.writeHead(400).end('refused');
            return;
          }
          const since = Number(url.searchParams.get('since') ?? '0');
          const items = records.filter((r) => typeof r !== 'object' || (r as { seq: number }).seq > since);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(items.slice((page - 1) * 10, page * 10)));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        await s.platform.saveDataset({ name: 'calls', title: 'calls', owner: 'o', fields: [{ name: 'id', type: 'text', required: true }, { name: 'seq', type: 'integer' }], key: ['id'] }, 't');
        await s.platform.saveConnector(
          {
            id: 'calls',
            name: 'calls',
            source: { kind: 'http-json', url: `${base}/calls`, pagination: { type: 'page', param: 'page', sizeParam: 'size', size: 10, first: 1 }, sinceParam: 'since' },
            cursorField: 'seq',
            retry: { attempts: 1 },
            target: { dataset: 'calls' },
          },
          't',
        );
      });
      after(async () => {
        await new Promise<void>((r) => server?.close(() => r()));
      });

      it('an HTTP page refused leaves rows, rejects, cursor and lineage as they were; the next run pulls again', async () => {
        const p = s.platform;
        const first = await p.runConnector('calls');
        assert.equal(first.status, 'succeeded', first.error ?? '');
        assert.equal(first.rowsInserted, 30);
        assert.equal(await p.cursor('calls'), '30');
        const rowsBefore = await allRows(p, 'calls');
        const lineageBefore = (await p.lineage('dataset:calls')).edges;

        // 120 more records, one of them not an object (a reject); pages 1–8 come, page 9 is refused
        for (let i = 31; i <= 150; i++) records.push(i === 35 ? 35 : { id: `P${i}`, seq: i });
        failPage = 9;
        seen.length = 0;
        const failed = await p.runConnector('calls');
        assert.equal(failed.status, 'failed');
        assert.match(failed.error ?? '', /HTTP 400/);
        assert.deepEqual(seen, Array.from({ length: 9 }, (_, i) => `30/${i + 1}`));
        assert.deepEqual(await allRows(p, 'calls'), rowsBefore);
        assert.equal(await p.cursor('calls'), '30');
        assert.deepEqual(await allRejects(p, 'calls'), []);
        assert.deepEqual((await p.lineage('dataset:calls')).edges, lineageBefore);

        failPage = null;
        const again = await p.runConnector('calls');
        assert.equal(again.status, 'succeeded', again.error ?? '');
        assert.deepEqual([again.rowsIn, again.rowsInserted, again.rowsRejected], [120, 119, 1]);
        assert.equal(await p.cursor('calls'), '150');
        assert.equal((await allRows(p, 'calls')).length, 149);
        assert.deepEqual(
          (await allRejects(p, 'calls')).map((r) => [r.ref, r.reason]),
          [['page 1 #5', 'parse_error']],
        );
      });

      it('a source failing in a later batch rolls back the slices already landed; the next run pulls again', async () => {
        const src = await freshPgDatabase((await services()).pgUrl);
        try {
          const c = new pg.Client({ connectionString: src.url });
          await c.connect();
          try {
            // src.t read through a view whose column `checked` raises an error for rows the source
            // marks broken; batches of 10 in watermark order, so the error comes with batch 9, after
            // slice 1 (records 1–50) was landed. Declared immutable (the view is then inlined) and
            // costly, with an index on wm, the function is evaluated only for the rows of a batch.
            await c.query(`CREATE SCHEMA src;
              CREATE TABLE src.t (id text, n integer, wm integer, broken boolean DEFAULT false);
              CREATE INDEX ON src.t (wm);
              CREATE FUNCTION src.checked(w integer, broken boolean) RETURNS integer LANGUAGE plpgsql IMMUTABLE COST 100000 AS
                $$ BEGIN IF broken THEN RAISE EXCEPTION 'record % is broken', w; END IF; RETURN w; END $$;
              CREATE VIEW src.v AS SELECT id, n, wm, src.checked(wm, broken) AS checked FROM src.t`);
            const insert = (from: number, to: number) => c.query('INSERT INTO src.t (id, n, wm) SELECT $3 || g, g, g FROM generate_series($1::int, $2::int) g', [from, to, 'r']);
            await insert(1, 20);
            const u = new URL(src.url);
            process.env['QS_TEST_STREAM_PG_USER'] = decodeURIComponent(u.username);
            u.username = '';
            const p = s.platform;
            await p.saveDataset({ name: 'src_rows', title: 'src', owner: 'o', fields: [{ name: 'id', type: 'text', required: true }, { name: 'n', type: 'integer' }, { name: 'checked', type: 'integer' }], key: ['id'] }, 't');
            await p.saveConnector({ id: 'src-rows', name: 'src', source: { kind: 'postgres', url: u.toString(), user: { env: 'QS_TEST_STREAM_PG_USER' }, table: 'src.v', columns: ['id', 'n', 'checked'], watermark: 'wm', batchSize: 10 }, retry: { attempts: 1 }, target: { dataset: 'src_rows' } }, 't');
            const first = await p.runConnector('src-rows');
            assert.equal(first.status, 'succeeded', first.error ?? '');
            assert.deepEqual([first.rowsInserted, await p.cursor('src-rows')], [20, '20']);
            const rowsBefore = await allRows(p, 'src_rows');
            const lineageBefore = (await p.lineage('dataset:src_rows')).edges;

            // 100 new records; the 85th (wm 105, batch 9) is broken
            await insert(21, 120);
            await c.query('UPDATE src.t SET broken = true WHERE wm = 105');
            const failed = await p.runConnector('src-rows');
            assert.equal(failed.status, 'failed');
            assert.match(failed.error ?? '', /record 105 is broken/);
            assert.deepEqual(await allRows(p, 'src_rows'), rowsBefore);
            assert.equal(await p.cursor('src-rows'), '20');
            assert.deepEqual((await p.lineage('dataset:src_rows')).edges, lineageBefore);

            await c.query('UPDATE src.t SET broken = false');
            const again = await p.runConnector('src-rows');
            assert.equal(again.status, 'succeeded', again.error ?? '');
            assert.deepEqual([again.rowsIn, again.rowsInserted, await p.cursor('src-rows'), (await allRows(p, 'src_rows')).length], [100, 100, '120', 120]);
          } finally {
            await c.end();
          }
        } finally {
          await src.drop();
        }
      });

      if (dialect === 'postgres') {
        it('a value the store refuses in a late slice of a file rolls the whole run back; the file stays in the inbox', async () => {
          const p = s.platform;
          await p.saveDataset({ name: 'counters', title: 'counters', owner: 'o', fields: [{ name: 'k', type: 'text', required: true }, { name: 'n', type: 'integer' }], key: ['k'] }, 't');
          await p.saveConnector({ id: 'counters', name: 'counters', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'count*.csv' }, target: { dataset: 'counters' }, retry: { attempts: 1 } }, 't');
          drop(s, 'count-1.csv', ['k,n', ...Array.from({ length: 100 }, (_, i) => `c${i},${i}`)]);
          const first = await p.runConnector('counters');
          assert.equal(first.rowsInserted, 100, first.error ?? '');
          const before = await allRows(p, 'counters');
          // 300 rows: updates of the first 100, 200 new; record 280 (slice 6) too large for a bigint
          const lines = ['k,n', ...Array.from({ length: 300 }, (_, i) => (i === 279 ? `c${i},10000000000000000000` : `c${i},${i + 7}`))];
          drop(s, 'count-2.csv', lines);
          const failed = await p.runConnector('counters');
          assert.equal(failed.status, 'failed');
          assert.match(failed.error ?? '', /out of range/);
          assert.deepEqual(await allRows(p, 'counters'), before);
          const cursorRow = await (s.store.db as Kysely<any>).selectFrom('pf_cursors').select('run_id').where('connector_id', '=', 'counters').executeTakeFirst();
          assert.equal(Number(cursorRow?.run_id), first.id);
          assert.ok(fs.existsSync(path.join(inboxOf(s), 'count-2.csv')));

          lines[280] = 'c279,1';
          drop(s, 'count-2.csv', lines);
          const fixed = await p.runConnector('counters');
          assert.equal(fixed.status, 'succeeded', fixed.error ?? '');
          assert.deepEqual([fixed.rowsInserted, fixed.rowsUpdated, fixed.rowsUnchanged], [200, 100, 0]);
          assert.ok(!fs.existsSync(path.join(inboxOf(s), 'count-2.csv')));
        });
      }
    });
  });
}
