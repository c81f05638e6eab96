/**
 * Rounding of survey lines: half away from zero, judged on the value's shortest decimal
 * representation (the digits JSON prints), never on the binary double.
 * 13.97965 → 13.9797 at 4 dp; 0.3 × 1.025 prints as 0.30749999999999994 → 0.307 at 3 dp.
 *
 * Three modes (format document, "Rounding"):
 *   "none"   full double precision throughout;
 *   "form3"  every UN/ECE Form C line to 0.001, each rounded value carried forward;
 *   { line: decimals, … }  only the named lines, to the given number of decimals.
 */
import { fromDecimal, toDecimal } from './decimal.js';

/** Round x to `decimals` places, half away from zero, on its shortest representation. */
export function roundHalfAwayFromZero(x: number, decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError(`decimals must be a non-negative integer: ${decimals}`);
  const d = toDecimal(x);
  if (d.scale <= decimals) return x === 0 ? 0 : x;
  const divisor = 10n ** BigInt(d.scale - decimals);
  const magnitude = d.units < 0n ? -d.units : d.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return fromDecimal({ units: d.units < 0n ? -quotient : quotient, scale: decimals });
}

/** The line names an object rounding spec may use, in form order. */
export const ROUNDING_LINES = [
  'mean_drafts',
  'lbm',
  'corrections',
  'corrected_drafts',
  'trim',
  'quarter_mean',
  'displacement',
  'tpc',
  'lcf',
  'mtc',
  'dmdz',
  'first_trim',
  'second_trim',
  'list',
  'trim_corrected_displacement',
  'density_correction',
  'density_corrected_displacement',
  'ballast_tank',
  'net',
] as const;

export type RoundingLine = (typeof ROUNDING_LINES)[number];
export type RoundingSpec = 'none' | 'form3' | Partial<Record<RoundingLine, number>>;

/** Most decimals a line may ask for; beyond this a double has no digits left to round. */
export const MAX_LINE_DECIMALS = 12;

/** Applies the spec to one line. Returns the value unchanged (−0 made 0) when the line is not rounded. */
export type LineRounder = (line: RoundingLine, value: number) => number;

export function lineRounder(spec: RoundingSpec): LineRounder {
  const decimalsFor = (line: RoundingLine): number | undefined => {
    if (spec === 'none') return undefined;
    if (spec === 'form3') return 3;
    return spec[line];
  };
  return (line, value) => {
    const decimals = decimalsFor(line);
    if (decimals === undefined) return value === 0 ? 0 : value;
    return roundHalfAwayFromZero(value, decimals);
  };
}

const LINE_SET: ReadonlySet<string> = new Set(ROUNDING_LINES);

export type RoundingSpecParse =
  | { ok: true; spec: RoundingSpec }
  | { ok: false; path: string; message: string };

/** Reads the case file's `rounding` field; absent means "none". */
export function parseRoundingSpec(raw: unknown): RoundingSpecParse {
  if (raw === undefined) return { ok: true, spec: 'none' };
  if (raw === 'none' || raw === 'form3') return { ok: true, spec: raw };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, path: 'rounding', message: 'rounding must be "none", "form3" or an object { "<line>": decimals }' };
  }
  const spec: Partial<Record<RoundingLine, number>> = {};
  for (const [line, decimals] of Object.entries(raw)) {
    if (!LINE_SET.has(line)) {
      return { ok: false, path: `rounding.${line}`, message: `unknown rounding line "${line}"; known lines: ${ROUNDING_LINES.join(', ')}` };
    }
    if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > MAX_LINE_DECIMALS) {
      return { ok: false, path: `rounding.${line}`, message: `decimals must be an integer from 0 to ${MAX_LINE_DECIMALS}` };
    }
    spec[line as RoundingLine] = decimals;
  }
  return { ok: true, spec };
}
