import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineRounder, parseRoundingSpec, roundHalfAwayFromZero, ROUNDING_LINES } from '../../../shared/survey/index.js';

describe('roundHalfAwayFromZero', () => {
  test('judged on the shortest decimal representation: 13.97965 → 13.9797 at 4 dp', () => {
    // The double nearest 13.97965 is 13.97964999999999946…, so rounding the binary value gives 13.9796.
    assert.equal((13.97965).toPrecision(21), '13.9796499999999994657');
    assert.equal((13.97965).toFixed(4), '13.9796');
    assert.equal(roundHalfAwayFromZero(13.97965, 4), 13.9797);
  });

  test('genuine double noise is not "fixed": 0.3 × 1.025 prints as 0.30749999999999994 → 0.307', () => {
    const product = 0.3 * 1.025;
    assert.equal(String(product), '0.30749999999999994');
    assert.equal(roundHalfAwayFromZero(product, 3), 0.307);
    assert.equal(roundHalfAwayFromZero(0.3075, 3), 0.308);
  });

  test('ties go away from zero, both signs', () => {
    assert.equal(roundHalfAwayFromZero(2.5, 0), 3);
    assert.equal(roundHalfAwayFromZero(-2.5, 0), -3);
    assert.equal(roundHalfAwayFromZero(1.0005, 3), 1.001);
    assert.equal(roundHalfAwayFromZero(-1.0005, 3), -1.001);
    assert.equal(roundHalfAwayFromZero(5.0225, 3), 5.023);
    assert.equal(roundHalfAwayFromZero(1.005, 2), 1.01); // toFixed gives 1.00 here
  });

  test('below and above a half', () => {
    assert.equal(roundHalfAwayFromZero(1.00049, 3), 1);
    assert.equal(roundHalfAwayFromZero(1.00051, 3), 1.001);
    assert.equal(roundHalfAwayFromZero(-0.00049, 3), 0);
    assert.ok(Object.is(roundHalfAwayFromZero(-0.0004, 3), 0), 'never −0');
  });

  test('values with fewer decimals, integers and carries', () => {
    assert.equal(roundHalfAwayFromZero(12.5, 3), 12.5);
    assert.equal(roundHalfAwayFromZero(36869, 3), 36869);
    assert.equal(roundHalfAwayFromZero(9.9995, 3), 10);
    assert.equal(roundHalfAwayFromZero(-99.95, 1), -100);
    assert.equal(roundHalfAwayFromZero(1234.5678, 0), 1235);
  });

  test('exponent notation', () => {
    assert.equal(roundHalfAwayFromZero(1.5e-7, 7), 2e-7);
    assert.equal(roundHalfAwayFromZero(1.5e-7, 6), 0);
    assert.equal(roundHalfAwayFromZero(1e21, 2), 1e21);
  });

  test('rejects negative or fractional decimals', () => {
    assert.throws(() => roundHalfAwayFromZero(1, -1), RangeError);
    assert.throws(() => roundHalfAwayFromZero(1, 1.5), RangeError);
  });
});

describe('rounding modes', () => {
  test('"none" leaves every line alone (but never returns −0)', () => {
    const round = lineRounder('none');
    for (const line of ROUNDING_LINES) assert.equal(round(line, 13.97965123), 13.97965123);
    assert.ok(Object.is(round('corrections', -0), 0));
  });

  test('"form3" rounds every line to 0.001', () => {
    const round = lineRounder('form3');
    for (const line of ROUNDING_LINES) {
      assert.equal(round(line, 13.97965), 13.98, line);
      assert.equal(round(line, 0.3 * 1.025), 0.307, line);
    }
  });

  test('an object rounds only the named lines, each to its decimals', () => {
    const round = lineRounder({ quarter_mean: 4, net: 0 });
    assert.equal(round('quarter_mean', 13.97965), 13.9797);
    assert.equal(round('net', 81815.5), 81816);
    assert.equal(round('displacement', 13.97965), 13.97965);
  });

  test('the nineteen line names of the format', () => {
    assert.deepEqual([...ROUNDING_LINES], [
      'mean_drafts', 'lbm', 'corrections', 'corrected_drafts', 'trim', 'quarter_mean', 'displacement', 'tpc', 'lcf', 'mtc',
      'dmdz', 'first_trim', 'second_trim', 'list', 'trim_corrected_displacement', 'density_correction',
      'density_corrected_displacement', 'ballast_tank', 'net',
    ]);
  });
});

describe('parseRoundingSpec', () => {
  test('absent is "none"; the two named modes pass through', () => {
    assert.deepEqual(parseRoundingSpec(undefined), { ok: true, spec: 'none' });
    assert.deepEqual(parseRoundingSpec('form3'), { ok: true, spec: 'form3' });
    assert.deepEqual(parseRoundingSpec({ lcf: 2, mtc: 1 }), { ok: true, spec: { lcf: 2, mtc: 1 } });
  });

  test('errors name the field', () => {
    const bad = (raw: unknown): string | undefined => {
      const r = parseRoundingSpec(raw);
      return r.ok ? undefined : r.path;
    };
    assert.equal(bad('form4'), 'rounding');
    assert.equal(bad([3]), 'rounding');
    assert.equal(bad({ quarter_mean: 3, mean: 3 }), 'rounding.mean');
    assert.equal(bad({ net: -1 }), 'rounding.net');
    assert.equal(bad({ net: 13 }), 'rounding.net');
    assert.equal(bad({ net: '3' }), 'rounding.net');
  });
});
