/**
 * IMO ship identification numbers: seven digits, the last a check digit. Multiply the first six
 * digits by 7, 6, 5, 4, 3, 2; the check digit is the last digit of the sum.
 * Example: 9074729 → 9·7 + 0·6 + 7·5 + 4·4 + 7·3 + 2·2 = 139 → 9.
 */

/** Check digit for the first six digits of an IMO number. */
export function imoCheckDigit(firstSix: string): number {
  if (!/^\d{6}$/.test(firstSix)) throw new RangeError(`expected six digits, got "${firstSix}"`);
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(firstSix[i]) * (7 - i);
  return sum % 10;
}

export type ImoParse =
  | { ok: true; imo: string }
  | { ok: false; reason: 'format' | 'check_digit'; message: string };

/**
 * Accepts "9074729", "IMO 9074729", "IMO9074729" (case-insensitive prefix) or the number 9074729.
 * Returns the seven digits.
 */
export function parseImo(input: unknown): ImoParse {
  const text = typeof input === 'number' && Number.isInteger(input) ? String(input) : typeof input === 'string' ? input.trim() : undefined;
  const match = text === undefined ? null : /^(?:IMO\s*)?(\d{7})$/i.exec(text);
  if (!match) return { ok: false, reason: 'format', message: 'an IMO number is seven digits, optionally prefixed "IMO"' };
  const digits = match[1]!;
  const expected = imoCheckDigit(digits.slice(0, 6));
  if (Number(digits[6]) !== expected) {
    return { ok: false, reason: 'check_digit', message: `IMO ${digits} fails its check digit (expected last digit ${expected})` };
  }
  return { ok: true, imo: digits };
}

export function isValidImo(input: unknown): boolean {
  return parseImo(input).ok;
}
