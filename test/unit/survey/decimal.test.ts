import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exactDiff, exactMean, exactNeg, exactShift, exactSum, fromDecimal, toDecimal } from '../../../shared/survey/index.js';

describe('exact decimal arithmetic on printed values', () => {
  test('parses shortest representations, exponents included', () => {
    assert.deepEqual(toDecimal(13.97965), { units: 1397965n, scale: 5 });
    assert.deepEqual(toDecimal(-0.02), { units: -2n, scale: 2 });
    assert.deepEqual(toDecimal(1.5e-7), { units: 15n, scale: 8 });
    assert.deepEqual(toDecimal(1e21), { units: 10n ** 21n, scale: 0 });
    assert.deepEqual(toDecimal(-0), { units: 0n, scale: 0 });
    assert.throws(() => toDecimal(Number.NaN), RangeError);
  });

  test('round-trips', () => {
    for (const x of [0, 1, -1, 0.1, 13.97965, -0.0021223886115733035, 123456.789, 5e-324, 1.7976931348623157e308]) {
      assert.equal(fromDecimal(toDecimal(x)), x);
    }
  });

  test('sums and differences print as on paper where doubles do not', () => {
    assert.equal(0.1 + 0.2, 0.30000000000000004);
    assert.equal(exactSum(0.1, 0.2), 0.3);
    assert.notEqual(9.877 - 9.876, 0.001);
    assert.equal(exactDiff(9.877, 9.876), 0.001);
    assert.equal(exactSum(12152.9, 10.78, 7.615), 12171.295);
    assert.equal(exactSum(), 0);
  });

  test('means, shifts and negation are exact', () => {
    assert.equal((5.012 + 5.013) / 2, 5.012499999999999);
    assert.equal(exactMean(5.012, 5.013), 5.0125);
    assert.equal(exactMean(5.002, 5.003), 5.0025);
    assert.equal(exactMean(5, 5.001), 5.0005);
    assert.equal(exactShift(-0.0285, 2), -2.85);
    assert.equal(exactShift(2.85, -2), 0.0285);
    assert.equal(exactNeg(2.85), -2.85);
    assert.ok(Object.is(exactNeg(0), 0));
  });
});
