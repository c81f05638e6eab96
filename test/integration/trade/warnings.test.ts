/**
 * Early warnings on a generated data set with planted anomalies: the detectors find them (scored
 * with precision and recall), warnings carry evidence, and their status survives re-runs.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readAnswers } from '../../../cloud/trade/generator/index.js';
import { TradeService } from '../../../cloud/trade/service.js';
import { scoreWarnings, type WarningCandidate } from '../../../cloud/trade/warnings.js';
import { makeDataset, type Dataset } from './helpers.js';

let ds: Dataset;
let trade: TradeService;
let found: WarningCandidate[];

before(async () => {
  ds = await makeDataset({ rows: 80_000, enterprises: 150, years: 3, seed: 21 });
  trade = await TradeService.open({ dataDir: path.join(ds.dir, '..', 'data') });
  await trade.loadFile('enterprises', ds.enterprisesFile);
  for (const f of ds.yearFiles) await trade.loadFile('declarations', f);
  const run = await trade.warnings.run();
  found = run.warnings;
  assert.equal(run.window.from, '2025-01');
  assert.equal(run.inserted, found.length);
});

after(async () => {
  await trade?.close();
  ds?.cleanup();
});

describe('early warnings against planted anomalies', () => {
  it('finds the planted enterprise anomalies with good precision', () => {
    const answers = readAnswers(ds.dir);
    const scores = new Map(scoreWarnings(answers.anomalies, found).map((s) => [s.type, s]));
    const report = JSON.stringify([...scores.values()].map((s) => [s.type, s.planted, s.detected, s.warnings, s.matched]));
    for (const t of ['surge', 'stop', 'unit_value'] as const) {
      assert.ok(scores.get(t)!.recall! >= 0.75, `${t} recall: ${report}`);
      assert.ok(scores.get(t)!.precision! >= 0.5, `${t} precision: ${report}`);
    }
    assert.ok(scores.get('concentration')!.recall! >= 0.5, `concentration recall: ${report}`);
    assert.ok(scores.get('concentration')!.precision! >= 0.5, `concentration precision: ${report}`);
  });

  it('each warning carries evidence and a readable message', () => {
    const stop = found.find((w) => w.detector === 'stop')!;
    assert.equal(stop.evidence['active_months_12'], 12);
    assert.match(stop.message, /连续 2 个月无进口申报/);
    const uv = found.find((w) => w.detector === 'unit_value')!;
    assert.ok(Math.abs(Number(uv.evidence['median_z'])) >= 3.5);
    assert.match(uv.subjectKey, /^[0-9A-Z]{18}\|\d{10}\|[A-Z]{3}$/);
  });

  it('status, handler and note survive a re-run, which adds nothing new', async () => {
    const list = await trade.warnings.list({ detector: 'stop' });
    assert.ok(list.total >= 1);
    const w = list.items[0]!;
    const u = await trade.warnings.update(w.id, { status: 'confirmed', handler: 'officer-7', note: '已核实：企业停业' });
    assert.equal(u!.status, 'confirmed');
    assert.equal(u!.handler, 'officer-7');
    const again = await trade.warnings.run();
    assert.equal(again.inserted, 0);
    const after = await trade.warnings.get(w.id);
    assert.equal(after!.status, 'confirmed');
    assert.equal(after!.note, '已核实：企业停业');
    assert.equal((await trade.warnings.list({ status: 'confirmed' })).total, 1);
  });

  it('forecasts a chapter series with its back-test MAPE', async () => {
    const f = await trade.forecast({ filters: { hs_chapter: ['84'] }, horizon: 6 });
    assert.equal(f.points.length, 6);
    assert.equal(f.points[0]!.month, '2026-01');
    assert.equal(f.series.months.length, 36);
    assert.ok(f.mape !== null && f.mape > 0 && f.mape < 1, `MAPE ${f.mape}`);
    assert.ok(f.backtest.length >= 2);
  });
});
