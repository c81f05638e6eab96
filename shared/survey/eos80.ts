/**
 * UNESCO EOS-80 one-atmosphere equation of state of seawater (UNESCO 1981; Millero & Poisson 1981),
 * its inverse for practical salinity, and the conversion to the draft-survey basis (density in air).
 * See draft-survey.md §5. Valid for S_P 0–42 and t 0–40 °C (IPTS-68), p = 0; density in kg/m³, in vacuo.
 */

export const EOS80_LIMITS = { salinityMin: 0, salinityMax: 42, temperatureMinC: 0, temperatureMaxC: 40 } as const;

/** Air buoyancy on the brass weights: density in air = density in vacuo − 0.0011 t/m³ (§2.3). */
export const AIR_BUOYANCY_T_M3 = 0.0011;

export type TemperatureScale = 'IPTS-68' | 'ITS-90';

/** IPTS-68 temperature from ITS-90: t68 = 1.00024·t90. */
export function ipts68FromIts90(t90: number): number {
  return 1.00024 * t90;
}

function checkRange(salinity: number, t68: number): void {
  if (!(salinity >= EOS80_LIMITS.salinityMin && salinity <= EOS80_LIMITS.salinityMax)) {
    throw new RangeError(`practical salinity ${salinity} is outside EOS-80's 0–42`);
  }
  if (!(t68 >= EOS80_LIMITS.temperatureMinC && t68 <= EOS80_LIMITS.temperatureMaxC)) {
    throw new RangeError(`temperature ${t68} °C is outside EOS-80's 0–40 °C`);
  }
}

/** Density of pure water (SMOW), kg/m³, t in °C IPTS-68. */
export function pureWaterDensity(t: number): number {
  return 999.842594 + t * (6.793952e-2 + t * (-9.09529e-3 + t * (1.001685e-4 + t * (-1.120083e-6 + t * 6.536332e-9))));
}

/**
 * ρ(S, t, 0) in kg/m³ (in vacuo). Temperature on IPTS-68 by default, as the UNESCO check values are;
 * pass 'ITS-90' for a modern thermometer's reading.
 */
export function seawaterDensity(salinity: number, temperatureC: number, scale: TemperatureScale = 'IPTS-68'): number {
  const t = scale === 'ITS-90' ? ipts68FromIts90(temperatureC) : temperatureC;
  checkRange(salinity, t);
  const a = 8.24493e-1 + t * (-4.0899e-3 + t * (7.6438e-5 + t * (-8.2467e-7 + t * 5.3875e-9)));
  const b = -5.72466e-3 + t * (1.0227e-4 + t * -1.6546e-6);
  const c = 4.8314e-4;
  return pureWaterDensity(t) + a * salinity + b * salinity * Math.sqrt(salinity) + c * salinity * salinity;
}

/**
 * Practical salinity from an in-vacuo density (kg/m³) and temperature, by bisection on S ∈ [0, 42]
 * (ρ increases monotonically with S). Throws when the density is outside ρ(0, t)…ρ(42, t).
 */
export function salinityFromDensity(densityKgM3: number, temperatureC: number, scale: TemperatureScale = 'IPTS-68'): number {
  const rhoAt = (s: number): number => seawaterDensity(s, temperatureC, scale);
  let lo: number = EOS80_LIMITS.salinityMin;
  let hi: number = EOS80_LIMITS.salinityMax;
  if (!(densityKgM3 >= rhoAt(lo) && densityKgM3 <= rhoAt(hi))) {
    throw new RangeError(`density ${densityKgM3} kg/m³ at ${temperatureC} °C is outside the EOS-80 range for salinity 0–42`);
  }
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (rhoAt(mid) < densityKgM3) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Draft-survey density (t/m³, in air, as a draught-survey hydrometer reads) from in-vacuo kg/m³. */
export function surveyDensityInAir(densityInVacuoKgM3: number): number {
  return densityInVacuoKgM3 / 1000 - AIR_BUOYANCY_T_M3;
}

/** Draft-survey density (t/m³, in air) of water of salinity S at its in-situ temperature (no reduction to 15 °C). */
export function surveyDensityFromSalinity(salinity: number, temperatureC: number, scale: TemperatureScale = 'IPTS-68'): number {
  return surveyDensityInAir(seawaterDensity(salinity, temperatureC, scale));
}
