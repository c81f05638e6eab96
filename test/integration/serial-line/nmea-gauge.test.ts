/**
 * The sentence driver against a simulated NMEA draft gauge (qs-dgs-nmea) over a real socat PTY pair:
 * scaling, each line fault's specific reason while good sentences keep flowing, silence, and a
 * simulator restart behind a stable PTY link.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSentenceDriver, type SentenceDriver } from '../../../edge/devices/serial-line/driver.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { createSentenceSimDevice, type SentenceSimDevice } from '../../../edge/simulators/sentence-device.js';
import { createWorld, type World } from '../../../edge/simulators/world.js';
import { collector, loadSentenceProfile, sleep, waitFor, type Collected } from './helpers.js';

// The real profile plus three derived points, to see scale, offset and range applied by the driver.
const profile = loadSentenceProfile('qs-dgs-nmea', (json) => {
  const points = json.points as Record<string, unknown>[];
  const L = (en: string) => ({ zh: en, en });
  points.push(
    { name: 'fwd_port_mm', label: L('fwd port mm'), sentence: 'QSDFT', field: 'fwd_port', type: 'number', scale: 1000, unit: 'mm' },
    { name: 'temp_f', label: L('temp °F'), sentence: 'QSDFT', field: 'temp', type: 'number', scale: 1.8, offset: 32, unit: '' },
    { name: 'fwd_port_narrow', label: L('narrow'), sentence: 'QSDFT', field: 'fwd_port', type: 'number', unit: 'm', range: { min: 0, max: 1 } },
  );
});

const PERIOD_S = 0.1;
const SILENCE_MS = 1500;

describe('sentence driver ↔ simulated NMEA draft gauge over a PTY', () => {
  let dir: string;
  let pair: PtyPair;
  let world: World;
  let sim: SentenceSimDevice;
  let driver: SentenceDriver;
  const got: Collected = collector();

  const startSim = async (): Promise<void> => {
    pair = await createPtyPair({ dir });
    sim = await createSentenceSimDevice({ id: 'dgs-1', profile, world, params: { periodS: PERIOD_S }, path: pair.b });
  };
  const stopSim = async (): Promise<void> => {
    await sim?.close();
    await pair?.close();
  };
  const goodAfter = (n: number) => () => got.samples.filter((s) => s.point === 'draft_mid_port' && s.quality === 'good').length >= n;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'qs-nmea-'));
    world = createWorld({ seed: 21, vessel: { waveAmplitudeM: 0.05 } });
    await startSim();
    driver = createSentenceDriver({ deviceId: 'dgs-1', profile, path: pair.a, silenceTimeoutMs: SILENCE_MS, reconnectMinMs: 100, reconnectMaxMs: 400 });
    await driver.start(got.handlers);
  });

  after(async () => {
    await driver?.close();
    await stopSim();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    sim.clearFaults();
    await sleep(3 * PERIOD_S * 1000);
    got.reset();
  });

  it('delivers every point with the profile scaling, offset and range applied', async () => {
    await waitFor('five good sentences', goodAfter(5));
    const batch = got.batches.find((b) => b.length === profile.points.length && b.every((s) => s.reason !== 'stale'))!;
    assert.ok(batch, 'a full batch');
    const by = Object.fromEntries(batch.map((s) => [s.point, s]));
    const still = world.vessel.at(batch[0]!.ts).still;
    for (const st of ['fwd_port', 'fwd_stbd', 'mid_port', 'mid_stbd', 'aft_port', 'aft_stbd'] as const) {
      const s = by[`draft_${st}`]!;
      assert.equal(s.quality, 'good');
      assert.ok(Math.abs((s.value as number) - still[st]) < 0.25, `${st}: ${String(s.value)} vs still water ${still[st]}`);
    }
    assert.equal(by.status!.value, 7, 'sensors ok + wave filter + loading');
    assert.ok(Math.abs((by.sensor_temp!.value as number) - world.sea.at(batch[0]!.ts).temperature) < 1.5);
    assert.equal(by.fwd_port_mm!.value, Number(((by.draft_fwd_port!.value as number) * 1000).toPrecision(12)));
    assert.equal(by.temp_f!.value, Number(((by.sensor_temp!.value as number) * 1.8 + 32).toPrecision(12)));
    assert.equal(by.fwd_port_narrow!.quality, 'bad');
    assert.equal(by.fwd_port_narrow!.reason, 'out_of_range');
    assert.equal(by.fwd_port_narrow!.value, by.draft_fwd_port!.value, 'an out-of-range value is kept, flagged bad');
    assert.deepEqual(got.rejected, []);
    assert.ok(driver.connected);
  });

  for (const [fault, reason, detail] of [
    ['crc', 'crc', /EDGE_SENTENCE_CHECKSUM: checksum/],
    ['garbage', 'frame', /EDGE_SENTENCE_MALFORMED: \d+ garbage bytes/],
    ['shortFrame', 'frame', /EDGE_SENTENCE_MALFORMED: truncated sentence/],
  ] as const) {
    it(`fault "${fault}": rejected with reason ${reason}, good sentences keep flowing`, async () => {
      sim.setFaults({ [fault]: true });
      await waitFor(`three ${reason} rejections`, () => got.rejected.length >= 3);
      await waitFor('good sentences in between', goodAfter(3));
      for (const r of got.rejected) {
        assert.equal(r.reason, reason);
        assert.match(r.detail, detail);
      }
      assert.ok(got.samples.every((s) => s.quality === 'good' || s.reason === 'out_of_range'), 'no bad samples from line faults');
    });
  }

  it('silence: every point goes bad/stale once per silence, good again when sentences return', async () => {
    await waitFor('a good sentence', goodAfter(1));
    sim.setFaults({ timeout: true });
    await waitFor('stale samples', () => got.samples.some((s) => s.reason === 'stale'), SILENCE_MS + 2000);
    await sleep(SILENCE_MS * 2); // long enough for a second report if it were repeated
    const stale = got.batches.filter((b) => b.some((s) => s.reason === 'stale'));
    assert.equal(stale.length, 1, 'reported once');
    assert.deepEqual(stale[0]!.map((s) => s.point).sort(), profile.points.map((p) => p.name).sort());
    assert.ok(stale[0]!.every((s) => s.quality === 'bad' && s.value === null && /no QSDFT sentence/.test(s.detail ?? '')));
    got.reset();
    sim.clearFaults();
    await waitFor('good samples again', goodAfter(2));
    assert.equal(driver.stats.silences >= 1, true);
  });

  it('survives the simulator restarting behind the same PTY link', async () => {
    await waitFor('a good sentence', goodAfter(1));
    const opensBefore = driver.stats.opens;
    await stopSim();
    await waitFor('disconnected samples', () => got.samples.some((s) => s.reason === 'disconnected'), 5000);
    assert.equal(driver.connected, false);
    await sleep(300); // a few failed reopen attempts while the link is gone
    await startSim();
    got.reset();
    await waitFor('good samples after the restart', goodAfter(3), 8000);
    assert.ok(driver.connected);
    assert.ok(driver.stats.opens > opensBefore);
    assert.ok(driver.stats.disconnects >= 1);
  });
});
