import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateCase, SURVEY_ERROR_CODES, validateCase, type SurveyErrorCode } from '../../../shared/survey/index.js';
import { smallCase, type RawCase } from './cases.js';

interface ErrorCase {
  name: string;
  mutate: (raw: RawCase) => RawCase | void;
  code: SurveyErrorCode;
  path: string;
}

const setReadings = (raw: RawCase, index: number, d: number): void => {
  raw.surveys[index].readings_m = { fwd_port: d, fwd_stbd: d, mid_port: d, mid_stbd: d, aft_port: d, aft_stbd: d };
};

const CASES: ErrorCase[] = [
  { name: 'root is not an object', mutate: () => [1, 2], code: 'SURVEY_FORMAT', path: '(root)' },
  { name: 'wrong format id', mutate: (r) => void (r.format = 'quayside.draft-survey-case/2'), code: 'SURVEY_FORMAT', path: 'format' },
  { name: 'format missing', mutate: (r) => void delete r.format, code: 'SURVEY_FORMAT', path: 'format' },
  { name: 'reading of the wrong type', mutate: (r) => void (r.surveys[0].readings_m.fwd_port = '4.55'), code: 'SURVEY_FORMAT', path: 'surveys[0].readings_m.fwd_port' },
  { name: 'mark side not aft/forward', mutate: (r) => void (r.vessel.marks.fwd.side = 'astern'), code: 'SURVEY_FORMAT', path: 'vessel.marks.fwd.side' },
  { name: 'vessel missing', mutate: (r) => void delete r.vessel, code: 'SURVEY_FIELD_MISSING', path: 'vessel' },
  { name: 'survey id missing', mutate: (r) => void delete r.surveys[1].id, code: 'SURVEY_FIELD_MISSING', path: 'surveys[1].id' },
  { name: 'negative tank volume', mutate: (r) => void (r.surveys[0].ballast_tanks[0].volume_m3 = -1), code: 'SURVEY_VALUE_OUT_OF_RANGE', path: 'surveys[0].ballast_tanks[0].volume_m3' },
  { name: 'LBP not positive', mutate: (r) => void (r.vessel.lbp_m = 0), code: 'SURVEY_VALUE_OUT_OF_RANGE', path: 'vessel.lbp_m' },
  { name: 'negative mark distance', mutate: (r) => void (r.vessel.marks.aft.distance_m = -3), code: 'SURVEY_VALUE_OUT_OF_RANGE', path: 'vessel.marks.aft.distance_m' },
  { name: 'surveys empty', mutate: (r) => void (r.surveys = []), code: 'SURVEY_NO_SURVEYS', path: 'surveys' },
  { name: 'surveys missing', mutate: (r) => void delete r.surveys, code: 'SURVEY_NO_SURVEYS', path: 'surveys' },
  { name: 'one reading missing', mutate: (r) => void delete r.surveys[1].readings_m.aft_port, code: 'SURVEY_READING_MISSING', path: 'surveys[1].readings_m.aft_port' },
  { name: 'one reading null', mutate: (r) => void (r.surveys[0].readings_m.mid_stbd = null), code: 'SURVEY_READING_MISSING', path: 'surveys[0].readings_m.mid_stbd' },
  { name: 'all readings missing', mutate: (r) => void delete r.surveys[0].readings_m, code: 'SURVEY_READING_MISSING', path: 'surveys[0].readings_m' },
  { name: 'reading of 30 m', mutate: (r) => void (r.surveys[1].readings_m.fwd_stbd = 30), code: 'SURVEY_READING_IMPLAUSIBLE', path: 'surveys[1].readings_m.fwd_stbd' },
  { name: 'reading of 0 m', mutate: (r) => void (r.surveys[0].readings_m.aft_port = 0), code: 'SURVEY_READING_IMPLAUSIBLE', path: 'surveys[0].readings_m.aft_port' },
  { name: 'LBP missing', mutate: (r) => void delete r.vessel.lbp_m, code: 'SURVEY_LBP_MISSING', path: 'vessel.lbp_m' },
  { name: 'mid mark declared nowhere', mutate: (r) => void delete r.vessel.marks.mid, code: 'SURVEY_MARKS_MISSING', path: 'vessel.marks.mid' },
  { name: 'no vessel marks and a survey without marks', mutate: (r) => void delete r.vessel.marks, code: 'SURVEY_MARKS_MISSING', path: 'vessel.marks.fwd' },
  { name: 'mark side missing', mutate: (r) => void delete r.vessel.marks.fwd.side, code: 'SURVEY_MARKS_MISSING', path: 'vessel.marks.fwd.side' },
  { name: 'survey mark distance missing', mutate: (r) => void (r.surveys[1].marks = { mid: { side: 'aft' } }), code: 'SURVEY_MARKS_MISSING', path: 'surveys[1].marks.mid.distance_m' },
  { name: 'mark at half the LBP', mutate: (r) => void (r.vessel.marks.fwd.distance_m = 50), code: 'SURVEY_MARKS_IMPLAUSIBLE', path: 'vessel.marks.fwd.distance_m' },
  { name: 'survey mark beyond half the LBP', mutate: (r) => void (r.surveys[1].marks = { aft: { distance_m: 60, side: 'forward' } }), code: 'SURVEY_MARKS_IMPLAUSIBLE', path: 'surveys[1].marks.aft.distance_m' },
  { name: 'LCF convention missing', mutate: (r) => void delete r.vessel.lcf, code: 'SURVEY_LCF_CONVENTION_MISSING', path: 'vessel.lcf' },
  { name: 'LCF direction missing', mutate: (r) => void delete r.vessel.lcf.positive, code: 'SURVEY_LCF_CONVENTION_MISSING', path: 'vessel.lcf.positive' },
  { name: 'LCF reference unknown', mutate: (r) => void (r.vessel.lcf.from = 'bow'), code: 'SURVEY_LCF_CONVENTION_INVALID', path: 'vessel.lcf.from' },
  { name: 'LCF direction unknown', mutate: (r) => void (r.vessel.lcf.positive = 'up'), code: 'SURVEY_LCF_CONVENTION_INVALID', path: 'vessel.lcf.positive' },
  { name: 'dock density missing', mutate: (r) => void delete r.surveys[1].dock_density_t_m3, code: 'SURVEY_DENSITY_MISSING', path: 'surveys[1].dock_density_t_m3' },
  { name: 'dock density 1.041', mutate: (r) => void (r.surveys[0].dock_density_t_m3 = 1.041), code: 'SURVEY_DENSITY_OUT_OF_RANGE', path: 'surveys[0].dock_density_t_m3' },
  { name: 'dock density 0.989', mutate: (r) => void (r.surveys[1].dock_density_t_m3 = 0.989), code: 'SURVEY_DENSITY_OUT_OF_RANGE', path: 'surveys[1].dock_density_t_m3' },
  { name: 'dock density in kg/m³ by mistake', mutate: (r) => void (r.surveys[0].dock_density_t_m3 = 1018.5), code: 'SURVEY_DENSITY_OUT_OF_RANGE', path: 'surveys[0].dock_density_t_m3' },
  { name: 'table density 1.1', mutate: (r) => void (r.vessel.table_density_t_m3 = 1.1), code: 'SURVEY_DENSITY_OUT_OF_RANGE', path: 'vessel.table_density_t_m3' },
  { name: 'no table anywhere', mutate: (r) => void delete r.vessel.hydrostatics, code: 'SURVEY_HYDROSTATICS_MISSING', path: 'surveys[0].hydrostatic_rows' },
  { name: 'empty vessel table', mutate: (r) => void (r.vessel.hydrostatics = []), code: 'SURVEY_HYDROSTATICS_MISSING', path: 'vessel.hydrostatics' },
  { name: 'rows out of order', mutate: (r) => void r.vessel.hydrostatics.reverse(), code: 'SURVEY_TABLE_NOT_SORTED', path: 'vessel.hydrostatics[1].draft_m' },
  { name: 'repeated draft in survey rows', mutate: (r) => void (r.surveys[1].hydrostatic_rows = [r.vessel.hydrostatics[1], r.vessel.hydrostatics[2], r.vessel.hydrostatics[2]]), code: 'SURVEY_TABLE_NOT_SORTED', path: 'surveys[1].hydrostatic_rows[2].draft_m' },
  { name: 'MTC absent where it must be interpolated', mutate: (r) => void delete r.vessel.hydrostatics[2].mtc_tm_cm, code: 'SURVEY_MTC_MISSING', path: 'vessel.hydrostatics[2].mtc_tm_cm' },
  { name: 'MTC pair upside down', mutate: (r) => void (r.surveys[0].mtc_pair = { plus: { draft_m: 4.5, mtc_tm_cm: 105 }, minus: { draft_m: 5.5, mtc_tm_cm: 120 } }), code: 'SURVEY_MTC_PAIR_INVALID', path: 'surveys[0].mtc_pair.plus.draft_m' },
  { name: 'QM above the table', mutate: (r) => setReadings(r, 1, 7.2), code: 'SURVEY_QM_OUTSIDE_TABLE', path: 'surveys[1].readings_m' },
  { name: 'QM − 0.5 m below the table', mutate: (r) => setReadings(r, 0, 4.3), code: 'SURVEY_QM_OUTSIDE_TABLE', path: 'surveys[0].mtc_pair' },
  { name: 'duplicate survey id', mutate: (r) => void (r.surveys[1].id = 'initial'), code: 'SURVEY_DUPLICATE_ID', path: 'surveys[1].id' },
  { name: 'cargo names an unknown survey', mutate: (r) => void (r.cargo = [{ from: 'initial', to: 'fnial' }]), code: 'SURVEY_UNKNOWN_SURVEY', path: 'cargo[0].to' },
  { name: 'cargo from an unknown survey', mutate: (r) => void (r.cargo = [{ from: 'final', to: 'initial' }, { from: 'arrival', to: 'final' }]), code: 'SURVEY_UNKNOWN_SURVEY', path: 'cargo[1].from' },
  { name: 'IMO of six digits', mutate: (r) => void (r.vessel.imo = '907472'), code: 'SURVEY_IMO_FORMAT', path: 'vessel.imo' },
  { name: 'IMO with a wrong check digit', mutate: (r) => void (r.vessel.imo = '9074728'), code: 'SURVEY_IMO_CHECK_DIGIT', path: 'vessel.imo' },
  { name: 'unknown rounding mode', mutate: (r) => void (r.rounding = 'form2'), code: 'SURVEY_ROUNDING_INVALID', path: 'rounding' },
  { name: 'unknown rounding line', mutate: (r) => void (r.rounding = { quarter_mean: 3, draft: 3 }), code: 'SURVEY_ROUNDING_INVALID', path: 'rounding.draft' },
  { name: 'fractional decimals', mutate: (r) => void (r.rounding = { net: 1.5 }), code: 'SURVEY_ROUNDING_INVALID', path: 'rounding.net' },
];

/** Codes only the command line can produce, or that signal a bug. */
const NOT_FROM_A_CASE: SurveyErrorCode[] = ['SURVEY_USAGE', 'SURVEY_FILE_UNREADABLE', 'SURVEY_JSON_INVALID', 'SURVEY_INTERNAL'];

describe('every documented error has its code and path', () => {
  test('the unmodified case is valid', () => {
    assert.equal(evaluateCase(smallCase()).ok, true);
  });

  for (const c of CASES) {
    test(`${c.name} → ${c.code} at ${c.path}`, () => {
      const raw = smallCase();
      const replaced = c.mutate(raw);
      const evaluation = evaluateCase(replaced === undefined ? raw : replaced);
      assert.equal(evaluation.ok, false);
      if (evaluation.ok) return;
      const first = evaluation.errors[0]!;
      assert.deepEqual({ code: first.code, path: first.path }, { code: c.code, path: c.path }, JSON.stringify(evaluation.errors));
      assert.ok(first.message.length > 10, 'a message a person can act on');
    });
  }

  test('the table above covers every code a case file can produce', () => {
    const covered = new Set(CASES.map((c) => c.code));
    const expected = (Object.keys(SURVEY_ERROR_CODES) as SurveyErrorCode[]).filter((code) => !NOT_FROM_A_CASE.includes(code));
    assert.deepEqual(expected.filter((code) => !covered.has(code)), []);
  });
});

describe('validateCase', () => {
  test('reports every schema mistake, not only the first', () => {
    const raw = smallCase();
    delete raw.surveys[0].readings_m.fwd_port;
    raw.surveys[1].dock_density_t_m3 = 2;
    const validation = validateCase(raw);
    assert.equal(validation.ok, false);
    if (validation.ok) return;
    assert.deepEqual(
      validation.errors.map((e) => e.path),
      ['surveys[0].readings_m.fwd_port', 'surveys[1].dock_density_t_m3'],
    );
  });

  test('fills the defaults and parses the rounding spec', () => {
    const raw = smallCase();
    delete raw.vessel.table_density_t_m3;
    delete raw.vessel.keel_plate_m;
    raw.rounding = { net: 1 };
    const validation = validateCase(raw);
    assert.ok(validation.ok);
    assert.equal(validation.case.vessel.table_density_t_m3, 1.025);
    assert.equal(validation.case.vessel.keel_plate_m, 0);
    assert.deepEqual(validation.case.rounding, { net: 1 });
    assert.deepEqual(validation.case.surveys[1]!.ballast_tanks, []);
  });

  test('IMO accepted with an "IMO" prefix or as a number; unknown fields ignored', () => {
    for (const imo of ['IMO 9074729', 'imo9074729', 9074729]) {
      const raw = smallCase();
      raw.vessel.imo = imo;
      raw.surveys[0].operator = 'inspector 7';
      assert.equal(validateCase(raw).ok, true, String(imo));
    }
  });
});
