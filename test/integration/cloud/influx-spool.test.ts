// InfluxDB goes away (its process is killed): the cloud keeps acknowledging batches because they are in
// its on-disk spool; the spool survives a cloud restart; when InfluxDB returns the spool drains and the
// counts in InfluxDB equal what the gateway sent, exactly. Runs its own influxd (the shared one stays up).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { influxCount, spawnChild, startTestCloud, tmpDir, waitFor, type TestCloud, suiteSetup } from './helpers.js';
import { TestGateway, readings } from './publisher.js';

const T0 = 1_700_000_000_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private influxd on its own ports and folder; `kill()` is kill -9, `start()` again reuses the data. */
async function privateInflux() {
  const dir = tmpDir('influxd');
  const http = await freePort();
  const rpc = await freePort();
  const conf = path.join(dir, 'influxdb.conf');
  fs.writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${http}"
  auth-enabled = false
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${http}`;
  let proc: ReturnType<typeof spawnChild> | null = null;
  return {
    url,
    async start() {
      proc = spawnChild('influxd', ['run', '-config', conf]);
      await waitFor('influxd /ping', async () => (await fetch(`${url}/ping`)).status === 204, 20_000, 100);
    },
    async kill() {
      await proc?.stop('SIGKILL');
      proc = null;
    },
    async stop() {
      await proc?.stop('SIGTERM');
      proc = null;
    },
  };
}

describe('InfluxDB down: spool, restart, drain', () => {
  let influx: Awaited<ReturnType<typeof privateInflux>>;
  let cloud: TestCloud;
  let gw: TestGateway;
  const database = 'qs_spool';
  const dataDir = tmpDir('spool-cloud');
  const start = () =>
    startTestCloud(
      { timeseries: { driver: 'influx', url: influx.url, database, flushMs: 10, maxRetries: 1, retryBaseMs: 50, probeMaxMs: 300, timeoutMs: 2000 } },
      { dataDir },
    );
  const m = () => cloud.series.metrics();

  suiteSetup(async () => {
    influx = await privateInflux();
    await influx.start();
    cloud = await start();
    gw = await TestGateway.enrol(cloud.url, 'quay-sp');
    await gw.connect();
  });
  after(async () => {
    await gw?.close();
    await cloud?.stop();
    await influx?.stop();
  });

  test('concurrent writes are coalesced into one HTTP batch (by time), and land exactly', async () => {
    const before = m();
    const writes = Array.from({ length: 10 }, (_, i) =>
      cloud.series.write(readings(100, { device: `batch-${i}`, start: T0 }).map((r) => ({ gw: 'quay-batch', ...r }))),
    );
    await Promise.all(writes);
    assert.equal((m()['points_written_total'] ?? 0) - (before['points_written_total'] ?? 0), 1000);
    assert.equal((m()['batches_written_total'] ?? 0) - (before['batches_written_total'] ?? 0), 1);
    assert.equal(await influxCount(influx.url, database, `"gw" = 'quay-batch'`), 1000);
  });

  test('spool grows while InfluxDB is dead, survives a cloud restart, and drains to exact counts', async () => {
    // 1. InfluxDB up: 10 batches straight in.
    const first: number[] = [];
    for (let i = 0; i < 10; i++) first.push(await gw.publish(gw.envelope('telemetry', readings(100, { start: T0 + i * 100_000 }))));
    await gw.waitCommitted(first);
    assert.equal(await influxCount(influx.url, database, `"gw" = 'quay-sp'`), 1000);
    assert.equal(m()['spool_batches'], 0);

    // 2. kill -9 InfluxDB; the gateway keeps sending and keeps getting acks (the spool is durable).
    await influx.kill();
    const second: number[] = [];
    for (let i = 10; i < 30; i++) second.push(await gw.publish(gw.envelope('telemetry', readings(100, { start: T0 + i * 100_000 }))));
    await gw.waitCommitted(second, 20_000);
    assert.equal(m()['up'], 0);
    assert.equal(m()['spooled_points_total'], 2000);
    assert.ok((m()['spool_batches'] ?? 0) >= 1, JSON.stringify(m()));
    assert.ok((m()['spool_bytes'] ?? 0) > 0);
    const metrics = await fetch(`${cloud.url}/metrics`).then((r) => r.text());
    assert.match(metrics, /^qs_cloud_ts_spool_points\{driver="influx"\} 2000$/m);
    assert.ok(cloud.logs.some((l) => l.code === 'CLOUD_TS_UNAVAILABLE'));
    // a resent old batch is acked from the SQL ledger without touching the time-series store
    gw.committed.delete(first[0]!);
    await gw.publish(gw.envelope('telemetry', readings(100, { start: T0 }), first[0]));
    await gw.waitCommitted([first[0]!]);
    assert.equal(m()['spooled_points_total'], 2000);

    // 3. the cloud restarts while InfluxDB is still down: the spool is still there.
    await gw.close();
    await cloud.stop();
    cloud = await start();
    assert.equal(m()['spool_points'], 2000);
    gw = new TestGateway({ ...gw.enrolment, mqtt: { tcp: `mqtt://127.0.0.1:${cloud.mqttPort}`, tls: null } });
    await gw.connect();
    const third = [await gw.publish(gw.envelope('telemetry', readings(100, { start: T0 + 30 * 100_000 }), 31))];
    await gw.waitCommitted(third);

    // 4. InfluxDB comes back: the spool drains, oldest first, and every point is there exactly once.
    await influx.start();
    await waitFor('spool drained', () => m()['spool_batches'] === 0, 30_000, 100);
    assert.equal(m()['up'], 1);
    assert.equal(await influxCount(influx.url, database, `"gw" = 'quay-sp'`), 3100);
    assert.ok(cloud.logs.some((l) => l.msg === 'InfluxDB spool drained' || l.msg === 'replaying the InfluxDB spool left by an earlier run'));
    // and new batches go straight in again
    const fourth = await gw.publish(gw.envelope('telemetry', readings(100, { start: T0 + 40 * 100_000 })));
    await gw.waitCommitted([fourth]);
    await waitFor('direct write', async () => (await influxCount(influx.url, database, `"gw" = 'quay-sp'`)) === 3200, 10_000);
  });
});
