import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AlarmEvaluator } from '../../../edge/devices/alarms.js';
import type { PointSample } from '../../../edge/devices/types.js';
import { modbusProfile } from './fakes.js';

const label = { zh: 'x', en: 'x' };
const profile = modbusProfile({
  points: [
    { name: 'trim', label, unit: 'm', table: 'input', address: 0, type: 'int16', scale: 0.001 },
    { name: 'fault', label, unit: '', table: 'input', address: 1, type: 'bool', bit: 0 },
  ],
  alarms: [
    { point: 'trim', above: 4, hysteresis: 0.1, severity: 'warning', message: { zh: '艉倾', en: 'trim by the stern' } },
    { point: 'trim', below: -2, hysteresis: 0.1, severity: 'warning', message: { zh: '艏倾', en: 'trim by the head' } },
    { point: 'fault', above: 0.5, severity: 'critical', message: { zh: '故障', en: 'fault' } },
  ],
});

const s = (point: string, value: PointSample['value'], quality: PointSample['quality'] = 'good'): PointSample =>
  quality === 'good' ? { point, ts: 1, value, quality } : { point, ts: 1, value, quality, reason: 'timeout' };

function run(a: AlarmEvaluator, point: string, values: number[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const t of a.evaluate(s(point, v)) ?? []) out.push(`${t.action}:${t.side}@${v}`);
  return out;
}

describe('alarms with hysteresis', () => {
  it('raises above the limit, clears only at limit − hysteresis', () => {
    const a = new AlarmEvaluator(profile);
    assert.deepEqual(run(a, 'trim', [3.9, 4.0, 4.05, 3.95, 4.2, 3.91, 3.9, 3.8]), ['raised:above@4.05', 'cleared:above@3.9']);
  });

  it('mirrors for "below" and does not chatter around the limit', () => {
    const a = new AlarmEvaluator(profile);
    assert.deepEqual(run(a, 'trim', [-1.9, -2.01, -1.95, -2.05, -1.91, -1.9]), ['raised:below@-2.01', 'cleared:below@-1.9']);
  });

  it('treats booleans as 1/0', () => {
    const a = new AlarmEvaluator(profile);
    const out: string[] = [];
    for (const v of [false, true, true, false]) for (const t of a.evaluate(s('fault', v)) ?? []) out.push(`${t.action}:${t.alarm.severity}`);
    assert.deepEqual(out, ['raised:critical', 'cleared:critical']);
  });

  it('bad samples leave alarms as they are; active() lists raised alarms', () => {
    const a = new AlarmEvaluator(profile);
    run(a, 'trim', [5]);
    assert.equal(a.evaluate(s('trim', null, 'bad')), undefined);
    assert.deepEqual(a.active().map((x) => `${x.alarm.point}:${x.side}`), ['trim:above']);
  });
});
