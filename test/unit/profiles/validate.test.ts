// The profile validator reports each mistake with the path of the field at fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateProfile } from '../../../shared/profile/validate.js';

const root = new URL('../../../', import.meta.url).pathname;
const load = (model: string) => JSON.parse(readFileSync(`${root}firmware-profiles/${model}.json`, 'utf8'));

function errorsOf(input: unknown): { path: string; message: string }[] {
  const r = validateProfile(input);
  assert.equal(r.ok, false, 'expected the profile to be rejected');
  return r.ok ? [] : r.errors;
}

test('overlapping registers are refused with both points named', () => {
  const p = load('qs-sdm-tcp');
  p.points[1].address = 1; // temperature float32 at 1..2 overlaps density at 0..1
  const errs = errorsOf(p);
  assert.ok(errs.some((e) => e.path === 'points[1].address' && /overlaps points\[0\]/.test(e.message)), JSON.stringify(errs));
});

test('two bool points may share a register only on different bits', () => {
  const p = load('qs-dg6-rtu');
  const bits = p.points.filter((x: { type: string }) => x.type === 'bool');
  assert.ok(validateProfile(p).ok);
  bits[1].bit = bits[0].bit;
  const errs = errorsOf(p);
  assert.ok(errs.some((e) => /overlaps/.test(e.message)));
});

test('duplicate point names, unknown alarm points and bad units are each reported', () => {
  const p = load('qs-blm-rtu');
  p.points[1].name = p.points[0].name;
  p.alarms[0].point = 'no_such_point';
  p.points[2].unit = 'furlongs';
  const paths = errorsOf(p).map((e) => e.path);
  assert.ok(paths.includes('points[2].unit'), paths.join());
});

test('cross-field rules: duplicate names and unknown alarm points', () => {
  const p = load('qs-blm-rtu');
  p.points[1].name = p.points[0].name;
  p.alarms[0].point = 'no_such_point';
  const errs = errorsOf(p);
  assert.ok(errs.some((e) => e.path === 'points[1].name' && /duplicate/.test(e.message)));
  assert.ok(errs.some((e) => e.path === 'alarms[0].point'));
});

test('a writable numeric point needs a range, and input registers cannot be written', () => {
  const p = load('qs-led-tcp');
  delete p.points[2].range;
  p.points[3].writable = true;
  const errs = errorsOf(p);
  assert.ok(errs.some((e) => e.path === 'points[2].range'));
  assert.ok(errs.some((e) => e.path === 'points[3].writable'));
});

test('sentence points and commands must reference sentences of the right direction', () => {
  const p = load('qs-qt-serial');
  p.points[0].sentence = 'QSDSP';
  p.commands[0].sentence = 'QSBTN';
  p.points[1].field = 'nope';
  const errs = errorsOf(p);
  assert.ok(errs.some((e) => e.path === 'points[0].sentence' && /output sentence/.test(e.message)));
  assert.ok(errs.some((e) => e.path === 'commands[0].sentence' && /input sentence/.test(e.message)));
  assert.ok(errs.some((e) => e.path === 'points[1].field'));
});

test('schema mistakes carry their path: bad data type, missing transport field, bad model id', () => {
  const p = load('qs-sdm-tcp');
  p.points[0].type = 'float64';
  p.model = 'Bad Model';
  const paths = errorsOf(p).map((e) => e.path);
  assert.ok(paths.some((x) => x.startsWith('points[0]')), paths.join());
  assert.ok(paths.includes('model'), paths.join());
});
