/** The platform scheduler on real timers: intervals from the last start, no overlap, stop waits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler } from '../../../cloud/platform/scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('platform scheduler', () => {
  it('runs a job every interval and never overlaps a slow run with itself', async () => {
    const s = new Scheduler(null);
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    s.set('slow', 40, async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      starts.push(Date.now() - t0);
      await sleep(100);
      running -= 1;
    });
    await sleep(480);
    await s.stop();
    assert.equal(maxRunning, 1);
    // 40 ms to the first start, then back to back (each run overran its interval): about 4 starts
    assert.ok(starts.length >= 2 && starts.length <= 5, `starts ${starts.join(', ')}`);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 95, `starts ${starts.join(', ')}`);
    assert.equal(running, 0, 'stop() waited for the run in progress');
  });

  it('plans the first run one interval after the last known start', async () => {
    const s = new Scheduler(null);
    let at = 0;
    const t0 = Date.now();
    // last run 150 ms ago, interval 200 ms: the next is due in about 50 ms, not 200
    s.set('resume', 200, async () => void (at = at || Date.now() - t0), t0 - 150);
    await sleep(140);
    await s.stop();
    assert.ok(at > 0 && at < 140, `first run after ${at} ms`);
  });

  it('replaces and removes jobs, and survives a job that throws', async () => {
    const s = new Scheduler(null);
    const hits: string[] = [];
    s.set('a', 30, async () => {
      hits.push('a');
      throw new Error('boom');
    });
    await sleep(100);
    assert.ok(hits.length >= 2, 'the job keeps running after a failure');
    s.set('a', 30, async () => void hits.push('b'));
    s.set('c', 30, async () => void hits.push('c'));
    s.remove('c');
    assert.deepEqual(s.keys(), ['a']);
    hits.length = 0;
    await sleep(100);
    await s.stop();
    assert.ok(hits.length >= 2 && hits.every((h) => h === 'b'), hits.join(','));
  });
});
