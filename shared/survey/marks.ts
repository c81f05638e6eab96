/**
 * Draft-mark positions. The file gives each pair of marks as a distance from its reference
 * (FP for the forward marks, midship for the midship marks, AP for the aft marks) and the side
 * of the reference it lies on. The engine uses a signed offset x (draft-survey.md §3):
 * x > 0 ⇒ the mark is forward of its reference. So `side: "forward"` gives +distance and
 * `side: "aft"` gives −distance, whichever reference it is.
 */
import { exactNeg } from './decimal.js';

export type MarkSide = 'aft' | 'forward';
export type MarkStation = 'fwd' | 'mid' | 'aft';
export const MARK_STATIONS: readonly MarkStation[] = ['fwd', 'mid', 'aft'];

export interface MarkPosition {
  distance_m: number;
  side: MarkSide;
}

export type MarkSet = Partial<Record<MarkStation, Partial<MarkPosition> | undefined>>;

/** Signed offset of a mark from its reference, metres, + forward. */
export function signedOffset(mark: MarkPosition): number {
  return mark.side === 'forward' ? mark.distance_m : exactNeg(mark.distance_m);
}

/** A survey's marks replace the vessel's key by key (a survey giving only `mid` keeps `fwd` and `aft`). */
export function effectiveMarks(vessel: MarkSet | undefined, survey: MarkSet | undefined): MarkSet {
  const out: MarkSet = {};
  for (const station of MARK_STATIONS) {
    const chosen = survey?.[station] ?? vessel?.[station];
    if (chosen !== undefined) out[station] = chosen;
  }
  return out;
}

/** Where the effective mark for a station was declared, for error paths. */
export function markSourcePath(station: MarkStation, surveyIndex: number, survey: MarkSet | undefined): string {
  return survey?.[station] !== undefined ? `surveys[${surveyIndex}].marks.${station}` : `vessel.marks.${station}`;
}
