/**
 * One scheduler for every recurring platform job (connector pulls, scheduled quality runs): a job
 * runs every N seconds, never overlapping itself; the next start is planned from the last start, and
 * a run that overran is followed at once. Failures are the job's own business (it records them);
 * the scheduler only logs what escapes. Retries with back-off live in the run itself (service.ts),
 * so a manual run retries the same way as a scheduled one.
 */
import type { Logger } from 'pino';

interface Job {
  everyMs: number;
  run: () => Promise<unknown>;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  lastStart: number;
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private stopped = false;

  constructor(private readonly log: Logger | null) {}

  /**
   * Adds or replaces a job. The first run is one interval after `lastStart` (default: now), so a
   * restarted cloud keeps the rhythm of the runs before it instead of waiting a whole interval.
   */
  set(key: string, everyMs: number, run: () => Promise<unknown>, lastStart = Date.now()): void {
    const old = this.jobs.get(key);
    if (old?.timer) clearTimeout(old.timer);
    const job: Job = { everyMs, run, timer: null, running: old?.running ?? null, lastStart };
    this.jobs.set(key, job);
    this.plan(key, job, lastStart + everyMs - Date.now());
  }

  remove(key: string): void {
    const job = this.jobs.get(key);
    if (job?.timer) clearTimeout(job.timer);
    this.jobs.delete(key);
  }

  keys(): string[] {
    return [...this.jobs.keys()];
  }

  private plan(key: string, job: Job, delay: number): void {
    if (this.stopped) return;
    job.timer = setTimeout(() => this.fire(key, job), Math.max(0, delay));
    job.timer.unref();
  }

  private fire(key: string, job: Job): void {
    job.timer = null;
    if (this.jobs.get(key) !== job || this.stopped) return;
    job.lastStart = Date.now();
    job.running = job
      .run()
      .then(
        () => undefined,
        (e: unknown) => void this.log?.error({ err: e, job: key }, 'scheduled platform job failed'),
      )
      .finally(() => {
        job.running = null;
        if (this.jobs.get(key) === job) this.plan(key, job, job.lastStart + job.everyMs - Date.now());
      });
  }

  /** Stops planning and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    const running: Promise<void>[] = [];
    for (const job of this.jobs.values()) {
      if (job.timer) clearTimeout(job.timer);
      if (job.running) running.push(job.running);
    }
    this.jobs.clear();
    await Promise.all(running);
  }
}

/** Delay before attempt n+1 (n ≥ 1): backoff × 2^(n−1), at most max. */
export function backoffDelay(attempt: number, backoffMs: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
}
