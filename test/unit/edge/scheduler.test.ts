import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QuaysideError } from '../../../shared/errors.js';
import { Scheduler, type SchedulerSink } from '../../../edge/devices/scheduler.js';
import type { PointSample } from '../../../edge/devices/types.js';
import { FakeClock, FakePolledDriver, FakeStreamingDriver, modbusProfile, sentenceProfile, settle, type LogEntry } from './fakes.js';

function setup(opts: { devices?: number; intervalMs?: number; readMs?: number } = {}) {
  const clock = new FakeClock();
  const log: LogEntry[] = [];
  const got: { device: string; samples: PointSample[]; kind: string }[] = [];
  const sink: SchedulerSink = { samples: (device, samples, kind) => got.push({ device, samples, kind }) };
  const scheduler = new Scheduler({ sink, clock, stagger: false });
  const profile = modbusProfile();
  const drivers = Array.from({ length: opts.devices ?? 1 }, (_, i) => {
    const d = new FakePolledDriver(`d${i}`, profile, clock, log);
    d.readDurationMs = opts.readMs ?? 10;
    scheduler.addPolled(d, opts.intervalMs ?? 100);
    return d;
  });
  return { clock, log, got, scheduler, drivers };
}

/** Stops, letting virtual time run so the poll in flight can finish. */
async function stop(scheduler: Scheduler, clock: FakeClock): Promise<void> {
  const done = scheduler.stop();
  await clock.advance(10_000);
  await done;
}

const reads = (log: LogEntry[], device = 'd0') => log.filter((e) => e.op === 'read' && e.device === device).map((e) => e.t);

describe('scheduler: fixed-rate timeline', () => {
  it('polls at start + k × interval', async () => {
    const { clock, log, scheduler } = setup({ intervalMs: 100, readMs: 30 });
    scheduler.start();
    await clock.advance(950);
    assert.deepEqual(reads(log), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const s = scheduler.stats('d0')!;
    assert.equal(s.due, 10);
    assert.equal(s.done, 10);
    assert.equal(s.missed, 0);
    assert.equal(s.late, 0);
    await stop(scheduler, clock);
  });

  it('does not drift when timers fire late (next due = previous due + interval)', async () => {
    const { clock, log, scheduler } = setup({ intervalMs: 100 });
    clock.jitterMs = 7;
    scheduler.start();
    await clock.advance(1000);
    // Each poll starts 7 ms after its slot, never 7 ms after the previous poll's start + interval.
    assert.deepEqual(reads(log), [7, 107, 207, 307, 407, 507, 607, 707, 807, 907]);
    assert.equal(scheduler.stats('d0')!.late, 0);
    await stop(scheduler, clock);
  });

  it('counts a slot as missed while the previous poll of that device still runs', async () => {
    const { clock, log, scheduler } = setup({ intervalMs: 100, readMs: 250 });
    scheduler.start();
    await clock.advance(950);
    assert.deepEqual(reads(log), [0, 300, 600, 900]);
    const s = scheduler.stats('d0')!;
    assert.equal(s.due, 10);
    assert.equal(s.missed, 6);
    assert.equal(s.late, 0);
    await stop(scheduler, clock);
  });

  it('counts a poll that starts more than one interval after its slot as late', async () => {
    const { clock, log, scheduler } = setup({ intervalMs: 100, readMs: 10 });
    scheduler.start();
    await clock.advance(50); // poll at 0 done at 10
    clock.block(200); // event loop blocked until t = 250: slots 100 and 200 pass unserved
    await clock.advance(0);
    assert.deepEqual(reads(log), [0, 250]);
    const s = scheduler.stats('d0')!;
    assert.equal(s.late, 1, 'slot 100 polled at 250');
    assert.equal(s.missed, 1, 'slot 200 skipped: slot 100 was still waiting');
    await clock.advance(100);
    assert.deepEqual(reads(log), [0, 250, 300]);
    await stop(scheduler, clock);
  });

  it('polls TCP devices (own transports) in parallel', async () => {
    const { clock, log, scheduler } = setup({ devices: 5, intervalMs: 100, readMs: 80 });
    scheduler.start();
    await clock.advance(250);
    for (let i = 0; i < 5; i++) assert.deepEqual(reads(log, `d${i}`), [0, 100, 200]);
    await stop(scheduler, clock);
  });

  it('staggers first polls across the interval', async () => {
    const clock = new FakeClock();
    const log: LogEntry[] = [];
    const scheduler = new Scheduler({ sink: { samples: () => {} }, clock });
    for (let i = 0; i < 4; i++) scheduler.addPolled(new FakePolledDriver(`d${i}`, modbusProfile(), clock, log), 100);
    scheduler.start();
    await clock.advance(99);
    assert.deepEqual(log.map((e) => e.t), [0, 25, 50, 75]);
    await stop(scheduler, clock);
  });
});

describe('scheduler: writes', () => {
  it('issues queued writes before the next poll of that device', async () => {
    const { clock, log, scheduler, drivers } = setup({ intervalMs: 100, readMs: 80 });
    drivers[0]!.writeDurationMs = 50;
    scheduler.start();
    await clock.advance(20); // poll 0–80 running
    const w1 = scheduler.write('d0', 'p0', 1);
    const w2 = scheduler.write('d0', 'p0', 2);
    await clock.advance(200);
    // poll@0 → write@80 → write@130 → slot 100 (pending behind the writes) @180 → slot 200 missed? no: 180+80=260 > 200 → missed
    assert.deepEqual(
      log.map((e) => `${e.op}@${e.t}`),
      ['read@0', 'write@80', 'write@130', 'read@180'],
    );
    assert.deepEqual(await w1, { point: 'p0', confirmed: true, readBack: 1 });
    assert.deepEqual(await w2, { point: 'p0', confirmed: true, readBack: 2 });
    const s = scheduler.stats('d0')!;
    assert.equal(s.writes, 2);
    assert.equal(s.late, 0, 'started 80 ms after its slot: within one interval');
    assert.equal(s.missed, 1, 'slot 200 came while the poll of slot 100 ran');
    await stop(scheduler, clock);
  });

  it('a write arriving while a poll waits behind another write still goes first', async () => {
    const { clock, log, scheduler, drivers } = setup({ intervalMs: 100, readMs: 10 });
    drivers[0]!.writeDurationMs = 50;
    scheduler.start();
    await clock.advance(95);
    void scheduler.write('d0', 'p0', 1); // runs 95–145; slot 100 waits
    await clock.advance(25);
    void scheduler.write('d0', 'p0', 2); // queued at 120: ahead of the waiting poll
    await clock.advance(100);
    // The poll of slot 100 starts at 195 (95 ms after its slot: not late); slot 200 comes while it runs.
    assert.deepEqual(log.map((e) => `${e.op}@${e.t}`), ['read@0', 'write@95', 'write@145', 'read@195']);
    assert.equal(scheduler.stats('d0')!.missed, 1);
    assert.equal(scheduler.stats('d0')!.late, 0);
    await stop(scheduler, clock);
  });

  it('rejects a write to an unknown device and passes driver errors through', async () => {
    const { clock, scheduler, drivers } = setup();
    scheduler.start();
    await assert.rejects(scheduler.write('nope', 'p0', 1), (e) => e instanceof QuaysideError && e.code === 'EDGE_DEVICE_NOT_FOUND');
    drivers[0]!.writeError = new QuaysideError('EDGE_WRITE_OUT_OF_RANGE', '500 outside 0..100');
    const rejected = assert.rejects(scheduler.write('d0', 'p0', 500), (e) => e instanceof QuaysideError && e.code === 'EDGE_WRITE_OUT_OF_RANGE');
    await clock.advance(50);
    await rejected;
    assert.equal(scheduler.stats('d0')!.writeErrors, 1);
    await stop(scheduler, clock);
  });
});

describe('scheduler: failures', () => {
  it('turns a throwing driver into bad samples with the reason of its error; others keep polling', async () => {
    const { clock, got, scheduler, drivers } = setup({ devices: 2, intervalMs: 100 });
    drivers[0]!.throwWith = new QuaysideError('EDGE_MODBUS_TIMEOUT', 'no answer in 300 ms');
    scheduler.start();
    await clock.advance(250);
    const bad = got.filter((g) => g.device === 'd0');
    const good = got.filter((g) => g.device === 'd1');
    assert.equal(bad.length, 3);
    assert.equal(good.length, 3);
    for (const s of bad[0]!.samples) {
      assert.equal(s.quality, 'bad');
      assert.equal(s.reason, 'timeout');
      assert.equal(s.value, null);
    }
    assert.ok(good.every((g) => g.samples.every((s) => s.quality === 'good')));
    assert.equal(scheduler.stats('d0')!.failed, 3);
    drivers[0]!.throwWith = new Error('boom');
    await clock.advance(100);
    const last = got.filter((g) => g.device === 'd0').at(-1)!.samples[0]!;
    assert.equal(last.reason, 'disconnected', 'a plain Error (a driver bug) reads as disconnected');
    assert.match(last.detail!, /driver error: boom/);
    await stop(scheduler, clock);
  });

  it('stop() waits for the poll in flight and rejects queued writes', async () => {
    const { clock, got, scheduler, drivers } = setup({ intervalMs: 100, readMs: 60 });
    drivers[0]!.writeDurationMs = 10;
    scheduler.start();
    await clock.advance(10);
    const w = scheduler.write('d0', 'p0', 3);
    const stopped = scheduler.stop();
    await assert.rejects(w, (e) => e instanceof QuaysideError && e.code === 'EDGE_DEVICE_UNAVAILABLE');
    await clock.advance(60);
    await stopped;
    assert.equal(got.length, 1, 'the poll in flight delivered its samples');
    await clock.advance(500);
    assert.equal(got.length, 1, 'no polls after stop');
  });
});

describe('scheduler: streaming devices', () => {
  it('forwards samples, retries a failed start with back-off, flags silence once', async () => {
    const clock = new FakeClock();
    const got: { kind: string; samples: PointSample[] }[] = [];
    const scheduler = new Scheduler({ sink: { samples: (_d, samples, kind) => got.push({ kind, samples }) }, clock, restartMinMs: 100 });
    const d = new FakeStreamingDriver('qt-1', sentenceProfile());
    d.startFailures = 2;
    scheduler.addStreaming(d, 1000);
    scheduler.start();
    await settle();
    assert.equal(d.starts, 1);
    assert.equal(got.at(-1)!.kind, 'silence', 'a failed start reports the points bad');
    await clock.advance(100);
    assert.equal(d.starts, 2);
    await clock.advance(200);
    assert.equal(d.starts, 3);
    assert.ok(d.handlers);
    d.emit(5);
    assert.equal(got.at(-1)!.kind, 'stream');
    const before = got.length;
    await clock.advance(1500);
    const silences = got.slice(before).filter((g) => g.kind === 'silence');
    assert.equal(silences.length, 1);
    assert.equal(silences[0]!.samples[0]!.reason, 'stale');
    await clock.advance(3000);
    assert.equal(got.slice(before).filter((g) => g.kind === 'silence').length, 1, 'once per silent spell');
    await stop(scheduler, clock);
  });

  it('does not report a silence twice when the driver reports it itself', async () => {
    const clock = new FakeClock();
    const kinds: string[] = [];
    const scheduler = new Scheduler({ sink: { samples: (_d, _s, kind) => kinds.push(kind) }, clock });
    const d = new FakeStreamingDriver('qt-1', sentenceProfile());
    scheduler.addStreaming(d, 1000);
    scheduler.start();
    await settle();
    d.emit(1);
    await clock.advance(900);
    d.handlers!.onSamples([{ point: 'v', ts: 0, value: null, quality: 'bad', reason: 'stale', detail: 'no QSVAL sentence for 1000 ms' }]);
    await clock.advance(5000);
    assert.deepEqual(kinds, ['stream', 'silence']);
    await stop(scheduler, clock);
  });

  it('sends commands of streaming devices in order', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ sink: { samples: () => {} }, clock });
    const d = new FakeStreamingDriver('qt-1', sentenceProfile());
    scheduler.addStreaming(d, 1000);
    scheduler.start();
    await settle();
    const r = await Promise.all([scheduler.write('qt-1', 'show', { text: 'A' }), scheduler.write('qt-1', 'show', { text: 'B' })]);
    assert.deepEqual(d.writes.map((w) => w.args), [{ text: 'A' }, { text: 'B' }]);
    assert.equal(r[1].confirmed, true);
    await stop(scheduler, clock);
  });
});
