import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { levelFromPressure, pressureForLevel, STANDARD_GRAVITY_M_S2 } from '../../../shared/vessel/ballast-level.js';
import {
  ballastSalinity,
  chooseSurveyDensity,
  surveyDensityFromMonitor,
  toHydrometerGraduation,
} from '../../../shared/vessel/density-basis.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} differs from ${expected} by more than ${tol}`);

describe('ballast level meter: h = ΔP/(ρ·g), sounding = h + probe offset', () => {
  it('10.000 kPa at 1.025 t/m³ (in vacuo) → 0.99484508… m, sounding + 0.05 m', () => {
    const r = levelFromPressure({ pressure_kpa: 10, density_t_m3: 1.025, density_basis: 'vacuo', probe_offset_m: 0.05 });
    assert.ok(r.ok);
    assert.equal(STANDARD_GRAVITY_M_S2, 9.80665);
    close(r.value.level_m, 10 / (1.025 * 9.80665), 1e-15);
    close(r.value.level_m, 0.9948450858321253, 1e-12);
    close(r.value.sounding_m, 1.0448450858321253, 1e-12);
    assert.deepEqual(r.value.density_assumed, { value_t_m3: 1.025, basis: 'vacuo', in_vacuo_t_m3: 1.025 });
    assert.ok(r.value.level_per_0_001_density_m < 0);
  });
  it('a hydrometer (in air) density is put back in vacuo before dividing: 1.0239 in air ≡ 1.025 in vacuo', () => {
    const air = levelFromPressure({ pressure_kpa: 10, density_t_m3: 1.0239, density_basis: 'air', probe_offset_m: 0.05 });
    const vac = levelFromPressure({ pressure_kpa: 10, density_t_m3: 1.025, density_basis: 'vacuo', probe_offset_m: 0.05 });
    assert.ok(air.ok && vac.ok);
    assert.equal(air.value.density_assumed.in_vacuo_t_m3, 1.025);
    assert.equal(air.value.level_m, vac.value.level_m);
  });
  it('round-trips with pressureForLevel and honours local gravity', () => {
    const p = pressureForLevel(3.2, 1.02, 9.7936);
    const r = levelFromPressure({ pressure_kpa: p, density_t_m3: 1.02, density_basis: 'vacuo', probe_offset_m: 0, g_m_s2: 9.7936 });
    assert.ok(r.ok);
    close(r.value.level_m, 3.2, 1e-12);
  });
  it('zero drift within tolerance is 0 with a warning; beyond it, or an implausible density, is an error', () => {
    const z = levelFromPressure({ pressure_kpa: -0.05, density_t_m3: 1.025, density_basis: 'vacuo', probe_offset_m: 0.1 });
    assert.ok(z.ok);
    assert.equal(z.value.level_m, 0);
    assert.equal(z.value.sounding_m, 0.1);
    assert.equal(z.value.warnings.length, 2);
    const neg = levelFromPressure({ pressure_kpa: -1, density_t_m3: 1.025, density_basis: 'vacuo', probe_offset_m: 0.1 });
    assert.equal(!neg.ok && neg.error.code, 'LEVEL_PRESSURE_INVALID');
    const rho = levelFromPressure({ pressure_kpa: 5, density_t_m3: 1.2, density_basis: 'vacuo', probe_offset_m: 0.1 });
    assert.equal(!rho.ok && rho.error.code, 'LEVEL_DENSITY_INVALID');
  });
});

describe('density monitor → hydrometer basis (t/m³ in air, in situ)', () => {
  it('1025.97275 kg/m³ in vacuo, in situ → 1.02487275 t/m³ in air, every step shown', () => {
    const r = surveyDensityFromMonitor({ density_kg_m3: 1025.97275, basis: { medium: 'vacuo', temperature: 'in_situ' }, temperature_c: 15, temperature_scale: 'IPTS-68' });
    assert.ok(r.ok);
    assert.equal(r.value.survey_density_t_m3, 1.02487275);
    assert.deepEqual(
      r.value.steps.map((s) => [s.value, s.unit]),
      [
        [1025.97275, 'kg/m³'],
        [1.02597275, 't/m³'],
        [1.02487275, 't/m³'],
      ],
    );
    assert.equal(r.value.steps[2]?.formula, '1.02597275 − 0.0011');
    assert.equal(r.value.hydrometer_equivalent_t_m3, 1.025);
    close(r.value.salinity_psu!, 35, 1e-4, 'salinity');
  });
  it('a monitor in air needs no buoyancy step; its value is the survey density', () => {
    const r = surveyDensityFromMonitor({ density_kg_m3: 1018.5, basis: { medium: 'air', temperature: 'in_situ' } });
    assert.ok(r.ok);
    assert.equal(r.value.survey_density_t_m3, 1.0185);
  });
  it('a density reduced to 15 °C is brought back to the in-situ 20 °C through EOS-80', () => {
    // S = 35 at 15 °C is 1025.97275; at 20 °C it is 1024.76300 (draft-survey.md §5.1) → 1.02366300 in air.
    const r = surveyDensityFromMonitor({ density_kg_m3: 1025.97275, basis: { medium: 'vacuo', temperature: 'reference', reference_c: 15 }, temperature_c: 20, temperature_scale: 'IPTS-68' });
    assert.ok(r.ok);
    close(r.value.in_situ_vacuo_kg_m3, 1024.763, 1e-4);
    close(r.value.survey_density_t_m3, 1.023663, 1e-7);
    assert.equal(r.value.steps.length, 5);
    const noTemp = surveyDensityFromMonitor({ density_kg_m3: 1025, basis: { medium: 'vacuo', temperature: 'reference', reference_c: 15 } });
    assert.equal(!noTemp.ok && noTemp.error.code, 'DENSITY_READING_INVALID');
  });
  it('refuses implausible readings and temperatures outside EOS-80', () => {
    const big = surveyDensityFromMonitor({ density_kg_m3: 1100, basis: { medium: 'vacuo', temperature: 'in_situ' } });
    assert.equal(!big.ok && big.error.code, 'DENSITY_READING_INVALID');
    const hot = surveyDensityFromMonitor({ density_kg_m3: 1020, basis: { medium: 'vacuo', temperature: 'in_situ' }, temperature_c: 45 });
    assert.equal(!hot.ok && hot.error.code, 'DENSITY_EOS80_RANGE');
  });
  it('rounds to the hydrometer graduation of 0.0005', () => {
    assert.equal(toHydrometerGraduation(1.02487275), 1.025);
    assert.equal(toHydrometerGraduation(1.02474), 1.0245);
    assert.equal(toHydrometerGraduation(1.0183), 1.0185);
    assert.equal(toHydrometerGraduation(1.0182), 1.018);
  });
});

describe('ballast-exchange salinity flag (S < 30 PSU)', () => {
  it('ρ = 1020.0 kg/m³ at 20 °C → S = 28.746: below 30, flagged when an exchange is claimed', () => {
    const r = ballastSalinity({ density: { kg_m3_in_vacuo: 1020 }, temperature_c: 20, temperature_scale: 'IPTS-68', exchange_claimed: true });
    assert.ok(r.ok);
    close(r.value.salinity_psu, 28.746, 5e-4);
    assert.equal(r.value.below_threshold, true);
    assert.equal(r.value.flag, true);
    const unclaimed = ballastSalinity({ density: { kg_m3_in_vacuo: 1020 }, temperature_c: 20, temperature_scale: 'IPTS-68' });
    assert.equal(unclaimed.ok && unclaimed.value.flag, false);
  });
  it('a hydrometer value in air is converted back before solving: 1.0239 in air at 15 °C → S ≈ 33.738', () => {
    const r = ballastSalinity({ density: { t_m3_in_air: 1.0239 }, temperature_c: 15, temperature_scale: 'IPTS-68', exchange_claimed: true });
    assert.ok(r.ok);
    close(r.value.salinity_psu, 33.738, 5e-4);
    assert.equal(r.value.flag, false);
  });
});

describe('monitor or manual hydrometer', () => {
  const monitor = surveyDensityFromMonitor({ density_kg_m3: 1019.6, basis: { medium: 'vacuo', temperature: 'in_situ' } });
  it('uses the monitor by default and a manual value only with a reason', () => {
    assert.ok(monitor.ok);
    const auto = chooseSurveyDensity({ monitor: monitor.value });
    assert.ok(auto.ok);
    assert.equal(auto.value.density_t_m3, 1.0185);
    assert.equal(auto.value.source, 'monitor');
    const noReason = chooseSurveyDensity({ monitor: monitor.value, manual: { hydrometer_t_m3: 1.019, reason: '  ' } });
    assert.equal(!noReason.ok && noReason.error.code, 'DENSITY_MANUAL_REASON_MISSING');
    const manual = chooseSurveyDensity({ monitor: monitor.value, manual: { hydrometer_t_m3: 1.019, reason: 'monitor fouled by weed' } });
    assert.ok(manual.ok);
    assert.equal(manual.value.source, 'manual');
    assert.equal(manual.value.difference_t_m3, 0.0005);
  });
});
