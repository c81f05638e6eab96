/** The pipeline executor's steps, the coercions and the definition schemas, without a store. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorDefinition, DatasetDefinition } from '../../../cloud/platform/definitions.js';
import { coerce, PipelineDefinition, runPipeline, type MasterLookup, type SourceRow } from '../../../cloud/platform/pipeline.js';
import { globMatch, toCsv } from '../../../cloud/platform/connectors/files.js';
import { maxCursor } from '../../../cloud/platform/connectors/types.js';
import { backoffDelay } from '../../../cloud/platform/scheduler.js';

const noMaster: MasterLookup = () => {
  throw new Error('no enrich step in this pipeline');
};
const rows = (...data: Record<string, unknown>[]): SourceRow[] => data.map((d, i) => ({ ref: `r${i + 1}`, data: d }));

const flows = DatasetDefinition.parse({
  name: 'flows',
  title: 'flows',
  owner: 'o',
  fields: [
    { name: 'country', type: 'text' },
    { name: 'mode', type: 'text' },
    { name: 'n', type: 'integer' },
    { name: 'total', type: 'number' },
    { name: 'avg', type: 'number' },
    { name: 'max', type: 'number' },
  ],
  key: ['country', 'mode'],
});

describe('pipeline steps', () => {
  it('aggregates groups with count, sum, avg and max, skipping empty values', async () => {
    const def = PipelineDefinition.parse({
      id: 'agg',
      name: 'agg',
      steps: [
        { op: 'parse', fields: { v: 'number' } },
        { op: 'aggregate', groupBy: ['country', 'mode'], measures: { n: { fn: 'count' }, total: { fn: 'sum', field: 'v' }, avg: { fn: 'avg', field: 'v' }, max: { fn: 'max', field: 'v' } } },
      ],
    });
    const r = await runPipeline(def, rows({ country: 'USA', mode: '0110', v: '10' }, { country: 'USA', mode: '0110', v: '30' }, { country: 'USA', mode: '0110', v: '' }, { country: 'JPN', mode: '1233', v: '5' }), flows, noMaster);
    assert.deepEqual(r.rejects, []);
    assert.deepEqual(
      r.rows.map((x) => x.data),
      [
        { country: 'USA', mode: '0110', n: 3, total: 40, avg: 20, max: 30 },
        { country: 'JPN', mode: '1233', n: 1, total: 5, avg: 5, max: 5 },
      ],
    );
  });

  it('dedupes keeping the last row when asked, and rejects the earlier one with the later ref', async () => {
    const def = PipelineDefinition.parse({ id: 'd', name: 'd', steps: [{ op: 'dedupe', key: ['country', 'mode'], keep: 'last' }] });
    const r = await runPipeline(def, rows({ country: 'USA', mode: '0110', total: 1 }, { country: 'USA', mode: '0110', total: 2 }), flows, noMaster);
    assert.deepEqual(
      r.rows.map((x) => x.data['total']),
      [2],
    );
    assert.deepEqual([r.rejects[0]!.ref, r.rejects[0]!.reason, r.rejects[0]!.detail], ['r1', 'duplicate', 'same country, mode as r2']);
  });

  it('converts codes, with unknown codes rejected, nulled or kept as declared', async () => {
    const mk = (onUnknown: string) => PipelineDefinition.parse({ id: 'c', name: 'c', steps: [{ op: 'convert', field: 'country', table: 'country', from: 'numeric', to: 'code', onUnknown }] });
    const input = rows({ country: '840', mode: 'a' }, { country: '000', mode: 'b' });
    const rej = await runPipeline(mk('reject'), input, flows, noMaster);
    assert.deepEqual(rej.rows.map((x) => x.data['country']), ['USA']);
    assert.deepEqual([rej.rejects[0]!.reason, rej.rejects[0]!.field, rej.rejects[0]!.step], ['unknown_code', 'country', 0]);
    assert.deepEqual((await runPipeline(mk('null'), input, { ...flows, key: ['mode'] }, noMaster)).rows.map((x) => x.data['country']), ['USA', null]);
    assert.deepEqual((await runPipeline(mk('keep'), input, flows, noMaster)).rows.map((x) => x.data['country']), ['USA', '000']);
  });

  it('checks the data set schema last: types and key fields', async () => {
    const r = await runPipeline(null, rows({ country: 'USA', mode: '0110', n: '2.5' }, { country: 'USA', mode: null }, { country: 'CHN', mode: '0110', n: '7', extra: 'dropped' }), flows, noMaster);
    assert.deepEqual(
      r.rejects.map((x) => [x.ref, x.op, x.reason, x.field]),
      [
        ['r1', 'schema', 'bad_type', 'n'],
        ['r2', 'schema', 'missing_field', 'mode'],
      ],
    );
    assert.deepEqual(r.rows[0]!.data, { country: 'CHN', mode: '0110', n: 7, total: null, avg: null, max: null });
  });

  it('refuses pipelines naming unknown code tables or bad patterns', () => {
    assert.equal(PipelineDefinition.safeParse({ id: 'x', name: 'x', steps: [{ op: 'convert', field: 'a', table: 'planets' }] }).success, false);
    assert.equal(PipelineDefinition.safeParse({ id: 'x', name: 'x', steps: [{ op: 'validate', checks: [{ field: 'a', pattern: '(' }] }] }).success, false);
    assert.equal(PipelineDefinition.safeParse({ id: 'x', name: 'x', steps: [{ op: 'aggregate', groupBy: ['a'], measures: { s: { fn: 'sum' } } }] }).success, false);
  });
});

describe('coercion', () => {
  it('reads numbers, booleans and times (bare dates in China Standard Time)', () => {
    assert.deepEqual(coerce(' 12.50 ', 'number'), { ok: true, value: 12.5 });
    assert.equal(coerce('1,000', 'number').ok, false);
    assert.equal(coerce('3.2', 'integer').ok, false);
    assert.deepEqual(coerce('是', 'boolean'), { ok: true, value: true });
    assert.deepEqual(coerce('2026-03-01', 'timestamp'), { ok: true, value: Date.parse('2026-02-28T16:00:00Z') });
    assert.deepEqual(coerce('2026-03-01T08:30:00Z', 'timestamp'), { ok: true, value: Date.parse('2026-03-01T08:30:00Z') });
    assert.deepEqual(coerce('', 'integer'), { ok: true, value: null });
    assert.deepEqual(coerce({ a: 1 }, 'text'), { ok: true, value: '{"a":1}' });
  });
});

describe('definitions', () => {
  const base = { id: 'c1', name: 'c', target: { dataset: 'd' } };
  it('takes credentials only by reference and endpoints without passwords', () => {
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'http-json', url: 'https://api.example.cn/v1', auth: { type: 'bearer', token: { env: 'API_TOKEN' } } } }).success, true);
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'http-json', url: 'https://api.example.cn/v1', auth: { type: 'bearer', token: 'abc' } } }).success, false);
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'mqtt', url: 'mqtt://u:p@127.0.0.1:1883', topics: ['a'], windowMs: 100 } }).success, false);
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'sftp', host: 'h', username: 'u', remoteDir: '/' } }).success, false);
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'sftp', host: 'h', username: 'u', remoteDir: '/', password: { secret: 'sftp-pw' } } }).success, true);
    assert.equal(ConnectorDefinition.safeParse({ ...base, source: { kind: 'postgres', url: 'postgres://db/erp', table: 'x; drop table y', watermark: 'w' } }).success, false);
    const influx = (query: string) => ConnectorDefinition.safeParse({ ...base, source: { kind: 'influx', url: 'http://127.0.0.1:8086', db: 'qs', query } }).success;
    assert.equal(influx('SELECT value FROM density WHERE time > $cursor'), true);
    assert.equal(influx('DROP DATABASE qs'), false);
    assert.equal(influx('SELECT * FROM a; DROP DATABASE qs'), false);
  });

  it('fills defaults: manual schedule, three attempts with doubling back-off', () => {
    const d = ConnectorDefinition.parse({ ...base, source: { kind: 'file-inbox', dir: 'in' } });
    assert.deepEqual(d.schedule, { type: 'manual' });
    assert.deepEqual(d.retry, { attempts: 3, backoffMs: 2000, maxBackoffMs: 300_000 });
    assert.deepEqual([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 2000, 10_000)), [2000, 4000, 8000, 10_000, 10_000]);
  });

  it('checks that keys and rules name declared fields', () => {
    const ds = { name: 'd', title: 'd', owner: 'o', fields: [{ name: 'a', type: 'text' }] };
    assert.equal(DatasetDefinition.safeParse({ ...ds, key: ['b'] }).success, false);
    assert.equal(DatasetDefinition.safeParse({ ...ds, key: ['a'], quality: { rules: [{ id: 'r', check: 'not_null', field: 'zz' }] } }).success, false);
    assert.equal(DatasetDefinition.safeParse({ ...ds, key: ['a'], quality: { rules: [{ id: 'r', check: 'not_null', field: 'a' }, { id: 'r', check: 'accessible' }] } }).success, false);
    const ok = DatasetDefinition.parse({ ...ds, key: ['a'], quality: { rules: [{ id: 'r', check: 'uscc', field: 'a' }] } });
    assert.equal(ok.quality.rules[0]!.indicator, 'normativity');
  });
});

describe('connector helpers', () => {
  it('matches globs, writes RFC 4180 CSV and keeps the larger cursor', () => {
    assert.equal(globMatch('decl_*.csv', 'decl_2026.csv'), true);
    assert.equal(globMatch('decl_*.csv', 'decl_2026.csv.bak'), false);
    assert.equal(globMatch('a?.json', 'a1.json'), true);
    assert.equal(toCsv(['a', 'b'], [{ a: 'x,y', b: 'say "hi"' }, { a: null, b: 3 }]), 'a,b\r\n"x,y","say ""hi"""\r\n,3\r\n');
    assert.equal(maxCursor('9', 10), '10');
    assert.equal(maxCursor('2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z'), '2026-03-01T00:00:00Z');
    assert.equal(maxCursor(null, undefined), null);
  });
});
