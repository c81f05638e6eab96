import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bracket,
  effectiveMarks,
  interpolateLinear,
  lcfFromMidshipAft,
  lcfInConvention,
  signedOffset,
  unsortedRowIndex,
  valueAt,
  type HydrostaticRow,
  type LcfConvention,
} from '../../../shared/survey/index.js';

const ROWS: HydrostaticRow[] = [
  { draft_m: 8.0, displacement_t: 40000, tpc_t_cm: 60.0, lcf_m: 1.2, mtc_tm_cm: 900 },
  { draft_m: 8.1, displacement_t: 40601, tpc_t_cm: 60.1, lcf_m: 1.18, mtc_tm_cm: 902 },
  { draft_m: 8.2, displacement_t: 41203, tpc_t_cm: 60.3, lcf_m: 1.15, mtc_tm_cm: 905 },
];

describe('hydrostatic table lookup', () => {
  test('linear interpolation between the bracketing rows', () => {
    const at = bracket(ROWS, 8.137);
    assert.deepEqual(at, { inside: true, lower: 1, upper: 2 });
    if (!at.inside) return;
    // 40601 + 0.37·602 = 40823.74;  60.1 + 0.37·0.2 = 60.174
    assert.equal(valueAt(ROWS, at, 8.137, (r) => r.displacement_t), 40823.74);
    assert.ok(Math.abs(valueAt(ROWS, at, 8.137, (r) => r.tpc_t_cm) - 60.174) < 1e-12);
  });

  test('an exact row returns that row, first and last included', () => {
    for (const [i, row] of ROWS.entries()) {
      const at = bracket(ROWS, row.draft_m);
      assert.deepEqual(at, { inside: true, lower: i, upper: i });
      if (at.inside) assert.equal(valueAt(ROWS, at, row.draft_m, (r) => r.displacement_t), row.displacement_t);
    }
  });

  test('never extrapolates', () => {
    assert.deepEqual(bracket(ROWS, 7.999), { inside: false, first: 8, last: 8.2 });
    assert.deepEqual(bracket(ROWS, 8.2001), { inside: false, first: 8, last: 8.2 });
    assert.deepEqual(bracket([], 8), { inside: false, first: Number.NaN, last: Number.NaN });
  });

  test('interpolateLinear works in either direction of change', () => {
    assert.equal(interpolateLinear(5.0225, 5, 0.5, 6, 0), 0.48875);
    assert.equal(interpolateLinear(5.5, 5, 10, 6, 20), 15);
    assert.equal(interpolateLinear(6, 5, 10, 6, 20), 20);
  });

  test('rows must be strictly increasing in draft', () => {
    assert.equal(unsortedRowIndex(ROWS), -1);
    assert.equal(unsortedRowIndex([ROWS[0]!, ROWS[2]!, ROWS[1]!]), 2);
    assert.equal(unsortedRowIndex([ROWS[0]!, ROWS[0]!]), 1);
    assert.equal(unsortedRowIndex([]), -1);
  });
});

describe('LCF conventions → from midship, + aft', () => {
  const lbp = 217;
  const ap: LcfConvention = { from: 'ap', positive: 'forward' };
  const fp: LcfConvention = { from: 'fp', positive: 'aft' };

  test('the conversions of draft-survey.md §3 step 9', () => {
    assert.equal(lcfFromMidshipAft(111.016, ap, lbp), -2.516); // LBP/2 − LCF_AP
    assert.equal(lcfFromMidshipAft(108.5, ap, lbp), 0);
    assert.equal(lcfFromMidshipAft(111.016, fp, lbp), 2.516); // LCF_FP − LBP/2
    assert.equal(lcfFromMidshipAft(2.516, { from: 'midship', positive: 'forward' }, lbp), -2.516); // "forward" ⇒ negative
    assert.equal(lcfFromMidshipAft(2.516, { from: 'midship', positive: 'aft' }, lbp), 2.516);
    assert.equal(lcfFromMidshipAft(3, { from: 'ap', positive: 'aft' }, lbp), 111.5); // 3 m aft of the AP
    assert.equal(lcfFromMidshipAft(3, { from: 'fp', positive: 'forward' }, lbp), -111.5); // 3 m forward of the FP
  });

  test('lcfInConvention is the inverse for every convention', () => {
    const all: LcfConvention[] = [
      { from: 'midship', positive: 'aft' }, { from: 'midship', positive: 'forward' },
      { from: 'ap', positive: 'aft' }, { from: 'ap', positive: 'forward' },
      { from: 'fp', positive: 'aft' }, { from: 'fp', positive: 'forward' },
    ];
    for (const convention of all) {
      for (const x of [-3.217, 0, 0.5, 4.1]) {
        assert.equal(lcfFromMidshipAft(lcfInConvention(x, convention, lbp), convention, lbp), x, JSON.stringify(convention));
      }
    }
  });
});

describe('draft-mark offsets', () => {
  test('x > 0 ⇒ forward of the reference', () => {
    assert.equal(signedOffset({ distance_m: 2.85, side: 'aft' }), -2.85);
    assert.equal(signedOffset({ distance_m: 6.2, side: 'forward' }), 6.2);
    assert.ok(Object.is(signedOffset({ distance_m: 0, side: 'aft' }), 0));
  });

  test('survey marks replace vessel marks key by key', () => {
    const vessel = { fwd: { distance_m: 1, side: 'aft' as const }, mid: { distance_m: 0, side: 'aft' as const }, aft: { distance_m: 2, side: 'forward' as const } };
    const survey = { mid: { distance_m: 0.5, side: 'forward' as const } };
    assert.deepEqual(effectiveMarks(vessel, survey), { ...vessel, mid: survey.mid });
    assert.deepEqual(effectiveMarks(undefined, survey), { mid: survey.mid });
    assert.deepEqual(effectiveMarks(vessel, undefined), vessel);
  });
});
