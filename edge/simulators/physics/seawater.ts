/**
 * Seawater: the equations (pure functions) and the dock water of the Yangtze estuary (a model that is
 * a pure function of time for a seed).
 *
 * - EOS-80 one-atmosphere density (UNESCO 1981; Millero & Poisson 1981), ../shared/domain/draft-survey.md §5.1:
 *   ρ(S, t, 0) in kg/m³ in vacuo; S practical salinity 0–42, t °C (IPTS-68) 0–40.
 * - PSS-78 (UNESCO 1983, Lewis & Perkin) at p = 0: conductivity ratio ↔ practical salinity,
 *   C(35, 15, 0) = 42.914 mS/cm. Valid for 2 ≤ S ≤ 42 (no Hill et al. low-salinity extension).
 *
 * The simulators use the temperatures as IPTS-68; the 0.024 ‰ difference to ITS-90 is below any
 * instrument here.
 */
import { clamp, HOUR_MS, num, type Params } from './params.js';
import { slotNoise, valueNoise, type Seed } from './rng.js';

// ---------------------------------------------------------------------------------------------
// EOS-80

/** Density of pure water (SMOW), kg/m³, at one atmosphere. */
export function pureWaterDensity(t: number): number {
  return 999.842594 + t * (6.793952e-2 + t * (-9.09529e-3 + t * (1.001685e-4 + t * (-1.120083e-6 + t * 6.536332e-9))));
}

/** EOS-80 one-atmosphere density of seawater, kg/m³ in vacuo. */
export function densityEos80(salinity: number, t: number): number {
  const S = salinity;
  const A = 8.24493e-1 + t * (-4.0899e-3 + t * (7.6438e-5 + t * (-8.2467e-7 + t * 5.3875e-9)));
  const B = -5.72466e-3 + t * (1.0227e-4 + t * -1.6546e-6);
  const C = 4.8314e-4;
  return pureWaterDensity(t) + A * S + B * S * Math.sqrt(S) + C * S * S;
}

/** Practical salinity from an in-situ density (kg/m³ in vacuo) and temperature, by bisection on [0, 42]. */
export function salinityFromDensity(density: number, t: number): number {
  let lo = 0;
  let hi = 42;
  if (density <= densityEos80(lo, t)) return lo;
  if (density >= densityEos80(hi, t)) return hi;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (densityEos80(mid, t) < density) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Draft-survey basis: density in air, t/m³ (§5.2: in vacuo / 1000 − 0.0011). */
export function densityInAir(densityKgM3: number): number {
  return densityKgM3 / 1000 - 0.0011;
}

// ---------------------------------------------------------------------------------------------
// PSS-78 at p = 0

/** Conductivity of standard seawater S = 35 at 15 °C, 0 dbar (mS/cm). */
export const C3515 = 42.914;

const a = [0.008, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081] as const;
const b = [0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144] as const;
const c = [0.6766097, 2.00564e-2, 1.104259e-4, -6.9698e-7, 1.0031e-9] as const;
const k = 0.0162;

/** rt(t) = C(35, t, 0) / C(35, 15, 0). */
export function rtPss78(t: number): number {
  return c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * c[4])));
}

/** Practical salinity from Rt = C(S, t, 0) / C(35, t, 0). */
export function salinityFromRt(Rt: number, t: number): number {
  const r = Math.sqrt(Math.max(Rt, 0));
  const ft = (t - 15) / (1 + k * (t - 15));
  let sa = 0;
  let sb = 0;
  let rp = 1;
  for (let i = 0; i < 6; i++) {
    sa += a[i]! * rp;
    sb += b[i]! * rp;
    rp *= r;
  }
  return sa + ft * sb;
}

function dSalinityDr(r: number, t: number): number {
  // d/dr of Σ (a_i + ft·b_i) r^i, with r = √Rt
  const ft = (t - 15) / (1 + k * (t - 15));
  let d = 0;
  let rp = 1;
  for (let i = 1; i < 6; i++) {
    d += i * (a[i]! + ft * b[i]!) * rp;
    rp *= r;
  }
  return d;
}

/** Rt for a practical salinity at t (Newton on √Rt; converges to 1e-12 in a few steps). */
export function rtFromSalinity(salinity: number, t: number): number {
  let r = Math.sqrt(Math.max(salinity, 0) / 35);
  for (let i = 0; i < 20; i++) {
    const f = salinityFromRt(r * r, t) - salinity;
    const step = f / dSalinityDr(r, t);
    r -= step;
    if (r < 0) r = 1e-6;
    if (Math.abs(step) < 1e-14) break;
  }
  return r * r;
}

/** Conductivity (mS/cm) of seawater of practical salinity S at t °C, 0 dbar. */
export function conductivityFromSalinity(salinity: number, t: number): number {
  return rtFromSalinity(salinity, t) * rtPss78(t) * C3515;
}

/** Practical salinity from conductivity (mS/cm) at t °C, 0 dbar. */
export function salinityFromConductivity(conductivity: number, t: number): number {
  return salinityFromRt(conductivity / (C3515 * rtPss78(t)), t);
}

// ---------------------------------------------------------------------------------------------
// Dock water model

export const TIDE_PERIOD_H = 12.42; // M2, semidiurnal lunar
const SPRING_NEAP_H = 354.37; // 14.77 days

export interface SeawaterParams {
  /** Salinity at low water / high water of a mean tide (PSU). Yangtze estuary: brackish, 8–30. */
  salinityMinPsu: number;
  salinityMaxPsu: number;
  tidePeriodH: number;
  /** Hours after the world's origin of the first high water. */
  highWaterAtH: number;
  /** Tidal range (m) for the tide level reported by GET /world. */
  tideRangeM: number;
  /** Seasonal water temperature (°C); NaN = from the day of year (Yangtze estuary climatology). */
  temperatureC: number;
  /** Size of the slow temperature drift (°C, σ) and the diurnal swing (°C, amplitude). */
  temperatureDriftC: number;
  diurnalC: number;
  /** Slow salinity wander (PSU, σ) on top of the tide (river discharge, wind). */
  salinityDriftPsu: number;
}

export const SEAWATER_DEFAULTS: SeawaterParams = {
  salinityMinPsu: 8,
  salinityMaxPsu: 30,
  tidePeriodH: TIDE_PERIOD_H,
  highWaterAtH: 2,
  tideRangeM: 2.7,
  temperatureC: Number.NaN,
  temperatureDriftC: 0.4,
  diurnalC: 0.3,
  salinityDriftPsu: 0.6,
};

export function seawaterParams(p: Params): SeawaterParams {
  const d = SEAWATER_DEFAULTS;
  return {
    salinityMinPsu: clamp(num(p, 'salinityMinPsu', d.salinityMinPsu), 2, 42),
    salinityMaxPsu: clamp(num(p, 'salinityMaxPsu', d.salinityMaxPsu), 2, 42),
    tidePeriodH: num(p, 'tidePeriodH', d.tidePeriodH),
    highWaterAtH: num(p, 'highWaterAtH', d.highWaterAtH),
    tideRangeM: num(p, 'tideRangeM', d.tideRangeM),
    temperatureC: num(p, 'temperatureC', d.temperatureC),
    temperatureDriftC: num(p, 'temperatureDriftC', d.temperatureDriftC),
    diurnalC: num(p, 'diurnalC', d.diurnalC),
    salinityDriftPsu: num(p, 'salinityDriftPsu', d.salinityDriftPsu),
  };
}

/** Yangtze-estuary surface water temperature climatology (°C): ~6 °C early February, ~29 °C early August. */
export function seasonalWaterTemperature(tMs: number): number {
  const d = new Date(tMs);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const doy = (tMs - start) / 86_400_000;
  return 17.5 - 11.5 * Math.cos((2 * Math.PI * (doy - 35)) / 365.25);
}

export interface SeawaterState {
  /** Practical salinity (PSU). */
  salinity: number;
  /** In-situ temperature (°C). */
  temperature: number;
  /** EOS-80 in-situ density, kg/m³ in vacuo. */
  density: number;
  /** PSS-78 conductivity, mS/cm. */
  conductivity: number;
  /** Water level relative to mean sea level (m). */
  tideLevelM: number;
  tide: 'flood' | 'ebb';
}

export interface SeawaterModel {
  readonly params: SeawaterParams;
  at(tMs: number): SeawaterState;
  /** What a probe reads: the state with sensor noise (σ in PSU and °C), keyed per device. */
  measured(tMs: number, key: string, noise: { salinity: number; temperature: number }): SeawaterState;
}

export function createSeawater(params: SeawaterParams, seed: Seed, originMs: number): SeawaterModel {
  const tempDrift = valueNoise(seed, 'sea.temperature', 3 * HOUR_MS, params.temperatureDriftC);
  const salDrift = valueNoise(seed, 'sea.salinity', 0.75 * HOUR_MS, params.salinityDriftPsu);
  const periodMs = params.tidePeriodH * HOUR_MS;
  const hwMs = originMs + params.highWaterAtH * HOUR_MS;
  const mid = (params.salinityMinPsu + params.salinityMaxPsu) / 2;
  const amp = Math.abs(params.salinityMaxPsu - params.salinityMinPsu) / 2;
  const lo = Math.min(params.salinityMinPsu, params.salinityMaxPsu);
  const hi = Math.max(params.salinityMinPsu, params.salinityMaxPsu);
  const seasonalFixed = Number.isFinite(params.temperatureC) ? params.temperatureC : undefined;

  const fromSt = (salinity: number, temperature: number, tMs: number): SeawaterState => {
    const phase = (2 * Math.PI * (tMs - hwMs)) / periodMs;
    return {
      salinity,
      temperature,
      density: densityEos80(salinity, temperature),
      conductivity: conductivityFromSalinity(salinity, temperature),
      tideLevelM: (params.tideRangeM / 2) * Math.cos(phase),
      tide: Math.sin(phase) > 0 ? 'ebb' : 'flood',
    };
  };

  const at = (tMs: number): SeawaterState => {
    // Salt intrusion peaks about an hour after high water; spring tides push it further.
    const phase = (2 * Math.PI * (tMs - hwMs - HOUR_MS)) / periodMs;
    const springNeap = 1 + 0.12 * Math.cos((2 * Math.PI * (tMs - originMs)) / (SPRING_NEAP_H * HOUR_MS));
    const salinity = clamp(mid + 0.92 * amp * springNeap * Math.cos(phase) + salDrift(tMs), lo, hi);
    const seasonal = seasonalFixed ?? seasonalWaterTemperature(tMs);
    // Diurnal: warmest mid-afternoon in Shanghai (UTC+8 → about 07:00 UTC).
    const hourUtc = (tMs / HOUR_MS) % 24;
    const diurnal = params.diurnalC * Math.cos((2 * Math.PI * (hourUtc - 7)) / 24);
    const temperature = clamp(seasonal + diurnal + tempDrift(tMs), 0, 40);
    return fromSt(salinity, temperature, tMs);
  };

  const noises = new Map<string, { s: (tMs: number) => number; t: (tMs: number) => number }>();
  const measured = (tMs: number, key: string, noise: { salinity: number; temperature: number }): SeawaterState => {
    const id = `${key}|${noise.salinity}|${noise.temperature}`;
    let n = noises.get(id);
    if (!n) {
      n = { s: slotNoise(seed, `${key}.S`, 250, noise.salinity), t: slotNoise(seed, `${key}.t`, 250, noise.temperature) };
      noises.set(id, n);
    }
    const truth = at(tMs);
    return fromSt(clamp(truth.salinity + n.s(tMs), 0, 42), clamp(truth.temperature + n.t(tMs), 0, 40), tMs);
  };

  return { params, at, measured };
}
