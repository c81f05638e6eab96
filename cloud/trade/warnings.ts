/**
 * Early warnings (预警监测): detectors over the monthly series and the declaration items.
 *
 *   growth          |同比| of a chapter's (or country's) monthly value beyond a threshold, on a material
 *                   base, for `persist` consecutive months
 *   surge           an enterprise's monthly declarations and value several times its trailing-12-month
 *                   median (an established trader: median ≥ 5 declarations a month), and far outside
 *                   counting noise: (n − median)/√median ≥ 6
 *   forecast_break  a series leaves its forecast interval (Holt-Winters on log values, fitted before
 *                   the scan window): beyond 99 % in one month and 95 % in the next two, same side
 *   stop            a regular importer (import declarations in each of the previous 12 months, ≥ 6 a
 *                   month on average, the last three not fading: ≥ 60 % of that) declares nothing for two
 *                   consecutive months
 *   unit_value      items whose unit value is far from the reference for the same HS code + origin:
 *                   robust z = (ln p − median) / (1.4826·MAD) ≥ 3.5, several such items in a month
 *   concentration   an enterprise's declarations shift onto one partner (top share ≥ 0.9, HHI jump) after
 *                   a diversified year (declaration counts, not values or items: one big item, or one
 *                   declaration of many items, must not look like a shift)
 *
 * Each detector reports the onset of an episode (the first month the condition holds), with its
 * evidence. Warnings are stored once per (detector, subject, month); their status (new, confirmed,
 * dismissed), handler and note survive re-runs.
 */
import type { DbConn, SqlParam, TradeDb } from './db.js';
import { fitHoltWinters, holtWinters, horizonSigma, pointForecast } from './forecast.js';
import { ymAdd, ymInt, ymStr } from './stats.js';

export const DETECTORS = ['growth', 'surge', 'forecast_break', 'stop', 'unit_value', 'concentration'] as const;
export type Detector = (typeof DETECTORS)[number];
export const WARNING_STATUSES = ['new', 'confirmed', 'dismissed'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];

export interface WarningCandidate {
  detector: Detector;
  subjectType: 'hs_chapter' | 'country' | 'enterprise' | 'enterprise_hs_country' | 'total';
  subjectKey: string;
  subjectName?: string | null;
  period: string;
  severity: 'warn' | 'alert';
  score: number;
  message: string;
  evidence: Record<string, unknown>;
}

export interface StoredWarning extends WarningCandidate {
  id: number;
  status: WarningStatus;
  handler: string | null;
  handledAt: string | null;
  note: string | null;
  createdAt: string;
  runId: string;
}

export interface WarningConfig {
  /** months scanned, counted back from the last month with data */
  windowMonths: number;
  growth: { dims: ('hs_chapter' | 'country')[]; threshold: number; minShare: number; persist: number };
  surge: { factor: number; minDeclarations: number; minMedianDeclarations: number; minPoissonZ: number };
  forecastBreak: { dims: ('hs_chapter' | 'total')[]; z: number; zNext: number; minItemsPerMonth: number };
  stop: { minMonthlyDeclarations: number; quietMonths: number; minRecentShare: number };
  unitValue: { z: number; minItems: number; minShare: number; minReference: number };
  concentration: { topShare: number; priorTopShare: number; minItems: number };
}

export const DEFAULT_WARNING_CONFIG: WarningConfig = {
  windowMonths: 12,
  growth: { dims: ['hs_chapter'], threshold: 0.5, minShare: 0.01, persist: 3 },
  surge: { factor: 3, minDeclarations: 15, minMedianDeclarations: 5, minPoissonZ: 6 },
  forecastBreak: { dims: ['hs_chapter', 'total'], z: 2.576, zNext: 1.96, minItemsPerMonth: 60 },
  stop: { minMonthlyDeclarations: 6, quietMonths: 2, minRecentShare: 0.6 },
  unitValue: { z: 3.5, minItems: 3, minShare: 0.5, minReference: 20 },
  concentration: { topShare: 0.9, priorTopShare: 0.6, minItems: 15 },
};

export interface RunResult {
  runId: string;
  window: { from: string; to: string };
  found: Record<Detector, number>;
  inserted: number;
  ms: number;
}

type Q = <T extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) => Promise<T[]>;

/** Month keys (YYYYMM ints) from..to inclusive. */
function monthRange(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m = ymAdd(m, 1)) out.push(m);
  return out;
}

async function detectGrowth(q: Q, cfg: WarningConfig, win: { from: number; to: number }): Promise<WarningCandidate[]> {
  const out: WarningCandidate[] = [];
  for (const dim of cfg.growth.dims) {
    const rows = await q<{ k: string; ym: number; v: number; b: number | null; tot: number; name: string | null }>(
      `WITH m AS (SELECT ${dim} AS k, ym, sum(value_usd)::DOUBLE AS v FROM agg_chapter_country WHERE ym BETWEEN $1 AND $2 GROUP BY ALL),
            tot AS (SELECT ym, sum(v) AS tot FROM m GROUP BY ym)
       SELECT c.k, c.ym, c.v, b.v AS b, tot.tot, n.name
       FROM m c JOIN tot USING (ym)
       LEFT JOIN m b ON b.k = c.k AND b.ym = (c.ym - 100)
       LEFT JOIN ${dim === 'hs_chapter' ? 'ref_hs_chapter' : 'ref_country'} n ON n.code = c.k
       WHERE c.ym BETWEEN $3 AND $2 ORDER BY c.k, c.ym`,
      [ymAdd(win.from, -13), win.to, ymAdd(win.from, -1)],
    );
    const byKey = new Map<string, typeof rows>();
    for (const r of rows) byKey.set(r.k, [...(byKey.get(r.k) ?? []), r]);
    for (const [k, list] of byKey) {
      const g = list.map((r) => (r.b && r.b > 0 ? r.v / r.b - 1 : null));
      const hit = list.map((r, i) => {
        const gi = g[i];
        const material = (r.b ?? 0) >= cfg.growth.minShare * r.tot || r.v >= cfg.growth.minShare * r.tot;
        return gi !== null && gi !== undefined && material && Math.abs(gi) >= cfg.growth.threshold ? Math.sign(gi) : 0;
      });
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        const side = hit[i]!;
        if (!side || r.ym < win.from || hit[i - 1] === side) continue;
        // persistence: the following months (up to `persist`, as far as data goes) stay beyond the threshold
        let ok = true;
        for (let j = i + 1; j < Math.min(list.length, i + cfg.growth.persist); j++) if (hit[j] !== side) ok = false;
        if (!ok) continue;
        const gi = g[i]!;
        out.push({
          detector: 'growth',
          subjectType: dim,
          subjectKey: k,
          subjectName: r.name,
          period: ymStr(r.ym),
          severity: Math.abs(gi) >= 2 * cfg.growth.threshold ? 'alert' : 'warn',
          score: Math.abs(gi),
          message: `${r.name ?? k} ${ymStr(r.ym)} 同比${gi >= 0 ? '增长' : '下降'} ${(Math.abs(gi) * 100).toFixed(1)}%，此后 ${cfg.growth.persist - 1} 个月持续`,
          evidence: { value_usd: r.v, value_usd_prev_year: r.b, yoy: gi, threshold: cfg.growth.threshold, following_yoy: g.slice(i + 1, i + cfg.growth.persist) },
        });
      }
    }
  }
  return out;
}

async function detectSurge(q: Q, cfg: WarningConfig, win: { from: number; to: number }): Promise<WarningCandidate[]> {
  // declarations rather than items: items come in bunches (one declaration can carry 20), so item
  // counts of small firms jump by chance; a real surge brings more declarations
  const rows = await q<{ uscc: string; name: string | null; ym: number; n: number; v: number; mn: number; mv: number; k: number; nxt_n: number | null }>(
    `WITH e AS (SELECT trade_co_uscc AS uscc, ym, sum(decls) AS n, sum(value_usd)::DOUBLE AS v FROM agg_enterprise WHERE ym BETWEEN $1 AND $2 GROUP BY ALL),
          grid AS (SELECT u.uscc, m.ym FROM (SELECT DISTINCT uscc FROM e) u CROSS JOIN (SELECT DISTINCT ym FROM e) m),
          filled AS (SELECT g.uscc, g.ym, coalesce(e.n, 0) AS n, coalesce(e.v, 0) AS v FROM grid g LEFT JOIN e USING (uscc, ym)),
          w AS (SELECT *, median(n) OVER p AS mn, median(v) OVER p AS mv, count(*) OVER p AS k, count(*) FILTER (WHERE n > 0) OVER p AS active, lead(n) OVER o AS nxt_n
                FROM filled WINDOW p AS (PARTITION BY uscc ORDER BY ym ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING), o AS (PARTITION BY uscc ORDER BY ym))
     SELECT w.*, ent.name FROM w LEFT JOIN enterprise ent ON ent.uscc = w.uscc
     WHERE w.ym BETWEEN $3 AND $2 AND w.k >= 6 AND w.active >= w.k - 1 AND w.mn >= $6 AND w.n >= $4
       AND w.n >= $5 * w.mn AND w.v >= $5 * greatest(w.mv, 1) AND (w.n - w.mn) / sqrt(w.mn) >= $7
     ORDER BY w.uscc, w.ym`,
    [ymAdd(win.from, -13), win.to, win.from, cfg.surge.minDeclarations, cfg.surge.factor, cfg.surge.minMedianDeclarations, cfg.surge.minPoissonZ],
  );
  const out: WarningCandidate[] = [];
  let last = '';
  let lastYm = 0;
  for (const r of rows) {
    // persistence: the next month (when there is one) stays well above the old median too
    if (r.nxt_n !== null && r.nxt_n < 0.5 * cfg.surge.factor * r.mn) continue;
    const onset = !(r.uscc === last && r.ym === ymAdd(lastYm, 1));
    last = r.uscc;
    lastYm = r.ym;
    if (!onset) continue;
    const ratio = r.n / r.mn;
    out.push({
      detector: 'surge',
      subjectType: 'enterprise',
      subjectKey: r.uscc,
      subjectName: r.name,
      period: ymStr(r.ym),
      severity: ratio >= 2 * cfg.surge.factor ? 'alert' : 'warn',
      score: ratio,
      message: `${r.name ?? r.uscc} ${ymStr(r.ym)} 报关单 ${r.n} 票，为前12个月中位数的 ${ratio.toFixed(1)} 倍`,
      evidence: { declarations: r.n, value_usd: r.v, median_declarations_12m: r.mn, median_value_usd_12m: r.mv, next_month_declarations: r.nxt_n },
    });
  }
  return out;
}

async function detectForecastBreak(q: Q, cfg: WarningConfig, win: { from: number; to: number }, range: { minYm: number; maxYm: number }): Promise<WarningCandidate[]> {
  const out: WarningCandidate[] = [];
  const months = monthRange(range.minYm, range.maxYm);
  const idx = new Map(months.map((m, i) => [m, i]));
  const w0 = idx.get(win.from) ?? 0;
  const m = 12;
  for (const dim of cfg.forecastBreak.dims) {
    const rows = await q<{ k: string; ym: number; v: number; n: number; name: string | null }>(
      dim === 'total'
        ? `SELECT 'TOTAL' AS k, ym, sum(value_usd)::DOUBLE AS v, sum(items)::BIGINT AS n, '进出口总值' AS name FROM agg_chapter_country GROUP BY ym ORDER BY ym`
        : `SELECT a.hs_chapter AS k, ym, sum(value_usd)::DOUBLE AS v, sum(items)::BIGINT AS n, any_value(c.name) AS name
           FROM agg_chapter_country a LEFT JOIN ref_hs_chapter c ON c.code = a.hs_chapter GROUP BY a.hs_chapter, ym ORDER BY 1, 2`,
    );
    const series = new Map<string, { y: number[]; n: number[]; name: string | null }>();
    for (const r of rows) {
      let s = series.get(r.k);
      if (!s) series.set(r.k, (s = { y: new Array(months.length).fill(0), n: new Array(months.length).fill(0), name: r.name }));
      const i = idx.get(r.ym);
      if (i !== undefined) {
        s.y[i] = r.v;
        s.n[i] = r.n;
      }
    }
    for (const [k, s] of series) {
      if (s.y.some((v) => !(v > 0))) continue;
      const avgItems = s.n.reduce((a, b) => a + b, 0) / s.n.length;
      if (avgItems < cfg.forecastBreak.minItemsPerMonth) continue;
      const ly = s.y.map(Math.log);
      if (w0 < 2 * m) continue;
      let fit;
      try {
        fit = fitHoltWinters(ly.slice(0, w0), m, false);
      } catch {
        continue;
      }
      const params = fit.params!;
      const sigma1 = fit.sigma;
      let prevSide = 0;
      for (let t = w0; t < months.length; t++) {
        const state = holtWinters(ly.slice(0, t), m, params, false);
        const f1 = pointForecast(state, 1, m);
        const s1 = horizonSigma({ ...state, sigma: sigma1 }, 1, m);
        const z1 = (ly[t]! - f1) / s1;
        let side = Math.abs(z1) >= cfg.forecastBreak.z ? Math.sign(z1) : 0;
        // persistence: the next months (two, as far as data goes; at least one) stay beyond the 95 % band
        // of forecasts from the same origin, on the same side
        if (side !== 0) {
          if (t + 1 >= months.length) side = 0;
          for (let h = 2; h <= 3 && t + h - 1 < months.length && side !== 0; h++) {
            const fh = pointForecast(state, h, m);
            const sh = horizonSigma({ ...state, sigma: sigma1 }, h, m);
            const zh = (ly[t + h - 1]! - fh) / sh;
            if (Math.sign(zh) !== side || Math.abs(zh) < cfg.forecastBreak.zNext) side = 0;
          }
        }
        if (side !== 0 && side !== prevSide) {
          out.push({
            detector: 'forecast_break',
            subjectType: dim === 'total' ? 'total' : 'hs_chapter',
            subjectKey: k,
            subjectName: s.name,
            period: ymStr(months[t]!),
            severity: Math.abs(z1) >= 2.5758 ? 'alert' : 'warn',
            score: Math.abs(z1),
            message: `${s.name ?? k} ${ymStr(months[t]!)} 实际值${side > 0 ? '高于' : '低于'}预测区间（z=${z1.toFixed(2)}），此后两个月仍在区间外`,
            evidence: {
              actual_usd: s.y[t],
              forecast_usd: Math.exp(f1),
              lower95_usd: Math.exp(f1 - 1.96 * s1),
              upper95_usd: Math.exp(f1 + 1.96 * s1),
              z: z1,
              method: 'hw_additive on ln(value)',
              params,
            },
          });
        }
        prevSide = side;
      }
    }
  }
  return out;
}

async function detectStop(q: Q, cfg: WarningConfig, win: { from: number; to: number }): Promise<WarningCandidate[]> {
  const quiet = cfg.stop.quietMonths;
  const rows = await q<{ uscc: string; name: string | null; ym: number; active12: number; avg12: number; avg3: number; last_ym: number | null }>(
    `WITH e AS (SELECT trade_co_uscc AS uscc, ym, sum(decls) AS n FROM agg_enterprise WHERE ie_flag = 'I' AND ym BETWEEN $1 AND $2 GROUP BY ALL),
          months AS (SELECT DISTINCT ym FROM agg_chapter_country WHERE ym BETWEEN $1 AND $2),
          grid AS (SELECT u.uscc, m.ym FROM (SELECT DISTINCT uscc FROM e) u CROSS JOIN months m),
          filled AS (SELECT g.uscc, g.ym, coalesce(e.n, 0) AS n FROM grid g LEFT JOIN e USING (uscc, ym)),
          w AS (SELECT *, count(*) FILTER (WHERE n > 0) OVER p AS active12, avg(n) OVER p AS avg12, count(*) OVER p AS k, avg(n) OVER p3 AS avg3,
                  sum(n) OVER (PARTITION BY uscc ORDER BY ym ROWS BETWEEN CURRENT ROW AND ${quiet - 1} FOLLOWING) AS ahead,
                  count(*) OVER (PARTITION BY uscc ORDER BY ym ROWS BETWEEN CURRENT ROW AND ${quiet - 1} FOLLOWING) AS ahead_k,
                  lag(n) OVER (PARTITION BY uscc ORDER BY ym) AS prev_n
                FROM filled WINDOW p AS (PARTITION BY uscc ORDER BY ym ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING),
                                   p3 AS (PARTITION BY uscc ORDER BY ym ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING))
     SELECT w.uscc, ent.name, w.ym, w.active12, w.avg12, w.avg3,
            (SELECT max(ym) FROM e WHERE e.uscc = w.uscc AND e.ym < w.ym) AS last_ym
     FROM w LEFT JOIN enterprise ent ON ent.uscc = w.uscc
     WHERE w.ym BETWEEN $3 AND $2 AND w.k = 12 AND w.active12 = 12 AND w.avg12 >= $4 AND w.n = 0 AND w.prev_n > 0
       AND w.ahead = 0 AND w.ahead_k = ${quiet} AND w.avg3 >= $5 * w.avg12
     ORDER BY w.uscc, w.ym`,
    [ymAdd(win.from, -13), win.to, win.from, cfg.stop.minMonthlyDeclarations, cfg.stop.minRecentShare],
  );
  return rows.map((r) => ({
    detector: 'stop' as const,
    subjectType: 'enterprise' as const,
    subjectKey: r.uscc,
    subjectName: r.name,
    period: ymStr(r.ym),
    severity: r.avg12 >= 4 * cfg.stop.minMonthlyDeclarations ? ('alert' as const) : ('warn' as const),
    score: r.avg12,
    message: `${r.name ?? r.uscc} 此前12个月每月均有进口（月均 ${r.avg12.toFixed(1)} 票），自 ${ymStr(r.ym)} 起连续 ${quiet} 个月无进口申报`,
    evidence: { active_months_12: r.active12, avg_declarations_12m: r.avg12, avg_declarations_last_3m: r.avg3, last_import_month: r.last_ym ? ymStr(r.last_ym) : null, quiet_months: quiet },
  }));
}

async function detectUnitValue(q: Q, cfg: WarningConfig, win: { from: number; to: number }): Promise<WarningCandidate[]> {
  const rows = await q<{ uscc: string; name: string | null; hs_code: string; country: string; ym: number; n: number; flagged: number; z_med: number; p_med: number; ref_med: number; ref_n: number; dir: number }>(
    `WITH items AS (
       SELECT trade_co_uscc AS uscc, hs_code, country, ym, ln(value_cny::DOUBLE / qty1) AS lp
       FROM decl_item WHERE ie_flag = 'I' AND ym BETWEEN $1 AND $2),
     ref AS (SELECT hs_code, country, median(lp) AS med, count(*) AS n FROM items GROUP BY ALL HAVING count(*) >= $5),
     mad AS (SELECT i.hs_code, i.country, any_value(r.med) AS med, any_value(r.n) AS n, median(abs(i.lp - r.med)) AS mad
             FROM items i JOIN ref r USING (hs_code, country) GROUP BY ALL),
     z AS (SELECT i.*, (i.lp - m.med) / greatest(1.4826 * m.mad, 0.05) AS z, m.med, m.n AS ref_n
           FROM items i JOIN mad m USING (hs_code, country) WHERE i.ym BETWEEN $3 AND $2)
     SELECT z.uscc, any_value(e.name) AS name, z.hs_code, z.country, z.ym, count(*) AS n,
            count(*) FILTER (WHERE abs(z.z) >= $4) AS flagged, median(z.z) AS z_med, exp(median(z.lp)) AS p_med, exp(any_value(z.med)) AS ref_med,
            any_value(z.ref_n) AS ref_n, sign(median(z.z)) AS dir
     FROM z LEFT JOIN enterprise e ON e.uscc = z.uscc
     GROUP BY z.uscc, z.hs_code, z.country, z.ym
     HAVING count(*) FILTER (WHERE abs(z.z) >= $4) >= $6 AND count(*) FILTER (WHERE abs(z.z) >= $4) >= $7 * count(*)
     ORDER BY z.uscc, z.hs_code, z.country, z.ym`,
    [ymAdd(win.to, -23), win.to, win.from, cfg.unitValue.z, cfg.unitValue.minReference, cfg.unitValue.minItems, cfg.unitValue.minShare],
  );
  const out: WarningCandidate[] = [];
  let lastKey = '';
  let lastYm = 0;
  for (const r of rows) {
    const key = `${r.uscc}|${r.hs_code}|${r.country}`;
    const onset = !(key === lastKey && r.ym <= ymAdd(lastYm, 2));
    lastKey = key;
    lastYm = r.ym;
    if (!onset) continue;
    out.push({
      detector: 'unit_value',
      subjectType: 'enterprise_hs_country',
      subjectKey: key,
      subjectName: r.name,
      period: ymStr(r.ym),
      severity: Math.abs(r.z_med) >= 2 * cfg.unitValue.z ? 'alert' : 'warn',
      score: Math.abs(r.z_med),
      message: `${r.name ?? r.uscc} ${ymStr(r.ym)} 进口 ${r.hs_code}（原产 ${r.country}）单价${r.dir > 0 ? '高于' : '低于'}参考价：中位单价 ${r.p_med.toFixed(2)} 元，参考 ${r.ref_med.toFixed(2)} 元，${r.flagged}/${r.n} 项稳健 z ≥ ${cfg.unitValue.z}`,
      evidence: { items: r.n, flagged: r.flagged, median_z: r.z_med, median_unit_price_cny: r.p_med, reference_unit_price_cny: r.ref_med, reference_items: r.ref_n, rule: 'robust z = (ln p − median)/(1.4826·MAD), reference: same HS code + origin, 24 months' },
    });
  }
  return out;
}

async function detectConcentration(q: Q, cfg: WarningConfig, win: { from: number; to: number }): Promise<WarningCandidate[]> {
  const rows = await q<{ uscc: string; name: string | null; ym: number; n: number; top_country: string; top_share: number; hhi: number; prior_top: number; prior_hhi: number; next_top: number | null }>(
    `WITH ec AS (SELECT trade_co_uscc AS uscc, ym, country, count(*) AS n FROM decl_item WHERE ym BETWEEN $1 AND $2 AND g_no = 1 GROUP BY ALL),
     m AS (SELECT uscc, ym, sum(n) AS n, arg_max(country, n) AS top_country, max(n) / sum(n) AS top_share FROM ec GROUP BY ALL),
     mm AS (SELECT *, lead(top_share) OVER (PARTITION BY uscc ORDER BY ym) AS next_top FROM m),
     cand AS (SELECT * FROM mm WHERE ym BETWEEN $3 AND $2 AND n >= $4 AND top_share >= $5),
     h AS (SELECT ec.uscc, ec.ym, sum((ec.n / c.n) ^ 2) AS hhi FROM ec JOIN cand c USING (uscc, ym) GROUP BY ALL),
     pc AS (SELECT c.uscc, c.ym, ec.country, sum(ec.n) AS v FROM cand c JOIN ec ON ec.uscc = c.uscc AND ec.ym BETWEEN (c.ym - 100) AND (c.ym - 1) GROUP BY ALL),
     prior AS (SELECT uscc, ym, max(v) / sum(v) AS prior_top, sum(v * v) / (sum(v) * sum(v)) AS prior_hhi, sum(v) AS prior_n FROM pc GROUP BY ALL)
     SELECT c.uscc, e.name, c.ym, c.n, c.top_country, c.top_share, h.hhi, p.prior_top, p.prior_hhi, c.next_top
     FROM cand c JOIN h USING (uscc, ym) JOIN prior p USING (uscc, ym) LEFT JOIN enterprise e ON e.uscc = c.uscc
     WHERE p.prior_top <= $6 AND p.prior_n >= 2 * $4
     ORDER BY c.uscc, c.ym`,
    [ymAdd(win.from, -13), win.to, win.from, cfg.concentration.minItems, cfg.concentration.topShare, cfg.concentration.priorTopShare],
  );
  const out: WarningCandidate[] = [];
  let last = '';
  for (const r of rows) {
    if (r.next_top !== null && r.next_top < cfg.concentration.topShare - 0.15) continue;
    if (r.uscc === last) continue;
    last = r.uscc;
    out.push({
      detector: 'concentration',
      subjectType: 'enterprise',
      subjectKey: r.uscc,
      subjectName: r.name,
      period: ymStr(r.ym),
      severity: r.top_share >= 0.97 ? 'alert' : 'warn',
      score: r.hhi - r.prior_hhi,
      message: `${r.name ?? r.uscc} ${ymStr(r.ym)} 报关单集中于 ${r.top_country}（占 ${(r.top_share * 100).toFixed(1)}%，HHI ${r.hhi.toFixed(2)}），此前12个月最大伙伴占比 ${(r.prior_top * 100).toFixed(1)}%`,
      evidence: { declarations: r.n, top_country: r.top_country, top_share: r.top_share, hhi: r.hhi, prior_top_share: r.prior_top, prior_hhi: r.prior_hhi },
    });
  }
  return out;
}

export class WarningEngine {
  constructor(private readonly db: TradeDb) {}

  /** Runs the detectors over the last `windowMonths` months with data and stores new warnings. */
  async run(opts: { detectors?: readonly Detector[]; config?: Partial<WarningConfig>; asOf?: string } = {}): Promise<RunResult & { warnings: WarningCandidate[] }> {
    const started = Date.now();
    const cfg: WarningConfig = { ...DEFAULT_WARNING_CONFIG, ...opts.config };
    const range = (await this.db.query<{ lo: number | null; hi: number | null }>('SELECT min(ym) AS lo, max(ym) AS hi FROM agg_chapter_country'))[0];
    const runId = `run-${new Date().toISOString()}`;
    const found = Object.fromEntries(DETECTORS.map((d) => [d, 0])) as Record<Detector, number>;
    if (!range?.lo || !range.hi) return { runId, window: { from: '', to: '' }, found, inserted: 0, ms: Date.now() - started, warnings: [] };
    const to = opts.asOf ? Math.min(ymInt(opts.asOf), range.hi) : range.hi;
    const win = { from: Math.max(range.lo, ymAdd(to, -(cfg.windowMonths - 1))), to };
    const q: Q = (sql, params) => this.db.query(sql, params);
    const want = new Set(opts.detectors ?? DETECTORS);
    const all: WarningCandidate[] = [];
    const runOne = async (d: Detector, fn: () => Promise<WarningCandidate[]>) => {
      if (!want.has(d)) return;
      const list = await fn();
      found[d] = list.length;
      all.push(...list);
    };
    await runOne('growth', () => detectGrowth(q, cfg, win));
    await runOne('surge', () => detectSurge(q, cfg, win));
    await runOne('forecast_break', () => detectForecastBreak(q, cfg, win, { minYm: range.lo!, maxYm: to }));
    await runOne('stop', () => detectStop(q, cfg, win));
    await runOne('unit_value', () => detectUnitValue(q, cfg, win));
    await runOne('concentration', () => detectConcentration(q, cfg, win));
    const inserted = await this.db.write((c) => store(c, all, runId));
    return { runId, window: { from: ymStr(win.from), to: ymStr(win.to) }, found, inserted, ms: Date.now() - started, warnings: all };
  }

  async list(f: { status?: WarningStatus; detector?: Detector; subjectKey?: string; from?: string; to?: string; limit?: number; offset?: number } = {}): Promise<{ total: number; items: StoredWarning[] }> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    const p = (v: SqlParam) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.status) where.push(`status = ${p(f.status)}`);
    if (f.detector) where.push(`detector = ${p(f.detector)}`);
    if (f.subjectKey) where.push(`subject_key LIKE ${p(`${f.subjectKey}%`)}`);
    if (f.from) where.push(`period >= ${p(f.from)}`);
    if (f.to) where.push(`period <= ${p(f.to)}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM warning ${w}`, params))[0]!.n);
    const rows = await this.db.query(`SELECT * FROM warning ${w} ORDER BY period DESC, score DESC, id LIMIT ${p(f.limit ?? 100)} OFFSET ${p(f.offset ?? 0)}`, params);
    return { total, items: rows.map(toStored) };
  }

  async get(id: number): Promise<StoredWarning | undefined> {
    const rows = await this.db.query('SELECT * FROM warning WHERE id = $1', [id]);
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  /** Sets status (confirmed / dismissed / back to new) with who handled it and a note. */
  async update(id: number, u: { status: WarningStatus; handler: string; note?: string }): Promise<StoredWarning | undefined> {
    await this.db.write((c) =>
      c.exec(`UPDATE warning SET status = $1, handler = $2, handled_at = $3, note = $4 WHERE id = $5`, [u.status, u.handler, new Date().toISOString(), u.note ?? null, id]),
    );
    return this.get(id);
  }
}

function toStored(r: Record<string, unknown>): StoredWarning {
  return {
    id: Number(r['id']),
    detector: r['detector'] as Detector,
    subjectType: r['subject_type'] as WarningCandidate['subjectType'],
    subjectKey: String(r['subject_key']),
    subjectName: (r['subject_name'] as string | null) ?? null,
    period: String(r['period']),
    severity: r['severity'] as 'warn' | 'alert',
    score: Number(r['score']),
    message: String(r['message']),
    evidence: JSON.parse(String(r['evidence'])) as Record<string, unknown>,
    status: r['status'] as WarningStatus,
    handler: (r['handler'] as string | null) ?? null,
    handledAt: (r['handled_at'] as string | null) ?? null,
    note: (r['note'] as string | null) ?? null,
    createdAt: String(r['created_at']),
    runId: String(r['run_id']),
  };
}

async function store(c: DbConn, list: readonly WarningCandidate[], runId: string): Promise<number> {
  let inserted = 0;
  const now = new Date().toISOString();
  for (const w of list) {
    inserted += await c.exec(
      `INSERT INTO warning SELECT nextval('warning_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', NULL, NULL, NULL, $10, $11
       WHERE NOT EXISTS (SELECT 1 FROM warning WHERE detector = $1 AND subject_key = $3 AND period = $5)`,
      [w.detector, w.subjectType, w.subjectKey, w.subjectName ?? null, w.period, w.severity, w.score, w.message, JSON.stringify(w.evidence), now, runId],
    );
  }
  return inserted;
}

/** Scores warnings against planted anomalies (generator answers): precision and recall per type. */
export interface PlantedAnomaly {
  id: string;
  type: 'surge' | 'stop' | 'unit_value' | 'concentration' | 'chapter_break';
  from: string;
  to?: string;
  uscc?: string;
  chapter?: string;
  hsCode?: string;
  country?: string;
}

export interface Score {
  type: string;
  detectors: string[];
  planted: number;
  detected: number;
  recall: number | null;
  warnings: number;
  matched: number;
  precision: number | null;
  byDetector: { detector: Detector; detected: number; warnings: number; matched: number; precision: number | null }[];
}

const TYPE_DETECTORS: Record<PlantedAnomaly['type'], Detector[]> = {
  surge: ['surge'],
  stop: ['stop'],
  unit_value: ['unit_value'],
  concentration: ['concentration'],
  chapter_break: ['forecast_break', 'growth'],
};

function monthDiff(a: string, b: string): number {
  return (Number(a.slice(0, 4)) * 12 + Number(a.slice(5, 7))) - (Number(b.slice(0, 4)) * 12 + Number(b.slice(5, 7)));
}

function matches(a: PlantedAnomaly, w: WarningCandidate): boolean {
  if (!TYPE_DETECTORS[a.type].includes(w.detector)) return false;
  const lo = -2;
  const hi = a.type === 'unit_value' ? monthDiff(a.to ?? a.from, a.from) + 1 : 2;
  const d = monthDiff(w.period, a.from);
  if (d < lo || d > hi) return false;
  switch (a.type) {
    case 'chapter_break':
      return w.subjectType === 'hs_chapter' && w.subjectKey === a.chapter;
    case 'unit_value':
      return w.subjectKey === `${a.uscc}|${a.hsCode}|${a.country}` || (w.subjectKey.startsWith(`${a.uscc}|${a.hsCode}|`));
    default:
      return w.subjectKey === a.uscc;
  }
}

/**
 * Precision counts, for each planted type, the warnings of its detectors on the subjects that type
 * covers (enterprise detectors: all their warnings; chapter detectors: chapter warnings only).
 */
export function scoreWarnings(planted: readonly PlantedAnomaly[], warnings: readonly WarningCandidate[]): Score[] {
  const scores: Score[] = [];
  for (const type of Object.keys(TYPE_DETECTORS) as PlantedAnomaly['type'][]) {
    const dets = TYPE_DETECTORS[type];
    const mine = planted.filter((a) => a.type === type);
    const ws = warnings.filter((w) => dets.includes(w.detector) && (type !== 'chapter_break' || w.subjectType === 'hs_chapter'));
    const detected = mine.filter((a) => ws.some((w) => matches(a, w))).length;
    const matched = ws.filter((w) => mine.some((a) => matches(a, w))).length;
    scores.push({
      type,
      detectors: dets,
      planted: mine.length,
      detected,
      recall: mine.length ? detected / mine.length : null,
      warnings: ws.length,
      matched,
      precision: ws.length ? matched / ws.length : null,
      byDetector: dets.map((d) => {
        const wd = ws.filter((w) => w.detector === d);
        const m = wd.filter((w) => mine.some((a) => matches(a, w))).length;
        return { detector: d, detected: mine.filter((a) => wd.some((w) => matches(a, w))).length, warnings: wd.length, matched: m, precision: wd.length ? m / wd.length : null };
      }),
    });
  }
  return scores;
}
