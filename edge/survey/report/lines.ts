/**
 * The lines of the displacement calculation (排水量计算单 / UN/ECE Form C) as the report prints
 * them: Chinese label, English label, unit, Form C line number, and which rounding line of the
 * case format governs the value (so a rounded case prints exactly the digits the engine kept).
 */
import type { SurveyValues } from '../../../shared/survey/engine.js';
import type { RoundingLine, RoundingSpec } from '../../../shared/survey/rounding.js';
import { roundHalfAwayFromZero } from '../../../shared/survey/rounding.js';

export interface LineDef {
  key: keyof SurveyValues;
  zh: string;
  en: string;
  unit: string;
  /** UN/ECE Form C line(s), where the form has one. */
  form?: string;
  /** Decimals shown when the case computes at full precision. */
  decimals: number;
  rounding?: RoundingLine;
  /** Drawn emphasised (results). */
  strong?: boolean;
}

export const COMPUTATION_LINES: readonly LineDef[] = [
  { key: 'mean_fwd_m', zh: '首平均吃水', en: 'Mean forward draft', unit: 'm', form: '131', decimals: 4, rounding: 'mean_drafts' },
  { key: 'mean_mid_m', zh: '舯平均吃水', en: 'Mean midship draft', unit: 'm', form: '138', decimals: 4, rounding: 'mean_drafts' },
  { key: 'mean_aft_m', zh: '尾平均吃水', en: 'Mean aft draft', unit: 'm', form: '147', decimals: 4, rounding: 'mean_drafts' },
  { key: 'lbm_m', zh: '首尾水尺标记间距', en: 'Length between marks (LBM)', unit: 'm', decimals: 3, rounding: 'lbm' },
  { key: 'trim_apparent_m', zh: '表观吃水差 (+尾倾)', en: 'Apparent trim (+ by the stern)', unit: 'm', decimals: 4, rounding: 'trim' },
  { key: 'corr_fwd_m', zh: '首水尺距离校正', en: 'Correction to the FP', unit: 'm', form: '133–134', decimals: 4, rounding: 'corrections' },
  { key: 'corr_mid_m', zh: '舯水尺距离校正', en: 'Correction to midship', unit: 'm', form: '140–141', decimals: 4, rounding: 'corrections' },
  { key: 'corr_aft_m', zh: '尾水尺距离校正', en: 'Correction to the AP', unit: 'm', form: '148–149', decimals: 4, rounding: 'corrections' },
  { key: 'draft_fp_m', zh: '首垂线处吃水 F′', en: "Draft at the FP (F')", unit: 'm', decimals: 4, rounding: 'corrected_drafts' },
  { key: 'draft_mid_m', zh: '舯部吃水 M′', en: "Draft at midship (M')", unit: 'm', decimals: 4, rounding: 'corrected_drafts' },
  { key: 'draft_ap_m', zh: '尾垂线处吃水 A′', en: "Draft at the AP (A')", unit: 'm', decimals: 4, rounding: 'corrected_drafts' },
  { key: 'trim_true_m', zh: '实际吃水差 (+尾倾)', en: 'True trim (+ by the stern)', unit: 'm', form: '155', decimals: 4, rounding: 'trim' },
  { key: 'hog_sag_cm', zh: '拱陷 (+中垂 / −中拱)', en: 'Sag (+) / hog (−)', unit: 'cm', form: '150', decimals: 2 },
  { key: 'quarter_mean_m', zh: '拱陷校正后平均吃水', en: "Quarter mean (F'+6M'+A')/8", unit: 'm', form: '151–154', decimals: 4, rounding: 'quarter_mean', strong: true },
  { key: 'displacement_table_t', zh: '对应排水量 (表载密度)', en: 'Displacement from the table', unit: 't', form: '160', decimals: 3, rounding: 'displacement' },
  { key: 'tpc_t_cm', zh: '每厘米吃水吨数 TPC', en: 'Tonnes per cm immersion', unit: 't/cm', decimals: 3, rounding: 'tpc' },
  { key: 'lcf_m', zh: '漂心距舯 (+舯后)', en: 'LCF from midship (+ aft)', unit: 'm', decimals: 3, rounding: 'lcf' },
  { key: 'mtc_plus_tm_cm', zh: '每厘米纵倾力矩 MTC (QM+0.5 m)', en: 'MTC at QM + 0.5 m', unit: 't·m/cm', decimals: 3, rounding: 'mtc' },
  { key: 'mtc_minus_tm_cm', zh: '每厘米纵倾力矩 MTC (QM−0.5 m)', en: 'MTC at QM − 0.5 m', unit: 't·m/cm', decimals: 3, rounding: 'mtc' },
  { key: 'first_trim_corr_t', zh: '第一次纵倾校正', en: 'First trim correction', unit: 't', form: '162', decimals: 3, rounding: 'first_trim' },
  { key: 'second_trim_corr_t', zh: '第二次纵倾校正 (根本氏)', en: 'Second trim correction (Nemoto)', unit: 't', form: '163', decimals: 3, rounding: 'second_trim' },
  { key: 'list_corr_t', zh: '横倾校正', en: 'List correction', unit: 't', decimals: 3, rounding: 'list' },
  { key: 'displacement_trim_corrected_t', zh: '纵倾校正后排水量', en: 'Displacement corrected for trim', unit: 't', decimals: 3, rounding: 'trim_corrected_displacement' },
  { key: 'density_corr_t', zh: '港水密度校正', en: 'Dock-water density correction', unit: 't', form: '164', decimals: 3, rounding: 'density_correction' },
  { key: 'displacement_density_corrected_t', zh: '港水密度校正后排水量', en: 'Displacement at dock density', unit: 't', decimals: 3, rounding: 'density_corrected_displacement', strong: true },
];

export const RESULT_LINES: readonly LineDef[] = [
  { key: 'total_deductibles_t', zh: '船用物料合计', en: 'Total deductibles', unit: 't', decimals: 3 },
  { key: 'net_displacement_t', zh: '净排水量', en: 'Net displacement', unit: 't', form: '170', decimals: 3, rounding: 'net', strong: true },
  { key: 'true_constant_t', zh: '船舶常数', en: 'Constant (net − lightship)', unit: 't', decimals: 3 },
];

export const DEDUCTIBLE_NAMES: Readonly<Record<string, string>> = {
  ballast: '压载水',
  fresh_water: '淡水',
  fuel_oil: '燃油',
  diesel_oil: '柴油',
  lube_oil: '滑油',
  others: '其他',
  other: '其他',
  bilge: '污水',
  sludge: '油渣',
  stores: '物料',
};

/** Decimals a line is printed with: the rounding spec's, else the line's default. */
export function decimalsFor(line: Pick<LineDef, 'decimals' | 'rounding'>, spec: RoundingSpec): number {
  if (!line.rounding || spec === 'none') return line.decimals;
  if (spec === 'form3') return 3;
  return spec[line.rounding] ?? line.decimals;
}

/** Fixed-point text, rounded half away from zero on the printed value. */
export function fixed(value: number, decimals: number): string {
  const rounded = roundHalfAwayFromZero(value, decimals);
  return (rounded === 0 ? 0 : rounded).toFixed(decimals);
}
