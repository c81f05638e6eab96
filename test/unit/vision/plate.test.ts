import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePlate, validatePlate } from '../../../shared/ids/plate.js';

test('plate formats: ordinary, new-energy, special series', () => {
  const ok: [string, string][] = [
    ['皖A195K9', 'ordinary'],
    ['甘K11111', 'ordinary'],
    ['苏ED51712', 'new-energy-small'],
    ['沪AF71017', 'new-energy-small'],
    ['沪A12345D', 'new-energy-large'],
    ['京A1234警', 'special'],
    ['鲁B1234学', 'special'],
    ['苏E1234挂', 'special'],
    ['粤Z1234港', 'cross-border'],
    ['使123456', 'embassy'],
  ];
  for (const [p, kind] of ok) assert.deepEqual(validatePlate(p), { valid: true, kind }, p);
  for (const bad of ['皖AI95K9', '皖AO95K9', '皖1195K9', 'XA12345', '苏EZ51712', '沪A1234', '京A12345警', '']) assert.equal(validatePlate(bad).valid, false, bad);
});

test('normalisation strips separators and fixes impossible letters', () => {
  assert.equal(normalisePlate('皖A·195K9').text, '皖A195K9');
  assert.equal(normalisePlate('皖A 195K9').text, '皖A195K9');
  const r = normalisePlate('皖AO95KI');
  assert.equal(r.text, '皖A095K1');
  assert.deepEqual(r.changes.map((c) => c.index), [2, 6]);
  assert.equal(normalisePlate('粤8A1234').text, '粤BA1234', 'issuing office is a letter');
});
