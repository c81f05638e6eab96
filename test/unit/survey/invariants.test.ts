import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateCase, lcfFromMidshipAft, lcfInConvention, type CaseResult, type LcfConvention } from '../../../shared/survey/index.js';
import { clone, fixture, smallCase, type RawCase } from './cases.js';

function compute(raw: RawCase): CaseResult {
  const evaluation = evaluateCase(raw);
  if (!evaluation.ok) assert.fail(`expected a result, got ${JSON.stringify(evaluation.errors)}`);
  return evaluation.result;
}

const MODES = ['none', 'form3'] as const;

function panamax(rounding: string): RawCase {
  const raw = fixture('panamax-loading.json');
  raw.rounding = rounding;
  return raw;
}

describe('zero trim', () => {
  for (const mode of MODES) {
    test(`even keel ⇒ zero perpendicular corrections and zero trim corrections (${mode})`, () => {
      const raw = panamax(mode);
      raw.surveys[1].readings_m = { fwd_port: 13.9, fwd_stbd: 13.92, mid_port: 13.95, mid_stbd: 13.97, aft_port: 13.92, aft_stbd: 13.9 };
      const v = compute(raw).surveys[1]!.values;
      assert.equal(v.trim_apparent_m, 0);
      assert.equal(v.trim_true_m, 0);
      for (const value of [v.corr_fwd_m, v.corr_mid_m, v.corr_aft_m, v.first_trim_corr_t, v.second_trim_corr_t]) {
        assert.ok(Object.is(value, 0), `expected +0, got ${value}`);
      }
      assert.notEqual(v.lcf_m, 0, 'the LCF is off midship, so a zero C1 comes from the zero trim');
      assert.equal(v.displacement_trim_corrected_t, v.displacement_table_t);
    });
  }

  test('with zero trim the mark positions do not matter', () => {
    const a = smallCase();
    const b = smallCase();
    b.vessel.marks = { fwd: { distance_m: 5, side: 'forward' }, mid: { distance_m: 2, side: 'aft' }, aft: { distance_m: 1, side: 'aft' } };
    const va = compute(a).surveys[1]!.values;
    const vb = compute(b).surveys[1]!.values;
    assert.notEqual(va.lbm_m, vb.lbm_m);
    assert.deepEqual({ ...va, lbm_m: 0 }, { ...vb, lbm_m: 0 });
  });
});

describe('cargo does not depend on the lightship or the constant', () => {
  for (const mode of MODES) {
    test(`lightship absent, 10 910 t or 12 000 t (${mode})`, () => {
      const base = compute(panamax(mode));
      const other = panamax(mode);
      other.vessel.lightship_t = 12000;
      const none = panamax(mode);
      delete none.vessel.lightship_t;
      const a = compute(other);
      const b = compute(none);
      assert.deepEqual(a.cargo, base.cargo);
      assert.deepEqual(b.cargo, base.cargo);
      assert.notEqual(a.surveys[0]!.values.true_constant_t, base.surveys[0]!.values.true_constant_t);
      assert.equal(b.surveys[0]!.values.true_constant_t, undefined);
    });
  }

  test('the constant is net − lightship on the first survey', () => {
    const v = compute(panamax('form3')).surveys[0]!.values;
    assert.equal(v.true_constant_t, Number((v.net_displacement_t - 10910).toFixed(3)));
  });

  test('an unchanged weight (stores) in both surveys does not change the cargo', () => {
    const base = compute(panamax('form3'));
    const raw = panamax('form3');
    for (const s of raw.surveys) s.deductibles_t.stores = 123.456;
    const result = compute(raw);
    assert.deepEqual(result.cargo, base.cargo);
    assert.equal(result.surveys[0]!.values.net_displacement_t, Number((base.surveys[0]!.values.net_displacement_t - 123.456).toFixed(3)));
  });
});

describe('declaring the same table in another LCF convention changes nothing', () => {
  const ALL: LcfConvention[] = [
    { from: 'midship', positive: 'aft' },
    { from: 'midship', positive: 'forward' },
    { from: 'ap', positive: 'forward' },
    { from: 'ap', positive: 'aft' },
    { from: 'fp', positive: 'aft' },
    { from: 'fp', positive: 'forward' },
  ];

  for (const mode of MODES) {
    test(`panamax table (declared from AP, + forward) re-expressed in all six conventions (${mode})`, () => {
      const original = panamax(mode);
      const expected = compute(clone(original));
      const lbp = original.vessel.lbp_m;
      for (const convention of ALL) {
        const raw = clone(original);
        raw.vessel.lcf = convention;
        for (const row of raw.vessel.hydrostatics) {
          row.lcf_m = lcfInConvention(lcfFromMidshipAft(row.lcf_m, original.vessel.lcf, lbp), convention, lbp);
        }
        assert.deepEqual(compute(raw), expected, JSON.stringify(convention));
      }
    });
  }

  test('hand-written re-expressions of the small table (LBP 100, LCF aft of midship 1, 0.5, 0, −0.5)', () => {
    const expected = compute(smallCase());
    const variants: [LcfConvention, number[]][] = [
      [{ from: 'midship', positive: 'forward' }, [-1, -0.5, 0, 0.5]],
      [{ from: 'ap', positive: 'forward' }, [49, 49.5, 50, 50.5]], // LBP/2 − X
      [{ from: 'fp', positive: 'aft' }, [51, 50.5, 50, 49.5]], // X + LBP/2
      [{ from: 'ap', positive: 'aft' }, [-49, -49.5, -50, -50.5]],
      [{ from: 'fp', positive: 'forward' }, [-51, -50.5, -50, -49.5]],
    ];
    for (const [convention, lcfs] of variants) {
      const raw = smallCase();
      raw.vessel.lcf = convention;
      raw.vessel.hydrostatics.forEach((row: { lcf_m: number }, i: number) => (row.lcf_m = lcfs[i]!));
      const result = compute(raw);
      assert.deepEqual(result, expected, JSON.stringify(convention));
    }
  });

  test('declaring the wrong direction does change the result (the check can fail)', () => {
    const raw = smallCase();
    raw.vessel.lcf = { from: 'midship', positive: 'forward' };
    assert.notDeepEqual(compute(raw).surveys[0]!.values.first_trim_corr_t, compute(smallCase()).surveys[0]!.values.first_trim_corr_t);
  });
});

describe('port and starboard', () => {
  for (const mode of MODES) {
    test(`swapping port and starboard readings (and list TPCs) changes nothing (${mode})`, () => {
      const original = panamax(mode);
      const swapped = clone(original);
      for (const s of swapped.surveys) {
        const r = s.readings_m;
        s.readings_m = { fwd_port: r.fwd_stbd, fwd_stbd: r.fwd_port, mid_port: r.mid_stbd, mid_stbd: r.mid_port, aft_port: r.aft_stbd, aft_stbd: r.aft_port };
        if (s.list_tpc_t_cm) s.list_tpc_t_cm = { port: s.list_tpc_t_cm.stbd, stbd: s.list_tpc_t_cm.port };
      }
      assert.notDeepEqual(swapped.surveys[0].readings_m, original.surveys[0].readings_m);
      assert.deepEqual(compute(swapped), compute(original));
    });
  }
});

describe('defaults', () => {
  test('table density defaults to 1.025', () => {
    const raw = smallCase();
    delete raw.vessel.table_density_t_m3;
    assert.deepEqual(compute(raw), compute(smallCase()));
    const fresh = smallCase();
    fresh.vessel.table_density_t_m3 = 1.0;
    assert.notDeepEqual(compute(fresh), compute(smallCase()));
  });

  test('no keel plate and no rounding given: 0 m and "none"', () => {
    const raw = smallCase();
    delete raw.vessel.keel_plate_m;
    delete raw.rounding;
    const result = compute(raw);
    assert.deepEqual(result, compute(smallCase()));
    assert.equal(result.rounding, 'none');
  });
});
