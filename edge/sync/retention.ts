/**
 * Retention with sync on (../shared/DESIGN.md §4):
 *   - by age: readings and events older than `store.retentionDays` are pruned only once the cloud has
 *     them (ids below the lowest open outbox range); acknowledged outbox rows are deleted after an hour;
 *     answered commands after the retention period (once expired);
 *   - by disk budget: when the live pages of the SQLite file exceed `cloud.retention.budgetMB`, the
 *     oldest acknowledged readings go first; if that is not enough, the oldest *unsent* readings are
 *     dropped, and an alarm event (severity critical, sent up like any event) says how many readings and
 *     which time span were lost. Each pass frees down to 90 % of the budget, so it does not run every time.
 * SQLite does not shrink its file after deletes; freed pages are reused first, so the file stays near
 * the budget instead of growing. "Used" = (page_count − freelist_count) × page_size.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { CommandStore } from '../store/commands.js';
import type { Outbox } from '../store/outbox.js';
import type { EdgeStore } from '../store/store.js';

const MB = 1024 * 1024;
/** Readings deleted per transaction while freeing space (keeps each pause short). */
const DROP_CHUNK = 50_000;
/** Acknowledged outbox rows are kept this long (diagnostics), then deleted. */
const ACKED_ROWS_KEEP_MS = 3_600_000;

/** Bytes of the database in use: pages minus the free list. */
export function usedBytes(db: Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

/**
 * Readings to delete so that `used` comes down to `target` × `budget`, assuming each reading accounts for
 * an equal share of what is used (indexes and the other tables included). 0 when within the budget.
 */
export function readingsToFree(used: number, budget: number, readings: number, target = 0.9): number {
  if (used <= budget || readings <= 0) return 0;
  const perReading = used / readings;
  return Math.min(readings, Math.ceil((used - target * budget) / perReading));
}

export interface DropReport {
  readings: number;
  fromTs: number | null;
  toTs: number | null;
  budgetBytes: number;
  usedBytes: number;
}

const iso = (ts: number | null) => (ts === null ? '?' : new Date(ts).toISOString());

/** The alarm's message: how many readings were lost and from when to when. */
export function budgetAlarmMessage(d: DropReport): string {
  const mb = (b: number) => `${Math.round((b / MB) * 10) / 10} MB`;
  return (
    `sync backlog over the disk budget (${mb(d.usedBytes)} used of ${mb(d.budgetBytes)}): dropped ${d.readings.toLocaleString('en-US')} unsent readings ` +
    `taken ${iso(d.fromTs)} … ${iso(d.toTs)} (oldest first); they never reached the cloud`
  );
}

export interface RetentionOptions {
  store: EdgeStore;
  outbox: Outbox;
  commands: CommandStore;
  retentionMs: number;
  budgetBytes: number;
  log: Logger;
  now?: () => number;
}

export interface RetentionCounters {
  age_passes_total: number;
  budget_checks_total: number;
  readings_pruned_total: number;
  settled_dropped_total: number;
  unsent_dropped_total: number;
  alarms_total: number;
}

export class Retention {
  readonly counters: RetentionCounters = { age_passes_total: 0, budget_checks_total: 0, readings_pruned_total: 0, settled_dropped_total: 0, unsent_dropped_total: 0, alarms_total: 0 };
  lastUsedBytes = 0;

  constructor(private readonly o: RetentionOptions) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** Age-based pruning of what the cloud has. */
  async pruneByAge(): Promise<{ readings: number; events: number; outboxRows: number; commands: number }> {
    const { store, outbox, commands } = this.o;
    const now = this.now();
    this.counters.age_passes_total++;
    const r = await store.prune(now - this.o.retentionMs, 5000, { readingsFromId: outbox.lowestOpenId('telemetry'), eventsFromId: outbox.lowestOpenId('event') });
    this.counters.readings_pruned_total += r.readings;
    const outboxRows = outbox.deleteSettled(now - ACKED_ROWS_KEEP_MS);
    const cmds = commands.prune(now - this.o.retentionMs);
    return { ...r, outboxRows, commands: cmds };
  }

  /** Keeps the store within its budget; returns what unsent data was dropped (and alarmed), if any. */
  async enforceBudget(): Promise<DropReport | undefined> {
    const { store, outbox, log } = this.o;
    const budget = this.o.budgetBytes;
    this.counters.budget_checks_total++;
    let used = usedBytes(store.db);
    this.lastUsedBytes = used;
    if (used <= budget) return undefined;
    const startUsed = used;
    let unsent: DropReport | undefined;
    for (let pass = 0; pass < 20 && used > budget; pass++) {
      const span = outbox.readingIdSpan();
      if (!span || span.max <= span.min) break;
      const want = readingsToFree(used, budget, span.max - span.min + 1);
      if (want <= 0) break;
      const settledBelow = outbox.lowestOpenId('telemetry');
      let freed = 0;
      // Oldest acknowledged first: the cloud has them.
      while (freed < want && outbox.readingIdSpan()!.min < settledBelow) {
        const d = outbox.dropOldestReadings(Math.min(DROP_CHUNK, want - freed), settledBelow - 1);
        if (d.readings === 0) break;
        freed += d.readings;
        this.counters.settled_dropped_total += d.readings;
        await yieldNow();
      }
      if (freed) log.info({ readings: freed, budgetMB: budget / MB }, 'disk budget: pruned the oldest acknowledged readings early');
      // Then, only if still needed, the oldest unsent.
      while (freed < want) {
        const d = outbox.dropOldestReadings(Math.min(DROP_CHUNK, want - freed));
        if (d.readings === 0) break;
        freed += d.readings;
        this.counters.unsent_dropped_total += d.readings;
        unsent ??= { readings: 0, fromTs: null, toTs: null, budgetBytes: budget, usedBytes: startUsed };
        unsent.readings += d.readings;
        if (d.fromTs !== null && (unsent.fromTs === null || d.fromTs < unsent.fromTs)) unsent.fromTs = d.fromTs;
        if (d.toTs !== null && (unsent.toTs === null || d.toTs > unsent.toTs)) unsent.toTs = d.toTs;
        await yieldNow();
      }
      if (!freed) break;
      used = usedBytes(store.db);
    }
    this.lastUsedBytes = used;
    if (unsent) {
      const message = budgetAlarmMessage(unsent);
      this.counters.alarms_total++;
      log.error({ dropped: unsent.readings, from: iso(unsent.fromTs), to: iso(unsent.toTs), budgetMB: budget / MB, usedMB: Math.round(startUsed / MB) }, message);
      try {
        store.addEvent({ ts: this.now(), kind: 'gateway', severity: 'critical', message, data: { alarm: 'sync_budget_drop', dropped: unsent.readings, fromTs: unsent.fromTs, toTs: unsent.toTs, budgetBytes: budget, usedBytes: startUsed } });
      } catch (e) {
        log.error({ err: e }, 'budget alarm event could not be stored');
      }
    }
    return unsent;
  }
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));
