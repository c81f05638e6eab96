import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellVoltage } from '../../../edge/simulators/physics/ballast.js';
import { G } from '../../../edge/simulators/physics/params.js';
import { createQueue, queueParams } from '../../../edge/simulators/physics/queue.js';
import { createRng } from '../../../edge/simulators/physics/rng.js';
import { createWorld } from '../../../edge/simulators/world.js';

const H = 3_600_000;
const origin = Date.UTC(2026, 9, 1, 0, 0, 0);

describe('ballast tanks', () => {
  const w = createWorld({ seed: 9, originMs: origin, vessel: { operationHours: 20, holdHours: 1 } });

  it('are pumped out while the ship loads and filled while it discharges', () => {
    const total = (t: number): number => w.ballast.all(t).reduce((s, x) => s + x.levelM, 0);
    assert.ok(total(origin + 10 * H) < total(origin) - 5);
    assert.ok(total(origin + 20 * H) < 1);
    assert.ok(total(origin + 40 * H) > total(origin + 25 * H) + 5, 'ballasting while discharging');
    assert.ok(w.ballast.all(origin + 5 * H).some((t) => t.pumping === 'out'));
  });

  it('a level meter reports pressure = ρ·g·level and converts it with its density setting', () => {
    const src = w.source('ballast-tank', { tank: 'FPT' }, 'blm-1');
    const t = origin + 1.5 * H;
    const s = src.signals(t);
    const rho = w.ballast.tank('FPT')!.densityTM3 * 1000;
    assert.ok(Math.abs(s.pressure! - (rho * G * s.level!) / 1000) < 1e-9);
    assert.ok(Math.abs(s.level! - w.ballast.at(t, 'FPT').levelM) < 0.01);
    const set = src.signals(t, { ballast_density: 1.0 });
    assert.ok(Math.abs(set.level! / s.level! - w.ballast.tank('FPT')!.densityTM3) < 1e-9, 'a lighter density setting reads a deeper level');
    assert.throws(() => w.source('ballast-tank', { tank: 'NOPE' }, 'x'), /no tank "NOPE"/);
  });

  it('drains the battery slowly; a swap brings it back to 100 %', () => {
    const src = w.source('ballast-tank', { tank: 'DB1P', batteryStartPct: 50, drainPctPerHour: 2, swapAtPct: 10 }, 'blm-2');
    assert.equal(src.signals(origin).battery, 50);
    assert.equal(src.signals(origin + 10 * H).battery, 30);
    assert.ok(src.signals(origin + 21 * H).battery! > 90, 'swapped');
    for (let p = 0; p <= 100; p += 10) assert.ok(cellVoltage(p) >= 2.5 && cellVoltage(p) <= 4.5);
    assert.ok(cellVoltage(80) > cellVoltage(20));
  });
});

describe('queue terminal key presses', () => {
  const buttons = ['call', 'recall', 'pause', 'resume', 'transfer'];

  it('arrive at the configured mean interval (Poisson)', () => {
    const q = createQueue(queueParams({ meanPressIntervalS: 20, window: 4 }), buttons, 1, 'qt-1', origin);
    const presses = q.pressesUntil(origin + 20_000 * 1000);
    assert.ok(presses.length > 850 && presses.length < 1150, `${presses.length} presses`);
    assert.equal(presses[0]!.button, 'call');
    assert.ok(presses.every((p) => p.window === 4 && buttons.includes(p.button) && /^A\d{3}$/.test(p.ticket)));
    assert.ok(presses.every((p, i) => i === 0 || p.ts >= presses[i - 1]!.ts));
    const calls = presses.filter((p) => p.button === 'call').length;
    assert.ok(calls / presses.length > 0.45, 'call is the usual key');
  });

  it('are deterministic for a seed whatever the polling pattern', () => {
    const a = createQueue(queueParams({ meanPressIntervalS: 5 }), buttons, 'seed', 'qt-1', origin);
    const b = createQueue(queueParams({ meanPressIntervalS: 5 }), buttons, 'seed', 'qt-1', origin);
    const all = a.pressesUntil(origin + 600_000);
    const stepped = [];
    for (let t = origin; t <= origin + 600_000; t += 7_000) stepped.push(...b.pressesUntil(t));
    stepped.push(...b.pressesUntil(origin + 600_000));
    assert.deepEqual(stepped, all);
  });
});

describe('seeded rng', () => {
  it('repeats for a seed, differs across seeds, forks independently', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(Array.from({ length: 5 }, () => b.next()), xs);
    assert.notDeepEqual(Array.from({ length: 5 }, () => createRng(43).next()), xs);
    assert.notEqual(createRng(42).fork('x').next(), createRng(42).fork('y').next());
    const n = createRng(1);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 20000; i++) {
      const v = n.normal();
      s += v;
      s2 += v * v;
    }
    assert.ok(Math.abs(s / 20000) < 0.05 && Math.abs(s2 / 20000 - 1) < 0.05);
  });
});
