/**
 * Ingest: every message on qs/v1/{gw}/up/* is validated against the shared contracts, then stored
 * exactly once in effect, then acknowledged on qs/v1/{gw}/down/committed.
 *
 * For an envelope the order is fixed:
 *   1. (gw, seq) already in the ledger → ack again, write nothing (a redelivery).
 *   2. telemetry → the time-series port; resolves once the points are in InfluxDB or in its durable spool.
 *   3. one SQL transaction: the ledger row (gw, seq) plus the events/surveys/records of the batch.
 *   4. publish `{ seqs: [seq] }` on down/committed.
 *
 * Why a crash anywhere is safe (kill -9 included):
 *   - after 2, before 3: the ledger has no row, so no ack went out; the gateway resends the batch, the
 *     points are written again with the same measurement, tags and timestamp, and InfluxDB (like the
 *     embedded table) replaces a point with the same series and time instead of adding one. Then 3 and 4
 *     happen once. Nothing is doubled, nothing is lost.
 *   - after 3, before 4: the ledger has the row; the resent batch is found in step 1 and only acked.
 *   - the SQL rows and the ledger row commit together, so there is never a batch half in SQL.
 *   The ack is the only thing that lets the gateway forget a batch, and it is sent last.
 *
 * Anything invalid (not JSON, schema, oversized, gw or kind different from the topic) goes to the
 * dead-letter table with its reason and code; when its seq can be read, the gateway is told it is
 * `rejected` so it stops resending. Transient failures (spool full, SQL down) are logged and not acked:
 * the gateway resends. One gateway's bad message never stops the others.
 */
import type { Logger } from 'pino';
import { commandResultSchema } from '../../shared/contracts/command.js';
import { MAX_ENVELOPE_BYTES, envelopeSchema, gatewayStatusSchema, type CommittedAck, type Envelope } from '../../shared/contracts/envelope.js';
import { isEnvelopeKind, parseTopic, topics, type GatewayId } from '../../shared/contracts/topics.js';
import { isQuaysideError, type ErrorCode } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import type { CloudStore } from '../store/cloud-store.js';
import type { SeriesPoint, TimeSeriesPort } from '../timeseries/port.js';

export interface IngestDeps {
  store: CloudStore;
  series: TimeSeriesPort;
  /** Publishes a downlink message (QoS 1). */
  publish(topic: string, payload: string): Promise<void>;
  log: Logger;
  concurrency: number;
  maxQueued: number;
  now?: () => number;
  /** Called after a telemetry batch is in the time-series store and before its SQL commit (chaos.ts). */
  afterSeriesWrite?: () => void;
}

/** Bytes of a dead-lettered payload kept for a person to read. */
const DEAD_LETTER_KEEP = 4096;

class Rejection extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly seq: number | null,
  ) {
    super(reason);
  }
}

export class Ingest {
  private readonly queue: Array<{ topic: string; payload: Buffer }> = [];
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly statusChains = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private stopped = false;
  private readonly m = {
    messages_total: 0,
    batches_stored_total: 0,
    batches_duplicate_total: 0,
    items_stored_total: 0,
    points_written_total: 0,
    acks_sent_total: 0,
    failures_total: 0,
    dropped_total: 0,
    status_updates_total: 0,
    command_results_total: 0,
    commit_ms_sum: 0,
  };
  private readonly deadLetters = new Map<string, number>();

  constructor(private readonly d: IngestDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Called by the broker link for every uplink message; never throws, never blocks. */
  accept = (topic: string, payload: Buffer): void => {
    if (this.stopped) return;
    this.m.messages_total++;
    if (this.queue.length >= this.d.maxQueued) {
      this.m.dropped_total++;
      if (this.m.dropped_total % 1000 === 1) this.d.log.warn({ code: 'CLOUD_INGEST_OVERLOAD', queued: this.queue.length, dropped: this.m.dropped_total }, 'ingest queue full: dropping');
      return;
    }
    this.queue.push({ topic, payload });
    this.pump();
  };

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking messages and waits (up to timeoutMs) for those already taken. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  metrics(): { counters: Record<string, number>; deadLetters: ReadonlyMap<string, number> } {
    return { counters: { ...this.m, queued: this.queue.length, in_flight: this.inFlight }, deadLetters: new Map(this.deadLetters) };
  }

  private pump(): void {
    while (this.inFlight < this.d.concurrency && this.queue.length) {
      const msg = this.queue.shift()!;
      this.inFlight++;
      void this.handle(msg.topic, msg.payload).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    try {
      if (!t || t.dir !== 'up') throw new Rejection('CLOUD_INGEST_TOPIC', `not an uplink topic: ${topic}`, null);
      if (payload.length > MAX_ENVELOPE_BYTES) {
        throw new Rejection('CLOUD_INGEST_TOO_LARGE', `${payload.length} bytes > ${MAX_ENVELOPE_BYTES}`, payload.length <= 8 * MAX_ENVELOPE_BYTES ? readSeq(payload) : null);
      }
      let body: unknown;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch (e) {
        throw new Rejection('CLOUD_INGEST_JSON', (e as Error).message, null);
      }
      if (t.kind === 'status') return await this.chainStatus(t.gw, () => this.status(t.gw, body));
      if (t.kind === 'ack') return await this.commandResult(t.gw, body);
      if (isEnvelopeKind(t.kind)) return await this.envelope(t.gw, t.kind, body);
    } catch (e) {
      if (e instanceof Rejection) return this.deadLetter(t?.gw ?? null, topic, payload, e);
      // Transient: no ack, the gateway resends.
      this.m.failures_total++;
      const code = isQuaysideError(e) ? e.code : 'CLOUD_STORE_WRITE';
      this.d.log.error({ code, gw: t?.gw, topic, err: (e as Error).message }, 'ingest failed; not acknowledged');
    }
  }

  private async envelope(gw: GatewayId, kind: string, body: unknown): Promise<void> {
    const started = this.now();
    const parsed = envelopeSchema.safeParse(body);
    const seq = seqOf(body);
    if (!parsed.success) {
      const errs = fieldErrors(parsed.error);
      const reason = errs.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ') + (errs.length > 5 ? `; … ${errs.length - 5} more` : '');
      throw new Rejection('CLOUD_INGEST_SCHEMA', reason, seq);
    }
    const env = parsed.data;
    if (env.gw !== gw) throw new Rejection('CLOUD_INGEST_GW_MISMATCH', `payload gw ${env.gw}, topic gw ${gw}`, env.seq);
    if (env.kind !== kind) throw new Rejection('CLOUD_INGEST_KIND_MISMATCH', `payload kind ${env.kind}, topic kind ${kind}`, env.seq);

    // 1. a redelivery: already committed, only ack again.
    if (await this.d.store.isIngested(gw, env.seq)) {
      this.m.batches_duplicate_total++;
      return this.ack(gw, { seqs: [env.seq] });
    }
    // 2. time-series first (idempotent by series + timestamp).
    if (env.kind === 'telemetry') {
      try {
        await this.d.series.write(toPoints(env));
      } catch (e) {
        if (isQuaysideError(e, 'CLOUD_TS_REJECTED')) throw new Rejection('CLOUD_TS_REJECTED', e.detail ?? e.message, env.seq);
        throw e;
      }
      this.m.points_written_total += env.items.length;
      this.d.afterSeriesWrite?.();
    }
    // 3. the ledger row and the SQL items, in one transaction.
    const outcome = await this.d.store.recordBatch(env, this.now());
    if (outcome === 'stored') {
      this.m.batches_stored_total++;
      this.m.items_stored_total += env.items.length;
    } else this.m.batches_duplicate_total++;
    // 4. only now may the gateway forget the batch.
    this.m.commit_ms_sum += this.now() - started;
    await this.ack(gw, { seqs: [env.seq] });
  }

  private async ack(gw: GatewayId, ack: CommittedAck): Promise<void> {
    try {
      await this.d.publish(topics.down(gw, 'committed'), JSON.stringify(ack));
      this.m.acks_sent_total++;
    } catch (e) {
      // Stored but not acked: the gateway resends, step 1 acks it then.
      this.d.log.warn({ code: 'CLOUD_BROKER', gw, err: (e as Error).message }, 'commit ack not published');
    }
  }

  /** Status messages of one gateway are applied in arrival order (online, then its last will). */
  private chainStatus(gw: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.statusChains.get(gw) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.statusChains.set(gw, tail);
    void tail.then(() => {
      if (this.statusChains.get(gw) === tail) this.statusChains.delete(gw);
    });
    return next;
  }

  private async status(gw: GatewayId, body: unknown): Promise<void> {
    const r = gatewayStatusSchema.safeParse(body);
    if (!r.success) throw new Rejection('CLOUD_INGEST_SCHEMA', fieldErrors(r.error).map((e) => `${e.path}: ${e.message}`).join('; '), null);
    await this.d.store.upsertStatus(gw, r.data, this.now());
    this.m.status_updates_total++;
    this.d.log.info({ gw, state: r.data.state, version: r.data.version }, `gateway ${r.data.state}`);
  }

  private async commandResult(gw: GatewayId, body: unknown): Promise<void> {
    const r = commandResultSchema.safeParse(body);
    if (!r.success) throw new Rejection('CLOUD_INGEST_SCHEMA', fieldErrors(r.error).map((e) => `${e.path}: ${e.message}`).join('; '), null);
    if (await this.d.store.recordCommandResult(gw, r.data, this.now())) this.m.command_results_total++;
  }

  private async deadLetter(gw: string | null, topic: string, payload: Buffer, r: Rejection): Promise<void> {
    this.deadLetters.set(r.code, (this.deadLetters.get(r.code) ?? 0) + 1);
    this.d.log.warn({ code: r.code, gw, topic, bytes: payload.length, reason: r.reason }, 'message dead-lettered');
    try {
      await this.d.store.addDeadLetter({ gw, topic, code: r.code, reason: readable(Buffer.from(r.reason.slice(0, 2000))), payload: readable(payload.subarray(0, DEAD_LETTER_KEEP)), bytes: payload.length, receivedAt: this.now() });
    } catch (e) {
      this.m.failures_total++;
      this.d.log.error({ code: 'CLOUD_STORE_WRITE', gw, err: (e as Error).message }, 'dead letter not stored');
      return;
    }
    const parsed = parseTopic(topic);
    if (parsed && r.seq !== null) await this.ack(parsed.gw, { seqs: [], rejected: [{ seq: r.seq, code: r.code, reason: r.reason.slice(0, 500) }] });
  }
}

function toPoints(env: Extract<Envelope, { kind: 'telemetry' }>): SeriesPoint[] {
  return env.items.map((r) => ({ gw: env.gw, device: r.device, point: r.point, ts: r.ts, value: r.value, unit: r.unit, quality: r.quality, reason: r.reason, detail: r.detail }));
}

/** Text a person (and PostgreSQL, which refuses NUL in text) can take: lossy UTF-8, NUL as U+FFFD. */
function readable(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/\u0000/g, '\uFFFD');
}

function seqOf(body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const seq = (body as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

function readSeq(payload: Buffer): number | null {
  try {
    return seqOf(JSON.parse(payload.toString('utf8')));
  } catch {
    return null;
  }
}
