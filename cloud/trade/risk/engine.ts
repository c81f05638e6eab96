/**
 * The risk engine over DuckDB: versioned rule sets (draft → tested → active → retired), back-tests on
 * past declarations (hits and hit rate per rule, lanes, and precision where known findings are given),
 * activation only after a back-test of that very version, and live evaluation of a declaration with
 * every decision recorded (rule-set version, score, random draw, explanation).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { QuaysideError } from '../../../shared/errors.js';
import type { SqlParam, TradeDb } from '../db.js';
import { evaluateDeclaration, historyKey, historyNeeds, RuleSetSchema, type Decision, type EvalItem, type HistoryKind, type Lane, type RuleSet, type RuleSetInput } from './rules.js';

export const RULESET_STATUSES = ['draft', 'tested', 'active', 'retired'] as const;
export type RuleSetStatus = (typeof RULESET_STATUSES)[number];

export interface StoredRuleSet {
  id: string;
  version: number;
  status: RuleSetStatus;
  body: RuleSet;
  author: string;
  createdAt: string;
  backtest: Backtest | null;
  testedAt: string | null;
  activatedAt: string | null;
  activatedBy: string | null;
}

export interface Backtest {
  rulesetId: string;
  version: number;
  period: { from: string; to: string };
  declarations: number;
  items: number;
  sampled: boolean;
  lanes: Record<Lane, number>;
  byRules: Record<Lane, number>;
  randomSelected: number;
  rules: { ruleId: string; name: string; hits: number; hitRate: number; findings: number | null; precision: number | null }[];
  findings: { known: number; selected: number; recall: number } | null;
  ms: number;
}

/** A declaration submitted for evaluation: header plus items. */
export const DeclarationSchema = z
  .object({
    entry_id: z.string().regex(/^\d{4}(19|20)\d{2}[01IE]\d{9}$/),
    ie_flag: z.enum(['I', 'E']),
    d_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    customs_code: z.string().regex(/^\d{4}$/),
    i_e_port: z.string().regex(/^\d{4}$/),
    trade_mode: z.string().regex(/^\d{4}$/),
    traf_mode: z.string().regex(/^[0-9A-Z]$/),
    trade_co_customs: z.string().regex(/^\d{4}[0-9A-Z]{2}\d{4}$/),
    trade_co_uscc: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/),
    trade_country: z.string().regex(/^[A-Z]{3}$/),
    items: z
      .array(
        z
          .object({
            g_no: z.number().int().min(1).max(50),
            hs_code: z.string().regex(/^\d{10}$/),
            origin_country: z.string().regex(/^[A-Z]{3}$/),
            dest_country: z.string().regex(/^[A-Z]{3}$/),
            qty1: z.number().positive(),
            unit1: z.string().regex(/^\d{3}$/),
            value_cny: z.number().positive(),
            value_usd: z.number().positive(),
          })
          .strict(),
      )
      .min(1)
      .max(50),
  })
  .strict();
export type DeclarationInput = z.infer<typeof DeclarationSchema>;

const HISTORY_PARTITION: Record<HistoryKind, string> = {
  enterprise: 'trade_co_uscc',
  enterprise_hs: 'trade_co_uscc, hs_code',
  enterprise_country: 'trade_co_uscc, country',
  enterprise_hs_country: 'trade_co_uscc, hs_code, country',
};

function defaultRuleSet(): RuleSetInput {
  return JSON.parse(fs.readFileSync(new URL('./default-ruleset.json', import.meta.url), 'utf8')) as RuleSetInput;
}

function toStored(r: Record<string, unknown>): StoredRuleSet {
  return {
    id: String(r['id']),
    version: Number(r['version']),
    status: r['status'] as RuleSetStatus,
    body: JSON.parse(String(r['body'])) as RuleSet,
    author: String(r['author']),
    createdAt: String(r['created_at']),
    backtest: r['backtest'] ? (JSON.parse(String(r['backtest'])) as Backtest) : null,
    testedAt: (r['tested_at'] as string | null) ?? null,
    activatedAt: (r['activated_at'] as string | null) ?? null,
    activatedBy: (r['activated_by'] as string | null) ?? null,
  };
}

function parseRuleSet(input: unknown): RuleSet {
  const r = RuleSetSchema.safeParse(input);
  if (!r.success) throw new QuaysideError('CLOUD_BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return r.data;
}

export class RiskEngine {
  constructor(private readonly db: TradeDb) {}

  /** Seeds the default rule set (version 1, draft) when no rule set exists. */
  async ensureDefault(): Promise<void> {
    const n = Number((await this.db.query<{ n: number }>('SELECT count(*) AS n FROM risk_ruleset'))[0]!.n);
    if (n === 0) await this.create(defaultRuleSet(), 'system');
  }

  /** Stores a new version (draft) of a rule set; the version number is the next for that id. */
  async create(input: unknown, author: string): Promise<StoredRuleSet> {
    const body = parseRuleSet(input);
    return this.db.write(async (c) => {
      const v = Number((await c.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM risk_ruleset WHERE id = $1', [body.id]))[0]!.v);
      await c.exec(`INSERT INTO risk_ruleset VALUES ($1, $2, 'draft', $3, $4, $5, NULL, NULL, NULL, NULL)`, [body.id, v, JSON.stringify(body), author, new Date().toISOString()]);
      return toStored((await c.query('SELECT * FROM risk_ruleset WHERE id = $1 AND version = $2', [body.id, v]))[0]!);
    });
  }

  async list(id?: string): Promise<StoredRuleSet[]> {
    const rows = id ? await this.db.query('SELECT * FROM risk_ruleset WHERE id = $1 ORDER BY version DESC', [id]) : await this.db.query('SELECT * FROM risk_ruleset ORDER BY id, version DESC');
    return rows.map(toStored);
  }

  async get(id: string, version: number): Promise<StoredRuleSet> {
    const r = (await this.db.query('SELECT * FROM risk_ruleset WHERE id = $1 AND version = $2', [id, version]))[0];
    if (!r) throw new QuaysideError('CLOUD_NOT_FOUND', `no rule set ${id} version ${version}`);
    return toStored(r);
  }

  async active(id: string): Promise<StoredRuleSet | undefined> {
    const r = (await this.db.query(`SELECT * FROM risk_ruleset WHERE id = $1 AND status = 'active'`, [id]))[0];
    return r ? toStored(r) : undefined;
  }

  /** Activates a tested version; the previously active version of the same id is retired. */
  async activate(id: string, version: number, by: string): Promise<StoredRuleSet> {
    const rs = await this.get(id, version);
    if (!rs.backtest || (rs.status !== 'tested' && rs.status !== 'retired')) {
      throw new QuaysideError('CLOUD_BAD_REQUEST', `rule set ${id} v${version} must be back-tested before activation (status ${rs.status})`);
    }
    await this.db.transaction(async (c) => {
      await c.exec(`UPDATE risk_ruleset SET status = 'retired' WHERE id = $1 AND status = 'active'`, [id]);
      await c.exec(`UPDATE risk_ruleset SET status = 'active', activated_at = $3, activated_by = $4 WHERE id = $1 AND version = $2`, [id, version, new Date().toISOString(), by]);
    });
    return this.get(id, version);
  }

  /**
   * Back-tests a version on declarations in [from, to] (YYYY-MM-DD): evaluates every declaration
   * (or a deterministic sample above `maxItems`) as it would have been at the time, with history
   * counts taken from the declarations before each one. `findings` are entry ids known to be
   * irregular, giving precision per rule and the share of them selected.
   */
  async backtest(id: string, version: number, opts: { from: string; to: string; maxItems?: number; findings?: readonly string[] }): Promise<Backtest> {
    const started = Date.now();
    const stored = await this.get(id, version);
    const rs = stored.body;
    const needs = historyNeeds(rs);
    const maxWindow = Math.max(0, ...needs.map((n) => n.windowDays));
    const count = Number((await this.db.query<{ n: number }>('SELECT count(*) AS n FROM decl_item WHERE d_date BETWEEN $1::DATE AND $2::DATE', [opts.from, opts.to]))[0]!.n);
    const maxItems = opts.maxItems ?? 2_000_000;
    const modulo = count > maxItems ? Math.ceil(count / maxItems) : 1;
    const sample = modulo > 1 ? `AND hash(entry_id) % ${modulo} = 0` : '';
    const histCols = needs
      .map(
        (n) =>
          `count(*) OVER (PARTITION BY ${HISTORY_PARTITION[n.of]} ORDER BY d_date RANGE BETWEEN INTERVAL ${n.windowDays} DAYS PRECEDING AND INTERVAL 1 DAYS PRECEDING) AS "h_${historyKey(n.of, n.windowDays)}"`,
      )
      .join(', ');
    const rows = await this.db.query(
      `WITH hist AS (
         SELECT *${histCols ? `, ${histCols}` : ''} FROM decl_item
         WHERE d_date BETWEEN ($1::DATE - INTERVAL ${maxWindow + 1} DAYS) AND $2::DATE
       ), ref AS (
         SELECT ie_flag, hs_code, country, median(lp) AS med, count(*) AS n FROM (
           SELECT ie_flag, hs_code, country, ln(value_cny::DOUBLE / qty1) AS lp FROM decl_item WHERE d_date BETWEEN ($2::DATE - INTERVAL 730 DAYS) AND $2::DATE
         ) GROUP BY ALL HAVING count(*) >= 20
       ), mad AS (
         SELECT r.ie_flag, r.hs_code, r.country, any_value(r.med) AS med, median(abs(ln(d.value_cny::DOUBLE / d.qty1) - r.med)) AS mad
         FROM decl_item d JOIN ref r USING (ie_flag, hs_code, country)
         WHERE d.d_date BETWEEN ($2::DATE - INTERVAL 730 DAYS) AND $2::DATE GROUP BY ALL
       )
       SELECT h.*, (ln(h.value_cny::DOUBLE / h.qty1) - m.med) / greatest(1.4826 * m.mad, 0.05) AS price_z, exp(m.med) AS price_ref,
              e.credit_rating, e.aeo, e.ent_type AS e_ent_type, e.region AS e_region, e.registered, e.name AS e_name,
              count(*) OVER (PARTITION BY h.entry_id) AS n_items
       FROM hist h LEFT JOIN mad m USING (ie_flag, hs_code, country) LEFT JOIN enterprise e ON e.uscc = h.trade_co_uscc
       WHERE h.d_date BETWEEN $1::DATE AND $2::DATE ${sample}
       ORDER BY h.entry_id, h.g_no`,
      [opts.from, opts.to],
    );
    const findings = opts.findings ? new Set(opts.findings) : undefined;
    const lanes: Record<Lane, number> = { red: 0, yellow: 0, green: 0 };
    const byRules: Record<Lane, number> = { red: 0, yellow: 0, green: 0 };
    const ruleHits = new Map<string, { hits: number; findings: number }>();
    let randomSelected = 0;
    let declarations = 0;
    let findingsSelected = 0;
    let findingsSeen = 0;
    const listSets = new Map<string, Set<string>>();
    let i = 0;
    while (i < rows.length) {
      const entryId = String(rows[i]!['entry_id']);
      const items: EvalItem[] = [];
      while (i < rows.length && rows[i]!['entry_id'] === entryId) items.push(this.itemOf(rows[i++]!, needs));
      const d = evaluateDeclaration(rs, entryId, items, listSets);
      declarations++;
      lanes[d.lane]++;
      byRules[d.byRules]++;
      if (d.lane !== d.byRules) randomSelected++;
      const isFinding = findings?.has(entryId) ?? false;
      if (isFinding) {
        findingsSeen++;
        if (d.lane !== 'green') findingsSelected++;
      }
      for (const h of d.hits) {
        const s = ruleHits.get(h.ruleId) ?? { hits: 0, findings: 0 };
        s.hits++;
        if (isFinding) s.findings++;
        ruleHits.set(h.ruleId, s);
      }
    }
    const result: Backtest = {
      rulesetId: id,
      version,
      period: { from: opts.from, to: opts.to },
      declarations,
      items: rows.length,
      sampled: modulo > 1,
      lanes,
      byRules,
      randomSelected,
      rules: rs.rules.map((r) => {
        const s = ruleHits.get(r.id) ?? { hits: 0, findings: 0 };
        return {
          ruleId: r.id,
          name: r.name,
          hits: s.hits,
          hitRate: declarations ? s.hits / declarations : 0,
          findings: findings ? s.findings : null,
          precision: findings && s.hits ? s.findings / s.hits : null,
        };
      }),
      findings: findings ? { known: findingsSeen, selected: findingsSelected, recall: findingsSeen ? findingsSelected / findingsSeen : 0 } : null,
      ms: Date.now() - started,
    };
    await this.db.write((c) =>
      c.exec(`UPDATE risk_ruleset SET backtest = $3, tested_at = $4, status = CASE WHEN status = 'draft' THEN 'tested' ELSE status END WHERE id = $1 AND version = $2`, [
        id,
        version,
        JSON.stringify(result),
        new Date().toISOString(),
      ]),
    );
    return result;
  }

  private itemOf(r: Record<string, unknown>, needs: { of: HistoryKind; windowDays: number }[]): EvalItem {
    const qty = Number(r['qty1']);
    const fields: EvalItem['fields'] = {
      entry_id: r['entry_id'] as string,
      ie_flag: r['ie_flag'] as string,
      d_date: r['d_date'] as string,
      customs_code: r['customs_code'] as string,
      i_e_port: r['i_e_port'] as string,
      trade_mode: r['trade_mode'] as string,
      traf_mode: r['traf_mode'] as string,
      trade_co_customs: r['trade_co_customs'] as string,
      trade_co_uscc: r['trade_co_uscc'] as string,
      trade_country: r['trade_country'] as string,
      g_no: Number(r['g_no']),
      hs_code: r['hs_code'] as string,
      hs_chapter: r['hs_chapter'] as string,
      hs_heading: r['hs_heading'] as string,
      origin_country: r['origin_country'] as string,
      dest_country: r['dest_country'] as string,
      country: r['country'] as string,
      qty1: qty,
      unit1: r['unit1'] as string,
      value_cny: Number(r['value_cny']),
      value_usd: Number(r['value_usd']),
      unit_price: qty > 0 ? Number(r['value_cny']) / qty : null,
      items_in_declaration: Number(r['n_items'] ?? 1),
      'enterprise.credit_rating': (r['credit_rating'] as string | null) ?? null,
      'enterprise.aeo': (r['aeo'] as boolean | null) ?? null,
      'enterprise.ent_type': (r['e_ent_type'] as string | null) ?? null,
      'enterprise.region': (r['e_region'] as string | null) ?? null,
      'enterprise.registered': (r['registered'] as string | null) ?? null,
      'enterprise.name': (r['e_name'] as string | null) ?? null,
    };
    const history: Record<string, number> = {};
    for (const n of needs) history[historyKey(n.of, n.windowDays)] = Number(r[`h_${historyKey(n.of, n.windowDays)}`] ?? 0);
    return { fields, priceZ: r['price_z'] === null || r['price_z'] === undefined ? null : Number(r['price_z']), priceRef: (r['price_ref'] as number | null) ?? null, history };
  }

  /**
   * Evaluates a declaration with the active version of `rulesetId` (or a given version, as a dry
   * run) and records the decision.
   */
  async evaluate(input: unknown, opts: { rulesetId?: string; version?: number; record?: boolean } = {}): Promise<Decision & { rulesetId: string; version: number }> {
    const parsed = DeclarationSchema.safeParse(input);
    if (!parsed.success) throw new QuaysideError('CLOUD_BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const decl = parsed.data;
    const id = opts.rulesetId ?? 'default';
    const stored = opts.version ? await this.get(id, opts.version) : await this.active(id);
    if (!stored) throw new QuaysideError('CLOUD_NOT_FOUND', `rule set ${id} has no active version (back-test and activate one first)`);
    const rs = stored.body;
    const ent = (await this.db.query('SELECT * FROM enterprise WHERE uscc = $1', [decl.trade_co_uscc]))[0];
    const needs = historyNeeds(rs);
    const items: EvalItem[] = [];
    for (const it of decl.items) {
      const country = decl.ie_flag === 'I' ? it.origin_country : it.dest_country;
      const ref = (
        await this.db.query<{ med: number | null; mad: number | null; n: number }>(
          `WITH x AS (SELECT ln(value_cny::DOUBLE / qty1) AS lp FROM decl_item WHERE ie_flag = $1 AND hs_code = $2 AND country = $3 AND d_date BETWEEN ($4::DATE - INTERVAL 730 DAYS) AND $4::DATE)
           SELECT median(lp) AS med, (SELECT median(abs(lp - (SELECT median(lp) FROM x))) FROM x) AS mad, count(*) AS n FROM x`,
          [decl.ie_flag, it.hs_code, country, decl.d_date],
        )
      )[0];
      const unitPrice = it.value_cny / it.qty1;
      const priceZ = ref && ref.n >= 20 && ref.med !== null ? (Math.log(unitPrice) - ref.med) / Math.max(1.4826 * (ref.mad ?? 0), 0.05) : null;
      const history: Record<string, number> = {};
      for (const n of needs) {
        const cond = HISTORY_PARTITION[n.of]
          .split(', ')
          .map((col, k) => `${col} = $${k + 3}`)
          .join(' AND ');
        const vals: SqlParam[] = [decl.d_date, n.windowDays, decl.trade_co_uscc];
        if (n.of === 'enterprise_hs' || n.of === 'enterprise_hs_country') vals.push(it.hs_code);
        if (n.of === 'enterprise_country' || n.of === 'enterprise_hs_country') vals.push(country);
        history[historyKey(n.of, n.windowDays)] = Number(
          (await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM decl_item WHERE ${cond} AND d_date BETWEEN ($1::DATE - to_days($2::INTEGER)) AND ($1::DATE - INTERVAL 1 DAYS)`, vals))[0]!.n,
        );
      }
      items.push({
        fields: {
          entry_id: decl.entry_id,
          ie_flag: decl.ie_flag,
          d_date: decl.d_date,
          customs_code: decl.customs_code,
          i_e_port: decl.i_e_port,
          trade_mode: decl.trade_mode,
          traf_mode: decl.traf_mode,
          trade_co_customs: decl.trade_co_customs,
          trade_co_uscc: decl.trade_co_uscc,
          trade_country: decl.trade_country,
          g_no: it.g_no,
          hs_code: it.hs_code,
          hs_chapter: it.hs_code.slice(0, 2),
          hs_heading: it.hs_code.slice(0, 4),
          origin_country: it.origin_country,
          dest_country: it.dest_country,
          country,
          qty1: it.qty1,
          unit1: it.unit1,
          value_cny: it.value_cny,
          value_usd: it.value_usd,
          unit_price: unitPrice,
          items_in_declaration: decl.items.length,
          'enterprise.credit_rating': (ent?.['credit_rating'] as string | undefined) ?? null,
          'enterprise.aeo': (ent?.['aeo'] as boolean | undefined) ?? null,
          'enterprise.ent_type': (ent?.['ent_type'] as string | undefined) ?? null,
          'enterprise.region': (ent?.['region'] as string | undefined) ?? null,
          'enterprise.registered': (ent?.['registered'] as string | undefined) ?? null,
          'enterprise.name': (ent?.['name'] as string | undefined) ?? null,
        },
        priceZ,
        priceRef: ref?.med !== null && ref?.med !== undefined ? Math.exp(ref.med) : null,
        history,
      });
    }
    const d = evaluateDeclaration(rs, decl.entry_id, items);
    if (opts.record !== false) {
      await this.db.write((c) =>
        c.exec(`INSERT INTO risk_decision VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [decl.entry_id, id, stored.version, d.lane, d.score, d.random.draw, JSON.stringify(d), new Date().toISOString()]),
      );
    }
    return { ...d, rulesetId: id, version: stored.version };
  }
}
