/**
 * Chaos (d): duplicated and reordered deliveries. The edge's own envelopes (built by its sync loop from
 * its outbox) are published by a second MQTT client under the gateway's credentials — newest first, then
 * shuffled, every one twice — before the gateway itself connects and sends them again. The cloud stores
 * each batch once (dedupe on (gw, seq)), acknowledges every copy, and the counts still match exactly.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import { toGatewayId } from '../../../shared/contracts/topics.js';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { EdgeStore } from '../../../edge/store/store.js';
import { Outbox } from '../../../edge/store/outbox.js';
import { SyncLoop } from '../../../edge/sync/loop.js';
import { readCredentials } from '../../../edge/sync/enrol.js';
import { silentLogger } from '../../../edge/logger.js';
import { assertExactlyOnce, cloudTotals, createGateway, quiet, startTestCloud, tmpDir, waitFor, waitSynced, writeGatewayConfig, type TestCloud } from './helpers.js';

const GW = 'gw-dup';
const N = 20_000;
let dir: string;
let cloud: TestCloud;
let gateway: Gateway | undefined;

before(async () => {
  dir = tmpDir('dup');
  cloud = await startTestCloud(path.join(dir, 'cloud'));
});
after(async () => {
  await gateway?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sync: duplicated and reordered deliveries', { timeout: 120_000 }, () => {
  it('stores every batch once whatever the order and number of copies', async () => {
    const token = await createGateway(cloud.url, GW);
    const configPath = writeGatewayConfig(dir, { gw: GW, cloud: { enrolment: { url: cloud.url, token } } });
    // 1. Enrol (first start), then stop: the credentials stay in the data dir.
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitFor('online', () => gateway!.sync!.metrics().state === 'online', 20_000);
    const dataDir = gateway.loaded.config.dataDir;
    await gateway.stop();
    gateway = undefined;
    const cred = readCredentials(dataDir)!;

    // 2. Readings stored while the gateway is down, and the envelopes its sync loop makes of them.
    const store = EdgeStore.open({ dataDir });
    const envelopes: Array<{ topic: string; payload: Buffer; seq: number }> = [];
    try {
      const w = store.writer({ batchMs: 60_000, batchRows: 1_000_000 });
      for (let i = 0; i < N; i++) w.add(`syn-${i % 10}`, { point: 'level', ts: 1_790_000_000_000 + Math.floor(i / 10), value: i, quality: 'good' });
      w.flush();
      // The rows the gateway's loop cuts and the envelopes it builds of them (what it will send).
      const outbox = new Outbox(store.db);
      const loop = new SyncLoop({ outbox, gw: toGatewayId(GW), link: { connected: false, publish: () => Promise.reject(new Error('offline')) }, unitFor: () => '', log: silentLogger(), options: { maxItems: 1000, maxBytes: 256 * 1024, window: 16, liveSlots: 4, ackTimeoutMs: 60_000 } });
      outbox.planFull('telemetry', 1000, Date.now());
      for (const row of outbox.open('asc', 1000, 'telemetry')) {
        const built = loop.build(row, Date.now())!;
        envelopes.push({ topic: `qs/v1/${GW}/up/telemetry`, payload: built.buf, seq: row.seq });
      }
    } finally {
      store.close();
    }
    assert.equal(envelopes.length, N / 1000);

    // 3. Another client with the gateway's credentials delivers them newest first, then shuffled, each twice.
    const replay = await connectAsync(cred.mqtt.tcp!, { protocolVersion: 4, clientId: `${GW}.replay`, username: cred.username, password: cred.password, clean: true, reconnectPeriod: 0 });
    const order = [...envelopes].reverse();
    const shuffled = [...envelopes].sort(() => Math.random() - 0.5);
    for (const e of [...order, ...shuffled]) await replay.publishAsync(e.topic, e.payload, { qos: 1 });
    await replay.endAsync();
    await waitFor('the cloud ingested the replayed batches', () => cloudTotals(cloud.dataDir, GW).telemetryBatches === envelopes.length, 30_000);
    await waitFor('every copy handled', async () => {
      await cloud.ingest.idle();
      return (cloud.ingest.metrics().counters['batches_duplicate_total'] ?? 0) >= envelopes.length;
    }, 10_000);
    const afterReplay = cloudTotals(cloud.dataDir, GW);
    assert.equal(afterReplay.telemetryItems, N, 'each batch stored once despite two copies');
    assert.equal(afterReplay.points, N);

    // 4. The gateway comes back. Its persistent session kept the commit acks published while it was away
    //    (they answer the replayed copies of its own seqs), so it settles those batches without sending;
    //    whatever it does send again is acknowledged as a duplicate and not stored.
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitSynced(gateway.store.file, cloud.dataDir, GW, 30_000);
    assertExactlyOnce(gateway.store.file, cloud.dataDir, GW);
    const dups = cloud.ingest.metrics().counters['batches_duplicate_total'] ?? 0;
    const loop = gateway.sync!.metrics().loop;
    assert.ok(dups >= envelopes.length, `${dups} duplicate deliveries acknowledged without storing`);
    assert.ok(loop.acks_unknown_total + (dups - envelopes.length) >= envelopes.length, 'every batch settled by a queued ack or by a resend the cloud recognised');
    assert.equal(loop.rejected_total, 0);
  });
});
