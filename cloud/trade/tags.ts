/**
 * The tag engine (标签引擎) and the enterprise profile (企业画像). Tags are rules over per-enterprise
 * metrics computed from the declarations (last 12 months vs the 12 before, as of the last month with
 * data) plus the master data and open warnings. The rules are data (TAG_RULES); recomputation
 * replaces all tags in one transaction, on demand or on a schedule.
 */
import { QuaysideError } from '../../shared/errors.js';
import type { TradeDb } from './db.js';
import { ymAdd, ymStr } from './stats.js';

export const TAG_RULES_VERSION = 1;

export interface EnterpriseMetrics {
  uscc: string;
  name: string;
  credit_rating: string;
  aeo: boolean;
  ent_type: string;
  region: string;
  v12: number;
  v12_prev: number;
  imp12: number;
  exp12: number;
  yoy: number | null;
  items12: number;
  months_active12: number;
  first_ym: number | null;
  first_import_ym: number | null;
  top_country: string | null;
  top_country_name: string | null;
  top_country_share: number | null;
  hhi_country: number | null;
  top_chapter: string | null;
  top_chapter_name: string | null;
  top_chapter_share: number | null;
  processing_share: number;
  ecommerce_share: number;
  size_pct: number;
  open_warnings: string;
  [k: string]: unknown;
}

type Metric = keyof EnterpriseMetrics;
type TagCond =
  | { all: TagCond[] }
  | { any: TagCond[] }
  | { metric: Metric; op: 'gte' | 'lte' | 'gt' | 'lt'; value: number }
  | { metric: Metric; op: 'eq'; value: string | number | boolean }
  | { metric: Metric; op: 'contains'; value: string }
  | { metric: Metric; op: 'not_null' };

export interface TagRule {
  code: string;
  name: string;
  category: '基础属性' | '信用' | '贸易行为' | '合规' | '政策';
  description: string;
  when: TagCond;
  /** metric whose value is shown with the tag (e.g. the main market's name) */
  valueFrom?: Metric;
}

/** Relative to the data's last month: "recent" = the last 12 months. */
export const TAG_RULES: readonly TagRule[] = [
  { code: 'credit_adv', name: '高级认证企业(AEO)', category: '信用', description: '海关信用等级为高级认证企业', when: { metric: 'credit_rating', op: 'eq', value: 'ADV' } },
  { code: 'credit_reg', name: '常规管理企业', category: '信用', description: '海关信用等级为常规管理', when: { metric: 'credit_rating', op: 'eq', value: 'REG' } },
  { code: 'credit_dis', name: '失信企业', category: '信用', description: '海关信用等级为失信企业', when: { metric: 'credit_rating', op: 'eq', value: 'DIS' } },
  { code: 'scale_large', name: '规模:大型', category: '基础属性', description: '近12个月进出口额居前5%', when: { metric: 'size_pct', op: 'gte', value: 0.95 } },
  { code: 'scale_medium', name: '规模:中型', category: '基础属性', description: '近12个月进出口额居前5%–25%', when: { all: [{ metric: 'size_pct', op: 'gte', value: 0.75 }, { metric: 'size_pct', op: 'lt', value: 0.95 }] } },
  { code: 'scale_small', name: '规模:小型', category: '基础属性', description: '近12个月进出口额居后75%', when: { all: [{ metric: 'size_pct', op: 'lt', value: 0.75 }, { metric: 'v12', op: 'gt', value: 0 }] } },
  { code: 'growth_high', name: '高增长', category: '贸易行为', description: '近12个月进出口额同比增长≥30%（上年同期≥10万美元）', when: { all: [{ metric: 'yoy', op: 'gte', value: 0.3 }, { metric: 'v12_prev', op: 'gte', value: 100_000 }] } },
  { code: 'decline', name: '业务下滑', category: '贸易行为', description: '近12个月进出口额同比下降≥30%（上年同期≥10万美元）', when: { all: [{ metric: 'yoy', op: 'lte', value: -0.3 }, { metric: 'v12_prev', op: 'gte', value: 100_000 }] } },
  { code: 'new_importer', name: '新增进口企业', category: '贸易行为', description: '首次进口申报在近12个月内', when: { metric: 'new_importer', op: 'eq', value: true } },
  { code: 'importer', name: '进口型', category: '贸易行为', description: '近12个月进口占进出口≥80%', when: { metric: 'import_share', op: 'gte', value: 0.8 } },
  { code: 'exporter', name: '出口型', category: '贸易行为', description: '近12个月出口占进出口≥80%', when: { metric: 'import_share', op: 'lte', value: 0.2 } },
  { code: 'main_market', name: '主要市场', category: '贸易行为', description: '近12个月最大贸易伙伴（占比≥30%）', when: { metric: 'top_country_share', op: 'gte', value: 0.3 }, valueFrom: 'top_country_name' },
  { code: 'main_chapter', name: '主营商品', category: '贸易行为', description: '近12个月进出口额最大的HS章', when: { metric: 'top_chapter', op: 'not_null' }, valueFrom: 'top_chapter_name' },
  { code: 'concentrated', name: '市场高度集中', category: '贸易行为', description: '近12个月贸易伙伴HHI≥0.5', when: { metric: 'hhi_country', op: 'gte', value: 0.5 } },
  { code: 'regular_trader', name: '持续经营', category: '贸易行为', description: '近12个月每月均有申报', when: { metric: 'months_active12', op: 'gte', value: 12 } },
  { code: 'processing', name: '加工贸易企业', category: '政策', description: '加工贸易占近12个月进出口≥50%', when: { metric: 'processing_share', op: 'gte', value: 0.5 } },
  { code: 'ecommerce', name: '跨境电商', category: '政策', description: '有跨境电商监管方式（9610/9710/9810/1210）申报', when: { metric: 'ecommerce_share', op: 'gt', value: 0 } },
  { code: 'anomaly_price', name: '价格异常', category: '合规', description: '存在未排除的单价异常预警', when: { metric: 'open_warnings', op: 'contains', value: 'unit_value' } },
  { code: 'anomaly_stop', name: '业务中断', category: '合规', description: '存在未排除的业务中断预警', when: { metric: 'open_warnings', op: 'contains', value: 'stop' } },
  { code: 'anomaly_surge', name: '异常增长', category: '合规', description: '存在未排除的业务激增预警', when: { metric: 'open_warnings', op: 'contains', value: 'surge' } },
  { code: 'anomaly_concentration', name: '市场突变', category: '合规', description: '存在未排除的市场集中预警', when: { metric: 'open_warnings', op: 'contains', value: 'concentration' } },
];

function holds(c: TagCond, m: Record<string, unknown>): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, m));
  if ('any' in c) return c.any.some((x) => holds(x, m));
  const v = m[c.metric as string];
  switch (c.op) {
    case 'not_null':
      return v !== null && v !== undefined;
    case 'eq':
      return v === c.value;
    case 'contains':
      return typeof v === 'string' && v.split(',').includes(c.value);
    default: {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      return c.op === 'gte' ? v >= c.value : c.op === 'lte' ? v <= c.value : c.op === 'gt' ? v > c.value : v < c.value;
    }
  }
}

export function tagsFor(m: Record<string, unknown>, rules: readonly TagRule[] = TAG_RULES): { code: string; name: string; category: string; value: string | null }[] {
  return rules.filter((r) => holds(r.when, m)).map((r) => ({ code: r.code, name: r.name, category: r.category, value: r.valueFrom ? ((m[r.valueFrom as string] as string | null) ?? null) : null }));
}

export class TagEngine {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: TradeDb) {}

  /** Per-enterprise metrics as of the last month with data (all enterprises, or one). */
  async metrics(uscc?: string): Promise<EnterpriseMetrics[]> {
    const r = (await this.db.query<{ hi: number | null }>('SELECT max(ym) AS hi FROM agg_chapter_country'))[0];
    const hi = r?.hi ?? 0;
    const from12 = hi ? ymAdd(hi, -11) : 0;
    const from24 = hi ? ymAdd(hi, -23) : 0;
    const one = uscc ? 'AND trade_co_uscc = $4' : '';
    const oneE = uscc ? 'WHERE e.uscc = $4' : '';
    const params = uscc ? [from12, hi, from24, uscc] : [from12, hi, from24];
    const rows = await this.db.query<EnterpriseMetrics & { import_share: number | null; new_importer: boolean }>(
      `WITH f AS (SELECT * FROM decl_item WHERE ym BETWEEN $3 AND $2 ${one}),
       cur AS (SELECT trade_co_uscc AS uscc, sum(value_usd)::DOUBLE AS v12, sum(value_usd) FILTER (WHERE ie_flag = 'I')::DOUBLE AS imp12,
                      sum(value_usd) FILTER (WHERE ie_flag = 'E')::DOUBLE AS exp12, count(*) AS items12, count(DISTINCT ym) AS months_active12,
                      sum(value_usd) FILTER (WHERE trade_mode IN (SELECT code FROM ref_trade_mode WHERE grp = 'processing'))::DOUBLE AS proc12,
                      sum(value_usd) FILTER (WHERE trade_mode IN ('9610', '9710', '9810', '1210', '1239'))::DOUBLE AS ecom12
               FROM f WHERE ym >= $1 GROUP BY 1),
       prev AS (SELECT trade_co_uscc AS uscc, sum(value_usd)::DOUBLE AS v12_prev FROM f WHERE ym < $1 GROUP BY 1),
       firsts AS (SELECT trade_co_uscc AS uscc, min(ym) AS first_ym, min(ym) FILTER (WHERE ie_flag = 'I') AS first_import_ym
                  FROM decl_item WHERE true ${one.replace('$4', uscc ? '$4' : '')} GROUP BY 1),
       cc AS (SELECT trade_co_uscc AS uscc, country, sum(value_usd)::DOUBLE AS v FROM f WHERE ym >= $1 GROUP BY ALL),
       ccs AS (SELECT uscc, arg_max(country, v) AS top_country, max(v) / sum(v) AS top_country_share, sum(v * v) / (sum(v) * sum(v)) AS hhi_country FROM cc GROUP BY 1),
       ch AS (SELECT trade_co_uscc AS uscc, hs_chapter, sum(value_usd)::DOUBLE AS v FROM f WHERE ym >= $1 GROUP BY ALL),
       chs AS (SELECT uscc, arg_max(hs_chapter, v) AS top_chapter, max(v) / sum(v) AS top_chapter_share FROM ch GROUP BY 1),
       w AS (SELECT CASE WHEN subject_type = 'enterprise' THEN subject_key ELSE split_part(subject_key, '|', 1) END AS uscc,
                    string_agg(DISTINCT detector, ',') AS open_warnings
             FROM warning WHERE status <> 'dismissed' AND subject_type IN ('enterprise', 'enterprise_hs_country') GROUP BY 1)
       SELECT e.uscc, e.name, e.credit_rating, e.aeo, e.ent_type, e.region,
              coalesce(cur.v12, 0) AS v12, coalesce(prev.v12_prev, 0) AS v12_prev, coalesce(cur.imp12, 0) AS imp12, coalesce(cur.exp12, 0) AS exp12,
              CASE WHEN prev.v12_prev > 0 THEN coalesce(cur.v12, 0) / prev.v12_prev - 1 END AS yoy,
              coalesce(cur.items12, 0) AS items12, coalesce(cur.months_active12, 0) AS months_active12,
              firsts.first_ym, firsts.first_import_ym, firsts.first_import_ym >= $1 AS new_importer,
              CASE WHEN cur.v12 > 0 THEN coalesce(cur.imp12, 0) / cur.v12 END AS import_share,
              ccs.top_country, rc.name AS top_country_name, ccs.top_country_share, ccs.hhi_country,
              chs.top_chapter, rh.name AS top_chapter_name, chs.top_chapter_share,
              CASE WHEN cur.v12 > 0 THEN coalesce(cur.proc12, 0) / cur.v12 ELSE 0 END AS processing_share,
              CASE WHEN cur.v12 > 0 THEN coalesce(cur.ecom12, 0) / cur.v12 ELSE 0 END AS ecommerce_share,
              percent_rank() OVER (ORDER BY coalesce(cur.v12, 0)) AS size_pct,
              coalesce(w.open_warnings, '') AS open_warnings
       FROM enterprise e
       LEFT JOIN cur ON cur.uscc = e.uscc LEFT JOIN prev ON prev.uscc = e.uscc LEFT JOIN firsts ON firsts.uscc = e.uscc
       LEFT JOIN ccs ON ccs.uscc = e.uscc LEFT JOIN ref_country rc ON rc.code = ccs.top_country
       LEFT JOIN chs ON chs.uscc = e.uscc LEFT JOIN ref_hs_chapter rh ON rh.code = chs.top_chapter
       LEFT JOIN w ON w.uscc = e.uscc ${oneE}
       ORDER BY e.uscc`,
      params,
    );
    return rows;
  }

  /** Recomputes every enterprise's tags and replaces them atomically. */
  async recompute(): Promise<{ enterprises: number; tags: number; byTag: Record<string, number>; ms: number }> {
    const started = Date.now();
    const metrics = await this.metrics();
    const now = new Date().toISOString();
    const byTag: Record<string, number> = {};
    const rows: (string | number | null)[][] = [];
    for (const m of metrics) {
      for (const t of tagsFor(m)) {
        rows.push([m.uscc, t.code, t.name, t.category, t.value, TAG_RULES_VERSION, now]);
        byTag[t.code] = (byTag[t.code] ?? 0) + 1;
      }
    }
    await this.db.transaction(async (c) => {
      await c.exec('DELETE FROM enterprise_tag');
      const appender = await c.raw.createAppender('enterprise_tag');
      for (const r of rows) {
        appender.appendVarchar(r[0] as string);
        appender.appendVarchar(r[1] as string);
        appender.appendVarchar(r[2] as string);
        appender.appendVarchar(r[3] as string);
        if (r[4] === null) appender.appendNull();
        else appender.appendVarchar(r[4] as string);
        appender.appendInteger(r[5] as number);
        appender.appendVarchar(r[6] as string);
        appender.endRow();
      }
      appender.closeSync();
    });
    return { enterprises: metrics.length, tags: rows.length, byTag, ms: Date.now() - started };
  }

  /** Recomputes on a fixed interval (timer does not keep the process alive). */
  schedule(intervalMs: number, onError: (e: unknown) => void = () => {}): void {
    this.stop();
    this.timer = setInterval(() => {
      this.recompute().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async tags(uscc: string): Promise<{ tag: string; name: string; category: string; value: string | null; computedAt: string }[]> {
    const rows = await this.db.query<{ tag: string; name: string; category: string; value: string | null; computed_at: string }>(
      'SELECT tag, name, category, value, computed_at FROM enterprise_tag WHERE uscc = $1 ORDER BY category, tag',
      [uscc],
    );
    return rows.map((r) => ({ tag: r.tag, name: r.name, category: r.category, value: r.value, computedAt: r.computed_at }));
  }

  /** Enterprises carrying a tag. */
  async withTag(tag: string, limit = 100, offset = 0): Promise<{ total: number; items: { uscc: string; name: string; value: string | null }[] }> {
    const total = Number((await this.db.query<{ n: number }>('SELECT count(*) AS n FROM enterprise_tag WHERE tag = $1', [tag]))[0]!.n);
    const items = await this.db.query<{ uscc: string; name: string; value: string | null }>(
      'SELECT t.uscc, e.name, t.value FROM enterprise_tag t JOIN enterprise e USING (uscc) WHERE t.tag = $1 ORDER BY t.uscc LIMIT $2 OFFSET $3',
      [tag, limit, offset],
    );
    return { total, items };
  }

  /** The enterprise profile (企业画像): master data, tags, metrics, monthly series, partners, goods, modes, warnings. */
  async profile(uscc: string): Promise<Record<string, unknown>> {
    const ent = (await this.db.query('SELECT * FROM enterprise WHERE uscc = $1', [uscc]))[0];
    if (!ent) throw new QuaysideError('CLOUD_NOT_FOUND', `no enterprise ${uscc}`);
    const [metrics] = await this.metrics(uscc);
    const hi = (await this.db.query<{ hi: number | null }>('SELECT max(ym) AS hi FROM agg_chapter_country'))[0]?.hi ?? 0;
    const from24 = hi ? ymAdd(hi, -23) : 0;
    const from12 = hi ? ymAdd(hi, -11) : 0;
    const monthly = await this.db.query<{ ym: number; import_usd: number; export_usd: number; items: number }>(
      `SELECT ym, coalesce(sum(value_usd) FILTER (WHERE ie_flag = 'I'), 0)::DOUBLE AS import_usd, coalesce(sum(value_usd) FILTER (WHERE ie_flag = 'E'), 0)::DOUBLE AS export_usd, count(*) AS items
       FROM decl_item WHERE trade_co_uscc = $1 AND ym BETWEEN $2 AND $3 GROUP BY ym ORDER BY ym`,
      [uscc, from24, hi],
    );
    const top = (col: string, table: string) =>
      this.db.query<{ code: string; name: string | null; value_usd: number; share: number }>(
        `SELECT d.${col} AS code, any_value(r.name) AS name, sum(d.value_usd)::DOUBLE AS value_usd, sum(d.value_usd)::DOUBLE / sum(sum(d.value_usd)::DOUBLE) OVER () AS share
         FROM decl_item d LEFT JOIN ${table} r ON r.code = d.${col} WHERE d.trade_co_uscc = $1 AND d.ym BETWEEN $2 AND $3 GROUP BY d.${col} ORDER BY value_usd DESC LIMIT 10`,
        [uscc, from12, hi],
      );
    const warnings = await this.db.query(
      `SELECT id, detector, period, severity, status, message FROM warning WHERE subject_key = $1 OR subject_key LIKE $2 ORDER BY period DESC LIMIT 20`,
      [uscc, `${uscc}|%`],
    );
    return {
      enterprise: ent,
      asOf: hi ? ymStr(hi) : null,
      tags: await this.tags(uscc),
      metrics,
      monthly: monthly.map((m) => ({ ...m, month: ymStr(m.ym) })),
      countries: await top('country', 'ref_country'),
      chapters: await top('hs_chapter', 'ref_hs_chapter'),
      tradeModes: await top('trade_mode', 'ref_trade_mode'),
      districts: await top('customs_code', 'ref_district'),
      warnings,
    };
  }
}
