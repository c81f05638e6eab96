/**
 * The ballast chain, by hand and through the service: level-meter pressure → level with the
 * recorded ballast density → sounding → volume through the tank table at the ship's trim → weight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trueTrimM } from '../../../edge/survey/case-builder.js';
import { AIR_BUOYANCY_T_M3 } from '../../../shared/survey/eos80.js';
import { STANDARD_GRAVITY_M_S2 } from '../../../shared/vessel/ballast-level.js';
import { draftPoints, IMO, rig, vesselFiles } from './helpers.js';

const T0 = 1_800_000_000_000;
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/** The fixture's DB1P table: 262 m² × (s − 0.04·trim), bilinear between its rows (linear here). */
const db1pVolume = (sounding: number, trim: number) => 262 * (sounding - 0.04 * trim);

test('true trim between the perpendiculars is the apparent trim × LBP / LBM', () => {
  const r = rig();
  try {
    r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: 'x' });
    const { record } = r.service.vessels.get(IMO);
    const readings = { fwd_port: 5, fwd_stbd: 5, mid_port: 6, mid_stbd: 6, aft_port: 7.2, aft_stbd: 7.2 };
    // marks: fwd 4.5 m aft of the FP, aft 6.2 m forward of the AP → LBM = 217 − 4.5 − 6.2 = 206.3 m
    close(trueTrimM(readings, record), (2.2 * 217) / 206.3, 1e-12, 'trim');
  } finally {
    r.close();
  }
});

test('pressure → level → sounding → trimmed volume → weight, every step kept', async () => {
  let now = T0 + 40_000;
  const r = rig({ now: () => now });
  try {
    r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    const s = r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' });
    await assert.rejects(r.service.captureTank(s.id, 'DB1P', { device: 'blm', window_s: 10, density_t_m3: 1.025, operator: '王工' }), { code: 'EDGE_SURVEY_INCOMPLETE' }, 'the trim comes from the drafts');
    r.write('dg', draftPoints(5.0, 6.2, 7.4, 0), T0, T0 + 40_000, 1000);
    const withDrafts = await r.service.captureDrafts(s.id, { device: 'dg', window_s: 30, operator: '王工' });
    const trim = withDrafts.trim_m!;
    close(trim, (2.4 * 217) / 206.3, 1e-9, 'trim from the drafts');

    // The meter sees 1.5 m of ballast of true density 1.025 (in air) → 1.0261 in vacuo, with a little noise.
    const rhoAir = 1.025;
    const rhoVac = rhoAir + AIR_BUOYANCY_T_M3;
    const level = 1.5;
    const p = level * rhoVac * STANDARD_GRAVITY_M_S2;
    r.write('blm', { pressure: (ts) => p + (ts % 2000 === 0 ? 0.01 : -0.01) }, T0, T0 + 40_000, 1000);
    now += 1000;
    const out = await r.service.captureTank(s.id, 'DB1P', { device: 'blm', window_s: 20, density_t_m3: rhoAir, density_basis: 'air', probe_offset_m: 0.05, operator: '王工' });
    const t = out.data.tanks['DB1P']!;
    const lm = t.level_meter!;
    assert.equal(lm.pressure_kpa.n, 20); // 21 s … 40 s
    close(lm.pressure_kpa.mean, p, 0.001, 'mean pressure');
    assert.deepEqual(lm.density_assumed, { value_t_m3: 1.025, basis: 'air', in_vacuo_t_m3: 1.0261 });
    close(lm.level_m, level, 1e-4, 'level');
    const sounding = t.calculation.observed_sounding_m;
    close(sounding, level + 0.05, 1e-4, 'sounding = level + probe offset');
    assert.equal(t.calculation.trim_m, trim);
    assert.equal(t.calculation.trim_kind, 'volume');
    close(t.volume_m3, db1pVolume(sounding, trim), 0.01, 'volume from the sounding × trim grid');
    close(t.weight_t, t.volume_m3 * rhoAir, 1e-9, 'weight = volume × density');
    assert.ok(lm.steps.length >= 3 && t.calculation.steps.length >= 2);
    assert.equal(t.source, 'meter');

    // The case file carries the tank by volume and density: the engine makes the weight.
    r.service.setDensityManual(s.id, { hydrometer_t_m3: 1.015, reason: '比重计', operator: '王工' });
    const computed = r.service.compute(s.id, '王工');
    const caseFile = r.service.exportCase(s.id);
    assert.deepEqual(caseFile.surveys[0]!.ballast_tanks, [{ name: 'DB1P', volume_m3: t.volume_m3, density_t_m3: 1.025 }]);
    close(computed.result!.values.total_deductibles_t, t.weight_t, 1e-9, 'deductibles');

    // A sounding beyond the table is refused, naming the tank.
    r.write('blm', { pressure: () => 2.5 * rhoVac * STANDARD_GRAVITY_M_S2 }, T0 + 41_000, T0 + 50_000, 1000);
    now = T0 + 50_000;
    await assert.rejects(r.service.captureTank(s.id, 'DB1P', { device: 'blm', window_s: 5, density_t_m3: rhoAir, operator: '王工' }), (e: Error & { code?: string }) => e.code === 'EDGE_SURVEY_TANK' && /DB1P/.test(e.message));
    await assert.rejects(r.service.captureTank(s.id, 'NOPE', { device: 'blm', window_s: 5, density_t_m3: rhoAir, operator: '王工' }), { code: 'EDGE_SURVEY_NOT_FOUND' });
  } finally {
    r.close();
  }
});

test('other tanks count on their contents line; the same line by hand as well is refused', async () => {
  const r = rig({ now: () => T0 + 40_000 });
  try {
    r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    const s = r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' });
    r.write('dg', draftPoints(5.0, 6.2, 7.4, 0), T0, T0 + 40_000, 1000);
    await r.service.captureDrafts(s.id, { device: 'dg', window_s: 30, operator: '王工' });
    r.service.setDensityManual(s.id, { hydrometer_t_m3: 1.015, reason: '比重计', operator: '王工' });
    // FW: level table 0 → 0, 4 → 198, 6 → 300 m³ (ullage reference 8 m): 5 m sounding → 249 m³.
    const fw = r.service.setTankManual(s.id, 'FW', { ullage_m: 3, density_t_m3: 1.0, reason: '淡水舱空距', operator: '王工' }).data.tanks['FW']!;
    assert.equal(fw.calculation.input, 'ullage');
    close(fw.volume_m3, 249, 1e-9, 'FW volume');
    r.service.compute(s.id, '王工');
    assert.deepEqual(r.service.exportCase(s.id).surveys[0]!.deductibles_t, { fresh_water: 249 });
    r.service.setDeductible(s.id, { name: 'fresh_water', weight_t: 250, reason: '轮机长报表', operator: '王工' });
    assert.throws(() => r.service.compute(s.id, '王工'), { code: 'EDGE_SURVEY_DUPLICATE_DEDUCTIBLE' });
  } finally {
    r.close();
  }
});
