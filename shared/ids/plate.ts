/**
 * Chinese motor-vehicle plates (GA 36-2018): province abbreviation + issuing-office letter + 5
 * characters (blue, yellow, black), or + 6 for new-energy green plates (small: 3rd character in
 * D A B C E (battery) / F G H J K (hybrid); large: last character from that set). Special series
 * end in 挂 学 警 港 澳 领 试 超, or start with 使 (embassy). The letters I and O are never used.
 */

export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
export const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
export const PLATE_DIGITS = '0123456789';
export const PLATE_SUFFIXES = '挂学警港澳领试超';
/** Every character a plate can carry (for constrained recognition). */
export const PLATE_CHARSET = PROVINCES + PLATE_LETTERS + PLATE_DIGITS + PLATE_SUFFIXES + '使';

const P = `[${PROVINCES}]`;
const L = '[A-HJ-NP-Z]';
const AN = '[A-HJ-NP-Z0-9]';
const NEV = '[DABCEFGHJK]';

export type PlateKind = 'ordinary' | 'special' | 'new-energy-small' | 'new-energy-large' | 'embassy' | 'cross-border';

const RULES: { kind: PlateKind; re: RegExp }[] = [
  { kind: 'new-energy-small', re: new RegExp(`^${P}${L}${NEV}${AN}\\d{4}$`) },
  { kind: 'new-energy-large', re: new RegExp(`^${P}${L}\\d{5}${NEV}$`) },
  { kind: 'cross-border', re: new RegExp(`^粤Z${AN}{4}[港澳]$`) },
  { kind: 'special', re: new RegExp(`^${P}${L}${AN}{4}[挂学警领试超]$`) },
  { kind: 'embassy', re: /^使\d{6}$|^\d{6}使$/ },
  { kind: 'ordinary', re: new RegExp(`^${P}${L}${AN}{5}$`) },
];

export interface PlateCheck {
  valid: boolean;
  kind?: PlateKind;
}

export function validatePlate(text: string): PlateCheck {
  for (const r of RULES) if (r.re.test(text)) return { valid: true, kind: r.kind };
  return { valid: false };
}

/** Separator dots, spaces and dashes OCR reads between the 2nd and 3rd characters. */
export function stripPlateSeparators(s: string): string {
  return s.replace(/[\s·•．.・\-_:：'"`|]/g, '').toUpperCase();
}

/**
 * Repairs class confusions a plate can never contain: O → 0 and I → 1 in the serial (those letters
 * are not issued), and in the issuing-office position (always a letter) a digit read for its
 * look-alike letter (8 → B, 0 → D, 2 → Z, 5 → S, 6 → G). Returns the repaired text and the
 * positions changed.
 */
export function normalisePlate(raw: string): { text: string; changes: { index: number; from: string; to: string }[] } {
  const chars = [...stripPlateSeparators(raw)];
  const changes: { index: number; from: string; to: string }[] = [];
  const set = (i: number, to: string): void => {
    const from = chars[i]!;
    if (from !== to) {
      changes.push({ index: i, from, to });
      chars[i] = to;
    }
  };
  const letterFor: Record<string, string> = { '8': 'B', '0': 'D', '2': 'Z', '5': 'S', '6': 'G' };
  if (chars.length >= 2 && chars[1]! in letterFor) set(1, letterFor[chars[1]!]!);
  for (let i = 2; i < chars.length; i++) {
    if (chars[i] === 'O') set(i, '0');
    else if (chars[i] === 'I') set(i, '1');
  }
  return { text: chars.join(''), changes };
}
