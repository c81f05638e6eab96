/**
 * Reads what other writers put in the store — ingest's alarms and gateway states, the edge's answers to
 * queue calls — and hands each new row to the console once. The store is the meeting point (several
 * replicas, one ingest), so no module needs a hook into ingest. Each feed is read from a little before
 * its last read (rows commit slightly after their timestamp), and rows already handed on are skipped by
 * key. A feed that fails is logged and tried again at the next tick; the others carry on.
 */
import type { Logger } from 'pino';

export interface Feed<T> {
  name: string;
  /** Rows stamped at or after `since` (ms). */
  read(since: number): Promise<T[]>;
  /** A row's identity (with its version, e.g. `${gw}:${updatedAt}`). */
  key(row: T): string;
  emit(row: T): Promise<void> | void;
}

const LOOKBACK_MS = 5000;
const MAX_KEYS = 20_000;

export class StorePoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly feeds: Array<{ feed: Feed<unknown>; since: number; seen: Map<string, number> }> = [];

  constructor(
    private readonly everyMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  add<T>(feed: Feed<T>): void {
    this.feeds.push({ feed: feed as Feed<unknown>, since: this.now(), seen: new Map() });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** One pass over every feed (tests call it to skip the wait). */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      for (const f of this.feeds) {
        const started = this.now();
        try {
          const rows = await f.feed.read(f.since - LOOKBACK_MS);
          for (const row of rows) {
            const k = f.feed.key(row);
            if (f.seen.has(k)) continue;
            f.seen.set(k, started);
            try {
              await f.feed.emit(row);
            } catch (e) {
              this.log.warn({ feed: f.feed.name, key: k, err: (e as Error).message }, 'console feed: emit failed');
            }
          }
          f.since = started;
          for (const [k, at] of f.seen) {
            if (at >= started - 4 * LOOKBACK_MS && f.seen.size <= MAX_KEYS) break;
            f.seen.delete(k);
          }
        } catch (e) {
          this.log.warn({ feed: f.feed.name, err: (e as Error).message }, 'console feed: read failed');
        }
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
