/**
 * Linear and bilinear interpolation in calibration tables, never extrapolating.
 *
 * Differences and sums are exact decimal on the printed values (shared/survey/decimal.ts), the
 * product and quotient are doubles, exactly as the hydrostatic lookup does it: a value that falls
 * on a tabulated node returns the tabulated number itself.
 */
import { exactDiff, exactSum } from '../survey/decimal.js';

/** Where x sits on a strictly increasing axis: the bracketing indices (equal on an exact node). */
export type Location = { inside: true; lower: number; upper: number } | { inside: false; first: number; last: number };

export function locate(axis: readonly number[], x: number): Location {
  const first = axis[0] ?? Number.NaN;
  const last = axis[axis.length - 1] ?? Number.NaN;
  if (!(x >= first && x <= last)) return { inside: false, first, last };
  for (let i = 0; i < axis.length; i++) {
    const node = axis[i]!;
    if (node === x) return { inside: true, lower: i, upper: i };
    if (node > x) return { inside: true, lower: i - 1, upper: i };
  }
  return { inside: false, first, last };
}

/** y0 + (x − x0)·(y1 − y0)/(x1 − x0); the nodes themselves return y0 or y1 unchanged. */
export function lerp(x: number, x0: number, y0: number, x1: number, y1: number): number {
  if (x === x0) return y0;
  if (x === x1) return y1;
  return exactSum(y0, (exactDiff(x, x0) * exactDiff(y1, y0)) / exactDiff(x1, x0));
}

/** Interpolates `ys` over `axis` at an inside location. */
export function valueAt(axis: readonly number[], ys: readonly number[], at: Extract<Location, { inside: true }>, x: number): number {
  return lerp(x, axis[at.lower]!, ys[at.lower]!, axis[at.upper]!, ys[at.upper]!);
}

/**
 * Bilinear interpolation in values[row][column] (rows along `rowAxis`, columns along `colAxis`):
 * first along the columns (trim or list) in the two bracketing rows, then along the rows (sounding),
 * the order the tank-table form prescribes (draft-survey.md §2.4).
 */
export function bilinear(
  rowAxis: readonly number[],
  colAxis: readonly number[],
  values: readonly (readonly number[])[],
  rowAt: Extract<Location, { inside: true }>,
  colAt: Extract<Location, { inside: true }>,
  row: number,
  col: number,
): number {
  const lowerRow = valueAt(colAxis, values[rowAt.lower]!, colAt, col);
  const upperRow = valueAt(colAxis, values[rowAt.upper]!, colAt, col);
  return lerp(row, rowAxis[rowAt.lower]!, lowerRow, rowAxis[rowAt.upper]!, upperRow);
}
