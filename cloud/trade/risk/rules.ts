/**
 * Risk rules as data (风控规则): a rule set is JSON — conditions on any declaration, item or
 * enterprise field with operators eq / in / range / regex / ref-list / price-anomaly / history-count,
 * combined with all / any / not; each rule has a weight (negative weights lower the score, e.g. for
 * AEO enterprises) and may force a lane. The score is the sum of the weights of the rules that hit;
 * thresholds turn it into a lane (red: physical examination, yellow: documentary check, green:
 * release), then random selection at the configured rates tops the lanes up (seeded, so anyone holding
 * the rule set can recompute a draw). Every hit carries an explanation of each condition that held.
 * Evaluation here is pure: callers provide the enterprise, price references and history counts.
 */
import crypto from 'node:crypto';
import { z } from 'zod';

export const ITEM_FIELDS = [
  'entry_id', 'ie_flag', 'd_date', 'customs_code', 'i_e_port', 'trade_mode', 'traf_mode', 'trade_co_customs', 'trade_co_uscc',
  'trade_country', 'g_no', 'hs_code', 'hs_chapter', 'hs_heading', 'origin_country', 'dest_country', 'country', 'qty1', 'unit1',
  'value_cny', 'value_usd', 'unit_price', 'items_in_declaration',
  'enterprise.credit_rating', 'enterprise.aeo', 'enterprise.ent_type', 'enterprise.region', 'enterprise.registered', 'enterprise.name',
] as const;
export type Field = (typeof ITEM_FIELDS)[number];

export const HISTORY_KINDS = ['enterprise', 'enterprise_hs', 'enterprise_country', 'enterprise_hs_country'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: Field; op: 'eq'; value: string | number | boolean }
  | { field: Field; op: 'in'; values: (string | number)[] }
  | { field: Field; op: 'range'; min?: number | string; max?: number | string }
  | { field: Field; op: 'regex'; pattern: string }
  | { field: Field; op: 'ref-list'; list: string }
  | { op: 'price-anomaly'; minZ: number; direction?: 'high' | 'low' | 'both' }
  | { op: 'history-count'; of: HistoryKind; windowDays: number; min?: number; max?: number };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ConditionSchema).min(1).max(20) }).strict(),
    z.object({ any: z.array(ConditionSchema).min(1).max(20) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
    z.object({ field: z.enum(ITEM_FIELDS), op: z.literal('eq'), value: scalar }).strict(),
    z.object({ field: z.enum(ITEM_FIELDS), op: z.literal('in'), values: z.array(z.union([z.string().max(200), z.number()])).min(1).max(1000) }).strict(),
    z
      .object({ field: z.enum(ITEM_FIELDS), op: z.literal('range'), min: z.union([z.number(), z.string().max(40)]).optional(), max: z.union([z.number(), z.string().max(40)]).optional() })
      .strict()
      .refine((c) => c.min !== undefined || c.max !== undefined, 'range needs min or max'),
    z
      .object({ field: z.enum(ITEM_FIELDS), op: z.literal('regex'), pattern: z.string().min(1).max(200) })
      .strict()
      .refine((c) => {
        try {
          new RegExp(c.pattern, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'pattern is not a valid regular expression'),
    z.object({ field: z.enum(ITEM_FIELDS), op: z.literal('ref-list'), list: z.string().regex(/^[a-z0-9_]{1,64}$/) }).strict(),
    z.object({ op: z.literal('price-anomaly'), minZ: z.number().positive().max(50), direction: z.enum(['high', 'low', 'both']).optional() }).strict(),
    z
      .object({ op: z.literal('history-count'), of: z.enum(HISTORY_KINDS), windowDays: z.number().int().min(1).max(3650), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .strict()
      .refine((c) => c.min !== undefined || c.max !== undefined, 'history-count needs min or max'),
  ]),
) as z.ZodType<Condition>;

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    name: z.string().min(1).max(100),
    description: z.string().max(500).optional(),
    weight: z.number().min(-1000).max(1000),
    /** a hit forces at least this lane, whatever the score */
    lane: z.enum(['red', 'yellow']).optional(),
    enabled: z.boolean().default(true),
    when: ConditionSchema,
  })
  .strict();
export type Rule = z.output<typeof RuleSchema>;

export const RuleSetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    name: z.string().min(1).max(100),
    thresholds: z.object({ red: z.number(), yellow: z.number() }).strict().refine((t) => t.red > t.yellow, 'red threshold must exceed yellow'),
    random: z
      .object({ red: z.number().min(0).max(1), yellow: z.number().min(0).max(1), seed: z.string().min(1).max(100) })
      .strict()
      .refine((r) => r.red + r.yellow <= 1, 'random rates add up to more than 1'),
    lists: z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), z.array(z.string().max(64)).max(10_000)).default({}),
    rules: z.array(RuleSchema).min(1).max(500),
  })
  .strict()
  .superRefine((rs, ctx) => {
    const ids = new Set<string>();
    rs.rules.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id ${r.id} repeats` });
      ids.add(r.id);
      for (const list of listsUsed(r.when)) if (!rs.lists[list]) ctx.addIssue({ code: 'custom', path: ['rules', i, 'when'], message: `unknown list "${list}"` });
    });
  });
export type RuleSet = z.output<typeof RuleSetSchema>;
export type RuleSetInput = z.input<typeof RuleSetSchema>;

function listsUsed(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(listsUsed);
  if ('any' in c) return c.any.flatMap(listsUsed);
  if ('not' in c) return listsUsed(c.not);
  return c.op === 'ref-list' ? [c.list] : [];
}

/** The history-count conditions a rule set needs (so callers can precompute them). */
export function historyNeeds(rs: RuleSet): { of: HistoryKind; windowDays: number }[] {
  const out = new Map<string, { of: HistoryKind; windowDays: number }>();
  const walk = (c: Condition) => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else if (c.op === 'history-count') out.set(`${c.of}:${c.windowDays}`, { of: c.of, windowDays: c.windowDays });
  };
  rs.rules.forEach((r) => walk(r.when));
  return [...out.values()];
}

export function historyKey(of: HistoryKind, windowDays: number): string {
  return `${of}:${windowDays}`;
}

/** One item as the rules see it: header fields merged in, plus context. */
export interface EvalItem {
  fields: Record<string, string | number | boolean | null | undefined>;
  /** robust z of ln(unit price) against the HS code + origin reference, if known */
  priceZ?: number | null;
  priceRef?: number | null;
  /** history counts keyed by historyKey(of, windowDays) */
  history?: Record<string, number>;
}

export interface ConditionTrace {
  ok: boolean;
  text: string;
}

function fmt(v: unknown): string {
  return v === null || v === undefined ? '∅' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
}

function cmp(a: unknown, b: number | string): number | undefined {
  if (typeof b === 'number') {
    const x = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
    return Number.isFinite(x) ? x - b : undefined;
  }
  if (a === null || a === undefined) return undefined;
  const s = String(a);
  return s < b ? -1 : s > b ? 1 : 0;
}

const regexCache = new Map<string, RegExp>();

/** Evaluates a condition on one item; returns whether it holds and the texts of what held. */
export function evalCondition(c: Condition, item: EvalItem, lists: Readonly<Record<string, readonly string[]>>, listSets?: Map<string, Set<string>>): { ok: boolean; because: string[] } {
  if ('all' in c) {
    const because: string[] = [];
    for (const sub of c.all) {
      const r = evalCondition(sub, item, lists, listSets);
      if (!r.ok) return { ok: false, because: [] };
      because.push(...r.because);
    }
    return { ok: true, because };
  }
  if ('any' in c) {
    for (const sub of c.any) {
      const r = evalCondition(sub, item, lists, listSets);
      if (r.ok) return r;
    }
    return { ok: false, because: [] };
  }
  if ('not' in c) {
    const r = evalCondition(c.not, item, lists, listSets);
    return r.ok ? { ok: false, because: [] } : { ok: true, because: [`not (${describe(c.not)})`] };
  }
  if (c.op === 'price-anomaly') {
    const z = item.priceZ;
    if (z === null || z === undefined) return { ok: false, because: [] };
    const dir = c.direction ?? 'both';
    const ok = dir === 'high' ? z >= c.minZ : dir === 'low' ? z <= -c.minZ : Math.abs(z) >= c.minZ;
    return ok
      ? { ok, because: [`unit price ${fmt(item.fields['unit_price'])} vs reference ${fmt(item.priceRef)} (robust z ${fmt(z)}, |z| ≥ ${c.minZ})`] }
      : { ok, because: [] };
  }
  if (c.op === 'history-count') {
    const n = item.history?.[historyKey(c.of, c.windowDays)];
    if (n === undefined) return { ok: false, because: [] };
    const ok = (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
    return ok ? { ok, because: [`history: ${n} earlier items (${c.of}, ${c.windowDays} days) within [${c.min ?? 0}, ${c.max ?? '∞'}]`] } : { ok, because: [] };
  }
  const v = item.fields[c.field];
  switch (c.op) {
    case 'eq': {
      const ok = typeof c.value === 'number' ? cmp(v, c.value) === 0 : typeof c.value === 'boolean' ? v === c.value || String(v) === String(c.value) : v !== null && v !== undefined && String(v) === c.value;
      return ok ? { ok, because: [`${c.field} = ${fmt(v)}`] } : { ok, because: [] };
    }
    case 'in': {
      const ok = v !== null && v !== undefined && c.values.some((x) => String(x) === String(v));
      return ok ? { ok, because: [`${c.field} = ${fmt(v)} ∈ {${c.values.slice(0, 10).join(', ')}${c.values.length > 10 ? ', …' : ''}}`] } : { ok, because: [] };
    }
    case 'range': {
      const lo = c.min === undefined ? 0 : cmp(v, c.min);
      const hi = c.max === undefined ? 0 : cmp(v, c.max);
      const ok = lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
      return ok ? { ok, because: [`${c.field} = ${fmt(v)} in [${c.min ?? '−∞'}, ${c.max ?? '∞'}]`] } : { ok, because: [] };
    }
    case 'regex': {
      let re = regexCache.get(c.pattern);
      if (!re) regexCache.set(c.pattern, (re = new RegExp(c.pattern, 'u')));
      const s = v === null || v === undefined ? '' : String(v).slice(0, 1000);
      const ok = re.test(s);
      return ok ? { ok, because: [`${c.field} = ${fmt(v)} matches /${c.pattern}/`] } : { ok, because: [] };
    }
    case 'ref-list': {
      let set = listSets?.get(c.list);
      if (!set) {
        set = new Set(lists[c.list] ?? []);
        listSets?.set(c.list, set);
      }
      const ok = v !== null && v !== undefined && set.has(String(v));
      return ok ? { ok, because: [`${c.field} = ${fmt(v)} is on list "${c.list}"`] } : { ok, because: [] };
    }
  }
}

export function describe(c: Condition): string {
  if ('all' in c) return c.all.map(describe).join(' and ');
  if ('any' in c) return `(${c.any.map(describe).join(' or ')})`;
  if ('not' in c) return `not ${describe(c.not)}`;
  switch (c.op) {
    case 'eq':
      return `${c.field} = ${c.value}`;
    case 'in':
      return `${c.field} in [${c.values.join(', ')}]`;
    case 'range':
      return `${c.field} in [${c.min ?? '−∞'}, ${c.max ?? '∞'}]`;
    case 'regex':
      return `${c.field} ~ /${c.pattern}/`;
    case 'ref-list':
      return `${c.field} on list ${c.list}`;
    case 'price-anomaly':
      return `unit price robust |z| ≥ ${c.minZ}`;
    case 'history-count':
      return `history(${c.of}, ${c.windowDays}d) in [${c.min ?? 0}, ${c.max ?? '∞'}]`;
  }
}

export type Lane = 'red' | 'yellow' | 'green';
const LANE_RANK: Record<Lane, number> = { green: 0, yellow: 1, red: 2 };

export interface RuleHit {
  ruleId: string;
  name: string;
  weight: number;
  lane?: 'red' | 'yellow';
  items: number[];
  because: string[];
}

export interface Decision {
  entryId: string;
  lane: Lane;
  score: number;
  byRules: Lane;
  random: { draw: number; selected: Lane | null; rates: { red: number; yellow: number } };
  hits: RuleHit[];
  explanation: string;
}

/** Uniform [0,1) draw for a declaration: HMAC-SHA256(seed, entry id), first 48 bits. Auditable. */
export function randomDraw(seed: string, entryId: string): number {
  const h = crypto.createHmac('sha256', seed).update(entryId).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

/** Evaluates a declaration (its items, header merged into each) against a rule set. */
export function evaluateDeclaration(rs: RuleSet, entryId: string, items: readonly EvalItem[], listSets = new Map<string, Set<string>>()): Decision {
  const hits: RuleHit[] = [];
  let score = 0;
  let forced: Lane = 'green';
  for (const rule of rs.rules) {
    if (!rule.enabled) continue;
    const hitItems: number[] = [];
    let because: string[] = [];
    for (const it of items) {
      const r = evalCondition(rule.when, it, rs.lists, listSets);
      if (r.ok) {
        hitItems.push(Number(it.fields['g_no'] ?? hitItems.length + 1));
        if (!because.length) because = r.because;
      }
    }
    if (!hitItems.length) continue;
    score += rule.weight;
    if (rule.lane && LANE_RANK[rule.lane] > LANE_RANK[forced]) forced = rule.lane;
    hits.push({ ruleId: rule.id, name: rule.name, weight: rule.weight, ...(rule.lane ? { lane: rule.lane } : {}), items: hitItems, because });
  }
  let byRules: Lane = score >= rs.thresholds.red ? 'red' : score >= rs.thresholds.yellow ? 'yellow' : 'green';
  if (LANE_RANK[forced] > LANE_RANK[byRules]) byRules = forced;
  const draw = randomDraw(rs.random.seed, entryId);
  const randomLane: Lane | null = draw < rs.random.red ? 'red' : draw < rs.random.red + rs.random.yellow ? 'yellow' : null;
  const lane: Lane = randomLane && LANE_RANK[randomLane] > LANE_RANK[byRules] ? randomLane : byRules;
  const parts = hits.map((h) => `[${h.ruleId} ${h.name} ${h.weight >= 0 ? '+' : ''}${h.weight}] ${h.because.join('; ')} (items ${h.items.join(',')})`);
  const explanation =
    `${entryId}: score ${score} (red ≥ ${rs.thresholds.red}, yellow ≥ ${rs.thresholds.yellow}) → ${byRules}` +
    (lane !== byRules ? `; random selection (draw ${draw.toFixed(6)} < rate) → ${lane}` : '') +
    (parts.length ? `. Hits: ${parts.join(' | ')}` : '. No rule hit.');
  return { entryId, lane, score, byRules, random: { draw, selected: randomLane, rates: { red: rs.random.red, yellow: rs.random.yellow } }, hits, explanation };
}
