/**
 * Averaging instrument readings over a window to damp waves (draft-survey.md §2.2): the mean, min,
 * max, sample standard deviation and count of the good samples of one point, with the raw samples
 * kept. Pure over a list of readings; `windowSamples` reads them from the edge store.
 */
import { roundHalfAwayFromZero } from '../../shared/survey/rounding.js';
import type { EdgeStore, StoredReading } from '../store/store.js';
import type { RawSample, SampleStats } from './types.js';

/** The most samples one window may hold (10 min at 10 Hz). */
export const MAX_WINDOW_SAMPLES = 6000;
export const MIN_WINDOW_S = 1;
export const MAX_WINDOW_S = 600;
/** A capture that waits for its window holds its HTTP request that long: keep it well inside the server's request timeout. */
export const MAX_NEXT_WINDOW_S = 120;

/** Statistics of the good numeric samples; undefined when there is none. */
export function sampleStats(samples: readonly RawSample[]): SampleStats | undefined {
  let n = 0;
  let excluded = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  const good: number[] = [];
  for (const [ts, value, quality] of samples) {
    if (quality !== 'good' || !Number.isFinite(value)) {
      excluded++;
      continue;
    }
    n++;
    sum += value;
    good.push(value);
    if (value < min) min = value;
    if (value > max) max = value;
    if (ts < firstTs) firstTs = ts;
    if (ts > lastTs) lastTs = ts;
  }
  if (n === 0) return undefined;
  const mean = sum / n;
  // Two-pass variance: exact enough for drafts of ~10 m with mm-sized waves.
  let ss = 0;
  for (const v of good) ss += (v - mean) * (v - mean);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { n, mean, min, max, std, spread: max - min, excluded, first_ts: firstTs, last_ts: lastTs };
}

/** A stored reading as a raw sample (non-numeric values become NaN and count as excluded). */
export function toRawSample(r: StoredReading): RawSample {
  const value = typeof r.value === 'number' ? r.value : Number.NaN;
  return [r.ts, value, r.quality];
}

/** Every sample of `device.point` with from ≤ ts ≤ to, oldest first. */
export function windowSamples(store: EdgeStore, device: string, point: string, from: number, to: number): RawSample[] {
  return store.history({ device, point, from, to, limit: MAX_WINDOW_SAMPLES, order: 'asc' }).map(toRawSample);
}

/** A draft recorded to the millimetre (half away from zero), as the forms record it after averaging. */
export function recordedDraft(meanM: number): number {
  return roundHalfAwayFromZero(meanM, 3);
}
