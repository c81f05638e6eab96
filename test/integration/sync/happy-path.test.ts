/**
 * Happy path, all real: the simulator's devices over Modbus TCP → the gateway (startGateway, the same
 * wiring as edge/main.ts) → enrolment with a one-time token → MQTT over TLS → the cloud (cloud/main.ts,
 * embedded aedes, SQLite store, embedded time-series). Every reading the edge stored reaches the cloud
 * exactly once; events too; the cloud sees the gateway online, then offline after a clean stop.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { CREDENTIALS_FILE } from '../../../edge/sync/enrol.js';
import {
  adminApi,
  assertExactlyOnce,
  cloudTotals,
  createGateway,
  edgeTotals,
  quiet,
  sleep,
  startSimulator,
  startTestCloud,
  tmpDir,
  waitFor,
  waitSynced,
  writeGatewayConfig,
  type Simulator,
  type TestCloud,
} from './helpers.js';

const GW = 'gw-happy';
let dir: string;
let cloud: TestCloud;
let sim: Simulator;
let gateway: Gateway | undefined;

before(async () => {
  dir = tmpDir('happy');
  cloud = await startTestCloud(path.join(dir, 'cloud'));
  sim = await startSimulator(dir, {
    version: 1,
    logLevel: 'warn',
    devices: [
      ...Array.from({ length: 4 }, (_, i) => ({ id: `sdm-${i + 1}`, profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } })),
      { id: 'led-1', profile: 'qs-led-tcp', transport: { type: 'tcp', port: 0 }, params: { line1: '欢迎 Welcome' } },
    ],
  });
});

after(async () => {
  await gateway?.stop();
  await sim?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sync: happy path', { timeout: 120_000 }, () => {
  it('enrols, connects over TLS, and every reading reaches the cloud exactly once', async () => {
    const token = await createGateway(cloud.url, GW);
    const configPath = writeGatewayConfig(dir, { gw: GW, endpoints: sim.endpoints, pollIntervalMs: 100, cloud: { enrolment: { url: cloud.url, token } } });
    gateway = await startGateway({ configPath, logDestination: quiet });
    const sync = gateway.sync!;
    assert.ok(sync, 'sync is on with a cloud section');

    await waitFor('sync online', () => sync.metrics().state === 'online', 20_000);
    // Enrolment stored the credentials, private to the gateway, and chose the TLS endpoint.
    const credFile = path.join(gateway.loaded.config.dataDir, CREDENTIALS_FILE);
    assert.equal(fs.statSync(credFile).mode & 0o777, 0o600);
    const cred = JSON.parse(fs.readFileSync(credFile, 'utf8'));
    assert.equal(cred.username, GW);
    assert.match(cred.mqtt.tls, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    assert.match(cred.ca, /BEGIN CERTIFICATE/);
    await waitFor('the cloud sees the gateway online', async () => (await adminApi(cloud.url, `/api/gateways/${GW}`)).body.online === true, 10_000);

    await waitFor('readings flowing', () => sync.metrics().loop.acks_total >= 10, 20_000);
    await sleep(2000);

    // Close the interval: no more polling, commit what the writer holds, let sync drain.
    await gateway.scheduler.stop();
    gateway.store.writer({ batchMs: 100, batchRows: 5000 }).flush();
    sync.nudge();
    const edgeDb = gateway.store.file;
    await waitSynced(edgeDb, cloud.dataDir, GW, 30_000);
    const { readings, batches } = assertExactlyOnce(edgeDb, cloud.dataDir, GW);
    assert.ok(readings > 5 * 4 * 20, `${readings} readings in ${batches} batches`);

    // Store events (health changes) went up as events, each once.
    const edgeEvents = gateway.store.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    await waitFor('events in the cloud', () => cloudTotals(cloud.dataDir, GW).events === edgeEvents, 10_000);

    const m = sync.metrics();
    assert.equal(m.backlogReadings, 0);
    assert.equal(m.inFlight, 0);
    assert.equal(m.oldestUnackedAgeMs, 0);
    assert.equal(m.loop.rejected_total, 0);

    await gateway.stop();
    gateway = undefined;
    await waitFor('the cloud sees the gateway offline', async () => (await adminApi(cloud.url, `/api/gateways/${GW}`)).body.online === false, 10_000);
    // Nothing was left behind by the clean stop either.
    assert.equal(edgeTotals(edgeDb).openRows, 0);
  });
});
