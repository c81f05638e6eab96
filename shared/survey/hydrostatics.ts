/**
 * Hydrostatic table lookup: linear interpolation between the two rows that bracket a draft.
 * Never extrapolates: a draft outside the first..last row is reported, not estimated.
 * Rows must be strictly increasing in draft (checked by `unsortedRowIndex`).
 */
import { exactDiff, exactSum } from './decimal.js';

export interface HydrostaticRow {
  draft_m: number;
  displacement_t: number;
  tpc_t_cm: number;
  lcf_m: number;
  mtc_tm_cm?: number | undefined;
}

/** Index of the first row whose draft does not exceed the previous one, or −1 when sorted. */
export function unsortedRowIndex(rows: readonly { draft_m: number }[]): number {
  for (let i = 1; i < rows.length; i++) {
    if (!(rows[i]!.draft_m > rows[i - 1]!.draft_m)) return i;
  }
  return -1;
}

export type Bracket =
  | { inside: true; lower: number; upper: number } // row indices; lower === upper on an exact row
  | { inside: false; first: number; last: number }; // table limits, for the message

/** The rows bracketing `draft`; an exact hit returns that row twice. */
export function bracket(rows: readonly { draft_m: number }[], draft: number): Bracket {
  const first = rows[0]?.draft_m ?? Number.NaN;
  const last = rows[rows.length - 1]?.draft_m ?? Number.NaN;
  if (!(draft >= first && draft <= last)) return { inside: false, first, last };
  for (let i = 0; i < rows.length; i++) {
    const d = rows[i]!.draft_m;
    if (d === draft) return { inside: true, lower: i, upper: i };
    if (d > draft) return { inside: true, lower: i - 1, upper: i };
  }
  throw new Error('unreachable: draft within limits but not bracketed');
}

/**
 * v = v0 + (x − d0)·(v1 − v0)/(d1 − d0). The differences and the final sum are exact decimal;
 * the product and quotient are doubles (see decimal.ts).
 */
export function interpolateLinear(x: number, d0: number, v0: number, d1: number, v1: number): number {
  if (x === d0) return v0;
  if (x === d1) return v1;
  const step = (exactDiff(x, d0) * exactDiff(v1, v0)) / exactDiff(d1, d0);
  return exactSum(v0, step);
}

/** Interpolates one field at `draft` within an inside bracket. */
export function valueAt(
  rows: readonly HydrostaticRow[],
  at: Extract<Bracket, { inside: true }>,
  draft: number,
  pick: (row: HydrostaticRow) => number,
): number {
  const lo = rows[at.lower]!;
  const hi = rows[at.upper]!;
  if (at.lower === at.upper) return pick(lo);
  return interpolateLinear(draft, lo.draft_m, pick(lo), hi.draft_m, pick(hi));
}
