/**
 * Pipelines (数据处理): declared steps run over the rows a connector pulled, before they land in a
 * data set. Each step either passes a row on (possibly changed) or rejects it with one reason from
 * REJECT_REASONS; a rejected row stops there and is kept with its step, field and detail.
 *
 *   parse      coerce text to typed values (integer, number, boolean, timestamp, text)
 *   map        build the output record from source fields (dot paths), with defaults
 *   validate   identifiers (USCC check character, customs code, declaration number, HS code), regex,
 *              ranges, required fields
 *   convert    through a code table (reference.ts): e.g. country alpha-2 → alpha-3, unknown → reject
 *   dedupe     one row per key within the run (first or last wins); the others are rejected
 *   enrich     join another landed data set (enterprise master data by USCC or customs code)
 *   aggregate  group and sum/count/min/max/avg (rows out are the groups)
 *
 * After the last step every row is checked against the target data set's fields (types, required),
 * so nothing lands that the data set does not declare. The executor is pure except for `lookup`,
 * which reads the master data set for `enrich`.
 *
 * A run can be fed in slices (startPipeline): each slice goes through the steps as it comes, and what
 * a step must know across slices is kept for the whole run: `dedupe` keep='first' remembers every key
 * it let through (and the ref of that row, for the reject's detail; outside the heap, see
 * CompactStringMap), so memory grows with the distinct keys, not the rows; `enrich` remembers the
 * master records it read, so each is read once per run. `dedupe` keep='last' and `aggregate` cannot
 * decide on a row before they have seen all of them, and an `enrich` from the data set being loaded
 * must not see the run's own earlier slices, so a pipeline with any of these gathers every slice and
 * runs once at the end, as a whole load does (see needsAllRows). Rows and rejects are the same as for
 * the whole input at once; only the order of the rejects follows the slices.
 */
import { z } from 'zod';
import { CompactStringMap } from './compact-map.js';
import { FIELD, FieldType, type DatasetDefinition } from './definitions.js';
import { checkIdentifier, IDENTIFIER_KINDS, type IdentifierKind } from './identifiers.js';
import { codeLookup } from './reference.js';

export const REJECT_REASONS = ['parse_error', 'missing_field', 'bad_type', 'check_digit', 'format', 'unknown_code', 'out_of_range', 'duplicate', 'no_master_record'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const ID = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/);
const DATASET = z.string().regex(/^[a-z][a-z0-9_]{0,48}$/);

const ParseStep = z.object({ op: z.literal('parse'), fields: z.record(FIELD, FieldType) }).strict();
const MapStep = z
  .object({
    op: z.literal('map'),
    /** target field → source path ("a.b") or { from, default }. */
    fields: z.record(FIELD, z.union([z.string().min(1).max(200), z.object({ from: z.string().min(1).max(200).optional(), default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional() }).strict()])),
    /** Keep source fields not named in `fields` (default: only the mapped ones). */
    keepOthers: z.boolean().default(false),
  })
  .strict();
const Check = z
  .object({
    field: FIELD,
    required: z.boolean().default(false),
    /** Identifiers checked with shared/ids (identifiers.ts): uscc, customs_code, entry_id, hs, imo, container_no, plate. */
    is: z.enum(IDENTIFIER_KINDS).optional(),
    pattern: z.string().min(1).max(500).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();
const ValidateStep = z.object({ op: z.literal('validate'), checks: z.array(Check).min(1) }).strict();
const ConvertStep = z
  .object({
    op: z.literal('convert'),
    field: FIELD,
    table: z.string().min(1).max(64),
    from: z.string().default('code'),
    to: z.string().default('code'),
    /** Where the converted value goes (default: replaces `field`). */
    target: FIELD.optional(),
    onUnknown: z.enum(['reject', 'null', 'keep']).default('reject'),
  })
  .strict();
const DedupeStep = z.object({ op: z.literal('dedupe'), key: z.array(FIELD).min(1), keep: z.enum(['first', 'last']).default('first') }).strict();
const EnrichStep = z
  .object({
    op: z.literal('enrich'),
    /** The master data set joined (e.g. "enterprise"). */
    dataset: DATASET,
    field: FIELD,
    /** Field of the master data set matched against `field`. */
    refField: FIELD,
    /** How identifiers are matched: an identifier kind (uscc, customs_code, imo …) is verified and normalised first. */
    match: z.enum(['exact', ...IDENTIFIER_KINDS]).default('exact'),
    /** target field → master data set field. */
    fields: z.record(FIELD, FIELD),
    /** Reject rows without a master record (default) or pass them on with nulls. */
    required: z.boolean().default(true),
  })
  .strict();
const Measure = z.object({ fn: z.enum(['sum', 'count', 'min', 'max', 'avg']), field: FIELD.optional() }).strict();
const AggregateStep = z.object({ op: z.literal('aggregate'), groupBy: z.array(FIELD).min(1), measures: z.record(FIELD, Measure) }).strict();

export const PipelineStep = z.discriminatedUnion('op', [ParseStep, MapStep, ValidateStep, ConvertStep, DedupeStep, EnrichStep, AggregateStep]);
export type PipelineStep = z.infer<typeof PipelineStep>;

export const PipelineDefinition = z
  .object({
    id: ID,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    steps: z.array(PipelineStep).max(100),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const [i, s] of p.steps.entries()) {
      if (s.op === 'convert' && !codeLookup(s.table, s.from, s.to)) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `no code table "${s.table}" with columns "${s.from}" and "${s.to}"` });
      if (s.op === 'validate') {
        for (const [j, c] of s.checks.entries()) {
          if (c.pattern !== undefined) {
            try {
              new RegExp(c.pattern);
            } catch {
              ctx.addIssue({ code: 'custom', path: ['steps', i, 'checks', j, 'pattern'], message: 'not a valid regular expression' });
            }
          }
        }
      }
      if (s.op === 'aggregate') {
        for (const [k, m] of Object.entries(s.measures)) if (m.fn !== 'count' && !m.field) ctx.addIssue({ code: 'custom', path: ['steps', i, 'measures', k], message: `${m.fn} needs a field` });
      }
    }
  });
export type PipelineDefinition = z.infer<typeof PipelineDefinition>;
export type PipelineDefinitionInput = z.input<typeof PipelineDefinition>;

export type Row = Record<string, unknown>;
export interface SourceRow {
  /** Where the row came from, for people: "file.csv:12", "page 3 #5", "topic qs/v1/…". */
  ref: string;
  data: Row;
  /** The record as the source gave it (kept with a rejection); set by the executor. */
  source?: Row;
}
export interface Reject {
  ref: string;
  /** 0-based step index; steps.length = the final check against the data set; -1 = the connector's parser. */
  step: number;
  op: string;
  reason: RejectReason;
  field: string | null;
  detail: string;
  /** The record as the source gave it. */
  raw: Row;
}
export interface PipelineResult {
  rows: SourceRow[];
  rejects: Reject[];
}

/** Reads master records: refField value → record, for the values asked. */
export type MasterLookup = (dataset: string, refField: string, values: readonly string[]) => Promise<Map<string, Row>>;

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function getPath(row: Row, p: string): unknown {
  if (p in row) return row[p];
  let cur: unknown = row;
  for (const part of p.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Row)[part];
  }
  return cur;
}

export type Coerced = { ok: true; value: string | number | boolean | null } | { ok: false; detail: string };

/** Text or JSON value → the field type's value; empty → null. Timestamps become epoch milliseconds. */
export function coerce(v: unknown, type: FieldType): Coerced {
  if (isEmpty(v)) return { ok: true, value: null };
  switch (type) {
    case 'text':
      if (typeof v === 'object') return { ok: true, value: JSON.stringify(v) };
      return { ok: true, value: String(v) };
    case 'integer':
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n)) return { ok: false, detail: `"${String(v)}" is not a number` };
      if (type === 'integer' && !Number.isInteger(n)) return { ok: false, detail: `"${String(v)}" is not an integer` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof v === 'boolean') return { ok: true, value: v };
      const s = String(v).trim().toLowerCase();
      if (['true', '1', 'yes', 'y', '是'].includes(s)) return { ok: true, value: true };
      if (['false', '0', 'no', 'n', '否'].includes(s)) return { ok: true, value: false };
      return { ok: false, detail: `"${String(v)}" is not a boolean` };
    }
    case 'timestamp': {
      if (typeof v === 'number' && Number.isFinite(v)) return { ok: true, value: Math.round(v) };
      if (v instanceof Date && !Number.isNaN(v.getTime())) return { ok: true, value: v.getTime() };
      const s = String(v).trim();
      if (/^\d{10,13}$/.test(s)) return { ok: true, value: Number(s) };
      // A bare date or date-time without a zone is China Standard Time (the office's clock).
      const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
      const t = local ? Date.parse(`${local[1]}-${local[2]}-${local[3]}T${local[4] ?? '00'}:${local[5] ?? '00'}:${local[6] ?? '00'}+08:00`) : Date.parse(s);
      if (Number.isNaN(t)) return { ok: false, detail: `"${s}" is not a date or time` };
      return { ok: true, value: t };
    }
  }
}

interface Ctx {
  rows: SourceRow[];
  rejects: Reject[];
}

function reject(ctx: Ctx, r: SourceRow, step: number, op: string, reason: RejectReason, field: string | null, detail: string): void {
  ctx.rejects.push({ ref: r.ref, step, op, reason, field, detail, raw: r.source ?? r.data });
}

const patterns = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    if (patterns.size > 1000) patterns.clear();
    re = new RegExp(source);
    patterns.set(source, re);
  }
  return re;
}

function checkValue(c: z.infer<typeof Check>, v: unknown): { reason: RejectReason; detail: string } | null {
  if (isEmpty(v)) return c.required ? { reason: 'missing_field', detail: `${c.field} is empty` } : null;
  const s = typeof v === 'string' ? v : String(v);
  if (c.is !== undefined) {
    const p = checkIdentifier(c.is, s);
    if (!p.ok) return { reason: p.reason, detail: p.message };
  }
  if (c.pattern !== undefined && !pattern(c.pattern).test(s)) return { reason: 'format', detail: `"${s}" does not match ${c.pattern}` };
  if (c.min !== undefined || c.max !== undefined) {
    const n = typeof v === 'number' ? v : Number(s);
    if (!Number.isFinite(n)) return { reason: 'bad_type', detail: `"${s}" is not a number` };
    if ((c.min !== undefined && n < c.min) || (c.max !== undefined && n > c.max)) return { reason: 'out_of_range', detail: `${n} outside [${c.min ?? '-∞'}, ${c.max ?? '∞'}]` };
  }
  return null;
}

function keyOf(row: Row, fields: readonly string[]): string {
  return JSON.stringify(fields.map((f) => (isEmpty(row[f]) ? null : row[f])));
}

/** Normalises an identifier for a join; undefined with a reason when it is not a valid one. */
function matchKey(match: 'exact' | IdentifierKind, v: unknown): { key: string } | { reason: RejectReason; detail: string } {
  if (match === 'exact') return { key: String(v).trim() };
  const p = checkIdentifier(match, v);
  return p.ok ? { key: p.value } : { reason: p.reason, detail: p.message };
}

export async function runPipeline(def: PipelineDefinition | null, input: readonly SourceRow[], dataset: DatasetDefinition, lookup: MasterLookup): Promise<PipelineResult> {
  const run = startPipeline(def, dataset, lookup, { gatherAll: false });
  return run.push(input);
}

/**
 * Why a pipeline cannot run slice by slice (null: it can). `target`: the data set the run lands in;
 * an enrich from it would see the rows of the run's own earlier slices once they are landed, where a
 * whole load joins only what was there before.
 */
export function needsAllRows(def: PipelineDefinition | null, target?: string): string | null {
  for (const s of def?.steps ?? []) {
    if (s.op === 'aggregate') return 'aggregate groups rows from the whole run';
    if (s.op === 'dedupe' && s.keep === 'last') return "dedupe keep='last' can only keep a row once it has seen every later one";
    if (s.op === 'enrich' && target !== undefined && s.dataset === target) return `enrich joins ${target}, the data set being loaded`;
  }
  return null;
}

/** A pipeline run fed in slices: push each slice's rows (in source order), then finish. */
export interface PipelineRun {
  /** The rows that passed and the rejects of this slice (nothing yet when the run gathers all rows). */
  push(input: readonly SourceRow[]): Promise<PipelineResult>;
  /** What is left: the whole run's result when it gathers all rows, else nothing. */
  finish(): Promise<PipelineResult>;
  /** Whether the slices are kept until finish (needsAllRows, or asked for). */
  readonly gathersAll: boolean;
}

/**
 * Starts a run. gatherAll (default: needsAllRows for the data set) keeps every slice's rows and runs
 * the steps once, in finish; otherwise each push runs the steps over its slice, with dedupe's memory
 * kept across slices.
 */
export function startPipeline(def: PipelineDefinition | null, dataset: DatasetDefinition, lookup: MasterLookup, opts: { gatherAll?: boolean } = {}): PipelineRun {
  const steps = def?.steps ?? [];
  const gathersAll = opts.gatherAll ?? needsAllRows(def, dataset.name) !== null;
  lookup = cachedLookup(lookup);
  // dedupe keep='first': key → ref of the row kept, per step index, for the whole run (off the heap)
  const firstSeen = new Map<number, CompactStringMap>();
  const gathered: SourceRow[] = [];
  let executed = false;
  return {
    gathersAll,
    async push(input) {
      if (gathersAll) {
        for (const r of input) gathered.push(r);
        return { rows: [], rejects: [] };
      }
      executed = true;
      return execute(steps, input, dataset, lookup, firstSeen);
    },
    async finish() {
      // The steps run at least once, over no rows if nothing came, as a whole load over an empty
      // pull does: an enrich whose master data set is missing fails the run all the same.
      if (!gathersAll && executed) return { rows: [], rejects: [] };
      executed = true;
      return execute(steps, gathered.splice(0), dataset, lookup, firstSeen);
    },
  };
}

/** Most master records a run keeps from its lookups; past it the cache starts again (it is only a cache). */
const LOOKUP_CACHE = 500_000;

/**
 * Master records are read once per run, not once per slice: the masters do not change during a run
 * (a run that would change its own master gathers all rows, see needsAllRows), and slices of a large
 * load ask for the same master keys again and again. Values not found are remembered too.
 */
function cachedLookup(lookup: MasterLookup): MasterLookup {
  const caches = new Map<string, Map<string, Row | null>>();
  return async (name, field, values) => {
    const id = JSON.stringify([name, field]);
    let cache = caches.get(id);
    if (!cache || cache.size > LOOKUP_CACHE) caches.set(id, (cache = new Map()));
    const missing = values.filter((v) => !cache.has(v));
    // asked even with nothing missing: a lookup may refuse the master itself (no such data set)
    const found = await lookup(name, field, missing);
    for (const v of missing) cache.set(v, found.get(v) ?? null);
    const out = new Map<string, Row>();
    for (const v of values) {
      const r = cache.get(v);
      if (r) out.set(v, r);
    }
    return out;
  };
}

async function execute(steps: readonly PipelineStep[], input: readonly SourceRow[], dataset: DatasetDefinition, lookup: MasterLookup, firstSeen: Map<number, CompactStringMap>): Promise<PipelineResult> {
  // Steps change rows in place, so each row starts as a copy of its source record, except when the
  // first step is a map: it builds new records and leaves the source alone.
  const copy = steps[0]?.op !== 'map';
  let rows: SourceRow[] = input.map((r) => ({ ref: r.ref, data: copy ? { ...r.data } : r.data, source: r.data }));
  const rejects: Reject[] = [];
  for (const [i, step] of steps.entries()) {
    const ctx: Ctx = { rows: [], rejects };
    switch (step.op) {
      case 'parse': {
        const fields = Object.entries(step.fields);
        for (const r of rows) {
          let bad = false;
          for (const [f, t] of fields) {
            const c = coerce(r.data[f], t);
            if (!c.ok) {
              reject(ctx, r, i, step.op, 'bad_type', f, c.detail);
              bad = true;
              break;
            }
            r.data[f] = c.value;
          }
          if (!bad) ctx.rows.push(r);
        }
        break;
      }
      case 'map': {
        const fields = Object.entries(step.fields).map(([target, spec]) => ({ target, from: typeof spec === 'string' ? spec : (spec.from ?? target), fallback: typeof spec !== 'string' && spec.default !== undefined ? { value: spec.default } : null }));
        for (const r of rows) {
          const out: Row = step.keepOthers ? { ...r.data } : {};
          for (const f of fields) {
            const v = getPath(r.data, f.from);
            out[f.target] = f.fallback && isEmpty(v) ? f.fallback.value : v;
          }
          ctx.rows.push({ ref: r.ref, data: out, source: r.source ?? r.data });
        }
        break;
      }
      case 'validate':
        for (const r of rows) {
          let bad = false;
          for (const c of step.checks) {
            const fail = checkValue(c, r.data[c.field]);
            if (fail) {
              reject(ctx, r, i, step.op, fail.reason, c.field, fail.detail);
              bad = true;
              break;
            }
          }
          if (!bad) ctx.rows.push(r);
        }
        break;
      case 'convert': {
        const look = codeLookup(step.table, step.from, step.to)!;
        for (const r of rows) {
          const v = r.data[step.field];
          const target = step.target ?? step.field;
          if (isEmpty(v)) {
            r.data[target] = null;
            ctx.rows.push(r);
            continue;
          }
          const out = look(String(v));
          if (out === undefined) {
            if (step.onUnknown === 'reject') {
              reject(ctx, r, i, step.op, 'unknown_code', step.field, `"${String(v)}" is not a ${step.from} of code table ${step.table}`);
              continue;
            }
            r.data[target] = step.onUnknown === 'null' ? null : v;
          } else r.data[target] = out;
          ctx.rows.push(r);
        }
        break;
      }
      case 'dedupe': {
        if (step.keep === 'first') {
          // only the first row of a key passes, in this slice or any before it
          let seen = firstSeen.get(i);
          if (!seen) firstSeen.set(i, (seen = new CompactStringMap()));
          for (const r of rows) {
            const k = keyOf(r.data, step.key);
            const first = seen.get(k);
            if (first === undefined) {
              seen.set(k, r.ref);
              ctx.rows.push(r);
            } else reject(ctx, r, i, step.op, 'duplicate', step.key.join(','), `same ${step.key.join(', ')} as ${first}`);
          }
          break;
        }
        // keep='last' (a run with it gathers all rows first, so this sees the whole run)
        const seen = new Map<string, number>();
        const kept: (SourceRow | null)[] = [];
        for (const r of rows) {
          const k = keyOf(r.data, step.key);
          const at = seen.get(k);
          if (at === undefined) {
            seen.set(k, kept.length);
            kept.push(r);
          } else {
            const earlier = kept[at]!;
            reject(ctx, earlier, i, step.op, 'duplicate', step.key.join(','), `same ${step.key.join(', ')} as ${r.ref}`);
            kept[at] = null;
            seen.set(k, kept.length);
            kept.push(r);
          }
        }
        ctx.rows = kept.filter((r): r is SourceRow => r !== null);
        break;
      }
      case 'enrich': {
        const joined = Object.entries(step.fields);
        // by input position, so the rows that pass keep their order
        const passed: (SourceRow | undefined)[] = new Array(rows.length);
        const pending: { at: number; key: string }[] = [];
        const wanted = new Set<string>();
        for (const [at, r] of rows.entries()) {
          const v = r.data[step.field];
          if (isEmpty(v)) {
            if (step.required) reject(ctx, r, i, step.op, 'missing_field', step.field, `${step.field} is empty: no master record can be joined`);
            else {
              for (const [t] of joined) r.data[t] = null;
              passed[at] = r;
            }
            continue;
          }
          const m = matchKey(step.match, v);
          if ('reason' in m) {
            reject(ctx, r, i, step.op, m.reason, step.field, m.detail);
            continue;
          }
          r.data[step.field] = m.key;
          pending.push({ at, key: m.key });
          wanted.add(m.key);
        }
        const master = await lookup(step.dataset, step.refField, [...wanted]);
        for (const { at, key } of pending) {
          const r = rows[at]!;
          const rec = master.get(key);
          if (!rec && step.required) {
            reject(ctx, r, i, step.op, 'no_master_record', step.field, `no ${step.dataset} record with ${step.refField} = ${key}`);
            continue;
          }
          for (const [t, f] of joined) r.data[t] = rec ? (rec[f] ?? null) : null;
          passed[at] = r;
        }
        ctx.rows = passed.filter((r): r is SourceRow => r !== undefined);
        break;
      }
      case 'aggregate': {
        const groups = new Map<string, { key: Row; acc: Record<string, { sum: number; n: number; min: number; max: number }>; refs: number }>();
        for (const r of rows) {
          const k = keyOf(r.data, step.groupBy);
          let g = groups.get(k);
          if (!g) {
            g = { key: Object.fromEntries(step.groupBy.map((f) => [f, r.data[f] ?? null])), acc: {}, refs: 0 };
            groups.set(k, g);
          }
          g.refs += 1;
          for (const [t, m] of Object.entries(step.measures)) {
            const a = (g.acc[t] ??= { sum: 0, n: 0, min: Infinity, max: -Infinity });
            if (m.fn === 'count' && !m.field) {
              a.n += 1;
              continue;
            }
            const v = r.data[m.field!];
            if (isEmpty(v)) continue;
            const n = typeof v === 'number' ? v : Number(v);
            if (!Number.isFinite(n)) {
              if (m.fn === 'count') a.n += 1;
              continue;
            }
            a.sum += n;
            a.n += 1;
            a.min = Math.min(a.min, n);
            a.max = Math.max(a.max, n);
          }
        }
        for (const [k, g] of groups) {
          const out: Row = { ...g.key };
          for (const [t, m] of Object.entries(step.measures)) {
            const a = g.acc[t] ?? { sum: 0, n: 0, min: Infinity, max: -Infinity };
            out[t] = m.fn === 'count' ? a.n : a.n === 0 ? null : m.fn === 'sum' ? a.sum : m.fn === 'avg' ? a.sum / a.n : m.fn === 'min' ? a.min : a.max;
          }
          ctx.rows.push({ ref: `group ${k} (${g.refs} rows)`, data: out });
        }
        break;
      }
    }
    rows = ctx.rows;
  }
  // The data set's own schema is the last gate.
  const final: SourceRow[] = [];
  const last = steps.length;
  const fctx: Ctx = { rows: final, rejects };
  for (const r of rows) {
    const out: Row = {};
    let bad = false;
    for (const f of dataset.fields) {
      const c = coerce(r.data[f.name], f.type);
      if (!c.ok) {
        reject(fctx, r, last, 'schema', 'bad_type', f.name, c.detail);
        bad = true;
        break;
      }
      if (c.value === null && (f.required || dataset.key.includes(f.name))) {
        reject(fctx, r, last, 'schema', 'missing_field', f.name, `${f.name} is required by data set ${dataset.name}`);
        bad = true;
        break;
      }
      out[f.name] = c.value;
    }
    if (!bad) final.push({ ref: r.ref, data: out });
  }
  return { rows: final, rejects };
}
