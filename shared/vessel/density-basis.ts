/**
 * The seawater density monitor (海水密度动态监测设备) → the draft survey's density basis, with every
 * step shown; salinity for the ballast-exchange flag; and the choice between the monitor and a
 * manual hydrometer value (which needs a reason).
 *
 * The survey needs the dock-water density as a draught-survey hydrometer reads it: t/m³ IN AIR at
 * the IN-SITU temperature (draft-survey.md §2.3, §5.2):
 *     ρ_survey = ρ_in-vacuo,in-situ / 1000 − 0.0011
 * A monitor that reports density reduced to a reference temperature (15 or 20 °C) is first brought
 * back to the in-situ temperature through EOS-80: S = salinity(ρ_ref, T_ref), ρ_in-situ = ρ(S, t).
 * A silent 0.0011 offset biases every displacement by 0.107 %.
 */
import { exactDiff, exactShift, exactSum } from '../survey/decimal.js';
import {
  AIR_BUOYANCY_T_M3,
  salinityFromDensity,
  seawaterDensity,
  type TemperatureScale,
} from '../survey/eos80.js';
import { roundHalfAwayFromZero } from '../survey/rounding.js';
import type { Result } from './errors.js';

/** Where a density value stands: in vacuo or in air, at the in-situ temperature or reduced to a reference one. */
export type DensityBasis =
  | { medium: 'vacuo' | 'air'; temperature: 'in_situ' }
  | { medium: 'vacuo' | 'air'; temperature: 'reference'; reference_c: number };

export interface MonitorReading {
  /** The monitor's density, kg/m³. */
  density_kg_m3: number;
  basis: DensityBasis;
  /** In-situ water temperature, °C: required for a reference-temperature basis and for salinity. */
  temperature_c?: number;
  /** Scale of the temperatures; modern sensors report ITS-90 (default). */
  temperature_scale?: TemperatureScale;
}

export interface ConversionStep {
  /** Chinese label, then English, for the UI and the report. */
  label_zh: string;
  label_en: string;
  formula: string;
  value: number;
  unit: string;
}

export interface DensityConversion {
  reading: MonitorReading;
  steps: ConversionStep[];
  /** In-situ density in vacuo, kg/m³. */
  in_situ_vacuo_kg_m3: number;
  /** The survey density: t/m³ in air, in situ (what the engine's dock_density_t_m3 takes). */
  survey_density_t_m3: number;
  /** The same rounded to a hydrometer's 0.0005 graduation, for comparison with a manual reading. */
  hydrometer_equivalent_t_m3: number;
  /** Practical salinity when the temperature is known. */
  salinity_psu?: number;
}

/** Plausible monitor readings, kg/m³ (fresh water to hypersaline). */
export const MONITOR_DENSITY_LIMITS_KG_M3 = { min: 990, max: 1045 } as const;

function invalid(message: string): { ok: false; error: { code: 'DENSITY_READING_INVALID'; message: string } } {
  return { ok: false, error: { code: 'DENSITY_READING_INVALID', message } };
}

/** Rounds to the nearest 0.0005 (half away from zero on the printed value). */
export function toHydrometerGraduation(t_m3: number): number {
  return roundHalfAwayFromZero(roundHalfAwayFromZero(t_m3 * 2, 3) / 2, 4);
}

export function surveyDensityFromMonitor(reading: MonitorReading): Result<DensityConversion> {
  const rho = reading.density_kg_m3;
  if (!Number.isFinite(rho) || rho < MONITOR_DENSITY_LIMITS_KG_M3.min || rho > MONITOR_DENSITY_LIMITS_KG_M3.max) {
    return invalid(`monitor density ${rho} kg/m³ lies outside ${MONITOR_DENSITY_LIMITS_KG_M3.min}–${MONITOR_DENSITY_LIMITS_KG_M3.max} kg/m³`);
  }
  const t = reading.temperature_c;
  if (t !== undefined && !Number.isFinite(t)) return invalid(`temperature ${t} °C is not a number`);
  const scale = reading.temperature_scale ?? 'ITS-90';
  const airKg = exactShift(AIR_BUOYANCY_T_M3, 3); // 1.1 kg/m³
  const steps: ConversionStep[] = [];
  const basis = reading.basis;
  const where = basis.temperature === 'in_situ' ? 'in situ' : `at ${basis.reference_c} °C`;
  steps.push({ label_zh: '密度计读数', label_en: `monitor reading (${basis.medium === 'vacuo' ? 'in vacuo' : 'in air'}, ${where})`, formula: 'ρ', value: rho, unit: 'kg/m³' });

  let vacuo = rho;
  if (basis.medium === 'air') {
    vacuo = exactSum(rho, airKg);
    steps.push({ label_zh: '换算为真空密度', label_en: 'to density in vacuo', formula: `${rho} + ${airKg}`, value: vacuo, unit: 'kg/m³' });
  }

  let salinity: number | undefined;
  let inSitu = vacuo;
  try {
    if (basis.temperature === 'reference') {
      if (t === undefined) return invalid('a density reduced to a reference temperature needs the in-situ temperature to be converted back');
      salinity = salinityFromDensity(vacuo, basis.reference_c, scale);
      steps.push({ label_zh: '盐度 (EOS-80 反算)', label_en: `practical salinity from ρ at ${basis.reference_c} °C (EOS-80 inverse)`, formula: `S = S(${vacuo}, ${basis.reference_c} °C)`, value: salinity, unit: 'PSU' });
      inSitu = seawaterDensity(salinity, t, scale);
      steps.push({ label_zh: '现场温度下密度', label_en: `density at the in-situ ${t} °C (EOS-80)`, formula: `ρ(S, ${t} °C)`, value: inSitu, unit: 'kg/m³' });
    } else if (t !== undefined) {
      salinity = salinityFromDensity(vacuo, t, scale);
    }
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, error: { code: 'DENSITY_EOS80_RANGE', message: error.message } };
    throw error;
  }

  const tonnes = exactShift(inSitu, -3);
  steps.push({ label_zh: '换算为 t/m³', label_en: 'to t/m³ (in vacuo)', formula: `${inSitu} / 1000`, value: tonnes, unit: 't/m³' });
  const inAir = exactDiff(tonnes, AIR_BUOYANCY_T_M3);
  steps.push({ label_zh: '空气中密度 (比重计基准)', label_en: 'density in air (hydrometer basis)', formula: `${tonnes} − ${AIR_BUOYANCY_T_M3}`, value: inAir, unit: 't/m³' });

  const out: DensityConversion = {
    reading,
    steps,
    in_situ_vacuo_kg_m3: inSitu,
    survey_density_t_m3: inAir,
    hydrometer_equivalent_t_m3: toHydrometerGraduation(inAir),
  };
  if (salinity !== undefined) out.salinity_psu = salinity;
  return { ok: true, value: out };
}

// ------------------------------------------------------------------ ballast-exchange salinity flag

/** IMO BWM.2/Circ.42: exchanged ballast should be oceanic; well below 30 PSU suggests it was not exchanged. */
export const BALLAST_EXCHANGE_SALINITY_PSU = 30;

export interface BallastSalinityInput {
  /** Either a monitor value in kg/m³ in vacuo, or a hydrometer value in t/m³ in air. */
  density: { kg_m3_in_vacuo: number } | { t_m3_in_air: number };
  temperature_c: number;
  temperature_scale?: TemperatureScale;
  /** Whether the ballast water record book claims a D-1 (exchange) for this tank. */
  exchange_claimed?: boolean;
}

export interface BallastSalinity {
  salinity_psu: number;
  below_threshold: boolean;
  /** True when an exchange is claimed and the salinity is below 30 PSU. */
  flag: boolean;
  note: string;
}

export function ballastSalinity(input: BallastSalinityInput): Result<BallastSalinity> {
  const vacuo = 'kg_m3_in_vacuo' in input.density ? input.density.kg_m3_in_vacuo : exactShift(exactSum(input.density.t_m3_in_air, AIR_BUOYANCY_T_M3), 3);
  if (!Number.isFinite(vacuo)) return invalid('density is not a number');
  let salinity: number;
  try {
    salinity = salinityFromDensity(vacuo, input.temperature_c, input.temperature_scale ?? 'ITS-90');
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, error: { code: 'DENSITY_EOS80_RANGE', message: error.message } };
    throw error;
  }
  const below = salinity < BALLAST_EXCHANGE_SALINITY_PSU;
  const flag = below && input.exchange_claimed === true;
  const shown = salinity.toFixed(2);
  const note = flag
    ? `salinity ${shown} PSU is below ${BALLAST_EXCHANGE_SALINITY_PSU} PSU although an exchange is recorded: indicative only (check where the water was taken up and where it was exchanged)`
    : below
      ? `salinity ${shown} PSU is below ${BALLAST_EXCHANGE_SALINITY_PSU} PSU (brackish or fresh water)`
      : `salinity ${shown} PSU is oceanic (≥ ${BALLAST_EXCHANGE_SALINITY_PSU} PSU)`;
  return { ok: true, value: { salinity_psu: salinity, below_threshold: below, flag, note } };
}

// ------------------------------------------------------------------ monitor or manual hydrometer

export interface DensityChoice {
  density_t_m3: number;
  source: 'monitor' | 'manual';
  /** Why the manual value replaced the monitor (required for 'manual'). */
  reason?: string;
  monitor?: DensityConversion;
  /** manual − monitor, t/m³, when both exist. */
  difference_t_m3?: number;
}

export function chooseSurveyDensity(options: { monitor?: DensityConversion; manual?: { hydrometer_t_m3: number; reason: string } }): Result<DensityChoice> {
  const { monitor, manual } = options;
  if (manual) {
    if (!manual.reason || manual.reason.trim() === '') {
      return { ok: false, error: { code: 'DENSITY_MANUAL_REASON_MISSING', message: 'a manual hydrometer value replaces the monitor only with a reason' } };
    }
    const value = manual.hydrometer_t_m3;
    if (!Number.isFinite(value) || value < 0.99 || value > 1.04) {
      return invalid(`hydrometer value ${value} t/m³ lies outside 0.990–1.040 t/m³`);
    }
    const choice: DensityChoice = { density_t_m3: value, source: 'manual', reason: manual.reason.trim() };
    if (monitor) {
      choice.monitor = monitor;
      choice.difference_t_m3 = exactDiff(value, monitor.survey_density_t_m3);
    }
    return { ok: true, value: choice };
  }
  if (!monitor) return invalid('no density: neither a monitor reading nor a manual hydrometer value');
  return { ok: true, value: { density_t_m3: monitor.survey_density_t_m3, source: 'monitor', monitor } };
}
