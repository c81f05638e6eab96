/**
 * Chaos (a): the cloud (broker and ingest) goes down while the edge keeps storing — more than 100,000
 * readings from a fast in-process source — then comes back at the same address. The edge catches up by
 * itself: every reading in the cloud exactly once, and the newest data does not wait for the backlog
 * (a reading made as the edge comes back online is committed while at least half the backlog is still
 * waiting; in plain arrival order it would come after all of it).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type Gateway } from '../../../edge/app.js';
import type { ReadingWriter } from '../../../edge/store/store.js';
import { assertExactlyOnce, createGateway, quiet, sleep, startTestCloud, tmpDir, waitFor, waitSynced, writeGatewayConfig, type TestCloud } from './helpers.js';

const GW = 'gw-outage';
const BACKLOG = 120_000;
let dir: string;
let cloud: TestCloud | undefined;
let gateway: Gateway | undefined;

before(() => {
  dir = tmpDir('outage');
});
after(async () => {
  await gateway?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** 50 synthetic devices × 4 points; every (device, point, ts) distinct. */
function produce(writer: ReadingWriter, from: number, n: number, baseTs: number): number {
  for (let i = from; i < from + n; i++) {
    const series = i % 200;
    writer.add(`syn-${Math.floor(series / 4)}`, { point: `p${series % 4}`, ts: baseTs + Math.floor(i / 200), value: Math.sin(i / 100), quality: 'good' });
  }
  return from + n;
}

describe('sync: cloud down while the edge produces, then back', { timeout: 240_000 }, () => {
  it(`catches up ${BACKLOG.toLocaleString('en-US')} readings exactly once, live data first`, async () => {
    cloud = await startTestCloud(path.join(dir, 'cloud'));
    const ports = cloud.ports;
    const token = await createGateway(cloud.url, GW);
    const configPath = writeGatewayConfig(dir, { gw: GW, batchMs: 50, cloud: { enrolment: { url: cloud.url, token }, sync: { window: 16, ackTimeoutMs: 10_000 } } });
    gateway = await startGateway({ configPath, logDestination: quiet });
    const sync = gateway.sync!;
    const writer = gateway.store.writer({ batchMs: 50, batchRows: 5000 });
    const edgeDb = gateway.store.file;
    const baseTs = Date.UTC(2026, 10, 1);
    await waitFor('online', () => sync.metrics().state === 'online', 20_000);

    let next = produce(writer, 0, 5000, baseTs);
    writer.flush();
    await waitSynced(edgeDb, cloud.dataDir, GW, 30_000);

    // The cloud goes away.
    await cloud.stop();
    cloud = undefined;
    await waitFor('edge sees the link down', () => !sync.metrics().connected, 10_000);
    const t0 = Date.now();
    while (next < 5000 + BACKLOG) {
      next = produce(writer, next, 10_000, baseTs);
      await new Promise((r) => setImmediate(r));
    }
    writer.flush();
    const produceMs = Date.now() - t0;
    await sleep(300);
    const during = sync.metrics();
    assert.ok(during.backlogReadings >= BACKLOG, `backlog ${during.backlogReadings} while the cloud is down`);
    assert.equal(during.connected, false);
    assert.ok(during.oldestUnackedAgeMs > 0);

    // The newest reading before the cloud returns.
    next = produce(writer, next, 1, baseTs);
    writer.flush();
    const probeId = gateway.store.maxReadingId();

    // The cloud comes back at the same address (credentials and TLS certificate survive in its data dir).
    const back = Date.now();
    cloud = await startTestCloud(path.join(dir, 'cloud'), ports);
    // Live production continues during the catch-up.
    const live = setInterval(() => {
      next = produce(writer, next, 200, baseTs);
    }, 100);
    // A reading made as soon as the edge is back online: live data, which must not queue behind the backlog.
    await waitFor('edge back online', () => sync.metrics().connected, 30_000, 10);
    next = produce(writer, next, 1, baseTs);
    writer.flush();
    const liveProbeId = gateway.store.maxReadingId();
    const liveProbeAt = Date.now();
    await waitFor('caught up', () => sync.metrics().backlogReadings < 2000, 120_000, 100);
    clearInterval(live);
    writer.flush();
    await waitSynced(edgeDb, cloud.dataDir, GW, 60_000);
    const catchupS = (Date.now() - back) / 1000;

    const { readings } = assertExactlyOnce(edgeDb, cloud.dataDir, GW);
    assert.equal(readings, next);

    // Live first: a reading made just after the edge came back online is committed while most of the
    // backlog (everything made while the cloud was down) is still waiting, not behind all of it.
    const db = gateway.store.db;
    const probeAck = db.prepare("SELECT acked_at FROM outbox WHERE kind = 'telemetry' AND from_id <= ? AND to_id >= ?").pluck().get(liveProbeId, liveProbeId) as number;
    const backlogAcks = db.prepare("SELECT acked_at FROM outbox WHERE kind = 'telemetry' AND to_id <= ? ORDER BY acked_at").pluck().all(probeId) as number[];
    const after = backlogAcks.filter((a) => a > probeAck).length;
    assert.ok(backlogAcks.length > 100, `the backlog spans ${backlogAcks.length} batches`);
    assert.ok(
      after >= backlogAcks.length / 2,
      `the live reading was committed ${probeAck - liveProbeAt} ms after it was made, with ${after} of ${backlogAcks.length} backlog batches still to commit`,
    );
    const m = sync.metrics();
    assert.ok(m.loop.resends_total >= 0);
    process.stdout.write(
      `# outage: ${BACKLOG} readings produced in ${produceMs} ms while down; caught up in ${catchupS.toFixed(1)} s ` +
        `(live reading committed ${probeAck - liveProbeAt} ms after it was made, ahead of ${after}/${backlogAcks.length} backlog batches; ` +
        `backlog drained ${backlogAcks[backlogAcks.length - 1]! - back} ms after the cloud returned); resends ${m.loop.resends_total}\n`,
    );
  });
});
