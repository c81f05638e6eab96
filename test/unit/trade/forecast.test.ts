/** Holt-Winters on synthetic seasonal series: pattern recovery, beating the naive baseline, interval coverage. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backtest, fitHoltWinters, fitSeasonalNaive, forecastSeries, nelderMead, pointForecast } from '../../../cloud/trade/forecast.js';
import { Rng } from '../../../cloud/trade/generator/rng.js';

const SEASON = [-30, -45, 5, 10, 12, 15, 8, 10, 20, 0, 25, 30];

function additiveSeries(n: number, rng: Rng, noise = 4): number[] {
  return Array.from({ length: n }, (_, t) => 500 + 3 * t + SEASON[t % 12]! + noise * rng.normal());
}

function multiplicativeSeries(n: number, rng: Rng, noise = 0.03): number[] {
  return Array.from({ length: n }, (_, t) => (800 + 10 * t) * (1 + SEASON[t % 12]! / 100) * (1 + noise * rng.normal()));
}

describe('Nelder–Mead', () => {
  it('minimises a shifted quadratic', () => {
    const r = nelderMead((x) => (x[0]! - 1) ** 2 + 3 * (x[1]! + 2) ** 2 + 5, [0, 0]);
    assert.ok(Math.abs(r.x[0]! - 1) < 1e-3 && Math.abs(r.x[1]! + 2) < 1e-3);
    assert.ok(Math.abs(r.fx - 5) < 1e-6);
  });
});

describe('Holt-Winters', () => {
  it('recovers the seasonal pattern and trend of an additive series', () => {
    const y = additiveSeries(60, new Rng(1));
    const fit = fitHoltWinters(y, 12, false);
    const p = fit.params!;
    assert.ok(p.alpha > 0 && p.alpha < 1 && p.beta >= 0 && p.gamma >= 0);
    // fit.season[k] is the seasonal term for month index n + k (n = 60 ≡ 0 mod 12)
    const mean = SEASON.reduce((a, b) => a + b, 0) / 12;
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(fit.season[k]! - (SEASON[k]! - mean)) < 8, `season ${k}: ${fit.season[k]} vs ${SEASON[k]! - mean}`);
    assert.ok(Math.abs(fit.trend - 3) < 1, `trend ${fit.trend}`);
    // forecasts track the true continuation
    for (let h = 1; h <= 12; h++) {
      const truth = 500 + 3 * (59 + h) + SEASON[(59 + h) % 12]!;
      assert.ok(Math.abs(pointForecast(fit, h, 12) - truth) < 20, `h=${h}`);
    }
  });

  it('beats the seasonal naive baseline in a rolling-origin back-test (additive and multiplicative)', () => {
    const rng = new Rng(2);
    const add = additiveSeries(60, rng);
    const hw = backtest('hw_additive', add, 12, 6, 12);
    const naive = backtest('seasonal_naive', add, 12, 6, 12);
    assert.ok(hw.mape! < naive.mape!, `additive ${hw.mape} vs naive ${naive.mape}`);
    const mul = multiplicativeSeries(60, rng);
    const hwm = backtest('hw_multiplicative', mul, 12, 6, 12);
    const naivem = backtest('seasonal_naive', mul, 12, 6, 12);
    assert.ok(hwm.mape! < naivem.mape!, `multiplicative ${hwm.mape} vs naive ${naivem.mape}`);
  });

  it('chooses a method by back-test MAPE and returns it with the forecast', () => {
    const y = multiplicativeSeries(48, new Rng(3));
    const months = Array.from({ length: 48 }, (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
    const f = forecastSeries(y, { horizon: 12, months });
    assert.equal(f.points.length, 12);
    assert.equal(f.points[0]!.month, '2026-01');
    assert.notEqual(f.method, 'seasonal_naive');
    const chosen = f.backtest.find((b) => b.method === f.method)!;
    assert.equal(f.mape, chosen.mape);
    for (const b of f.backtest) if (b.mape !== null) assert.ok(f.mape! <= b.mape + 1e-12);
    assert.ok(f.mape! < 0.05, `MAPE ${f.mape}`);
    for (const p of f.points) assert.ok(p.lower95 <= p.lower80 && p.lower80 <= p.value && p.value <= p.upper80 && p.upper80 <= p.upper95);
  });

  it('95 % intervals cover roughly 95 % of future points', () => {
    let inside = 0;
    let total = 0;
    for (let s = 0; s < 30; s++) {
      const y = additiveSeries(54, new Rng(100 + s), 6);
      const f = forecastSeries(y.slice(0, 48), { horizon: 6, methods: ['hw_additive'] });
      f.points.forEach((p, i) => {
        total++;
        if (y[48 + i]! >= p.lower95 && y[48 + i]! <= p.upper95) inside++;
      });
    }
    const coverage = inside / total;
    assert.ok(coverage >= 0.85 && coverage <= 1, `coverage ${coverage}`);
  });

  it('falls back to seasonal naive on short series and rejects too-short ones', () => {
    const y = additiveSeries(18, new Rng(4));
    const f = forecastSeries(y, { horizon: 3 });
    assert.equal(f.method, 'seasonal_naive');
    assert.equal(f.points[0]!.value, fitSeasonalNaive(y, 12).season[0]);
    assert.throws(() => forecastSeries(y.slice(0, 10)), RangeError);
  });
});
