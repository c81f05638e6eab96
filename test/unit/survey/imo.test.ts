import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { imoCheckDigit, isValidImo, parseImo } from '../../../shared/ids/imo.js';

describe('IMO numbers', () => {
  test('check digit: weights 7..2 over the first six digits, last digit of the sum', () => {
    // 9·7 + 0·6 + 7·5 + 4·4 + 7·3 + 2·2 = 139 → 9
    assert.equal(imoCheckDigit('907472'), 9);
    // 9·7 + 6·6 + 1·5 + 2·4 + 3·3 + 4·2 = 129 → 9
    assert.equal(imoCheckDigit('961234'), 9);
    // 1·7 + 0·6 + 0·5 + 0·4 + 0·3 + 0·2 = 7
    assert.equal(imoCheckDigit('100000'), 7);
    assert.throws(() => imoCheckDigit('90747'), RangeError);
  });

  test('accepts the seven digits with or without an "IMO" prefix, or as a number', () => {
    assert.deepEqual(parseImo('9074729'), { ok: true, imo: '9074729' });
    assert.deepEqual(parseImo('IMO 9074729'), { ok: true, imo: '9074729' });
    assert.deepEqual(parseImo(' imo9074729 '), { ok: true, imo: '9074729' });
    assert.deepEqual(parseImo(9074729), { ok: true, imo: '9074729' });
    assert.equal(isValidImo('9612349'), true);
  });

  test('tells a wrong check digit from a wrong shape', () => {
    const wrongDigit = parseImo('9074728');
    assert.equal(wrongDigit.ok, false);
    assert.equal(!wrongDigit.ok && wrongDigit.reason, 'check_digit');
    for (const bad of ['907472', '90747290', 'IMO-9074729', '907472x', '', null, 9074729.5]) {
      const r = parseImo(bad);
      assert.equal(!r.ok && r.reason, 'format', String(bad));
    }
    assert.equal(isValidImo('9074728'), false);
  });
});
