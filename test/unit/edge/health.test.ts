import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HealthTracker, type HealthChange } from '../../../edge/devices/health.js';
import type { PointSample } from '../../../edge/devices/types.js';

const good = (n = 4): PointSample[] => Array.from({ length: n }, (_, i) => ({ point: `p${i}`, ts: 0, value: i, quality: 'good' }));
const failed = (reason: PointSample['reason'] = 'timeout', n = 4): PointSample[] =>
  Array.from({ length: n }, (_, i) => ({ point: `p${i}`, ts: 0, value: null, quality: 'bad', reason, detail: `${reason} detail` }));
const partly = (): PointSample[] => [...good(3), { point: 'p3', ts: 0, value: 500, quality: 'bad', reason: 'out_of_range', detail: '500 outside 0..100' }];

function track() {
  const h = new HealthTracker('dev', { offlineAfterFailures: 3, windowPolls: 10, degradedShare: 0.1, recoverAfterGoodPolls: 2 }, 0);
  const changes: HealthChange[] = [];
  let t = 0;
  const obs = (s: PointSample[]) => {
    const c = h.observe(s, (t += 1000));
    if (c) changes.push(c);
    return h.snapshot().state;
  };
  return { h, changes, obs };
}

describe('health', () => {
  it('starts offline and goes online on the first good poll', () => {
    const { h, obs, changes } = track();
    assert.equal(h.snapshot().state, 'offline');
    assert.equal(obs(good()), 'online');
    assert.deepEqual(changes.map((c) => `${c.from}>${c.to}`), ['offline>online']);
  });

  it('a device that never answered stays offline (no offline→degraded→offline at start)', () => {
    const { obs, changes } = track();
    assert.equal(obs(failed('disconnected')), 'offline');
    assert.equal(obs(failed('disconnected')), 'offline');
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.reason, 'disconnected');
  });

  it('3 consecutive failed polls → offline with the reason; fewer → degraded', () => {
    const { h, obs, changes } = track();
    obs(good());
    assert.equal(obs(failed('crc')), 'degraded');
    assert.equal(obs(failed('crc')), 'degraded');
    assert.equal(obs(failed('crc')), 'offline');
    const snap = h.snapshot();
    assert.equal(snap.reason, 'crc');
    assert.equal(snap.consecutiveFailures, 3);
    assert.match(snap.detail!, /3 consecutive failed polls/);
    assert.deepEqual(changes.map((c) => `${c.from}>${c.to}:${c.reason ?? ''}`), ['offline>online:', 'online>degraded:crc', 'degraded>offline:crc']);
  });

  it('an exception on every point is a failed poll too', () => {
    const { obs } = track();
    obs(good());
    obs(failed('exception'));
    obs(failed('exception'));
    assert.equal(obs(failed('exception')), 'offline');
  });

  it('some bad points → degraded with their reason; back online after 2 good polls', () => {
    const { h, obs } = track();
    obs(good());
    assert.equal(obs(partly()), 'degraded');
    assert.equal(h.snapshot().reason, 'out_of_range');
    assert.equal(obs(good()), 'degraded', 'one good poll is not enough (hysteresis)');
    assert.equal(obs(good()), 'online');
  });

  it('all points out of range is degraded, not offline (the device answers)', () => {
    const { obs } = track();
    obs(good());
    const allOut = good().map((s) => ({ ...s, quality: 'bad' as const, reason: 'out_of_range' as const }));
    for (let i = 0; i < 5; i++) assert.equal(obs(allOut), 'degraded');
  });

  it('a high share of bad samples keeps it degraded until the window clears', () => {
    const { h, obs } = track();
    obs(good());
    for (let i = 0; i < 3; i++) obs(partly()); // 3 bad of 12 in the window
    obs(good());
    assert.equal(obs(good()), 'degraded', 'share 3/20 ≥ 10 %');
    assert.ok(h.snapshot().badShare >= 0.1);
    for (let i = 0; i < 10; i++) obs(good());
    assert.equal(h.snapshot().state, 'online');
  });

  it('recovers from offline on the first good poll', () => {
    const { obs } = track();
    obs(good());
    for (let i = 0; i < 4; i++) obs(failed());
    assert.equal(obs(good()), 'online');
  });

  it('silence of a streaming device → offline/stale at once; rejected frames count as failures', () => {
    const { h, obs } = track();
    obs(good());
    const c = h.silent(5000, 'no sentence for 3 s');
    assert.equal(c?.to, 'offline');
    assert.equal(c?.reason, 'stale');
    assert.equal(obs(good()), 'online');
    h.failure('crc', 'checksum 0x12 != 0x34', 6000);
    assert.equal(h.snapshot().state, 'degraded');
    h.failure('crc', 'x', 7000);
    h.failure('crc', 'x', 8000);
    assert.equal(h.snapshot().state, 'offline');
  });
});
