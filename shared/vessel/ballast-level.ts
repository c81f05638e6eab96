/**
 * The portable ballast-tank level meter (便携式压载水液位测量仪) measures the hydrostatic pressure
 * at its probe. Level above the probe: h = ΔP / (ρ·g); sounding = h + the probe's height above the
 * sounding datum. The ballast density is an assumption here (the tank has not been sampled yet, or
 * its sample's hydrometer value is used), so it is returned with the result: an error of 0.002 t/m³
 * in ρ is 0.2 % of the level (draft-survey.md §2.4).
 *
 * Pressure acts on the true (in vacuo) mass density. A hydrometer value is density in air, so
 * 0.0011 t/m³ is added back before dividing (§2.3); say which basis the density is on.
 */
import { exactSum } from '../survey/decimal.js';
import { AIR_BUOYANCY_T_M3 } from '../survey/eos80.js';
import type { Result } from './errors.js';

/** Standard gravity, m/s² (CGPM 1901). */
export const STANDARD_GRAVITY_M_S2 = 9.80665;
/** Plausible ballast densities, t/m³ (fresh to hypersaline). */
export const BALLAST_DENSITY_LIMITS_T_M3 = { min: 0.99, max: 1.05 } as const;
/** Readings down to this far below zero are taken as an empty probe (sensor zero drift), kPa. */
export const DEFAULT_ZERO_TOLERANCE_KPA = 0.2;

export interface LevelMeterInput {
  /** Gauge pressure at the probe, kPa. */
  pressure_kpa: number;
  /** Ballast density assumed, t/m³. */
  density_t_m3: number;
  /** 'air': a hydrometer value (density in air); 'vacuo': a true mass density. */
  density_basis: 'air' | 'vacuo';
  /** Height of the pressure port above the sounding datum (tank bottom or striking plate), m. */
  probe_offset_m: number;
  /** Local gravity, m/s²; default standard gravity 9.80665. */
  g_m_s2?: number;
  zero_tolerance_kpa?: number;
}

export interface LevelMeterResult {
  level_m: number;
  sounding_m: number;
  /** The density assumption, as given and as used (in vacuo). */
  density_assumed: { value_t_m3: number; basis: 'air' | 'vacuo'; in_vacuo_t_m3: number };
  g_m_s2: number;
  probe_offset_m: number;
  /** How much the level moves for +0.001 t/m³ of density, m (negative). */
  level_per_0_001_density_m: number;
  steps: string[];
  warnings: string[];
}

export function levelFromPressure(input: LevelMeterInput): Result<LevelMeterResult> {
  const g = input.g_m_s2 ?? STANDARD_GRAVITY_M_S2;
  const tolerance = input.zero_tolerance_kpa ?? DEFAULT_ZERO_TOLERANCE_KPA;
  const warnings: string[] = [];
  if (!Number.isFinite(input.pressure_kpa) || input.pressure_kpa < -tolerance) {
    return { ok: false, error: { code: 'LEVEL_PRESSURE_INVALID', message: `pressure ${input.pressure_kpa} kPa is not a finite number ≥ 0 (zero drift tolerated down to −${tolerance} kPa)` } };
  }
  const rho = input.density_t_m3;
  if (!Number.isFinite(rho) || rho < BALLAST_DENSITY_LIMITS_T_M3.min || rho > BALLAST_DENSITY_LIMITS_T_M3.max) {
    return { ok: false, error: { code: 'LEVEL_DENSITY_INVALID', message: `ballast density ${rho} t/m³ lies outside ${BALLAST_DENSITY_LIMITS_T_M3.min}–${BALLAST_DENSITY_LIMITS_T_M3.max} t/m³` } };
  }
  if (!Number.isFinite(input.probe_offset_m) || input.probe_offset_m < 0 || input.probe_offset_m > 5) {
    return { ok: false, error: { code: 'TANK_READING_INVALID', message: `probe offset ${input.probe_offset_m} m is not in 0–5 m` } };
  }
  if (!Number.isFinite(g) || g < 9.7 || g > 9.9) {
    return { ok: false, error: { code: 'TANK_READING_INVALID', message: `gravity ${g} m/s² is not in 9.7–9.9 m/s²` } };
  }
  const steps: string[] = [];
  const inVacuo = input.density_basis === 'air' ? exactSum(rho, AIR_BUOYANCY_T_M3) : rho;
  if (input.density_basis === 'air') steps.push(`density assumed ${rho} t/m³ in air + ${AIR_BUOYANCY_T_M3} = ${inVacuo} t/m³ in vacuo`);
  else steps.push(`density assumed ${rho} t/m³ in vacuo`);

  let pressure = input.pressure_kpa;
  if (pressure <= 0) {
    if (pressure < 0) warnings.push(`pressure ${pressure} kPa below zero, within the zero-drift tolerance: taken as 0`);
    pressure = 0;
  }
  // kPa / (t/m³ · m/s²) = 1000 Pa / (1000 kg/m³ · m/s²) = m.
  const level = pressure / (inVacuo * g);
  steps.push(`level h = ΔP/(ρ·g) = ${pressure} kPa / (${inVacuo} t/m³ × ${g} m/s²) = ${level} m`);
  const sounding = exactSum(level, input.probe_offset_m);
  steps.push(`sounding = h + probe offset ${input.probe_offset_m} m = ${sounding} m`);
  if (pressure === 0) warnings.push(`no liquid above the probe: the sounding is at most the probe offset ${input.probe_offset_m} m`);
  return {
    ok: true,
    value: {
      level_m: level,
      sounding_m: sounding,
      density_assumed: { value_t_m3: rho, basis: input.density_basis, in_vacuo_t_m3: inVacuo },
      g_m_s2: g,
      probe_offset_m: input.probe_offset_m,
      level_per_0_001_density_m: pressure / ((inVacuo + 0.001) * g) - level,
      steps,
      warnings,
    },
  };
}

/** Inverse, for simulators and checks: the gauge pressure (kPa) a level (m) above the probe gives. */
export function pressureForLevel(level_m: number, densityInVacuo_t_m3: number, g_m_s2: number = STANDARD_GRAVITY_M_S2): number {
  return level_m * densityInVacuo_t_m3 * g_m_s2;
}
