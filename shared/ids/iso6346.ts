/**
 * ISO 6346 freight-container numbers: 3-letter owner code, equipment category (U, J or Z), 6-digit
 * serial and a check digit. Letter values skip multiples of 11 (A=10, B=12 … K=21, L=23 …);
 * check = (Σ v_i · 2^i mod 11) mod 10.
 *
 * OCR reads this text with predictable confusions (O↔0, I↔1, B↔8 …). `repairContainerNumber`
 * forces each position into its class (letters in the first four, digits in the last seven) and,
 * where that is ambiguous or the check digit still fails, tries the confusion alternatives and
 * keeps the unique candidate whose check digit verifies.
 */

const LETTER_VALUES: Record<string, number> = (() => {
  const m: Record<string, number> = {};
  let v = 10;
  for (let k = 65; k <= 90; k++) {
    if (v % 11 === 0) v++;
    m[String.fromCharCode(k)] = v;
    v++;
  }
  return m;
})();

export const CONTAINER_RE = /^[A-Z]{3}[UJZ]\d{7}$/;

export function charValue(c: string): number | undefined {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  return LETTER_VALUES[c];
}

/** Check digit of the first 10 characters (owner code, category, serial); undefined if malformed. */
export function checkDigit(first10: string): number | undefined {
  if (!/^[A-Z]{4}\d{6}$/.test(first10)) return undefined;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += charValue(first10[i]!)! * 2 ** i;
  return (sum % 11) % 10;
}

export function isValidContainerNumber(s: string): boolean {
  if (!CONTAINER_RE.test(s)) return false;
  return checkDigit(s.slice(0, 10)) === Number(s[10]);
}

/** Look-alikes OCR produces: a letter read where a digit belongs, and the other way round. */
const TO_DIGIT: Record<string, string[]> = {
  O: ['0'], Q: ['0'], D: ['0'], U: ['0'], C: ['0'], I: ['1'], L: ['1'], J: ['1'], T: ['1', '7'], Z: ['2'], E: ['3'],
  A: ['4'], H: ['4'], S: ['5'], G: ['6', '9'], B: ['8'], Y: ['7'], R: ['8'], P: ['9'],
};
const TO_LETTER: Record<string, string[]> = {
  '0': ['O', 'D', 'Q'], '1': ['I', 'L', 'J', 'T'], '2': ['Z'], '3': ['B', 'E'], '4': ['A'], '5': ['S'], '6': ['G'],
  '7': ['T', 'Z'], '8': ['B'], '9': ['G', 'P'],
};
/** Letters that OCR swaps among themselves in the owner code/category. */
const LETTER_LOOKALIKES: Record<string, string[]> = { O: ['D', 'Q', 'U'], D: ['O'], U: ['O', 'J', 'V'], V: ['U'], J: ['U'], Q: ['O'], I: ['L', 'J'] };
/** Digits OCR swaps among themselves. */
const DIGIT_LOOKALIKES: Record<string, string[]> = { '0': ['8', '6', '9'], '1': ['7'], '3': ['8'], '5': ['6'], '6': ['5', '8', '0'], '7': ['1'], '8': ['3', '6', '0', '9'], '9': ['8', '0'] };

export interface RepairChange {
  index: number;
  from: string;
  to: string;
}

export interface RepairResult {
  value: string;
  valid: boolean;
  repaired: boolean;
  changes: RepairChange[];
  /** How many distinct valid readings were reachable (1 = unambiguous). */
  candidates: number;
}

function alternatives(c: string, wantLetter: boolean): string[] {
  const isLetter = c >= 'A' && c <= 'Z';
  if (wantLetter) return isLetter ? [c, ...(LETTER_LOOKALIKES[c] ?? [])] : (TO_LETTER[c] ?? []);
  return isLetter ? (TO_DIGIT[c] ?? []) : [c, ...(DIGIT_LOOKALIKES[c] ?? [])];
}

/**
 * Repairs an 11-character OCR reading (spaces and separators removed beforehand). The first
 * candidate tried is the "class-forced" reading (each position's primary look-alike); extra
 * substitutions cost one each and the cheapest verifying reading wins; a tie between different
 * readings is reported through `candidates` and leaves the reading invalid.
 */
export function repairContainerNumber(raw: string, maxExtraSubstitutions = 2): RepairResult {
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (s.length !== 11) return { value: s, valid: false, repaired: false, changes: [], candidates: 0 };
  if (isValidContainerNumber(s)) return { value: s, valid: true, repaired: false, changes: [], candidates: 1 };
  const opts: string[][] = [];
  for (let i = 0; i < 11; i++) {
    let a = alternatives(s[i]!, i < 4);
    // the category is U, J or Z; anything else read there is most likely a U
    if (i === 3) {
      a = a.filter((c) => c === 'U' || c === 'J' || c === 'Z');
      if (a.length === 0) a = ['U'];
    }
    opts.push(a);
  }
  if (opts.some((o) => o.length === 0)) return { value: s, valid: false, repaired: false, changes: [], candidates: 0 };
  // cost = number of positions not at their first option; search by increasing cost
  const found = new Map<string, number>();
  let bestCost = Infinity;
  const cur: string[] = opts.map((o) => o[0]!);
  const rec = (i: number, cost: number): void => {
    if (cost > maxExtraSubstitutions || cost > bestCost) return;
    if (i === 11) {
      const v = cur.join('');
      if (isValidContainerNumber(v)) {
        if (cost < bestCost) {
          bestCost = cost;
          found.clear();
        }
        found.set(v, cost);
      }
      return;
    }
    const o = opts[i]!;
    for (let k = 0; k < o.length; k++) {
      cur[i] = o[k]!;
      rec(i + 1, cost + (k === 0 ? 0 : 1));
    }
    cur[i] = o[0]!;
  };
  rec(0, 0);
  if (found.size !== 1) return { value: s, valid: false, repaired: false, changes: [], candidates: found.size };
  const value = [...found.keys()][0]!;
  const changes: RepairChange[] = [];
  for (let i = 0; i < 11; i++) if (value[i] !== s[i]) changes.push({ index: i, from: s[i]!, to: value[i]! });
  return { value, valid: true, repaired: changes.length > 0, changes, candidates: 1 };
}
