/**
 * Chaos (b): kill -9 of the edge daemon (edge/main.ts, a child process) while batches are in flight —
 * sent, not yet committed — three times over, then a restart that drains: every reading the edge stored
 * is in the cloud exactly once (the restarted edge resends open batches under the same seqs; the cloud
 * acknowledges the ones it already has without storing them again).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { startDaemon, type Daemon } from '../../../scripts/lib/stack.js';
import { assertExactlyOnce, cloudTotals, createGateway, quiet, sleep, startSimulator, startTestCloud, tmpDir, waitFor, waitSynced, writeGatewayConfig, type Simulator, type TestCloud } from './helpers.js';

const GW = 'gw-kill';
let dir: string;
let cloud: TestCloud;
let sim: Simulator;
let daemon: Daemon | undefined;
let gateway: Gateway | undefined;

before(async () => {
  dir = tmpDir('kill');
  cloud = await startTestCloud(path.join(dir, 'cloud'));
  sim = await startSimulator(dir, {
    version: 1,
    logLevel: 'warn',
    devices: Array.from({ length: 12 }, (_, i) => ({ id: `sdm-${i + 1}`, profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } })),
  });
});

after(async () => {
  await daemon?.stop('SIGKILL');
  await gateway?.stop();
  await sim?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sync: kill -9 of the edge mid-batch', { timeout: 180_000 }, () => {
  it('loses and doubles nothing across three kills and a restart', async () => {
    const token = await createGateway(cloud.url, GW);
    // A small batch size keeps several batches in flight at any time.
    const configPath = writeGatewayConfig(dir, { gw: GW, endpoints: sim.endpoints, pollIntervalMs: 100, batchMs: 50, cloud: { enrolment: { url: cloud.url, token }, sync: { maxItems: 200, window: 8 } } });
    const edgeDb = path.join(dir, 'edge-data', 'edge.sqlite');
    // The cloud takes 150 ms before committing each batch to its ledger: a batch the cloud has received
    // but not yet committed is on the wire at a moment the test can see, and the edge is killed exactly then.
    const store = cloud.store as unknown as { recordBatch: (env: { seq: number; kind: string }, now: number) => Promise<unknown> };
    const recordBatch = store.recordBatch.bind(store);
    let onRecord: ((seq: number) => void) | undefined;
    store.recordBatch = async (env, now) => {
      if (env.kind === 'telemetry') onRecord?.(env.seq);
      await sleep(150);
      return recordBatch(env, now);
    };
    let midBatch = 0;
    for (let round = 1; round <= 3; round++) {
      daemon = await startDaemon(configPath);
      await waitFor('batches committed', () => fs.existsSync(edgeDb) && cloudTotals(cloud.dataDir, GW).telemetryBatches > round * 5, 30_000, 100);
      const seq = await new Promise<number>((r) => (onRecord = r));
      daemon.child.kill('SIGKILL');
      onRecord = undefined;
      const exit = await daemon.exited;
      assert.equal(exit.signal, 'SIGKILL');
      daemon = undefined;
      if (!cloudTotals(cloud.dataDir, GW).telemetrySeqs.includes(seq)) midBatch++;
      const check = new Database(edgeDb, { fileMustExist: true });
      try {
        assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        check.close();
      }
      await sleep(300);
    }
    store.recordBatch = recordBatch;
    // Restart (in-process, same config and data), let it poll a little, then close the interval and drain.
    gateway = await startGateway({ configPath, logDestination: quiet });
    await waitFor('online again', () => gateway!.sync!.metrics().state === 'online', 20_000);
    await sleep(1000);
    await gateway.scheduler.stop();
    gateway.store.writer({ batchMs: 50, batchRows: 5000 }).flush();
    gateway.sync!.nudge();
    await waitSynced(edgeDb, cloud.dataDir, GW, 60_000);
    const { readings, batches } = assertExactlyOnce(edgeDb, cloud.dataDir, GW);
    assert.ok(readings > 1000, `${readings} readings in ${batches} batches`);
    assert.equal(midBatch, 3, 'each time the edge died while the cloud held one of its batches uncommitted');
    // The restarted edge settled what the killed one had sent: by the acks its session kept, or by resending.
    const loop = gateway.sync!.metrics().loop;
    assert.ok(loop.acks_unknown_total + loop.resends_total > 0);
    const dup = cloud.ingest.metrics().counters['batches_duplicate_total'] ?? 0;
    process.stdout.write(`# kill: ${readings} readings, ${batches} batches; ${midBatch}/3 kills with a batch mid-commit; after restart ${loop.resends_total} resends, ${loop.acks_unknown_total} acks for batches sent before the kill; ${dup} duplicates refused by the cloud\n`);
  });
});
