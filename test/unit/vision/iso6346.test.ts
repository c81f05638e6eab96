import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDigit, isValidContainerNumber, repairContainerNumber } from '../../../shared/ids/iso6346.js';

test('check digit: published examples and letter values skipping multiples of 11', () => {
  assert.equal(checkDigit('CSQU305438'), 3);
  assert.equal(checkDigit('MSKU907032'), 3);
  assert.equal(checkDigit('APZU378987'), 0);
  assert.equal(isValidContainerNumber('CSQU3054383'), true);
  assert.equal(isValidContainerNumber('CSQU3054384'), false);
  assert.equal(isValidContainerNumber('CSQX3054383'), false, 'category must be U, J or Z');
  // remainder 10 maps to 0
  for (const n of ['FANU1869720', 'EGHU3926770', 'GCXU5907050', 'BMOU1666400']) assert.equal(isValidContainerNumber(n), true, n);
});

test('repair: letters in the first four, digits in the last seven, chosen by the check digit', () => {
  const cases: [string, string, number][] = [
    ['BM0U1666400', 'BMOU1666400', 1], // 0 → O in the owner code
    ['FANU186972O', 'FANU1869720', 1], // O → 0 in the check digit
    ['HASU428733B', 'HASU4287338', 1], // B → 8
    ['CR5U1S37222', 'CRSU1537222', 2], // 5 → S and S → 5
    ['SEGU53O6693', 'SEGU5306693', 1],
    ['DRYU9269143', 'DRYU9269143', 0],
  ];
  for (const [raw, want, n] of cases) {
    const r = repairContainerNumber(raw);
    assert.equal(r.valid, true, raw);
    assert.equal(r.value, want, raw);
    assert.equal(r.repaired, n > 0, raw);
    assert.equal(r.changes.length, n, raw);
  }
  const c = repairContainerNumber('BM0U1666400');
  assert.deepEqual(c.changes, [{ index: 2, from: '0', to: 'O' }]);
});

test('repair refuses what the check digit cannot settle', () => {
  assert.equal(repairContainerNumber('CSQU3054384').valid, false);
  assert.equal(repairContainerNumber('CSQU30543').valid, false, 'too short');
  assert.equal(repairContainerNumber('').candidates, 0);
});
