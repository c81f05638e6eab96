/**
 * 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): 18 characters.
 *
 *   pos 1     登记管理部门码 (9 = 市场监管/工商, 5 = 民政, 1 = 机构编制, Y = 其他 …)
 *   pos 2     机构类别码 (for 9: 1 企业, 2 个体工商户, 3 农民专业合作社)
 *   pos 3–8   登记管理机关行政区划码 (GB/T 2260, six digits)
 *   pos 9–17  主体标识码 = 组织机构代码 (GB 11714: eight body characters + its own check character)
 *   pos 18    校验码
 *
 * Charset (31 characters, no I O S V Z): 0-9 then A B C D E F G H J K L M N P Q R T U W X Y with
 * values 0..30. Weights W_i = 3^i mod 31; check = (31 − Σ v_i·W_i mod 31) mod 31.
 * The embedded organisation code (pos 9–17) has its own check: weights 3 7 9 10 5 8 4 2 on the
 * eight body characters (digits by value, letters A=10 … Z=35), C = 11 − Σ mod 11, 10 → X, 11 → 0.
 *
 * Some pilot-era codes fail the checksum yet are legal (e.g. 91350100M0001TGQXM); master data keeps
 * them through an explicit whitelist, not by weakening the check.
 */

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const USCC_RE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Check character for the first 17 characters, or undefined if one lies outside the charset. */
export function usccCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]!);
    if (v < 0) return undefined;
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

function base36(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  return -1;
}

/** GB 11714 check character for the eight body characters of an organisation code. */
export function orgCodeCheckChar(body8: string): string | undefined {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return undefined;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += base36(body8[i]!) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export type UsccParse =
  | { ok: true; uscc: string; authority: string; category: string; region: string; orgCode: string; orgCodeValid: boolean }
  | { ok: false; reason: 'format' | 'check_char'; message: string };

/**
 * Parses and verifies a USCC (upper-cases and trims first). `orgCodeValid` reports the embedded
 * GB 11714 check separately: the GB 32100 check character is what makes a code valid.
 */
export function parseUscc(input: unknown): UsccParse {
  const s = typeof input === 'string' ? input.trim().toUpperCase() : '';
  if (!USCC_RE.test(s)) {
    return { ok: false, reason: 'format', message: 'a USCC is 18 characters: 2 from the charset, 6 digits, 10 from the charset (no I, O, S, V, Z)' };
  }
  const expected = usccCheckChar(s.slice(0, 17));
  if (expected !== s[17]) {
    return { ok: false, reason: 'check_char', message: `USCC ${s} fails its check character (expected ${expected ?? '?'})` };
  }
  const orgCode = s.slice(8, 17);
  return {
    ok: true,
    uscc: s,
    authority: s[0]!,
    category: s[1]!,
    region: s.slice(2, 8),
    orgCode,
    orgCodeValid: orgCodeCheckChar(orgCode.slice(0, 8)) === orgCode[8],
  };
}

export function isValidUscc(input: unknown): boolean {
  return parseUscc(input).ok;
}

/** Builds a valid USCC from its first 17 characters (appends the check character). */
export function completeUscc(first17: string): string {
  const c = usccCheckChar(first17);
  if (c === undefined) throw new RangeError(`cannot complete USCC from "${first17}"`);
  return first17 + c;
}
