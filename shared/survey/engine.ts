/**
 * The draft-survey calculation (UN/ECE Form C order; draft-survey.md §3), line by line.
 *
 * Sign conventions (all internal values):
 *   trim > 0           ⇒ by the stern (t = A − F);
 *   mark offset x > 0  ⇒ the mark lies forward of its reference (FP / midship / AP);
 *   LCF > 0            ⇒ aft of midship (converted from the table's declared convention);
 *   hog/sag δ > 0      ⇒ sag (midship deeper than the mean of the ends).
 *
 * draft-survey.md and the format document agree on these signs. The format declares each mark as
 * a distance plus the side of its reference it lies on; marks.ts maps that onto the signed x of
 * draft-survey.md §3. Output follows the format document (LCF reported from midship, + aft).
 *
 * Each Form C line goes through the rounder (rounding.ts) and the rounded value is what the next
 * line uses, so "form3" reproduces a paper form. Additions and the exact divisions (means, quarter
 * mean) are exact decimal; products and quotients are doubles (decimal.ts explains why).
 */
import { DEFAULT_TABLE_DENSITY_T_M3, RESULT_FORMAT, validateCase, type SurveyCase, type Survey, type Vessel } from './case-schema.js';
import { decAdd, decDivPow2, decMulInt, decShift, decSub, exactDiff, exactMean, exactNeg, exactSum, fromDecimal, toDecimal } from './decimal.js';
import { SurveyCaseError, type SurveyIssue } from './errors.js';
import { bracket, valueAt, type Bracket, type HydrostaticRow } from './hydrostatics.js';
import { lcfFromMidshipAft } from './lcf.js';
import { effectiveMarks, signedOffset, type MarkPosition, type MarkStation } from './marks.js';
import { lineRounder, type LineRounder, type RoundingSpec } from './rounding.js';

/** Warning thresholds (draft-survey.md §2.1, §7). */
export const LIST_WARNING_DEG = 0.5;
export const DEFAULT_HOG_SAG_WARNING_CM = 5;
/** Plausibility band for dock water (§7); outside it (but inside the hard 0.990–1.040 limits) is a warning. */
export const DENSITY_WARNING_BAND_T_M3 = { min: 0.995, max: 1.035 } as const;
/** An MTC pair read further than this from QM ± 0.5 m is flagged. */
export const MTC_PAIR_TOLERANCE_M = 0.25;

/** The output lines of one survey, in the order of the result format. */
export interface SurveyValues {
  mean_fwd_m: number;
  mean_mid_m: number;
  mean_aft_m: number;
  lbm_m: number;
  trim_apparent_m: number;
  corr_fwd_m: number;
  corr_mid_m: number;
  corr_aft_m: number;
  draft_fp_m: number;
  draft_mid_m: number;
  draft_ap_m: number;
  trim_true_m: number;
  hog_sag_cm: number;
  quarter_mean_m: number;
  displacement_table_t: number;
  tpc_t_cm: number;
  lcf_m: number;
  mtc_plus_tm_cm: number;
  mtc_minus_tm_cm: number;
  first_trim_corr_t: number;
  second_trim_corr_t: number;
  list_corr_t: number;
  displacement_trim_corrected_t: number;
  density_corr_t: number;
  displacement_density_corrected_t: number;
  total_deductibles_t: number;
  net_displacement_t: number;
  true_constant_t?: number;
}

export interface SurveyResult {
  id: string;
  values: SurveyValues;
  warnings: string[];
}

export interface CargoResult {
  from: string;
  to: string;
  cargo_t: number;
}

export interface CaseResult {
  format: typeof RESULT_FORMAT;
  rounding: RoundingSpec;
  surveys: SurveyResult[];
  cargo: CargoResult[];
}

export interface SurveyOptions {
  round: LineRounder;
  hogSagWarningCm?: number;
}

/** Computes every line of survey `index` of a validated case. Throws SurveyCaseError when the table cannot serve it. */
export function computeSurvey(c: SurveyCase, index: number, options: SurveyOptions): SurveyResult {
  const survey = c.surveys[index];
  if (!survey) throw new RangeError(`no survey at index ${index}`);
  const vessel = c.vessel;
  const round = options.round;
  const at = `surveys[${index}]`;
  const warnings: string[] = [];
  const r = survey.readings_m;

  // 1. Side means (131, 138, 147).
  const meanFwd = round('mean_drafts', exactMean(r.fwd_port, r.fwd_stbd));
  const meanMid = round('mean_drafts', exactMean(r.mid_port, r.mid_stbd));
  const meanAft = round('mean_drafts', exactMean(r.aft_port, r.aft_stbd));

  // 2. Length between marks: LBM = LBP + x_f − x_a.
  const marks = effectiveMarks(vessel.marks, survey.marks);
  const xFwd = signedOffset(requireMark(marks.fwd, 'fwd', at));
  const xMid = signedOffset(requireMark(marks.mid, 'mid', at));
  const xAft = signedOffset(requireMark(marks.aft, 'aft', at));
  const lbm = round('lbm', exactSum(vessel.lbp_m, xFwd, exactNeg(xAft)));

  // 3. Apparent trim, + by the stern.
  const trimApparent = round('trim', exactDiff(meanAft, meanFwd));

  // 4. Corrections to the perpendiculars and midship: c = x·t/LBM. The draft at a reference lying
  //    |x| aft of a mark (x > 0) is deeper by |x|·t/LBM when trimmed by the stern; so a forward mark
  //    aft of the FP (x_f < 0) with stern trim gives c_f < 0, an aft mark forward of the AP gives c_a > 0.
  const corrFwd = round('corrections', (xFwd * trimApparent) / lbm);
  const corrMid = round('corrections', (xMid * trimApparent) / lbm);
  const corrAft = round('corrections', (xAft * trimApparent) / lbm);

  // 5. Drafts at FP, midship, AP, less the keel plate.
  const keel = vessel.keel_plate_m;
  const draftFp = round('corrected_drafts', exactSum(meanFwd, corrFwd, exactNeg(keel)));
  const draftMid = round('corrected_drafts', exactSum(meanMid, corrMid, exactNeg(keel)));
  const draftAp = round('corrected_drafts', exactSum(meanAft, corrAft, exactNeg(keel)));

  // 6. True trim (155).
  const trimTrue = round('trim', exactDiff(draftAp, draftFp));

  // 7. Hog/sag (150), in cm: δ = M' − (F' + A')/2, + sag. Not a rounded line.
  const hogSagCm = hogSagInCm(draftFp, draftMid, draftAp);
  const hogSagLimit = options.hogSagWarningCm ?? DEFAULT_HOG_SAG_WARNING_CM;
  if (Math.abs(hogSagCm) > hogSagLimit) {
    warnings.push(`SURVEY_WARN_HOG_SAG: ${hogSagCm > 0 ? 'sag' : 'hog'} of ${Math.abs(hogSagCm)} cm exceeds ${hogSagLimit} cm; check the midship readings and the loading`);
  }

  // 8. Quarter mean (151–154): (F' + 6M' + A')/8, one line, rounded once.
  const quarterMean = round('quarter_mean', quarterMeanOf(draftFp, draftMid, draftAp));

  // 9. Hydrostatics at QM; LCF converted to "from midship, + aft".
  const table = tableFor(c, survey, index);
  const qmBracket = bracket(table.rows, quarterMean);
  if (!qmBracket.inside) {
    throw new SurveyCaseError({
      code: 'SURVEY_QM_OUTSIDE_TABLE',
      path: `${at}.readings_m`,
      message: `quarter mean ${quarterMean} m of survey "${survey.id}" lies outside ${table.path} (${qmBracket.first}–${qmBracket.last} m); the table is never extrapolated`,
    });
  }
  const displacement = round('displacement', valueAt(table.rows, qmBracket, quarterMean, (row) => row.displacement_t));
  const tpc = round('tpc', valueAt(table.rows, qmBracket, quarterMean, (row) => row.tpc_t_cm));
  const lcf = round('lcf', valueAt(table.rows, qmBracket, quarterMean, (row) => row.lcf_m));

  // 10–11. MTC at about QM ± 0.5 m and dM/dZ per metre over the pair's actual drafts.
  const mtc = mtcPair(survey, index, quarterMean, table, warnings);
  const mtcPlus = round('mtc', mtc.plus);
  const mtcMinus = round('mtc', mtc.minus);
  const dmdz = round('dmdz', exactDiff(mtcPlus, mtcMinus) / exactDiff(mtc.plusDraft, mtc.minusDraft));

  // 1st trim correction: C1 = T·TPC·LCF·100/LBP. T > 0 by the stern and LCF > 0 aft give C1 > 0:
  // stern trim pivots about the LCF, so an LCF aft of midship is deeper than the midship draft the
  // table was read at (Chinese sheets: 漂心在舯后，仰则加；漂心在舯前，仰则减).
  const firstTrim = round('first_trim', (trimTrue * tpc * lcf * 100) / vessel.lbp_m);
  // 2nd trim correction (Nemoto): C2 = 50·T²·(dM/dZ)/LBP, ≥ 0 for normal hulls.
  const secondTrim = round('second_trim', (50 * trimTrue * trimTrue * dmdz) / vessel.lbp_m);
  if (secondTrim < 0) {
    warnings.push(`SURVEY_WARN_SECOND_TRIM_NEGATIVE: second trim correction ${secondTrim} t is negative (MTC decreases with draft around QM); check the MTC values`);
  }

  // 12. List correction, only when the TPC at each side's draft is given: 6·|d_P − d_S|·|TPC_P − TPC_S|.
  const listM = Math.abs(exactDiff(r.mid_port, r.mid_stbd));
  const listCorr = survey.list_tpc_t_cm
    ? round('list', 6 * listM * Math.abs(exactDiff(survey.list_tpc_t_cm.port, survey.list_tpc_t_cm.stbd)))
    : 0;
  listWarnings(vessel, survey, listM, warnings);

  // 13. Displacement corrected for trim and list, at table density.
  const trimCorrected = round('trim_corrected_displacement', exactSum(displacement, firstTrim, secondTrim, listCorr));

  // 14. Density: Δρ = Δ_T·ρ/ρ_t; the correction is the difference of the two lines.
  const tableDensity = vessel.table_density_t_m3 ?? DEFAULT_TABLE_DENSITY_T_M3;
  const densityCorrected = round('density_corrected_displacement', (trimCorrected * survey.dock_density_t_m3) / tableDensity);
  const densityCorr = round('density_correction', exactDiff(densityCorrected, trimCorrected));
  densityWarnings(survey, warnings);

  // 15–16. Deductibles (all named items, plus each ballast tank's volume × density) and net.
  const tankWeights = survey.ballast_tanks.map((tank) => round('ballast_tank', tank.volume_m3 * tank.density_t_m3));
  const totalDeductibles = exactSum(...Object.values(survey.deductibles_t), ...tankWeights);
  const net = round('net', exactDiff(densityCorrected, totalDeductibles));


  return {
    id: survey.id,
    values: {
      mean_fwd_m: meanFwd,
      mean_mid_m: meanMid,
      mean_aft_m: meanAft,
      lbm_m: lbm,
      trim_apparent_m: trimApparent,
      corr_fwd_m: corrFwd,
      corr_mid_m: corrMid,
      corr_aft_m: corrAft,
      draft_fp_m: draftFp,
      draft_mid_m: draftMid,
      draft_ap_m: draftAp,
      trim_true_m: trimTrue,
      hog_sag_cm: hogSagCm,
      quarter_mean_m: quarterMean,
      displacement_table_t: displacement,
      tpc_t_cm: tpc,
      lcf_m: lcf,
      mtc_plus_tm_cm: mtcPlus,
      mtc_minus_tm_cm: mtcMinus,
      first_trim_corr_t: firstTrim,
      second_trim_corr_t: secondTrim,
      list_corr_t: listCorr,
      displacement_trim_corrected_t: trimCorrected,
      density_corr_t: densityCorr,
      displacement_density_corrected_t: densityCorrected,
      total_deductibles_t: totalDeductibles,
      net_displacement_t: net,
    },
    warnings,
  };
}

/** Computes every survey, the true constant of the first (when the lightship is given) and the cargo pairs. */
export function computeCase(c: SurveyCase): CaseResult {
  const options: SurveyOptions = { round: lineRounder(c.rounding) };
  if (c.thresholds?.hog_sag_cm !== undefined) options.hogSagWarningCm = c.thresholds.hog_sag_cm;
  const surveys = c.surveys.map((_, i) => computeSurvey(c, i, options));

  const first = surveys[0];
  if (first && c.vessel.lightship_t !== undefined) {
    first.values.true_constant_t = exactDiff(first.values.net_displacement_t, c.vessel.lightship_t);
  }

  const netById = new Map(surveys.map((s) => [s.id, s.values.net_displacement_t]));
  const pairs = c.cargo ?? surveys.slice(1).map((s) => ({ from: surveys[0]!.id, to: s.id }));
  const cargo = pairs.map((pair, k) => {
    const from = netById.get(pair.from);
    const to = netById.get(pair.to);
    if (from === undefined || to === undefined) {
      throw new SurveyCaseError({ code: 'SURVEY_UNKNOWN_SURVEY', path: `cargo[${k}]`, message: `cargo pair ${pair.from} → ${pair.to} names an unknown survey` });
    }
    return { from: pair.from, to: pair.to, cargo_t: exactDiff(to, from) };
  });

  return { format: RESULT_FORMAT, rounding: c.rounding, surveys, cargo };
}

export type CaseEvaluation = { ok: true; result: CaseResult } | { ok: false; errors: SurveyIssue[] };

/** Validate a parsed JSON case file, then compute it. Never throws for a bad case. */
export function evaluateCase(raw: unknown): CaseEvaluation {
  const validation = validateCase(raw);
  if (!validation.ok) return validation;
  try {
    return { ok: true, result: computeCase(validation.case) };
  } catch (error) {
    if (error instanceof SurveyCaseError) return { ok: false, errors: [error.issue] };
    throw error;
  }
}

// ---- helpers ----

function requireMark(mark: Partial<MarkPosition> | undefined, station: MarkStation, at: string): MarkPosition {
  if (mark?.distance_m === undefined || mark.side === undefined) {
    throw new SurveyCaseError({ code: 'SURVEY_MARKS_MISSING', path: `${at}.marks.${station}`, message: `no ${station} draft-mark position for this survey` });
  }
  return { distance_m: mark.distance_m, side: mark.side };
}

/** 100·(M' − (F' + A')/2), exact decimal. */
function hogSagInCm(fp: number, mid: number, ap: number): number {
  const endsMean = decDivPow2(decAdd(toDecimal(fp), toDecimal(ap)), 1);
  return fromDecimal(decShift(decSub(toDecimal(mid), endsMean), 2));
}

/** (F' + 6·M' + A')/8, exact decimal. */
function quarterMeanOf(fp: number, mid: number, ap: number): number {
  const sum = decAdd(decAdd(toDecimal(fp), decMulInt(toDecimal(mid), 6)), toDecimal(ap));
  return fromDecimal(decDivPow2(sum, 3));
}

interface Table {
  rows: HydrostaticRow[]; // LCF already from midship, + aft
  path: string;
}

function tableFor(c: SurveyCase, survey: Survey, index: number): Table {
  const own = survey.hydrostatic_rows;
  const rows = own ?? c.vessel.hydrostatics;
  const path = own ? `surveys[${index}].hydrostatic_rows` : 'vessel.hydrostatics';
  if (!rows) {
    throw new SurveyCaseError({ code: 'SURVEY_HYDROSTATICS_MISSING', path: `surveys[${index}].hydrostatic_rows`, message: 'no hydrostatic rows for this survey' });
  }
  const converted = rows.map((row) => ({ ...row, lcf_m: lcfFromMidshipAft(row.lcf_m, c.vessel.lcf, c.vessel.lbp_m) }));
  return { rows: converted, path };
}

interface MtcReadings {
  plus: number;
  minus: number;
  plusDraft: number;
  minusDraft: number;
}

function mtcPair(survey: Survey, index: number, quarterMean: number, table: Table, warnings: string[]): MtcReadings {
  const at = `surveys[${index}]`;
  const plusDraft = exactSum(quarterMean, 0.5);
  const minusDraft = exactDiff(quarterMean, 0.5);
  if (survey.mtc_pair) {
    const { plus, minus } = survey.mtc_pair;
    const offBy = Math.max(Math.abs(exactDiff(plus.draft_m, plusDraft)), Math.abs(exactDiff(minus.draft_m, minusDraft)));
    if (offBy > MTC_PAIR_TOLERANCE_M) {
      warnings.push(`SURVEY_WARN_MTC_PAIR_DRAFTS: the MTC pair was read at ${minus.draft_m} / ${plus.draft_m} m, more than ${MTC_PAIR_TOLERANCE_M} m from QM ± 0.5 m (${minusDraft} / ${plusDraft} m)`);
    }
    return { plus: plus.mtc_tm_cm, minus: minus.mtc_tm_cm, plusDraft: plus.draft_m, minusDraft: minus.draft_m };
  }
  return {
    plus: mtcAt(table, plusDraft, 'QM + 0.5 m', at),
    minus: mtcAt(table, minusDraft, 'QM − 0.5 m', at),
    plusDraft,
    minusDraft,
  };
}

function mtcAt(table: Table, draft: number, label: string, at: string): number {
  const b: Bracket = bracket(table.rows, draft);
  if (!b.inside) {
    throw new SurveyCaseError({
      code: 'SURVEY_QM_OUTSIDE_TABLE',
      path: `${at}.mtc_pair`,
      message: `${label} = ${draft} m lies outside ${table.path} (${b.first}–${b.last} m); give an mtc_pair or more rows; the table is never extrapolated`,
    });
  }
  for (const i of [b.lower, b.upper]) {
    if (table.rows[i]!.mtc_tm_cm === undefined) {
      throw new SurveyCaseError({ code: 'SURVEY_MTC_MISSING', path: `${table.path}[${i}].mtc_tm_cm`, message: `MTC at ${label} needs this row's mtc_tm_cm (or give an mtc_pair)` });
    }
  }
  return valueAt(table.rows, b, draft, (row) => row.mtc_tm_cm!);
}

function listWarnings(vessel: Vessel, survey: Survey, listM: number, warnings: string[]): void {
  if (vessel.breadth_m === undefined) return;
  const listDeg = (Math.atan(listM / vessel.breadth_m) * 180) / Math.PI;
  if (listDeg > LIST_WARNING_DEG) {
    warnings.push(
      `SURVEY_WARN_LIST: list of ${listDeg.toFixed(2)}° (midship port/stbd differ by ${listM} m) exceeds ${LIST_WARNING_DEG}°` +
        (survey.list_tpc_t_cm ? '' : '; no list correction applied (give list_tpc_t_cm)'),
    );
  }
}

function densityWarnings(survey: Survey, warnings: string[]): void {
  const rho = survey.dock_density_t_m3;
  if (rho < DENSITY_WARNING_BAND_T_M3.min || rho > DENSITY_WARNING_BAND_T_M3.max) {
    warnings.push(`SURVEY_WARN_DENSITY: dock density ${rho} t/m³ lies outside the usual ${DENSITY_WARNING_BAND_T_M3.min}–${DENSITY_WARNING_BAND_T_M3.max} t/m³; check the hydrometer and its basis (in air)`);
  }
}
