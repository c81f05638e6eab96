/**
 * Data platform benchmark. Prints one JSON object.
 *
 *   npm run bench:platform -- [--rows 1000000] [--quality-rows 10000000] [--enterprises 20000]
 *                             [--bad-share 0.02] [--no-rerun] [--no-update] [--dir DIR] [--keep]
 *                             [--slice-rows N]  (records per slice of a run; default the platform's)
 *
 * 1. a fresh platform over the cloud SQL store (SQLite, as in a default deployment) in a temp folder;
 * 2. an enterprise master file (--enterprises rows) lands through a file-inbox connector;
 * 3. a declaration-item CSV of --rows rows (Chinese headers, USCC, customs codes, HS codes, ISO
 *    alpha-2 origins, trade modes; --bad-share of them deliberately bad: wrong check characters,
 *    unknown codes, duplicates, bad numbers, USCCs without a master record, malformed numbers) is
 *    dropped in an inbox and run end to end as the platform runs it: file-inbox → pipeline (map,
 *    parse, validate, convert ×2, dedupe, enrich from the master data by USCC) → one transaction
 *    landing rows, rejects, cursor and lineage → rows_per_s (rows read / run wall time). The same
 *    file is then loaded again (rerun_rows_per_s: nothing inserted or updated), then a file with the
 *    same keys and new values (update_rows_per_s: every landed row updated; --no-update skips it);
 * 4. a --quality-rows data set of declaration facts (filled directly in SQL, ~1 % defects) gets a
 *    quality run over the GB/T 36344 rule kinds (null rates, USCC / customs code / HS / declaration
 *    number checks, code-table membership, ranges, cross-field, cross-table reference, freshness,
 *    accessibility) → quality_check_rows_per_s (rows / run wall time);
 * 5. sources: connectors declared in cloud/platform/demo-sources/*.json when that folder exists
 *    (sources_from names it), else the connectors of this bench's own platform whose last run
 *    succeeded (sources_from: "bench");
 * rss_mb is the peak resident memory of the process; load_rss_mb the peak up to the end of the load
 * phase (step 3, before the quality data set is filled) and first_load_rss_mb up to the end of the
 * first load (maxRSS is a high-water mark, so each is read at that point). Nothing here asserts on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { PlatformService } from '../cloud/platform/service.js';
import { datasetTable } from '../cloud/platform/datasets.js';
import { openStore } from '../cloud/store/open.js';
import { COUNTRIES, TRADE_MODES } from '../cloud/trade/reference/codes.js';
import { HS_HEADINGS } from '../cloud/trade/reference/hs.js';
import { completeUscc, usccCheckChar, USCC_CHARSET } from '../shared/ids/uscc.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'quality-rows': { type: 'string', default: '10000000' },
    enterprises: { type: 'string', default: '20000' },
    'bad-share': { type: 'string', default: '0.02' },
    'no-rerun': { type: 'boolean', default: false },
    'no-update': { type: 'boolean', default: false },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'slice-rows': { type: 'string' },
  },
});

const ROWS = Number(values.rows);
const QROWS = Number(values['quality-rows']);
const ENTS = Number(values.enterprises);
const BAD = Number(values['bad-share']);
const log = (msg: string) => process.stderr.write(`bench:platform ${msg}\n`);
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(Number(values.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const REGIONS = ['310115', '310000', '310104', '310112', '320500', '330200', '440300', '110105'];
const ORG = '0123456789ABCDEFGHJKLMNPQRTUWXY';

interface Enterprise {
  uscc: string;
  customsCode: string;
  name: string;
}

function makeEnterprises(n: number): Enterprise[] {
  const out: Enterprise[] = [];
  const seen = new Set<string>();
  while (out.length < n) {
    let body = '';
    for (let i = 0; i < 9; i++) body += ORG[Math.floor(rand() * ORG.length)];
    const uscc = completeUscc(`91${pick(REGIONS)}${body}`);
    if (seen.has(uscc)) continue;
    seen.add(uscc);
    const k = out.length;
    out.push({ uscc, customsCode: `3122${(k % 10).toString()}${'0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'[k % 34]}${String(k % 10000).padStart(4, '0')}`, name: `上海第${k + 1}进出口有限公司` });
  }
  return out;
}

function wrongCheck(uscc: string): string {
  const first17 = uscc.slice(0, 17);
  const c = usccCheckChar(first17)!;
  return first17 + USCC_CHARSET[(USCC_CHARSET.indexOf(c) + 1) % USCC_CHARSET.length];
}

const ALPHA2 = COUNTRIES.map((c) => c.alpha2).filter((x): x is string => !!x);
const MODES = TRADE_MODES.map((m) => m.code);
const HEADINGS = HS_HEADINGS.map((h) => (Array.isArray(h) ? String(h[0]) : String((h as { code: string }).code)));

/** Writes the declaration-item CSV; returns how many rows are deliberately bad. */
function writeDeclarations(file: string, n: number, ents: Enterprise[], outsiders: string[]): number {
  const fd = fs.openSync(file, 'w');
  let buf = '\uFEFF报关单号,项号,经营单位信用代码,原产国,监管方式,商品编码,数量,单价,美元价值,申报日期\n';
  let bad = 0;
  let prev = '';
  const every = BAD > 0 ? Math.max(2, Math.round(1 / BAD)) : Infinity;
  for (let i = 0; i < n; i++) {
    const entry = `2225${2026}${i % 3 === 0 ? '1' : '0'}${String(Math.floor(i / 4)).padStart(9, '0')}`;
    const gno = (i % 4) + 1;
    const e = ents[i % ents.length]!;
    const qty = 1 + Math.floor(rand() * 500);
    const price = Math.round(rand() * 100000) / 100;
    let fields = [entry, String(gno), e.uscc, pick(ALPHA2), pick(MODES), `${pick(HEADINGS)}${String(Math.floor(rand() * 999999)).padStart(6, '0')}`, String(qty), price.toFixed(2), (qty * price).toFixed(2), `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`];
    if (i % every === every - 1) {
      bad += 1;
      switch (Math.floor(i / every) % 6) {
        case 0:
          fields[2] = wrongCheck(e.uscc);
          break;
        case 1:
          fields[3] = 'QQ';
          break;
        case 2:
          fields = prev.split(','); // a duplicate of the row before
          break;
        case 3:
          fields[8] = 'n/a';
          break;
        case 4:
          fields[2] = outsiders[i % outsiders.length]!;
          break;
        case 5:
          fields[0] = fields[0]!.slice(0, 16) + 'XX';
          break;
      }
    }
    const line = fields.join(',');
    prev = line;
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return bad;
}

/** Fills ds_<name> with n declaration facts in SQL (SQLite); about 1 % of rows carry a defect. */
async function fillFacts(db: Kysely<any>, table: string, n: number, ents: Enterprise[]): Promise<void> {
  await sql`CREATE TEMP TABLE b_ent (i INTEGER PRIMARY KEY, uscc TEXT, cc TEXT)`.execute(db);
  await sql`CREATE TEMP TABLE b_country (i INTEGER PRIMARY KEY, code TEXT)`.execute(db);
  await sql`CREATE TEMP TABLE b_mode (i INTEGER PRIMARY KEY, code TEXT)`.execute(db);
  await sql`CREATE TEMP TABLE b_hs (i INTEGER PRIMARY KEY, code TEXT)`.execute(db);
  const fill = async (t: string, rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await sql`INSERT INTO ${sql.table(t)} VALUES ${sql.join(chunk.map((r) => sql`(${sql.join(r)})`))}`.execute(db);
    }
  };
  await fill(
    'b_ent',
    ents.map((e, i) => [i, e.uscc, e.customsCode]),
  );
  const countries = COUNTRIES.map((c) => c.code);
  await fill(
    'b_country',
    countries.map((c, i) => [i, c]),
  );
  await fill(
    'b_mode',
    MODES.map((c, i) => [i, c]),
  );
  await fill(
    'b_hs',
    HEADINGS.map((c, i) => [i, c]),
  );
  const now = Date.now();
  const step = 1_000_000;
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step);
    await sql`
      WITH RECURSIVE s(i) AS (SELECT CAST(${from} AS INTEGER) UNION ALL SELECT i + 1 FROM s WHERE i + 1 < CAST(${to} AS INTEGER)),
      g AS (SELECT i, '22252026' || (i % 2) || substr('000000000' || (i / 4), -9, 9) AS entry_id, (i % 4) + 1 AS g_no,
                   1 + (i * 7919) % 500 AS qty, ((i * 104729) % 100000) / 100.0 AS price FROM s)
      INSERT INTO ${sql.table(table)} (_key, _hash, _run_id, _loaded_at, entry_id, g_no, uscc, customs_code, country, trade_mode, hs_code, qty, unit_price, value_usd, declared_at)
      SELECT json_array(entry_id, g_no), 'bench', NULL, ${now}, entry_id, g_no,
        CASE WHEN g.i % 211 = 7 THEN substr(e.uscc, 1, 17) || CASE substr(e.uscc, 18, 1) WHEN '0' THEN '1' ELSE '0' END WHEN g.i % 401 = 9 THEN NULL ELSE e.uscc END,
        CASE WHEN g.i % 307 = 3 THEN 'X' || substr(e.cc, 2) ELSE e.cc END,
        CASE WHEN g.i % 503 = 5 THEN 'QQQ' ELSE c.code END,
        m.code,
        h.code || substr('000000' || ((g.i * 31) % 1000000), -6, 6),
        qty, price,
        CASE WHEN g.i % 601 = 11 THEN qty * price + 5 WHEN g.i % 997 = 13 THEN -1 ELSE qty * price END,
        ${now} - (g.i % 86400) * 1000
      FROM g
      JOIN b_ent e ON e.i = g.i % ${ents.length}
      JOIN b_country c ON c.i = g.i % ${countries.length}
      JOIN b_mode m ON m.i = g.i % ${MODES.length}
      JOIN b_hs h ON h.i = g.i % ${HEADINGS.length}`.execute(db);
    log(`facts: ${to} rows`);
  }
}

async function main(): Promise<void> {
  const dir = values.dir ? path.resolve(values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'qs-bench-platform-'));
  fs.mkdirSync(dir, { recursive: true });
  const store = await openStore({ driver: 'sqlite', file: 'cloud.db' }, dir);
  const sliceRows = values['slice-rows'] !== undefined ? Number(values['slice-rows']) : undefined;
  const platform = await PlatformService.open({ db: store.db, dialect: store.dialect, baseDir: path.join(dir, 'platform'), schedule: false, ...(sliceRows !== undefined ? { sliceRows } : {}) });
  const inbox = path.join(dir, 'platform', 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  const by = 'bench';
  const out: Record<string, unknown> = { cores: os.cpus().length, store: 'sqlite', rows: ROWS, quality_rows: QROWS, enterprises: ENTS };
  if (sliceRows !== undefined) out['slice_rows'] = sliceRows;
  try {
    // ── master data ──
    const all = makeEnterprises(ENTS + 200);
    const ents = all.slice(0, ENTS);
    const outsiders = all.slice(ENTS).map((e) => e.uscc);
    await platform.saveDataset(
      {
        name: 'enterprise',
        title: '企业主数据',
        owner: 'enterprise-desk',
        topic: 'enterprise',
        fields: [
          { name: 'uscc', type: 'text', required: true },
          { name: 'customs_code', type: 'text' },
          { name: 'name', type: 'text', required: true },
        ],
        key: ['uscc'],
      },
      by,
    );
    fs.writeFileSync(path.join(inbox, 'enterprise.csv'), ['uscc,customs_code,name', ...ents.map((e) => `${e.uscc},${e.customsCode},${e.name}`)].join('\n'));
    await platform.saveConnector({ id: 'ent-master', name: '企业主数据文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'enterprise*.csv' }, target: { dataset: 'enterprise' } }, by);
    const m = await platform.runConnector('ent-master');
    if (m.status !== 'succeeded') throw new Error(`master load failed: ${m.error}`);

    // ── the 1-million-row load ──
    await platform.saveDataset(
      {
        name: 'declaration_items',
        title: '报关单商品项',
        owner: 'stats-desk',
        topic: 'declaration',
        fields: [
          { name: 'entry_id', type: 'text', required: true },
          { name: 'g_no', type: 'integer', required: true },
          { name: 'uscc', type: 'text', required: true },
          { name: 'customs_code', type: 'text' },
          { name: 'enterprise_name', type: 'text' },
          { name: 'country', type: 'text', codeTable: 'country' },
          { name: 'trade_mode', type: 'text', codeTable: 'trade-mode' },
          { name: 'hs_code', type: 'text' },
          { name: 'qty', type: 'number' },
          { name: 'unit_price', type: 'number' },
          { name: 'value_usd', type: 'number', unit: 'USD' },
          { name: 'declared_at', type: 'timestamp' },
        ],
        key: ['entry_id', 'g_no'],
      },
      by,
    );
    await platform.savePipeline(
      {
        id: 'decl-clean',
        name: '报关单清洗',
        steps: [
          { op: 'map', fields: { entry_id: '报关单号', g_no: '项号', uscc: '经营单位信用代码', origin: '原产国', trade_mode: '监管方式', hs_code: '商品编码', qty: '数量', unit_price: '单价', value_usd: '美元价值', declared_at: '申报日期' } },
          { op: 'parse', fields: { g_no: 'integer', qty: 'number', unit_price: 'number', value_usd: 'number', declared_at: 'timestamp' } },
          { op: 'validate', checks: [{ field: 'entry_id', is: 'entry_id', required: true }, { field: 'hs_code', is: 'hs', required: true }, { field: 'value_usd', min: 0, required: true }] },
          { op: 'convert', field: 'origin', table: 'country', from: 'alpha2', to: 'code', target: 'country' },
          { op: 'convert', field: 'trade_mode', table: 'trade-mode', from: 'code', to: 'code' },
          { op: 'dedupe', key: ['entry_id', 'g_no'] },
          { op: 'enrich', dataset: 'enterprise', field: 'uscc', refField: 'uscc', match: 'uscc', fields: { enterprise_name: 'name', customs_code: 'customs_code' } },
        ],
      },
      by,
    );
    await platform.saveConnector({ id: 'decl-files', name: '报关单文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'decl*.csv' }, target: { dataset: 'declaration_items', pipeline: 'decl-clean' } }, by);
    const csv = path.join(dir, 'decl-items.csv');
    const bad = writeDeclarations(csv, ROWS, ents, outsiders);
    out['csv_mb'] = Math.round(fs.statSync(csv).size / 1048576);
    out['bad_rows_planted'] = bad;
    fs.copyFileSync(csv, path.join(inbox, 'decl-items.csv'));
    log(`load: ${ROWS} rows`);
    let t0 = performance.now();
    const run = await platform.runConnector('decl-files');
    let secs = (performance.now() - t0) / 1000;
    if (run.status !== 'succeeded') throw new Error(`load failed: ${run.error}`);
    out['rows_per_s'] = Math.round(run.rowsIn / secs);
    out['load_s'] = +secs.toFixed(2);
    out['load'] = { rows_in: run.rowsIn, rows_out: run.rowsOut, rejected: run.rowsRejected, inserted: run.rowsInserted, updated: run.rowsUpdated, unchanged: run.rowsUnchanged };
    // maxRSS is a high-water mark: read here it is the first load's peak, before anything larger runs
    out['first_load_rss_mb'] = rssMb();
    if (run.rowsIn < ROWS) {
      // the file itself could not be read (it moved to failed/): say why instead of a rate
      const unread = (await platform.rejects({ connectorId: 'decl-files', reason: 'parse_error', limit: 1 })).items[0];
      out['load_error'] = `only ${run.rowsIn} of ${ROWS} rows read${unread ? `: ${unread.ref}: ${unread.detail}` : ''}`;
    }
    if (!values['no-rerun']) {
      fs.copyFileSync(csv, path.join(inbox, 'decl-items.csv'));
      log('rerun');
      t0 = performance.now();
      const again = await platform.runConnector('decl-files');
      secs = (performance.now() - t0) / 1000;
      if (again.status !== 'succeeded') throw new Error(`rerun failed: ${again.error}`);
      out['rerun_rows_per_s'] = Math.round(again.rowsIn / secs);
      out['rerun'] = { inserted: again.rowsInserted, updated: again.rowsUpdated, unchanged: again.rowsUnchanged, rejected: again.rowsRejected };
    }
    if (!values['no-update']) {
      // the same declarations delivered again with corrected values: every landed row changes
      writeDeclarations(path.join(inbox, 'decl-items.csv'), ROWS, ents, outsiders);
      log('update');
      t0 = performance.now();
      const upd = await platform.runConnector('decl-files');
      secs = (performance.now() - t0) / 1000;
      if (upd.status !== 'succeeded') throw new Error(`update run failed: ${upd.error}`);
      out['update_rows_per_s'] = Math.round(upd.rowsIn / secs);
      out['update'] = { inserted: upd.rowsInserted, updated: upd.rowsUpdated, unchanged: upd.rowsUnchanged, rejected: upd.rowsRejected };
    }
    fs.rmSync(csv, { force: true });
    // The peak of the whole load phase (load, rerun, update), read before the quality phase can raise it.
    out['load_rss_mb'] = rssMb();

    // ── quality over --quality-rows rows ──
    await platform.saveDataset(
      {
        name: 'declaration_facts',
        title: '报关单事实表',
        owner: 'stats-desk',
        topic: 'declaration',
        fields: [
          { name: 'entry_id', type: 'text', required: true },
          { name: 'g_no', type: 'integer', required: true },
          { name: 'uscc', type: 'text' },
          { name: 'customs_code', type: 'text' },
          { name: 'country', type: 'text', codeTable: 'country' },
          { name: 'trade_mode', type: 'text', codeTable: 'trade-mode' },
          { name: 'hs_code', type: 'text' },
          { name: 'qty', type: 'number' },
          { name: 'unit_price', type: 'number' },
          { name: 'value_usd', type: 'number' },
          { name: 'declared_at', type: 'timestamp' },
        ],
        key: ['entry_id', 'g_no'],
        quality: {
          rules: [
            { id: 'uscc_present', check: 'not_null', field: 'uscc' },
            { id: 'uscc_valid', check: 'uscc', field: 'uscc' },
            { id: 'customs_code_valid', check: 'customs_code', field: 'customs_code' },
            { id: 'entry_id_valid', check: 'identifier', kind: 'entry_id', field: 'entry_id' },
            { id: 'hs_valid', check: 'identifier', kind: 'hs', field: 'hs_code' },
            { id: 'country_known', check: 'code_table', field: 'country', table: 'country' },
            { id: 'trade_mode_known', check: 'code_table', field: 'trade_mode', table: 'trade-mode' },
            { id: 'value_range', check: 'range', field: 'value_usd', min: 0, max: 1e9 },
            { id: 'value_covers_price', check: 'cross_field', left: 'value_usd', op: '>=', right: 'unit_price', tolerance: 0.01 },
            { id: 'uscc_registered', check: 'reference', field: 'uscc', dataset: 'enterprise', refField: 'uscc' },
            { id: 'fresh', check: 'freshness', field: 'declared_at', maxAgeSeconds: 400 * 86400 },
            { id: 'readable', check: 'accessible', minRows: 1 },
          ],
        },
      },
      by,
    );
    log(`facts: filling ${QROWS} rows`);
    await fillFacts(store.db as Kysely<any>, datasetTable('declaration_facts'), QROWS, ents);
    log('quality run');
    t0 = performance.now();
    const q = await platform.runQuality('declaration_facts');
    secs = (performance.now() - t0) / 1000;
    out['quality_check_rows_per_s'] = Math.round(q.rows / secs);
    out['quality_s'] = +secs.toFixed(2);
    out['quality'] = { rows: q.rows, rules: q.results?.length ?? 0, score: q.score === null ? null : +q.score.toFixed(3), failed: Object.fromEntries((q.results ?? []).map((r) => [r.ruleId, r.failed])) };

    // ── sources ──
    const demoDir = path.resolve(import.meta.dirname, '..', 'cloud', 'platform', 'demo-sources');
    if (fs.existsSync(demoDir)) {
      let n = 0;
      for (const f of fs.readdirSync(demoDir).filter((x) => x.endsWith('.json'))) {
        const j = JSON.parse(fs.readFileSync(path.join(demoDir, f), 'utf8')) as { connectors?: { enabled?: boolean }[] };
        n += (j.connectors ?? []).filter((c) => c.enabled !== false).length;
      }
      out['sources'] = n;
      out['sources_from'] = 'cloud/platform/demo-sources (configured; not run by this bench)';
    } else {
      let healthy = 0;
      const connectors = await platform.list('connector');
      for (const c of connectors) {
        const last = (await platform.runs({ connectorId: c.id, limit: 1 })).items[0];
        if (last?.status === 'succeeded') healthy += 1;
      }
      out['sources'] = healthy;
      out['sources_configured'] = connectors.length;
      out['sources_from'] = 'bench (this benchmark’s own connectors; cloud/platform/demo-sources/ not found)';
    }
    out['rss_mb'] = rssMb();
  } finally {
    await platform.close();
    await store.close();
    if (!values.keep && !values.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:platform failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
