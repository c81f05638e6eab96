/**
 * The sync loop: outbox rows → envelopes → the link, with a window of batches in flight, resends, and
 * acknowledgement only by the cloud's commit (`down/committed`, never a PUBACK).
 *
 * Each tick (after a store commit, an ack, a (re)connect, or every `tickMs`):
 *   1. settle what happened since the last tick in one transaction (sends, acks, rejections);
 *   2. cut full-size telemetry rows from the readings cursor (id arithmetic only; also while offline);
 *   3. resend batches in flight whose commit is overdue (same seq, same items: the cloud dedupes);
 *   4. fill the window, in this order:
 *        a. events, records and surveys, oldest first (few, and each one matters);
 *        b. LIVE, oldest first: rows of readings made since the link last came up, then the unbatched
 *           tail cut into a batch; one live slot always, up to `liveSlots` while the cloud keeps pace;
 *        c. BACKLOG, oldest first, in the other `window − liveSlots` slots, as far as the congestion
 *           window allows.
 *
 * The policy, and why:
 *   - Live first. At each link-up the loop draws a line under what is stored (the highest seq and the
 *     batching cursor): everything above it is live and goes in the live slots, in order; everything
 *     below is backlog and drains from the oldest end in the other slots. So after an outage the readings
 *     made since the link came back never queue behind the backlog at the edge, however long the
 *     catch-up takes, and with no backlog the distinction vanishes (backlog slots carry live rows too).
 *   - The backlog is paced by the cloud. Commit times (first send → ack) drive an AIMD congestion window
 *     for backlog batches: +1 per ack while commits take less than half of `targetCommitMs`, +1/window up
 *     to the target, halved (once per round trip, down to a quarter = one batch per four round trips)
 *     beyond it. The cloud ingests in arrival order, so without this fifty gateways catching up at once
 *     would bury every live batch behind seconds of backlog there; with it the backlog still takes all the
 *     capacity live data leaves, at full speed, while the cloud's queue stays near the target.
 *   - Live batches grow with the cloud's pace (Nagle): a partial live batch is not cut while the previous
 *     one waits for its commit (at most `maxLingerMs`), so a slower cloud gets fewer, larger envelopes.
 *   - On reconnect without a session (the broker forgot us, and maybe the acks it held) the batches in
 *     flight are open again and go out by this same policy, not all at once; with a session they get
 *     `reconnectGraceMs` for their queued acks to arrive before they are resent.
 *
 * A batch's envelope is rebuilt from the store whenever it is sent: the rows it names never change, so a
 * resend carries the same items under the same seq.
 */
import type { Logger } from 'pino';
import { MAX_ENVELOPE_BYTES, MAX_ENVELOPE_ITEMS, committedSeqs, type CommittedAck } from '../../shared/contracts/envelope.js';
import { topics, type GatewayId } from '../../shared/contracts/topics.js';
import type { Outbox, OutboxRow, RangeKind, SentUpdate } from '../store/outbox.js';
import { ReadingSerializer, envelopeBytes, envelopeOverhead, eventItem, pack, type UnitLookup } from './batch.js';

/** What the loop needs of the MQTT client (uplink.ts). */
export interface SyncLink {
  readonly connected: boolean;
  /** QoS 1; resolves on PUBACK, rejects when the client could not send it. */
  publish(topic: string, payload: Buffer): Promise<void>;
}

export interface SyncLoopOptions {
  maxItems: number;
  maxBytes: number;
  window: number;
  liveSlots: number;
  ackTimeoutMs: number;
  /** Periodic tick (resends, events added without a nudge). */
  tickMs?: number;
  reconnectGraceMs?: number;
  /**
   * Commit round-trip the backlog aims at (ms, default 1000). Backlog batches in flight grow while commits
   * come back faster and halve when slower, so the cloud's queue stays short and a live batch never waits
   * behind a deep backlog there.
   */
  targetCommitMs?: number;
  /** A partial (not full) live batch waits at most this long for the previous one to be committed (default 500). */
  maxLingerMs?: number;
}

interface Flight {
  seq: number;
  kind: string;
  live: boolean;
  /** A live batch cut before it was full (at most one in flight: see tick). */
  partial: boolean;
  items: number;
  bytes: number;
  firstSent: number;
  lastSent: number;
  attempts: number;
  dueAt: number;
}

export interface SyncCounters {
  batches_sent_total: number;
  items_sent_total: number;
  bytes_sent_total: number;
  resends_total: number;
  acks_total: number;
  items_acked_total: number;
  acks_unknown_total: number;
  rejected_total: number;
  publish_errors_total: number;
  splits_total: number;
  ticks_total: number;
  /** Milliseconds from first send to commit, summed over acked batches in flight (for a mean). */
  commit_ms_sum: number;
  commit_ms_count: number;
  /** Backlog batches the loop allows in flight now (congestion window) and the smoothed commit time. */
  backlog_window: number;
  commit_ms_smoothed: number;
}

export class SyncLoop {
  private readonly inflight = new Map<number, Flight>();
  private sent: SentUpdate[] = [];
  private acked: number[] = [];
  private rejected: { seq: number; reason: string }[] = [];
  private readonly readings: ReadingSerializer;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backlogSlots: number;
  private readonly idleWaiters: (() => void)[] = [];
  readonly counters: SyncCounters = {
    batches_sent_total: 0,
    items_sent_total: 0,
    bytes_sent_total: 0,
    resends_total: 0,
    acks_total: 0,
    items_acked_total: 0,
    acks_unknown_total: 0,
    rejected_total: 0,
    publish_errors_total: 0,
    splits_total: 0,
    ticks_total: 0,
    commit_ms_sum: 0,
    commit_ms_count: 0,
    backlog_window: 4,
    commit_ms_smoothed: 0,
  };
  /** Congestion window for backlog batches (AIMD on the commit time, see targetCommitMs). */
  private cwnd = 4;
  private srtt = 0;
  private lastCut = 0;
  /** When the unbatched tail became non-empty. */
  private tailSince: number | undefined;
  /** Below a window of 1, the next backlog batch waits until then (pacing). */
  private pacedAt = 0;
  private readonly topicOf: Record<string, string>;
  /**
   * The line drawn at the last link-up: telemetry rows with a higher seq, made of readings after this
   * cursor, are live. Before the first link-up only the unbatched tail is.
   */
  private liveAfter = { seq: Infinity, id: Infinity };

  constructor(
    private readonly o: {
      outbox: Outbox;
      gw: GatewayId;
      link: SyncLink;
      unitFor: UnitLookup;
      options: SyncLoopOptions;
      log: Logger;
      now?: () => number;
    },
  ) {
    this.readings = new ReadingSerializer(o.unitFor);
    const w = o.options.window;
    this.backlogSlots = w > 1 ? Math.max(1, w - Math.min(o.options.liveSlots, w - 1)) : 1;
    this.topicOf = {
      telemetry: topics.up(o.gw, 'telemetry'),
      event: topics.up(o.gw, 'event'),
      survey: topics.up(o.gw, 'survey'),
      record: topics.up(o.gw, 'record'),
    };
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  start(): void {
    const every = this.o.options.tickMs ?? 250;
    const loop = () => {
      this.timer = setTimeout(loop, every);
      this.timer.unref();
      this.tick();
    };
    this.timer = setTimeout(loop, every);
    this.timer.unref();
    this.nudge();
  }

  /** Asks for a tick soon (coalesced). */
  nudge(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  inFlightLive(): number {
    let n = 0;
    for (const f of this.inflight.values()) if (f.live) n++;
    return n;
  }

  /** Resolves when nothing is in flight (or after timeoutMs). */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.inflight.size === 0) return true;
    let t: NodeJS.Timeout | undefined;
    const ok = await Promise.race([new Promise<boolean>((r) => this.idleWaiters.push(() => r(true))), new Promise<boolean>((r) => (t = setTimeout(() => r(false), timeoutMs)))]);
    if (t) clearTimeout(t);
    return ok;
  }

  /** Stops ticking and writes what is pending to the store. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.flushState();
  }

  // ------------------------------------------------------------------ link events

  onConnected(sessionPresent: boolean): void {
    const now = this.now();
    this.liveAfter = { seq: this.o.outbox.maxSeq(), id: this.o.outbox.cursor('telemetry') };
    const grace = this.o.options.reconnectGraceMs ?? 3000;
    if (sessionPresent) {
      // The broker kept our session: acks queued while we were away arrive now; resend only what stays silent.
      for (const f of this.inflight.values()) f.dueAt = Math.min(f.dueAt, now + grace);
    } else {
      // The broker forgot us (and maybe the acks it held): every batch in flight is open again and goes out
      // by the usual policy — newest first in the live slots, the rest under the congestion window — instead
      // of all at once, which would bury the live batch at the back of the cloud's queue.
      this.inflight.clear();
      this.wakeIdle();
    }
    // The cloud may have restarted: find its pace again from a small window.
    this.cwnd = Math.min(this.cwnd, 2);
    this.counters.backlog_window = this.cwnd;
    this.srtt = 0;
    this.nudge();
  }

  /** A `down/committed` message (already validated). */
  onCommitted(ack: CommittedAck): void {
    const now = this.now();
    for (const seq of committedSeqs(ack)) {
      const f = this.inflight.get(seq);
      if (f) {
        this.inflight.delete(seq);
        this.counters.acks_total++;
        this.counters.items_acked_total += f.items;
        this.counters.commit_ms_sum += now - f.firstSent;
        this.counters.commit_ms_count++;
        if (f.attempts === 1) this.onCommitTime(now - f.firstSent, now);
        if (!f.live && this.cwnd < 1) this.pacedAt = now + this.srtt * (1 / this.cwnd - 1);
      } else {
        // After a restart, or a second ack for a resent batch: the row is settled all the same.
        this.counters.acks_unknown_total++;
      }
      this.acked.push(seq);
    }
    for (const r of ack.rejected ?? []) {
      this.inflight.delete(r.seq);
      this.counters.rejected_total++;
      const reason = `${r.code}: ${r.reason}`;
      this.rejected.push({ seq: r.seq, reason });
      this.o.log.warn({ seq: r.seq, code: r.code, reason: r.reason }, 'the cloud refused a batch; it is kept in its dead letters and not sent again');
    }
    this.wakeIdle();
    this.nudge();
  }

  /** Additive increase while commits come back within the target, halving (once per round trip) beyond it. */
  private onCommitTime(ms: number, now: number): void {
    const target = this.o.options.targetCommitMs ?? 1000;
    this.srtt = this.srtt ? 0.8 * this.srtt + 0.2 * ms : ms;
    if (ms > target) {
      // Down to a quarter: then one backlog batch per 4 round trips, so that many gateways catching up at
      // once do not, between them, keep a deep queue in front of everyone's live data.
      if (now - this.lastCut > this.srtt) {
        this.cwnd = Math.max(0.25, this.cwnd / 2);
        this.lastCut = now;
      }
    } else if (ms < target / 2) this.cwnd = Math.min(this.backlogSlots, this.cwnd + 1);
    else this.cwnd = Math.min(this.backlogSlots, this.cwnd + 1 / Math.max(1, this.cwnd));
    this.counters.backlog_window = this.cwnd;
    this.counters.commit_ms_smoothed = Math.round(this.srtt);
  }

  private wakeIdle(): void {
    if (this.inflight.size === 0 && this.idleWaiters.length) for (const w of this.idleWaiters.splice(0)) w();
  }

  // ------------------------------------------------------------------ the tick

  /** Settles sends/acks/rejections in one transaction. */
  flushState(): void {
    if (!this.sent.length && !this.acked.length && !this.rejected.length) return;
    const sent = this.sent;
    const acked = this.acked;
    const rejected = this.rejected;
    this.sent = [];
    this.acked = [];
    this.rejected = [];
    try {
      this.o.outbox.apply({ sent, acked, rejected, now: this.now() });
    } catch (e) {
      // Keep them for the next tick (disk full, busy): nothing is lost by waiting.
      this.sent.push(...sent);
      this.acked.push(...acked);
      this.rejected.push(...rejected);
      this.o.log.error({ err: e }, 'sync state could not be written; retrying');
    }
  }

  tick(): void {
    if (this.stopped) return;
    this.counters.ticks_total++;
    try {
      this.flushState();
      const now = this.now();
      const { outbox, options } = this.o;
      // Telemetry is cut even while the link is down: the backlog stays in full-size rows.
      outbox.planFull('telemetry', options.maxItems, now);
      if (!this.o.link.connected) return;

      for (const f of this.inflight.values()) if (f.dueAt <= now) this.resend(f, now);

      let free = options.window - this.inflight.size;
      if (free <= 0) return;
      outbox.planFull('event', options.maxItems, now);
      outbox.cutTail('event', options.maxItems, now);

      // a. events, records, surveys
      for (const row of outbox.open('asc', this.inflight.size + free, 'non-telemetry')) {
        if (free <= 0) break;
        if (this.inflight.has(row.seq)) continue;
        if (this.send(row, false, now)) free--;
      }
      // b. live: telemetry made since the link came up, oldest first, then the unbatched tail. The tail is
      //    cut into a batch at once unless a partial live batch is still waiting for its commit (then it
      //    grows meanwhile, like Nagle's algorithm: batches get larger exactly when the cloud is slower),
      //    or it waited maxLingerMs already.
      // The first live slot is always there; more only while the cloud keeps pace (the congestion window).
      const liveCap = Math.max(1, Math.min(options.window - this.backlogSlots, Math.ceil(this.cwnd)));
      let live = 0;
      let partial = false;
      for (const f of this.inflight.values()) {
        if (!f.live) continue;
        live++;
        if (f.partial) partial = true;
      }
      let tail = outbox.unbatched('telemetry');
      if (tail === 0) this.tailSince = undefined;
      else this.tailSince ??= now;
      while (free > 0 && live < liveCap) {
        let row = this.oldestOpenLive();
        if (!row && tail > 0 && this.tailSince !== undefined && (!partial || now - this.tailSince >= (options.maxLingerMs ?? 500))) {
          row = outbox.cutTail('telemetry', options.maxItems, now);
          tail = 0;
          this.tailSince = undefined;
        }
        if (!row) break;
        if (!this.send(row, true, now)) break;
        free--;
        live++;
        if (row.items < options.maxItems) partial = true;
      }
      // c. backlog: the oldest telemetry
      let backlog = 0;
      for (const f of this.inflight.values()) if (!f.live && f.kind === 'telemetry') backlog++;
      const backlogCap = this.cwnd >= 1 ? Math.min(this.backlogSlots, Math.floor(this.cwnd)) : backlog === 0 && now >= this.pacedAt ? 1 : 0;
      if (free > 0 && backlog < backlogCap) {
        for (const row of outbox.open('asc', this.inflight.size + free + 1, 'telemetry')) {
          if (free <= 0 || backlog >= backlogCap) break;
          if (this.inflight.has(row.seq)) continue;
          if (this.send(row, false, now)) {
            free--;
            backlog++;
          }
        }
      }
    } catch (e) {
      this.o.log.error({ err: e }, 'sync tick failed');
    }
  }

  /** The oldest open live row (see liveAfter) not in flight. */
  private oldestOpenLive(): OutboxRow | undefined {
    if (this.liveAfter.seq === Infinity) return undefined;
    for (const row of this.o.outbox.openTelemetryAfter(this.liveAfter.seq, this.liveAfter.id, this.inflight.size + 1)) {
      if (!this.inflight.has(row.seq)) return row;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ building and sending

  /** Builds the envelope of a row; splits a never-sent range row that does not fit one envelope. */
  build(row: OutboxRow, now: number): { buf: Buffer; items: number } | null {
    const { outbox, options, gw } = this.o;
    // A row sent before was built within these limits or the contract's; never change its items.
    const maxItems = row.attempts > 0 ? MAX_ENVELOPE_ITEMS : options.maxItems;
    const maxBytes = row.attempts > 0 ? MAX_ENVELOPE_BYTES : options.maxBytes;
    const header = { gw, seq: row.seq, id: row.batchId, sentAt: now, kind: row.kind };
    if (row.payload !== null) return { buf: envelopeBytes(header, row.payload.slice(1, -1)), items: row.items };
    if (row.fromId === null || row.toId === null) return null;
    const kind = row.kind as RangeKind;
    const limits = { maxItems, maxBytes, overhead: envelopeOverhead(gw, row.batchId, row.kind) };
    let packed;
    let rowsLen: number;
    let lastId: (i: number) => number;
    if (kind === 'telemetry') {
      const rows = outbox.readReadings(row.fromId, row.toId);
      packed = pack(rows, (r) => this.readings.item(r), limits);
      rowsLen = rows.length;
      lastId = (i) => rows[i]![0];
    } else {
      const rows = outbox.readEvents(row.fromId, row.toId);
      packed = pack(rows, eventItem, limits);
      rowsLen = rows.length;
      lastId = (i) => rows[i]![0];
    }
    if (rowsLen === 0) return null;
    if (packed.count === 0) {
      // One item larger than a whole envelope cannot be sent: it is logged and skipped (the row is settled
      // locally), the rest of the range becomes a row of its own. Never block the queue behind it.
      this.o.log.error({ seq: row.seq, kind, id: lastId(0) }, 'an item is larger than an envelope; it is skipped');
      if (rowsLen > 1 && row.attempts === 0) outbox.split(row.seq, lastId(0), 1, now);
      return null;
    }
    if (packed.count < rowsLen) {
      if (row.attempts > 0) {
        this.o.log.error({ seq: row.seq, items: rowsLen }, 'a batch sent before no longer fits an envelope; sending what fits');
      } else {
        outbox.split(row.seq, lastId(packed.count - 1), packed.count, now);
        this.counters.splits_total++;
      }
    }
    return { buf: envelopeBytes(header, packed.parts), items: packed.count };
  }

  private send(row: OutboxRow, live: boolean, now: number): boolean {
    const built = this.build(row, now);
    if (!built) {
      // Nothing left to send (its readings were dropped by retention): settled locally.
      this.acked.push(row.seq);
      return false;
    }
    const f: Flight = {
      seq: row.seq,
      kind: row.kind,
      live,
      partial: live && built.items < this.o.options.maxItems,
      items: built.items,
      bytes: built.buf.length,
      firstSent: now,
      lastSent: now,
      attempts: 1,
      dueAt: now + this.o.options.ackTimeoutMs,
    };
    if (row.attempts > 0) this.counters.resends_total++;
    this.inflight.set(row.seq, f);
    this.transmit(f, built.buf, now);
    return true;
  }

  private resend(f: Flight, now: number): void {
    const row = this.o.outbox.get(f.seq);
    if (!row || row.ackedAt !== null || row.rejected !== null) {
      this.inflight.delete(f.seq);
      this.wakeIdle();
      return;
    }
    const built = this.build(row, now);
    if (!built) {
      this.inflight.delete(f.seq);
      this.acked.push(f.seq);
      this.wakeIdle();
      return;
    }
    f.attempts++;
    f.lastSent = now;
    f.dueAt = now + this.o.options.ackTimeoutMs * Math.min(8, 2 ** (f.attempts - 1));
    this.counters.resends_total++;
    if (f.attempts === 2 || f.attempts % 10 === 0) this.o.log.info({ seq: f.seq, attempts: f.attempts }, 'batch not committed in time; sending it again');
    this.transmit(f, built.buf, now);
  }

  private transmit(f: Flight, buf: Buffer, now: number): void {
    this.counters.batches_sent_total++;
    this.counters.items_sent_total += f.items;
    this.counters.bytes_sent_total += buf.length;
    this.sent.push({ seq: f.seq, at: now, items: f.items, bytes: buf.length });
    this.o.link.publish(this.topicOf[f.kind]!, buf).catch((e: unknown) => {
      this.counters.publish_errors_total++;
      // The connection dropped under it: resent after reconnect (onConnected) or its timeout.
      this.o.log.debug({ seq: f.seq, err: (e as Error).message }, 'publish failed');
    });
  }
}
