/**
 * TradeService: owns the DuckDB instance for trade analytics and offers loading, statistics (with a
 * small result cache keyed by spec and data version), forecasts, warnings, the risk engine and tags.
 *
 *   const trade = await new TradeService().open({ dataDir });   // or TradeService.open({ dataDir })
 *   …
 *   await trade.close();
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import { TradeDb } from './db.js';
import { toCsv, toXlsx } from './export.js';
import { forecastSeries, type ForecastResult } from './forecast.js';
import { TradeLoader, type LoadOptions, type LoadResult, type LoadTarget } from './load.js';
import { RiskEngine } from './risk/engine.js';
import { CUBES, ensureSchema } from './schema.js';
import { compileQuery, drillDown, formatRows, QuerySpecSchema, ymAdd, ymInt, ymStr, type Column, type DataRange, type DimName, type QuerySpec } from './stats.js';
import { TagEngine } from './tags.js';
import { WarningEngine } from './warnings.js';
import { COUNTRIES, CREDIT_RATINGS, DISTRICTS, ENT_TYPES, REGIONS, TRADE_MODES, TRANSPORT_MODES } from './reference/codes.js';
import { HS_CHAPTERS, HS_HEADINGS, HS_SECTIONS } from './reference/hs.js';

export interface TradeServiceOptions {
  dataDir: string;
  /** DuckDB threads (default: all cores) */
  threads?: number;
  memoryLimit?: string;
  readers?: number;
  /** cached statistics results (default 500; 0 disables) */
  cacheEntries?: number;
  /** in-memory database (tests); the data dir still holds temporary files */
  inMemory?: boolean;
}

export interface QueryResult {
  columns: Column[];
  rows: Record<string, unknown>[];
  source: string;
  period: { from: string; to: string } | null;
  spec: QuerySpec;
  ms: number;
  cached: boolean;
}

export interface SeriesSpec {
  measure?: 'value_usd' | 'value_cny' | 'items' | 'qty1';
  flow?: 'import' | 'export' | 'total';
  filters?: QuerySpec['filters'];
}

function invalid(e: { issues: { path: PropertyKey[]; message: string }[] }): QuaysideError {
  return new QuaysideError('CLOUD_BAD_REQUEST', e.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; '));
}

export class TradeService {
  private dbRef: TradeDb | undefined;
  private dataDirRef = '';
  private loaderRef: TradeLoader | undefined;
  private range: DataRange | undefined;
  private cubeRows = new Map<string, number>();
  private dataVersion = 0;
  private readonly cache = new Map<string, Promise<QueryResult>>();
  private cacheEntries = 500;
  warnings!: WarningEngine;
  risk!: RiskEngine;
  tags!: TagEngine;

  static async open(opts: TradeServiceOptions): Promise<TradeService> {
    return new TradeService().open(opts);
  }

  async open(opts: TradeServiceOptions): Promise<this> {
    if (this.dbRef) throw new Error('TradeService is already open');
    fs.mkdirSync(opts.dataDir, { recursive: true });
    this.dataDirRef = opts.dataDir;
    this.cacheEntries = opts.cacheEntries ?? 500;
    const db = await TradeDb.open({
      path: opts.inMemory ? ':memory:' : path.join(opts.dataDir, 'trade.duckdb'),
      threads: opts.threads ?? os.availableParallelism(),
      ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
      readers: opts.readers ?? 4,
    });
    await db.write(async (c) => {
      await ensureSchema(c);
      await c.exec(`SET temp_directory = '${path.join(opts.dataDir, 'duckdb-tmp').replace(/'/g, "''")}'`);
    });
    this.dbRef = db;
    this.loaderRef = new TradeLoader(db, opts.dataDir);
    this.warnings = new WarningEngine(db);
    this.risk = new RiskEngine(db);
    this.tags = new TagEngine(db);
    await this.risk.ensureDefault();
    await this.refresh();
    return this;
  }

  get db(): TradeDb {
    if (!this.dbRef) throw new Error('TradeService is not open');
    return this.dbRef;
  }

  get dataDir(): string {
    return this.dataDirRef;
  }

  async close(): Promise<void> {
    this.tags?.stop();
    const db = this.dbRef;
    this.dbRef = undefined;
    this.cache.clear();
    if (db) await db.close();
  }

  /** Re-reads the data range and cube sizes, and invalidates cached results. */
  private async refresh(): Promise<void> {
    const r = (await this.db.query<{ lo: number | null; hi: number | null }>('SELECT min(ym) AS lo, max(ym) AS hi FROM agg_chapter_country'))[0];
    this.range = r?.lo && r.hi ? { minYm: r.lo, maxYm: r.hi } : undefined;
    for (const c of CUBES) this.cubeRows.set(c.table, Number((await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${c.table}`))[0]!.n));
    this.dataVersion++;
    this.cache.clear();
  }

  // ---------------------------------------------------------------- loading

  async loadFile(target: LoadTarget, file: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const lower = file.toLowerCase();
    const r = lower.endsWith('.json') || lower.endsWith('.ndjson') ? await this.loaderRef!.loadJsonFile(target, file, opts) : await this.loaderRef!.loadCsv(target, file, opts);
    if (r.status === 'loaded') await this.refresh();
    return r;
  }

  async loadBatch(target: LoadTarget, records: unknown[], opts: LoadOptions = {}): Promise<LoadResult> {
    const r = await this.loaderRef!.loadBatch(target, records, opts);
    if (r.status === 'loaded') await this.refresh();
    return r;
  }

  /** Loads every `decl-*.csv` in a generated directory (enterprises first), each file atomically. */
  async loadDirectory(dir: string, onFile?: (name: string, r: LoadResult) => void): Promise<{ files: number; rowsLoaded: number; rowsRejected: number; ms: number }> {
    const started = Date.now();
    let rowsLoaded = 0;
    let rowsRejected = 0;
    const ent = path.join(dir, 'enterprises.csv');
    if (fs.existsSync(ent)) {
      const r = await this.loaderRef!.loadCsv('enterprises', ent);
      onFile?.('enterprises.csv', r);
    }
    const files = fs.readdirSync(dir).filter((f) => /^decl-.*\.csv$/.test(f)).sort();
    for (const f of files) {
      const r = await this.loaderRef!.loadCsv('declarations', path.join(dir, f));
      rowsLoaded += r.rowsLoaded;
      rowsRejected += r.rowsRejected;
      onFile?.(f, r);
    }
    await this.refresh();
    return { files: files.length, rowsLoaded, rowsRejected, ms: Date.now() - started };
  }

  async loads(limit = 100): Promise<Record<string, unknown>[]> {
    return this.db.query('SELECT * FROM load_file ORDER BY id DESC LIMIT $1', [limit]);
  }

  async rejects(fileId: number, limit = 1000, offset = 0): Promise<{ total: number; byReason: Record<string, number>; items: Record<string, unknown>[] }> {
    const byReason = await this.db.query<{ reason: string; n: number }>('SELECT reason, count(*) AS n FROM reject WHERE file_id = $1 GROUP BY reason ORDER BY n DESC', [fileId]);
    const items = await this.db.query('SELECT line_no, entry_id, g_no, reason, detail, raw FROM reject WHERE file_id = $1 ORDER BY line_no NULLS LAST LIMIT $2 OFFSET $3', [fileId, limit, offset]);
    return { total: byReason.reduce((s, r) => s + r.n, 0), byReason: Object.fromEntries(byReason.map((r) => [r.reason, r.n])), items };
  }

  // ---------------------------------------------------------------- statistics

  parseSpec(input: unknown): QuerySpec {
    const r = QuerySpecSchema.safeParse(input);
    if (!r.success) throw invalid(r.error);
    return r.data;
  }

  /** Runs a statistics query (spec as JSON, validated here). */
  async query(input: unknown): Promise<QueryResult> {
    const spec = this.parseSpec(input);
    return this.run(spec);
  }

  async run(spec: QuerySpec, opts: { noCache?: boolean } = {}): Promise<QueryResult> {
    if (opts.noCache) return this.execute(spec);
    const key = `${this.dataVersion}:${JSON.stringify(spec)}`;
    const hit = this.cacheEntries > 0 ? this.cache.get(key) : undefined;
    if (hit) {
      // LRU: move to the end
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { ...(await hit), cached: true };
    }
    const p = this.execute(spec);
    if (this.cacheEntries > 0) {
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
      while (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }

  private async execute(spec: QuerySpec): Promise<QueryResult> {
    const started = Date.now();
    if (!this.range) return { columns: [], rows: [], source: 'none', period: null, spec, ms: 0, cached: false };
    let compiled;
    try {
      compiled = compileQuery(spec, this.range, this.cubeRows);
    } catch (e) {
      if (e instanceof RangeError) throw new QuaysideError('CLOUD_BAD_REQUEST', e.message);
      throw e;
    }
    const rows = formatRows(await this.db.query(compiled.sql, compiled.params), compiled.timeDim);
    const to = spec.period?.to ?? ymStr(this.range.maxYm);
    const from = spec.period?.from ?? (spec.cumulative ? `${to.slice(0, 4)}-01` : ymStr(Math.max(this.range.minYm, ymAdd(ymInt(to), -11))));
    return { columns: compiled.columns, rows, source: compiled.source, period: { from, to }, spec, ms: Date.now() - started, cached: false };
  }

  /** Compiled SQL and parameters of a spec (for the console's "show query" and for tests). */
  explain(input: unknown): { sql: string; params: unknown[]; source: string } {
    const spec = this.parseSpec(input);
    const c = compileQuery(spec, this.range ?? { minYm: 200001, maxYm: 200001 }, this.cubeRows);
    return { sql: c.sql, params: c.params, source: c.source };
  }

  async drill(input: unknown, dim: DimName, value: string, to?: DimName): Promise<QueryResult> {
    const spec = this.parseSpec(input);
    let next: QuerySpec;
    try {
      next = this.parseSpec(drillDown(spec, dim, value, to));
    } catch (e) {
      if (e instanceof RangeError) throw new QuaysideError('CLOUD_BAD_REQUEST', e.message);
      throw e;
    }
    return this.run(next);
  }

  async export(input: unknown, format: 'csv' | 'xlsx'): Promise<{ body: Buffer; contentType: string; filename: string }> {
    const r = await this.query(input);
    const stamp = r.period ? `${r.period.from}_${r.period.to}` : 'empty';
    if (format === 'csv') return { body: toCsv(r), contentType: 'text/csv; charset=utf-8', filename: `trade-stats-${stamp}.csv` };
    return { body: await toXlsx(r), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `trade-stats-${stamp}.xlsx` };
  }

  /** Reference tables and the data range, for the console's pickers. */
  async meta(): Promise<Record<string, unknown>> {
    const counts = (await this.db.query<{ items: number; enterprises: number; files: number }>(
      `SELECT (SELECT coalesce(sum(items), 0) FROM agg_chapter_country) AS items, (SELECT count(*) FROM enterprise) AS enterprises, (SELECT count(*) FROM load_file) AS files`,
    ))[0]!;
    return {
      range: this.range ? { from: ymStr(this.range.minYm), to: ymStr(this.range.maxYm) } : null,
      counts,
      cubes: Object.fromEntries(this.cubeRows),
      sections: HS_SECTIONS,
      chapters: HS_CHAPTERS,
      headings: HS_HEADINGS,
      countries: COUNTRIES,
      tradeModes: TRADE_MODES,
      districts: DISTRICTS,
      transportModes: TRANSPORT_MODES,
      enterpriseTypes: ENT_TYPES,
      regions: REGIONS,
      creditRatings: CREDIT_RATINGS,
    };
  }

  // ---------------------------------------------------------------- series and forecasts

  /** A monthly series over the whole data range (missing months are 0). */
  async series(s: SeriesSpec): Promise<{ months: string[]; values: number[] }> {
    if (!this.range) return { months: [], values: [] };
    const measure = s.measure ?? 'value_usd';
    const flow = s.flow ?? 'total';
    const r = await this.query({
      measures: [measure],
      flows: [flow],
      dims: ['month'],
      filters: s.filters ?? {},
      period: { from: ymStr(this.range.minYm), to: ymStr(this.range.maxYm) },
      limit: 1000,
    });
    const byMonth = new Map(r.rows.map((row) => [String(row['month']), Number(row[`${measure}_${flow}`] ?? 0)]));
    const months: string[] = [];
    for (let m = this.range.minYm; m <= this.range.maxYm; m = ymAdd(m, 1)) months.push(ymStr(m));
    return { months, values: months.map((m) => byMonth.get(m) ?? 0) };
  }

  async forecast(s: SeriesSpec & { horizon?: number }): Promise<ForecastResult & { series: { months: string[]; values: number[] } }> {
    const series = await this.series(s);
    try {
      const f = forecastSeries(series.values, { horizon: s.horizon ?? 12, months: series.months });
      return { ...f, series };
    } catch (e) {
      if (e instanceof RangeError) throw new QuaysideError('CLOUD_BAD_REQUEST', e.message);
      throw e;
    }
  }
}

