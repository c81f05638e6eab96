/**
 * The sentence driver against a simulated queue-calling terminal (qs-qt-serial) over a socat PTY:
 * key presses arrive as events, display commands (Chinese text) are acknowledged, bad arguments and
 * a silent terminal give their specific errors, the heartbeat's points arrive as samples.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isQuaysideError } from '../../../shared/errors.js';
import { createSentenceDriver, type SentenceDriver } from '../../../edge/devices/serial-line/driver.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { createSentenceSimDevice, type SentenceSimDevice } from '../../../edge/simulators/sentence-device.js';
import { createWorld } from '../../../edge/simulators/world.js';
import { collector, loadSentenceProfile, waitFor } from './helpers.js';

const profile = loadSentenceProfile('qs-qt-serial');

describe('sentence driver ↔ simulated queue terminal over a PTY', () => {
  let pair: PtyPair;
  let sim: SentenceSimDevice;
  let driver: SentenceDriver;
  const got = collector();

  before(async () => {
    pair = await createPtyPair();
    const world = createWorld({ seed: 5 });
    sim = await createSentenceSimDevice({ id: 'qt-3', profile, world, params: { window: 3, periodS: 0.2, meanPressIntervalS: 0.4 }, path: pair.b });
    driver = createSentenceDriver({ deviceId: 'qt-3', profile, path: pair.a });
    await driver.start(got.handlers);
  });

  after(async () => {
    await driver?.close();
    await sim?.close();
    await pair?.close();
  });

  it('key presses arrive as QSBTN events (random ones and one pressed on demand)', async () => {
    await waitFor('random key presses', () => got.events.filter((e) => e.name === 'QSBTN').length >= 2, 6000);
    const press = await sim.press('transfer');
    await waitFor('the transfer press', () => got.events.some((e) => e.name === 'QSBTN' && e.fields.button === 'transfer' && e.fields.ticket === press.ticket));
    for (const e of got.events.filter((x) => x.name === 'QSBTN')) {
      assert.equal(e.fields.window, 3);
      assert.ok(['call', 'recall', 'pause', 'resume', 'transfer'].includes(String(e.fields.button)));
      assert.match(String(e.fields.ticket), /^A\d{3}$/);
    }
    assert.deepEqual(got.rejected, []);
  });

  it('heartbeat points (uptime, temperature) arrive as samples', async () => {
    await waitFor('QSSTA samples', () => got.samples.some((s) => s.point === 'temperature') && got.samples.some((s) => s.point === 'uptime'));
    const t = got.samples.find((s) => s.point === 'temperature')!;
    assert.equal(t.quality, 'good');
    assert.ok((t.value as number) > -20 && (t.value as number) < 70);
    assert.equal(typeof got.samples.find((s) => s.point === 'uptime')!.value, 'number');
  });

  it('a display command with Chinese text is acknowledged (QSACK ok) and shown by the terminal', async () => {
    const text = '请 A017 号到 3 号窗口办理';
    const r = await driver.write('display', { window: 3, ticket: 'A017', text });
    assert.deepEqual(r, { point: 'display', confirmed: true, readBack: 'ok' });
    const shown = sim.lastReceived.QSDSP!;
    assert.equal(shown.fields.text, text);
    assert.equal(shown.fields.ticket, 'A017');
    assert.equal(shown.fields.window, 3);
    assert.ok(String(shown.fields.ref).length > 0, 'the driver filled in the ref the ack echoes');
    // the ack was consumed by the write, not reported as an event
    assert.ok(!got.events.some((e) => e.name === 'QSACK'));
    // several writes in flight: each ack matches its own ref
    const many = await Promise.all(['A018', 'A019', 'A020'].map((ticket) => driver.write('display', { window: 3, ticket, text: `${ticket} 请到 3 号窗口` })));
    assert.ok(many.every((m) => m.confirmed));
    assert.equal(driver.stats.acks, 4);
  });

  it('bad arguments are refused with EDGE_SENTENCE_MALFORMED before anything is sent', async () => {
    const before = sim.stats.received;
    await assert.rejects(driver.write('display', { window: 3, ticket: 'A017', text: 'x'.repeat(40) }), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
    await assert.rejects(driver.write('display', { window: 'three', ticket: 'A017', text: 'hi' }), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
    await assert.rejects(driver.write('display', { window: 3, ticket: 'A017' }), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
    await assert.rejects(driver.write('display', 'just text'), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
    await assert.rejects(driver.write('beep', {}), (e) => isQuaysideError(e, 'EDGE_POINT_NOT_FOUND'));
    assert.equal(sim.stats.received, before);
  });

  it('no ack within ackTimeoutMs → EDGE_WRITE_NOT_CONFIRMED', async () => {
    sim.setFaults({ timeout: true });
    const t0 = Date.now();
    await assert.rejects(driver.write('display', { window: 3, ticket: 'A021', text: 'no answer' }), (e) => {
      assert.ok(isQuaysideError(e, 'EDGE_WRITE_NOT_CONFIRMED'));
      assert.match(e.message, /no QSACK ack within 1000 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 >= 950);
    sim.clearFaults();
    assert.ok((await driver.write('display', { window: 3, ticket: 'A021', text: 'again' })).confirmed);
  });
});
