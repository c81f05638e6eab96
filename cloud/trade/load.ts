/**
 * Loading declaration items and enterprise master records from CSV files, JSON files and JSON
 * batches (the REST batch API). Every source goes the same way:
 *
 *   1. the content is hashed (SHA-256); a hash already in `load_file` means "already loaded" and
 *      nothing changes (idempotent by content);
 *   2. DuckDB's CSV reader stages every field as text (malformed lines are caught with their line
 *      numbers), then one SQL pass validates each row: identifiers with their check characters,
 *      code-table membership, ranges, header consistency across the items of a declaration,
 *      duplicates inside the file and against what is already stored (key: 报关单号 + 项号);
 *   3. in ONE transaction the good rows go to the fact table and the aggregate cube, the bad rows to
 *      `reject` with their reason, and the file to `load_file` — so a file is applied whole or not at
 *      all, never half.
 *
 * A declaration is kept or rejected whole: if one item fails, its sibling items are rejected with
 * reason `sibling_item_rejected`, so head totals never disagree with the stored items.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import type { DbConn, TradeDb } from './db.js';
import { CUBES, cubeHasDeclarations, DECL_COLUMNS, ENTERPRISE_COLUMNS } from './schema.js';

export type LoadTarget = 'declarations' | 'enterprises';

export interface LoadProgress {
  phase: 'hash' | 'read' | 'validate' | 'apply' | 'done';
  /** 0..1 within the whole load (phases weighted roughly by their cost). */
  fraction: number;
  message: string;
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  /** Name recorded in load_file (default: the file's base name). */
  name?: string;
}

export interface LoadResult {
  status: 'loaded' | 'already_loaded';
  fileId: number;
  name: string;
  sha256: string;
  target: LoadTarget;
  rowsTotal: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  rejectsByReason: Record<string, number>;
  ms: number;
}

/** Reasons a row can be rejected, in the order they are checked. */
export const DECL_REJECT_REASONS = [
  'malformed_line', 'not_an_object', 'entry_id_format', 'g_no_invalid', 'ie_flag_invalid', 'entry_id_flag_mismatch', 'd_date_invalid',
  'd_date_out_of_range', 'entry_id_year_mismatch', 'customs_code_unknown', 'entry_id_customs_mismatch', 'i_e_port_unknown',
  'trade_mode_unknown', 'traf_mode_unknown', 'trade_co_customs_format', 'uscc_format', 'uscc_check_char', 'enterprise_unknown',
  'enterprise_code_mismatch', 'trade_country_unknown', 'origin_country_unknown', 'dest_country_unknown', 'hs_code_format',
  'hs_chapter_unknown', 'qty1_invalid', 'unit1_unknown', 'value_cny_invalid', 'value_usd_invalid', 'value_ratio_implausible',
  'duplicate_in_file', 'header_inconsistent', 'conflicts_existing', 'sibling_item_rejected',
] as const;

export const ENTERPRISE_REJECT_REASONS = [
  'malformed_line', 'not_an_object', 'uscc_format', 'uscc_check_char', 'customs_code_format', 'name_missing', 'ent_type_unknown',
  'ent_type_mismatch', 'region_unknown', 'credit_rating_unknown', 'aeo_invalid', 'aeo_rating_mismatch', 'registered_invalid',
  'duplicate_in_file', 'customs_code_taken',
] as const;

/** USD/CNY plausibility band for value_cny / value_usd (the statistical rate has stayed within it since 2005). */
const RATE_MIN = 5.5;
const RATE_MAX = 8.5;

async function sha256File(file: string, onBytes?: (done: number, total: number) => void): Promise<string> {
  const total = (await fs.promises.stat(file)).size;
  const h = crypto.createHash('sha256');
  let done = 0;
  let lastReport = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) {
    h.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    if (onBytes && done - lastReport > 64 << 20) {
      lastReport = done;
      onBytes(done, total);
    }
  }
  return h.digest('hex');
}

function columnsSpec(cols: readonly string[]): string {
  return `{${cols.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
}

function quoteCsv(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return `"${s.replace(/[\r\n]+/g, ' ').replace(/"/g, '""')}"`;
}

export class TradeLoader {
  private readonly tmpDir: string;

  constructor(
    private readonly db: TradeDb,
    dataDir: string,
  ) {
    this.tmpDir = path.join(dataDir, 'tmp');
  }

  /** Loads a CSV file with a header row naming the target's columns (any order is NOT accepted: the header must match). */
  async loadCsv(target: LoadTarget, file: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const started = Date.now();
    const report = opts.onProgress ?? (() => {});
    if (!fs.existsSync(file)) throw new QuaysideError('CLOUD_NOT_FOUND', `no file ${file}`);
    const expected = target === 'declarations' ? DECL_COLUMNS : ENTERPRISE_COLUMNS;
    const header = await firstLine(file);
    const got = header.replace(/^\uFEFF/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
    if (got.join(',') !== expected.join(',')) {
      throw new QuaysideError('CLOUD_BAD_REQUEST', `${path.basename(file)}: header must be "${expected.join(',')}", got "${got.join(',')}"`);
    }
    report({ phase: 'hash', fraction: 0, message: 'hashing file' });
    const sha = await sha256File(file, (d, t) => report({ phase: 'hash', fraction: 0.1 * (d / t), message: `hashing ${Math.round((100 * d) / t)} %` }));
    return this.apply(target, { kind: 'csv', file, sha, name: opts.name ?? path.basename(file), lineNumbers: 'physical', jsRejects: [] }, report, started);
  }

  /** Loads a JSON file: an array of records, or one record per line (NDJSON). */
  async loadJsonFile(target: LoadTarget, file: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const started = Date.now();
    const text = await fs.promises.readFile(file, 'utf8');
    const sha = crypto.createHash('sha256').update(text).digest('hex');
    let records: unknown[];
    const trimmed = text.trimStart();
    try {
      records = trimmed.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
    } catch (e) {
      throw new QuaysideError('CLOUD_BAD_REQUEST', `${path.basename(file)} is not JSON or NDJSON: ${(e as Error).message}`);
    }
    return this.loadRecords(target, records, sha, opts.name ?? path.basename(file), 'json', opts, started);
  }

  /** Loads a batch of records (the REST batch API). Idempotent by the batch's canonical content. */
  async loadBatch(target: LoadTarget, records: unknown[], opts: LoadOptions = {}): Promise<LoadResult> {
    const started = Date.now();
    const sha = crypto.createHash('sha256').update(JSON.stringify(records)).digest('hex');
    return this.loadRecords(target, records, sha, opts.name ?? `batch-${sha.slice(0, 12)}`, 'batch', opts, started);
  }

  private async loadRecords(target: LoadTarget, records: unknown[], sha: string, name: string, kind: 'json' | 'batch', opts: LoadOptions, started: number): Promise<LoadResult> {
    const report = opts.onProgress ?? (() => {});
    const cols = target === 'declarations' ? DECL_COLUMNS : ENTERPRISE_COLUMNS;
    const jsRejects: { line: number; raw: string }[] = [];
    const lines: string[] = [['rec_no', ...cols].join(',')];
    records.forEach((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        jsRejects.push({ line: i + 1, raw: JSON.stringify(r) ?? 'undefined' });
        return;
      }
      const o = r as Record<string, unknown>;
      lines.push([String(i + 1), ...cols.map((c) => quoteCsv(o[c]))].join(','));
    });
    await fs.promises.mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${kind}-${process.pid}-${crypto.randomUUID()}.csv`);
    await fs.promises.writeFile(tmp, lines.join('\n') + '\n');
    try {
      return await this.apply(target, { kind, file: tmp, sha, name, lineNumbers: 'rec_no', jsRejects }, report, started);
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  private async apply(
    target: LoadTarget,
    src: { kind: 'csv' | 'json' | 'batch'; file: string; sha: string; name: string; lineNumbers: 'physical' | 'rec_no'; jsRejects: { line: number; raw: string }[] },
    report: (p: LoadProgress) => void,
    started: number,
  ): Promise<LoadResult> {
    const prior = await this.db.query<{ id: number; name: string; target: string; rows_total: number; rows_loaded: number; rows_rejected: number; rows_duplicate: number }>(
      'SELECT id, name, target, rows_total, rows_loaded, rows_rejected, rows_duplicate FROM load_file WHERE sha256 = $1',
      [src.sha],
    );
    if (prior[0]) {
      report({ phase: 'done', fraction: 1, message: 'already loaded' });
      const p = prior[0];
      return { status: 'already_loaded', fileId: p.id, name: p.name, sha256: src.sha, target: p.target as LoadTarget, rowsTotal: p.rows_total, rowsLoaded: 0, rowsRejected: 0, rowsDuplicate: 0, rejectsByReason: {}, ms: Date.now() - started };
    }
    return this.db.transaction(async (c) => {
      const fileId = Number((await c.query<{ id: number }>(`SELECT nextval('load_file_seq') AS id`))[0]!.id);
      const cols = target === 'declarations' ? DECL_COLUMNS : ENTERPRISE_COLUMNS;
      await dropStage(c);
      let counts: { loaded: number; duplicate: number };
      if (target === 'declarations') {
        counts = await loadDeclarations(c, src.file, src.lineNumbers, fileId, report);
      } else {
        report({ phase: 'read', fraction: 0.1, message: 'reading file' });
        await stage(c, src.file, cols, src.lineNumbers, (f) => report({ phase: 'read', fraction: 0.1 + 0.4 * f, message: `reading ${Math.round(100 * f)} %` }));
        report({ phase: 'validate', fraction: 0.5, message: 'validating rows' });
        await validateEnterprises(c);
        report({ phase: 'apply', fraction: 0.7, message: 'applying rows' });
        counts = await applyEnterprises(c);
      }
      for (const r of src.jsRejects) {
        await c.exec(`INSERT INTO lines_rej VALUES ($1, 'not_an_object', 'record is not a JSON object', $2)`, [r.line, r.raw]);
      }
      await c.exec(
        `INSERT INTO reject SELECT $1, line_no, entry_id, g_no, reason, detail, raw FROM chk_rejects
         UNION ALL SELECT $1, line_no, NULL, NULL, reason, detail, raw FROM lines_rej`,
        [fileId],
      );
      const byReason = await c.query<{ reason: string; n: number }>(
        `SELECT reason, count(*)::BIGINT AS n FROM (SELECT reason FROM chk_rejects UNION ALL SELECT reason FROM lines_rej) GROUP BY reason ORDER BY n DESC`,
      );
      const rejected = byReason.reduce((s, r) => s + r.n, 0);
      const ms = Date.now() - started;
      const total = counts.loaded + counts.duplicate + rejected;
      await c.exec(`INSERT INTO load_file VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
        fileId, src.sha, src.name, src.kind, target, total, counts.loaded, rejected, counts.duplicate, new Date().toISOString(), ms,
      ]);
      await dropStage(c);
      report({ phase: 'done', fraction: 1, message: `${counts.loaded} rows loaded, ${rejected} rejected, ${counts.duplicate} already present` });
      return {
        status: 'loaded' as const,
        fileId,
        name: src.name,
        sha256: src.sha,
        target,
        rowsTotal: total,
        rowsLoaded: counts.loaded,
        rowsRejected: rejected,
        rowsDuplicate: counts.duplicate,
        rejectsByReason: Object.fromEntries(byReason.map((r) => [r.reason, r.n])),
        ms,
      };
    });
  }
}

async function firstLine(file: string): Promise<string> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    const s = buf.subarray(0, bytesRead).toString('utf8');
    const nl = s.search(/\r?\n/);
    return nl < 0 ? s : s.slice(0, nl);
  } finally {
    await fd.close();
  }
}

/**
 * Stages the file as text into temp table `raw_lines(rn, <cols>)` and a view `lines(line_no, rn,
 * <cols>)`; malformed lines go to `lines_rej(line_no, reason, detail, raw)`. Physical line numbers are
 * rebuilt from DuckDB's rejects: each good row's line = its ordinal + 1 header line + the malformed
 * lines before it.
 */
async function stage(c: DbConn, file: string, cols: readonly string[], numbering: 'physical' | 'rec_no', onProgress: (f: number) => void): Promise<void> {
  await c.exec('DROP VIEW IF EXISTS lines');
  for (const t of ['lines_rej', 'csv_rej', 'csv_rej_scan', 'raw_lines', 'rej_pos']) await c.exec(`DROP TABLE IF EXISTS ${t}`);
  const readCols = numbering === 'rec_no' ? ['rec_no', ...cols] : [...cols];
  const reader = `read_csv($1, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = ${columnsSpec(readCols)},
    store_rejects = true, rejects_table = 'csv_rej', rejects_scan = 'csv_rej_scan', max_line_size = 1048576)`;
  await c.execWithProgress(`CREATE TEMP TABLE raw_lines AS SELECT row_number() OVER () AS rn, * FROM ${reader}`, [file], onProgress);
  const colList = cols.map((x) => `r.${x}`).join(', ');
  if (numbering === 'rec_no') {
    await c.exec(`CREATE TEMP TABLE lines_rej AS SELECT line::BIGINT - 1 AS line_no, 'malformed_line' AS reason, any_value(error_message) AS detail, any_value(csv_line) AS raw FROM csv_rej GROUP BY line`);
    await c.exec(`CREATE TEMP VIEW lines AS SELECT TRY_CAST(r.rec_no AS BIGINT) AS line_no, r.rn, ${colList} FROM raw_lines r`);
    return;
  }
  await c.exec(`CREATE TEMP TABLE lines_rej AS SELECT line::BIGINT AS line_no, 'malformed_line' AS reason, any_value(error_message) AS detail, any_value(csv_line) AS raw FROM csv_rej GROUP BY line`);
  const nRej = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM lines_rej'))[0]!.n);
  if (nRej === 0) {
    await c.exec(`CREATE TEMP VIEW lines AS SELECT r.rn + 1 AS line_no, r.rn, ${colList} FROM raw_lines r`);
  } else {
    // reject j (1-based, by line) sits at line L_j; good rows before it: L_j - j - 1.
    await c.exec(`CREATE TEMP TABLE rej_pos AS SELECT line_no - row_number() OVER (ORDER BY line_no) - 1 AS p, row_number() OVER (ORDER BY line_no) AS cum FROM lines_rej`);
    await c.exec(`CREATE TEMP VIEW lines AS SELECT r.rn + 1 + coalesce(p.cum, 0) AS line_no, r.rn, ${colList} FROM raw_lines r ASOF LEFT JOIN rej_pos p ON r.rn > p.p`);
  }
}

async function dropStage(c: DbConn): Promise<void> {
  await c.exec('DROP VIEW IF EXISTS lines');
  for (const t of ['raw_lines', 'rej_pos', 'lines_rej', 'chk', 'chk_rejects', 'csv_rej', 'csv_rej_scan', 'uscc_chk', 'dup_lines', 'entry_bad', 'existing']) {
    await c.exec(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** Stored columns of decl_item, in order (country, hs_chapter and hs_heading are virtual). */
const FACT_COLUMNS = [
  'entry_id', 'g_no', 'ie_flag', 'd_date', 'ym', 'customs_code', 'i_e_port', 'trade_mode', 'traf_mode', 'trade_co_customs', 'trade_co_uscc',
  'ent_type', 'region', 'trade_country', 'origin_country', 'dest_country', 'hs_code', 'qty1', 'unit1', 'value_cny', 'value_usd', 'file_id',
];

function csvReader(cols: readonly string[], numbering: 'physical' | 'rec_no', storeRejects: boolean): string {
  const readCols = numbering === 'rec_no' ? ['rec_no', ...cols] : [...cols];
  const rejects = storeRejects ? `store_rejects = true, rejects_table = 'csv_rej', rejects_scan = 'csv_rej_scan'` : 'ignore_errors = true';
  return `read_csv($1, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = ${columnsSpec(readCols)}, ${rejects}, max_line_size = 1048576)`;
}

/**
 * Rows of a declaration file with their typed values and the first field-level reason each fails
 * (NULL when the row is good). Reads the file directly: nothing is staged as text. USCC check
 * characters are only computed for codes missing from the enterprise master (whose codes were
 * verified when the master was loaded).
 */
function checkedSql(reader: string, withRowNumber: boolean): string {
  return `
    SELECT l.*, TRY_CAST(l.g_no AS INTEGER) AS g_no_i, TRY_CAST(l.d_date AS DATE) AS d, TRY_CAST(l.qty1 AS DOUBLE) AS q,
      TRY_CAST(l.value_cny AS DECIMAL(18,2)) AS vc, TRY_CAST(l.value_usd AS DECIMAL(18,2)) AS vu,
      e.uscc AS e_uscc, e.customs_code AS e_code, e.ent_type AS e_type, e.region AS e_region,
      hash(l.ie_flag, l.d_date, l.customs_code, l.i_e_port, l.trade_mode, l.traf_mode, l.trade_co_uscc, l.trade_country) AS hdr,
      CASE
      WHEN l.entry_id IS NULL OR NOT regexp_full_match(l.entry_id, '[0-9]{4}(19|20)[0-9]{2}[01IE][0-9]{9}') THEN 'entry_id_format'
      WHEN g_no_i IS NULL OR g_no_i < 1 OR g_no_i > 50 THEN 'g_no_invalid'
      WHEN l.ie_flag IS NULL OR l.ie_flag NOT IN ('I', 'E') THEN 'ie_flag_invalid'
      WHEN (substr(l.entry_id, 9, 1) IN ('1', 'I')) <> (l.ie_flag = 'I') THEN 'entry_id_flag_mismatch'
      WHEN d IS NULL OR NOT regexp_full_match(l.d_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'd_date_invalid'
      WHEN d < DATE '2000-01-01' OR d > current_date + 1 THEN 'd_date_out_of_range'
      WHEN substr(l.entry_id, 5, 4) <> strftime(d, '%Y') THEN 'entry_id_year_mismatch'
      WHEN dc.code IS NULL THEN 'customs_code_unknown'
      WHEN substr(l.entry_id, 1, 4) <> l.customs_code THEN 'entry_id_customs_mismatch'
      WHEN dp.code IS NULL THEN 'i_e_port_unknown'
      WHEN tm.code IS NULL THEN 'trade_mode_unknown'
      WHEN tr.code IS NULL THEN 'traf_mode_unknown'
      WHEN l.trade_co_customs IS NULL OR NOT regexp_full_match(l.trade_co_customs, '[0-9]{4}[0-9A-Z]{2}[0-9]{4}') THEN 'trade_co_customs_format'
      WHEN e.uscc IS NULL AND (l.trade_co_uscc IS NULL OR NOT regexp_full_match(l.trade_co_uscc, '[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}')) THEN 'uscc_format'
      WHEN e.uscc IS NULL AND NOT uscc_ok(l.trade_co_uscc) THEN 'uscc_check_char'
      WHEN e.uscc IS NULL THEN 'enterprise_unknown'
      WHEN e.customs_code <> l.trade_co_customs THEN 'enterprise_code_mismatch'
      WHEN ct.code IS NULL THEN 'trade_country_unknown'
      WHEN co.code IS NULL THEN 'origin_country_unknown'
      WHEN cd.code IS NULL THEN 'dest_country_unknown'
      WHEN l.hs_code IS NULL OR NOT regexp_full_match(l.hs_code, '[0-9]{10}') THEN 'hs_code_format'
      WHEN ch.code IS NULL OR ch.reserved THEN 'hs_chapter_unknown'
      WHEN q IS NULL OR NOT isfinite(q) OR q <= 0 OR q > 1e12 THEN 'qty1_invalid'
      WHEN un.code IS NULL THEN 'unit1_unknown'
      WHEN vc IS NULL OR vc <= 0 OR vc > 1e13 THEN 'value_cny_invalid'
      WHEN vu IS NULL OR vu <= 0 OR vu > 1e13 THEN 'value_usd_invalid'
      WHEN vc / vu < ${RATE_MIN} OR vc / vu > ${RATE_MAX} THEN 'value_ratio_implausible'
      END AS reason
    FROM (SELECT ${withRowNumber ? 'row_number() OVER () AS rn, ' : ''}* FROM ${reader}) l
    LEFT JOIN enterprise e ON e.uscc = l.trade_co_uscc
    LEFT JOIN ref_district dc ON dc.code = l.customs_code
    LEFT JOIN ref_district dp ON dp.code = l.i_e_port
    LEFT JOIN ref_trade_mode tm ON tm.code = l.trade_mode
    LEFT JOIN ref_transport tr ON tr.code = l.traf_mode
    LEFT JOIN ref_country ct ON ct.code = l.trade_country
    LEFT JOIN ref_country co ON co.code = l.origin_country
    LEFT JOIN ref_country cd ON cd.code = l.dest_country
    LEFT JOIN ref_hs_chapter ch ON ch.code = substr(l.hs_code, 1, 2)
    LEFT JOIN ref_unit un ON un.code = l.unit1`;
}

/**
 * Declarations in passes over the file, never staging it as text (writing rows is what costs, so
 * only the good rows are written, once):
 *   A  declarations that cannot be kept whole — a bad item, items disagreeing on header fields, a
 *      repeated item number — as a small table;
 *   B  keys already stored (same content: skipped as duplicates; different: the declaration is rejected);
 *   C  the good rows into the fact table, then the cube from what this file added;
 *   D  only when something was rejected: the rejected rows with their line numbers and raw values.
 */
async function loadDeclarations(c: DbConn, file: string, numbering: 'physical' | 'rec_no', fileId: number, report: (p: LoadProgress) => void): Promise<{ loaded: number; duplicate: number }> {
  const p = [file];
  report({ phase: 'validate', fraction: 0.1, message: 'checking rows' });
  await c.execWithProgress(
    `CREATE TEMP TABLE entry_bad AS
     SELECT entry_id, dup_bad, hdr_bad, item_bad FROM (
       SELECT entry_id,
              -- item numbers are 1..50: a bit per number counts the distinct ones cheaply
              count(*) <> bit_count(bit_or(CASE WHEN g_no_i BETWEEN 1 AND 50 THEN (1::UBIGINT << g_no_i::UBIGINT) ELSE 0::UBIGINT END)) AS dup_bad,
              min(hdr) <> max(hdr) AS hdr_bad, bool_or(reason IS NOT NULL) AS item_bad
       FROM (${checkedSql(csvReader(DECL_COLUMNS, numbering, true), false)})
       GROUP BY entry_id)
     WHERE dup_bad OR hdr_bad OR item_bad`,
    p,
    (f) => report({ phase: 'validate', fraction: 0.1 + 0.3 * f, message: `checking ${Math.round(100 * f)} %` }),
  );
  report({ phase: 'validate', fraction: 0.4, message: 'comparing with stored declarations' });
  const stored = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM decl_item LIMIT 1)'))[0]!.n);
  if (stored > 0) {
    await c.exec(
      `CREATE TEMP TABLE existing AS
       SELECT f.entry_id, f.g_no,
              f.d_date = k.d AND f.hs_code = k.hs_code AND f.value_usd = k.vu AND f.value_cny = k.vc AND f.qty1 = k.q
                AND f.trade_co_uscc = k.trade_co_uscc AND f.ie_flag = k.ie_flag AS same
       FROM decl_item f JOIN (
         SELECT entry_id, TRY_CAST(g_no AS INTEGER) AS g_no_i, TRY_CAST(d_date AS DATE) AS d, hs_code, TRY_CAST(value_usd AS DECIMAL(18,2)) AS vu,
                TRY_CAST(value_cny AS DECIMAL(18,2)) AS vc, TRY_CAST(qty1 AS DOUBLE) AS q, trade_co_uscc, ie_flag
         FROM ${csvReader(DECL_COLUMNS, numbering, false)}
       ) k ON f.entry_id = k.entry_id AND f.g_no = k.g_no_i`,
      p,
    );
    await c.exec(`INSERT INTO entry_bad SELECT DISTINCT entry_id, false, false, true FROM existing WHERE NOT same AND entry_id NOT IN (SELECT entry_id FROM entry_bad)`);
  } else {
    await c.exec(`CREATE TEMP TABLE existing (entry_id VARCHAR, g_no SMALLINT, same BOOLEAN)`);
  }
  report({ phase: 'apply', fraction: 0.5, message: 'writing rows' });
  const loaded = await c.execWithProgress(
    `INSERT INTO decl_item (${FACT_COLUMNS.join(', ')})
     SELECT entry_id, g_no_i, ie_flag, d, (year(d) * 100 + month(d))::INTEGER, customs_code, i_e_port, trade_mode, traf_mode,
            trade_co_customs, trade_co_uscc, e_type, e_region, trade_country, origin_country, dest_country, hs_code,
            q, unit1, vc, vu, ${fileId}
     FROM (${checkedSql(csvReader(DECL_COLUMNS, numbering, false), false)}) k
     WHERE k.reason IS NULL
       AND NOT EXISTS (SELECT 1 FROM entry_bad b WHERE b.entry_id = k.entry_id)
       AND NOT EXISTS (SELECT 1 FROM existing x WHERE x.entry_id = k.entry_id AND x.g_no = k.g_no_i)`,
    p,
    (f) => report({ phase: 'apply', fraction: 0.5 + 0.4 * f, message: `writing ${Math.round(100 * f)} %` }),
  );
  for (const cube of CUBES) {
    await c.exec(
      `INSERT INTO ${cube.table} SELECT ${cube.dims.join(', ')}, sum(value_cny), sum(value_usd), sum(qty1), count(*)${cubeHasDeclarations(cube) ? ', count(*) FILTER (WHERE g_no = 1)' : ''}
       FROM decl_item WHERE file_id = $1 GROUP BY ALL`,
      [fileId],
    );
  }
  const duplicate = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM existing WHERE same AND entry_id NOT IN (SELECT entry_id FROM entry_bad)'))[0]!.n);

  // malformed lines (from pass A's reader) and the physical line numbering around them
  await c.exec(
    numbering === 'rec_no'
      ? `CREATE TEMP TABLE lines_rej AS SELECT line::BIGINT - 1 AS line_no, 'malformed_line' AS reason, any_value(error_message) AS detail, any_value(csv_line) AS raw FROM csv_rej GROUP BY line`
      : `CREATE TEMP TABLE lines_rej AS SELECT line::BIGINT AS line_no, 'malformed_line' AS reason, any_value(error_message) AS detail, any_value(csv_line) AS raw FROM csv_rej GROUP BY line`,
  );
  const nBad = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM entry_bad'))[0]!.n);
  if (nBad === 0) {
    await c.exec(`CREATE TEMP TABLE chk_rejects (line_no BIGINT, entry_id VARCHAR, g_no VARCHAR, reason VARCHAR, detail VARCHAR, raw VARCHAR)`);
    return { loaded, duplicate };
  }
  report({ phase: 'apply', fraction: 0.9, message: 'recording rejected rows' });
  let lineExpr = 'k.rn + 1';
  let asof = '';
  if (numbering === 'rec_no') lineExpr = 'TRY_CAST(k.rec_no AS BIGINT)';
  else if (Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM lines_rej'))[0]!.n) > 0) {
    // reject j (1-based, by line) sits at line L_j; good rows before it: L_j - j - 1.
    await c.exec(`CREATE TEMP TABLE rej_pos AS SELECT line_no - row_number() OVER (ORDER BY line_no) - 1 AS p, row_number() OVER (ORDER BY line_no) AS cum FROM lines_rej`);
    lineExpr = 'k.rn + 1 + coalesce(rp.cum, 0)';
    asof = 'ASOF LEFT JOIN rej_pos rp ON k.rn > rp.p';
  }
  await c.exec(
    `CREATE TEMP TABLE chk_rejects AS
     WITH k AS (
       SELECT k.*, ${lineExpr} AS line_no FROM (${checkedSql(csvReader(DECL_COLUMNS, numbering, false), numbering === 'physical')}) k ${asof}
       WHERE k.entry_id IN (SELECT entry_id FROM entry_bad) OR (k.entry_id IS NULL AND k.reason IS NOT NULL)
     ), v AS (
       SELECT k.*, CASE
         WHEN k.reason IS NOT NULL THEN k.reason
         WHEN count(*) OVER (PARTITION BY k.entry_id, k.g_no) > 1 THEN 'duplicate_in_file'
         WHEN b.hdr_bad THEN 'header_inconsistent'
         WHEN x.same = false THEN 'conflicts_existing'
         ELSE 'sibling_item_rejected'
       END AS final_reason
       FROM k LEFT JOIN entry_bad b ON b.entry_id = k.entry_id LEFT JOIN existing x ON x.entry_id = k.entry_id AND x.g_no = k.g_no_i
     )
     SELECT line_no, entry_id, g_no, final_reason AS reason,
       CASE final_reason
         WHEN 'uscc_check_char' THEN 'trade_co_uscc=' || trade_co_uscc
         WHEN 'uscc_format' THEN 'trade_co_uscc=' || coalesce(trade_co_uscc, '')
         WHEN 'enterprise_unknown' THEN 'no enterprise ' || trade_co_uscc || ' in the master'
         WHEN 'enterprise_code_mismatch' THEN 'master has ' || e_code || ' for ' || trade_co_uscc || ', row has ' || trade_co_customs
         WHEN 'hs_chapter_unknown' THEN 'hs_code=' || hs_code
         WHEN 'value_ratio_implausible' THEN 'value_cny/value_usd=' || round(vc / vu, 3)::VARCHAR
         WHEN 'duplicate_in_file' THEN 'key ' || entry_id || '/' || g_no || ' appears more than once in the file'
         WHEN 'conflicts_existing' THEN 'key ' || entry_id || '/' || g_no || ' is stored with different content'
         WHEN 'sibling_item_rejected' THEN 'another item of ' || entry_id || ' was rejected'
         ELSE NULL END AS detail,
       to_json(struct_pack(${DECL_COLUMNS.map((x) => `${x} := ${x}`).join(', ')}))::VARCHAR AS raw
     FROM v WHERE final_reason IS NOT NULL`,
    p,
  );
  return { loaded, duplicate };
}

const RAW_ENT = `to_json(struct_pack(${ENTERPRISE_COLUMNS.map((c) => `${c} := l.${c}`).join(', ')}))::VARCHAR`;

async function validateEnterprises(c: DbConn): Promise<void> {
  await c.exec(`CREATE TEMP TABLE chk AS
    WITH t AS (
      SELECT l.*, upper(trim(l.uscc)) AS u, lower(trim(l.aeo)) AS aeo_s, TRY_CAST(l.registered AS DATE) AS reg_d,
        regexp_full_match(upper(trim(l.uscc)), '[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}') AS fmt_ok,
        uscc_ok(upper(trim(l.uscc))) OR upper(trim(l.uscc)) IN (SELECT uscc FROM uscc_whitelist) AS uscc_valid,
        et.code IS NOT NULL AS et_ok, rg.code IS NOT NULL AS rg_ok, cr.code IS NOT NULL AS cr_ok, ${RAW_ENT} AS raw
      FROM lines l
      LEFT JOIN ref_ent_type et ON et.code = l.ent_type
      LEFT JOIN ref_region rg ON rg.code = l.region
      LEFT JOIN ref_credit cr ON cr.code = l.credit_rating
    ), r1 AS (
      SELECT *, CASE
        WHEN u IS NULL OR NOT fmt_ok THEN 'uscc_format'
        WHEN NOT uscc_valid THEN 'uscc_check_char'
        WHEN customs_code IS NULL OR NOT regexp_full_match(customs_code, '[0-9]{4}[0-9A-Z]{2}[0-9]{4}') THEN 'customs_code_format'
        WHEN name IS NULL OR trim(name) = '' THEN 'name_missing'
        WHEN NOT et_ok THEN 'ent_type_unknown'
        WHEN substr(customs_code, 6, 1) <> ent_type THEN 'ent_type_mismatch'
        WHEN NOT rg_ok THEN 'region_unknown'
        WHEN NOT cr_ok THEN 'credit_rating_unknown'
        WHEN aeo_s IS NULL OR aeo_s NOT IN ('true', 'false', '1', '0') THEN 'aeo_invalid'
        WHEN (aeo_s IN ('true', '1')) <> (credit_rating = 'ADV') THEN 'aeo_rating_mismatch'
        WHEN registered IS NOT NULL AND trim(registered) <> '' AND reg_d IS NULL THEN 'registered_invalid'
      END AS reason FROM t
    ), r2 AS (
      SELECT *, CASE
        WHEN reason IS NOT NULL THEN reason
        WHEN row_number() OVER (PARTITION BY u ORDER BY line_no) > 1 THEN 'duplicate_in_file'
        WHEN row_number() OVER (PARTITION BY customs_code ORDER BY line_no) > 1 THEN 'customs_code_taken'
      END AS reason2 FROM r1
    )
    SELECT r2.*, CASE
      WHEN reason2 IS NOT NULL THEN reason2
      WHEN EXISTS (SELECT 1 FROM enterprise e WHERE e.customs_code = r2.customs_code AND e.uscc <> r2.u) THEN 'customs_code_taken'
    END AS final_reason
    FROM r2`);
  await c.exec(`CREATE TEMP TABLE chk_rejects AS
    SELECT line_no, NULL::VARCHAR AS entry_id, NULL::VARCHAR AS g_no, final_reason AS reason,
      CASE final_reason WHEN 'uscc_check_char' THEN 'uscc=' || u WHEN 'customs_code_taken' THEN 'customs_code=' || customs_code ELSE NULL END AS detail, raw
    FROM chk WHERE final_reason IS NOT NULL`);
}

async function applyEnterprises(c: DbConn): Promise<{ loaded: number; duplicate: number }> {
  const now = new Date().toISOString();
  await c.exec(`CREATE OR REPLACE TEMP VIEW ent_good AS
    SELECT k.*, e.uscc IS NOT NULL AND e.customs_code = k.customs_code AND e.name = trim(k.name) AND e.ent_type = k.ent_type AND e.region = k.region
           AND e.credit_rating = k.credit_rating AND e.aeo = (k.aeo_s IN ('true', '1')) AND e.registered IS NOT DISTINCT FROM k.reg_d AS same
    FROM chk k LEFT JOIN enterprise e ON e.uscc = k.u WHERE k.final_reason IS NULL`);
  const dup = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM ent_good WHERE same'))[0]!.n);
  const loaded = await c.exec(
    `INSERT INTO enterprise
     SELECT u, customs_code, trim(name), ent_type, region, credit_rating, aeo_s IN ('true', '1'), reg_d, $1 FROM ent_good WHERE NOT same
     ON CONFLICT (uscc) DO UPDATE SET customs_code = excluded.customs_code, name = excluded.name, ent_type = excluded.ent_type,
       region = excluded.region, credit_rating = excluded.credit_rating, aeo = excluded.aeo, registered = excluded.registered, updated_at = excluded.updated_at`,
    [now],
  );
  await c.exec('DROP VIEW ent_good');
  return { loaded, duplicate: dup };
}
