import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QualityChecker } from '../../../edge/devices/quality.js';
import type { PointSample } from '../../../edge/devices/types.js';
import { modbusProfile } from './fakes.js';

const label = { zh: 'x', en: 'x' };
const profile = modbusProfile({
  points: [
    { name: 'level', label, unit: 'm', table: 'input', address: 0, type: 'uint16', range: { min: 0, max: 20 }, stuckAfterS: 10 },
    { name: 'temp', label, unit: 'degC', table: 'input', address: 1, type: 'int16' },
    { name: 'flag', label, unit: '', table: 'coil', address: 0, type: 'bool', stuckAfterS: 5 },
  ],
});

const sample = (point: string, ts: number, value: PointSample['value']): PointSample => ({ point, ts, value, quality: 'good' });

describe('quality: stuck values', () => {
  it('flags a value unchanged for stuckAfterS as uncertain/stale, and clears when it moves', () => {
    const q = new QualityChecker(profile);
    for (let t = 0; t < 10_000; t += 1000) assert.equal(q.apply(sample('level', t, 5)).quality, 'good', `t=${t}`);
    const stuck = q.apply(sample('level', 10_000, 5));
    assert.equal(stuck.quality, 'uncertain');
    assert.equal(stuck.reason, 'stale');
    assert.match(stuck.detail!, /unchanged for 10 s/);
    assert.equal(q.apply(sample('level', 11_000, 5)).quality, 'uncertain');
    assert.equal(q.apply(sample('level', 12_000, 5.001)).quality, 'good');
    assert.equal(q.apply(sample('level', 13_000, 5.001)).quality, 'good', 'the clock restarts on change');
  });

  it('ignores bad samples (a dropout does not reset or trigger the stuck timer)', () => {
    const q = new QualityChecker(profile);
    q.apply(sample('level', 0, 5));
    const bad: PointSample = { point: 'level', ts: 6000, value: null, quality: 'bad', reason: 'timeout' };
    assert.equal(q.apply(bad).reason, 'timeout');
    assert.equal(q.apply(sample('level', 11_000, 5)).reason, 'stale');
  });

  it('works on booleans; points without stuckAfterS are never stale', () => {
    const q = new QualityChecker(profile);
    q.apply(sample('flag', 0, true));
    assert.equal(q.apply(sample('flag', 5000, true)).reason, 'stale');
    q.apply(sample('temp', 0, 20));
    assert.equal(q.apply(sample('temp', 1e9, 20)).quality, 'good');
  });

  it('marks a good value outside the range bad/out_of_range', () => {
    const q = new QualityChecker(profile);
    const s = q.apply(sample('level', 0, 25));
    assert.equal(s.quality, 'bad');
    assert.equal(s.reason, 'out_of_range');
    assert.equal(q.apply(sample('level', 0, 20)).quality, 'good', 'limits are inclusive');
  });
});
