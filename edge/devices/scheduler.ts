/**
 * The device scheduler: polls every PolledDriver on a fixed-rate timeline and runs every StreamingDriver.
 *
 * Polled devices — each has a lane:
 * - slot k is due at start + k × interval (next due = previous due + interval, never "now + interval"),
 *   so timer jitter and slow polls never make the schedule drift; devices start staggered across the
 *   first interval so a hundred of them do not fire in the same millisecond;
 * - a slot that comes due while the previous poll of that device is still running (or still waiting to
 *   start) is *missed*: skipped, never queued up;
 * - a poll that starts more than one interval after its slot was due is *late* (a blocked event loop,
 *   or a long write ahead of it);
 * - writes share the lane and go first: a queued write runs before the next poll of that device;
 * - per-bus serialisation comes from the transport (one RTU transport per bus, shared by its devices);
 *   TCP devices, with a transport each, run in parallel.
 * A driver that throws is caught: its poll counts as failed and every point gets a bad sample.
 *
 * Streaming devices: started with handlers that forward to the sink; a start that fails is retried with
 * back-off. A driver reports its own silences (all points bad/stale); as a fallback for drivers that do
 * not, a watchdog yields bad/stale samples once when nothing arrives for the profile's `silenceTimeoutMs`.
 *
 * Everything leaves through the SchedulerSink port (quality, alarms, health, store live behind it).
 */
import type { QualityReason, ReadingValue } from '../../shared/contracts/reading.js';
import { QuaysideError, isQuaysideError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from 'pino';
import type { PointSample, PolledDriver, StreamingDriver, WriteResult } from './types.js';

export interface Clock {
  /** Monotonic milliseconds (scheduling). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (sample timestamps made by the core). */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Where the scheduler hands everything it learns. */
export interface SchedulerSink {
  /** Samples of one poll (or one sentence). Called for failed polls too, with bad samples. */
  samples(deviceId: string, samples: PointSample[], kind: 'poll' | 'stream' | 'silence'): void;
  /** A streaming device rejected a frame (checksum, malformed, unknown sentence). */
  rejected?(deviceId: string, reason: QualityReason, detail: string): void;
  /** A non-value event of a streaming device (a button press). */
  event?(deviceId: string, event: { name: string; ts: number; fields: Record<string, ReadingValue> }): void;
  /** A write that the device accepted. */
  written?(deviceId: string, point: string, value: WriteValue, result: WriteResult): void;
}

export type WriteValue = ReadingValue | Record<string, ReadingValue>;

export interface LaneStats {
  /** Slots that came due. */
  due: number;
  /** Polls that finished (good or not). */
  done: number;
  late: number;
  missed: number;
  /** Polls where the driver threw. */
  failed: number;
  writes: number;
  writeErrors: number;
  /** Sum of poll durations (ms) and the last one. */
  pollMsSum: number;
  lastPollMs: number;
  /** Streaming: sample sets, rejected frames. */
  received: number;
  rejected: number;
}

export interface SchedulerOptions {
  sink: SchedulerSink;
  clock?: Clock;
  logger?: Logger;
  /** Spread first polls over the first interval (default true). */
  stagger?: boolean;
  /** Longest wait for running polls on stop (default 3000 ms). */
  stopTimeoutMs?: number;
  /** Back-off for restarting a streaming driver whose start failed (default 1000 ms → 30 s). */
  restartMinMs?: number;
  restartMaxMs?: number;
  loggerFor?: (deviceId: string) => Logger;
}

interface WriteJob {
  point: string;
  value: WriteValue;
  resolve(r: WriteResult): void;
  reject(e: unknown): void;
}

interface PolledLane {
  mode: 'polled';
  id: string;
  driver: PolledDriver;
  intervalMs: number;
  nextDue: number;
  timer: unknown;
  /** The job running now. */
  busy: 'poll' | 'write' | null;
  /** Due time of the slot waiting to be polled, or NaN. */
  pendingDue: number;
  writes: WriteJob[];
  stats: LaneStats;
  idle: (() => void)[];
  log: Logger | undefined;
}

interface StreamLane {
  mode: 'streaming';
  id: string;
  driver: StreamingDriver;
  silenceMs: number;
  started: boolean;
  lastHeard: number;
  silent: boolean;
  restartMs: number;
  timer: unknown;
  chain: Promise<unknown>;
  stats: LaneStats;
  log: Logger | undefined;
}

type Lane = PolledLane | StreamLane;

const newStats = (): LaneStats => ({ due: 0, done: 0, late: 0, missed: 0, failed: 0, writes: 0, writeErrors: 0, pollMsSum: 0, lastPollMs: 0, received: 0, rejected: 0 });

export class Scheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly clock: Clock;
  private readonly sink: SchedulerSink;
  private readonly log: Logger | undefined;
  private running = false;
  private stopping = false;
  private watchdog: unknown;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.sink = opts.sink;
    this.log = opts.logger;
  }

  addPolled(driver: PolledDriver, intervalMs: number): void {
    this.assertNew(driver.deviceId);
    this.lanes.set(driver.deviceId, {
      mode: 'polled', id: driver.deviceId, driver, intervalMs, nextDue: NaN, timer: undefined, busy: null, pendingDue: NaN,
      writes: [], stats: newStats(), idle: [], log: this.opts.loggerFor?.(driver.deviceId),
    });
    if (this.running) this.startPolled(this.lanes.get(driver.deviceId) as PolledLane, 0);
  }

  addStreaming(driver: StreamingDriver, silenceTimeoutMs: number): void {
    this.assertNew(driver.deviceId);
    const lane: StreamLane = {
      mode: 'streaming', id: driver.deviceId, driver, silenceMs: silenceTimeoutMs, started: false, lastHeard: NaN, silent: false,
      restartMs: this.opts.restartMinMs ?? 1000, timer: undefined, chain: Promise.resolve(), stats: newStats(), log: this.opts.loggerFor?.(driver.deviceId),
    };
    this.lanes.set(driver.deviceId, lane);
    if (this.running) void this.startStreaming(lane);
  }

  has(deviceId: string): boolean {
    return this.lanes.has(deviceId);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const polled = [...this.lanes.values()].filter((l): l is PolledLane => l.mode === 'polled');
    polled.forEach((lane, i) => {
      const offset = this.opts.stagger === false ? 0 : ((i * lane.intervalMs) / Math.max(1, polled.length)) % lane.intervalMs;
      this.startPolled(lane, offset);
    });
    for (const lane of this.lanes.values()) if (lane.mode === 'streaming') void this.startStreaming(lane);
    this.armWatchdog();
  }

  /** Counters of one device, or undefined. */
  stats(deviceId: string): Readonly<LaneStats> | undefined {
    return this.lanes.get(deviceId)?.stats;
  }

  allStats(): { device: string; mode: 'polled' | 'streaming'; intervalMs: number | undefined; stats: Readonly<LaneStats> }[] {
    return [...this.lanes.values()].map((l) => ({ device: l.id, mode: l.mode, intervalMs: l.mode === 'polled' ? l.intervalMs : undefined, stats: l.stats }));
  }

  /**
   * Writes a point (polled) or sends a command (streaming) through the device's lane: ahead of its next
   * poll. Resolves with the driver's confirmation; rejects with the driver's QuaysideError.
   */
  write(deviceId: string, point: string, value: WriteValue): Promise<WriteResult> {
    const lane = this.lanes.get(deviceId);
    if (!lane) return Promise.reject(new QuaysideError('EDGE_DEVICE_NOT_FOUND', deviceId));
    if (this.stopping) return Promise.reject(new QuaysideError('EDGE_DEVICE_UNAVAILABLE', 'the gateway is stopping'));
    if (lane.mode === 'streaming') {
      const run = async () => {
        try {
          const r = await lane.driver.write(point, value);
          lane.stats.writes++;
          this.sink.written?.(deviceId, point, value, r);
          return r;
        } catch (e) {
          lane.stats.writeErrors++;
          throw e;
        }
      };
      const p = lane.chain.then(run, run);
      lane.chain = p.catch(() => undefined);
      return p;
    }
    return new Promise<WriteResult>((resolve, reject) => {
      lane.writes.push({ point, value, resolve, reject });
      this.pump(lane);
    });
  }

  /** Stops polling, waits (bounded) for polls and writes in flight, rejects queued writes. Drivers stay open. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    const waits: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.timer !== undefined) this.clock.clearTimeout(lane.timer);
      lane.timer = undefined;
      if (lane.mode === 'polled') {
        lane.pendingDue = NaN;
        for (const w of lane.writes.splice(0)) w.reject(new QuaysideError('EDGE_DEVICE_UNAVAILABLE', 'the gateway is stopping'));
        if (lane.busy) waits.push(new Promise((r) => lane.idle.push(r)));
      } else {
        waits.push(lane.chain.then(() => undefined));
      }
    }
    const limit = this.opts.stopTimeoutMs ?? 3000;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise((r) => (t = setTimeout(r, limit)))]);
    if (t) clearTimeout(t);
  }

  // ---------------------------------------------------------------- polled

  private startPolled(lane: PolledLane, offsetMs: number): void {
    lane.nextDue = this.clock.now() + offsetMs;
    this.arm(lane);
  }

  private arm(lane: PolledLane): void {
    if (!this.running) return;
    const delay = Math.max(0, lane.nextDue - this.clock.now());
    lane.timer = this.clock.setTimeout(() => this.onTimer(lane), delay);
  }

  private onTimer(lane: PolledLane): void {
    lane.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    // Every slot whose time has come (more than one only if the timer fired very late).
    while (lane.nextDue <= now) {
      const due = lane.nextDue;
      lane.nextDue += lane.intervalMs;
      lane.stats.due++;
      // The previous poll still runs, or a slot already waits (behind a write): skip this one.
      if (lane.busy === 'poll' || !Number.isNaN(lane.pendingDue)) {
        lane.stats.missed++;
      } else {
        lane.pendingDue = due;
      }
    }
    this.arm(lane);
    this.pump(lane);
  }

  /** Runs the lane's next job: a queued write first, else the pending poll. */
  private pump(lane: PolledLane): void {
    if (lane.busy) return;
    const w = lane.writes.shift();
    if (w) {
      lane.busy = 'write';
      void this.runWrite(lane, w);
      return;
    }
    if (!Number.isNaN(lane.pendingDue) && this.running) {
      const due = lane.pendingDue;
      lane.pendingDue = NaN;
      lane.busy = 'poll';
      void this.runPoll(lane, due);
      return;
    }
    for (const r of lane.idle.splice(0)) r();
  }

  private async runPoll(lane: PolledLane, due: number): Promise<void> {
    const start = this.clock.now();
    if (start - due > lane.intervalMs) lane.stats.late++;
    let samples: PointSample[];
    try {
      samples = await lane.driver.readAll();
    } catch (e) {
      lane.stats.failed++;
      const { reason, detail } = reasonOf(e);
      if (lane.stats.failed === 1 || lane.stats.failed % 100 === 0) lane.log?.warn({ err: e, failed: lane.stats.failed }, 'poll threw; reported as a failed poll');
      samples = badSamples(lane.driver.profile.points, this.clock.wallNow(), reason, detail);
    }
    const ms = this.clock.now() - start;
    lane.stats.done++;
    lane.stats.pollMsSum += ms;
    lane.stats.lastPollMs = ms;
    try {
      this.sink.samples(lane.id, samples, 'poll');
    } catch (e) {
      this.log?.error({ err: e, device: lane.id }, 'sink failed on samples');
    }
    lane.busy = null;
    this.pump(lane);
  }

  private async runWrite(lane: PolledLane, w: WriteJob): Promise<void> {
    try {
      const r = await lane.driver.write(w.point, w.value as ReadingValue);
      lane.stats.writes++;
      try {
        this.sink.written?.(lane.id, w.point, w.value, r);
      } catch (e) {
        this.log?.error({ err: e, device: lane.id }, 'sink failed on write');
      }
      w.resolve(r);
    } catch (e) {
      lane.stats.writeErrors++;
      w.reject(e);
    } finally {
      lane.busy = null;
      this.pump(lane);
    }
  }

  // ---------------------------------------------------------------- streaming

  private async startStreaming(lane: StreamLane): Promise<void> {
    if (!this.running || lane.started) return;
    lane.lastHeard = this.clock.now();
    try {
      await lane.driver.start({
        onSamples: (samples) => {
          lane.stats.received++;
          if (isSilence(samples)) {
            // The driver reported the silence itself: the watchdog must not report it again.
            lane.silent = true;
            this.sink.samples(lane.id, samples, 'silence');
            return;
          }
          lane.lastHeard = this.clock.now();
          lane.silent = false;
          this.sink.samples(lane.id, samples, 'stream');
        },
        onRejected: (reason, detail) => {
          lane.stats.rejected++;
          this.sink.rejected?.(lane.id, reason, detail);
        },
        onEvent: (event) => this.sink.event?.(lane.id, event),
      });
      lane.started = true;
      lane.restartMs = this.opts.restartMinMs ?? 1000;
    } catch (e) {
      lane.stats.failed++;
      const { reason, detail } = reasonOf(e);
      lane.log?.warn({ err: e, retryInMs: lane.restartMs }, 'streaming device did not start; retrying');
      this.sink.samples(lane.id, badSamples(lane.driver.profile.points, this.clock.wallNow(), reason, detail), 'silence');
      if (!this.running) return;
      lane.timer = this.clock.setTimeout(() => {
        lane.timer = undefined;
        void this.startStreaming(lane);
      }, lane.restartMs);
      lane.restartMs = Math.min(lane.restartMs * 2, this.opts.restartMaxMs ?? 30_000);
    }
  }

  /** One timer for every streaming lane: flags silence once per silent spell. */
  private armWatchdog(): void {
    const streams = [...this.lanes.values()].filter((l): l is StreamLane => l.mode === 'streaming');
    if (!streams.length || !this.running) return;
    const every = Math.max(100, Math.min(1000, ...streams.map((l) => l.silenceMs / 4)));
    this.watchdog = this.clock.setTimeout(() => {
      const now = this.clock.now();
      for (const lane of streams) {
        if (!lane.started || lane.silent || now - lane.lastHeard <= lane.silenceMs) continue;
        lane.silent = true;
        const detail = `no sentence for ${Math.round((now - lane.lastHeard) / 1000)} s`;
        this.sink.samples(lane.id, badSamples(lane.driver.profile.points, this.clock.wallNow(), 'stale', detail), 'silence');
      }
      this.armWatchdog();
    }, every);
  }

  private assertNew(id: string): void {
    if (this.lanes.has(id)) throw new Error(`device "${id}" is already scheduled`);
  }
}

/** Every sample bad/stale: a streaming device (or all its sentences) fell silent. */
export function isSilence(samples: readonly PointSample[]): boolean {
  if (!samples.length) return false;
  for (const s of samples) if (s.quality !== 'bad' || s.reason !== 'stale') return false;
  return true;
}

/** One bad sample per point, for a poll that threw or a device that fell silent. */
export function badSamples(points: readonly { name: string }[], ts: number, reason: QualityReason, detail: string): PointSample[] {
  return points.map((p) => ({ point: p.name, ts, value: null, quality: 'bad', reason, detail }));
}

const REASON_BY_CODE: Partial<Record<ErrorCode, QualityReason>> = {
  EDGE_MODBUS_TIMEOUT: 'timeout',
  EDGE_MODBUS_CRC: 'crc',
  EDGE_MODBUS_EXCEPTION: 'exception',
  EDGE_MODBUS_FRAME: 'frame',
  EDGE_MODBUS_DISCONNECTED: 'disconnected',
  EDGE_SENTENCE_CHECKSUM: 'crc',
  EDGE_SENTENCE_MALFORMED: 'frame',
  EDGE_SERIAL_OPEN: 'disconnected',
};

/** The quality reason for an error a driver threw. */
export function reasonOf(e: unknown): { reason: QualityReason; detail: string } {
  const detail = (e instanceof Error ? e.message : String(e)).slice(0, 200);
  if (isQuaysideError(e)) return { reason: REASON_BY_CODE[e.code] ?? 'disconnected', detail };
  return { reason: 'disconnected', detail: `driver error: ${detail}`.slice(0, 200) };
}
