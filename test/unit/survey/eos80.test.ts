import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AIR_BUOYANCY_T_M3,
  ipts68FromIts90,
  pureWaterDensity,
  salinityFromDensity,
  seawaterDensity,
  surveyDensityFromSalinity,
  surveyDensityInAir,
} from '../../../shared/survey/index.js';

describe('EOS-80 one-atmosphere density', () => {
  test('the official UNESCO 1983 check values, to 1e-5 kg/m³', () => {
    const official: [number, number, number][] = [
      [0, 5, 999.96675],
      [0, 25, 997.04796],
      [35, 5, 1027.67547],
      [35, 25, 1023.34306],
    ];
    for (const [s, t, rho] of official) {
      const got = seawaterDensity(s, t);
      assert.ok(Math.abs(got - rho) <= 1e-5, `ρ(${s}, ${t}) = ${got}, expected ${rho}`);
    }
  });

  test('the further values of draft-survey.md §5.1, to 1e-5 kg/m³', () => {
    const table: [number, number, number][] = [
      [35, 15, 1025.97275],
      [35, 20, 1024.763],
      [30, 20, 1020.95388],
      [25, 15, 1018.27899],
      [10, 20, 1005.7927],
    ];
    for (const [s, t, rho] of table) {
      const got = seawaterDensity(s, t);
      assert.ok(Math.abs(got - rho) <= 1e-5, `ρ(${s}, ${t}) = ${got}, expected ${rho}`);
    }
  });

  test('pure water is the S = 0 case; ITS-90 temperatures are converted', () => {
    assert.equal(seawaterDensity(0, 10), pureWaterDensity(10));
    assert.equal(ipts68FromIts90(25), 25.006);
    assert.equal(seawaterDensity(35, 25, 'ITS-90'), seawaterDensity(35, 25.006));
    assert.ok(Math.abs(seawaterDensity(35, 25, 'ITS-90') - seawaterDensity(35, 25)) < 0.01);
  });

  test('outside S 0–42 or t 0–40 °C is refused', () => {
    assert.throws(() => seawaterDensity(43, 10), RangeError);
    assert.throws(() => seawaterDensity(-1, 10), RangeError);
    assert.throws(() => seawaterDensity(35, 41), RangeError);
    assert.throws(() => seawaterDensity(35, -1), RangeError);
  });
});

describe('salinity from density', () => {
  test('check values of §5.1 (to 0.001)', () => {
    const checks: [number, number, number][] = [
      [1025.0, 15, 33.738],
      [1025.0, 25, 37.191],
      [1020.0, 20, 28.746],
    ];
    for (const [rho, t, s] of checks) {
      const got = salinityFromDensity(rho, t);
      assert.ok(Math.abs(got - s) < 5e-4, `S(${rho}, ${t}) = ${got}, expected ${s}`);
    }
  });

  test('inverts the forward equation', () => {
    for (const [s, t] of [[0.5, 2], [12.3, 18], [35, 20], [41.9, 39]] as const) {
      assert.ok(Math.abs(salinityFromDensity(seawaterDensity(s, t), t) - s) < 1e-9);
    }
  });

  test('a density no water of salinity 0–42 has is refused', () => {
    assert.throws(() => salinityFromDensity(990, 20), RangeError);
    assert.throws(() => salinityFromDensity(1040, 20), RangeError);
  });
});

describe('draft-survey basis (density in air)', () => {
  test('in air = in vacuo / 1000 − 0.0011 t/m³; S 35 at 20 °C ⇒ 1.0237', () => {
    assert.equal(AIR_BUOYANCY_T_M3, 0.0011);
    assert.ok(Math.abs(surveyDensityInAir(1025) - 1.0239) < 1e-12);
    const rho = surveyDensityFromSalinity(35, 20);
    assert.ok(Math.abs(rho - 1.02366) < 1e-5, String(rho));
    assert.equal(Number(rho.toFixed(4)), 1.0237);
  });
});
