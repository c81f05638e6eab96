/**
 * The data platform (cloud/platform): versioned definitions of connectors, pipelines and data sets in
 * the cloud SQL store; one scheduler; runs that pull → pipeline → land (upsert by key) → quality, with
 * retries and back-off, a run history, rejects kept with their reasons and lineage from source to
 * data set. Works on both dialects of the store (SQLite, PostgreSQL).
 *
 *   const platform = await PlatformService.open({ db: store.db, dialect: store.dialect, baseDir, log });
 *   …
 *   await platform.close();
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { QuaysideError } from '../../shared/errors.js';
import type { SqlDialect } from '../store/types.js';
import { pull, ConnectorError, type PullResult } from './connectors/index.js';
import { countRows, datasetTable, ensureDatasetTable, lookupRows, readRows, scanRows, startLanding, type DatasetPage, type LandCounts } from './datasets.js';
import { ConnectorDefinition, DatasetDefinition, type ConnectorDefinitionInput, type DatasetDefinitionInput, type Indicator, type SecretRef } from './definitions.js';
import { migratePlatform } from './migrations.js';
import { PipelineDefinition, startPipeline, type PipelineDefinitionInput, type PipelineResult, type Reject } from './pipeline.js';
import { evaluateQuality, type QualityEvaluation } from './quality.js';
import { CatalogueService } from './catalogue-service.js';
import { ExchangeService } from './exchange.js';
import { harvest, searchAssets, type Annotation, type AssetKind, type MetaAsset } from './metadata.js';
import { backoffDelay, Scheduler } from './scheduler.js';
import type { PlatformDatabase } from './types.js';
import { badInput } from '../api/errors.js';

export interface PlatformOptions {
  db: Kysely<any>;
  dialect: SqlDialect;
  /** Relative inbox folders and the default secrets folder live under it. */
  baseDir: string;
  log?: Logger;
  /**
   * Resolves `{ secret: name }` references. Default: the environment variable QS_SECRET_<NAME>
   * (upper-cased, other characters as "_"), else the file <baseDir>/secrets/<name>.
   */
  secrets?: (name: string) => string | undefined;
  /**
   * Folders file-inbox connectors may read (and move files out of): absolute paths. Default: only
   * under baseDir. A definition naming another folder is refused.
   */
  inboxRoots?: string[];
  /** Start the scheduler (default true); tests drive runs by hand. */
  schedule?: boolean;
  /**
   * Records per slice of a run (default SLICE_ROWS, 10 000): a run reads, processes and lands its
   * source a slice at a time, so its memory follows this rather than the source's size.
   */
  sliceRows?: number;
  clock?: () => number;
}

export type DefinitionKind = 'connector' | 'pipeline' | 'dataset';

/** The curated topic data sets (数据主题): enterprise, vessel, vehicle, goods, declaration, inspection. */
export const TOPICS_DIR = path.join(import.meta.dirname, 'topics');

export interface Versioned<T> {
  id: string;
  version: number;
  definition: T;
  createdAt: number;
  createdBy: string;
}

export interface RunRecord {
  id: number;
  connectorId: string;
  connectorVersion: number;
  pipelineId: string | null;
  pipelineVersion: number | null;
  dataset: string;
  trigger: string;
  status: 'running' | 'succeeded' | 'failed';
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  cursorBefore: string | null;
  cursorAfter: string | null;
  error: string | null;
}

export interface RejectRecord {
  id: number;
  connectorId: string;
  dataset: string;
  ref: string;
  step: number;
  op: string;
  reason: string;
  field: string | null;
  detail: string;
  raw: unknown;
  firstRunId: number;
  lastRunId: number;
  times: number;
}

export interface QualityRunRecord {
  id: number;
  dataset: string;
  datasetVersion: number;
  trigger: string;
  loadRunId: number | null;
  startedAt: number;
  durationMs: number;
  rows: number;
  score: number | null;
  indicators: Partial<Record<Indicator, number>>;
  results?: { ruleId: string; indicator: string; check: string; weight: number; checked: number; passed: number; failed: number; sample: unknown }[];
}

export const ISSUE_STATUSES = ['open', 'acknowledged', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export interface QualityIssue {
  id: number;
  dataset: string;
  ruleId: string;
  indicator: string;
  owner: string;
  status: IssueStatus;
  failed: number;
  checked: number;
  sample: unknown;
  firstRunId: number;
  lastRunId: number;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  note: string;
}

export interface LineageGraph {
  nodes: { id: string; kind: 'connector' | 'pipeline' | 'dataset'; name: string; label: string }[];
  edges: { from: string; to: string; runId: number; firstAt: number; updatedAt: number }[];
}

const TABLE: Record<DefinitionKind, 'pf_connectors' | 'pf_pipelines' | 'pf_datasets'> = { connector: 'pf_connectors', pipeline: 'pf_pipelines', dataset: 'pf_datasets' };


function fingerprint(r: Reject): string {
  return crypto.createHash('sha256').update(JSON.stringify([r.ref, r.reason, r.field, r.raw])).digest('hex');
}

/**
 * A run's rejects, kept batch by batch inside its transaction as if kept at once: one row per
 * fingerprint (the last reject of a fingerprint gives step, op and detail), a fingerprint seen by
 * an earlier run counted once more (times + 1) however often this run meets it.
 */
class RejectLog {
  /** Every reject of the run, repeats included (a run's rows_rejected). */
  count = 0;
  /** Fingerprints this run has written: a repeat in a later batch only updates what the last one says. */
  private readonly written = new Set<string>();

  constructor(
    private readonly db: Kysely<PlatformDatabase>,
    private readonly connectorId: string,
    private readonly dataset: string,
    private readonly runId: number,
    private readonly now: number,
  ) {}

  async add(rejects: readonly Reject[]): Promise<void> {
    this.count += rejects.length;
    if (!rejects.length) return;
    const unique = new Map<string, Reject>();
    for (const r of rejects) unique.set(fingerprint(r), r);
    const fresh: { fp: string; r: Reject }[] = [];
    for (const [fp, r] of unique) {
      if (!this.written.has(fp)) {
        fresh.push({ fp, r });
        this.written.add(fp);
        continue;
      }
      // step and op as the last reject says only on a row this run created; detail always
      await this.db
        .updateTable('pf_rejects')
        .set({
          detail: r.detail.slice(0, 2000),
          step: sql<number>`CASE WHEN first_run_id = ${this.runId} THEN ${r.step} ELSE step END`,
          op: sql<string>`CASE WHEN first_run_id = ${this.runId} THEN ${r.op} ELSE op END`,
        })
        .where('connector_id', '=', this.connectorId)
        .where('fingerprint', '=', fp)
        .execute();
    }
    const values = fresh.map(({ fp, r }) => ({
      connector_id: this.connectorId,
      dataset: this.dataset,
      fingerprint: fp,
      ref: r.ref.slice(0, 500),
      step: r.step,
      op: r.op,
      reason: r.reason,
      field: r.field,
      detail: r.detail.slice(0, 2000),
      raw: JSON.stringify(r.raw).slice(0, 20_000),
      first_run_id: this.runId,
      last_run_id: this.runId,
      times: 1,
      created_at: this.now,
    }));
    for (let i = 0; i < values.length; i += 200) {
      await this.db
        .insertInto('pf_rejects')
        .values(values.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['connector_id', 'fingerprint']).doUpdateSet({ last_run_id: this.runId, times: sql<number>`pf_rejects.times + 1`, detail: (eb) => eb.ref('excluded.detail') }))
        .execute();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class PlatformService {
  readonly db: Kysely<PlatformDatabase>;
  private readonly any: Kysely<any>;
  private readonly scheduler: Scheduler;
  /** The resource catalogue: entries, access requests and their log. */
  readonly catalogue: CatalogueService;
  /** Data exchange (数据交换实施): partners, signed and sealed packages, the exchange log. */
  readonly exchange: ExchangeService;
  private readonly inFlight = new Map<string, Promise<RunRecord>>();
  /** Rows read and landed so far by the runs in progress (their pf_runs row is written when they end). */
  private readonly progress = new Map<number, { rowsIn: number; rowsOut: number }>();
  private readonly qualityInFlight = new Map<string, Promise<QualityRunRecord>>();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private closed = false;

  private constructor(private readonly opts: PlatformOptions) {
    this.any = opts.db;
    this.db = opts.db as Kysely<PlatformDatabase>;
    this.now = opts.clock ?? Date.now;
    this.scheduler = new Scheduler(opts.log ?? null);
    this.catalogue = new CatalogueService({ db: this.db, now: this.now, dataset: (name) => this.dataset(name) });
    this.exchange = new ExchangeService({ db: opts.db, dialect: opts.dialect, baseDir: opts.baseDir, log: opts.log, now: this.now, secret: (ref) => this.secret(ref), dataset: (name) => this.dataset(name), schedule: opts.schedule !== false });
  }

  get dialect(): SqlDialect {
    return this.opts.dialect;
  }

  static async open(opts: PlatformOptions): Promise<PlatformService> {
    await migratePlatform(opts.db, opts.dialect);
    const p = new PlatformService(opts);
    if (opts.schedule !== false) await p.planAll();
    if (opts.schedule !== false) await p.exchange.start();
    return p;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.scheduler.stop();
    await this.exchange.close();
    await Promise.allSettled([...this.inFlight.values(), ...this.qualityInFlight.values()]);
  }

  // ── definitions ──────────────────────────────────────────────────────────

  private async latest(kind: DefinitionKind, id: string): Promise<Versioned<unknown> | null> {
    const row = await this.db.selectFrom(TABLE[kind]).selectAll().where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? { id: row.id, version: Number(row.version), definition: JSON.parse(row.definition) as unknown, createdAt: Number(row.created_at), createdBy: row.created_by } : null;
  }

  private async store(kind: DefinitionKind, id: string, def: unknown, by: string): Promise<{ version: number; created: boolean; createdAt: number; createdBy: string }> {
    const prev = await this.latest(kind, id);
    const text = JSON.stringify(def);
    if (prev && JSON.stringify(prev.definition) === text) return { version: prev.version, created: false, createdAt: prev.createdAt, createdBy: prev.createdBy };
    const version = (prev?.version ?? 0) + 1;
    const now = this.now();
    await this.db.insertInto(TABLE[kind]).values({ id, version, definition: text, created_at: now, created_by: by }).execute();
    return { version, created: true, createdAt: now, createdBy: by };
  }

  async saveDataset(input: DatasetDefinitionInput | unknown, by: string): Promise<Versioned<DatasetDefinition> & { created: boolean }> {
    const r = DatasetDefinition.safeParse(input);
    if (!r.success) throw badInput('dataset', r.error);
    const def = r.data;
    const prev = await this.dataset(def.name);
    if (prev && JSON.stringify(prev.definition.key) !== JSON.stringify(def.key)) throw new QuaysideError('CLOUD_BAD_REQUEST', `dataset.key: the key of ${def.name} cannot change (${prev.definition.key.join(', ')})`);
    if (prev) {
      for (const f of prev.definition.fields) {
        const now = def.fields.find((x) => x.name === f.name);
        if (!now) throw new QuaysideError('CLOUD_BAD_REQUEST', `dataset.fields: field ${f.name} of ${def.name} cannot be removed (data sets only grow)`);
        if (now.type !== f.type) throw new QuaysideError('CLOUD_BAD_REQUEST', `dataset.fields: field ${f.name} of ${def.name} cannot change type (${f.type} → ${now.type})`);
      }
    }
    for (const rule of def.quality.rules) {
      if (rule.check === 'reference' && rule.dataset !== def.name) {
        const other = await this.dataset(rule.dataset);
        if (!other) throw new QuaysideError('CLOUD_BAD_REQUEST', `rule ${rule.id}: no data set ${rule.dataset}`);
        if (!other.definition.fields.some((f) => f.name === rule.refField)) throw new QuaysideError('CLOUD_BAD_REQUEST', `rule ${rule.id}: data set ${rule.dataset} has no field ${rule.refField}`);
      }
    }
    await ensureDatasetTable(this.any, def);
    const s = await this.store('dataset', def.name, def, by);
    this.planDataset(def);
    return { id: def.name, definition: def, ...s };
  }

  async savePipeline(input: PipelineDefinitionInput | unknown, by: string): Promise<Versioned<PipelineDefinition> & { created: boolean }> {
    const r = PipelineDefinition.safeParse(input);
    if (!r.success) throw badInput('pipeline', r.error);
    const def = r.data;
    for (const s of def.steps) {
      if (s.op === 'enrich') {
        const master = await this.dataset(s.dataset);
        if (!master) throw new QuaysideError('CLOUD_BAD_REQUEST', `pipeline.steps: enrich names unknown data set ${s.dataset}`);
        const missing = [s.refField, ...Object.values(s.fields)].filter((f) => !master.definition.fields.some((x) => x.name === f));
        if (missing.length) throw new QuaysideError('CLOUD_BAD_REQUEST', `pipeline.steps: data set ${s.dataset} has no field ${missing.join(', ')}`);
      }
    }
    const s = await this.store('pipeline', def.id, def, by);
    return { id: def.id, definition: def, ...s };
  }

  async saveConnector(input: ConnectorDefinitionInput | unknown, by: string): Promise<Versioned<ConnectorDefinition> & { created: boolean }> {
    const r = ConnectorDefinition.safeParse(input);
    if (!r.success) throw badInput('connector', r.error);
    const def = r.data;
    if (!(await this.dataset(def.target.dataset))) throw new QuaysideError('CLOUD_BAD_REQUEST', `connector.target.dataset: no data set ${def.target.dataset}`);
    if (def.target.pipeline && !(await this.pipeline(def.target.pipeline))) throw new QuaysideError('CLOUD_BAD_REQUEST', `connector.target.pipeline: no pipeline ${def.target.pipeline}`);
    if (def.source.kind === 'file-inbox' && !this.inboxAllowed(def.source.dir)) {
      throw new QuaysideError('CLOUD_BAD_REQUEST', `connector.source.dir: ${def.source.dir} is outside the inbox folders (${this.inboxRoots().join(', ')})`);
    }
    if (def.source.kind === 'sftp' && def.source.direction === 'push' && def.target.pipeline) throw new QuaysideError('CLOUD_BAD_REQUEST', 'connector.target.pipeline: a push connector sends its data set as it is');
    const s = await this.store('connector', def.id, def, by);
    this.planConnector(def);
    return { id: def.id, definition: def, ...s };
  }

  async connector(id: string, version?: number): Promise<Versioned<ConnectorDefinition> | null> {
    return this.getVersion('connector', id, version) as Promise<Versioned<ConnectorDefinition> | null>;
  }
  async pipeline(id: string, version?: number): Promise<Versioned<PipelineDefinition> | null> {
    return this.getVersion('pipeline', id, version) as Promise<Versioned<PipelineDefinition> | null>;
  }
  async dataset(name: string, version?: number): Promise<Versioned<DatasetDefinition> | null> {
    return this.getVersion('dataset', name, version) as Promise<Versioned<DatasetDefinition> | null>;
  }

  private async getVersion(kind: DefinitionKind, id: string, version?: number): Promise<Versioned<unknown> | null> {
    if (version === undefined) return this.latest(kind, id);
    const row = await this.db.selectFrom(TABLE[kind]).selectAll().where('id', '=', id).where('version', '=', version).executeTakeFirst();
    return row ? { id: row.id, version: Number(row.version), definition: JSON.parse(row.definition) as unknown, createdAt: Number(row.created_at), createdBy: row.created_by } : null;
  }

  /** The latest version of every definition of a kind. */
  async list<K extends DefinitionKind>(kind: K): Promise<Versioned<K extends 'connector' ? ConnectorDefinition : K extends 'pipeline' ? PipelineDefinition : DatasetDefinition>[]> {
    // Definitions are few (tens to hundreds): read them and keep each id's latest version.
    const db = this.db as unknown as Kysely<{ d: PlatformDatabase['pf_connectors'] }>;
    const rows = await db.selectFrom(`${TABLE[kind]} as d` as 'd').selectAll().orderBy('id').orderBy('version').execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(r.id, r);
    return [...latest.values()].map((row) => ({ id: row.id, version: Number(row.version), definition: JSON.parse(row.definition), createdAt: Number(row.created_at), createdBy: row.created_by }));
  }

  /**
   * Saves every definition in a folder of JSON files, each `{ datasets?, pipelines?, connectors? }`:
   * data sets first (those another names in a reference rule before it), then pipelines, then
   * connectors. Unchanged definitions keep their version, so importing twice changes nothing.
   */
  async importDefinitions(dir: string, by: string): Promise<{ kind: DefinitionKind; id: string; version: number; created: boolean }[]> {
    const File = z.object({ datasets: z.array(z.unknown()).default([]), pipelines: z.array(z.unknown()).default([]), connectors: z.array(z.unknown()).default([]) }).strict();
    const found: Record<'datasets' | 'pipelines' | 'connectors', { file: string; def: unknown }[]> = { datasets: [], pipelines: [], connectors: [] };
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      let parsed: z.output<typeof File>;
      try {
        const r = File.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
        if (!r.success) throw badInput(name, r.error);
        parsed = r.data;
      } catch (e) {
        throw new QuaysideError('CLOUD_BAD_REQUEST', `${name}: ${(e as Error).message}`);
      }
      for (const k of ['datasets', 'pipelines', 'connectors'] as const) for (const def of parsed[k]) found[k].push({ file: name, def });
    }
    // data sets referenced by another's rules go first
    const byName = new Map(found.datasets.map((d) => [String((d.def as { name?: unknown }).name), d]));
    const ordered: { file: string; def: unknown }[] = [];
    const visiting = new Set<string>();
    const visit = (name: string) => {
      const d = byName.get(name);
      if (!d || ordered.includes(d) || visiting.has(name)) return;
      visiting.add(name);
      const rules = ((d.def as { quality?: { rules?: { check?: string; dataset?: string }[] } }).quality?.rules ?? []).filter((r) => r.check === 'reference' && r.dataset);
      for (const r of rules) visit(r.dataset!);
      ordered.push(d);
    };
    for (const name of byName.keys()) visit(name);
    const out: { kind: DefinitionKind; id: string; version: number; created: boolean }[] = [];
    const save = async (kind: DefinitionKind, item: { file: string; def: unknown }) => {
      try {
        const r = kind === 'dataset' ? await this.saveDataset(item.def, by) : kind === 'pipeline' ? await this.savePipeline(item.def, by) : await this.saveConnector(item.def, by);
        out.push({ kind, id: r.id, version: r.version, created: r.created });
      } catch (e) {
        throw new QuaysideError('CLOUD_BAD_REQUEST', `${item.file}: ${(e as Error).message}`);
      }
    };
    for (const d of ordered) await save('dataset', d);
    for (const p of found.pipelines) await save('pipeline', p);
    for (const c of found.connectors) await save('connector', c);
    return out;
  }

  async versions(kind: DefinitionKind, id: string): Promise<{ version: number; createdAt: number; createdBy: string }[]> {
    const rows = await this.db.selectFrom(TABLE[kind]).select(['version', 'created_at', 'created_by']).where('id', '=', id).orderBy('version').execute();
    return rows.map((r) => ({ version: Number(r.version), createdAt: Number(r.created_at), createdBy: r.created_by }));
  }

  // ── scheduling ───────────────────────────────────────────────────────────

  /** At start: every scheduled job, its first run one interval after its last one (or now). */
  private async planAll(): Promise<void> {
    for (const c of await this.list('connector')) {
      const last = await this.db.selectFrom('pf_runs').select((eb) => eb.fn.max('started_at').as('t')).where('connector_id', '=', c.id).where('trigger', '=', 'schedule').executeTakeFirst();
      this.planConnector(c.definition, last?.t === null || last?.t === undefined ? undefined : Number(last.t));
    }
    for (const d of await this.list('dataset')) {
      const last = await this.db.selectFrom('pf_quality_runs').select((eb) => eb.fn.max('started_at').as('t')).where('dataset', '=', d.id).where('trigger', '=', 'schedule').executeTakeFirst();
      this.planDataset(d.definition, last?.t === null || last?.t === undefined ? undefined : Number(last.t));
    }
  }

  private planConnector(def: ConnectorDefinition, lastStart?: number): void {
    if (this.opts.schedule === false || this.closed) return;
    const key = `connector:${def.id}`;
    if (!def.enabled || def.schedule.type !== 'interval') return this.scheduler.remove(key);
    this.scheduler.set(key, def.schedule.everySeconds * 1000, () => this.runConnector(def.id, { trigger: 'schedule' }), lastStart);
  }

  private planDataset(def: DatasetDefinition, lastStart?: number): void {
    if (this.opts.schedule === false || this.closed) return;
    const key = `quality:${def.name}`;
    if (def.quality.schedule.type !== 'interval' || def.quality.rules.length === 0) return this.scheduler.remove(key);
    this.scheduler.set(key, def.quality.schedule.everySeconds * 1000, () => this.runQuality(def.name, { trigger: 'schedule' }), lastStart);
  }

  scheduledJobs(): string[] {
    return this.scheduler.keys();
  }

  private inboxRoots(): string[] {
    return (this.opts.inboxRoots ?? [this.opts.baseDir]).map((r) => path.resolve(r));
  }

  private inboxAllowed(dir: string): boolean {
    const abs = path.resolve(this.opts.baseDir, dir);
    return this.inboxRoots().some((root) => abs === root || abs.startsWith(root + path.sep));
  }

  // ── secrets ──────────────────────────────────────────────────────────────

  private secret(ref: SecretRef): string {
    if ('env' in ref) {
      const v = process.env[ref.env];
      if (v === undefined || v === '') throw new ConnectorError(`environment variable ${ref.env} (a credential reference) is not set`, false);
      return v;
    }
    const fromOpt = this.opts.secrets?.(ref.secret);
    if (fromOpt !== undefined) return fromOpt;
    const env = process.env[`QS_SECRET_${ref.secret.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    if (env !== undefined && env !== '') return env;
    const file = path.join(this.opts.baseDir, 'secrets', ref.secret);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    throw new ConnectorError(`secret "${ref.secret}" is not set (QS_SECRET_* or ${path.join('secrets', ref.secret)})`, false);
  }

  // ── runs ─────────────────────────────────────────────────────────────────

  /** Runs a connector now (or joins the run in progress): pull → pipeline → land → quality. */
  runConnector(id: string, opts: { trigger?: string } = {}): Promise<RunRecord> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.doRun(id, opts.trigger ?? 'manual').finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  private async doRun(id: string, trigger: string): Promise<RunRecord> {
    if (this.closed) throw new QuaysideError('CLOUD_BAD_REQUEST', 'the platform is closing');
    const conn = await this.connector(id);
    if (!conn) throw new QuaysideError('CLOUD_NOT_FOUND', `no connector ${id}`);
    const def = conn.definition;
    const ds = await this.dataset(def.target.dataset);
    if (!ds) throw new QuaysideError('CLOUD_NOT_FOUND', `connector ${id} targets unknown data set ${def.target.dataset}`);
    const pl = def.target.pipeline ? await this.pipeline(def.target.pipeline) : null;
    if (def.target.pipeline && !pl) throw new QuaysideError('CLOUD_NOT_FOUND', `connector ${id} names unknown pipeline ${def.target.pipeline}`);
    const cursorRow = await this.db.selectFrom('pf_cursors').select('cursor').where('connector_id', '=', id).executeTakeFirst();
    const cursorBefore = cursorRow?.cursor ?? null;
    const started = this.now();
    const t0 = performance.now();
    const ins = await this.db
      .insertInto('pf_runs')
      .values({
        connector_id: id,
        connector_version: conn.version,
        pipeline_id: pl?.id ?? null,
        pipeline_version: pl?.version ?? null,
        dataset: ds.id,
        trigger,
        status: 'running',
        attempts: 0,
        started_at: started,
        finished_at: null,
        duration_ms: null,
        rows_in: 0,
        rows_out: 0,
        rows_rejected: 0,
        rows_inserted: 0,
        rows_updated: 0,
        rows_unchanged: 0,
        cursor_before: cursorBefore,
        cursor_after: null,
        error: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const runId = Number(ins.id);
    const log = this.opts.log?.child({ connector: id, run: runId });
    const errors: string[] = [];
    let attempts = 0;
    for (;;) {
      attempts += 1;
      try {
        if (def.source.kind === 'file-inbox' && !this.inboxAllowed(def.source.dir)) throw new ConnectorError(`inbox ${def.source.dir} is outside the inbox folders`, false);
        const pulled = await pull({
          definition: def,
          cursor: cursorBefore,
          secret: (ref) => this.secret(ref),
          baseDir: this.opts.baseDir,
          signal: this.abort.signal,
          target: ds.definition,
          readTarget: () => scanRows(this.any, ds.definition),
          ...(this.opts.sliceRows !== undefined ? { sliceRows: this.opts.sliceRows } : {}),
        });
        let outcome: Awaited<ReturnType<PlatformService['land']>>;
        try {
          outcome = await this.land(runId, def, ds.definition, pl?.definition ?? null, pulled);
          await pulled.commit?.();
        } finally {
          await pulled.close?.().catch(() => undefined);
        }
        const finished = this.now();
        const duration = Math.round(performance.now() - t0);
        await this.db
          .updateTable('pf_runs')
          .set({
            status: 'succeeded',
            attempts,
            finished_at: finished,
            duration_ms: duration,
            rows_in: outcome.rowsIn,
            rows_out: outcome.rowsOut,
            rows_rejected: outcome.rejected,
            rows_inserted: outcome.counts.inserted,
            rows_updated: outcome.counts.updated,
            rows_unchanged: outcome.counts.unchanged,
            cursor_after: pulled.cursor,
            error: errors.length ? errors.join('; ') : null,
          })
          .where('id', '=', runId)
          .execute();
        log?.info({ attempts, rowsIn: outcome.rowsIn, rowsOut: outcome.rowsOut, rejected: outcome.rejected, ms: duration }, 'connector run succeeded');
        if (pulled.pushed === undefined && ds.definition.quality.rules.length) {
          await this.runQuality(ds.id, { trigger: 'load', loadRunId: runId }).catch((e: unknown) => log?.error({ err: e }, 'quality run after load failed'));
        }
        return this.ended(runId);
      } catch (e) {
        const retryable = e instanceof ConnectorError ? e.retryable : !(e instanceof QuaysideError);
        errors.push(`attempt ${attempts}: ${(e as Error).message}`);
        log?.warn({ err: e, attempts, retryable }, 'connector run attempt failed');
        if (retryable && attempts < def.retry.attempts && !this.abort.signal.aborted) {
          await sleep(backoffDelay(attempts, def.retry.backoffMs, def.retry.maxBackoffMs), this.abort.signal);
          if (!this.abort.signal.aborted) continue;
        }
        await this.db
          .updateTable('pf_runs')
          .set({ status: 'failed', attempts, finished_at: this.now(), duration_ms: Math.round(performance.now() - t0), error: errors.join('; ') })
          .where('id', '=', runId)
          .execute();
        log?.error({ attempts, error: errors.join('; ') }, 'connector run failed');
        return this.ended(runId);
      }
    }
  }

  /**
   * One transaction: the pull is read slice by slice, each slice run through the pipeline and landed
   * (rows, then rejects), then the cursor and lineage; all of it commits together or not at all, so a
   * failed run leaves nothing and a retry pulls again. Everything inside uses the transaction: on
   * SQLite (one connection) a query outside it would wait for it to end. A pipeline that needs all
   * rows at once (pipeline.ts needsAllRows) gathers the slices and runs at the end.
   */
  private async land(runId: number, def: ConnectorDefinition, ds: DatasetDefinition, pl: PipelineDefinition | null, pulled: PullResult): Promise<{ rowsIn: number; rowsOut: number; rejected: number; counts: LandCounts }> {
    const now = this.now();
    if (pulled.pushed !== undefined) {
      await this.db.transaction().execute(async (trx) => {
        await this.link(trx, `dataset:${ds.name}`, `connector:${def.id}`, runId, now);
      });
      return { rowsIn: pulled.pushed, rowsOut: pulled.pushed, rejected: 0, counts: { inserted: 0, updated: 0, unchanged: 0 } };
    }
    // The enrich masters' definitions, read before the transaction opens (the same reason as above);
    // a missing one fails the run only once rows need it, as before.
    const masters = new Map<string, DatasetDefinition | null>();
    for (const s of pl?.steps ?? []) if (s.op === 'enrich' && !masters.has(s.dataset)) masters.set(s.dataset, (await this.dataset(s.dataset))?.definition ?? null);
    return this.any.transaction().execute(async (trx) => {
      const pipeline = startPipeline(pl, ds, async (name, field, values) => {
        const m = masters.get(name);
        if (!m) throw new ConnectorError(`enrich: no data set ${name}`, false);
        return lookupRows(trx, m, field, values);
      });
      const landing = startLanding(trx, ds, runId, now);
      const rejects = new RejectLog(trx as Kysely<PlatformDatabase>, def.id, ds.name, runId, now);
      let rowsIn = 0;
      let rowsOut = 0;
      const put = async (result: PipelineResult) => {
        await landing.land(result.rows.map((r) => r.data));
        rowsOut += result.rows.length;
        await rejects.add(result.rejects);
      };
      for await (const slice of pulled.slices) {
        rowsIn += slice.rows.length + slice.rejects.length;
        await rejects.add(slice.rejects);
        await put(await pipeline.push(slice.rows));
        this.progress.set(runId, { rowsIn, rowsOut });
      }
      await put(await pipeline.finish());
      const t = trx as Kysely<PlatformDatabase>;
      // read only now: a connector knows its cursor once its last slice is read
      const cursor = pulled.cursor;
      await t
        .insertInto('pf_cursors')
        .values({ connector_id: def.id, cursor, run_id: runId, updated_at: now })
        .onConflict((oc) => oc.column('connector_id').doUpdateSet({ cursor, run_id: runId, updated_at: now }))
        .execute();
      if (pl) {
        await this.link(t, `connector:${def.id}`, `pipeline:${pl.id}`, runId, now);
        await this.link(t, `pipeline:${pl.id}`, `dataset:${ds.name}`, runId, now);
        for (const s of pl.steps) if (s.op === 'enrich') await this.link(t, `dataset:${s.dataset}`, `pipeline:${pl.id}`, runId, now);
      } else await this.link(t, `connector:${def.id}`, `dataset:${ds.name}`, runId, now);
      return { rowsIn, rowsOut, rejected: rejects.count, counts: landing.counts };
    });
  }

  private async link(db: Kysely<PlatformDatabase>, from: string, to: string, runId: number, now: number): Promise<void> {
    await db
      .insertInto('pf_lineage')
      .values({ from_node: from, to_node: to, run_id: runId, first_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['from_node', 'to_node']).doUpdateSet({ run_id: runId, updated_at: now }))
      .execute();
  }

  async run(id: number): Promise<RunRecord | null> {
    const r = await this.db.selectFrom('pf_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? this.live(runRecord(r)) : null;
  }

  private async ended(runId: number): Promise<RunRecord> {
    this.progress.delete(runId);
    return (await this.run(runId))!;
  }

  /** A run in progress shows the rows read and landed so far. */
  private live(r: RunRecord): RunRecord {
    const p = r.status === 'running' ? this.progress.get(r.id) : undefined;
    return p ? { ...r, rowsIn: p.rowsIn, rowsOut: p.rowsOut } : r;
  }

  async runs(filter: { connectorId?: string; dataset?: string; status?: string; limit?: number; offset?: number } = {}): Promise<{ items: RunRecord[]; total: number }> {
    let q = this.db.selectFrom('pf_runs');
    if (filter.connectorId) q = q.where('connector_id', '=', filter.connectorId);
    if (filter.dataset) q = q.where('dataset', '=', filter.dataset);
    if (filter.status) q = q.where('status', '=', filter.status);
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .execute();
    return { items: rows.map((r) => this.live(runRecord(r))), total: Number(total?.n ?? 0) };
  }

  async cursor(connectorId: string): Promise<string | null> {
    const r = await this.db.selectFrom('pf_cursors').select('cursor').where('connector_id', '=', connectorId).executeTakeFirst();
    return r?.cursor ?? null;
  }

  /** Resets a connector's cursor (the next run reads from the start). */
  async resetCursor(connectorId: string): Promise<void> {
    await this.db.deleteFrom('pf_cursors').where('connector_id', '=', connectorId).execute();
  }

  async rejects(filter: { connectorId?: string; dataset?: string; reason?: string; runId?: number; limit?: number; offset?: number } = {}): Promise<{ items: RejectRecord[]; total: number }> {
    let q = this.db.selectFrom('pf_rejects');
    if (filter.connectorId) q = q.where('connector_id', '=', filter.connectorId);
    if (filter.dataset) q = q.where('dataset', '=', filter.dataset);
    if (filter.reason) q = q.where('reason', '=', filter.reason);
    if (filter.runId !== undefined) q = q.where('last_run_id', '=', filter.runId);
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await q
      .selectAll()
      .orderBy('id')
      .limit(filter.limit ?? 500)
      .offset(filter.offset ?? 0)
      .execute();
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        connectorId: r.connector_id,
        dataset: r.dataset,
        ref: r.ref,
        step: Number(r.step),
        op: r.op,
        reason: r.reason,
        field: r.field,
        detail: r.detail,
        raw: JSON.parse(r.raw) as unknown,
        firstRunId: Number(r.first_run_id),
        lastRunId: Number(r.last_run_id),
        times: Number(r.times),
      })),
      total: Number(total?.n ?? 0),
    };
  }

  async rows(dataset: string, opts: { limit: number; offset: number; where?: Record<string, string> }): Promise<DatasetPage> {
    const ds = await this.dataset(dataset);
    if (!ds) throw new QuaysideError('CLOUD_NOT_FOUND', `no data set ${dataset}`);
    return readRows(this.any, ds.definition, opts);
  }

  // ── lineage ──────────────────────────────────────────────────────────────

  /** The whole lineage graph, or the part connected to one node (upstream and downstream). */
  async lineage(focus?: string): Promise<LineageGraph> {
    const all = await this.db.selectFrom('pf_lineage').selectAll().orderBy('from_node').orderBy('to_node').execute();
    let edges = all.map((e) => ({ from: e.from_node, to: e.to_node, runId: Number(e.run_id), firstAt: Number(e.first_at), updatedAt: Number(e.updated_at) }));
    if (focus) {
      const keep = new Set<string>([focus]);
      for (const dir of ['up', 'down'] as const) {
        const frontier = [focus];
        const seen = new Set<string>([focus]);
        while (frontier.length) {
          const n = frontier.pop()!;
          for (const e of edges) {
            const next = dir === 'up' ? (e.to === n ? e.from : null) : e.from === n ? e.to : null;
            if (next && !seen.has(next)) {
              seen.add(next);
              keep.add(next);
              frontier.push(next);
            }
          }
        }
      }
      edges = edges.filter((e) => keep.has(e.from) && keep.has(e.to));
    }
    const ids = new Set<string>(edges.flatMap((e) => [e.from, e.to]));
    if (focus) ids.add(focus);
    const titles = new Map<string, string>();
    for (const c of await this.list('connector')) titles.set(`connector:${c.id}`, c.definition.name);
    for (const p of await this.list('pipeline')) titles.set(`pipeline:${p.id}`, p.definition.name);
    for (const d of await this.list('dataset')) titles.set(`dataset:${d.id}`, d.definition.title);
    const nodes = [...ids].sort().map((id) => {
      const [kind, ...rest] = id.split(':');
      const name = rest.join(':');
      return { id, kind: kind as 'connector' | 'pipeline' | 'dataset', name, label: titles.get(id) ?? name };
    });
    return { nodes, edges };
  }

  // ── quality ──────────────────────────────────────────────────────────────

  runQuality(dataset: string, opts: { trigger?: string; loadRunId?: number } = {}): Promise<QualityRunRecord> {
    const running = this.qualityInFlight.get(dataset);
    if (running) return running.then(() => this.runQuality(dataset, opts));
    const p = this.doQuality(dataset, opts.trigger ?? 'manual', opts.loadRunId ?? null).finally(() => this.qualityInFlight.delete(dataset));
    this.qualityInFlight.set(dataset, p);
    return p;
  }

  private async doQuality(dataset: string, trigger: string, loadRunId: number | null): Promise<QualityRunRecord> {
    const ds = await this.dataset(dataset);
    if (!ds) throw new QuaysideError('CLOUD_NOT_FOUND', `no data set ${dataset}`);
    const def = ds.definition;
    const started = this.now();
    const t0 = performance.now();
    const count = await countRows(this.any, def);
    const evaluation: QualityEvaluation = await evaluateQuality(def, count === null ? emptyPages() : scanRows(this.any, def), {
      now: started,
      count,
      referenceValues: async (name, field) => {
        const other = await this.dataset(name);
        if (!other) return new Set();
        const set = new Set<string>();
        for await (const page of scanRows(this.any, other.definition)) for (const r of page) if (r[field] !== null && r[field] !== undefined) set.add(String(r[field]));
        return set;
      },
    });
    const duration = Math.round(performance.now() - t0);
    const now = this.now();
    const runId = await this.db.transaction().execute(async (trx) => {
      const ins = await trx
        .insertInto('pf_quality_runs')
        .values({ dataset, dataset_version: ds.version, trigger, load_run_id: loadRunId, started_at: started, duration_ms: duration, rows: evaluation.rows, score: evaluation.score, indicators: JSON.stringify(evaluation.indicators) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = Number(ins.id);
      if (evaluation.results.length) {
        await trx
          .insertInto('pf_quality_results')
          .values(evaluation.results.map((r) => ({ run_id: id, rule_id: r.ruleId, indicator: r.indicator, check_kind: r.check, weight: r.weight, checked: r.checked, passed: r.passed, failed: r.failed, sample: JSON.stringify(r.sample) })))
          .execute();
      }
      // Failures become issues for the owner; a rule that passes again resolves its open issue.
      const existing = await trx.selectFrom('pf_quality_issues').selectAll().where('dataset', '=', dataset).execute();
      for (const r of evaluation.results) {
        const issue = existing.find((x) => x.rule_id === r.ruleId);
        if (r.failed > 0) {
          if (!issue) {
            await trx
              .insertInto('pf_quality_issues')
              .values({ dataset, rule_id: r.ruleId, indicator: r.indicator, owner: def.owner, status: 'open', failed: r.failed, checked: r.checked, sample: JSON.stringify(r.sample), first_run_id: id, last_run_id: id, opened_at: now, updated_at: now, resolved_at: null, note: '' })
              .execute();
          } else {
            const reopen = issue.status === 'resolved';
            await trx
              .updateTable('pf_quality_issues')
              .set({ failed: r.failed, checked: r.checked, sample: JSON.stringify(r.sample), last_run_id: id, updated_at: now, indicator: r.indicator, ...(reopen ? { status: 'open', resolved_at: null, opened_at: now, owner: def.owner } : {}) })
              .where('id', '=', issue.id)
              .execute();
          }
        } else if (issue && (issue.status === 'open' || issue.status === 'acknowledged')) {
          await trx.updateTable('pf_quality_issues').set({ status: 'resolved', resolved_at: now, updated_at: now, failed: 0, checked: r.checked, last_run_id: id }).where('id', '=', issue.id).execute();
        }
      }
      // A rule taken out of the definition no longer stands behind its issue.
      const ruleIds = new Set(evaluation.results.map((r) => r.ruleId));
      for (const issue of existing) {
        if (!ruleIds.has(issue.rule_id) && (issue.status === 'open' || issue.status === 'acknowledged')) {
          await trx.updateTable('pf_quality_issues').set({ status: 'resolved', resolved_at: now, updated_at: now, note: issue.note ? `${issue.note}; rule removed` : 'rule removed', last_run_id: id }).where('id', '=', issue.id).execute();
        }
      }
      return id;
    });
    this.opts.log?.info({ dataset, score: evaluation.score, rows: evaluation.rows, ms: duration }, 'quality run');
    return (await this.qualityRun(runId))!;
  }

  async qualityRun(id: number): Promise<QualityRunRecord | null> {
    const r = await this.db.selectFrom('pf_quality_runs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    const results = await this.db.selectFrom('pf_quality_results').selectAll().where('run_id', '=', id).orderBy('rule_id').execute();
    return {
      ...qualityRecord(r),
      results: results.map((x) => ({ ruleId: x.rule_id, indicator: x.indicator, check: x.check_kind, weight: Number(x.weight), checked: Number(x.checked), passed: Number(x.passed), failed: Number(x.failed), sample: JSON.parse(x.sample) as unknown })),
    };
  }

  /** Score history of a data set, newest first. */
  async qualityHistory(dataset: string, limit = 100): Promise<QualityRunRecord[]> {
    const rows = await this.db.selectFrom('pf_quality_runs').selectAll().where('dataset', '=', dataset).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(qualityRecord);
  }

  async issues(filter: { dataset?: string; status?: string; owner?: string } = {}): Promise<QualityIssue[]> {
    let q = this.db.selectFrom('pf_quality_issues').selectAll();
    if (filter.dataset) q = q.where('dataset', '=', filter.dataset);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.owner) q = q.where('owner', '=', filter.owner);
    return (await q.orderBy('id').execute()).map(issueRecord);
  }

  async updateIssue(id: number, patch: { status?: IssueStatus; owner?: string; note?: string }): Promise<QualityIssue> {
    const now = this.now();
    const set: Partial<{ status: string; owner: string; note: string; updated_at: number; resolved_at: number | null }> = { updated_at: now };
    if (patch.status) {
      set.status = patch.status;
      set.resolved_at = patch.status === 'resolved' ? now : null;
    }
    if (patch.owner !== undefined) set.owner = patch.owner;
    if (patch.note !== undefined) set.note = patch.note;
    const r = await this.db.updateTable('pf_quality_issues').set(set).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new QuaysideError('CLOUD_NOT_FOUND', `no quality issue ${id}`);
    return issueRecord((await this.db.selectFrom('pf_quality_issues').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
  }

  // ── metadata ─────────────────────────────────────────────────────────────

  /** Every asset, harvested now and overlaid with people's edits; filtered by a search and a kind. */
  async metadata(opts: { q?: string; kind?: AssetKind } = {}): Promise<MetaAsset[]> {
    const [datasets, connectors, pipelines] = await Promise.all([this.list('dataset'), this.list('connector'), this.list('pipeline')]);
    const dsTables = new Set(datasets.map((d) => datasetTable(d.id)));
    const tables = (await this.any.introspection.getTables())
      .filter((t) => !t.name.startsWith('ds_') && !dsTables.has(t.name) && !/^qs_.*migrations(_lock)?$/.test(t.name))
      .map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ name: c.name, type: c.dataType, nullable: c.isNullable })) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const stats = new Map<string, { rows: number | null; lastLoadAt: number | null; qualityScore: number | null }>();
    for (const d of datasets) {
      const last = await this.db.selectFrom('pf_runs').select((eb) => eb.fn.max('finished_at').as('t')).where('dataset', '=', d.id).where('status', '=', 'succeeded').executeTakeFirst();
      const q = await this.db.selectFrom('pf_quality_runs').select('score').where('dataset', '=', d.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
      stats.set(d.id, { rows: await countRows(this.any, d.definition), lastLoadAt: last?.t === null || last?.t === undefined ? null : Number(last.t), qualityScore: q?.score === null || q?.score === undefined ? null : Number(q.score) });
    }
    const annotations = new Map<string, Annotation>();
    for (const a of await this.db.selectFrom('pf_meta_annotations').selectAll().execute()) {
      annotations.set(a.asset, { description: a.description, owner: a.owner, tags: a.tags === null ? null : (JSON.parse(a.tags) as string[]) });
    }
    const assets = harvest({ datasets: datasets.map((d) => d.definition), connectors: connectors.map((c) => c.definition), pipelines: pipelines.map((p) => p.definition), tables, stats, annotations });
    return searchAssets(assets, opts.q ?? '', opts.kind);
  }

  /** Edits an asset's description, owner or tags (null clears the edit back to the harvested value). */
  async annotate(assetId: string, patch: { description?: string | null; owner?: string | null; tags?: string[] | null }, by: string): Promise<MetaAsset> {
    const exists = (await this.metadata()).some((a) => a.id === assetId);
    if (!exists) throw new QuaysideError('CLOUD_NOT_FOUND', `no metadata asset ${assetId}`);
    const old = await this.db.selectFrom('pf_meta_annotations').selectAll().where('asset', '=', assetId).executeTakeFirst();
    const row = {
      asset: assetId,
      description: patch.description !== undefined ? patch.description : (old?.description ?? null),
      owner: patch.owner !== undefined ? patch.owner : (old?.owner ?? null),
      tags: patch.tags !== undefined ? (patch.tags === null ? null : JSON.stringify([...new Set(patch.tags)])) : (old?.tags ?? null),
      updated_at: this.now(),
      updated_by: by,
    };
    await this.db
      .insertInto('pf_meta_annotations')
      .values(row)
      .onConflict((oc) => oc.column('asset').doUpdateSet({ description: row.description, owner: row.owner, tags: row.tags, updated_at: row.updated_at, updated_by: by }))
      .execute();
    return (await this.metadata()).find((a) => a.id === assetId)!;
  }
}

async function* emptyPages(): AsyncGenerator<never> {}

function runRecord(r: Record<string, unknown>): RunRecord {
  const n = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  return {
    id: Number(r['id']),
    connectorId: String(r['connector_id']),
    connectorVersion: Number(r['connector_version']),
    pipelineId: (r['pipeline_id'] as string | null) ?? null,
    pipelineVersion: n('pipeline_version'),
    dataset: String(r['dataset']),
    trigger: String(r['trigger']),
    status: r['status'] as RunRecord['status'],
    attempts: Number(r['attempts']),
    startedAt: Number(r['started_at']),
    finishedAt: n('finished_at'),
    durationMs: n('duration_ms'),
    rowsIn: Number(r['rows_in']),
    rowsOut: Number(r['rows_out']),
    rowsRejected: Number(r['rows_rejected']),
    rowsInserted: Number(r['rows_inserted']),
    rowsUpdated: Number(r['rows_updated']),
    rowsUnchanged: Number(r['rows_unchanged']),
    cursorBefore: (r['cursor_before'] as string | null) ?? null,
    cursorAfter: (r['cursor_after'] as string | null) ?? null,
    error: (r['error'] as string | null) ?? null,
  };
}

function qualityRecord(r: { id: number; dataset: string; dataset_version: number; trigger: string; load_run_id: number | null; started_at: number; duration_ms: number; rows: number; score: number | null; indicators: string }): QualityRunRecord {
  return {
    id: Number(r.id),
    dataset: r.dataset,
    datasetVersion: Number(r.dataset_version),
    trigger: r.trigger,
    loadRunId: r.load_run_id === null ? null : Number(r.load_run_id),
    startedAt: Number(r.started_at),
    durationMs: Number(r.duration_ms),
    rows: Number(r.rows),
    score: r.score === null ? null : Number(r.score),
    indicators: JSON.parse(r.indicators) as Partial<Record<Indicator, number>>,
  };
}

function issueRecord(r: { id: number; dataset: string; rule_id: string; indicator: string; owner: string; status: string; failed: number; checked: number; sample: string; first_run_id: number; last_run_id: number; opened_at: number; updated_at: number; resolved_at: number | null; note: string }): QualityIssue {
  return {
    id: Number(r.id),
    dataset: r.dataset,
    ruleId: r.rule_id,
    indicator: r.indicator,
    owner: r.owner,
    status: r.status as IssueStatus,
    failed: Number(r.failed),
    checked: Number(r.checked),
    sample: JSON.parse(r.sample) as unknown,
    firstRunId: Number(r.first_run_id),
    lastRunId: Number(r.last_run_id),
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
    note: r.note,
  };
}
