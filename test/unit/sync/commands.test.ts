/**
 * Commands: one answer per id and the effect at most once (redelivery, restart, crash during the effect),
 * expiry, validation, the whitelisted config keys. Real SQLite; the gateway is a recording port.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { commandResultSchema, type CommandResult } from '../../../shared/contracts/command.js';
import type { RecordItem } from '../../../shared/contracts/envelope.js';
import { QuaysideError } from '../../../shared/errors.js';
import { CommandStore } from '../../../edge/store/commands.js';
import { CommandHandler, type CommandTargets } from '../../../edge/sync/commands.js';
import { readOverrides } from '../../../edge/sync/overrides.js';
import type { WriteValue } from '../../../edge/devices/scheduler.js';
import { memoryLogger, tempStore } from './helpers.js';

let t: ReturnType<typeof tempStore>;
beforeEach(() => (t = tempStore('qs-cmd-')));
afterEach(() => t.done());

class Gateway implements CommandTargets {
  readonly writes: Array<{ device: string; point: string; value: WriteValue }> = [];
  level = 'info';
  hang = false;
  fail: Error | undefined;
  private readonly kinds: Record<string, string> = { 'led-1': 'led-display', 'qt-1': 'queue-terminal', 'sdm-1': 'density-monitor' };
  deviceKind(id: string) {
    return this.kinds[id];
  }
  isPolled(id: string) {
    return id !== 'qt-1';
  }
  write(device: string, point: string, value: WriteValue) {
    this.writes.push({ device, point, value });
    if (this.hang) return new Promise<never>(() => undefined);
    if (this.fail) return Promise.reject(this.fail);
    return Promise.resolve({ point, confirmed: true, readBack: value as string });
  }
  setLogLevel(l: string) {
    this.level = l;
  }
}

function handler(gwy = new Gateway(), opts: { execTimeoutMs?: number; up?: boolean } = {}) {
  const answers: CommandResult[] = [];
  const records: RecordItem[] = [];
  const { log } = memoryLogger();
  const link = { up: opts.up ?? true };
  const h = new CommandHandler({
    store: new CommandStore(t.store.db),
    kv: t.store,
    targets: gwy,
    publish: (r) => {
      if (!link.up) return Promise.reject(new Error('not connected'));
      answers.push(commandResultSchema.parse(r));
      return Promise.resolve();
    },
    record: (r) => void records.push(r),
    log,
    ...(opts.execTimeoutMs ? { execTimeoutMs: opts.execTimeoutMs } : {}),
  });
  return { h, answers, records, gwy, link };
}

const cmd = (over: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ id: 'c-1', target: 'led-1', op: 'led.text', args: { text: '请 A017 到 3 号窗口' }, expiresAt: Date.now() + 60_000, ...over }));
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('commands: exactly one answer per id', () => {
  it('runs led.text once; a redelivery gets the same answer without running it again', async () => {
    const { h, answers, gwy, records } = handler();
    h.onMessage(cmd());
    await settle();
    assert.deepEqual(gwy.writes, [{ device: 'led-1', point: 'line1', value: '请 A017 到 3 号窗口' }]);
    assert.equal(answers.length, 1);
    assert.equal(answers[0]!.status, 'done');
    assert.match(answers[0]!.detail, /led-1 line 1 shows "请 A017 到 3 号窗口" \(confirmed by read-back\)/);
    assert.equal(records.length, 1, 'kept as a business record');
    assert.equal(records[0]!.type, 'led.text');
    h.onMessage(cmd());
    h.onMessage(cmd({ args: { text: 'something else' } }));
    await settle();
    assert.equal(gwy.writes.length, 1, 'the effect ran once');
    assert.equal(answers.length, 3);
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
  });

  it('keeps the answer across a restart of the gateway', async () => {
    const first = handler();
    first.h.onMessage(cmd());
    await settle();
    t.reopen();
    const second = handler();
    assert.equal(second.h.recover(), 0);
    second.h.onMessage(cmd());
    await settle();
    assert.equal(second.gwy.writes.length, 0, 'not run again after the restart');
    assert.deepEqual(second.answers, first.answers);
  });

  it('a command interrupted by a crash is answered rejected at the next start and never run again', async () => {
    const gwy = new Gateway();
    gwy.hang = true;
    const first = handler(gwy);
    first.h.onMessage(cmd());
    await settle();
    assert.equal(first.answers.length, 0, 'still running when the gateway "crashes"');
    t.reopen();
    const second = handler();
    assert.equal(second.h.recover(), 1);
    assert.equal(second.h.publishPending(), 1);
    await settle();
    assert.equal(second.answers[0]!.status, 'rejected');
    assert.match(second.answers[0]!.detail, /interrupted/);
    second.h.onMessage(cmd());
    await settle();
    assert.equal(second.gwy.writes.length, 0);
    assert.deepEqual(second.answers[1], second.answers[0]);
  });

  it('answers an expired command "expired" without running it', async () => {
    const { h, answers, gwy } = handler();
    h.onMessage(cmd({ id: 'late', expiresAt: Date.now() - 5000 }));
    await settle();
    assert.equal(gwy.writes.length, 0);
    assert.equal(answers[0]!.status, 'expired');
    assert.match(answers[0]!.detail, /expired \d+ ms before it arrived/);
  });

  it('keeps answers the broker did not take and publishes them on the next connect', async () => {
    const { h, answers, link } = handler(new Gateway(), { up: false });
    h.onMessage(cmd());
    await settle();
    assert.equal(answers.length, 0);
    link.up = true;
    assert.equal(h.publishPending(), 1);
    await settle();
    assert.equal(answers[0]!.status, 'done');
    assert.equal(h.publishPending(), 0, 'published once taken');
  });
});

describe('commands: validation and operations', () => {
  it('rejects invalid commands with a reason; one without an id is only logged', async () => {
    const { h, answers } = handler();
    h.onMessage(Buffer.from('{not json'));
    h.onMessage(Buffer.from(JSON.stringify({ target: 'led-1', op: 'led.text' })));
    h.onMessage(cmd({ id: 'bad-1', expiresAt: 'soon' }));
    h.onMessage(cmd({ id: 'bad-2', op: 'self.destruct' }));
    h.onMessage(cmd({ id: 'bad-3', target: 'sdm-1' }));
    h.onMessage(cmd({ id: 'bad-4', target: 'nope' }));
    h.onMessage(cmd({ id: 'bad-5', args: { text: 7 } }));
    await settle();
    const by = Object.fromEntries(answers.map((a) => [a.id, a]));
    assert.equal(answers.length, 5);
    assert.match(by['bad-1']!.detail, /invalid command: expiresAt/);
    assert.match(by['bad-2']!.detail, /unknown op "self.destruct" \(known: led.text, queue.call, config.set\)/);
    assert.match(by['bad-3']!.detail, /sdm-1 is a density-monitor, not a led-display/);
    assert.match(by['bad-4']!.detail, /no device "nope"/);
    assert.match(by['bad-5']!.detail, /args\.text/);
    assert.ok(answers.every((a) => a.status === 'rejected'));
  });

  it('queue.call shows the ticket on the terminal and the LED; a driver error is a rejected answer with its code', async () => {
    const { h, answers, gwy } = handler();
    h.onMessage(cmd({ id: 'q-1', target: 'qt-1', op: 'queue.call', args: { window: 3, ticket: 'A017', led: 'led-1' } }));
    await settle();
    assert.deepEqual(gwy.writes, [
      { device: 'qt-1', point: 'display', value: { window: 3, ticket: 'A017', text: '请 A017 到 3 号窗口' } },
      { device: 'led-1', point: 'line1', value: '请 A017 到 3 号窗口' },
    ]);
    assert.equal(answers[0]!.status, 'done');
    gwy.fail = new QuaysideError('EDGE_MODBUS_TIMEOUT', 'led-1 did not answer');
    h.onMessage(cmd({ id: 'l-2' }));
    await settle();
    assert.equal(answers[1]!.status, 'rejected');
    assert.match(answers[1]!.detail, /^EDGE_MODBUS_TIMEOUT: /);
  });

  it('a command whose effect hangs is answered rejected after the time limit', async () => {
    const gwy = new Gateway();
    gwy.hang = true;
    const { h, answers } = handler(gwy, { execTimeoutMs: 50 });
    h.onMessage(cmd());
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(answers[0]!.status, 'rejected');
    assert.match(answers[0]!.detail, /no result within 50 ms/);
  });

  it('config.set applies and saves whitelisted keys only', async () => {
    const { h, answers, gwy } = handler();
    h.onMessage(cmd({ id: 's-1', target: 'sdm-1', op: 'config.set', args: { key: 'pollIntervalMs', value: 2000 } }));
    h.onMessage(cmd({ id: 's-2', target: 'led-1', op: 'config.set', args: { key: 'enabled', value: false } }));
    h.onMessage(cmd({ id: 's-3', target: 'gateway', op: 'config.set', args: { key: 'log.level', value: 'debug' } }));
    h.onMessage(cmd({ id: 's-4', target: 'sdm-1', op: 'config.set', args: { key: 'host', value: 'evil' } }));
    h.onMessage(cmd({ id: 's-5', target: 'qt-1', op: 'config.set', args: { key: 'pollIntervalMs', value: 2000 } }));
    await settle();
    const by = Object.fromEntries(answers.map((a) => [a.id, a]));
    assert.equal(by['s-1']!.status, 'done');
    assert.match(by['s-1']!.detail, /sdm-1 pollIntervalMs set to 2000 \(saved; takes effect at the next start/);
    assert.equal(by['s-3']!.status, 'done');
    assert.equal(gwy.level, 'debug');
    assert.equal(by['s-4']!.status, 'rejected');
    assert.match(by['s-4']!.detail, /allowed keys/);
    assert.equal(by['s-5']!.status, 'rejected');
    assert.match(by['s-5']!.detail, /streams by itself/);
    assert.deepEqual(readOverrides(t.store), { devices: { 'sdm-1': { pollIntervalMs: 2000 }, 'led-1': { enabled: false } }, logLevel: 'debug' });
  });
});
