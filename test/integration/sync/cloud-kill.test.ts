/**
 * Chaos (c): kill -9 of the cloud after the InfluxDB write and before the SQL commit and the ack. The
 * cloud runs as operators run it (`cloud/main.ts CONFIG`, a child process, real InfluxDB); with
 * QS_CHAOS_KILL_AFTER_SERIES_WRITES it SIGKILLs itself right after a telemetry batch reached InfluxDB
 * (cloud/ingest/chaos.ts). The test checks that the kill did land in that window (InfluxDB holds more
 * points than the SQL ledger counts), restarts the cloud at the same address, and then requires the
 * counts to match exactly: the points in InfluxDB and the items in the SQL ledger both equal the
 * readings the edge stored — the resent batch overwrote its points instead of doubling them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startGateway, type Gateway } from '../../../edge/app.js';
import type { ReadingWriter } from '../../../edge/store/store.js';
import { REPO, dropInfluxDb, influxCount, services, spawnChild, uniqueName } from '../cloud/helpers.js';
import { ADMIN_TOKEN, MQTT_ADMIN, createGateway, edgeTotals, freePort, quiet, tmpDir, waitFor, writeGatewayConfig } from './helpers.js';

const GW = 'gw-cloud-kill';
const READINGS = 12_000;
let dir: string;
let influxUrl: string;
let database: string;
let cloud: ReturnType<typeof spawnChild> | undefined;
let gateway: Gateway | undefined;

before(async () => {
  dir = tmpDir('cloud-kill');
  influxUrl = (await services()).influxUrl;
  database = uniqueName('qs_cloud_kill');
});
after(async () => {
  await gateway?.stop();
  await cloud?.stop('SIGKILL');
  if (influxUrl) await dropInfluxDb(influxUrl, database);
  fs.rmSync(dir, { recursive: true, force: true });
});

function produce(writer: ReadingWriter, from: number, n: number, baseTs: number): number {
  for (let i = from; i < from + n; i++) writer.add(`k-${i % 20}`, { point: `p${i % 3}`, ts: baseTs + i, value: i / 7, quality: 'good' });
  return from + n;
}

/** Batches and items the cloud's SQL ledger holds for the gateway (read from its SQLite file). */
function ledger(cloudDb: string): { batches: number; items: number; seqs: number[] } {
  const db = new Database(cloudDb, { readonly: true, fileMustExist: true });
  try {
    const t = db.prepare("SELECT count(*) AS batches, coalesce(sum(items), 0) AS items FROM ingested_batches WHERE gw = ? AND kind = 'telemetry'").get(GW) as { batches: number; items: number };
    const seqs = db.prepare("SELECT seq FROM ingested_batches WHERE gw = ? AND kind = 'telemetry' ORDER BY seq").pluck().all(GW) as number[];
    return { ...t, seqs };
  } finally {
    db.close();
  }
}

describe('sync: the cloud killed between the InfluxDB write and the SQL commit', { timeout: 180_000 }, () => {
  it('stores every reading once in InfluxDB and in SQL after a restart', async () => {
    const ports = { api: await freePort(), mqtt: await freePort(), mqtts: await freePort() };
    const cfgFile = path.join(dir, 'cloud.json');
    fs.writeFileSync(
      cfgFile,
      JSON.stringify({
        version: 1,
        dataDir: 'cloud-data',
        log: { level: 'warn' },
        api: { host: '127.0.0.1', port: ports.api },
        admin: { token: ADMIN_TOKEN },
        broker: { mode: 'embedded', host: '127.0.0.1', port: ports.mqtt, tlsPort: ports.mqtts, admin: MQTT_ADMIN },
        timeseries: { driver: 'influx', url: influxUrl, database, flushMs: 10 },
      }),
    );
    const url = `http://127.0.0.1:${ports.api}`;
    const startChild = async (env: NodeJS.ProcessEnv) => {
      const child = spawnChild(process.execPath, ['--import', 'tsx', path.join(REPO, 'cloud/main.ts'), cfgFile], { ...process.env, ...env });
      await waitFor('cloud API', async () => (await fetch(`${url}/api/health`).catch(() => null))?.status === 200, 60_000, 100);
      return child;
    };

    // The first cloud dies by its own SIGKILL after its fourth telemetry write to InfluxDB.
    cloud = await startChild({ QS_CHAOS_KILL_AFTER_SERIES_WRITES: '4' });
    const token = await createGateway(url, GW);
    const configPath = writeGatewayConfig(dir, { gw: GW, batchMs: 50, cloud: { enrolment: { url, token }, sync: { maxItems: 500, window: 4 } } });
    gateway = await startGateway({ configPath, logDestination: quiet });
    const writer = gateway.store.writer({ batchMs: 50, batchRows: 5000 });
    const baseTs = Date.UTC(2026, 10, 2);
    let next = 0;
    while (next < READINGS) {
      next = produce(writer, next, 1000, baseTs);
      writer.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    const dead = cloud;
    const signal = await waitFor('the cloud killed itself', () => dead.child.signalCode ?? undefined, 60_000, 50);
    assert.equal(signal, 'SIGKILL', dead.output().slice(-2000));

    const cloudDb = path.join(dir, 'cloud-data', 'cloud.db');
    const before = ledger(cloudDb);
    const inInflux = await influxCount(influxUrl, database, `"gw" = '${GW}'`);
    assert.ok(inInflux > before.items, `the kill came after an InfluxDB write the SQL ledger never recorded (InfluxDB ${inInflux} points, ledger ${before.items} items)`);

    // The cloud comes back at the same address; the edge resends what was never acknowledged.
    cloud = await startChild({ QS_CHAOS_KILL_AFTER_SERIES_WRITES: '' });
    const edgeDb = gateway.store.file;
    await waitFor('edge drained', () => {
      const e = edgeTotals(edgeDb);
      return e.openRows === 0 && e.unbatched === 0 && e.readings === READINGS;
    }, 90_000, 200);

    const after = ledger(cloudDb);
    assert.equal(after.items, READINGS, 'the SQL ledger counts every reading once');
    assert.equal(new Set(after.seqs).size, after.seqs.length);
    const acked = gateway.store.db.prepare("SELECT seq FROM outbox WHERE kind = 'telemetry' AND acked_at IS NOT NULL ORDER BY seq").pluck().all() as number[];
    assert.deepEqual(after.seqs, acked, "the edge's committed seqs are exactly the cloud's ledger");
    await waitFor('InfluxDB holds every reading once', async () => (await influxCount(influxUrl, database, `"gw" = '${GW}'`)) === READINGS, 20_000, 200);
    process.stdout.write(`# cloud kill: InfluxDB ${inInflux} points vs ledger ${before.items} items at the kill; after restart both ${READINGS}\n`);
  });
});
