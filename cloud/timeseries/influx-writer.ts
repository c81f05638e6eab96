/**
 * Writes line protocol to InfluxDB in batches (by size or after flushMs), retrying with backoff. When
 * InfluxDB stays unreachable, batches go to a bounded on-disk spool and count as written; a replay loop
 * probes with growing pauses and sends the spool oldest first. While the spool holds anything, new
 * batches queue behind it, so the store sees batches in the order they were written.
 *
 * One batch is in flight at a time: order is kept and InfluxDB (about 150k points/s per request stream
 * on this hardware) is not the bottleneck of one cloud replica.
 */
import type { Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { InfluxHttp, WriteFailure } from './influx-http.js';
import type { Spool } from './spool.js';

export interface InfluxWriterOptions {
  batchSize: number;
  flushMs: number;
  maxRetries: number;
  retryBaseMs: number;
  probeMaxMs: number;
}

interface Waiter {
  lines: string[];
  resolve(): void;
  reject(e: unknown): void;
}

export interface InfluxWriterMetrics {
  points_written_total: number;
  batches_written_total: number;
  write_failures_total: number;
  retries_total: number;
  rejected_points_total: number;
  spooled_batches_total: number;
  spooled_points_total: number;
  replayed_batches_total: number;
  replayed_points_total: number;
  spool_dropped_batches_total: number;
  spool_batches: number;
  spool_points: number;
  spool_bytes: number;
  up: number;
}

export class InfluxWriter {
  private pending: Waiter[] = [];
  private pendingPoints = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly sleepers = new Set<() => void>();
  private up = true;
  private readonly m = {
    points_written_total: 0,
    batches_written_total: 0,
    write_failures_total: 0,
    retries_total: 0,
    rejected_points_total: 0,
    spooled_batches_total: 0,
    spooled_points_total: 0,
    replayed_batches_total: 0,
    replayed_points_total: 0,
    spool_dropped_batches_total: 0,
  };

  constructor(
    private readonly http: InfluxHttp,
    private readonly spool: Spool,
    private readonly opts: InfluxWriterOptions,
    private readonly log: Logger,
  ) {}

  /** Creates the database if InfluxDB answers, and replays a spool left by an earlier run. */
  async start(): Promise<void> {
    try {
      await this.http.createDatabase();
    } catch (e) {
      this.markDown((e as Error).message);
    }
    if (!this.spool.empty) {
      this.log.info({ batches: this.spool.batches, points: this.spool.points }, 'replaying the InfluxDB spool left by an earlier run');
      this.kickDrain();
    }
  }

  /** Resolves when these lines are in InfluxDB or in the spool; see TimeSeriesPort.write. */
  write(lines: string[]): Promise<void> {
    if (this.closed) return Promise.reject(new QuaysideError('CLOUD_TS_UNAVAILABLE', 'writer is closed'));
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ lines, resolve, reject });
      this.pendingPoints += lines.length;
      if (this.pendingPoints >= this.opts.batchSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs);
    });
  }

  /** Sends what is pending; resolves when every batch so far is written or spooled. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      this.pendingPoints = 0;
      this.chain = this.chain.then(() => this.send(batch));
    }
    return this.chain;
  }

  metrics(): InfluxWriterMetrics {
    return { ...this.m, spool_batches: this.spool.batches, spool_points: this.spool.points, spool_bytes: this.spool.bytes, up: this.up ? 1 : 0 };
  }

  /** Resolves once the spool is empty (tests, shutdown tools); rejects after timeoutMs. */
  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    await this.flush();
    while (!this.spool.empty) {
      if (Date.now() > until) throw new QuaysideError('CLOUD_TS_UNAVAILABLE', `spool still holds ${this.spool.batches} batches`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
    await this.draining;
  }

  private async send(batch: Waiter[]): Promise<void> {
    const lines = batch.flatMap((w) => w.lines);
    const body = lines.join('\n');
    if (!this.spool.empty) return this.toSpool(batch, body, lines.length);
    const failure = await this.postWithRetries(body);
    if (!failure) {
      this.wrote(lines.length);
      for (const w of batch) w.resolve();
      return;
    }
    if (failure.kind === 'rejected') {
      // One envelope's points may be bad; write each envelope alone so only that one is refused
      // (rewriting points that did land is harmless: same series and time overwrite).
      if (batch.length === 1) return this.reject(batch[0]!, failure);
      for (const w of batch) {
        const f = await this.postWithRetries(w.lines.join('\n'));
        if (!f) {
          this.wrote(w.lines.length);
          w.resolve();
        } else if (f.kind === 'rejected') this.reject(w, f);
        else {
          this.markDown(f.message);
          this.toSpool([w], w.lines.join('\n'), w.lines.length);
        }
      }
      return;
    }
    this.markDown(failure.message);
    this.toSpool(batch, body, lines.length);
  }

  private wrote(points: number): void {
    this.m.points_written_total += points;
    this.m.batches_written_total++;
    this.markUp();
  }

  private markUp(): void {
    if (!this.up) {
      this.up = true;
      this.log.info('InfluxDB is reachable again');
    }
  }

  private reject(w: Waiter, f: WriteFailure): void {
    this.m.rejected_points_total += w.lines.length;
    this.log.error({ code: 'CLOUD_TS_REJECTED', points: w.lines.length, detail: f.message }, 'InfluxDB refused points');
    w.reject(new QuaysideError('CLOUD_TS_REJECTED', f.message));
  }

  private toSpool(batch: Waiter[], body: string, points: number): void {
    try {
      this.spool.append(body, points);
    } catch (e) {
      this.log.error({ code: 'CLOUD_TS_SPOOL_FULL', points, detail: (e as Error).message }, 'spool full: batch not accepted');
      for (const w of batch) w.reject(e);
      return;
    }
    this.m.spooled_batches_total++;
    this.m.spooled_points_total += points;
    for (const w of batch) w.resolve();
    this.kickDrain();
  }

  private markDown(message: string): void {
    this.m.write_failures_total++;
    if (this.up) {
      this.up = false;
      this.log.warn({ code: 'CLOUD_TS_UNAVAILABLE', detail: message }, 'InfluxDB unreachable: spooling batches to disk');
    }
  }

  /** One write plus up to maxRetries more with exponential backoff; creates a missing database. */
  private async postWithRetries(body: string): Promise<WriteFailure | null> {
    for (let attempt = 0; ; attempt++) {
      const f = await this.postOnce(body);
      if (!f || f.kind === 'rejected' || attempt >= this.opts.maxRetries || this.closed) return f;
      this.m.retries_total++;
      await this.sleep(this.opts.retryBaseMs * 3 ** attempt);
    }
  }

  private async postOnce(body: string): Promise<WriteFailure | null> {
    const f = await this.http.write(body);
    if (f?.kind !== 'no-database') return f;
    try {
      await this.http.createDatabase();
    } catch (e) {
      return { kind: 'unreachable', message: (e as Error).message };
    }
    return this.http.write(body);
  }

  private kickDrain(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drainLoop().finally(() => {
      this.draining = null;
      if (!this.spool.empty && !this.closed) this.kickDrain();
    });
  }

  /** Replays the spool oldest first; pauses grow from retryBaseMs to probeMaxMs while InfluxDB is down. */
  private async drainLoop(): Promise<void> {
    let pause = this.opts.retryBaseMs;
    while (!this.closed) {
      const b = this.spool.peek();
      if (!b) return;
      const f = await this.postOnce(b.body);
      if (!f) {
        this.spool.remove(b);
        this.m.replayed_batches_total++;
        this.m.replayed_points_total += b.points;
        this.markUp();
        pause = this.opts.retryBaseMs;
        if (this.spool.empty) this.log.info({ replayed: this.m.replayed_batches_total }, 'InfluxDB spool drained');
        continue;
      }
      if (f.kind === 'rejected') {
        this.spool.remove(b);
        this.m.spool_dropped_batches_total++;
        this.log.error({ code: 'CLOUD_TS_REJECTED', points: b.points, detail: f.message }, 'InfluxDB refused a spooled batch; dropped');
        continue;
      }
      this.markDown(f.message);
      await this.sleep(pause);
      pause = Math.min(pause * 2, this.opts.probeMaxMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
