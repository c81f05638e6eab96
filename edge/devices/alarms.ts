/**
 * Profile alarm limits with hysteresis. An "above" alarm raises when the value goes above the limit and
 * clears only when it comes back to limit − hysteresis or below; a "below" alarm mirrors that. Booleans
 * count as 1/0 (so `above: 0.5` alarms on true). Only good and uncertain numeric samples move an alarm;
 * a bad sample (no trustworthy value) leaves it as it is.
 */
import type { AlarmDef, FirmwareProfile } from '../../shared/profile/schema.js';
import type { PointSample } from './types.js';

export interface AlarmTransition {
  action: 'raised' | 'cleared';
  alarm: AlarmDef;
  /** Index of the alarm in the profile (stable id within a model). */
  index: number;
  point: string;
  value: number;
  ts: number;
  /** Which limit: the one crossed (raised) or the one returned inside (cleared). */
  side: 'above' | 'below';
  limit: number;
}

interface AlarmState {
  def: AlarmDef;
  index: number;
  /** The side that raised it, or null while inactive. */
  active: 'above' | 'below' | null;
}

export class AlarmEvaluator {
  private readonly byPoint = new Map<string, AlarmState[]>();

  constructor(profile: FirmwareProfile) {
    profile.alarms.forEach((def, index) => {
      const list = this.byPoint.get(def.point) ?? [];
      list.push({ def, index, active: null });
      this.byPoint.set(def.point, list);
    });
  }

  get empty(): boolean {
    return this.byPoint.size === 0;
  }

  /** Evaluates one sample; returns the transitions it causes (usually none). */
  evaluate(s: PointSample): AlarmTransition[] | undefined {
    const list = this.byPoint.get(s.point);
    if (!list || s.quality === 'bad') return undefined;
    const v = typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? (s.value ? 1 : 0) : NaN;
    if (!Number.isFinite(v)) return undefined;
    let out: AlarmTransition[] | undefined;
    for (const a of list) {
      let t = step(a, v);
      // A clear can be followed at once by a raise on the other side (from above the high limit straight below the low one).
      for (let guard = 0; t && guard < 2; guard++) {
        (out ??= []).push({ ...t, alarm: a.def, index: a.index, point: s.point, value: v, ts: s.ts });
        t = t.action === 'cleared' ? step(a, v) : undefined;
      }
    }
    return out;
  }

  /** Alarms active now. */
  active(): { alarm: AlarmDef; index: number; side: 'above' | 'below' }[] {
    const out: { alarm: AlarmDef; index: number; side: 'above' | 'below' }[] = [];
    for (const list of this.byPoint.values()) for (const a of list) if (a.active) out.push({ alarm: a.def, index: a.index, side: a.active });
    return out;
  }
}

function step(a: AlarmState, v: number): { action: 'raised' | 'cleared'; side: 'above' | 'below'; limit: number } | undefined {
  const { above, below, hysteresis } = a.def;
  if (a.active === null) {
    if (above !== undefined && v > above) return (a.active = 'above'), { action: 'raised', side: 'above', limit: above };
    if (below !== undefined && v < below) return (a.active = 'below'), { action: 'raised', side: 'below', limit: below };
    return undefined;
  }
  if (a.active === 'above' && above !== undefined && v <= above - hysteresis) {
    a.active = null;
    return { action: 'cleared', side: 'above', limit: above };
  }
  if (a.active === 'below' && below !== undefined && v >= below + hysteresis) {
    a.active = null;
    return { action: 'cleared', side: 'below', limit: below };
  }
  return undefined;
}
