/**
 * The edge store: one SQLite file (WAL, synchronous=NORMAL: a commit survives a crash of the process;
 * only an OS crash or power cut may lose the last few), versioned migrations, the batched ReadingWriter
 * and the queries the API needs. Only main/app opens it; everything else gets this object.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { HealthState, QualityReason } from '../../shared/contracts/reading.js';
import { QuaysideError } from '../../shared/errors.js';
import { decodeValue, fromRow, type ReadingRow, type StoredReading } from './codec.js';
import { MIGRATIONS } from './schema.js';
import { ReadingWriter, type LatestEntry, type WriterOptions } from './writer.js';

export type { StoredReading } from './codec.js';
export type { LatestEntry, WriterStats } from './writer.js';
export { ReadingWriter } from './writer.js';

export const STORE_FILE = 'edge.sqlite';

export interface HistoryQuery {
  device: string;
  point?: string | undefined;
  from: number;
  to: number;
  limit: number;
  order?: 'asc' | 'desc';
}

/** What happened: device life (alarm … gateway), or a camera detection (edge/vision: plate … draft). */
export type EventKind = 'alarm' | 'health' | 'write' | 'device' | 'gateway' | 'plate' | 'container' | 'ocr' | 'face' | 'draft';
export type EventSeverity = 'info' | 'warning' | 'critical';

export interface StoredEvent {
  id: number;
  ts: number;
  device: string | null;
  kind: EventKind;
  severity: EventSeverity;
  point: string | null;
  message: string;
  data: unknown;
}

export interface NewEvent {
  ts: number;
  device?: string;
  kind: EventKind;
  severity: EventSeverity;
  point?: string;
  message: string;
  data?: unknown;
}

export interface DeviceHealthRow {
  device: string;
  state: HealthState;
  reason: QualityReason | null;
  detail: string | null;
  since: number;
  updated: number;
}

/** Rows `prune` must keep: ids at or above these bounds (not yet acknowledged by the cloud). */
export interface PruneKeep {
  readingsFromId?: number;
  eventsFromId?: number;
}

export interface StoreOptions {
  /** The SQLite file, or a folder to hold STORE_FILE. */
  file?: string;
  dataDir?: string;
  logger?: Logger;
}

export class EdgeStore {
  readonly file: string;
  readonly db: Database.Database;
  /** device → point → newest committed reading (loaded at open, kept by the writer). */
  private readonly latestMap = new Map<string, Map<string, LatestEntry>>();
  private writerInstance: ReadingWriter | undefined;
  private readonly log: Logger | undefined;
  private readonly stmt: ReturnType<EdgeStore['prepareAll']>;

  static open(opts: StoreOptions): EdgeStore {
    const file = opts.file ?? path.join(opts.dataDir ?? '.', STORE_FILE);
    return new EdgeStore(file, opts.logger);
  }

  private constructor(file: string, logger: Logger | undefined) {
    this.file = file;
    this.log = logger;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('cache_size = -32000'); // 32 MB: the hot leaf page of every series stays cached
    // Checkpoint every ~40 MB of WAL instead of 4 MB: the series index makes each batch touch one leaf
    // page per series, and fewer, larger checkpoints cost far less (≈1.4× ingest in bench/sqlite-ingest).
    this.db.pragma('wal_autocheckpoint = 10000');
    this.migrate();
    this.stmt = this.prepareAll();
    this.loadLatest();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new QuaysideError('EDGE_STORE_WRITE', `${this.file} has schema version ${current}, newer than this gateway (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
      this.log?.info({ version: v + 1 }, 'store schema migrated');
    }
  }

  private prepareAll() {
    const db = this.db;
    const cols = 'id, device, point, ts, value, text, quality, reason, detail';
    return {
      historyPointAsc: db.prepare(`SELECT ${cols} FROM readings WHERE device = ? AND point = ? AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`),
      historyPointDesc: db.prepare(`SELECT ${cols} FROM readings WHERE device = ? AND point = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`),
      historyAsc: db.prepare(`SELECT ${cols} FROM readings WHERE device = ? AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`),
      historyDesc: db.prepare(`SELECT ${cols} FROM readings WHERE device = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`),
      countAll: db.prepare('SELECT count(*) FROM readings').pluck(),
      countDevice: db.prepare('SELECT count(*) FROM readings WHERE device = ?').pluck(),
      countPoint: db.prepare('SELECT count(*) FROM readings WHERE device = ? AND point = ?').pluck(),
      countByDevice: db.prepare('SELECT device, count(*) AS n FROM readings GROUP BY device'),
      maxId: db.prepare('SELECT max(id) FROM readings').pluck(),
      latestAll: db.prepare('SELECT reading_id AS id, device, point, ts, value, text, quality, reason, detail FROM latest'),
      series: db.prepare('SELECT device, point FROM latest'),
      pruneSeries: db.prepare('DELETE FROM readings WHERE rowid IN (SELECT rowid FROM readings WHERE device = ? AND point = ? AND ts < ? AND id < ? LIMIT ?)'),
      pruneEvents: db.prepare('DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE ts < ? AND id < ? ORDER BY ts LIMIT ?)'),
      maxEventId: db.prepare('SELECT max(id) FROM events').pluck(),
      insertEvent: db.prepare('INSERT INTO events (ts, device, kind, severity, point, message, data) VALUES (?,?,?,?,?,?,?)'),
      eventsRecent: db.prepare('SELECT * FROM events WHERE ts >= ? ORDER BY id DESC LIMIT ?'),
      eventsDevice: db.prepare('SELECT * FROM events WHERE device = ? AND ts >= ? ORDER BY id DESC LIMIT ?'),
      upsertHealth: db.prepare(
        `INSERT INTO device_health (device, state, reason, detail, since, updated) VALUES (?,?,?,?,?,?)
         ON CONFLICT (device) DO UPDATE SET state = excluded.state, reason = excluded.reason, detail = excluded.detail,
           since = excluded.since, updated = excluded.updated`,
      ),
      healthAll: db.prepare('SELECT * FROM device_health'),
      kvGet: db.prepare('SELECT value FROM kv WHERE key = ?').pluck(),
      kvSet: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  private loadLatest(): void {
    for (const r of this.stmt.latestAll.all() as ReadingRow[]) {
      let m = this.latestMap.get(r.device);
      if (!m) this.latestMap.set(r.device, (m = new Map()));
      m.set(r.point, {
        id: r.id,
        ts: r.ts,
        value: decodeValue(r.value, r.text),
        quality: r.quality as LatestEntry['quality'],
        reason: (r.reason ?? undefined) as LatestEntry['reason'],
        detail: r.detail ?? undefined,
      });
    }
  }

  /** The one writer of this store (created on first call). */
  writer(opts: WriterOptions): ReadingWriter {
    this.writerInstance ??= new ReadingWriter(this.db, this.latestMap, { logger: this.log, ...opts });
    return this.writerInstance;
  }

  /** Newest committed reading per point of a device (or of every device). */
  latest(device?: string): StoredReading[] {
    const out: StoredReading[] = [];
    const devices = device === undefined ? [...this.latestMap.keys()] : [device];
    for (const d of devices) {
      const m = this.latestMap.get(d);
      if (!m) continue;
      for (const [point, e] of m) {
        const r: StoredReading = { id: e.id, device: d, point, ts: e.ts, value: e.value, quality: e.quality };
        if (e.reason !== undefined) r.reason = e.reason;
        if (e.detail !== undefined) r.detail = e.detail;
        out.push(r);
      }
    }
    return out;
  }

  latestOf(device: string, point: string): LatestEntry | undefined {
    return this.latestMap.get(device)?.get(point);
  }

  history(q: HistoryQuery): StoredReading[] {
    const desc = q.order === 'desc';
    const rows = (
      q.point !== undefined
        ? (desc ? this.stmt.historyPointDesc : this.stmt.historyPointAsc).all(q.device, q.point, q.from, q.to, q.limit)
        : (desc ? this.stmt.historyDesc : this.stmt.historyAsc).all(q.device, q.from, q.to, q.limit)
    ) as ReadingRow[];
    return rows.map(fromRow);
  }

  count(q: { device?: string; point?: string } = {}): number {
    if (q.device !== undefined && q.point !== undefined) return this.stmt.countPoint.get(q.device, q.point) as number;
    if (q.device !== undefined) return this.stmt.countDevice.get(q.device) as number;
    return this.stmt.countAll.get() as number;
  }

  countByDevice(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmt.countByDevice.all() as { device: string; n: number }[]) out[r.device] = r.n;
    return out;
  }

  maxReadingId(): number {
    return (this.stmt.maxId.get() as number | null) ?? 0;
  }

  addEvent(e: NewEvent): number {
    const info = this.stmt.insertEvent.run(e.ts, e.device ?? null, e.kind, e.severity, e.point ?? null, e.message, e.data === undefined ? null : JSON.stringify(e.data));
    return Number(info.lastInsertRowid);
  }

  events(q: { device?: string; since?: number; limit?: number } = {}): StoredEvent[] {
    const since = q.since ?? 0;
    const limit = q.limit ?? 100;
    const rows = (q.device !== undefined ? this.stmt.eventsDevice.all(q.device, since, limit) : this.stmt.eventsRecent.all(since, limit)) as (Omit<StoredEvent, 'data'> & { data: string | null })[];
    return rows.map((r) => ({ ...r, data: r.data === null ? null : (JSON.parse(r.data) as unknown) }));
  }

  setHealth(h: DeviceHealthRow): void {
    this.stmt.upsertHealth.run(h.device, h.state, h.reason, h.detail, h.since, h.updated);
  }

  healthAll(): DeviceHealthRow[] {
    return this.stmt.healthAll.all() as DeviceHealthRow[];
  }

  kvGet(key: string): string | undefined {
    return (this.stmt.kvGet.get(key) as string | undefined) ?? undefined;
  }

  kvSet(key: string, value: string): void {
    this.stmt.kvSet.run(key, value);
  }

  /**
   * Deletes readings and events older than `cutoffTs`, series by series in small chunks (through the
   * series index), yielding to the event loop between chunks so polling never stalls.
   * `keep` protects rows the cloud has not acknowledged (ids at or above the bounds, see edge/sync), and
   * the newest row of each table always stays, so ids never restart from 1 (the sync pages by id).
   */
  async prune(cutoffTs: number, chunk = 5000, keep: PruneKeep = {}): Promise<{ readings: number; events: number }> {
    let readings = 0;
    let events = 0;
    const readingsBelow = Math.min(keep.readingsFromId ?? Number.MAX_SAFE_INTEGER, this.maxReadingId());
    const eventsBelow = Math.min(keep.eventsFromId ?? Number.MAX_SAFE_INTEGER, (this.stmt.maxEventId.get() as number | null) ?? 0);
    const series = this.stmt.series.all() as { device: string; point: string }[];
    for (const s of series) {
      for (;;) {
        const n = this.stmt.pruneSeries.run(s.device, s.point, cutoffTs, readingsBelow, chunk).changes;
        readings += n;
        if (n < chunk) break;
        await new Promise((r) => setImmediate(r));
      }
    }
    for (;;) {
      const n = this.stmt.pruneEvents.run(cutoffTs, eventsBelow, chunk).changes;
      events += n;
      if (n < chunk) break;
      await new Promise((r) => setImmediate(r));
    }
    if (readings || events) this.log?.info({ readings, events, before: new Date(cutoffTs).toISOString() }, 'retention: pruned old rows');
    return { readings, events };
  }

  /** Flushes the writer (if any) and closes the database. */
  close(): void {
    if (!this.db.open) return;
    this.writerInstance?.close();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* another connection may hold the WAL; the next open recovers it */
    }
    this.db.close();
  }
}
