import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cargoProgress, createVessel, STATIONS, vesselParams } from '../../../edge/simulators/physics/vessel.js';
import { createWorld, STATUS_BITS } from '../../../edge/simulators/world.js';

const H = 3_600_000;
const origin = Date.UTC(2026, 2, 10, 8, 0, 0);
const params = vesselParams({ draftStartM: 6.2, draftEndM: 13.9, trimStartM: 2.6, trimEndM: 0.3, operationHours: 26, holdHours: 2, waveAmplitudeM: 0.08, wavePeriodS: 6 });

/** Average of f over [t0, t0 + span) sampled n times evenly. */
function average(f: (t: number) => number, t0: number, span: number, n = 600): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += f(t0 + (i * span) / n);
  return s / n;
}

describe('vessel: a bulk carrier loading alongside', () => {
  const v = createVessel(params, 7, origin);

  it('mean draft rises linearly while loading, trim comes down, aft stays deeper than forward', () => {
    const a = v.at(origin);
    const b = v.at(origin + 13 * H);
    assert.equal(a.operation, 'loading');
    assert.ok(Math.abs(a.meanDraftM - 6.2) < 1e-9);
    assert.ok(Math.abs(b.meanDraftM - (6.2 + 7.7 / 2)) < 1e-9, `half way: ${b.meanDraftM}`);
    assert.ok(b.trimM < a.trimM);
    for (const s of [a, b]) {
      assert.ok(s.still.aft_port > s.still.fwd_port && s.still.aft_stbd > s.still.fwd_stbd, 'trim by the stern');
      assert.ok(Math.abs(s.still.aft_port + s.still.aft_stbd - s.still.fwd_port - s.still.fwd_stbd - 2 * s.trimM) < 1e-9);
    }
    // hog when light, sag when loaded
    assert.ok(a.hogSagM < 0);
    assert.ok(v.at(origin + 26 * H).hogSagM > 0);
  });

  it('holds, then works the other way (discharging), drafts falling', () => {
    assert.equal(v.at(origin + 27 * H).operation, 'idle');
    const d1 = v.at(origin + 30 * H);
    const d2 = v.at(origin + 40 * H);
    assert.equal(d1.operation, 'discharging');
    assert.ok(d2.meanDraftM < d1.meanDraftM);
    assert.deepEqual(cargoProgress(params, 55), { progress: 0, working: false, forward: false });
    assert.deepEqual(cargoProgress(params, 56), { progress: 0, working: true, forward: true }, 'and round again');
  });

  it('waves average out over one wave period at every mark, yet the readings oscillate', () => {
    const P = params.wavePeriodS * 1000;
    for (const st of STATIONS) {
      for (const t0 of [origin + 1234, origin + 5 * H + 777]) {
        const mean = average((t) => v.wave(t, st), t0, P);
        assert.ok(Math.abs(mean) < 1e-9, `${st}: wave mean ${mean}`);
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < 200; i++) {
          const d = v.drafts(t0 + (i * P) / 200)[st];
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
        }
        assert.ok(hi - lo > params.waveAmplitudeM, `${st}: swing ${hi - lo}`);
      }
    }
  });
});

describe('world: the draft gauge sees the same ship', () => {
  it('wave-averaged gauge readings move the right way while loading (by the loading rate)', () => {
    const w = createWorld({ seed: 3, originMs: origin, now: () => origin, vessel: { ...params } });
    const src = w.source('vessel-drafts', { draftNoiseM: 0.002 }, 'dg-1');
    const P = params.wavePeriodS * 1000;
    const avg = (t0: number, sig: string): number => average((t) => src.signals(t)[sig]!, t0, P);
    const rate = (13.9 - 6.2) / 26; // m per hour
    for (const st of STATIONS) {
      const before = avg(origin + H, `draft_${st}`);
      const after = avg(origin + 3 * H, `draft_${st}`);
      const stillRise = w.vessel.at(origin + 3 * H + P / 2).still[st] - w.vessel.at(origin + H + P / 2).still[st];
      assert.ok(after > before, `${st} should rise`);
      assert.ok(Math.abs(after - before - stillRise) < 0.003, `${st}: rise ${after - before} vs still-water ${stillRise}`);
    }
    assert.ok(Math.abs(avg(origin + 3 * H, 'mean_draft') - avg(origin + H, 'mean_draft') - 2 * rate) < 0.02);
    // one wave period's average sits on the still-water draft
    const t0 = origin + 2 * H;
    const still = w.vessel.at(t0 + P / 2).still.mid_port;
    assert.ok(Math.abs(avg(t0, 'draft_mid_port') - still) < 0.002);
  });

  it('reports status bits, trim (+ by the stern) and a sensor temperature near the water', () => {
    const w = createWorld({ seed: 3, originMs: origin, vessel: { ...params } });
    const s = w.source('vessel-drafts', {}, 'dg-1').signals(origin + H);
    assert.equal(s.status, STATUS_BITS.sensorsOk | STATUS_BITS.waveFilter | STATUS_BITS.loading);
    assert.ok(s.trim! > 2 && s.trim! < 2.6);
    assert.ok(Math.abs(s.sensor_temp! - w.sea.at(origin + H).temperature) < 1);
    const idle = w.source('vessel-drafts', { waveFilter: false, sensorFault: true }, 'dg-2').signals(origin + 27 * H);
    assert.equal(idle.status, STATUS_BITS.sensorFault);
  });

  it('is deterministic for a seed and a clock; another seed gives other waves and noise', () => {
    const mk = (seed: number) => createWorld({ seed, originMs: origin, now: () => origin + 42_000 });
    const a = mk(5).source('vessel-drafts', {}, 'dg-1');
    const b = mk(5).source('vessel-drafts', {}, 'dg-1');
    const c = mk(6).source('vessel-drafts', {}, 'dg-1');
    for (const t of [origin, origin + 1500, origin + 7 * H + 321]) {
      assert.deepEqual(a.signals(t), b.signals(t));
      assert.notDeepEqual(a.signals(t), c.signals(t));
    }
    assert.deepEqual(mk(5).snapshot(), mk(5).snapshot());
  });
});
