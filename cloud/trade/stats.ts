/**
 * Statistics (外贸统计分析): one generic query spec — measures × flows over dimensions, with filters,
 * a period, cumulative year-to-date (累计), YoY/MoM comparison (同比/环比), shares (占比), contribution
 * (拉动) and top-N — validated by zod and compiled to parameterised SQL. Names (dimensions, measures,
 * flows, columns) only ever come from the tables below; every value is a bound parameter.
 *
 * Growth rules follow customs statistics: growth is recomputed from levels (never averaged),
 * 同比 = X_t / X_{t−12} − 1, 累计同比 compares Jan..t with Jan..t of the previous year, 环比 compares
 * with the previous period of the same length, 拉动 = (X_i − X_i,prev) / Σ X_prev × 100.
 */
import { z } from 'zod';
import type { SqlParam } from './db.js';
import { CUBES, cubeHasDeclarations } from './schema.js';
import { ENT_TYPE_GROUPS, TRADE_MODE_GROUPS } from './reference/codes.js';

export const MEASURES = ['value_usd', 'value_cny', 'qty1', 'items', 'declarations', 'enterprises'] as const;
export type Measure = (typeof MEASURES)[number];
export const FLOWS = ['import', 'export', 'total', 'balance'] as const;
export type Flow = (typeof FLOWS)[number];

export const MEASURE_LABELS: Record<Measure, string> = {
  value_usd: '金额(美元)',
  value_cny: '金额(人民币元)',
  qty1: '第一数量',
  items: '商品项数',
  declarations: '报关单数',
  enterprises: '企业数',
};
export const FLOW_LABELS: Record<Flow, string> = { import: '进口', export: '出口', total: '进出口', balance: '贸易差额' };

interface DimDef {
  label: string;
  kind: 'time' | 'plain';
  /** SQL over the source alias `t` (facts or cube). */
  expr: string;
  /** columns of the source it needs (to pick a cube) */
  needs: readonly string[];
  /** an extra join (keyed so it is added once) */
  join?: { key: string; sql: string };
  /** label lookup: table and key/name columns, or a constant map */
  names?: { table: string; key: string; name: string } | Record<string, string>;
  /** what filter values look like */
  value: RegExp;
  /** drill-down child (a key of DIMS) */
  child?: string;
}

const J_TM = { key: 'rtm', sql: 'LEFT JOIN ref_trade_mode rtm ON rtm.code = t.trade_mode' };
const J_CH = { key: 'rhc', sql: 'LEFT JOIN ref_hs_chapter rhc ON rhc.code = t.hs_chapter' };
const J_CO = { key: 'rco', sql: 'LEFT JOIN ref_country rco ON rco.code = t.country' };
const J_ET = { key: 'ret', sql: 'LEFT JOIN ref_ent_type ret ON ret.code = t.ent_type' };

export const DIMS = {
  year: { label: '年度', kind: 'time', expr: '(t.ym // 100)', needs: ['ym'], value: /^\d{4}$/, child: 'quarter' },
  quarter: { label: '季度', kind: 'time', expr: '((t.ym // 100) * 10 + ((t.ym % 100 - 1) // 3 + 1))', needs: ['ym'], value: /^\d{4}Q[1-4]$/, child: 'month' },
  month: { label: '月份', kind: 'time', expr: 't.ym', needs: ['ym'], value: /^\d{4}-\d{2}$/ },
  ie_flag: { label: '进出口', kind: 'plain', expr: 't.ie_flag', needs: ['ie_flag'], names: { I: '进口', E: '出口' }, value: /^[IE]$/ },
  trade_mode_group: { label: '贸易方式类别', kind: 'plain', expr: 'rtm.grp', needs: ['trade_mode'], join: J_TM, names: TRADE_MODE_GROUPS, value: /^(general|processing|bonded|other)$/, child: 'trade_mode' },
  trade_mode: { label: '贸易方式', kind: 'plain', expr: 't.trade_mode', needs: ['trade_mode'], names: { table: 'ref_trade_mode', key: 'code', name: 'name' }, value: /^\d{4}$/ },
  hs_section: { label: 'HS类', kind: 'plain', expr: 'rhc.section', needs: ['hs_chapter'], join: J_CH, names: { table: 'ref_hs_section', key: 'code', name: 'name' }, value: /^\d{2}$/, child: 'hs_chapter' },
  hs_chapter: { label: 'HS章', kind: 'plain', expr: 't.hs_chapter', needs: ['hs_chapter'], names: { table: 'ref_hs_chapter', key: 'code', name: 'name' }, value: /^\d{2}$/, child: 'hs_heading' },
  hs_heading: { label: 'HS品目', kind: 'plain', expr: 't.hs_heading', needs: ['hs_heading'], names: { table: 'ref_hs_heading', key: 'code', name: 'name' }, value: /^\d{4}$/, child: 'hs_code' },
  hs_code: { label: '商品编号', kind: 'plain', expr: 't.hs_code', needs: ['hs_code'], value: /^\d{10}$/ },
  continent: { label: '洲别', kind: 'plain', expr: 'rco.continent', needs: ['country'], join: J_CO, value: /^[\u4e00-\u9fff]{2,4}$/, child: 'country' },
  country: { label: '国别(地区)', kind: 'plain', expr: 't.country', needs: ['country'], names: { table: 'ref_country', key: 'code', name: 'name' }, value: /^[A-Z]{3}$/ },
  trade_country: { label: '贸易国(地区)', kind: 'plain', expr: 't.trade_country', needs: ['trade_country'], names: { table: 'ref_country', key: 'code', name: 'name' }, value: /^[A-Z]{3}$/ },
  ent_type_group: { label: '企业性质', kind: 'plain', expr: 'ret.grp', needs: ['ent_type'], join: J_ET, names: ENT_TYPE_GROUPS, value: /^(state|foreign|private|other)$/, child: 'ent_type' },
  ent_type: { label: '企业类型', kind: 'plain', expr: 't.ent_type', needs: ['ent_type'], names: { table: 'ref_ent_type', key: 'code', name: 'name' }, value: /^[0-9A-Z]$/, child: 'enterprise' },
  enterprise: { label: '企业', kind: 'plain', expr: 't.trade_co_uscc', needs: ['trade_co_uscc'], names: { table: 'enterprise', key: 'uscc', name: 'name' }, value: /^[0-9A-HJ-NPQRTUWXY]{18}$/ },
  region: { label: '注册地', kind: 'plain', expr: 't.region', needs: ['region'], names: { table: 'ref_region', key: 'code', name: 'name' }, value: /^\d{6}$/, child: 'enterprise' },
  district: { label: '关区', kind: 'plain', expr: 't.customs_code', needs: ['customs_code'], names: { table: 'ref_district', key: 'code', name: 'name' }, value: /^\d{4}$/, child: 'port' },
  port: { label: '进出境关别', kind: 'plain', expr: 't.i_e_port', needs: ['i_e_port'], names: { table: 'ref_district', key: 'code', name: 'name' }, value: /^\d{4}$/ },
  traf_mode: { label: '运输方式', kind: 'plain', expr: 't.traf_mode', needs: ['traf_mode'], names: { table: 'ref_transport', key: 'code', name: 'name' }, value: /^[0-9A-Z]$/ },
} as const satisfies Record<string, DimDef>;
export type DimName = keyof typeof DIMS;
export const DIM_NAMES = Object.keys(DIMS) as [DimName, ...DimName[]];
const TIME_DIMS = new Set<DimName>(['year', 'quarter', 'month']);
const FILTER_DIMS = DIM_NAMES.filter((d) => !TIME_DIMS.has(d)) as [DimName, ...DimName[]];

const ym = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM');

const filterShape = Object.fromEntries(
  FILTER_DIMS.map((d) => [d, z.array(z.string().regex((DIMS[d] as DimDef).value, `not a valid ${d} value`)).min(1).max(500).optional()]),
) as Record<Exclude<DimName, 'year' | 'quarter' | 'month'>, z.ZodOptional<z.ZodArray<z.ZodString>>>;

export const QuerySpecSchema = z
  .object({
    measures: z.array(z.enum(MEASURES)).min(1).max(6).default(['value_usd']),
    flows: z.array(z.enum(FLOWS)).min(1).max(4).default(['import', 'export', 'total', 'balance']),
    dims: z.array(z.enum(DIM_NAMES)).max(5).default([]),
    filters: z.object(filterShape).strict().default({}),
    period: z.object({ from: ym, to: ym }).strict().optional(),
    cumulative: z.boolean().default(false),
    compare: z.enum(['yoy', 'mom']).optional(),
    share: z.boolean().default(false),
    topN: z.object({ n: z.number().int().min(1).max(1000), by: z.string().regex(/^[a-z0-9_]+$/).max(64) }).strict().optional(),
    orderBy: z.object({ column: z.string().regex(/^[a-z0-9_]+$/).max(64), dir: z.enum(['asc', 'desc']).default('desc') }).strict().optional(),
    limit: z.number().int().min(1).max(100_000).default(10_000),
    /** force the fact table (benchmarks compare it with the cube) */
    source: z.enum(['auto', 'facts']).default('auto'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const times = s.dims.filter((d) => TIME_DIMS.has(d));
    if (times.length > 1) ctx.addIssue({ code: 'custom', path: ['dims'], message: 'at most one time dimension (year, quarter or month)' });
    if (new Set(s.dims).size !== s.dims.length) ctx.addIssue({ code: 'custom', path: ['dims'], message: 'dimensions repeat' });
    if (s.compare === 'mom' && times[0] === 'year') ctx.addIssue({ code: 'custom', path: ['compare'], message: 'MoM needs a month or quarter dimension (use yoy for years)' });
    if (s.cumulative && s.compare === 'mom') ctx.addIssue({ code: 'custom', path: ['cumulative'], message: 'cumulative figures compare year on year only' });
    if (s.cumulative && times[0] === 'year') ctx.addIssue({ code: 'custom', path: ['cumulative'], message: 'cumulative (year-to-date) needs a month or quarter dimension, or none' });
    if (s.period && s.period.from > s.period.to) ctx.addIssue({ code: 'custom', path: ['period'], message: 'period.from is after period.to' });
  });
export type QuerySpec = z.output<typeof QuerySpecSchema>;
export type QuerySpecInput = z.input<typeof QuerySpecSchema>;

export interface Column {
  name: string;
  label: string;
  kind: 'dim' | 'name' | 'measure' | 'prev' | 'growth' | 'share' | 'contrib';
}

export interface CompiledQuery {
  sql: string;
  params: SqlParam[];
  columns: Column[];
  source: string;
  /** time dimension output needs formatting from its integer key */
  timeDim: DimName | undefined;
}

/** YYYY-MM ↔ integer keys */
export function ymInt(s: string): number {
  return Number(s.slice(0, 4)) * 100 + Number(s.slice(5, 7));
}
export function ymAdd(ymv: number, months: number): number {
  const idx = Math.floor(ymv / 100) * 12 + (ymv % 100) - 1 + months;
  return Math.floor(idx / 12) * 100 + (idx % 12) + 1;
}
export function ymStr(ymv: number): string {
  return `${Math.floor(ymv / 100)}-${String(ymv % 100).padStart(2, '0')}`;
}
function monthsBetween(a: number, b: number): number {
  return (Math.floor(b / 100) * 12 + (b % 100)) - (Math.floor(a / 100) * 12 + (a % 100)) + 1;
}

const COUNT_MEASURES = new Set<Measure>(['items', 'declarations', 'enterprises']);
/** Measures that are not additive over the general cubes (only the enterprise cube and the facts have them). */
const COUNT_DISTINCT_MEASURES = new Set<Measure>(['declarations', 'enterprises']);

function aggExpr(m: Measure, flow: Flow, cube: boolean): string | undefined {
  const f = flow === 'import' ? ` FILTER (WHERE t.ie_flag = 'I')` : flow === 'export' ? ` FILTER (WHERE t.ie_flag = 'E')` : '';
  if (flow === 'balance') {
    if (COUNT_MEASURES.has(m) || m === 'qty1') return undefined;
    return `(coalesce(${aggExpr(m, 'export', cube)}, 0) - coalesce(${aggExpr(m, 'import', cube)}, 0))`;
  }
  switch (m) {
    case 'value_usd':
    case 'value_cny':
      return `sum(t.${m})${f}::DOUBLE`;
    case 'qty1':
      return `sum(t.qty1)${f}`;
    case 'items':
      return cube ? `sum(t.items)${f}::BIGINT` : `count(*)${f}`;
    case 'declarations':
      return cube ? `sum(t.decls)${f}::BIGINT` : `count(DISTINCT t.entry_id)${f}`;
    case 'enterprises':
      return `count(DISTINCT t.trade_co_uscc)${f}`;
  }
}

/** The measure columns a spec produces (name → SQL aggregate for the chosen source). */
function measureColumns(spec: QuerySpec, cube: boolean): { name: string; label: string; sql: string }[] {
  const out: { name: string; label: string; sql: string }[] = [];
  for (const m of spec.measures) {
    for (const fl of spec.flows) {
      const sql = aggExpr(m, fl, cube);
      if (sql) out.push({ name: `${m}_${fl}`, label: `${FLOW_LABELS[fl]}${MEASURE_LABELS[m]}`, sql });
    }
  }
  return out;
}

/** Which table answers: the smallest cube (by rows) covering dims, filters and measures, else facts. */
export function chooseSource(spec: QuerySpec, cubeRows: ReadonlyMap<string, number>): { table: string; cube: boolean } {
  if (spec.source === 'facts') return { table: 'decl_item', cube: false };
  const counts = spec.measures.some((m) => COUNT_DISTINCT_MEASURES.has(m));
  const needed = new Set<string>(['ym', 'ie_flag']);
  for (const d of [...spec.dims, ...(Object.keys(spec.filters) as DimName[])]) for (const c of (DIMS[d] as DimDef).needs) needed.add(c);
  let best: { table: string; rows: number } | undefined;
  for (const cube of CUBES) {
    if (counts && !cubeHasDeclarations(cube)) continue;
    const have = new Set<string>(cube.dims);
    if (![...needed].every((c) => have.has(c))) continue;
    const rows = cubeRows.get(cube.table) ?? Number.MAX_SAFE_INTEGER;
    if (!best || rows < best.rows) best = { table: cube.table, rows };
  }
  return best ? { table: best.table, cube: true } : { table: 'decl_item', cube: false };
}

export interface DataRange {
  minYm: number;
  maxYm: number;
}

/**
 * Compiles a validated spec to SQL. `range` is the data's month range (default period: the last
 * 12 months with data).
 */
export function compileQuery(spec: QuerySpec, range: DataRange, cubeRows: ReadonlyMap<string, number>): CompiledQuery {
  const src = chooseSource(spec, cubeRows);
  const params: SqlParam[] = [];
  const p = (v: SqlParam) => {
    params.push(v);
    return `$${params.length}`;
  };
  const to = spec.period ? ymInt(spec.period.to) : range.maxYm;
  const from = spec.period ? ymInt(spec.period.from) : spec.cumulative ? Math.floor(to / 100) * 100 + 1 : Math.max(range.minYm, ymAdd(to, -11));
  const timeDim = spec.dims.find((d) => TIME_DIMS.has(d));
  const plainDims = spec.dims.filter((d) => !TIME_DIMS.has(d));
  const measures = measureColumns(spec, src.cube);
  if (!measures.length) throw new RangeError('no measure column: balance is only defined for values');

  const joins = new Map<string, string>();
  for (const d of [...spec.dims, ...(Object.keys(spec.filters) as DimName[])]) {
    const j = (DIMS[d] as DimDef).join;
    if (j) joins.set(j.key, j.sql);
  }
  const dimCols = spec.dims.map((d, i) => ({ d, alias: `k${i}` }));

  // filters bind fresh placeholders each time a period block is built
  const filterClause = (): string[] =>
    (Object.entries(spec.filters) as [DimName, string[] | undefined][])
      .filter(([, values]) => values?.length)
      .map(([d, values]) => `${(DIMS[d] as DimDef).expr} IN (${values!.map((v) => p(v)).join(', ')})`);

  // one aggregated block for a period; `shift` moves time keys forward so base rows align with current ones
  const block = (f: number, t: number, shift: number): string => {
    const sel = dimCols.map(({ d, alias }) => {
      const def = DIMS[d] as DimDef;
      if (def.kind === 'time' && shift) {
        const idx = `((t.ym // 100) * 12 + (t.ym % 100) - 1 + ${shift})`;
        return `${def.expr.replaceAll('t.ym', `(${idx} // 12 * 100 + ${idx} % 12 + 1)`)} AS ${alias}`;
      }
      return `${def.expr} AS ${alias}`;
    });
    const where = [`t.ym BETWEEN ${p(f)} AND ${p(t)}`, ...filterClause()];
    return `SELECT ${[...sel, ...measures.map((m) => `${m.sql} AS ${m.name}`)].join(', ')}
      FROM ${src.table} t ${[...joins.values()].join(' ')}
      WHERE ${where.join(' AND ')}
      ${dimCols.length ? `GROUP BY ${dimCols.map((x) => x.alias).join(', ')}` : ''}`;
  };

  const cumulative = spec.cumulative;
  const timeAlias = timeDim ? dimCols.find((x) => x.d === timeDim)!.alias : undefined;
  const plainAliases = dimCols.filter((x) => x.d !== timeDim).map((x) => x.alias);
  const yearOf = (alias: string) => (timeDim === 'month' ? `(${alias} // 100)` : `(${alias} // 10)`);

  // cumulative (累计): aggregate from January of the first year, running sums per year, then cut to the period
  const build = (f: number, t: number, shift: number): string => {
    if (!cumulative || !timeAlias) return block(f, t, shift);
    const inner = block(Math.floor(f / 100) * 100 + 1, t, shift);
    const part = [yearOf(timeAlias), ...plainAliases].join(', ');
    const shiftedFrom = ymAdd(f, shift);
    return `SELECT ${dimCols.map((x) => x.alias).join(', ')}, ${measures
      .map((m) => `sum(${m.name}) OVER (PARTITION BY ${part} ORDER BY ${timeAlias} ROWS UNBOUNDED PRECEDING) AS ${m.name}`)
      .join(', ')} FROM (${inner}) QUALIFY ${timeAlias} >= ${timeKey(shiftedFrom, timeDim!)}`;
  };

  const curSql = build(from, to, 0);
  let sql: string;
  const columns: Column[] = [];
  for (const { d } of dimCols) {
    columns.push({ name: d, label: (DIMS[d] as DimDef).label, kind: 'dim' });
    if ((DIMS[d] as DimDef).names) columns.push({ name: `${d}_name`, label: `${(DIMS[d] as DimDef).label}名称`, kind: 'name' });
  }
  if (spec.compare) {
    let shift: number;
    if (spec.compare === 'yoy') shift = 12;
    else if (timeDim === 'month') shift = 1;
    else if (timeDim === 'quarter') shift = 3;
    else shift = monthsBetween(from, to);
    const prevSql = build(ymAdd(from, -shift), ymAdd(to, -shift), shift);
    const on = dimCols.length ? `USING (${dimCols.map((x) => x.alias).join(', ')})` : 'ON true';
    const g = spec.compare;
    const sel: string[] = dimCols.map((x) => x.alias);
    for (const m of measures) {
      sel.push(`c.${m.name}`, `b.${m.name} AS ${m.name}_prev`);
      const growth = m.name.endsWith('_balance') ? 'NULL::DOUBLE' : `CASE WHEN b.${m.name} > 0 THEN coalesce(c.${m.name}, 0) / b.${m.name} - 1 END`;
      sel.push(`${growth} AS ${m.name}_${g}`);
      columns.push(
        { name: m.name, label: m.label, kind: 'measure' },
        { name: `${m.name}_prev`, label: `${m.label}${g === 'yoy' ? '上年同期' : '上期'}`, kind: 'prev' },
        { name: `${m.name}_${g}`, label: `${m.label}${g === 'yoy' ? '同比' : '环比'}`, kind: 'growth' },
      );
    }
    sql = `SELECT ${sel.join(', ')} FROM (${curSql}) c FULL OUTER JOIN (${prevSql}) b ${on}`;
  } else {
    sql = curSql;
    for (const m of measures) {
      columns.push({ name: m.name, label: m.label, kind: 'measure' });
    }
  }

  // shares (占比) within each time period, and contribution (拉动) with YoY
  const extra: string[] = [];
  const partition = timeAlias ? `PARTITION BY ${timeAlias}` : '';
  if (spec.share) {
    for (const m of measures) {
      if (m.name.endsWith('_balance')) continue;
      extra.push(`${m.name} / nullif(sum(${m.name}) OVER (${partition}), 0) AS ${m.name}_share`);
      columns.push({ name: `${m.name}_share`, label: `${m.label}占比`, kind: 'share' });
    }
  }
  if (spec.compare === 'yoy' && plainAliases.length) {
    for (const m of measures) {
      if (m.name.endsWith('_balance')) continue;
      extra.push(`(coalesce(${m.name}, 0) - coalesce(${m.name}_prev, 0)) / nullif(sum(${m.name}_prev) OVER (${partition}), 0) * 100 AS ${m.name}_contrib`);
      columns.push({ name: `${m.name}_contrib`, label: `${m.label}拉动(百分点)`, kind: 'contrib' });
    }
  }
  if (extra.length) sql = `SELECT *, ${extra.join(', ')} FROM (${sql})`;

  // labels
  const nameJoins: string[] = [];
  const nameSel: string[] = [];
  dimCols.forEach(({ d, alias }, i) => {
    const names = (DIMS[d] as DimDef).names;
    if (!names) return;
    if ('table' in names && typeof names.table === 'string') {
      const n = names as { table: string; key: string; name: string };
      nameJoins.push(`LEFT JOIN ${n.table} l${i} ON l${i}.${n.key} = q.${alias}`);
      nameSel.push(`l${i}.${n.name} AS ${d}_name`);
    } else {
      const map = names as Record<string, string>;
      nameSel.push(`CASE q.${alias} ${Object.entries(map).map(([k, v]) => `WHEN ${p(k)} THEN ${p(v)}`).join(' ')} END AS ${d}_name`);
    }
  });
  const valueCols = columns.filter((c) => c.kind !== 'dim' && c.kind !== 'name').map((c) => `q.${c.name}`);
  const dimOut = dimCols.map(({ d, alias }) => `q.${alias} AS ${d}`);
  sql = `SELECT ${[...dimOut, ...nameSel, ...valueCols].join(', ')} FROM (${sql}) q ${nameJoins.join(' ')}`;

  // top-N and ordering
  const known = new Set(columns.map((c) => c.name));
  if (spec.topN) {
    if (!known.has(spec.topN.by)) throw new RangeError(`topN.by must be one of: ${[...known].filter((c) => !DIM_NAMES.includes(c as DimName)).join(', ')}`);
    const nonTime = spec.dims.filter((d) => d !== timeDim);
    if (timeDim && nonTime.length) {
      const keys = nonTime.join(', ');
      sql = `WITH r AS (${sql}), top AS (SELECT ${keys} FROM r GROUP BY ${keys} ORDER BY sum(${spec.topN.by}) DESC NULLS LAST LIMIT ${spec.topN.n})
        SELECT r.* FROM r SEMI JOIN top USING (${keys})`;
    } else {
      sql = `SELECT * FROM (${sql}) ORDER BY ${spec.topN.by} DESC NULLS LAST LIMIT ${spec.topN.n}`;
    }
  }
  const order: string[] = [];
  if (spec.orderBy) {
    if (!known.has(spec.orderBy.column)) throw new RangeError(`orderBy.column must be one of: ${[...known].join(', ')}`);
    order.push(`${spec.orderBy.column} ${spec.orderBy.dir.toUpperCase()} NULLS LAST`);
  } else {
    if (timeDim) order.push(`${timeDim} ASC`);
    const first = measures[0]!.name;
    order.push(`${first} DESC NULLS LAST`);
  }
  for (const d of spec.dims) if (!order.some((o) => o.startsWith(`${d} `))) order.push(`${d} ASC`);
  sql = `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')} LIMIT ${spec.limit}`;
  return { sql, params, columns, source: src.table, timeDim };
}

function timeKey(ymv: number, dim: DimName): number {
  if (dim === 'month') return ymv;
  if (dim === 'quarter') return Math.floor(ymv / 100) * 10 + Math.floor(((ymv % 100) - 1) / 3) + 1;
  return Math.floor(ymv / 100);
}

/** Formats time keys in result rows: 202403 → '2024-03', 20241 → '2024Q1', 2024 → '2024'. */
export function formatRows(rows: Record<string, unknown>[], timeDim: DimName | undefined): Record<string, unknown>[] {
  if (!timeDim) return rows;
  for (const r of rows) {
    const v = r[timeDim];
    if (typeof v !== 'number') continue;
    r[timeDim] = timeDim === 'month' ? ymStr(v) : timeDim === 'quarter' ? `${Math.floor(v / 10)}Q${v % 10}` : String(v);
  }
  return rows;
}

/** The next level down from a dimension (year → quarter → month, chapter → heading → code …). */
export function drillChild(dim: DimName): DimName | undefined {
  return (DIMS[dim] as DimDef).child as DimName | undefined;
}

/**
 * Drill-down: from a total to its parts. Narrows the spec to `value` of `dim` and replaces `dim`
 * by its child (or by `to`). Time dims narrow the period instead of filtering.
 */
export function drillDown(spec: QuerySpec, dim: DimName, value: string, to?: DimName): QuerySpec {
  const child = to ?? drillChild(dim);
  if (!child) throw new RangeError(`${dim} has no finer level`);
  const dims = spec.dims.includes(dim) ? spec.dims.map((d) => (d === dim ? child : d)) : [...spec.dims, child];
  const next: QuerySpec = { ...spec, dims: [...new Set(dims)], filters: { ...spec.filters } };
  if (dim === 'year') next.period = { from: `${value}-01`, to: `${value}-12` };
  else if (dim === 'quarter') {
    const y = value.slice(0, 4);
    const q = Number(value.slice(5));
    next.period = { from: `${y}-${String(q * 3 - 2).padStart(2, '0')}`, to: `${y}-${String(q * 3).padStart(2, '0')}` };
  } else if (dim === 'month') next.period = { from: value, to: value };
  else (next.filters as Record<string, string[]>)[dim] = [value];
  return next;
}
