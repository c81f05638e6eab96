/**
 * Device health from what polls (or streams) bring back:
 * - a *failed poll* is one where nothing usable came back: no samples, or every sample bad with a link
 *   reason (timeout, crc, exception, frame, disconnected), or the driver threw;
 * - `offlineAfterFailures` (3) consecutive failed polls → offline, with the commonest reason;
 *   fewer → degraded (a device that has not answered once since start stays offline);
 * - a poll that answered but has some non-good points (out_of_range, stale, a failed block) → degraded;
 *   so does a share of non-good samples over the last `windowPolls` answered polls ≥ `degradedShare`;
 * - back to online after `recoverAfterGoodPolls` consecutive fully good polls (hysteresis: no flapping);
 * - a streaming device that falls silent → offline / stale at once.
 * The tracker is pure: it returns a change, the caller logs and stores it.
 */
import type { HealthState, QualityReason } from '../../shared/contracts/reading.js';
import type { PointSample } from './types.js';

export const LINK_REASONS: ReadonlySet<QualityReason> = new Set(['timeout', 'crc', 'exception', 'frame', 'disconnected']);

export interface HealthOptions {
  offlineAfterFailures: number;
  windowPolls: number;
  degradedShare: number;
  recoverAfterGoodPolls: number;
}
export const DEFAULT_HEALTH: HealthOptions = { offlineAfterFailures: 3, windowPolls: 20, degradedShare: 0.1, recoverAfterGoodPolls: 2 };

export interface DeviceHealth {
  device: string;
  state: HealthState;
  reason: QualityReason | undefined;
  detail: string | undefined;
  /** When the current state (and reason) began. */
  since: number;
  /** Last poll or sentence that brought good data. */
  lastGoodAt: number | undefined;
  consecutiveFailures: number;
  /** Share of non-good samples over the recent answered polls (0..1). */
  badShare: number;
}

export interface HealthChange {
  device: string;
  from: HealthState;
  to: HealthState;
  reason: QualityReason | undefined;
  detail: string | undefined;
  ts: number;
}

export class HealthTracker {
  private state: HealthState = 'offline';
  private reason: QualityReason | undefined = undefined;
  private detail: string | undefined = 'not polled yet';
  private since: number;
  private lastGoodAt: number | undefined;
  private failures = 0;
  private everAnswered = false;
  private goodStreak = 0;
  private readonly windowBad: number[] = [];
  private readonly windowTotal: number[] = [];
  private sumBad = 0;
  private sumTotal = 0;

  constructor(
    readonly device: string,
    private readonly opts: HealthOptions = DEFAULT_HEALTH,
    now = Date.now(),
  ) {
    this.since = now;
  }

  /** One poll's (or one sentence's) samples. */
  observe(samples: readonly PointSample[], ts: number): HealthChange | undefined {
    let bad = 0;
    let link = 0;
    for (const s of samples) {
      if (s.quality === 'good') continue;
      bad++;
      if (s.quality === 'bad' && s.reason !== undefined && LINK_REASONS.has(s.reason)) link++;
    }
    if (samples.length === 0 || link === samples.length) {
      const [reason, detail] = commonest(samples) ?? ['timeout' as QualityReason, 'no samples'];
      return this.failure(reason, detail, ts);
    }
    // The device answered.
    this.everAnswered = true;
    this.failures = 0;
    this.pushWindow(bad, samples.length);
    if (bad < samples.length) this.lastGoodAt = ts;
    if (bad > 0) {
      this.goodStreak = 0;
      const [reason, detail] = commonest(samples)!;
      return this.set('degraded', reason, `${bad} of ${samples.length} points not good; ${detail}`, ts);
    }
    this.goodStreak++;
    const share = this.badShare;
    if (share >= this.opts.degradedShare && this.state !== 'online') {
      return this.set('degraded', this.reason, `${Math.round(share * 100)} % of recent samples not good`, ts);
    }
    if (this.state === 'online' || this.goodStreak >= this.opts.recoverAfterGoodPolls || this.state === 'offline') {
      // From offline, the first good answer is enough; from degraded, wait for a streak (hysteresis).
      return this.set('online', undefined, undefined, ts);
    }
    return undefined;
  }

  /** A poll that failed as a whole (driver threw) or a rejected frame of a streaming device. */
  failure(reason: QualityReason, detail: string | undefined, ts: number): HealthChange | undefined {
    this.failures++;
    this.goodStreak = 0;
    const n = this.failures;
    // Never answered since start: it is not "degrading", it is not there.
    if (!this.everAnswered) return this.set('offline', reason, `no answer since start; ${detail ?? reason}`, ts);
    if (n >= this.opts.offlineAfterFailures) return this.set('offline', reason, `${n} consecutive failed polls; ${detail ?? reason}`, ts);
    return this.set('degraded', reason, `${n} failed poll${n > 1 ? 's' : ''}; ${detail ?? reason}`, ts);
  }

  /** The device cannot be reached at all (its driver could not be built or started). */
  down(reason: QualityReason, detail: string, ts: number): HealthChange | undefined {
    this.goodStreak = 0;
    return this.set('offline', reason, detail, ts);
  }

  /** A streaming device stopped talking. */
  silent(ts: number, detail: string): HealthChange | undefined {
    this.goodStreak = 0;
    return this.set('offline', 'stale', detail, ts);
  }

  get badShare(): number {
    return this.sumTotal ? this.sumBad / this.sumTotal : 0;
  }

  snapshot(): DeviceHealth {
    return {
      device: this.device,
      state: this.state,
      reason: this.reason,
      detail: this.detail,
      since: this.since,
      lastGoodAt: this.lastGoodAt,
      consecutiveFailures: this.failures,
      badShare: Math.round(this.badShare * 1000) / 1000,
    };
  }

  private pushWindow(bad: number, total: number): void {
    this.windowBad.push(bad);
    this.windowTotal.push(total);
    this.sumBad += bad;
    this.sumTotal += total;
    if (this.windowBad.length > this.opts.windowPolls) {
      this.sumBad -= this.windowBad.shift()!;
      this.sumTotal -= this.windowTotal.shift()!;
    }
  }

  private set(state: HealthState, reason: QualityReason | undefined, detail: string | undefined, ts: number): HealthChange | undefined {
    const changed = state !== this.state || reason !== this.reason;
    this.detail = detail;
    if (!changed) return undefined;
    const from = this.state;
    this.state = state;
    this.reason = reason;
    this.since = ts;
    return { device: this.device, from, to: state, reason, detail, ts };
  }
}

/** The commonest non-good reason among samples, with the detail of its first sample. */
function commonest(samples: readonly PointSample[]): [QualityReason, string] | undefined {
  const counts = new Map<QualityReason, number>();
  let best: QualityReason | undefined;
  let bestN = 0;
  for (const s of samples) {
    if (s.quality === 'good' || s.reason === undefined) continue;
    const n = (counts.get(s.reason) ?? 0) + 1;
    counts.set(s.reason, n);
    if (n > bestN) (best = s.reason), (bestN = n);
  }
  if (!best) return undefined;
  const first = samples.find((s) => s.reason === best);
  return [best, first?.detail ?? best];
}
