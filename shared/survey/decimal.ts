/**
 * Exact decimal arithmetic on the numbers as they print.
 *
 * A survey form is worked on paper in decimal: (5.012 + 5.013) / 2 is 5.0125, and that 5 decides
 * the rounding of the line. IEEE doubles do not agree: the same mean computed in doubles prints as
 * 5.012499999999999 and would round down. Every addition, subtraction and the exact
 * divisions of the form (the means by 2, the quarter mean by 8, metres to centimetres) are
 * therefore done here, in decimal, on each operand's shortest representation (the digits
 * `String(x)` and JSON print), and the result is the double nearest to the exact decimal answer.
 *
 * Multiplications and general divisions (corrections, interpolation, density) stay IEEE doubles,
 * as the format document's own example shows (0.3 × 1.025 is 0.30749999999999994 and rounds to
 * 0.307 at 3 dp).
 */

/** value = units × 10^(−scale); scale ≥ 0. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const NUMBER_PATTERN = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** The exact decimal value of a double's shortest representation. */
export function toDecimal(x: number): Decimal {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const match = NUMBER_PATTERN.exec(String(x));
  if (!match) throw new RangeError(`unexpected number representation: ${String(x)}`);
  const [, sign = '', intPart = '0', fracPart = '', expPart] = match;
  const exponent = (expPart === undefined ? 0 : Number(expPart)) - fracPart.length;
  let units = BigInt(intPart + fracPart);
  if (sign === '-') units = -units;
  return exponent >= 0 ? { units: units * 10n ** BigInt(exponent), scale: 0 } : { units, scale: -exponent };
}

/** The double nearest to a decimal value (Number() parses correctly rounded). */
export function fromDecimal(d: Decimal): number {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString();
  let text: string;
  if (d.scale === 0) {
    text = digits;
  } else {
    const padded = digits.padStart(d.scale + 1, '0');
    text = `${padded.slice(0, padded.length - d.scale)}.${padded.slice(padded.length - d.scale)}`;
  }
  const value = Number(negative ? `-${text}` : text);
  return value === 0 ? 0 : value; // never −0
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function decAdd(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function decSub(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function decNeg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

/** a × k for an integer k. */
export function decMulInt(a: Decimal, k: number): Decimal {
  if (!Number.isSafeInteger(k)) throw new RangeError(`not an integer factor: ${k}`);
  return { units: a.units * BigInt(k), scale: a.scale };
}

/** a × 10^n (n may be negative): an exact shift of the decimal point. */
export function decShift(a: Decimal, n: number): Decimal {
  if (n >= 0) {
    const drop = Math.min(n, a.scale);
    return { units: a.units * 10n ** BigInt(n - drop), scale: a.scale - drop };
  }
  return { units: a.units, scale: a.scale - n };
}

/** a / 2^n, exact in decimal: a × 5^n / 10^n. */
export function decDivPow2(a: Decimal, n: number): Decimal {
  return { units: a.units * 5n ** BigInt(n), scale: a.scale + n };
}

// ---- number-level conveniences used by the engine ----

/** Exact sum of the printed values. */
export function exactSum(...xs: number[]): number {
  return fromDecimal(xs.map(toDecimal).reduce(decAdd, { units: 0n, scale: 0 }));
}

/** Exact a − b on the printed values. */
export function exactDiff(a: number, b: number): number {
  return fromDecimal(decSub(toDecimal(a), toDecimal(b)));
}

/** Exact (a + b) / 2. */
export function exactMean(a: number, b: number): number {
  return fromDecimal(decDivPow2(decAdd(toDecimal(a), toDecimal(b)), 1));
}

/** Exact x × 10^n, e.g. metres to centimetres with n = 2. */
export function exactShift(x: number, n: number): number {
  return fromDecimal(decShift(toDecimal(x), n));
}

/** Exact −x (never −0). */
export function exactNeg(x: number): number {
  return fromDecimal(decNeg(toDecimal(x)));
}
