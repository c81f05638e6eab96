/**
 * ReadingWriter: buffers readings in memory and commits them in one transaction per batch (every
 * `batchMs`, or as soon as `batchRows` are waiting), through multi-row prepared INSERTs. Readings are
 * "stored" only once their batch commits; `flush()` commits what is held (shutdown).
 *
 * Hot path: `add()` pushes eight scalars onto a flat array, nothing else. If a commit fails (disk full,
 * I/O error) the rows stay queued and the next tick retries; beyond `maxPendingRows` the oldest are
 * dropped and counted, so a dead disk cannot exhaust memory.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ReadingValue } from '../../shared/contracts/reading.js';
import type { PointSample } from '../devices/types.js';
import { decodeValue, encodeNumber, encodeText, type StoredReading } from './codec.js';

const COLS = 8;
/** Rows per multi-row INSERT (8 × 64 = 512 bound parameters). */
const CHUNK = 64;

export interface WriterOptions {
  batchMs: number;
  batchRows: number;
  /** Rows held at most while commits fail (default 500,000). */
  maxPendingRows?: number;
  logger?: Logger;
}

export interface WriterStats {
  /** Readings committed by this writer. */
  committed: number;
  batches: number;
  /** Sum/max/last of commit durations, ms (for a Prometheus summary). */
  batchMsSum: number;
  batchMsMax: number;
  lastBatchMs: number;
  pending: number;
  errors: number;
  dropped: number;
  lastError: string | undefined;
}

/** The newest committed reading of a series, kept in memory for the API. */
export interface LatestEntry {
  id: number;
  ts: number;
  value: ReadingValue;
  quality: StoredReading['quality'];
  reason: StoredReading['reason'];
  detail: string | undefined;
}

export type CommitListener = (rows: number) => void;

export class ReadingWriter {
  readonly stats: WriterStats = { committed: 0, batches: 0, batchMsSum: 0, batchMsMax: 0, lastBatchMs: 0, pending: 0, errors: 0, dropped: 0, lastError: undefined };
  private pending: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly insertOne: Statement;
  private readonly insertChunk: Statement;
  private readonly upsertLatest: Statement;
  private readonly lastId: Statement;
  private readonly commit: (params: unknown[]) => number;
  private readonly maxPending: number;
  private readonly listeners: CommitListener[] = [];
  /** Row indexes of the newest reading of each series in the batch being committed. */
  private newestRows: number[] = [];

  constructor(
    db: Database,
    /** device → point → latest; shared with the store's queries. */
    private readonly latest: Map<string, Map<string, LatestEntry>>,
    private readonly opts: WriterOptions,
  ) {
    this.maxPending = (opts.maxPendingRows ?? 500_000) * COLS;
    const cols = 'device, point, ts, value, text, quality, reason, detail';
    const one = `(${new Array(COLS).fill('?').join(',')})`;
    this.insertOne = db.prepare(`INSERT INTO readings (${cols}) VALUES ${one}`);
    this.insertChunk = db.prepare(`INSERT INTO readings (${cols}) VALUES ${new Array(CHUNK).fill(one).join(',')}`);
    this.upsertLatest = db.prepare(
      `INSERT INTO latest (device, point, reading_id, ts, value, text, quality, reason, detail) VALUES (?,?,?,?,?,?,?,?,?)
       ON CONFLICT (device, point) DO UPDATE SET reading_id = excluded.reading_id, ts = excluded.ts, value = excluded.value,
         text = excluded.text, quality = excluded.quality, reason = excluded.reason, detail = excluded.detail`,
    );
    this.lastId = db.prepare('SELECT last_insert_rowid() AS id').pluck();
    this.commit = db.transaction((p: unknown[]) => this.insertAll(p));
  }

  /** Queues one sample of a device. Cheap: no I/O, no allocation beyond the array slots. */
  add(device: string, s: PointSample): void {
    if (this.closed) return;
    const v = s.value;
    this.pending.push(device, s.point, s.ts, encodeNumber(v), encodeText(v), s.quality, s.reason ?? null, s.detail ?? null);
    const rows = this.pending.length / COLS;
    if (rows >= this.opts.batchRows) this.flush();
    else if (!this.timer) this.timer = setTimeout(this.onTimer, this.opts.batchMs);
  }

  /** Called after each successful commit with the number of rows (metrics, tests). */
  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  get pendingRows(): number {
    return this.pending.length / COLS;
  }

  /** Commits everything queued now. Returns the rows committed (0 when the commit failed; they stay queued). */
  flush(): number {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const p = this.pending;
    if (!p.length) return 0;
    const rows = p.length / COLS;
    const t0 = performance.now();
    let lastId: number;
    try {
      lastId = this.commit(p);
    } catch (e) {
      this.stats.errors++;
      this.stats.lastError = (e as Error).message;
      if (this.stats.errors === 1 || this.stats.errors % 100 === 0) {
        this.opts.logger?.error({ err: e, pending: rows, errors: this.stats.errors }, 'readings could not be committed; keeping them queued');
      }
      if (p.length > this.maxPending) {
        const drop = p.length - this.maxPending;
        p.splice(0, drop);
        this.stats.dropped += drop / COLS;
      }
      this.stats.pending = p.length / COLS;
      if (!this.closed && !this.timer) this.timer = setTimeout(this.onTimer, Math.max(this.opts.batchMs, 1000));
      return 0;
    }
    this.pending = [];
    const ms = performance.now() - t0;
    this.updateLatest(p, lastId - rows + 1);
    const st = this.stats;
    st.committed += rows;
    st.batches++;
    st.batchMsSum += ms;
    st.lastBatchMs = ms;
    if (ms > st.batchMsMax) st.batchMsMax = ms;
    st.pending = 0;
    for (const l of this.listeners) l(rows);
    return rows;
  }

  /** Commits what is held and refuses further readings. */
  close(): number {
    const n = this.flush();
    this.closed = true;
    return n;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flush();
  };

  /** Inside the transaction: multi-row inserts, then one latest upsert per series in the batch. Returns the last rowid. */
  private insertAll(p: unknown[]): number {
    const rows = p.length / COLS;
    const full = Math.floor(rows / CHUNK);
    const width = CHUNK * COLS;
    for (let c = 0; c < full; c++) this.insertChunk.run(p.slice(c * width, (c + 1) * width));
    for (let i = full * width; i < p.length; i += COLS) this.insertOne.run(p.slice(i, i + COLS));
    const last = this.lastId.get() as number;
    // Newest row of each series in this batch (scan backwards, first hit wins).
    const seen = new Set<string>();
    const newest: number[] = (this.newestRows = []);
    for (let r = rows - 1; r >= 0; r--) {
      const o = r * COLS;
      const key = `${p[o] as string}\u0000${p[o + 1] as string}`;
      if (seen.has(key)) continue;
      seen.add(key);
      newest.push(r);
      this.upsertLatest.run(p[o], p[o + 1], last - rows + 1 + r, p[o + 2], p[o + 3], p[o + 4], p[o + 5], p[o + 6], p[o + 7]);
    }
    return last;
  }

  private updateLatest(p: unknown[], firstId: number): void {
    for (const r of this.newestRows) {
      const o = r * COLS;
      const device = p[o] as string;
      let byPoint = this.latest.get(device);
      if (!byPoint) this.latest.set(device, (byPoint = new Map()));
      byPoint.set(p[o + 1] as string, {
        id: firstId + r,
        ts: p[o + 2] as number,
        value: decodeValue(p[o + 3] as number | null, p[o + 4] as string | null),
        quality: p[o + 5] as StoredReading['quality'],
        reason: (p[o + 6] ?? undefined) as StoredReading['reason'],
        detail: (p[o + 7] ?? undefined) as string | undefined,
      });
    }
  }
}
