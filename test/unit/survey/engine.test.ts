import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateCase, type CaseResult, type SurveyIssue, type SurveyValues } from '../../../shared/survey/index.js';
import { clone, fixture, smallCase, type RawCase } from './cases.js';

function compute(raw: RawCase): CaseResult {
  const evaluation = evaluateCase(raw);
  if (!evaluation.ok) assert.fail(`expected a result, got ${JSON.stringify(evaluation.errors)}`);
  return evaluation.result;
}

function failure(raw: RawCase): SurveyIssue {
  const evaluation = evaluateCase(raw);
  if (evaluation.ok) assert.fail('expected an error');
  return evaluation.errors[0]!;
}

function values(raw: RawCase, index = 0): SurveyValues {
  return compute(raw).surveys[index]!.values;
}

function near(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

describe('hand-worked case, full precision ("none")', () => {
  /*
   * Initial survey. Readings F 4.55/4.55, M 5.01/5.03, A 5.50/5.50.
   *  1  F = 4.55, M = 5.02, A = 5.50
   *  2  LBM = 100 + (−2) − (+3) = 95
   *  3  t = 5.50 − 4.55 = 0.95 (by the stern)
   *  4  c_f = −2·0.95/95 = −0.02; c_m = 0; c_a = 3·0.95/95 = +0.03
   *  5  F' = 4.53, M' = 5.02, A' = 5.53 (no keel plate)
   *  6  T = 1.00
   *  7  δ = 5.02 − (4.53 + 5.53)/2 = −0.01 m = −1 cm (hog)
   *  8  QM = (4.53 + 6·5.02 + 5.53)/8 = 40.18/8 = 5.0225
   *  9  between 5.0 and 6.0, fraction 0.0225:
   *     Δ = 12100 + 0.0225·2300 = 12151.75; TPC = 22 + 0.0225·2 = 22.045; LCF = 0.5 − 0.0225·0.5 = 0.48875
   * 10  MTC+ at 5.5225 = 110 + 0.5225·20 = 120.45; MTC− at 4.5225 = 100 + 0.5225·10 = 105.225; dM/dZ = 15.225
   *     C1 = 1·22.045·0.48875·100/100 = 10.77449375
   * 11  C2 = 50·1²·15.225/100 = 7.6125
   * 13  Δ_T = 12151.75 + 10.77449375 + 7.6125 = 12170.13699375
   * 14  ρ/ρ_t = 1.0045/1.025 = 0.98 ⇒ Δρ = 11926.734253875; correction −243.402739875
   * 15  D = 100 + 50 + 1000·1.02 = 1170
   * 16  N = 10756.734253875;  constant = N − 10000 = 756.734253875
   * Final survey: even keel at 5.80, ρ = ρ_t:
   *     QM = 5.8, Δ = 12100 + 0.8·2300 = 13940, TPC 23.6, LCF 0.1, MTC+ (6.3) = 137.5, MTC− (5.3) = 116,
   *     C1 = C2 = 0, D = 135, N = 13805. Cargo = 13805 − 10756.734253875 = 3048.265746125.
   */
  const result = compute(smallCase());
  const v = result.surveys[0]!.values;

  test('drafts, trim and marks', () => {
    near(v.mean_fwd_m, 4.55);
    near(v.mean_mid_m, 5.02);
    near(v.mean_aft_m, 5.5);
    near(v.lbm_m, 95);
    near(v.trim_apparent_m, 0.95);
    near(v.corr_fwd_m, -0.02);
    assert.equal(v.corr_mid_m, 0);
    near(v.corr_aft_m, 0.03);
    near(v.draft_fp_m, 4.53);
    near(v.draft_mid_m, 5.02);
    near(v.draft_ap_m, 5.53);
    near(v.trim_true_m, 1);
    near(v.hog_sag_cm, -1);
    near(v.quarter_mean_m, 5.0225);
  });

  test('hydrostatics and corrections', () => {
    near(v.displacement_table_t, 12151.75);
    near(v.tpc_t_cm, 22.045);
    near(v.lcf_m, 0.48875);
    near(v.mtc_plus_tm_cm, 120.45);
    near(v.mtc_minus_tm_cm, 105.225);
    near(v.first_trim_corr_t, 10.77449375);
    near(v.second_trim_corr_t, 7.6125);
    assert.equal(v.list_corr_t, 0);
    near(v.displacement_trim_corrected_t, 12170.13699375);
    near(v.displacement_density_corrected_t, 11926.734253875);
    near(v.density_corr_t, -243.402739875);
    assert.equal(v.total_deductibles_t, 1170);
    near(v.net_displacement_t, 10756.734253875);
    near(v.true_constant_t, 756.734253875);
  });

  test('final survey, cargo and the result envelope', () => {
    const f = result.surveys[1]!.values;
    assert.equal(f.quarter_mean_m, 5.8);
    near(f.displacement_table_t, 13940);
    near(f.tpc_t_cm, 23.6);
    near(f.lcf_m, 0.1);
    near(f.mtc_plus_tm_cm, 137.5);
    near(f.mtc_minus_tm_cm, 116);
    assert.equal(f.first_trim_corr_t, 0);
    assert.equal(f.second_trim_corr_t, 0);
    near(f.net_displacement_t, 13805);
    assert.equal('true_constant_t' in f, false, 'the constant is reported on the first survey only');
    assert.equal(result.format, 'quayside.draft-survey-result/1');
    assert.equal(result.rounding, 'none');
    assert.deepEqual(result.cargo.map((c) => [c.from, c.to]), [['initial', 'final']]);
    near(result.cargo[0]!.cargo_t, 3048.265746125);
  });

  test('values carry exactly the fields of the result format, in order', () => {
    assert.deepEqual(Object.keys(v), [
      'mean_fwd_m', 'mean_mid_m', 'mean_aft_m', 'lbm_m', 'trim_apparent_m', 'corr_fwd_m', 'corr_mid_m', 'corr_aft_m',
      'draft_fp_m', 'draft_mid_m', 'draft_ap_m', 'trim_true_m', 'hog_sag_cm', 'quarter_mean_m', 'displacement_table_t',
      'tpc_t_cm', 'lcf_m', 'mtc_plus_tm_cm', 'mtc_minus_tm_cm', 'first_trim_corr_t', 'second_trim_corr_t', 'list_corr_t',
      'displacement_trim_corrected_t', 'density_corr_t', 'displacement_density_corrected_t', 'total_deductibles_t',
      'net_displacement_t', 'true_constant_t',
    ]);
  });
});

describe('hand-worked case, "form3"', () => {
  /*
   * QM = 5.0225 → 5.023 (a tie, half away from zero), then everything is read at 5.023:
   *   Δ = 12100 + 0.023·2300 = 12152.9; TPC = 22 + 0.023·2 = 22.046; LCF = 0.5 − 0.0115 = 0.4885 → 0.489 (tie)
   *   MTC+ (5.523) = 120.46; MTC− (4.523) = 105.23; dM/dZ = 15.23
   *   C1 = 1·22.046·0.489·100/100 = 10.780494 → 10.78;  C2 = 50·15.23/100 = 7.615
   *   Δ_T = 12152.9 + 10.78 + 7.615 = 12171.295
   *   Δρ = 12171.295·0.98 = 11927.8691 → 11927.869;  correction = 11927.869 − 12171.295 = −243.426
   *   N = 11927.869 − 1170 = 10757.869;  constant 757.869;  final N = 13805;  cargo = 3047.131
   */
  const raw = smallCase();
  raw.rounding = 'form3';
  const result = compute(raw);
  const v = result.surveys[0]!.values;

  test('each line rounded to 0.001 and carried forward', () => {
    assert.equal(v.quarter_mean_m, 5.023);
    assert.equal(v.displacement_table_t, 12152.9);
    assert.equal(v.tpc_t_cm, 22.046);
    assert.equal(v.lcf_m, 0.489);
    assert.equal(v.mtc_plus_tm_cm, 120.46);
    assert.equal(v.mtc_minus_tm_cm, 105.23);
  });

  test('corrections and net use the rounded lines', () => {
    assert.equal(v.first_trim_corr_t, 10.78);
    assert.equal(v.second_trim_corr_t, 7.615);
    assert.equal(v.displacement_trim_corrected_t, 12171.295);
    assert.equal(v.displacement_density_corrected_t, 11927.869);
    assert.equal(v.density_corr_t, -243.426);
    assert.equal(v.net_displacement_t, 10757.869);
    assert.equal(v.true_constant_t, 757.869);
    assert.equal(result.cargo[0]!.cargo_t, 3047.131);
    assert.equal(result.rounding, 'form3');
  });
});

describe('rounding a mean on its decimal value', () => {
  test('(5.012 + 5.013)/2 = 5.0125 rounds to 5.013, as on paper', () => {
    assert.equal((5.012 + 5.013) / 2, 5.012499999999999, 'plain doubles would round this mean down');
    const raw = smallCase();
    raw.rounding = { mean_drafts: 3 };
    Object.assign(raw.surveys[0].readings_m, { fwd_port: 5.012, fwd_stbd: 5.013, mid_port: 5.013, mid_stbd: 5.012, aft_port: 5.012, aft_stbd: 5.013 });
    const v = values(raw);
    assert.equal(v.mean_fwd_m, 5.013);
    assert.equal(v.mean_mid_m, 5.013);
    assert.equal(v.mean_aft_m, 5.013);
  });

  test('an object spec rounds only the lines it names', () => {
    const raw = smallCase();
    raw.rounding = { quarter_mean: 2, displacement: 0 };
    const v = values(raw);
    assert.equal(v.quarter_mean_m, 5.02); // 5.0225 → 5.02
    assert.equal(v.displacement_table_t, 12146); // 12100 + 0.02·2300 = 12146
    near(v.tpc_t_cm, 22.04); // not rounded: 22 + 0.02·2
    near(v.lcf_m, 0.49);
  });
});

describe('signs of the corrections', () => {
  test('forward mark aft of FP with trim by the stern: c_f < 0; aft mark forward of AP: c_a > 0', () => {
    const v = values(smallCase());
    assert.ok(v.trim_apparent_m > 0);
    assert.ok(v.corr_fwd_m < 0);
    assert.ok(v.corr_aft_m > 0);
  });

  test('trim by the head reverses both', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[0].readings_m, { fwd_port: 5.5, fwd_stbd: 5.5, aft_port: 4.55, aft_stbd: 4.55 });
    const v = values(raw);
    near(v.trim_apparent_m, -0.95);
    near(v.corr_fwd_m, 0.02);
    near(v.corr_aft_m, -0.03);
    near(v.trim_true_m, -1);
  });

  test('marks on the other side of their references flip the corrections; LBM = LBP + x_f − x_a', () => {
    const raw = smallCase();
    raw.vessel.marks = { fwd: { distance_m: 2, side: 'forward' }, mid: { distance_m: 1, side: 'forward' }, aft: { distance_m: 3, side: 'aft' } };
    const v = values(raw);
    near(v.lbm_m, 105); // 100 + 2 − (−3)
    near(v.corr_fwd_m, (2 * 0.95) / 105);
    near(v.corr_mid_m, (1 * 0.95) / 105);
    near(v.corr_aft_m, (-3 * 0.95) / 105);
  });

  test('LCF forward of midship with stern trim makes the first correction negative (漂心在舯前，仰则减)', () => {
    const raw = smallCase();
    for (const row of raw.vessel.hydrostatics) row.lcf_m = -row.lcf_m;
    const v = values(raw);
    near(v.lcf_m, -0.48875);
    near(v.first_trim_corr_t, -10.77449375);
    near(v.second_trim_corr_t, 7.6125); // unaffected by the LCF
  });

  test('LCF aft with trim by the head is negative too', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[0].readings_m, { fwd_port: 5.5, fwd_stbd: 5.5, aft_port: 4.55, aft_stbd: 4.55 });
    const v = values(raw);
    assert.ok(v.lcf_m > 0);
    assert.ok(v.first_trim_corr_t < 0);
    assert.ok(v.second_trim_corr_t > 0);
  });

  test('hog/sag sign: midship deeper than the ends is sag (+)', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[1].readings_m, { mid_port: 5.85, mid_stbd: 5.85 });
    near(values(raw, 1).hog_sag_cm, 5);
  });
});

describe('keel plate, marks override, MTC pair, list', () => {
  test('the keel plate is subtracted from the corrected drafts only', () => {
    const raw = smallCase();
    raw.vessel.keel_plate_m = 0.02;
    const v = values(raw);
    near(v.mean_fwd_m, 4.55);
    near(v.draft_fp_m, 4.51);
    near(v.draft_mid_m, 5.0);
    near(v.draft_ap_m, 5.51);
    near(v.trim_true_m, 1);
    near(v.quarter_mean_m, 5.0025);
  });

  test("a survey's marks replace the vessel's key by key", () => {
    const overridden = smallCase();
    overridden.surveys[0].marks = { mid: { distance_m: 1.5, side: 'aft' } };
    const direct = smallCase();
    direct.vessel.marks.mid = { distance_m: 1.5, side: 'aft' };
    const a = compute(overridden);
    const b = compute(direct);
    assert.deepEqual(a.surveys[0], b.surveys[0]);
    near(a.surveys[0]!.values.corr_mid_m, (-1.5 * 0.95) / 95);
    near(a.surveys[0]!.values.lbm_m, 95, 0); // fwd and aft marks kept from the vessel
    assert.deepEqual(a.surveys[1], compute(smallCase()).surveys[1], 'the other survey keeps the vessel marks');
  });

  test('mtc_pair: dM/dZ is per metre over the pair’s actual drafts', () => {
    const raw = smallCase();
    // span 0.8 m: dM/dZ = (118 − 106)/0.8 = 15 ⇒ C2 = 50·1·15/100 = 7.5
    raw.surveys[0].mtc_pair = { plus: { draft_m: 5.4, mtc_tm_cm: 118 }, minus: { draft_m: 4.6, mtc_tm_cm: 106 } };
    const evaluation = evaluateCase(raw);
    assert.ok(evaluation.ok);
    const s = evaluation.result.surveys[0]!;
    assert.equal(s.values.mtc_plus_tm_cm, 118);
    assert.equal(s.values.mtc_minus_tm_cm, 106);
    near(s.values.second_trim_corr_t, 7.5);
    assert.deepEqual(s.warnings, []);
  });

  test('mtc_pair far from QM ± 0.5 m is flagged', () => {
    const raw = smallCase();
    raw.surveys[0].mtc_pair = { plus: { draft_m: 6.0, mtc_tm_cm: 130 }, minus: { draft_m: 4.0, mtc_tm_cm: 100 } };
    const s = compute(raw).surveys[0]!;
    near(s.values.second_trim_corr_t, 7.5); // (130 − 100)/2 = 15 per metre
    assert.ok(s.warnings.some((w) => w.startsWith('SURVEY_WARN_MTC_PAIR_DRAFTS')));
  });

  test('with an mtc_pair, QM ± 0.5 m may lie beyond the table (only QM must be inside)', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[1].readings_m, { fwd_port: 7, fwd_stbd: 7, mid_port: 7, mid_stbd: 7, aft_port: 7, aft_stbd: 7 });
    assert.equal(failure(clone(raw)).code, 'SURVEY_QM_OUTSIDE_TABLE');
    raw.surveys[1].mtc_pair = { plus: { draft_m: 7.5, mtc_tm_cm: 168 }, minus: { draft_m: 6.5, mtc_tm_cm: 142 } };
    const v = values(raw, 1);
    assert.equal(v.quarter_mean_m, 7);
    assert.equal(v.displacement_table_t, 16900); // the last row itself, no extrapolation
  });

  test('list correction = 6·|mid_port − mid_stbd|·|TPC_port − TPC_stbd|, from the raw readings', () => {
    const raw = smallCase();
    raw.surveys[0].list_tpc_t_cm = { port: 22.0, stbd: 22.1 };
    const v = values(raw);
    near(v.list_corr_t, 6 * 0.02 * 0.1);
    near(v.displacement_trim_corrected_t, 12170.13699375 + 0.012);
  });

  test('list beyond ½° is flagged when the breadth is known', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[0].readings_m, { mid_port: 5.2, mid_stbd: 4.84 }); // 0.36 m over 20 m ≈ 1.03°
    assert.deepEqual(compute(clone(raw)).surveys[0]!.warnings.filter((w) => w.startsWith('SURVEY_WARN_LIST')), []);
    raw.vessel.breadth_m = 20;
    const warnings = compute(raw).surveys[0]!.warnings;
    assert.ok(warnings.some((w) => w.startsWith('SURVEY_WARN_LIST') && w.includes('1.03°')), warnings.join('; '));
  });
});

describe('warnings', () => {
  test('hog/sag beyond 5 cm, or the configured threshold', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[1].readings_m, { mid_port: 5.86, mid_stbd: 5.86 }); // sag 6 cm
    assert.ok(compute(clone(raw)).surveys[1]!.warnings.some((w) => w.startsWith('SURVEY_WARN_HOG_SAG') && w.includes('sag of 6 cm')));
    raw.thresholds = { hog_sag_cm: 8 };
    assert.deepEqual(compute(clone(raw)).surveys[1]!.warnings, []);
    Object.assign(raw.surveys[1].readings_m, { mid_port: 5.76, mid_stbd: 5.76 }); // hog 4 cm
    raw.thresholds = { hog_sag_cm: 3 };
    assert.ok(compute(raw).surveys[1]!.warnings.some((w) => w.includes('hog of 4 cm')));
  });

  test('a negative second trim correction', () => {
    const raw = smallCase();
    raw.vessel.hydrostatics.forEach((row: { mtc_tm_cm: number }, i: number) => (row.mtc_tm_cm = 200 - 10 * i));
    const s = compute(raw).surveys[0]!;
    assert.ok(s.values.second_trim_corr_t < 0);
    assert.ok(s.warnings.some((w) => w.startsWith('SURVEY_WARN_SECOND_TRIM_NEGATIVE')));
  });

  test('dock density outside 0.995–1.035 t/m³', () => {
    for (const [rho, flagged] of [[0.992, true], [0.995, false], [1.035, false], [1.036, true]] as const) {
      const raw = smallCase();
      raw.surveys[1].dock_density_t_m3 = rho;
      assert.equal(compute(raw).surveys[1]!.warnings.some((w) => w.startsWith('SURVEY_WARN_DENSITY')), flagged, String(rho));
    }
  });

  test('the plain hand case has no warnings', () => {
    assert.deepEqual(compute(smallCase()).surveys.map((s) => s.warnings), [[], []]);
  });
});

describe('cargo pairs and the constant', () => {
  test('default pairs: each survey against the first', () => {
    const raw = smallCase();
    raw.surveys.push({ ...clone(raw.surveys[1]), id: 'check', deductibles_t: { fuel_oil: 95 } });
    const result = compute(raw);
    assert.deepEqual(result.cargo.map((c) => [c.from, c.to]), [['initial', 'final'], ['initial', 'check']]);
    near(result.cargo[1]!.cargo_t, 13940 - 95 - 10756.734253875);
  });

  test('explicit pairs, including a discharge (negative cargo)', () => {
    const raw = smallCase();
    raw.cargo = [{ from: 'final', to: 'initial' }];
    const result = compute(raw);
    assert.equal(result.cargo.length, 1);
    near(result.cargo[0]!.cargo_t, -3048.265746125);
  });

  test('a single survey gives no cargo; no lightship gives no constant', () => {
    const raw = smallCase();
    raw.surveys = [raw.surveys[0]];
    delete raw.vessel.lightship_t;
    const result = compute(raw);
    assert.deepEqual(result.cargo, []);
    assert.equal('true_constant_t' in result.surveys[0]!.values, false);
  });
});

describe('QM outside the table', () => {
  test('QM above the last row is an error naming the survey readings', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[1].readings_m, { fwd_port: 7.1, fwd_stbd: 7.1, mid_port: 7.1, mid_stbd: 7.1, aft_port: 7.1, aft_stbd: 7.1 });
    const issue = failure(raw);
    assert.equal(issue.code, 'SURVEY_QM_OUTSIDE_TABLE');
    assert.equal(issue.path, 'surveys[1].readings_m');
    assert.match(issue.message, /7\.1 m/);
  });

  test('QM below the first row', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[0].readings_m, { fwd_port: 3.9, fwd_stbd: 3.9, mid_port: 3.9, mid_stbd: 3.9, aft_port: 3.9, aft_stbd: 3.9 });
    assert.deepEqual([failure(raw).code, failure(raw).path], ['SURVEY_QM_OUTSIDE_TABLE', 'surveys[0].readings_m']);
  });

  test('QM + 0.5 m outside the table when MTC must be interpolated', () => {
    const raw = smallCase();
    Object.assign(raw.surveys[1].readings_m, { fwd_port: 6.6, fwd_stbd: 6.6, mid_port: 6.6, mid_stbd: 6.6, aft_port: 6.6, aft_stbd: 6.6 });
    const issue = failure(raw);
    assert.equal(issue.code, 'SURVEY_QM_OUTSIDE_TABLE');
    assert.equal(issue.path, 'surveys[1].mtc_pair');
  });

  test('per-survey rows are used instead of the vessel table', () => {
    const raw = smallCase();
    raw.surveys[1].hydrostatic_rows = [
      { draft_m: 5.7, displacement_t: 13710, tpc_t_cm: 23.4, lcf_m: 0.15 },
      { draft_m: 5.9, displacement_t: 14170, tpc_t_cm: 23.8, lcf_m: 0.05 },
    ];
    raw.surveys[1].mtc_pair = { plus: { draft_m: 6.3, mtc_tm_cm: 137.5 }, minus: { draft_m: 5.3, mtc_tm_cm: 116 } };
    const v = values(raw, 1);
    near(v.displacement_table_t, 13940);
    near(v.tpc_t_cm, 23.6);
    near(v.lcf_m, 0.1);
    Object.assign(raw.surveys[1].readings_m, { fwd_port: 6.0, fwd_stbd: 6.0, mid_port: 6.0, mid_stbd: 6.0, aft_port: 6.0, aft_stbd: 6.0 });
    assert.equal(failure(raw).code, 'SURVEY_QM_OUTSIDE_TABLE'); // 6.0 is in the vessel table, not in the survey's rows
  });
});
