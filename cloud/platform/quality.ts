/**
 * Data quality (数据质量管理) along the six indicators of GB/T 36344-2018: normativity, completeness,
 * accuracy, consistency, timeliness, accessibility. Each rule of a data set (definitions.ts) counts
 * the values it checked, passed and failed:
 *
 *   row rules       not_null (every row), uscc / customs_code / identifier / regex / code_table / range / reference
 *                   (rows with a value), unique (rows with all key fields; every row after the first of
 *                   a group fails), cross_field (rows with both numbers)
 *   data-set rules  freshness, accessible: one check per run
 *
 * Scores, 0–100: a rule's pass rate is passed / checked (a rule that checked nothing is left out);
 * an indicator's score is the weighted mean of its rules' pass rates, the data set's score the
 * weighted mean over all its rules. Rules run over the landed rows page by page, never all in memory.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { datasetTable, fromStored, isSqlite, keyValues, scanColumns, STORE_SCAN, type StoreScan } from './datasets.js';
import { INDICATORS, type DatasetDefinition, type DatasetField, type Indicator, type QualityRule } from './definitions.js';
import { checkIdentifier } from './identifiers.js';
import type { Row } from './pipeline.js';
import { codeSet } from './reference.js';

export interface RuleResult {
  ruleId: string;
  indicator: Indicator;
  check: QualityRule['check'];
  weight: number;
  checked: number;
  passed: number;
  failed: number;
  /** Up to SAMPLE failing rows: their key and the value judged. */
  sample: { key: Record<string, unknown>; value: unknown }[];
}

export interface QualityEvaluation {
  rows: number;
  results: RuleResult[];
  score: number | null;
  indicators: Partial<Record<Indicator, number>>;
}

export interface QualityContext {
  now: number;
  /** Row count of the data set's table, or null when it cannot be read (accessibility). */
  count: number | null;
  /** Values of another data set's field (reference rule). */
  referenceValues(dataset: string, field: string): Promise<Set<string>>;
}

const SAMPLE = 5;

function empty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function num(v: unknown): number | null {
  if (empty(v)) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function compare(op: string, a: number, b: number, tol: number): boolean {
  switch (op) {
    case '=':
      return Math.abs(a - b) <= tol;
    case '!=':
      return Math.abs(a - b) > tol;
    case '<':
      return a < b + tol;
    case '<=':
      return a <= b + tol;
    case '>':
      return a > b - tol;
    case '>=':
      return a >= b - tol;
    default:
      return false;
  }
}

type RowJudge = (row: Row) => boolean | null; // null: not judged

/** A rule's judge of one (typed) row; null for the data-set rules (freshness, accessible). */
async function buildJudge(r: QualityRule, ctx: QualityContext): Promise<RowJudge | null> {
  switch (r.check) {
    case 'not_null':
      return (row) => !empty(row[r.field]);
    case 'uscc':
    case 'customs_code':
      return (row) => (empty(row[r.field]) ? null : checkIdentifier(r.check, row[r.field]).ok);
    case 'identifier':
      return (row) => (empty(row[r.field]) ? null : checkIdentifier(r.kind, row[r.field]).ok);
    case 'regex': {
      const re = new RegExp(r.pattern);
      return (row) => (empty(row[r.field]) ? null : re.test(String(row[r.field])));
    }
    case 'code_table': {
      const set = codeSet(r.table);
      if (!set) throw new Error(`rule ${r.id}: no code table "${r.table}"`);
      return (row) => (empty(row[r.field]) ? null : set.has(String(row[r.field]).trim().toUpperCase()) || set.has(String(row[r.field]).trim()));
    }
    case 'range':
      return (row) => {
        if (empty(row[r.field])) return null;
        const n = num(row[r.field]);
        if (n === null) return false;
        return (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max);
      };
    case 'unique': {
      const seen = new Set<string>();
      return (row) => {
        if (r.fields.some((f) => empty(row[f]))) return null;
        const k = JSON.stringify(r.fields.map((f) => row[f]));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      };
    }
    case 'cross_field':
      return (row) => {
        const a = num(row[r.left]);
        const b = num(row[r.right]);
        if (a === null || b === null) return null;
        return compare(r.op, a, b * r.factor, r.tolerance);
      };
    case 'reference': {
      const set = await ctx.referenceValues(r.dataset, r.refField);
      return (row) => (empty(row[r.field]) ? null : set.has(String(row[r.field])));
    }
    case 'freshness':
    case 'accessible':
      return null;
  }
}

/** The value a failing row's sample shows. */
function sampleValue(r: QualityRule, row: Row): unknown {
  return 'field' in r && r.field ? row[r.field] : r.check === 'unique' ? r.fields.map((f) => row[f]) : r.check === 'cross_field' ? [row[r.left], row[r.right]] : null;
}

export async function evaluateQuality(def: DatasetDefinition, pages: AsyncIterable<Row[]>, ctx: QualityContext): Promise<QualityEvaluation> {
  const scan = (pages as { [STORE_SCAN]?: StoreScan })[STORE_SCAN];
  if (scan && scan.def.name === def.name && canEvaluateInStore(def)) return evaluateInStore(scan.db, def, ctx);
  const rules = def.quality.rules;
  const results: RuleResult[] = rules.map((r) => ({ ruleId: r.id, indicator: r.indicator, check: r.check, weight: r.weight, checked: 0, passed: 0, failed: 0, sample: [] }));
  const keyOf = (row: Row) => Object.fromEntries(def.key.map((k) => [k, row[k]]));

  // Row judges, built once.
  const judges: (RowJudge | null)[] = [];
  for (const r of rules) judges.push(await buildJudge(r, ctx));

  let rows = 0;
  const newest: Record<number, number> = {};
  for await (const page of pages) {
    for (const row of page) {
      rows += 1;
      for (const [i, judge] of judges.entries()) {
        const r = rules[i]!;
        if (r.check === 'freshness') {
          const t = num(r.field ? row[r.field] : row['_loaded_at']);
          if (t !== null && (newest[i] === undefined || t > newest[i]!)) newest[i] = t;
          continue;
        }
        if (!judge) continue;
        const ok = judge(row);
        if (ok === null) continue;
        const res = results[i]!;
        res.checked += 1;
        if (ok) res.passed += 1;
        else {
          res.failed += 1;
          if (res.sample.length < SAMPLE) {
            res.sample.push({ key: keyOf(row), value: sampleValue(r, row) });
          }
        }
      }
    }
  }
  finishDatasetRules(rules, results, newest, ctx);
  return { rows, results, ...scoreOf(results) };
}

/** The one-check rules: freshness (newest value per rule index) and accessibility. */
function finishDatasetRules(rules: readonly QualityRule[], results: RuleResult[], newest: Record<number, number>, ctx: QualityContext): void {
  for (const [i, r] of rules.entries()) {
    const res = results[i]!;
    if (r.check === 'freshness') {
      res.checked = 1;
      const t = newest[i];
      const ok = t !== undefined && ctx.now - t <= r.maxAgeSeconds * 1000;
      res.passed = ok ? 1 : 0;
      res.failed = ok ? 0 : 1;
      if (!ok) res.sample.push({ key: {}, value: t === undefined ? null : t });
    } else if (r.check === 'accessible') {
      res.checked = 1;
      const ok = ctx.count !== null && ctx.count >= r.minRows;
      res.passed = ok ? 1 : 0;
      res.failed = ok ? 0 : 1;
      if (!ok) res.sample.push({ key: {}, value: ctx.count });
    }
  }
}

export function scoreOf(results: readonly RuleResult[]): { score: number | null; indicators: Partial<Record<Indicator, number>> } {
  const acc = new Map<Indicator | 'all', { w: number; s: number }>();
  for (const r of results) {
    if (r.checked === 0) continue;
    const rate = r.passed / r.checked;
    for (const k of [r.indicator, 'all'] as const) {
      const a = acc.get(k) ?? { w: 0, s: 0 };
      a.w += r.weight;
      a.s += r.weight * rate;
      acc.set(k, a);
    }
  }
  const indicators: Partial<Record<Indicator, number>> = {};
  for (const ind of INDICATORS) {
    const a = acc.get(ind);
    if (a) indicators[ind] = (100 * a.s) / a.w;
  }
  const all = acc.get('all');
  return { score: all ? (100 * all.s) / all.w : null, indicators };
}

// ── evaluation inside the store ─────────────────────────────────────────────
//
// When the pages come straight from the data set's table (datasets.scanRows), the rules are pushed
// into SQL instead of reading every column of every row into JavaScript:
//
//   one aggregate query   not_null, range and cross_field on numeric fields, freshness on a numeric
//                         field or the load time, and the row count: COUNT / SUM(CASE …) / MAX
//   GROUP BY              unique (groups with all fields present; every row after the first fails)
//   streamed columns      identifier checks, regex, code tables, reference, and the rules above on
//                         text fields: only the columns they name, in large pages ordered by key,
//                         each distinct value judged once (memoised)
//
// The counts, the scores and the failing samples (the first SAMPLE failing rows in key order) are
// the same as the row-by-row evaluation's.

const NUMERIC_TYPES = new Set(['integer', 'number', 'timestamp', 'boolean']);
const MEMO_LIMIT = 65_536;

function ruleFields(r: QualityRule): string[] {
  switch (r.check) {
    case 'unique':
      return r.fields;
    case 'cross_field':
      return [r.left, r.right];
    case 'freshness':
      return r.field ? [r.field] : [];
    case 'accessible':
      return [];
    default:
      return [r.field];
  }
}

/** Every field the rules name is a declared field (a column of the table). */
function canEvaluateInStore(def: DatasetDefinition): boolean {
  const names = new Set(def.fields.map((f) => f.name));
  return def.quality.rules.every((r) => ruleFields(r).every((f) => names.has(f)));
}

interface SqlJudge {
  /** Rows the rule counts. */
  judged: RawBuilder<unknown>;
  /** Of those, the ones that pass (never NULL for a judged row). */
  pass: RawBuilder<unknown>;
}

function present(f: DatasetField): RawBuilder<unknown> {
  const c = sql.ref(f.name);
  return f.type === 'text' ? sql`(${c} IS NOT NULL AND trim(${c}) <> '')` : sql`(${c} IS NOT NULL)`;
}

function dbl(n: number): RawBuilder<unknown> {
  return sql`CAST(${n} AS double precision)`;
}

/** The rule as SQL, or null when it is judged in JavaScript (or is not a row rule). */
function sqlJudge(r: QualityRule, field: (name: string) => DatasetField): SqlJudge | null {
  switch (r.check) {
    case 'not_null':
      return { judged: sql`(1 = 1)`, pass: present(field(r.field)) };
    case 'range': {
      const f = field(r.field);
      if (!NUMERIC_TYPES.has(f.type)) return null;
      const c = sql.ref(f.name);
      const lo = r.min === undefined ? sql`(1 = 1)` : sql`(${c} >= ${dbl(r.min)})`;
      const hi = r.max === undefined ? sql`(1 = 1)` : sql`(${c} <= ${dbl(r.max)})`;
      return { judged: sql`(${c} IS NOT NULL)`, pass: sql`(${lo} AND ${hi})` };
    }
    case 'cross_field': {
      const lf = field(r.left);
      const rf = field(r.right);
      if (!NUMERIC_TYPES.has(lf.type) || !NUMERIC_TYPES.has(rf.type)) return null;
      const a = sql.ref(lf.name);
      const b = sql`(${sql.ref(rf.name)} * ${dbl(r.factor)})`;
      const tol = dbl(r.tolerance);
      const pass =
        r.op === '='
          ? sql`(abs(${a} - ${b}) <= ${tol})`
          : r.op === '!='
            ? sql`(abs(${a} - ${b}) > ${tol})`
            : r.op === '<'
              ? sql`(${a} < ${b} + ${tol})`
              : r.op === '<='
                ? sql`(${a} <= ${b} + ${tol})`
                : r.op === '>'
                  ? sql`(${a} > ${b} - ${tol})`
                  : r.op === '>='
                    ? sql`(${a} >= ${b} - ${tol})`
                    : sql`(1 = 0)`;
      return { judged: sql`(${a} IS NOT NULL AND ${sql.ref(rf.name)} IS NOT NULL)`, pass };
    }
    default:
      return null;
  }
}

/**
 * A judge that depends on one field only: each distinct value is judged once. A field whose values
 * hardly repeat (declaration numbers) stops being memoised after the first MEMO_LIMIT values.
 */
function memoised(judge: RowJudge, fieldName: string): RowJudge {
  const memo = new Map<unknown, boolean | null>();
  let calls = 0;
  let useful = true;
  return (row) => {
    if (!useful) return judge(row);
    const v = row[fieldName];
    const hit = memo.get(v);
    if (hit !== undefined) return hit;
    const out = judge(row);
    calls += 1;
    if (memo.size < MEMO_LIMIT) memo.set(v, out);
    else if (calls > 2 * MEMO_LIMIT) {
      // misses keep coming: the values are mostly distinct
      useful = false;
      memo.clear();
    }
    return out;
  };
}

/** UTF-8 byte order, as SQLite's BINARY collation orders `_key`. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function evaluateInStore(db: Kysely<any>, def: DatasetDefinition, ctx: QualityContext): Promise<QualityEvaluation> {
  const rules = def.quality.rules;
  const table = sql.table(datasetTable(def.name));
  const fields = new Map(def.fields.map((f) => [f.name, f]));
  const field = (name: string) => fields.get(name)!;
  const results: RuleResult[] = rules.map((r) => ({ ruleId: r.id, indicator: r.indicator, check: r.check, weight: r.weight, checked: 0, passed: 0, failed: 0, sample: [] }));
  const newest: Record<number, number> = {};

  // 1. one aggregate pass
  const inSql = new Map<number, SqlJudge>();
  const freshInSql: number[] = [];
  const selects: RawBuilder<unknown>[] = [sql`count(*) AS n`];
  for (const [i, r] of rules.entries()) {
    const j = sqlJudge(r, field);
    if (j) {
      inSql.set(i, j);
      selects.push(sql`sum(CASE WHEN ${j.judged} THEN 1 ELSE 0 END) AS ${sql.ref(`c${i}`)}`);
      selects.push(sql`sum(CASE WHEN ${j.judged} AND ${j.pass} THEN 1 ELSE 0 END) AS ${sql.ref(`p${i}`)}`);
    } else if (r.check === 'freshness' && (!r.field || NUMERIC_TYPES.has(field(r.field).type))) {
      freshInSql.push(i);
      selects.push(sql`max(${sql.ref(r.field ?? '_loaded_at')}) AS ${sql.ref(`f${i}`)}`);
    }
  }
  const agg = (await sql<Record<string, unknown>>`SELECT ${sql.join(selects)} FROM ${table}`.execute(db)).rows[0] ?? {};
  const rows = Number(agg['n'] ?? 0);
  for (const [i, j] of inSql) {
    const res = results[i]!;
    res.checked = Number(agg[`c${i}`] ?? 0);
    res.passed = Number(agg[`p${i}`] ?? 0);
    res.failed = res.checked - res.passed;
    if (res.failed > 0) await sampleFailures(db, def, rules[i]!, res, sql`${j.judged} AND NOT ${j.pass}`);
  }
  for (const i of freshInSql) {
    const v = agg[`f${i}`];
    if (v !== null && v !== undefined && Number.isFinite(Number(v))) newest[i] = Number(v);
  }

  // 2. unique: one GROUP BY per rule
  for (const [i, r] of rules.entries()) {
    if (r.check !== 'unique') continue;
    const all = sql.join(
      r.fields.map((f) => present(field(f))),
      sql` AND `,
    );
    const cols = sql.join(r.fields.map((f) => sql.ref(f)));
    const g = (await sql<{ g: unknown; c: unknown }>`SELECT count(*) AS g, sum(n) AS c FROM (SELECT count(*) AS n FROM ${table} WHERE ${all} GROUP BY ${cols}) x`.execute(db)).rows[0];
    const res = results[i]!;
    res.checked = Number(g?.c ?? 0);
    res.passed = Number(g?.g ?? 0);
    res.failed = res.checked - res.passed;
    if (res.failed > 0) {
      const found = await sql<Row>`SELECT * FROM (SELECT _key, ${cols}, row_number() OVER (PARTITION BY ${cols} ORDER BY _key) AS rn FROM ${table} WHERE ${all}) x WHERE rn > 1 ORDER BY _key LIMIT ${SAMPLE}`.execute(db);
      for (const row of found.rows) res.sample.push({ key: keyValues(def, row['_key']), value: r.fields.map((f) => fromStored(field(f), row[f])) });
    }
  }

  // 3. the rest in JavaScript over the columns they name
  const inJs: { i: number; judge: RowJudge | null }[] = [];
  const columns = new Set<string>();
  for (const [i, r] of rules.entries()) {
    if (inSql.has(i) || freshInSql.includes(i) || r.check === 'unique' || r.check === 'accessible') continue;
    let judge = await buildJudge(r, ctx);
    if (judge && 'field' in r && r.field && r.check !== 'not_null' && r.check !== 'range') judge = memoised(judge, r.field);
    inJs.push({ i, judge });
    for (const f of ruleFields(r)) columns.add(f);
  }
  if (inJs.length) {
    const typedCols = [...columns].map((c) => field(c)).filter((f) => f.type !== 'text');
    // On SQLite the table is read in its own (rowid) order, so the samples are the SAMPLE smallest
    // failing keys kept on the way; on PostgreSQL the pages come in key order.
    const storageOrder = isSqlite(db);
    const candidates = new Map<number, { k: string; row: Row }[]>();
    for await (const page of scanColumns(db, def, [...columns], { order: 'storage' })) {
      for (const row of page) {
        for (const f of typedCols) row[f.name] = fromStored(f, row[f.name]);
        for (const { i, judge } of inJs) {
          const r = rules[i]!;
          if (!judge) {
            if (r.check === 'freshness') {
              const t = num(row[r.field!]);
              if (t !== null && (newest[i] === undefined || t > newest[i]!)) newest[i] = t;
            }
            continue;
          }
          const ok = judge(row);
          if (ok === null) continue;
          const res = results[i]!;
          res.checked += 1;
          if (ok) res.passed += 1;
          else {
            res.failed += 1;
            if (!storageOrder) {
              if (res.sample.length < SAMPLE) res.sample.push({ key: keyValues(def, row['_key']), value: sampleValue(r, row) });
              continue;
            }
            const k = String(row['_key']);
            let list = candidates.get(i);
            if (!list) candidates.set(i, (list = []));
            if (list.length < SAMPLE || byteOrder(k, list[list.length - 1]!.k) < 0) {
              list.push({ k, row: { ...row } });
              list.sort((x, y) => byteOrder(x.k, y.k));
              if (list.length > SAMPLE) list.pop();
            }
          }
        }
      }
    }
    for (const [i, list] of candidates) for (const c of list) results[i]!.sample.push({ key: keyValues(def, c.k), value: sampleValue(rules[i]!, c.row) });
  }
  finishDatasetRules(rules, results, newest, ctx);
  return { rows, results, ...scoreOf(results) };
}

/** The first SAMPLE failing rows of a rule judged in SQL, in key order. */
async function sampleFailures(db: Kysely<any>, def: DatasetDefinition, r: QualityRule, res: RuleResult, failing: RawBuilder<unknown>): Promise<void> {
  const cols = ruleFields(r);
  const found = await sql<Row>`SELECT _key${sql.raw(cols.length ? ', ' : '')}${sql.join(
    cols.map((c) => sql.ref(c)),
    sql`, `,
  )} FROM ${sql.table(datasetTable(def.name))} WHERE ${failing} ORDER BY _key LIMIT ${SAMPLE}`.execute(db);
  const fields = new Map(def.fields.map((f) => [f.name, f]));
  for (const row of found.rows) {
    const typedRow: Row = {};
    for (const c of cols) typedRow[c] = fromStored(fields.get(c)!, row[c]);
    res.sample.push({ key: keyValues(def, row['_key']), value: sampleValue(r, typedRow) });
  }
}
