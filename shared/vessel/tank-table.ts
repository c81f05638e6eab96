/**
 * Tank calibration: a sounding (or an ullage) with the ship's trim and list → volume → weight.
 *
 *   observed sounding s₀ = sounding, or reference height − ullage
 *   corrected sounding s₁ = s₀ + Σ sounding corrections (kind 2, mm, at s₀ and the trim/list)
 *   table volume V₁     = level table at s₁, or the volume grid (kind 1) at (s₁, trim or list):
 *                         bilinear, first along trim/list, then along sounding
 *   volume V            = V₁ + Σ volume corrections (kind 3, m³, at s₀ and the trim/list)
 *   weight              = V × the density measured in the tank (t/m³)
 *
 * Nothing is extrapolated: a sounding, trim or list outside its table is an error naming the tank
 * and the value. A table that has a trim (list) correction needs the trim (list): it is never
 * taken as zero silently.
 */
import { exactShift, exactSum, exactDiff } from '../survey/decimal.js';
import type { Result, VesselIssue } from './errors.js';
import { bilinear, locate, valueAt, type Location } from './interpolate.js';
import type { AxisTable, Tank, TankContents } from './schema.js';

export interface TankReading {
  /** Depth of liquid above the sounding datum, m. Give this or `ullage_m`. */
  sounding_m?: number | undefined;
  /** Distance from the reference point down to the liquid, m. */
  ullage_m?: number | undefined;
  /** Trim, m, + by the stern. Needed when the tank has a trim table. */
  trim_m?: number | undefined;
  /** List, degrees, + to starboard. Needed when the tank has a list table. */
  list_deg?: number | undefined;
  /** Density of the liquid in this tank, t/m³ (ballast: measured on a sample from this tank). */
  density_t_m3?: number | undefined;
}

export type TableKind = AxisTable['kind'];

export interface TankCalculation {
  tank: string;
  contents: TankContents;
  input: 'sounding' | 'ullage';
  ullage_m?: number;
  reference_height_m?: number;
  observed_sounding_m: number;
  trim_m?: number;
  list_deg?: number;
  /** Which kind of table served trim and list, if any. */
  trim_kind?: TableKind;
  list_kind?: TableKind;
  trim_sounding_correction_mm: number;
  list_sounding_correction_mm: number;
  corrected_sounding_m: number;
  /** Volume read from the level table or the volume grid at the corrected sounding. */
  table_volume_m3: number;
  trim_volume_correction_m3: number;
  list_volume_correction_m3: number;
  volume_m3: number;
  density_t_m3?: number;
  weight_t?: number;
  /** Each step in words, for the review screen and the report. */
  steps: string[];
  warnings: string[];
}

/** Plausible liquid densities in tanks, t/m³ (fuel ≈ 0.85–0.99, water 1.000–1.030). */
export const TANK_DENSITY_LIMITS_T_M3 = { min: 0.6, max: 1.3 } as const;

type Inside = Extract<Location, { inside: true }>;

function fail(code: VesselIssue['code'], tank: string, message: string): { ok: false; error: VesselIssue } {
  return { ok: false, error: { code, tank, message } };
}

function range(loc: Extract<Location, { inside: false }>, unit: string): string {
  return `${loc.first}–${loc.last} ${unit}`;
}

interface AxisInput {
  name: 'trim' | 'list';
  value: number;
  unit: string;
  table: AxisTable;
  at: Inside;
}

/** A correction grid's value at the observed sounding and the trim/list. */
function correctionAt(
  tank: Tank,
  axis: AxisInput,
  values: readonly (readonly number[])[],
  sounding: number,
): Result<number> {
  const table = axis.table;
  if (table.soundings_m === undefined) return { ok: true, value: valueAt(table.axis_values, values[0]!, axis.at, axis.value) };
  const rowAt = locate(table.soundings_m, sounding);
  if (!rowAt.inside) {
    return fail('TANK_SOUNDING_OUT_OF_TABLE', tank.name, `tank ${tank.name}: sounding ${sounding} m lies outside its ${axis.name} correction table (${range(rowAt, 'm')}); never extrapolated`);
  }
  return { ok: true, value: bilinear(table.soundings_m, table.axis_values, values, rowAt, axis.at, sounding, axis.value) };
}

/** Volume of one tank from one reading; every step is returned. */
export function tankVolume(tank: Tank, reading: TankReading): Result<TankCalculation> {
  const steps: string[] = [];
  const warnings: string[] = [];
  const name = tank.name;

  // 1. Observed sounding, from the sounding or from the ullage and the reference height.
  const hasSounding = reading.sounding_m !== undefined;
  const hasUllage = reading.ullage_m !== undefined;
  if (hasSounding === hasUllage) return fail('TANK_READING_INVALID', name, `tank ${name}: give exactly one of sounding_m and ullage_m`);
  const raw = (hasSounding ? reading.sounding_m : reading.ullage_m)!;
  if (!Number.isFinite(raw) || raw < 0) return fail('TANK_READING_INVALID', name, `tank ${name}: ${hasSounding ? 'sounding' : 'ullage'} ${raw} m is not a finite number ≥ 0`);
  let observed: number;
  if (hasSounding) {
    observed = raw;
    steps.push(`sounding ${observed} m`);
  } else {
    if (tank.reference_height_m === undefined) return fail('TANK_ULLAGE_NO_REFERENCE', name, `tank ${name}: an ullage needs the tank's reference height, which is not in the vessel record`);
    if (raw > tank.reference_height_m) return fail('TANK_ULLAGE_TOO_LARGE', name, `tank ${name}: ullage ${raw} m exceeds the reference height ${tank.reference_height_m} m`);
    observed = exactDiff(tank.reference_height_m, raw);
    steps.push(`ullage ${raw} m → sounding = reference height ${tank.reference_height_m} − ${raw} = ${observed} m`);
  }

  // 2. Trim and list: required by a table that has them, inside its columns.
  const axes: AxisInput[] = [];
  for (const [key, unit, value] of [
    ['trim', 'm', reading.trim_m],
    ['list', '°', reading.list_deg],
  ] as const) {
    const table = tank[key];
    if (!table) continue;
    if (value === undefined || !Number.isFinite(value)) {
      return fail(key === 'trim' ? 'TANK_TRIM_REQUIRED' : 'TANK_LIST_REQUIRED', name, `tank ${name} has a ${key} table (${table.kind}); give the ${key}${key === 'trim' ? ' in m, + by the stern' : ' in degrees, + to starboard'}`);
    }
    const at = locate(table.axis_values, value);
    if (!at.inside) {
      return fail(key === 'trim' ? 'TANK_TRIM_OUT_OF_TABLE' : 'TANK_LIST_OUT_OF_TABLE', name, `tank ${name}: ${key} ${value} ${unit} lies outside its ${key} table (${range(at, unit)}); never extrapolated`);
    }
    axes.push({ name: key, value, unit, table, at });
  }

  // 3. Sounding corrections (kind 2), at the observed sounding.
  const soundingCorr = { trim: 0, list: 0 };
  for (const axis of axes) {
    if (axis.table.kind !== 'sounding_correction') continue;
    const corr = correctionAt(tank, axis, axis.table.corrections_mm, observed);
    if (!corr.ok) return corr;
    soundingCorr[axis.name] = corr.value;
    steps.push(`${axis.name} ${axis.value} ${axis.unit}: sounding correction ${corr.value} mm`);
  }
  const corrected = exactSum(observed, exactShift(soundingCorr.trim, -3), exactShift(soundingCorr.list, -3));
  if (corrected !== observed) steps.push(`corrected sounding ${observed} m ${signed(exactShift(exactSum(soundingCorr.trim, soundingCorr.list), -3))} m = ${corrected} m`);

  // 4. Volume at the corrected sounding: the volume grid (kind 1) or the level table.
  const grid = axes.find((a) => a.table.kind === 'volume');
  let tableVolume: number;
  const correctedNote = corrected !== observed ? 'corrected ' : '';
  if (grid && grid.table.kind === 'volume') {
    const rowAt = locate(grid.table.soundings_m, corrected);
    if (!rowAt.inside) {
      return fail('TANK_SOUNDING_OUT_OF_TABLE', name, `tank ${name}: ${correctedNote}sounding ${corrected} m lies outside its table (${range(rowAt, 'm')}); never extrapolated`);
    }
    tableVolume = bilinear(grid.table.soundings_m, grid.table.axis_values, grid.table.volumes_m3, rowAt, grid.at, corrected, grid.value);
    steps.push(`volume at sounding ${corrected} m and ${grid.name} ${grid.value} ${grid.unit} (bilinear, ${grid.name} first): ${tableVolume} m³`);
  } else if (tank.level) {
    const rowAt = locate(tank.level.soundings_m, corrected);
    if (!rowAt.inside) {
      return fail('TANK_SOUNDING_OUT_OF_TABLE', name, `tank ${name}: ${correctedNote}sounding ${corrected} m lies outside its table (${range(rowAt, 'm')}); never extrapolated`);
    }
    tableVolume = valueAt(tank.level.soundings_m, tank.level.volumes_m3, rowAt, corrected);
    steps.push(`volume at sounding ${corrected} m: ${tableVolume} m³`);
  } else {
    return fail('VESSEL_TANK_NO_TABLE', name, `tank ${name} has no volume table`);
  }

  // 5. Volume corrections (kind 3), at the observed sounding.
  const volumeCorr = { trim: 0, list: 0 };
  for (const axis of axes) {
    if (axis.table.kind !== 'volume_correction') continue;
    const corr = correctionAt(tank, axis, axis.table.corrections_m3, observed);
    if (!corr.ok) return corr;
    volumeCorr[axis.name] = corr.value;
    steps.push(`${axis.name} ${axis.value} ${axis.unit}: volume correction ${signed(corr.value)} m³`);
  }
  let volume = exactSum(tableVolume, volumeCorr.trim, volumeCorr.list);
  if (volume < 0) {
    warnings.push(`tank ${name}: the corrections give a negative volume (${volume} m³); taken as 0`);
    volume = 0;
  }
  if (volume !== tableVolume) steps.push(`volume ${volume} m³`);
  if (tank.capacity_m3 !== undefined && volume > tank.capacity_m3 * 1.005) {
    warnings.push(`tank ${name}: volume ${volume} m³ exceeds the declared capacity ${tank.capacity_m3} m³`);
  }

  const out: TankCalculation = {
    tank: name,
    contents: tank.contents,
    input: hasSounding ? 'sounding' : 'ullage',
    observed_sounding_m: observed,
    trim_sounding_correction_mm: soundingCorr.trim,
    list_sounding_correction_mm: soundingCorr.list,
    corrected_sounding_m: corrected,
    table_volume_m3: tableVolume,
    trim_volume_correction_m3: volumeCorr.trim,
    list_volume_correction_m3: volumeCorr.list,
    volume_m3: volume,
    steps,
    warnings,
  };
  if (!hasSounding) {
    out.ullage_m = raw;
    out.reference_height_m = tank.reference_height_m!;
  }
  for (const axis of axes) {
    if (axis.name === 'trim') {
      out.trim_m = axis.value;
      out.trim_kind = axis.table.kind;
    } else {
      out.list_deg = axis.value;
      out.list_kind = axis.table.kind;
    }
  }

  // 6. Weight = volume × measured density.
  if (reading.density_t_m3 !== undefined) {
    const rho = reading.density_t_m3;
    if (!Number.isFinite(rho) || rho < TANK_DENSITY_LIMITS_T_M3.min || rho > TANK_DENSITY_LIMITS_T_M3.max) {
      return fail('TANK_DENSITY_INVALID', name, `tank ${name}: density ${rho} t/m³ lies outside ${TANK_DENSITY_LIMITS_T_M3.min}–${TANK_DENSITY_LIMITS_T_M3.max} t/m³`);
    }
    out.density_t_m3 = rho;
    out.weight_t = volume * rho;
    steps.push(`weight = ${volume} m³ × ${rho} t/m³ = ${out.weight_t} t`);
  }
  return { ok: true, value: out };
}

function signed(x: number): string {
  return x < 0 ? `− ${-x}` : `+ ${x}`;
}

/** The tank range a table covers, for the UI: sounding limits and trim/list limits. */
export function tankLimits(tank: Tank): { sounding_m: [number, number] | undefined; trim_m?: [number, number]; list_deg?: [number, number] } {
  const source = tank.trim?.kind === 'volume' ? tank.trim.soundings_m : tank.list?.kind === 'volume' ? tank.list.soundings_m : tank.level?.soundings_m;
  const span = (xs: readonly number[] | undefined): [number, number] | undefined => (xs && xs.length ? [xs[0]!, xs[xs.length - 1]!] : undefined);
  const out: ReturnType<typeof tankLimits> = { sounding_m: span(source) };
  const trim = span(tank.trim?.axis_values);
  const list = span(tank.list?.axis_values);
  if (trim) out.trim_m = trim;
  if (list) out.list_deg = list;
  return out;
}
