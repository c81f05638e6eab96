// InfluxDB line protocol: escaping per the spec, the point layout, and points no adapter can store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePoint, escapeMeasurement, escapeStringField, escapeTag, formatFloat, influxqlIdent, influxqlString } from '../../../cloud/timeseries/line-protocol.js';
import { pointProblem, type SeriesPoint } from '../../../cloud/timeseries/port.js';

const p: SeriesPoint = { gw: 'quay-3', device: 'density-1', point: 'density', ts: 1_700_000_000_123, value: 1.025, unit: 'g/cm3', quality: 'good' };

test('escaping: measurement, tags/field keys, string fields', () => {
  assert.equal(escapeMeasurement('my reading,x'), 'my\\ reading\\,x');
  assert.equal(escapeMeasurement('a=b'), 'a=b');
  assert.equal(escapeTag('a b,c=d'), 'a\\ b\\,c\\=d');
  assert.equal(escapeTag('温度'), '温度');
  assert.equal(escapeStringField('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
  assert.equal(escapeStringField('a,b=c d'), '"a,b=c d"');
});

test('floats are plain decimal or exponent; -0 is 0; NaN and Infinity are refused', () => {
  assert.equal(formatFloat(1), '1');
  assert.equal(formatFloat(-2.5), '-2.5');
  assert.equal(formatFloat(1e21), '1e+21');
  assert.equal(formatFloat(-0), '0');
  assert.throws(() => formatFloat(Number.NaN));
  assert.throws(() => formatFloat(Number.POSITIVE_INFINITY));
});

test('a numeric reading: tags sorted, value float, ms timestamp', () => {
  assert.equal(encodePoint('reading', p), 'reading,device=density-1,gw=quay-3,point=density,quality=good,unit=g/cm3 value=1.025 1700000000123');
});

test('text, boolean, null and not-good readings', () => {
  assert.equal(encodePoint('reading', { ...p, value: 'OPEN', unit: '' }), 'reading,device=density-1,gw=quay-3,point=density,quality=good text="OPEN" 1700000000123');
  assert.equal(encodePoint('reading', { ...p, value: true }), 'reading,device=density-1,gw=quay-3,point=density,quality=good,unit=g/cm3 value=1 1700000000123');
  assert.equal(
    encodePoint('reading', { ...p, value: null, quality: 'bad', reason: 'timeout', detail: 'no answer "300 ms"' }),
    'reading,device=density-1,gw=quay-3,point=density,quality=bad,unit=g/cm3 missing=true,reason="timeout",detail="no answer \\"300 ms\\"" 1700000000123',
  );
});

test('tag values with spaces, commas and equals signs are escaped', () => {
  assert.equal(
    encodePoint('reading', { ...p, device: 'tank 1,a', point: 'level=x' }),
    'reading,device=tank\\ 1\\,a,gw=quay-3,point=level\\=x,quality=good,unit=g/cm3 value=1.025 1700000000123',
  );
});

test('points no adapter can store', () => {
  assert.equal(pointProblem(p), null);
  assert.equal(pointProblem({ ...p, unit: '' }), null);
  assert.match(pointProblem({ ...p, device: 'a\nb' }) ?? '', /line break/);
  assert.match(pointProblem({ ...p, point: 'x\\' }) ?? '', /backslash/);
  assert.match(pointProblem({ ...p, ts: 1.5 }) ?? '', /ts/);
  assert.match(pointProblem({ ...p, value: Number.NaN }) ?? '', /finite/);
});

test('InfluxQL literals', () => {
  assert.equal(influxqlString("it's \\ here"), "'it\\'s \\\\ here'");
  assert.equal(influxqlIdent('a"b'), '"a\\"b"');
});
