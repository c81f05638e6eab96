/**
 * Downlink commands end to end: the cloud's REST API → its broker → the gateway → the simulated LED
 * (Modbus TCP registers) and queue terminal (serial sentences), answers back on up/ack. The same command
 * id redelivered after a gateway restart is not run again and gets the same answer; an expired command
 * is answered `expired`. Answers are watched with the broker's admin client.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { commandResultSchema, type CommandResult } from '../../../shared/contracts/command.js';
import { topics, toGatewayId } from '../../../shared/contracts/topics.js';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { MQTT_ADMIN, adminApi, cloudTotals, createGateway, quiet, startSimulator, startTestCloud, tmpDir, waitFor, writeGatewayConfig, type Simulator, type TestCloud } from './helpers.js';

const GW = toGatewayId('gw-cmd');
let dir: string;
let cloud: TestCloud;
let sim: Simulator;
let gateway: Gateway | undefined;
let watcher: MqttClient;
const answers: CommandResult[] = [];

before(async () => {
  dir = tmpDir('cmd');
  cloud = await startTestCloud(path.join(dir, 'cloud'));
  sim = await startSimulator(dir, {
    version: 1,
    logLevel: 'warn',
    devices: [
      { id: 'led-1', profile: 'qs-led-tcp', transport: { type: 'tcp', port: 0 }, params: { line1: '欢迎', line2: '' } },
      { id: 'qt-1', profile: 'qs-qt-serial', transport: { type: 'serial' }, params: { periodS: 1, meanPressIntervalS: 3600 } },
    ],
  });
  watcher = await connectAsync(`mqtt://127.0.0.1:${cloud.ports.mqtt}`, { protocolVersion: 4, clientId: 'cmd-watcher', ...MQTT_ADMIN, reconnectPeriod: 0 });
  await watcher.subscribeAsync(topics.up(GW, 'ack'), { qos: 1 });
  watcher.on('message', (_t, payload) => answers.push(commandResultSchema.parse(JSON.parse(payload.toString('utf8')))));
});

after(async () => {
  await watcher?.endAsync();
  await gateway?.stop();
  await sim?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const answersFor = (id: string) => answers.filter((a) => a.id === id);
const ledValues = async () => (await sim.device('led-1')).values as Record<string, unknown>;

describe('sync: commands', { timeout: 120_000 }, () => {
  it('runs LED and queue commands once per id, even redelivered after a restart; expired ones are not run', async () => {
    const token = await createGateway(cloud.url, GW);
    const configPath = writeGatewayConfig(dir, { gw: GW, endpoints: sim.endpoints, pollIntervalMs: 500, cloud: { enrolment: { url: cloud.url, token } } });
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitFor('online', () => gateway!.sync!.metrics().state === 'online', 20_000);
    await waitFor(
      'devices online',
      async () => ((await fetch(`${gateway!.url}/api/health`).then((r) => r.json())) as { devices: Array<{ state: string }> }).devices.every((d) => d.state === 'online'),
      20_000,
      200,
    );

    // LED text through the cloud's REST API.
    const text = '请 A017 到 3 号窗口';
    const sent = await adminApi(cloud.url, `/api/gateways/${GW}/commands`, { target: 'led-1', op: 'led.text', args: { text } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const cmd = sent.body as { id: string; expiresAt: number };
    const first = await waitFor('LED command answered', () => answersFor(cmd.id)[0], 15_000);
    assert.equal(first.status, 'done', first.detail);
    assert.equal((await ledValues())['line1'], text, 'the simulated LED register holds the text');
    await waitFor('the cloud has the result', async () => {
      const list = (await adminApi(cloud.url, `/api/gateways/${GW}/commands`)).body as Array<{ id: string; status: string }>;
      return list.find((c) => c.id === cmd.id)?.status === 'done';
    }, 10_000);

    // Queue call: the terminal shows the ticket, the LED's second line the call.
    const q = await adminApi(cloud.url, `/api/gateways/${GW}/commands`, { target: 'qt-1', op: 'queue.call', args: { window: 3, ticket: 'A018', led: 'led-1', ledLine: 2 } });
    const qa = await waitFor('queue call answered', () => answersFor(q.body.id)[0], 15_000);
    assert.equal(qa.status, 'done', qa.detail);
    const shown = (await sim.device('qt-1')) as unknown as { lastReceived: Record<string, { fields: Record<string, unknown> }> };
    assert.equal(shown.lastReceived['QSDSP']?.fields['ticket'], 'A018');
    assert.equal((await ledValues())['line2'], '请 A018 到 3 号窗口');

    // Someone changes line 1 locally; then the gateway restarts.
    const local = await fetch(`${gateway.url}/api/devices/led-1/write`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ point: 'line1', value: 'Local text' }) });
    assert.equal(local.status, 200);
    await gateway.stop();
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitFor('online again', () => gateway!.sync!.metrics().state === 'online', 20_000);

    // The same command id delivered again: same answer, the LED keeps the local text.
    const original = JSON.stringify({ id: cmd.id, target: 'led-1', op: 'led.text', args: { text }, expiresAt: cmd.expiresAt });
    await cloud.broker.publish(topics.down(GW, 'cmd'), original, { qos: 1 });
    const again = await waitFor('redelivered command answered', () => answersFor(cmd.id)[1], 15_000);
    assert.deepEqual(again, first, 'the stored answer, unchanged');
    assert.equal((await ledValues())['line1'], 'Local text', 'not run twice');

    // An expired command: answered expired, not run.
    const expiredId = 'expired-0001';
    await cloud.broker.publish(topics.down(GW, 'cmd'), JSON.stringify({ id: expiredId, target: 'led-1', op: 'led.text', args: { text: 'too late' }, expiresAt: Date.now() - 1000 }), { qos: 1 });
    const exp = await waitFor('expired command answered', () => answersFor(expiredId)[0], 15_000);
    assert.equal(exp.status, 'expired');
    assert.equal((await ledValues())['line1'], 'Local text');

    // Executed commands are kept as records in the cloud.
    await waitFor('command records in the cloud', () => cloudTotals(cloud.dataDir, GW).records >= 2, 15_000);
    const m = gateway.sync!.metrics();
    assert.equal(m.commands.duplicates_total, 1);
    assert.equal(m.commands.executed_total, 0, 'the restarted gateway ran nothing');
  });
});
