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
import { INDICATORS, type DatasetDefinition, type Indicator, type QualityRule } from './definitions.js';
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

export async function evaluateQuality(def: DatasetDefinition, pages: AsyncIterable<Row[]>, ctx: QualityContext): Promise<QualityEvaluation> {
  const rules = def.quality.rules;
  const results: RuleResult[] = rules.map((r) => ({ ruleId: r.id, indicator: r.indicator, check: r.check, weight: r.weight, checked: 0, passed: 0, failed: 0, sample: [] }));
  const keyOf = (row: Row) => Object.fromEntries(def.key.map((k) => [k, row[k]]));

  // Row judges, built once.
  const judges: (RowJudge | null)[] = [];
  const uniqueSeen = new Map<number, Set<string>>();
  for (const [i, r] of rules.entries()) {
    switch (r.check) {
      case 'not_null':
        judges.push((row) => !empty(row[r.field]));
        break;
      case 'uscc':
      case 'customs_code':
        judges.push((row) => (empty(row[r.field]) ? null : checkIdentifier(r.check, row[r.field]).ok));
        break;
      case 'identifier':
        judges.push((row) => (empty(row[r.field]) ? null : checkIdentifier(r.kind, row[r.field]).ok));
        break;
      case 'regex': {
        const re = new RegExp(r.pattern);
        judges.push((row) => (empty(row[r.field]) ? null : re.test(String(row[r.field]))));
        break;
      }
      case 'code_table': {
        const set = codeSet(r.table);
        if (!set) throw new Error(`rule ${r.id}: no code table "${r.table}"`);
        judges.push((row) => (empty(row[r.field]) ? null : set.has(String(row[r.field]).trim().toUpperCase()) || set.has(String(row[r.field]).trim())));
        break;
      }
      case 'range':
        judges.push((row) => {
          if (empty(row[r.field])) return null;
          const n = num(row[r.field]);
          if (n === null) return false;
          return (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max);
        });
        break;
      case 'unique': {
        const seen = new Set<string>();
        uniqueSeen.set(i, seen);
        judges.push((row) => {
          if (r.fields.some((f) => empty(row[f]))) return null;
          const k = JSON.stringify(r.fields.map((f) => row[f]));
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        break;
      }
      case 'cross_field':
        judges.push((row) => {
          const a = num(row[r.left]);
          const b = num(row[r.right]);
          if (a === null || b === null) return null;
          return compare(r.op, a, b * r.factor, r.tolerance);
        });
        break;
      case 'reference': {
        const set = await ctx.referenceValues(r.dataset, r.refField);
        judges.push((row) => (empty(row[r.field]) ? null : set.has(String(row[r.field]))));
        break;
      }
      case 'freshness':
      case 'accessible':
        judges.push(null);
        break;
    }
  }

  let rows = 0;
  let newest: Record<number, number> = {};
  for await (const page of pages) {
    for (const row of page) {
      rows += 1;
      for (const [i, judge] of judges.entries()) {
        const r = rules[i]!;
        if (r.check === 'freshness') {
          const t = num(r.field ? row[r.field] : row['_loaded_at']);
          if (t !== null && (newest[i] === undefined || t > newest[i]!)) newest = { ...newest, [i]: t };
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
            const value = 'field' in r && r.field ? row[r.field] : r.check === 'unique' ? r.fields.map((f) => row[f]) : r.check === 'cross_field' ? [row[r.left], row[r.right]] : null;
            res.sample.push({ key: keyOf(row), value });
          }
        }
      }
    }
  }
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
  return { rows, results, ...scoreOf(results) };
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
