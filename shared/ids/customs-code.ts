/**
 * 海关企业编码 / 海关注册(备案)编码: ten characters, no check digit.
 *
 *   pos 1–4   属地行政区划 (province + city; "90" = 未列名省直辖行政单位)
 *   pos 5     市内经济区划: 1 经济特区, 2 经济技术开发区 / 上海浦东新区, 3 高新技术产业开发区, 4 保税区,
 *             5 出口加工区, 9 其他
 *   pos 6     企业经济类型: 1 国有, 2 中外合作, 3 中外合资, 4 外商独资, 5 集体, 6 私营, 7 个体工商户,
 *             8 报关企业, 9 其他
 *   pos 7–10  顺序号
 *
 * Positions 5 and 6 are digits in every example seen; the format stays tolerant of letters there.
 */

export const CUSTOMS_CODE_RE = /^\d{4}[0-9A-Z][0-9A-Z]\d{4}$/;

export const ECONOMIC_ZONES: Readonly<Record<string, string>> = {
  '1': '经济特区',
  '2': '经济技术开发区/浦东新区',
  '3': '高新技术产业开发区',
  '4': '保税区',
  '5': '出口加工区',
  '9': '其他',
};

export const ENTERPRISE_TYPES: Readonly<Record<string, string>> = {
  '1': '国有企业',
  '2': '中外合作企业',
  '3': '中外合资企业',
  '4': '外商独资企业',
  '5': '集体企业',
  '6': '私营企业',
  '7': '个体工商户',
  '8': '报关企业',
  '9': '其他',
};

export type CustomsCodeParse =
  | { ok: true; code: string; region: string; zone: string; enterpriseType: string; serial: string }
  | { ok: false; reason: 'format'; message: string };

export function parseCustomsCode(input: unknown): CustomsCodeParse {
  const s = typeof input === 'string' ? input.trim().toUpperCase() : '';
  if (!CUSTOMS_CODE_RE.test(s)) {
    return { ok: false, reason: 'format', message: 'a customs enterprise code is 10 characters: 4 digits, 2 digits or letters, 4 digits' };
  }
  return { ok: true, code: s, region: s.slice(0, 4), zone: s[4]!, enterpriseType: s[5]!, serial: s.slice(6) };
}

export function isValidCustomsCode(input: unknown): boolean {
  return parseCustomsCode(input).ok;
}

/**
 * 报关单号 (海关编号): 18 characters. pos 1–4 接受申报海关 (关区代码), 5–8 申报年份, 9 进出口标志
 * (1 进口, 0 出口; I/E for 集中申报清单), 10–18 顺序号. No check digit.
 */
export const ENTRY_ID_RE = /^\d{4}(19|20)\d{2}[01IE]\d{9}$/;

export type EntryIdParse =
  | { ok: true; entryId: string; customs: string; year: number; flag: 'I' | 'E' }
  | { ok: false; reason: 'format'; message: string };

export function parseEntryId(input: unknown): EntryIdParse {
  const s = typeof input === 'string' ? input.trim().toUpperCase() : '';
  if (!ENTRY_ID_RE.test(s)) return { ok: false, reason: 'format', message: 'a declaration number is 18 characters: 4-digit customs code, year, I/E flag (1/0/I/E), 9-digit serial' };
  const f = s[8]!;
  return { ok: true, entryId: s, customs: s.slice(0, 4), year: Number(s.slice(4, 8)), flag: f === '1' || f === 'I' ? 'I' : 'E' };
}
