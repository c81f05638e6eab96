/**
 * Writes one month of declaration items as CSV. A month depends only on the world and its own RNG
 * stream (seed, month), so months can be generated in any order, by any number of workers, and the
 * output is the same.
 */
import { dayWeight, isoOfDay } from './calendar.js';
import { AliasTable, cumulativeOf, Rng } from './rng.js';
import { COUNTRY_PRICE, type Anomaly, type Enterprise, type World } from './world.js';

export const DECL_HEADER = 'entry_id,g_no,ie_flag,d_date,customs_code,i_e_port,trade_mode,traf_mode,trade_co_customs,trade_co_uscc,trade_country,origin_country,dest_country,hs_code,qty1,unit1,value_cny,value_usd';

/** Enterprise activity (relative number of items) in month m, anomalies included. */
export function activity(world: World, e: Enterprise, m: number): number {
  if (m < e.startMonth) return 0;
  let w = e.weight * Math.pow(1 + e.growth, m / 12);
  if (e.fadeFrom >= 0 && m >= e.fadeFrom) w *= Math.pow(0.75, m - e.fadeFrom + 1);
  for (const a of world.anomalies) {
    if (a.enterpriseIdx !== e.idx || m < a.fromIndex) continue;
    if (a.type === 'surge') w *= a.factor;
    if (a.type === 'stop') w = 0;
  }
  return w;
}

/** Rows per day over the whole period, summing to `rows`, following activity and the calendar. */
export function allocateRows(world: World): { day: number; month: number; rows: number }[] {
  const { startYear } = world.params;
  const monthAct = Array.from({ length: world.months }, (_, m) => world.enterprises.reduce((s, e) => s + activity(world, e, m), 0));
  const days: { day: number; month: number; w: number }[] = [];
  const first = Math.round(Date.UTC(startYear, 0, 1) / 86_400_000);
  const last = Math.round(Date.UTC(startYear + world.params.years, 0, 1) / 86_400_000);
  for (let d = first; d < last; d++) {
    const dt = new Date(d * 86_400_000);
    const m = (dt.getUTCFullYear() - startYear) * 12 + dt.getUTCMonth();
    days.push({ day: d, month: m, w: dayWeight(d) * monthAct[m]! / daysInMonth(dt) });
  }
  const total = days.reduce((s, d) => s + d.w, 0);
  let carry = 0;
  const out = days.map((d) => {
    const exact = (world.params.rows * d.w) / total + carry;
    const rows = Math.floor(exact + 1e-9);
    carry = exact - rows;
    return { day: d.day, month: d.month, rows };
  });
  // floating-point carry can leave a row or two over: give them to the busiest day
  const diff = world.params.rows - out.reduce((s, d) => s + d.rows, 0);
  if (diff !== 0 && out.length) out.reduce((a, b) => (b.rows > a.rows ? b : a)).rows += diff;
  return out;
}

function daysInMonth(dt: Date): number {
  return new Date(Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth() + 1, 0)).getUTCDate();
}

type ModeTable = { codes: string[]; w: number[]; cum?: Float64Array };
const MODES: Record<Enterprise['profile'], { I: ModeTable; E: ModeTable }> = {
  general: { I: { codes: ['0110'], w: [1] }, E: { codes: ['0110'], w: [1] } },
  processing: { I: { codes: ['0615', '0214', '0110'], w: [0.6, 0.2, 0.2] }, E: { codes: ['0615', '0214', '0110'], w: [0.6, 0.2, 0.2] } },
  bonded: { I: { codes: ['1210', '5034', '1233', '0110'], w: [0.3, 0.3, 0.2, 0.2] }, E: { codes: ['5034', '1234', '0110'], w: [0.4, 0.2, 0.4] } },
  ecommerce: { I: { codes: ['1210', '9610', '0110'], w: [0.6, 0.2, 0.2] }, E: { codes: ['9610', '9710', '9810', '0110'], w: [0.3, 0.35, 0.25, 0.1] } },
};
const RARE_MODES = ['3010', '4561', '2600', '1300', '2700'];
const AIR = new Set(['2233', '2216', '2203']);

function trafMode(district: string, rng: Rng): string {
  if (AIR.has(district)) return '5';
  if (district === '2210') return rng.next() < 0.5 ? '4' : '2';
  return '2';
}

function fmtQty(q: number, discrete: boolean): string {
  return discrete ? String(q) : q.toFixed(3);
}

/**
 * Generates month m. `dayRows` lists the days of that month with their row counts; `write` receives
 * CSV text in large chunks (the header is not included).
 */
interface EntCache {
  district: Float64Array;
  impCountry: Float64Array;
  expCountry: Float64Array;
  impCode: Float64Array;
  expCode: Float64Array;
  /** ",<customs code>,<uscc>," */
  ids: string;
}
const caches = new WeakMap<Enterprise, EntCache>();
function cacheOf(e: Enterprise): EntCache {
  let c = caches.get(e);
  if (!c) {
    c = {
      district: cumulativeOf(e.districtW),
      impCountry: cumulativeOf(e.impCountryW),
      expCountry: cumulativeOf(e.expCountryW),
      impCode: cumulativeOf(e.impCodeW),
      expCode: cumulativeOf(e.expCodeW),
      ids: `,${e.customsCode},${e.uscc},`,
    };
    caches.set(e, c);
  }
  return c;
}

/** Output buffer: ASCII lines written straight into a Buffer, flushed in large chunks. */
class Out {
  private readonly buf = Buffer.allocUnsafe(8 << 20);
  private off = 0;
  constructor(private readonly write: (chunk: Buffer) => void) {}
  line(s: string): void {
    if (this.off + s.length * 3 > this.buf.length) this.flush();
    this.off += this.buf.write(s, this.off, 'latin1');
  }
  flush(): void {
    if (this.off) this.write(this.buf.subarray(0, this.off));
    this.off = 0;
  }
}

export function generateMonth(world: World, m: number, dayRows: readonly { day: number; rows: number }[], write: (chunk: Buffer) => void): number {
  const rng = new Rng(world.params.seed, 1000 + m);
  const ents = world.enterprises;
  const weights = new Float64Array(ents.length);
  for (let i = 0; i < ents.length; i++) weights[i] = activity(world, ents[i]!, m);
  const alias = new AliasTable(weights);
  const fx = world.fx[m]!;
  const chapterFactor = world.chapterFactor[m]!;
  const byEnt = new Map<number, Anomaly[]>();
  for (const a of world.anomalies) {
    if (a.enterpriseIdx === undefined || m < a.fromIndex || m > a.toIndex) continue;
    if (a.type !== 'unit_value' && a.type !== 'concentration') continue;
    const l = byEnt.get(a.enterpriseIdx) ?? [];
    l.push(a);
    byEnt.set(a.enterpriseIdx, l);
  }
  const year = world.monthKeys[m]!.slice(0, 4);
  const seqBase = (m % 12 + 1) * 10_000_000;
  let seq = 0;
  const out = new Out(write);
  let written = 0;
  for (const t of Object.values(MODES)) for (const f of [t.I, t.E]) f.cum ??= cumulativeOf(f.w);
  for (const { day, rows } of dayRows) {
    const date = isoOfDay(day);
    let left = rows;
    while (left > 0) {
      const e = ents[alias.draw(rng)]!;
      const ec = cacheOf(e);
      const imp = rng.next() < e.importShare;
      const flag = imp ? 'I' : 'E';
      const nItems = Math.min(left, 1 + Math.floor(-Math.log(1 - rng.next()) / 0.75), 20);
      const district = e.districts[rng.cumulative(ec.district)]!;
      const modes = MODES[e.profile][flag];
      const tm = rng.next() < 0.015 ? rng.pick(RARE_MODES) : modes.codes[rng.cumulative(modes.cum!)]!;
      const traf = tm === '1210' && rng.next() < 0.5 ? '5' : trafMode(district, rng);
      const countries = imp ? e.impCountries : e.expCountries;
      let country = countries[rng.cumulative(imp ? ec.impCountry : ec.expCountry)]!;
      const anomalies = byEnt.get(e.idx);
      let uvAnomaly: Anomaly | undefined;
      if (anomalies) {
        for (const a of anomalies) {
          if (a.type === 'concentration' && rng.next() < a.factor) country = a.country!;
          if (a.type === 'unit_value' && imp) uvAnomaly = a;
        }
      }
      const hub = country !== 'HKG' && rng.next() < 0.12 ? (rng.next() < 0.6 ? 'HKG' : 'SGP') : country;
      let concentrated = false;
      if (anomalies) for (const a of anomalies) if (a.type === 'concentration') concentrated = true;
      const tradeCountry = concentrated ? country : hub;
      seq++;
      const entryId = `${district}${year}${imp ? '1' : '0'}${String(seqBase + seq).padStart(9, '0')}`;
      const head = `,${flag},${date},${district},${district},${tm},${traf}${ec.ids}${tradeCountry},`;
      const codeList = imp ? e.impCodes : e.expCodes;
      const codeCum = imp ? ec.impCode : ec.expCode;
      for (let g = 1; g <= nItems; g++) {
        let code = world.codes[codeList[rng.cumulative(codeCum)]!]!;
        let itemCountry = country;
        let priceMul = 1;
        if (uvAnomaly && rng.next() < 0.6) {
          code = world.codes[uvAnomaly.hsIdx!]!;
          itemCountry = uvAnomaly.country!;
          priceMul = uvAnomaly.factor;
        }
        const price = code.price * (COUNTRY_PRICE[itemCountry] ?? 1) * e.priceFactor * Math.exp(0.18 * rng.normal()) * priceMul;
        const target = Math.max(200, Math.exp(e.valueMu + 1.0 * rng.normal()));
        let qty = target / price;
        qty = code.discrete ? Math.max(1, Math.round(qty)) : Math.max(0.001, Math.round(qty * 1000) / 1000);
        const cf = chapterFactor.get(code.chapter);
        if (cf !== undefined) qty = code.discrete ? Math.max(1, Math.round(qty * cf)) : Math.max(0.001, Math.round(qty * cf * 1000) / 1000);
        const valueCny = Math.round(qty * price * 100) / 100 || 0.01;
        const valueUsd = Math.round((valueCny / fx) * 100) / 100 || 0.01;
        const orig = imp ? itemCountry : 'CHN';
        const dest = imp ? 'CHN' : itemCountry;
        out.line(`${entryId},${g}${head}${orig},${dest},${code.code},${fmtQty(qty, code.discrete)},${code.unit},${valueCny.toFixed(2)},${valueUsd.toFixed(2)}\n`);
      }
      left -= nItems;
      written += nItems;
    }
  }
  out.flush();
  return written;
}
