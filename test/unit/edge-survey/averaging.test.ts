/** Averaging gauge readings over a window: statistics, quality filtering, the store window, the mm record. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordedDraft, sampleStats, windowSamples } from '../../../edge/survey/stats.js';
import { MARKS } from '../../../edge/survey/types.js';
import { draftPoints, IMO, rig, vesselFiles } from './helpers.js';

test('sampleStats: mean, min, max, sample std, spread and count of the good samples', () => {
  const s = sampleStats([
    [1000, 2, 'good'],
    [2000, 4, 'good'],
    [3000, 4, 'good'],
    [4000, 4, 'good'],
    [5000, 5, 'good'],
    [6000, 5, 'good'],
    [7000, 7, 'good'],
    [8000, 9, 'good'],
    [9000, 100, 'bad'],
    [9500, Number.NaN, 'good'],
  ])!;
  assert.equal(s.n, 8);
  assert.equal(s.excluded, 2);
  assert.equal(s.mean, 5);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.spread, 7);
  // Σ(x−5)² = 32, sample variance 32/7.
  assert.ok(Math.abs(s.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(s.first_ts, 1000);
  assert.equal(s.last_ts, 8000);
});

test('sampleStats: one sample has std 0; none (or only bad ones) gives undefined', () => {
  assert.deepEqual(sampleStats([[5, 7.25, 'good']]), { n: 1, mean: 7.25, min: 7.25, max: 7.25, std: 0, spread: 0, excluded: 0, first_ts: 5, last_ts: 5 });
  assert.equal(sampleStats([]), undefined);
  assert.equal(sampleStats([[1, 3, 'bad'], [2, 3, 'uncertain']]), undefined);
});

test('a whole number of wave periods averages the wave out', () => {
  const samples: [number, number, 'good'][] = [];
  for (let ts = 0; ts < 70_000; ts += 100) samples.push([ts, 8.2 + 0.05 * Math.sin((2 * Math.PI * ts) / 7000), 'good']);
  const s = sampleStats(samples)!;
  assert.ok(Math.abs(s.mean - 8.2) < 1e-9, String(s.mean));
  assert.ok(Math.abs(s.max - 8.25) < 1e-4 && Math.abs(s.min - 8.15) < 1e-4);
  assert.ok(Math.abs(s.std - 0.05 / Math.SQRT2) < 1e-3);
});

test('recordedDraft keeps the millimetre, half away from zero on the printed value', () => {
  assert.equal(recordedDraft(8.2345), 8.235);
  assert.equal(recordedDraft(8.23449999), 8.234);
  assert.equal(recordedDraft(7), 7);
});

test('windowSamples reads exactly [from, to] of one point from the store', () => {
  const r = rig();
  try {
    r.write('dg', { draft_fwd_port: (ts) => ts / 1000 }, 1000, 20_000);
    const w = windowSamples(r.store, 'dg', 'draft_fwd_port', 5000, 9000);
    assert.deepEqual(w.map((x) => x[1]), [5, 6, 7, 8, 9]);
    assert.equal(windowSamples(r.store, 'dg', 'draft_mid_port', 0, 30_000).length, 0);
  } finally {
    r.close();
  }
});

test('captureDrafts averages each mark over the window, keeps the raw samples and records the mean to the mm', async () => {
  const t0 = 1_800_000_000_000;
  const r = rig({ now: () => t0 + 60_000 });
  try {
    r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    const s = r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' });
    r.write('dg', draftPoints(5.1, 6.3, 7.6), t0, t0 + 60_000, 250);
    r.write('dg', { draft_fwd_port: () => 99 }, t0 + 30_125, t0 + 30_125, 1, 'bad');
    const out = await r.service.captureDrafts(s.id, { device: 'dg', window_s: 35, end_ms: t0 + 35_000, operator: '王工' });
    for (const m of MARKS) {
      const e = out.data.drafts[m]!;
      assert.equal(e.source, 'gauge');
      assert.equal(e.device, 'dg');
      assert.equal(e.stats!.n, 141, m); // 35 s at 4 Hz, both ends included
      const still = m.startsWith('fwd') ? 5.1 : m.startsWith('mid') ? 6.3 : 7.6;
      assert.ok(Math.abs(e.stats!.mean - still) < 0.002, `${m} ${e.stats!.mean}`);
      assert.equal(e.value_m, recordedDraft(e.stats!.mean));
      assert.ok(e.stats!.spread > 0.05 && e.stats!.spread <= 0.06 + 1e-9, `${m} spread ${e.stats!.spread}`);
    }
    assert.equal(out.data.drafts.fwd_port!.stats!.excluded, 1, 'the bad sample is left out and counted');
    const capture = r.service.capture(out.data.drafts.fwd_port!.capture_id!);
    const raw = (capture.samples as Record<string, [number, number, string][]>)['draft_fwd_port']!;
    assert.equal(raw.length, 142);
    assert.match(capture.samples_sm3, /^[0-9a-f]{64}$/);
    assert.ok(out.trim_m! > 2.5 && out.trim_m! < 2.7, `true trim ${out.trim_m}`);
    assert.deepEqual(out.missing, ['density']);
    await assert.rejects(r.service.captureDrafts(s.id, { device: 'dg', window_s: 5, end_ms: t0 - 100_000, operator: '王工' }), { code: 'EDGE_SURVEY_NO_SAMPLES' });
    await assert.rejects(r.service.captureDrafts(s.id, { device: 'sdm', window_s: 5, operator: '王工' }), { code: 'EDGE_SURVEY_INSTRUMENT' });
  } finally {
    r.close();
  }
});
