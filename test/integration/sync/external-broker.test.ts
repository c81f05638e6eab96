/**
 * The gateway on MQTT 5 through an external broker (Debian's Mosquitto): the cloud consumes with a shared
 * subscription (its external mode), the gateway connects with protocolVersion 5 and a session expiry, so a
 * command published while it is away is kept by the broker and handled when it comes back. Readings arrive
 * exactly once as with the embedded broker.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startCloud, type RunningCloud } from '../../../cloud/main.js';
import { commandResultSchema, type CommandResult } from '../../../shared/contracts/command.js';
import { topics, toGatewayId } from '../../../shared/contracts/topics.js';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { ADMIN_TOKEN, assertExactlyOnce, createGateway, freePort, quiet, tmpDir, waitFor, waitSynced, writeGatewayConfig } from './helpers.js';

const GW = toGatewayId('gw-ext');
let dir: string;
let port: number;
let mosquitto: ChildProcess | undefined;
let cloud: RunningCloud | undefined;
let gateway: Gateway | undefined;
let watcher: MqttClient | undefined;
const answers: CommandResult[] = [];

before(async () => {
  dir = tmpDir('ext');
  port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n`);
  mosquitto = spawn(fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', ['-c', conf], { stdio: 'ignore' });
  await waitFor('mosquitto listening', () => new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) {
    this.destroy();
    resolve(true);
  }).once('error', () => resolve(false))), 10_000, 100);
  const cloudDir = path.join(dir, 'cloud');
  cloud = await startCloud(
    { version: 1, dataDir: cloudDir, log: { level: 'warn' }, api: { host: '127.0.0.1', port: 0 }, admin: { token: ADMIN_TOKEN }, broker: { mode: 'external', url: `mqtt://127.0.0.1:${port}` } },
    { logDestination: quiet },
  );
  watcher = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, clientId: 'ext-watcher', reconnectPeriod: 0 });
  await watcher.subscribeAsync(topics.up(GW, 'ack'), { qos: 1 });
  watcher.on('message', (_t, p) => answers.push(commandResultSchema.parse(JSON.parse(p.toString('utf8')))));
});

after(async () => {
  await watcher?.endAsync();
  await gateway?.stop();
  await cloud?.stop();
  if (mosquitto && mosquitto.exitCode === null) {
    const gone = new Promise((r) => mosquitto!.once('exit', r));
    mosquitto.kill('SIGTERM');
    await gone;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sync: MQTT 5 through an external broker', { timeout: 120_000 }, () => {
  it('syncs exactly once and keeps its session (and a queued command) across a restart', async () => {
    await createGateway(cloud!.url, GW);
    const configPath = writeGatewayConfig(dir, {
      gw: GW,
      cloud: { broker: { urls: [`mqtt://127.0.0.1:${port}`], protocolVersion: 5, sessionExpiryS: 3600 }, credentials: { username: GW, password: 'provisioned-on-the-broker' } },
    });
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitFor('online', () => gateway!.sync!.metrics().state === 'online', 20_000);
    const w = gateway.store.writer({ batchMs: 100, batchRows: 5000 });
    for (let i = 0; i < 20_000; i++) w.add(`ext-${i % 20}`, { point: 'level', ts: 1_790_000_000_000 + Math.floor(i / 20), value: i, quality: 'good' });
    w.flush();
    gateway.sync!.nudge();
    await waitSynced(gateway.store.file, path.join(dir, 'cloud'), GW, 30_000);
    assertExactlyOnce(gateway.store.file, path.join(dir, 'cloud'), GW);

    // Away: a command published now waits in the gateway's MQTT 5 session at the broker.
    await gateway.stop();
    gateway = undefined;
    await cloud!.broker.publish(topics.down(GW, 'cmd'), JSON.stringify({ id: 'while-away-1', target: 'gateway', op: 'config.set', args: { key: 'log.level', value: 'warn' }, expiresAt: Date.now() + 60_000 }), { qos: 1 });
    gateway = await startGateway({ configPath, logDestination: quiet });
    const a = await waitFor('the queued command answered after the restart', () => answers.find((x) => x.id === 'while-away-1'), 20_000);
    assert.equal(a.status, 'done', a.detail);
    assert.equal(gateway.sync!.metrics().commands.received_total, 1);
  });
});
