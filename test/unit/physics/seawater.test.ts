import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  C3515,
  conductivityFromSalinity,
  createSeawater,
  densityEos80,
  densityInAir,
  rtPss78,
  salinityFromConductivity,
  salinityFromDensity,
  salinityFromRt,
  seawaterParams,
} from '../../../edge/simulators/physics/seawater.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} differs from ${expected} by more than ${tol}`);

describe('EOS-80 one-atmosphere density (draft-survey.md §5.1)', () => {
  // [S, t, ρ]: the first four are the UNESCO 1983 check values
  const table: [number, number, number][] = [
    [0, 5, 999.96675],
    [0, 25, 997.04796],
    [35, 5, 1027.67547],
    [35, 25, 1023.34306],
    [35, 15, 1025.97275],
    [35, 20, 1024.763],
    [30, 20, 1020.95388],
    [25, 15, 1018.27899],
    [10, 20, 1005.7927],
  ];
  for (const [S, t, rho] of table) {
    it(`ρ(${S}, ${t} °C) = ${rho} kg/m³ within 1e-5`, () => close(densityEos80(S, t), rho, 1e-5));
  }

  it('inverse: salinity from density (33.738, 37.191, 28.746)', () => {
    close(salinityFromDensity(1025.0, 15), 33.738, 5e-4, 'S(1025, 15)');
    close(salinityFromDensity(1025.0, 25), 37.191, 5e-4, 'S(1025, 25)');
    close(salinityFromDensity(1020.0, 20), 28.746, 5e-4, 'S(1020, 20)');
  });

  it('draft-survey basis: 35 PSU at 20 °C is 1.0237 t/m³ in air', () => {
    close(densityInAir(densityEos80(35, 20)), 1.0237, 5e-5);
  });
});

describe('PSS-78 conductivity (UNESCO 1983) at 0 dbar', () => {
  it('C(35, 15, 0) = 42.914 mS/cm and rt(15) = 1', () => {
    close(conductivityFromSalinity(35, 15), 42.914, 1e-6, 'C(35,15)');
    assert.equal(C3515, 42.914);
    close(rtPss78(15), 1, 1e-8, 'rt(15)');
  });

  it('Rt = 1 is S = 35 at every temperature (the b coefficients sum to zero)', () => {
    for (const t of [0, 5, 10, 20, 25, 30, 35]) close(salinityFromRt(1, t), 35, 1e-9, `t=${t}`);
    for (const t of [0, 10, 25, 35]) close(conductivityFromSalinity(35, t), C3515 * rtPss78(t), 1e-9, `C(35,${t})`);
  });

  it('standard seawater at 25 °C conducts about 53.07 mS/cm', () => {
    close(conductivityFromSalinity(35, 25), 53.065, 0.005);
  });

  it('round-trips S → C → S over the estuary and ocean range', () => {
    for (let S = 2; S <= 42; S += 2.5) {
      for (let t = 0; t <= 35; t += 5) {
        const C = conductivityFromSalinity(S, t);
        close(salinityFromConductivity(C, t), S, 1e-9, `S=${S} t=${t}`);
      }
    }
  });

  it('conductivity rises with salinity and with temperature', () => {
    assert.ok(conductivityFromSalinity(30, 20) > conductivityFromSalinity(8, 20));
    assert.ok(conductivityFromSalinity(20, 25) > conductivityFromSalinity(20, 10));
  });
});

describe('Yangtze-estuary dock water model', () => {
  const origin = Date.UTC(2026, 6, 15, 0, 0, 0);
  const H = 3_600_000;
  const sea = createSeawater(seawaterParams({}), 11, origin);

  it('keeps salinity in 8–30 PSU and swings it with the 12.42 h tide', () => {
    const samples: number[] = [];
    for (let m = 0; m <= 12.42 * 60; m += 10) samples.push(sea.at(origin + m * 60_000).salinity);
    const min = Math.min(...samples);
    const max = Math.max(...samples);
    assert.ok(min >= 8 && max <= 30, `range ${min}..${max}`);
    assert.ok(max - min > 14, `tidal swing only ${max - min} PSU`);
    // one tidal period later the water is about as salty again (the slow drift aside)
    for (const h of [1, 4, 7]) {
      close(sea.at(origin + (h + 12.42) * H).salinity, sea.at(origin + h * H).salinity, 3.5, `h=${h}`);
    }
  });

  it('drifts temperature slowly around the season (summer ≈ 27 °C)', () => {
    const t0 = sea.at(origin).temperature;
    close(t0, 27, 3, 'July water');
    close(sea.at(origin + 60_000).temperature, t0, 0.05, 'one minute later');
  });

  it('reports density and conductivity consistent with its salinity and temperature', () => {
    for (const h of [0, 3, 6, 9]) {
      const s = sea.at(origin + h * H);
      close(s.density, densityEos80(s.salinity, s.temperature), 1e-9);
      close(salinityFromConductivity(s.conductivity, s.temperature), s.salinity, 1e-9);
      assert.ok(s.density > 1000 && s.density < 1025, `ρ = ${s.density}`);
    }
  });

  it('is a pure function of time for a seed', () => {
    const again = createSeawater(seawaterParams({}), 11, origin);
    const other = createSeawater(seawaterParams({}), 12, origin);
    const t = origin + 5.5 * H;
    assert.deepEqual(again.at(t), sea.at(t));
    assert.notEqual(other.at(t).salinity, sea.at(t).salinity);
    assert.deepEqual(sea.measured(t, 'probe', { salinity: 0.02, temperature: 0.01 }), again.measured(t, 'probe', { salinity: 0.02, temperature: 0.01 }));
  });
});
