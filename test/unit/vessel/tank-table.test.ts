import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tank } from '../../../shared/vessel/schema.js';
import { tankSchema } from '../../../shared/vessel/schema.js';
import { tankLimits, tankVolume, type TankCalculation, type TankReading } from '../../../shared/vessel/tank-table.js';

const close = (actual: number, expected: number, tol = 1e-9, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} differs from ${expected} by more than ${tol}`);

function ok(tank: Tank, reading: TankReading): TankCalculation {
  const r = tankVolume(tank, reading);
  if (!r.ok) assert.fail(`unexpected error: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function err(tank: Tank, reading: TankReading): { code: string; message: string } {
  const r = tankVolume(tank, reading);
  assert.equal(r.ok, false, 'expected an error');
  return (r as { ok: false; error: { code: string; message: string } }).error;
}

// Kind 1: volume against sounding × trim.
const fpt: Tank = tankSchema.parse({
  name: 'FPT',
  contents: 'ballast',
  trim: {
    kind: 'volume',
    soundings_m: [0, 1.0, 1.5, 2.0],
    axis_values: [0, 1, 2],
    volumes_m3: [
      [0, 0, 0],
      [100, 110, 124],
      [160, 172, 190],
      [230, 244, 262],
    ],
  },
});

// Kind 2: a level table and a sounding correction (mm) against trim, sounding-independent.
const fw: Tank = tankSchema.parse({
  name: 'FW P',
  contents: 'fresh_water',
  reference_height_m: 6,
  level: { soundings_m: [0, 1, 2, 3], volumes_m3: [0, 40, 82, 125] },
  trim: { kind: 'sounding_correction', axis_values: [-1, 0, 1, 2], corrections_mm: [[30, 0, -25, -50]] },
});

// Kind 3: a level table, a volume correction (m³) against sounding × trim, and one against list.
const hfo: Tank = tankSchema.parse({
  name: 'HFO 1C',
  contents: 'fuel_oil',
  reference_height_m: 18.5,
  level: { soundings_m: [0, 4, 8, 12, 16, 18], volumes_m3: [0, 360, 680, 1000, 1320, 1480] },
  trim: {
    kind: 'volume_correction',
    soundings_m: [0, 4, 12, 18.5],
    axis_values: [-1, 0, 1, 2],
    corrections_m3: [
      [0, 0, 0, 0],
      [2, 0, -2.4, -5],
      [1.2, 0, -1.6, -3.2],
      [0, 0, 0, 0],
    ],
  },
  list: { kind: 'volume_correction', axis_values: [-2, 0, 2], corrections_m3: [[-1.5, 0, 1.8]] },
});

describe('kind 1: volume tabulated against sounding × trim (bilinear, trim first)', () => {
  it('interpolates between nodes: s = 1.2 m, trim 0.5 m → 129.4 m³', () => {
    // trim first: at 1.0 m 100 + 0.5·(110 − 100) = 105; at 1.5 m 160 + 0.5·12 = 166;
    // then sounding: 105 + (0.2/0.5)·(166 − 105) = 129.4.
    const c = ok(fpt, { sounding_m: 1.2, trim_m: 0.5 });
    close(c.volume_m3, 129.4);
    assert.equal(c.trim_kind, 'volume');
    assert.equal(c.corrected_sounding_m, 1.2);
  });
  it('returns the tabulated value on a node and at the corners', () => {
    assert.equal(ok(fpt, { sounding_m: 1.5, trim_m: 1 }).volume_m3, 172);
    assert.equal(ok(fpt, { sounding_m: 2, trim_m: 2 }).volume_m3, 262);
    assert.equal(ok(fpt, { sounding_m: 0, trim_m: 0 }).volume_m3, 0);
  });
  it('weight = volume × the density measured in the tank', () => {
    const c = ok(fpt, { sounding_m: 1.2, trim_m: 0.5, density_t_m3: 1.02 });
    close(c.weight_t!, 129.4 * 1.02);
    assert.equal(c.density_t_m3, 1.02);
  });
  it('never extrapolates in trim or sounding, naming the tank and the value', () => {
    const trim = err(fpt, { sounding_m: 1.2, trim_m: 2.5 });
    assert.equal(trim.code, 'TANK_TRIM_OUT_OF_TABLE');
    assert.match(trim.message, /FPT/);
    assert.match(trim.message, /2\.5/);
    const below = err(fpt, { sounding_m: 1.2, trim_m: -0.1 });
    assert.equal(below.code, 'TANK_TRIM_OUT_OF_TABLE');
    const deep = err(fpt, { sounding_m: 2.1, trim_m: 1 });
    assert.equal(deep.code, 'TANK_SOUNDING_OUT_OF_TABLE');
    assert.match(deep.message, /FPT.*2\.1 m/);
  });
  it('requires the trim when the tank has a trim table', () => {
    assert.equal(err(fpt, { sounding_m: 1 }).code, 'TANK_TRIM_REQUIRED');
  });
});

describe('kind 2: sounding correction against trim (mm), then volume at the corrected sounding', () => {
  it('s = 1.2 m, trim 1.5 m → −37.5 mm → 1.1625 m → 46.825 m³', () => {
    // correction at trim 1.5: −25 + 0.5·(−50 + 25) = −37.5 mm; 40 + 0.1625·(82 − 40) = 46.825.
    const c = ok(fw, { sounding_m: 1.2, trim_m: 1.5 });
    assert.equal(c.trim_sounding_correction_mm, -37.5);
    assert.equal(c.corrected_sounding_m, 1.1625);
    close(c.volume_m3, 46.825);
    assert.equal(c.trim_kind, 'sounding_correction');
  });
  it('ullage → sounding through the reference height gives the same answer', () => {
    const c = ok(fw, { ullage_m: 4.8, trim_m: 1.5 });
    assert.equal(c.observed_sounding_m, 1.2);
    assert.equal(c.reference_height_m, 6);
    close(c.volume_m3, 46.825);
  });
  it('a corrected sounding below the table is an error, not an extrapolation', () => {
    const e = err(fw, { sounding_m: 0.01, trim_m: 1 });
    assert.equal(e.code, 'TANK_SOUNDING_OUT_OF_TABLE');
    assert.match(e.message, /corrected sounding -0\.015 m/);
  });
  it('an ullage larger than the reference height, or no reference height, is refused', () => {
    assert.equal(err(fw, { ullage_m: 6.5, trim_m: 0 }).code, 'TANK_ULLAGE_TOO_LARGE');
    assert.equal(err(fpt, { ullage_m: 1, trim_m: 0 }).code, 'TANK_ULLAGE_NO_REFERENCE');
    assert.equal(err(fw, { sounding_m: 1, ullage_m: 5, trim_m: 0 }).code, 'TANK_READING_INVALID');
    assert.equal(err(fw, { trim_m: 0 }).code, 'TANK_READING_INVALID');
  });
});

describe('kind 3: volume correction against trim (m³) added to the volume at the observed sounding; list too', () => {
  it('ullage 12.5 m (s = 6 m), trim 0.5 m, list 1° → 520 − 1.1 + 0.9 = 519.8 m³', () => {
    // level: 360 + 0.5·320 = 520. Trim correction, trim first: row 4 m: 0.5·(−2.4) = −1.2;
    // row 12 m: 0.5·(−1.6) = −0.8; at 6 m: −1.2 + (2/8)·0.4 = −1.1. List: 0.5·1.8 = 0.9.
    const c = ok(hfo, { ullage_m: 12.5, trim_m: 0.5, list_deg: 1, density_t_m3: 0.95 });
    assert.equal(c.observed_sounding_m, 6);
    assert.equal(c.table_volume_m3, 520);
    close(c.trim_volume_correction_m3, -1.1, 1e-12);
    close(c.list_volume_correction_m3, 0.9, 1e-12);
    close(c.volume_m3, 519.8);
    close(c.weight_t!, 519.8 * 0.95);
    assert.equal(c.trim_kind, 'volume_correction');
    assert.equal(c.list_kind, 'volume_correction');
    assert.ok(c.steps.length >= 4);
  });
  it('list beyond the list table is refused; a missing list is refused', () => {
    assert.equal(err(hfo, { sounding_m: 6, trim_m: 0, list_deg: 2.5 }).code, 'TANK_LIST_OUT_OF_TABLE');
    assert.equal(err(hfo, { sounding_m: 6, trim_m: 0 }).code, 'TANK_LIST_REQUIRED');
  });
  it('an implausible density is refused', () => {
    assert.equal(err(hfo, { sounding_m: 6, trim_m: 0, list_deg: 0, density_t_m3: 9.5 }).code, 'TANK_DENSITY_INVALID');
  });
  it('reports the ranges the tables cover', () => {
    assert.deepEqual(tankLimits(hfo), { sounding_m: [0, 18], trim_m: [-1, 2], list_deg: [-2, 2] });
  });
});

describe('tank schema', () => {
  it('refuses a tank without a volume table, and volume grids against both trim and list', () => {
    assert.equal(tankSchema.safeParse({ name: 'X', contents: 'ballast' }).success, false);
    const grid = { kind: 'volume', soundings_m: [0, 1], axis_values: [0, 1], volumes_m3: [[0, 0], [1, 1]] };
    assert.equal(tankSchema.safeParse({ name: 'X', contents: 'ballast', trim: grid, list: grid }).success, false);
  });
  it('refuses volumes that decrease with sounding and ragged grids', () => {
    const bad = { kind: 'volume', soundings_m: [0, 1], axis_values: [0, 1], volumes_m3: [[0, 5], [1, 4]] };
    assert.equal(tankSchema.safeParse({ name: 'X', contents: 'ballast', trim: bad }).success, false);
    const ragged = { kind: 'volume', soundings_m: [0, 1], axis_values: [0, 1], volumes_m3: [[0, 0], [1]] };
    assert.equal(tankSchema.safeParse({ name: 'X', contents: 'ballast', trim: ragged }).success, false);
  });
});
