/**
 * LCF conventions. The engine works with the LCF measured from midship, positive aft
 * (draft-survey.md §3), and converts whatever the ship's table declares.
 *
 * Coordinate used: X = distance aft of midship. The references sit at midship X = 0,
 * AP X = +LBP/2, FP X = −LBP/2. A tabulated value v measured from a reference R, positive
 * in direction d, is the point X = X_R + v (d = aft) or X = X_R − v (d = forward). This gives the
 * doc's conversions: from AP (positive forward) → LBP/2 − v; from FP (positive aft) → v − LBP/2;
 * from midship positive forward → −v. The two rarer combinations (from AP positive aft, from FP
 * positive forward) follow from the same rule. All arithmetic is exact decimal.
 */
import { decAdd, decDivPow2, decNeg, decSub, fromDecimal, toDecimal, type Decimal } from './decimal.js';

export type LcfReference = 'midship' | 'ap' | 'fp';
export type LcfDirection = 'aft' | 'forward';

export interface LcfConvention {
  from: LcfReference;
  positive: LcfDirection;
}

export const MIDSHIP_AFT: LcfConvention = { from: 'midship', positive: 'aft' };

/** X of the reference, aft of midship. */
function referenceAftOfMidship(reference: LcfReference, lbpM: number): Decimal {
  const half = decDivPow2(toDecimal(lbpM), 1);
  if (reference === 'ap') return half;
  if (reference === 'fp') return decNeg(half);
  return { units: 0n, scale: 0 };
}

/** A tabulated LCF in `convention` → metres from midship, positive aft. */
export function lcfFromMidshipAft(value: number, convention: LcfConvention, lbpM: number): number {
  const reference = referenceAftOfMidship(convention.from, lbpM);
  const v = toDecimal(value);
  return fromDecimal(convention.positive === 'aft' ? decAdd(reference, v) : decSub(reference, v));
}

/** Inverse: metres from midship (positive aft) → the value a table in `convention` would print. */
export function lcfInConvention(aftOfMidship: number, convention: LcfConvention, lbpM: number): number {
  const offset = decSub(toDecimal(aftOfMidship), referenceAftOfMidship(convention.from, lbpM));
  return fromDecimal(convention.positive === 'aft' ? offset : decNeg(offset));
}
