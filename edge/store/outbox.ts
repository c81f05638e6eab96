/**
 * The outbox (schema.ts migration 2): what the sync loop sends, by sequence number.
 *
 * Telemetry and store events are referenced, not copied: a row carries the inclusive id range of
 * `readings` (telemetry) or `events` (event) it stands for. Rows are cut from a per-kind cursor (kv
 * `sync.cursor.<kind>`: the highest source id already in a row) in the same transaction that moves the
 * cursor, so every committed reading lands in exactly one row. Items other modules hand over (records,
 * surveys, vision events) are copied into `payload` by `enqueue`.
 *
 * A row is *open* until the cloud commits it (`acked_at`) or refuses it for good (`rejected`). Source
 * rows below the lowest open range are settled: retention may prune them by age.
 */
import crypto from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { EnvelopeKind } from '../../shared/contracts/topics.js';

/** Kinds whose items live in a store table and are referenced by id range. */
export type RangeKind = 'telemetry' | 'event';
export const RANGE_KINDS: readonly RangeKind[] = ['telemetry', 'event'];
const SOURCE: Record<RangeKind, string> = { telemetry: 'readings', event: 'events' };

export interface OutboxRow {
  seq: number;
  kind: EnvelopeKind;
  created: number;
  fromId: number | null;
  toId: number | null;
  payload: string | null;
  items: number;
  bytes: number | null;
  batchId: string;
  sentAt: number | null;
  attempts: number;
  ackedAt: number | null;
  rejected: string | null;
}

interface RawRow {
  seq: number;
  kind: string;
  created: number;
  from_id: number | null;
  to_id: number | null;
  payload: string | null;
  items: number;
  bytes: number | null;
  batch_id: string;
  sent_at: number | null;
  attempts: number;
  acked_at: number | null;
  rejected: string | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  seq: r.seq,
  kind: r.kind as EnvelopeKind,
  created: r.created,
  fromId: r.from_id,
  toId: r.to_id,
  payload: r.payload,
  items: r.items,
  bytes: r.bytes,
  batchId: r.batch_id,
  sentAt: r.sent_at,
  attempts: r.attempts,
  ackedAt: r.acked_at,
  rejected: r.rejected,
});

/** A reading row as the envelope builder reads it: [id, device, point, ts, value, text, quality, reason, detail]. */
export type RawReading = [number, string, string, number, number | null, string | null, string, string | null, string | null];
/** An event row: [id, ts, device, kind, severity, point, message, data]. */
export type RawEvent = [number, number, string | null, string, string, string | null, string, string | null];

export interface SentUpdate {
  seq: number;
  at: number;
  items: number;
  bytes: number;
}

export interface DroppedSpan {
  /** Readings deleted. */
  readings: number;
  /** Outbox rows deleted because nothing of them was left. */
  rows: number;
  fromTs: number | null;
  toTs: number | null;
  /** Highest reading id deleted. */
  lastId: number;
}

const OPEN = 'acked_at IS NULL AND rejected IS NULL';
const COLS = 'seq, kind, created, from_id, to_id, payload, items, bytes, batch_id, sent_at, attempts, acked_at, rejected';

export class Outbox {
  private readonly st: Record<string, Statement>;
  private readonly maxId: Record<RangeKind, Statement>;
  private readonly minId: Record<RangeKind, Statement>;
  /** The cursors, kept in memory too: this class is their only writer. */
  private readonly cursors = new Map<RangeKind, number>();

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.maxId = { telemetry: p('SELECT max(id) FROM readings').pluck(), event: p('SELECT max(id) FROM events').pluck() };
    this.minId = { telemetry: p('SELECT min(id) FROM readings').pluck(), event: p('SELECT min(id) FROM events').pluck() };
    this.st = {
      kvGet: p('SELECT value FROM kv WHERE key = ?').pluck(),
      kvSet: p('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      insertRange: p('INSERT INTO outbox (kind, created, from_id, to_id, items, batch_id) VALUES (?, ?, ?, ?, ?, ?)'),
      insertPayload: p('INSERT INTO outbox (kind, created, payload, items, bytes, batch_id) VALUES (?, ?, ?, ?, ?, ?)'),
      get: p(`SELECT ${COLS} FROM outbox WHERE seq = ?`),
      openAsc: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} ORDER BY seq ASC LIMIT ?`),
      openDesc: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} ORDER BY seq DESC LIMIT ?`),
      openOtherAsc: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} AND kind <> 'telemetry' ORDER BY seq ASC LIMIT ?`),
      openKindAsc: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} AND kind = ? ORDER BY seq ASC LIMIT ?`),
      openKindDesc: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} AND kind = ? ORDER BY seq DESC LIMIT ?`),
      openTelemetryAfter: p(`SELECT ${COLS} FROM outbox WHERE ${OPEN} AND kind = 'telemetry' AND seq > ? AND from_id > ? ORDER BY seq ASC LIMIT ?`),
      maxSeq: p('SELECT coalesce(max(seq), 0) FROM outbox').pluck(),
      // Range rows are cut in id order and a split's remainder gets a higher seq: the lowest open seq of a kind holds its lowest open id.
      lowestOpenFrom: p(`SELECT from_id FROM outbox WHERE ${OPEN} AND kind = ? AND from_id IS NOT NULL ORDER BY seq LIMIT 1`).pluck(),
      openCounts: p(`SELECT kind, count(*) AS n, coalesce(sum(items), 0) AS items, min(created) AS oldest FROM outbox WHERE ${OPEN} GROUP BY kind`),
      readings: p('SELECT id, device, point, ts, value, text, quality, reason, detail FROM readings WHERE id >= ? AND id <= ? ORDER BY id').raw(),
      events: p('SELECT id, ts, device, kind, severity, point, message, data FROM events WHERE id >= ? AND id <= ? ORDER BY id').raw(),
      markSent: p('UPDATE outbox SET sent_at = ?, attempts = attempts + 1, items = ?, bytes = ? WHERE seq = ?'),
      ack: p('UPDATE outbox SET acked_at = ? WHERE seq = ? AND acked_at IS NULL AND rejected IS NULL'),
      reject: p('UPDATE outbox SET rejected = ? WHERE seq = ? AND acked_at IS NULL AND rejected IS NULL'),
      shrink: p('UPDATE outbox SET to_id = ?, items = ? WHERE seq = ?'),
      deleteSettled: p('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE (acked_at IS NOT NULL AND acked_at < ?) LIMIT ?)'),
      deleteRejectedBelow: p(`DELETE FROM outbox WHERE rejected IS NOT NULL AND kind = ? AND to_id < ?`),
      dropRows: p(`DELETE FROM outbox WHERE ${OPEN} AND kind = 'telemetry' AND to_id <= ?`),
      trimRows: p(`UPDATE outbox SET from_id = ? + 1 WHERE ${OPEN} AND kind = 'telemetry' AND from_id <= ? AND to_id > ?`),
      nthReadingId: p('SELECT id FROM readings WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?').pluck(),
      tsSpan: p('SELECT min(ts) AS fromTs, max(ts) AS toTs, count(*) AS n FROM readings WHERE id <= ?'),
      deleteReadings: p('DELETE FROM readings WHERE id <= ?'),
      firstOpenReadingTs: p('SELECT ts FROM readings WHERE id >= ? ORDER BY id LIMIT 1').pluck(),
    };
  }

  // ------------------------------------------------------------------ cursors and cutting

  /** Highest source id already in an outbox row. */
  cursor(kind: RangeKind): number {
    let c = this.cursors.get(kind);
    if (c === undefined) {
      const v = this.st['kvGet']!.get(`sync.cursor.${kind}`) as string | undefined;
      c = v === undefined ? 0 : Number(v);
      this.cursors.set(kind, c);
    }
    return c;
  }

  /** Inside the caller's transaction; the cached value follows only if it commits (see `tx`). */
  private setCursor(kind: RangeKind, id: number): void {
    this.st['kvSet']!.run(`sync.cursor.${kind}`, String(id));
    this.pendingCursors.set(kind, id);
  }

  private readonly pendingCursors = new Map<RangeKind, number>();

  /** Runs `fn` in a transaction; cursor changes reach the in-memory copy only after the commit. */
  private tx<T>(fn: () => T): T {
    this.pendingCursors.clear();
    try {
      const r = this.db.transaction(fn)();
      for (const [k, v] of this.pendingCursors) this.cursors.set(k, v);
      return r;
    } finally {
      this.pendingCursors.clear();
    }
  }

  maxSourceId(kind: RangeKind): number {
    return (this.maxId[kind].get() as number | null) ?? 0;
  }

  /** Source ids not yet in any row. */
  unbatched(kind: RangeKind): number {
    return Math.max(0, this.maxSourceId(kind) - this.cursor(kind));
  }

  /**
   * Cuts rows of exactly `width` ids from the cursor while at least `width` unbatched ids exist (id
   * arithmetic only: nothing is read). Returns how many rows were created.
   */
  planFull(kind: RangeKind, width: number, now: number): number {
    const max = this.maxSourceId(kind);
    let cur = this.cursor(kind);
    if (max - cur < width) return 0;
    return this.tx(() => {
      let n = 0;
      while (max - cur >= width) {
        this.st['insertRange']!.run(kind, now, cur + 1, cur + width, width, crypto.randomUUID());
        cur += width;
        n++;
      }
      this.setCursor(kind, cur);
      return n;
    });
  }

  /** Cuts every unbatched id (at most `width`) into one row; undefined when there is none. */
  cutTail(kind: RangeKind, width: number, now: number): OutboxRow | undefined {
    const max = this.maxSourceId(kind);
    const cur = this.cursor(kind);
    if (max <= cur) return undefined;
    return this.tx(() => {
      const to = Math.min(max, cur + width);
      const seq = Number(this.st['insertRange']!.run(kind, now, cur + 1, to, to - cur, crypto.randomUUID()).lastInsertRowid);
      this.setCursor(kind, to);
      return this.get(seq);
    });
  }

  /**
   * A row that has never been sent and whose items do not fit one envelope keeps [from, lastId]; the rest
   * becomes a new row (a new seq). Returns the new row.
   */
  split(seq: number, lastId: number, keptItems: number, now: number): OutboxRow {
    return this.db.transaction(() => {
      const r = this.get(seq);
      if (!r || r.fromId === null || r.toId === null || lastId < r.fromId || lastId >= r.toId) throw new Error(`outbox row ${seq} cannot be split at ${lastId}`);
      if (r.attempts > 0) throw new Error(`outbox row ${seq} was sent already; its items cannot change`);
      this.st['shrink']!.run(lastId, keptItems, seq);
      const newSeq = Number(this.st['insertRange']!.run(r.kind, now, lastId + 1, r.toId, r.toId - lastId, crypto.randomUUID()).lastInsertRowid);
      return this.get(newSeq)!;
    })();
  }

  /** Items handed over by another module (records, surveys, vision events), one row per batch of JSON items. */
  enqueue(kind: EnvelopeKind, batches: readonly (readonly string[])[], now: number): number[] {
    return this.db.transaction(() =>
      batches.map((items) => {
        const payload = `[${items.join(',')}]`;
        return Number(this.st['insertPayload']!.run(kind, now, payload, items.length, Buffer.byteLength(payload), crypto.randomUUID()).lastInsertRowid);
      }),
    )();
  }

  // ------------------------------------------------------------------ reading

  get(seq: number): OutboxRow | undefined {
    const r = this.st['get']!.get(seq) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Open rows (not acked, not rejected), oldest or newest first; optionally of one kind, or every kind but telemetry. */
  open(order: 'asc' | 'desc', limit: number, kind?: EnvelopeKind | 'non-telemetry'): OutboxRow[] {
    let rows: RawRow[];
    if (kind === 'non-telemetry') rows = this.st['openOtherAsc']!.all(limit) as RawRow[];
    else if (kind) rows = this.st[order === 'asc' ? 'openKindAsc' : 'openKindDesc']!.all(kind, limit) as RawRow[];
    else rows = this.st[order === 'asc' ? 'openAsc' : 'openDesc']!.all(limit) as RawRow[];
    return rows.map(toRow);
  }

  /** Open telemetry rows cut after `seq` from readings after `id`, oldest first (the live data after a link-up). */
  openTelemetryAfter(seq: number, id: number, limit: number): OutboxRow[] {
    return (this.st['openTelemetryAfter']!.all(seq, id, limit) as RawRow[]).map(toRow);
  }

  /** The highest seq ever given out (0 for an empty outbox). */
  maxSeq(): number {
    return this.st['maxSeq']!.get() as number;
  }

  readReadings(from: number, to: number): RawReading[] {
    return this.st['readings']!.all(from, to) as RawReading[];
  }

  readEvents(from: number, to: number): RawEvent[] {
    return this.st['events']!.all(from, to) as RawEvent[];
  }

  /** Source ids below this are settled (committed or refused by the cloud): retention may prune them. */
  lowestOpenId(kind: RangeKind): number {
    const open = this.st['lowestOpenFrom']!.get(kind) as number | null;
    return open ?? this.cursor(kind) + 1;
  }

  /** Timestamp of the oldest reading the cloud has not committed, or null. */
  oldestOpenReadingTs(): number | null {
    const low = this.lowestOpenId('telemetry');
    return (this.st['firstOpenReadingTs']!.get(low) as number | undefined) ?? null;
  }

  stats(): { openRows: number; openItems: number; openByKind: Record<string, { rows: number; items: number }>; oldestOpenCreated: number | null } {
    let openRows = 0;
    let openItems = 0;
    let oldest: number | null = null;
    const openByKind: Record<string, { rows: number; items: number }> = {};
    for (const r of this.st['openCounts']!.all() as { kind: string; n: number; items: number; oldest: number }[]) {
      openRows += r.n;
      openItems += r.items;
      openByKind[r.kind] = { rows: r.n, items: r.items };
      if (oldest === null || r.oldest < oldest) oldest = r.oldest;
    }
    return { openRows, openItems, openByKind, oldestOpenCreated: oldest };
  }

  // ------------------------------------------------------------------ writing state

  /** Records sends and outcomes in one transaction (called once per tick with everything that happened). */
  apply(u: { sent?: readonly SentUpdate[]; acked?: readonly number[]; rejected?: readonly { seq: number; reason: string }[]; now: number }): { acked: number; rejected: number } {
    return this.db.transaction(() => {
      for (const s of u.sent ?? []) this.st['markSent']!.run(s.at, s.items, s.bytes, s.seq);
      let acked = 0;
      let rejected = 0;
      for (const seq of u.acked ?? []) acked += this.st['ack']!.run(u.now, seq).changes;
      for (const r of u.rejected ?? []) rejected += this.st['reject']!.run(r.reason.slice(0, 600), r.seq).changes;
      return { acked, rejected };
    })();
  }

  /** Deletes rows acknowledged before `before` (their items are in the cloud). */
  deleteSettled(before: number, chunk = 5000): number {
    let n = 0;
    for (;;) {
      const c = this.st['deleteSettled']!.run(before, chunk).changes;
      n += c;
      if (c < chunk) return n;
    }
  }

  /**
   * Deletes the oldest `count` readings (none above `upToId`), open or not, in one transaction, with the
   * outbox rows left empty by it; rows cut in part start after the deleted ids. The cursor moves past them.
   */
  dropOldestReadings(count: number, upToId = Number.MAX_SAFE_INTEGER): DroppedSpan {
    return this.tx((): DroppedSpan => {
      const min = this.minId.telemetry.get() as number | null;
      const max = this.maxSourceId('telemetry');
      if (min === null || count <= 0) return { readings: 0, rows: 0, fromTs: null, toTs: null, lastId: 0 };
      // Never the newest reading: ids must keep growing (see store.prune).
      let last = (this.st['nthReadingId']!.get(min, count - 1) as number | undefined) ?? max;
      if (last >= max) last = max - 1;
      if (last > upToId) last = upToId;
      if (last < min) return { readings: 0, rows: 0, fromTs: null, toTs: null, lastId: 0 };
      const span = this.st['tsSpan']!.get(last) as { fromTs: number | null; toTs: number | null; n: number };
      const readings = this.st['deleteReadings']!.run(last).changes;
      const rows = this.st['dropRows']!.run(last).changes;
      this.st['trimRows']!.run(last, last, last);
      this.st['deleteRejectedBelow']!.run('telemetry', last + 1);
      if (this.cursor('telemetry') < last) this.setCursor('telemetry', last);
      return { readings, rows, fromTs: span.fromTs, toTs: span.toTs, lastId: last };
    });
  }

  /** Lowest and highest reading id (null when empty). */
  readingIdSpan(): { min: number; max: number } | null {
    const min = this.minId.telemetry.get() as number | null;
    if (min === null) return null;
    return { min, max: this.maxSourceId('telemetry') };
  }
}
