/**
 * Per-device quality checks the core applies to every sample, whatever the driver:
 * - range: a good value outside the profile's valid range → bad / out_of_range;
 * - stuck value: a good value unchanged for `stuckAfterS` → uncertain / stale (a frozen sensor).
 * Built once per device from its profile; `apply` is on the hot path and does map lookups only.
 */
import type { ReadingValue } from '../../shared/contracts/reading.js';
import type { FirmwareProfile } from '../../shared/profile/schema.js';
import type { PointSample } from './types.js';

interface PointCheck {
  min: number;
  max: number;
  hasRange: boolean;
  stuckMs: number; // 0 = off
  last: ReadingValue | undefined;
  changedAt: number;
}

export class QualityChecker {
  private readonly checks = new Map<string, PointCheck>();

  constructor(profile: FirmwareProfile) {
    for (const p of profile.points) {
      if (!p.range && p.stuckAfterS === undefined) continue;
      this.checks.set(p.name, {
        min: p.range?.min ?? -Infinity,
        max: p.range?.max ?? Infinity,
        hasRange: p.range !== undefined,
        stuckMs: (p.stuckAfterS ?? 0) * 1000,
        last: undefined,
        changedAt: 0,
      });
    }
  }

  /** Checks one sample in place (samples are owned by the core once a driver hands them over). */
  apply(s: PointSample): PointSample {
    const c = this.checks.get(s.point);
    if (!c || s.quality !== 'good') return s;
    const v = s.value;
    if (c.hasRange && typeof v === 'number' && (v < c.min || v > c.max)) {
      s.quality = 'bad';
      s.reason = 'out_of_range';
      s.detail = `${v} outside ${c.min}..${c.max}`;
      return s;
    }
    if (c.stuckMs > 0) {
      if (c.last === undefined || v !== c.last) {
        c.last = v;
        c.changedAt = s.ts;
      } else if (s.ts - c.changedAt >= c.stuckMs) {
        s.quality = 'uncertain';
        s.reason = 'stale';
        s.detail = `unchanged for ${Math.round((s.ts - c.changedAt) / 1000)} s`;
      }
    }
    return s;
  }
}
