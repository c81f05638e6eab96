/** The statistics query spec: zod validation (injection attempts rejected), compilation to parameterised SQL, cube choice, drill-down. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSource, compileQuery, drillDown, QuerySpecSchema, ymAdd } from '../../../cloud/trade/stats.js';

const range = { minYm: 202301, maxYm: 202512 };
const cubes = new Map([['agg_chapter_country', 100], ['agg_mode', 200], ['agg_hs_country', 400], ['agg_cube', 900], ['agg_enterprise', 300]]);
const ok = (x: unknown) => QuerySpecSchema.safeParse(x).success;

describe('query spec validation', () => {
  it('accepts a full spec and fills defaults', () => {
    const s = QuerySpecSchema.parse({ dims: ['month', 'hs_chapter'], filters: { country: ['USA', 'JPN'] }, compare: 'yoy', share: true, topN: { n: 5, by: 'value_usd_total' } });
    assert.deepEqual(s.measures, ['value_usd']);
    assert.deepEqual(s.flows, ['import', 'export', 'total', 'balance']);
    assert.equal(s.limit, 10000);
  });

  it('rejects injection attempts in every place a name or value can go', () => {
    assert.equal(ok({ dims: ['month; DROP TABLE decl_item'] }), false);
    assert.equal(ok({ dims: ['hs_chapter"'] }), false);
    assert.equal(ok({ measures: ['value_usd) FROM enterprise --'] }), false);
    assert.equal(ok({ filters: { country: ["USA') OR 1=1 --"] } }), false);
    assert.equal(ok({ filters: { hs_chapter: ['85 OR 1=1'] } }), false);
    assert.equal(ok({ filters: { 'country; DELETE': ['USA'] } }), false, 'unknown filter keys are refused');
    assert.equal(ok({ filters: { month: ['2025-01'] } }), false, 'time is filtered through the period');
    assert.equal(ok({ period: { from: "2025-01' --", to: '2025-12' } }), false);
    assert.equal(ok({ topN: { n: 5, by: 'value_usd_total DESC; DROP TABLE x' } }), false);
    assert.equal(ok({ orderBy: { column: '1; select', dir: 'asc' } }), false);
    assert.equal(ok({ limit: '10; --' }), false);
    assert.equal(ok({ extra: 1 }), false, 'unknown top-level keys are refused');
  });

  it('rejects inconsistent specs', () => {
    assert.equal(ok({ dims: ['year', 'month'] }), false);
    assert.equal(ok({ dims: ['year'], compare: 'mom' }), false);
    assert.equal(ok({ dims: ['month'], cumulative: true, compare: 'mom' }), false);
    assert.equal(ok({ period: { from: '2025-06', to: '2025-01' } }), false);
    assert.equal(ok({ dims: ['country', 'country'] }), false);
  });
});

describe('compilation', () => {
  it('binds every value as a parameter', () => {
    const spec = QuerySpecSchema.parse({ dims: ['month', 'country'], filters: { hs_chapter: ['85'], country: ['USA', 'KOR'] }, compare: 'yoy', period: { from: '2025-01', to: '2025-06' } });
    const c = compileQuery(spec, range, cubes);
    for (const v of ["'85'", "'USA'", "'KOR'", '202501', '202506']) assert.equal(c.sql.includes(v), false, `${v} inlined`);
    for (const v of ['85', 'USA', 'KOR', 202501, 202506, 202401]) assert.ok(c.params.includes(v), `${v} not bound`);
    assert.equal(c.source, 'agg_chapter_country');
    assert.deepEqual(c.columns.slice(0, 3).map((x) => x.name), ['month', 'country', 'country_name']);
    assert.ok(c.columns.some((x) => x.name === 'value_usd_total_yoy' && x.kind === 'growth'));
    assert.ok(c.columns.some((x) => x.name === 'value_usd_total_contrib'));
  });

  it('answers from the smallest covering cube, or the fact table', () => {
    const src = (x: unknown) => chooseSource(QuerySpecSchema.parse(x), cubes).table;
    assert.equal(src({ dims: ['hs_chapter'] }), 'agg_chapter_country');
    assert.equal(src({ dims: ['trade_mode_group', 'district'] }), 'agg_mode');
    assert.equal(src({ dims: ['hs_heading', 'trade_mode'] }), 'agg_hs_country');
    assert.equal(src({ dims: ['hs_heading', 'district'] }), 'agg_cube');
    assert.equal(src({ dims: ['enterprise'] }), 'agg_enterprise');
    assert.equal(src({ dims: ['enterprise'], measures: ['declarations', 'enterprises'] }), 'agg_enterprise');
    assert.equal(src({ dims: ['ent_type_group'], measures: ['enterprises'] }), 'agg_enterprise');
    assert.equal(src({ dims: ['hs_chapter'], measures: ['declarations'] }), 'decl_item');
    assert.equal(src({ dims: ['enterprise'], filters: { hs_chapter: ['85'] } }), 'decl_item');
    assert.equal(src({ dims: ['hs_chapter'], source: 'facts' }), 'decl_item');
    assert.equal(src({ filters: { traf_mode: ['5'] } }), 'decl_item');
  });

  it('rejects unknown top-N and order columns at compile time', () => {
    assert.throws(() => compileQuery(QuerySpecSchema.parse({ dims: ['country'], topN: { n: 3, by: 'value_cny_total' } }), range, cubes), /topN\.by must be one of/);
    assert.throws(() => compileQuery(QuerySpecSchema.parse({ dims: ['country'], orderBy: { column: 'nope', dir: 'asc' } }), range, cubes), /orderBy\.column/);
  });

  it('month arithmetic', () => {
    assert.equal(ymAdd(202501, -1), 202412);
    assert.equal(ymAdd(202512, 1), 202601);
    assert.equal(ymAdd(202503, -27), 202212);
  });
});

describe('drill-down', () => {
  it('goes from a total to its parts', () => {
    const s = QuerySpecSchema.parse({ dims: ['hs_chapter'], period: { from: '2025-01', to: '2025-12' } });
    const d = drillDown(s, 'hs_chapter', '85');
    assert.deepEqual(d.dims, ['hs_heading']);
    assert.deepEqual(d.filters.hs_chapter, ['85']);
    const y = drillDown(QuerySpecSchema.parse({ dims: ['year'] }), 'year', '2024');
    assert.deepEqual(y.dims, ['quarter']);
    assert.deepEqual(y.period, { from: '2024-01', to: '2024-12' });
    const q = drillDown(QuerySpecSchema.parse({ dims: ['quarter'] }), 'quarter', '2024Q3');
    assert.deepEqual(q.period, { from: '2024-07', to: '2024-09' });
    assert.throws(() => drillDown(s, 'hs_code', '8542310000'), /no finer level/);
  });
});
