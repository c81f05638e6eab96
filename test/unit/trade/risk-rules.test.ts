/** Risk rules as data: every operator, explanations of hits, weights and thresholds, forced lanes, seeded random selection. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateDeclaration, evalCondition, randomDraw, RuleSetSchema, type EvalItem, type RuleSetInput } from '../../../cloud/trade/risk/rules.js';

const item = (over: Record<string, unknown> = {}, ctx: Partial<EvalItem> = {}): EvalItem => ({
  fields: {
    entry_id: '222520251000000102', ie_flag: 'I', d_date: '2025-03-11', trade_mode: '0110', trade_country: 'HKG', trade_co_uscc: '91310115MA1FL2B379',
    g_no: 1, hs_code: '3304990000', hs_chapter: '33', hs_heading: '3304', origin_country: 'FRA', country: 'FRA', qty1: 10, value_cny: 710000, value_usd: 100000,
    unit_price: 71000, 'enterprise.credit_rating': 'REG', 'enterprise.aeo': false, ...over,
  } as EvalItem['fields'],
  priceZ: 0.4,
  priceRef: 60000,
  history: { 'enterprise_hs:365': 3, 'enterprise:365': 40 },
  ...ctx,
});

const base: RuleSetInput = {
  id: 'test',
  name: '测试规则',
  thresholds: { red: 80, yellow: 40 },
  random: { red: 0, yellow: 0, seed: 's1' },
  lists: { sensitive_hs: ['3304', '2402'], hubs: ['HKG', 'SGP'], watch: ['91310115MA1GH7K29B'] },
  rules: [
    { id: 'DIS', name: '失信企业', weight: 60, when: { field: 'enterprise.credit_rating', op: 'eq', value: 'DIS' } },
    { id: 'AEO', name: 'AEO', weight: -30, when: { field: 'enterprise.aeo', op: 'eq', value: true } },
    { id: 'PRICE', name: '价格异常', weight: 50, when: { op: 'price-anomaly', minZ: 3.5 } },
    { id: 'FIRST', name: '首次申报', weight: 20, when: { op: 'history-count', of: 'enterprise_hs', windowDays: 365, max: 0 } },
    { id: 'SENS', name: '敏感商品经中转地', weight: 30, when: { all: [{ field: 'hs_heading', op: 'ref-list', list: 'sensitive_hs' }, { field: 'trade_country', op: 'ref-list', list: 'hubs' }] } },
    { id: 'BIG', name: '大额', weight: 10, when: { field: 'value_usd', op: 'range', min: 50000 } },
    { id: 'EU', name: '欧盟原产(非法国)', weight: 5, when: { all: [{ field: 'origin_country', op: 'in', values: ['DEU', 'FRA', 'ITA'] }, { not: { field: 'origin_country', op: 'eq', value: 'FRA' } }] } },
    { id: 'RX', name: '化妆品编码', weight: 1, when: { any: [{ field: 'hs_code', op: 'regex', pattern: '^3304' }, { field: 'hs_code', op: 'regex', pattern: '^3305' }] } },
    { id: 'WATCH', name: '重点企业', weight: 0, lane: 'red', when: { field: 'trade_co_uscc', op: 'ref-list', list: 'watch' } },
  ],
};
const rs = RuleSetSchema.parse(base);

describe('risk conditions', () => {
  it('evaluates each operator and explains what held', () => {
    const it1 = item();
    const lists = rs.lists;
    assert.deepEqual(evalCondition({ field: 'trade_mode', op: 'eq', value: '0110' }, it1, lists), { ok: true, because: ['trade_mode = 0110'] });
    assert.equal(evalCondition({ field: 'qty1', op: 'eq', value: 10 }, it1, lists).ok, true);
    assert.equal(evalCondition({ field: 'origin_country', op: 'in', values: ['DEU', 'ITA'] }, it1, lists).ok, false);
    assert.equal(evalCondition({ field: 'value_usd', op: 'range', min: 1, max: 100000 }, it1, lists).ok, true);
    assert.equal(evalCondition({ field: 'value_usd', op: 'range', max: 99999.99 }, it1, lists).ok, false);
    assert.equal(evalCondition({ field: 'd_date', op: 'range', min: '2025-01-01', max: '2025-03-31' }, it1, lists).ok, true);
    assert.match(evalCondition({ field: 'hs_code', op: 'regex', pattern: '^33' }, it1, lists).because[0]!, /matches \/\^33\//);
    assert.match(evalCondition({ field: 'hs_heading', op: 'ref-list', list: 'sensitive_hs' }, it1, lists).because[0]!, /on list "sensitive_hs"/);
    const hot = item({}, { priceZ: -4.2, priceRef: 300000 });
    const pa = evalCondition({ op: 'price-anomaly', minZ: 3.5 }, hot, lists);
    assert.ok(pa.ok && /robust z -4\.2/.test(pa.because[0]!));
    assert.equal(evalCondition({ op: 'price-anomaly', minZ: 3.5, direction: 'high' }, hot, lists).ok, false);
    assert.equal(evalCondition({ op: 'price-anomaly', minZ: 3.5 }, item({}, { priceZ: null }), lists).ok, false, 'no reference → no hit');
    assert.equal(evalCondition({ op: 'history-count', of: 'enterprise_hs', windowDays: 365, max: 0 }, item({}, { history: { 'enterprise_hs:365': 0 } }), lists).ok, true);
    assert.equal(evalCondition({ op: 'history-count', of: 'enterprise', windowDays: 365, min: 50 }, it1, lists).ok, false);
  });
});

describe('risk decisions', () => {
  it('sums weights to a lane and explains every hit', () => {
    const d = evaluateDeclaration(rs, '222520251000000102', [item({ 'enterprise.credit_rating': 'DIS' }, { priceZ: 5 }), item({ g_no: 2, hs_code: '8542310000', hs_heading: '8542', value_usd: 10 })]);
    // DIS 60 + PRICE 50 + SENS 30 + BIG 10 + RX 1 = 151 (EU does not hit: origin FRA)
    assert.equal(d.score, 151);
    assert.equal(d.lane, 'red');
    assert.deepEqual(d.hits.map((h) => h.ruleId).sort(), ['BIG', 'DIS', 'PRICE', 'RX', 'SENS']);
    const sens = d.hits.find((h) => h.ruleId === 'SENS')!;
    assert.deepEqual(sens.items, [1]);
    assert.equal(sens.because.length, 2);
    assert.match(d.explanation, /score 151/);
    assert.match(d.explanation, /\[PRICE 价格异常 \+50\] unit price/);
  });

  it('negative weights lower the lane; forced lanes override the score', () => {
    const aeo = evaluateDeclaration(rs, '222520251000000102', [item({ 'enterprise.aeo': true, hs_heading: '8542', hs_code: '8542310000' })]);
    assert.equal(aeo.score, -30 + 10);
    assert.equal(aeo.lane, 'green');
    const watched = evaluateDeclaration(rs, '222520251000000102', [item({ trade_co_uscc: '91310115MA1GH7K29B', hs_heading: '8542', hs_code: '8542310000', value_usd: 1 })]);
    assert.equal(watched.score, 0);
    assert.equal(watched.lane, 'red');
  });

  it('selects at random at the configured rate, reproducibly from the seed', () => {
    const r = RuleSetSchema.parse({ ...base, random: { red: 0.02, yellow: 0.08, seed: 'audit-seed' } });
    const n = 20000;
    const lanes = { red: 0, yellow: 0, green: 0 };
    for (let i = 0; i < n; i++) {
      const id = `2248202500${String(i).padStart(8, '0')}`;
      const d = evaluateDeclaration(r, id, [item({ entry_id: id, hs_heading: '8542', hs_code: '8542310000', value_usd: 1, trade_country: 'USA' })]);
      lanes[d.lane]++;
      assert.equal(d.random.draw, randomDraw('audit-seed', id));
    }
    assert.ok(Math.abs(lanes.red / n - 0.02) < 0.006, `red ${lanes.red / n}`);
    assert.ok(Math.abs(lanes.yellow / n - 0.08) < 0.012, `yellow ${lanes.yellow / n}`);
    assert.notEqual(randomDraw('other-seed', '224820250000000001'), randomDraw('audit-seed', '224820250000000001'));
  });

  it('validates rule sets: unknown fields, lists, bad patterns, duplicate ids, thresholds', () => {
    const bad = (patch: Partial<RuleSetInput>) => RuleSetSchema.safeParse({ ...base, ...patch }).success;
    assert.equal(bad({ rules: [{ id: 'X', name: 'x', weight: 1, when: { field: 'nope' as 'hs_code', op: 'eq', value: 1 } }] }), false);
    assert.equal(bad({ rules: [{ id: 'X', name: 'x', weight: 1, when: { field: 'hs_code', op: 'ref-list', list: 'missing' } }] }), false);
    assert.equal(bad({ rules: [{ id: 'X', name: 'x', weight: 1, when: { field: 'hs_code', op: 'regex', pattern: '([' } }] }), false);
    assert.equal(bad({ rules: [base.rules[0]!, base.rules[0]!] }), false);
    assert.equal(bad({ thresholds: { red: 10, yellow: 40 } }), false);
    assert.equal(bad({ random: { red: 0.7, yellow: 0.5, seed: 'x' } }), false);
    assert.equal(bad({}), true);
  });
});
