/**
 * Ballast tanks of the simulated ship and the battery of a portable level meter.
 *
 * While the ship loads, the tanks are pumped out one after another (overlapping windows of the
 * operation's progress); while it discharges they fill again. A level meter lowered into a tank
 * measures the hydrostatic pressure at its bottom, P = ρ·g·h, and reports h = P / (ρ_set·g) with
 * the ballast density configured on the meter (../shared/domain/draft-survey.md §2.4).
 */
import { clamp, G, HOUR_MS, lerp, num, type Params } from './params.js';
import { hash01, hashString, mix32, slotNoise, valueNoise, type Seed } from './rng.js';
import type { VesselModel } from './vessel.js';
import type { SeawaterModel } from './seawater.js';

export interface TankDef {
  name: string;
  /** Sounding of the tank when pressed up (m). */
  depthM: number;
  /** Density of the ballast water in it (t/m³), as a hydrometer on a sample would give. */
  densityTM3: number;
  /** Warmer than the sea by this much (sun on deck for topside tanks). */
  warmerC: number;
}

/** A Panamax bulk carrier's ballast tanks (fore/aft peak, double bottom, topside). */
export const DEFAULT_TANKS: readonly TankDef[] = [
  { name: 'FPT', depthM: 14.2, densityTM3: 1.025, warmerC: 0.5 },
  { name: 'DB1P', depthM: 1.9, densityTM3: 1.025, warmerC: 0 },
  { name: 'DB1S', depthM: 1.9, densityTM3: 1.025, warmerC: 0 },
  { name: 'DB2P', depthM: 1.9, densityTM3: 1.024, warmerC: 0 },
  { name: 'DB2S', depthM: 1.9, densityTM3: 1.024, warmerC: 0 },
  { name: 'DB3P', depthM: 1.9, densityTM3: 1.022, warmerC: 0 },
  { name: 'DB3S', depthM: 1.9, densityTM3: 1.022, warmerC: 0 },
  { name: 'DB4P', depthM: 1.9, densityTM3: 1.021, warmerC: 0 },
  { name: 'DB4S', depthM: 1.9, densityTM3: 1.021, warmerC: 0 },
  { name: 'TST1P', depthM: 6.4, densityTM3: 1.025, warmerC: 2.5 },
  { name: 'TST1S', depthM: 6.4, densityTM3: 1.025, warmerC: 2.5 },
  { name: 'APT', depthM: 11.8, densityTM3: 1.023, warmerC: 1 },
];

const FULL = 0.98;
const EMPTY = 0.015;
/** Share of the operation during which one tank's pump runs. */
const WINDOW = 0.3;

export interface TankState {
  name: string;
  /** True sounding (m). */
  levelM: number;
  fill: number;
  densityTM3: number;
  /** Gauge pressure at the tank bottom (kPa). */
  pressureKPa: number;
  temperatureC: number;
  pumping: 'out' | 'in' | 'idle';
}

export interface BallastModel {
  readonly tanks: readonly TankDef[];
  tank(name: string): TankDef | undefined;
  at(tMs: number, name: string): TankState;
  all(tMs: number): TankState[];
}

export function createBallast(tanks: readonly TankDef[], vessel: VesselModel, sea: SeawaterModel, seed: Seed): BallastModel {
  const byName = new Map(tanks.map((t, i) => [t.name, { def: t, i }]));
  const n = tanks.length;
  const slosh = new Map(tanks.map((t) => [t.name, valueNoise(seed, `tank.${t.name}`, 4000, 0.004)]));
  const at = (tMs: number, name: string): TankState => {
    const entry = byName.get(name);
    if (!entry) throw new RangeError(`no ballast tank "${name}" (tanks: ${tanks.map((t) => t.name).join(', ')})`);
    const { def, i } = entry;
    const v = vessel.at(tMs);
    // Loading (progress 0 → 1) empties the tanks in turn; the same windows run backwards when discharging.
    const start = n > 1 ? (i * (1 - WINDOW)) / (n - 1) : 0;
    const f = clamp((v.progress - start) / WINDOW, 0, 1);
    const loadingWay = vessel.params.draftEndM >= vessel.params.draftStartM;
    const fill = loadingWay ? lerp(FULL, EMPTY, f) : lerp(EMPTY, FULL, f);
    const inWindow = v.operation !== 'idle' && f > 0 && f < 1;
    const levelM = clamp(fill * def.depthM + (inWindow ? slosh.get(name)!(tMs) : slosh.get(name)!(tMs) / 4), 0, def.depthM);
    const temperatureC = sea.at(tMs - 6 * HOUR_MS).temperature + def.warmerC;
    return {
      name: def.name,
      levelM,
      fill,
      densityTM3: def.densityTM3,
      pressureKPa: (def.densityTM3 * 1000 * G * levelM) / 1000,
      temperatureC,
      pumping: inWindow ? (v.operation === 'loading' ? 'out' : 'in') : 'idle',
    };
  };
  return {
    tanks,
    tank: (name) => byName.get(name)?.def,
    at,
    all: (tMs) => tanks.map((t) => at(tMs, t.name)),
  };
}

// ---------------------------------------------------------------------------------------------
// Battery of a portable meter

export interface BatteryParams {
  /** Charge at the world's origin (%); NaN = picked from the seed (55–100 %). */
  batteryStartPct: number;
  drainPctPerHour: number;
  /** Below this the crew swaps in a charged battery (100 %). */
  swapAtPct: number;
}

export function batteryParams(p: Params): BatteryParams {
  return {
    batteryStartPct: num(p, 'batteryStartPct', Number.NaN),
    drainPctPerHour: Math.max(0, num(p, 'drainPctPerHour', 0.8)),
    swapAtPct: clamp(num(p, 'swapAtPct', 8), 0, 99),
  };
}

export interface BatteryState {
  percent: number;
  voltage: number;
}

/** One Li-ion cell: 3.0 V empty, 4.2 V full, the usual flat middle. */
export function cellVoltage(percent: number): number {
  const p = clamp(percent, 0, 100) / 100;
  return 3.0 + 0.75 * p + 0.45 * p ** 4 - 0.25 * Math.exp(-p * 25) * (1 - p);
}

export function createBattery(params: BatteryParams, seed: Seed, key: string, originMs: number): (tMs: number) => BatteryState {
  const start = Number.isFinite(params.batteryStartPct)
    ? clamp(params.batteryStartPct, 0, 100)
    : 55 + 45 * hash01(mix32(typeof seed === 'number' ? seed : hashString(seed), hashString(key)));
  const ripple = slotNoise(seed, `${key}.battery`, 1000, 0.004);
  return (tMs: number) => {
    const hours = Math.max(0, tMs - originMs) / HOUR_MS;
    let percent = start - params.drainPctPerHour * hours;
    if (percent < params.swapAtPct && params.drainPctPerHour > 0) {
      const span = 100 - params.swapAtPct;
      const over = params.swapAtPct - percent;
      percent = 100 - (over % span);
    }
    percent = clamp(percent, 0, 100);
    return { percent, voltage: cellVoltage(percent) + ripple(tMs) };
  };
}
