/**
 * The synthetic trading world: an HS catalogue with reference prices, ~20k enterprises with Zipf-like
 * sizes, their goods, partners, trade modes, districts and growth, an exchange-rate path, and the
 * planted anomalies. Built deterministically from the seed, so every worker rebuilds the same world.
 */
import { completeUscc, orgCodeCheckChar, USCC_CHARSET } from '../../../shared/ids/uscc.js';
import { COUNTRIES, REGIONS } from '../reference/codes.js';
import { HS_HEADINGS } from '../reference/hs.js';
import { Rng } from './rng.js';

export interface GenParams {
  rows: number;
  enterprises: number;
  years: number;
  startYear: number;
  seed: number;
  /** Planted anomalies of each enterprise type (chapter breaks: half of it, at least 1). */
  anomaliesPerType: number;
}

export interface HsCode {
  code: string;
  heading: string;
  chapter: string;
  unit: string;
  discrete: boolean;
  price: number;
}

export interface Enterprise {
  idx: number;
  uscc: string;
  customsCode: string;
  name: string;
  entType: string;
  region: string;
  credit: 'ADV' | 'REG' | 'DIS';
  registered: string;
  weight: number;
  importShare: number;
  profile: 'general' | 'processing' | 'bonded' | 'ecommerce';
  /** hs code indices and weights, per flow */
  impCodes: number[];
  impCodeW: number[];
  expCodes: number[];
  expCodeW: number[];
  impCountries: string[];
  impCountryW: number[];
  expCountries: string[];
  expCountryW: number[];
  districts: string[];
  districtW: number[];
  growth: number;
  /** month index from which the firm trades (0 unless registered during the period) */
  startMonth: number;
  /** month index from which a natural fade-out starts, or -1 */
  fadeFrom: number;
  priceFactor: number;
  /** log-median of item value in CNY */
  valueMu: number;
}

export type AnomalyType = 'surge' | 'stop' | 'unit_value' | 'concentration' | 'chapter_break';

export interface Anomaly {
  id: string;
  type: AnomalyType;
  /** first affected month, YYYY-MM */
  from: string;
  /** last affected month (unit_value windows), YYYY-MM */
  to?: string;
  fromIndex: number;
  toIndex: number;
  factor: number;
  uscc?: string;
  customsCode?: string;
  enterpriseIdx?: number;
  chapter?: string;
  hsCode?: string;
  hsIdx?: number;
  country?: string;
}

export interface World {
  params: GenParams;
  months: number;
  monthKeys: string[];
  codes: HsCode[];
  enterprises: Enterprise[];
  fx: number[];
  anomalies: Anomaly[];
  /** per month: chapter → value factor (chapter breaks) */
  chapterFactor: Map<string, number>[];
}

const IMPORT_HEADING_W: Record<string, number> = {
  '8542': 10, '8471': 3, '8517': 2, '8703': 6, '8708': 3, '9018': 2, '9027': 1.5, '9031': 1, '8486': 2, '8479': 1.5, '8481': 1, '8413': 0.8,
  '8414': 0.8, '8421': 0.7, '8536': 1.5, '8541': 1.2, '8504': 0.8, '8473': 1, '8529': 0.8, '3004': 3, '3002': 1.5, '2933': 0.6, '2941': 0.4,
  '2901': 0.5, '2902': 0.5, '3304': 2.5, '3305': 0.6, '3901': 1.5, '3902': 1, '3907': 1, '3920': 0.6, '2709': 2, '2710': 1, '2711': 1.5,
  '2601': 1.5, '2603': 1, '2701': 0.5, '7108': 1.5, '7102': 0.8, '7113': 0.5, '0201': 0.8, '0202': 1, '0203': 0.8, '0207': 0.5, '0303': 0.6,
  '0306': 1, '0307': 0.4, '0401': 0.4, '0402': 0.8, '0406': 0.3, '0805': 0.4, '0810': 0.8, '0803': 0.3, '0802': 0.3, '0901': 0.3, '1201': 1,
  '1005': 0.3, '1001': 0.3, '1511': 0.3, '1507': 0.2, '1901': 0.6, '2106': 0.5, '2204': 0.6, '2208': 0.4, '2202': 0.2, '4703': 0.6,
  '4707': 0.2, '4001': 0.4, '4407': 0.4, '4403': 0.3, '7403': 1, '7502': 0.3, '7601': 0.2, '8105': 0.2, '4202': 1, '6204': 0.3, '6110': 0.2,
  '9102': 0.6, '9101': 0.4, '8802': 0.05, '8803': 0.3, '8411': 0.2, '9013': 0.6, '9022': 0.4, '3808': 0.2, '3824': 0.4, '9504': 0.3,
  '9701': 0.05, '9706': 0.02, '9801': 0.05,
};

const EXPORT_HEADING_W: Record<string, number> = {
  '8471': 5, '8517': 4, '8542': 4, '8473': 1.5, '8504': 1.5, '8544': 1.5, '8536': 1, '8541': 1.5, '8507': 3, '8703': 4, '8708': 2.5,
  '8711': 0.3, '8714': 0.3, '8418': 0.8, '8516': 1, '8528': 1, '8518': 0.8, '8525': 0.6, '8479': 1, '8413': 0.6, '8414': 0.8, '8481': 0.6,
  '8482': 0.5, '8483': 0.5, '8501': 1, '8443': 0.6, '8429': 0.6, '8901': 0.1, '9013': 0.5, '9018': 0.5, '9031': 0.3, '9405': 1, '9401': 1.2,
  '9403': 1.2, '9404': 0.5, '9503': 1, '9506': 0.6, '6109': 1, '6110': 1, '6204': 0.8, '6203': 0.6, '6302': 0.5, '6402': 0.5, '6403': 0.4,
  '6404': 0.4, '4202': 0.6, '3926': 1, '3923': 0.6, '3920': 0.5, '3919': 0.3, '4011': 0.6, '4016': 0.3, '7308': 0.5, '7318': 0.5, '7326': 0.6,
  '7304': 0.3, '7210': 0.4, '7219': 0.3, '7606': 0.4, '8205': 0.2, '8302': 0.3, '2933': 0.4, '2917': 0.2, '2836': 0.2, '2818': 0.2,
  '3004': 0.3, '3208': 0.2, '3402': 0.2, '5208': 0.3, '5402': 0.3, '5603': 0.3, '6004': 0.3, '6911': 0.2, '7013': 0.2, '7005': 0.2,
  '6907': 0.2, '4819': 0.2, '4810': 0.2, '1604': 0.2, '0709': 0.1, '0902': 0.1, '9619': 0.2, '9603': 0.1, '9608': 0.1, '6505': 0.1,
  '6601': 0.1, '6702': 0.1, '5702': 0.1, '4418': 0.1, '8601': 0.02, '8607': 0.1,
};

const IMPORT_COUNTRY_W: Record<string, number> = {
  JPN: 10, KOR: 8, TWN: 7, USA: 9, DEU: 8, AUS: 5, MYS: 4, VNM: 3, THA: 3, FRA: 3, ITA: 2.5, CHE: 2, BRA: 3, SGP: 2, IDN: 2, NZL: 1.5, CAN: 1.5,
  GBR: 2, SAU: 1.5, RUS: 1.5, CHL: 1, IND: 1, NLD: 1.5, IRL: 1, PHL: 1, ARE: 0.6, QAT: 0.6, PER: 0.5, ZAF: 0.5, ESP: 0.8, AUT: 0.5, SWE: 0.6,
  DNK: 0.4, FIN: 0.3, BEL: 0.6, MEX: 0.5, ARG: 0.4, KAZ: 0.3, NOR: 0.3, ISR: 0.4, HUN: 0.2, POL: 0.2, CZE: 0.3, AGO: 0.3, COD: 0.2, PNG: 0.1,
};

const EXPORT_COUNTRY_W: Record<string, number> = {
  USA: 16, JPN: 7, HKG: 6, KOR: 4, DEU: 4, VNM: 3.5, NLD: 3, GBR: 3, AUS: 2.5, IND: 2.5, MYS: 2.5, SGP: 2.5, THA: 2, MEX: 2, BRA: 1.8, RUS: 2,
  ARE: 1.5, CAN: 1.5, FRA: 1.5, ITA: 1.3, IDN: 1.8, PHL: 1.3, TUR: 0.8, SAU: 1, POL: 0.8, BEL: 0.8, ESP: 1, CHL: 0.6, NGA: 0.4, ZAF: 0.6,
  EGY: 0.4, PAK: 0.5, BGD: 0.5, KAZ: 0.4, TWN: 1.5, ISR: 0.4, SWE: 0.4, KEN: 0.2, ETH: 0.1, GHA: 0.1, MAR: 0.2, DZA: 0.2, ARG: 0.4, PER: 0.3,
  COL: 0.3, PAN: 0.3, LKA: 0.2, MMR: 0.2, KHM: 0.3, LAO: 0.1, MNG: 0.1, NZL: 0.4, IRL: 0.2, CHE: 0.4, NOR: 0.2, UKR: 0.2, GRC: 0.2, PRT: 0.2,
  AUT: 0.3, DNK: 0.2, FIN: 0.1, CZE: 0.3, HUN: 0.3, IRQ: 0.2, KWT: 0.1, OMN: 0.1, QAT: 0.2, BRN: 0.05,
};

/** Price level of goods from/to a country relative to the reference (unit values differ by origin). */
export const COUNTRY_PRICE: Record<string, number> = {
  JPN: 1.15, DEU: 1.2, CHE: 1.3, USA: 1.1, FRA: 1.15, ITA: 1.15, GBR: 1.1, KOR: 1.05, VNM: 0.85, IND: 0.85, BGD: 0.8, IDN: 0.85, THA: 0.9,
  MYS: 0.95, PAK: 0.85, KHM: 0.8, MMR: 0.8,
};

const PRICE_OVERRIDE: Record<string, number> = {
  '8542': 5, '8541': 0.8, '8471': 3500, '8517': 2200, '8703': 260000, '8704': 150000, '8711': 6000, '8802': 3e7, '8411': 2e6, '8486': 5e6,
  '9022': 1e6, '9018': 30000, '9027': 150000, '9031': 80000, '2709': 4, '2711': 4, '2710': 6, '2601': 0.9, '2603': 15, '2701': 1, '7403': 65,
  '7502': 130, '7601': 18, '8105': 250, '7108': 450, '7102': 8000, '0201': 60, '0202': 45, '0203': 18, '0306': 80, '1201': 3.5, '1001': 2.2,
  '1005': 1.8, '3004': 1500, '3002': 20000, '3304': 600, '2204': 60, '2208': 200, '9101': 60000, '9102': 3000, '4202': 500, '8507': 300,
  '8528': 1500, '8418': 2000, '8516': 200, '8901': 3e7, '8601': 1e7, '9701': 5e5, '9706': 1e6, '7113': 600, '8429': 400000, '8501': 3000,
  '8443': 4000, '8413': 6000, '8414': 2500, '8479': 150000, '8421': 20000, '8525': 3000, '8518': 150, '9013': 800, '9504': 1500, '9405': 120,
  '9401': 400, '9403': 500, '9404': 150,
};

const DISCRETE_UNITS = new Set(['001', '002', '003', '004', '006', '007', '008', '011', '025']);

function defaultPrice(heading: string, unit: string): number {
  const ch = Number(heading.slice(0, 2));
  switch (unit) {
    case '001':
      return ch === 84 ? 20000 : ch === 85 ? 1500 : ch === 90 ? 50000 : 5000;
    case '003':
      return 180000;
    case '004':
      return 2e8;
    case '006':
      return 200;
    case '007':
      return 30;
    case '008':
      return 2000;
    case '011':
      return 120;
    case '018':
      return 25;
    case '025':
      return 90;
    case '030':
      return 1800;
    case '036':
      return 450;
    case '044':
      return 8000;
    case '095':
      return 40;
  }
  if (ch <= 24) return 30;
  if (ch <= 27) return 3;
  if (ch <= 38) return 25;
  if (ch <= 40) return 15;
  if (ch <= 43) return 80;
  if (ch <= 49) return 8;
  if (ch <= 63) return 60;
  if (ch <= 67) return 100;
  if (ch <= 70) return 10;
  if (ch === 71) return 300;
  if (ch <= 83) return 12;
  if (ch <= 85) return 120;
  if (ch <= 89) return 80;
  if (ch <= 92) return 400;
  return 40;
}

const NAME_WORDS = ['宏达', '华信', '东方', '申通', '海联', '联创', '恒瑞', '星辰', '金桥', '高桥', '临港', '新元', '远洋', '洋山', '汇通', '瑞博', '德润', '博远', '云峰', '嘉禾', '振华', '天合', '凯盛', '锦程', '永泰', '晨光', '明通', '华远', '世纪', '远航', '浦江', '沪东', '长江', '环球', '鼎新', '立信', '启明', '安达', '铭泰', '信达'];

function industry(chapter: string): string {
  const ch = Number(chapter);
  if (ch === 84 || ch === 85) return '电子科技';
  if (ch === 87) return '汽车零部件';
  if (ch === 90) return '医疗器械';
  if (ch === 30) return '医药';
  if (ch === 33) return '化妆品';
  if (ch <= 24) return '食品';
  if (ch <= 27) return '能源';
  if (ch <= 38) return '化工';
  if (ch <= 40) return '新材料';
  if (ch >= 50 && ch <= 67) return '服饰';
  if (ch === 71) return '珠宝';
  if (ch >= 72 && ch <= 83) return '金属制品';
  if (ch >= 94 && ch <= 96) return '家居用品';
  return '国际贸易';
}

const DISTRICT_W: Record<string, number> = { '2248': 30, '2225': 25, '2218': 12, '2233': 15, '2216': 3, '2244': 4, '2249': 3, '2210': 4, '2203': 2, '2202': 2 };
const BONDED_DISTRICT_W: Record<string, number> = { '2218': 40, '2249': 25, '2216': 15, '2248': 20 };

/** Region (GB/T 2260) → synthetic 4-digit 属地 prefix of the customs code. */
function customsRegionPrefix(region: string): string {
  if (region.startsWith('31')) return `31${String(REGIONS.findIndex((r) => r.code === region) + 1).padStart(2, '0')}`;
  return region.slice(0, 4);
}

function entries(w: Record<string, number>): [string[], number[]] {
  return [Object.keys(w), Object.values(w)];
}

function pickDistinct(rng: Rng, keys: string[], weights: number[], k: number): string[] {
  const out: string[] = [];
  const w = weights.slice();
  for (let i = 0; i < k && out.length < keys.length; i++) {
    const j = rng.weighted(w);
    out.push(keys[j]!);
    w[j] = 0;
    if (w.every((x) => x === 0)) break;
  }
  return out;
}

function decreasing(rng: Rng, k: number): number[] {
  // Dirichlet-like weights with a dominant first element
  return Array.from({ length: k }, (_, i) => rng.lognormal(0, 0.4) / Math.pow(i + 1, 0.9));
}

export function monthKey(startYear: number, m: number): string {
  const y = startYear + Math.floor(m / 12);
  return `${y}-${String((m % 12) + 1).padStart(2, '0')}`;
}

export function buildWorld(params: GenParams): World {
  const rng = new Rng(params.seed, 1);
  const months = params.years * 12;
  const monthKeys = Array.from({ length: months }, (_, m) => monthKey(params.startYear, m));

  // HS catalogue: 1–4 ten-digit codes per heading
  const codes: HsCode[] = [];
  const codesByHeading = new Map<string, number[]>();
  for (const h of HS_HEADINGS) {
    const n = 1 + rng.int(4);
    const subs = rng.shuffle(['10', '20', '30', '40', '50', '90']).slice(0, n).sort();
    const list: number[] = [];
    const base = PRICE_OVERRIDE[h.code] ?? defaultPrice(h.code, h.unit);
    for (const s of subs) {
      const code = `${h.code}${s}${rng.next() < 0.3 ? '90' : '00'}${rng.next() < 0.2 ? '10' : '00'}`;
      list.push(codes.length);
      codes.push({ code, heading: h.code, chapter: h.code.slice(0, 2), unit: h.unit, discrete: DISCRETE_UNITS.has(h.unit), price: base * rng.lognormal(0, 0.3) });
    }
    codesByHeading.set(h.code, list);
  }
  const headingW = (table: Record<string, number>) => {
    const keys: string[] = [];
    const w: number[] = [];
    for (const h of HS_HEADINGS) {
      keys.push(h.code);
      w.push(table[h.code] ?? 0.03);
    }
    return [keys, w] as const;
  };
  const [impH, impHW] = headingW(IMPORT_HEADING_W);
  const [expH, expHW] = headingW(EXPORT_HEADING_W);
  const known = new Set(COUNTRIES.map((c) => c.code));
  const [impC, impCW] = entries(Object.fromEntries(Object.entries(IMPORT_COUNTRY_W).filter(([k]) => known.has(k))));
  const [expC, expCW] = entries(Object.fromEntries(Object.entries(EXPORT_COUNTRY_W).filter(([k]) => known.has(k))));
  const [dK, dW] = entries(DISTRICT_W);
  const [bK, bW] = entries(BONDED_DISTRICT_W);

  // Enterprises: Zipf-like sizes over a shuffled rank order
  const E = params.enterprises;
  const ranks = rng.shuffle(Array.from({ length: E }, (_, i) => i + 1));
  const usedUscc = new Set<string>();
  const serial = new Map<string, number>();
  const enterprises: Enterprise[] = [];
  const regionW = REGIONS.map((r) => (r.code === '310115' ? 40 : r.code.startsWith('31') ? 3 : 1.5));
  for (let i = 0; i < E; i++) {
    const rank = ranks[i]!;
    const big = rank <= Math.max(5, E * 0.05);
    const dir = rng.next();
    const importShare = dir < 0.35 ? 0.92 : dir < 0.7 ? 0.08 : 0.5;
    const pr = rng.next();
    const profile: Enterprise['profile'] = pr < 0.65 ? 'general' : pr < 0.85 ? 'processing' : pr < 0.95 ? 'bonded' : 'ecommerce';
    const entType = big ? ['4', '3', '1', '6', '2'][rng.weighted([40, 20, 20, 15, 5])]! : ['6', '4', '3', '1', '2', '5', '7', '9'][rng.weighted([52, 22, 8, 4, 2, 2, 2, 8])]!;
    const region = REGIONS[rng.weighted(regionW)]!.code;
    const zone = region === '310115' ? (profile === 'bonded' ? '4' : '2') : rng.next() < 0.3 ? '3' : '9';
    let prefix = `${customsRegionPrefix(region)}${zone}${entType}`;
    let n = serial.get(prefix) ?? 0;
    if (n >= 9999) {
      prefix = `${customsRegionPrefix(region)}9${entType}`;
      n = serial.get(prefix) ?? 0;
    }
    serial.set(prefix, n + 1);
    const customsCode = `${prefix}${String(n + 1).padStart(4, '0')}`;
    let uscc = '';
    do {
      let body = '';
      for (let k = 0; k < 8; k++) body += USCC_CHARSET[rng.int(USCC_CHARSET.length)];
      const org = body + orgCodeCheckChar(body)!;
      uscc = completeUscc(`91${region}${org}`);
    } while (usedUscc.has(uscc));
    usedUscc.add(uscc);
    const nH = big ? 3 + rng.int(6) : 1 + rng.int(3);
    const pickCodes = (hs: readonly string[], hw: readonly number[]) => {
      const heads = pickDistinct(rng, hs.slice(), hw.slice(), nH);
      const cs: number[] = [];
      for (const h of heads) {
        const list = codesByHeading.get(h)!;
        cs.push(list[rng.int(list.length)]!);
      }
      return cs;
    };
    const impCodes = pickCodes(impH, impHW);
    const expCodes = pickCodes(expH, expHW);
    const nC = big ? 4 + rng.int(5) : 1 + rng.int(4);
    const impCountries = pickDistinct(rng, impC, impCW, nC);
    const expCountries = pickDistinct(rng, expC, expCW, nC);
    const nD = 1 + rng.int(3);
    const districts = profile === 'bonded' ? pickDistinct(rng, bK, bW, nD) : pickDistinct(rng, dK, dW, nD);
    const credit: Enterprise['credit'] = rng.next() < (big ? 0.35 : 0.06) ? 'ADV' : rng.next() < 0.025 ? 'DIS' : 'REG';
    const newcomer = rng.next() < 0.1 && months >= 12;
    const startMonth = newcomer ? 1 + rng.int(Math.max(1, months - 6)) : 0;
    const regDay = newcomer
      ? `${monthKeys[startMonth]}-${String(1 + rng.int(27)).padStart(2, '0')}`
      : `${1992 + rng.int(Math.max(1, params.startYear - 1992))}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(27)).padStart(2, '0')}`;
    const mainChapter = codes[(importShare > 0.5 ? impCodes : expCodes)[0]!]!.chapter;
    const type = entType === '4' ? '(中国)有限公司' : entType === '1' ? '集团有限公司' : '有限公司';
    enterprises.push({
      idx: i,
      uscc,
      customsCode,
      name: `上海${rng.pick(NAME_WORDS)}${rng.pick(NAME_WORDS)}${industry(mainChapter)}${type}`,
      entType,
      region,
      credit,
      registered: regDay,
      weight: 1 / Math.pow(rank, 0.95),
      importShare,
      profile,
      impCodes,
      impCodeW: decreasing(rng, impCodes.length),
      expCodes,
      expCodeW: decreasing(rng, expCodes.length),
      impCountries,
      impCountryW: decreasing(rng, impCountries.length),
      expCountries,
      expCountryW: decreasing(rng, expCountries.length),
      districts,
      districtW: decreasing(rng, districts.length),
      growth: Math.max(-0.3, Math.min(0.5, 0.03 + 0.1 * rng.normal())),
      startMonth,
      fadeFrom: rank > E / 2 && rng.next() < 0.04 ? 6 + rng.int(Math.max(1, months - 6)) : -1,
      priceFactor: rng.lognormal(0, 0.08),
      valueMu: Math.log(120_000) + (big ? 0.6 : 0) + 0.3 * rng.normal(),
    });
  }

  // USD/CNY: a bounded random walk around 7
  const fx: number[] = [];
  let rate = 6.9 + 0.2 * rng.next();
  for (let m = 0; m < months; m++) {
    rate = Math.max(6.3, Math.min(7.35, rate + 0.04 * rng.normal()));
    fx.push(Math.round(rate * 10000) / 10000);
  }

  const anomalies = plantAnomalies(rng, params, months, monthKeys, enterprises, codes);
  const chapterFactor: Map<string, number>[] = Array.from({ length: months }, () => new Map());
  for (const a of anomalies) {
    if (a.type !== 'chapter_break') continue;
    for (let m = a.fromIndex; m < months; m++) chapterFactor[m]!.set(a.chapter!, a.factor);
  }
  return { params, months, monthKeys, codes, enterprises, fx, anomalies, chapterFactor };
}

function plantAnomalies(rng: Rng, params: GenParams, months: number, monthKeys: string[], ents: Enterprise[], codes: HsCode[]): Anomaly[] {
  const K = params.anomaliesPerType;
  if (K <= 0 || months < 9) return [];
  const lo = months >= 24 ? Math.max(13, months - 12) : Math.max(6, Math.floor(months / 2));
  const hi = months - 3;
  const when = () => lo + rng.int(Math.max(1, hi - lo + 1));
  const totalW = ents.reduce((s, e) => s + e.weight, 0);
  const perMonth = params.rows / months;
  // candidates: enough monthly volume to see a pattern, but not the very largest firms
  const byVolume = ents
    .map((e) => ({ e, items: (perMonth * e.weight) / totalW }))
    .sort((a, b) => b.items - a.items)
    .slice(3);
  let pool = byVolume.filter((x) => x.items >= 25 && x.e.startMonth === 0 && x.e.fadeFrom < 0 && x.e.profile === 'general').map((x) => x.e);
  if (pool.length < 5 * K) pool = byVolume.filter((x) => x.e.startMonth === 0 && x.e.fadeFrom < 0).slice(0, 8 * K).map((x) => x.e);
  rng.shuffle(pool);
  const used = new Set<number>();
  const take = (pred: (e: Enterprise) => boolean): Enterprise | undefined => {
    const e = pool.find((x) => !used.has(x.idx) && pred(x));
    if (e) used.add(e.idx);
    return e;
  };
  const out: Anomaly[] = [];
  const base = (type: AnomalyType, e: Enterprise, m: number, factor: number, extra: Partial<Anomaly> = {}): Anomaly => ({
    id: `${type}-${out.length + 1}`,
    type,
    from: monthKeys[m]!,
    fromIndex: m,
    toIndex: months - 1,
    factor,
    uscc: e.uscc,
    customsCode: e.customsCode,
    enterpriseIdx: e.idx,
    ...extra,
  });
  for (let k = 0; k < K; k++) {
    const s = take(() => true);
    if (s) out.push(base('surge', s, when(), 4 + 2 * rng.next()));
    const st = take((e) => e.importShare > 0.9);
    if (st) out.push(base('stop', st, when(), 0));
    const uv = take((e) => e.importShare > 0.9);
    if (uv) {
      const m = Math.min(when(), months - 3);
      const hsIdx = uv.impCodes[0]!;
      const country = uv.impCountries[0]!;
      out.push({ ...base('unit_value', uv, m, rng.next() < 0.5 ? 4 : 0.25, { hsCode: codes[hsIdx]!.code, hsIdx, country }), to: monthKeys[m + 2]!, toIndex: m + 2 });
    }
    const cc = take((e) => e.impCountries.length >= 3 || e.expCountries.length >= 3);
    if (cc) {
      const imp = cc.importShare > 0.5;
      const list = imp ? cc.impCountries : cc.expCountries;
      const w = imp ? cc.impCountryW : cc.expCountryW;
      // make the firm visibly diversified before the shift
      for (let i = 0; i < w.length; i++) w[i] = 1;
      out.push(base('concentration', cc, when(), 0.95, { country: list[list.length - 1]! }));
    }
  }
  const chapters = rng.shuffle(['30', '33', '39', '90', '61', '94', '29', '71', '73', '40', '95', '87']);
  for (let k = 0; k < Math.max(1, Math.floor(K / 2)); k++) {
    const m = when();
    out.push({ id: `chapter_break-${out.length + 1}`, type: 'chapter_break', from: monthKeys[m]!, fromIndex: m, toIndex: months - 1, factor: rng.next() < 0.5 ? 1.8 : 0.5, chapter: chapters[k]! });
  }
  return out;
}
