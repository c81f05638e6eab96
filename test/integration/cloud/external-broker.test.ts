// Growing past one machine (DESIGN §7): two cloud replicas share PostgreSQL and InfluxDB and consume an
// external broker (a real Mosquitto) through the shared subscription $share/ingest/qs/v1/+/up/#. Each
// batch is processed by one replica; together they store every batch exactly once, and when one replica
// stops, the other takes all traffic.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { dropInfluxDb, freshPgDatabase, influxCount, services, spawnChild, startTestCloud, tmpDir, uniqueName, waitFor, type TestCloud, suiteSetup } from './helpers.js';
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

describe('two replicas on an external Mosquitto with a shared subscription', () => {
  let mosquitto: ReturnType<typeof spawnChild>;
  let port: number;
  let r1: TestCloud;
  let r2: TestCloud;
  let gw: TestGateway;
  let influxUrl: string;
  let dropPg: () => Promise<void>;
  const database = uniqueName('qs_replicas');

  suiteSetup(async () => {
    const s = await services();
    influxUrl = s.influxUrl;
    const pgDb = await freshPgDatabase(s.pgUrl);
    dropPg = pgDb.drop;
    port = await freePort();
    const dir = tmpDir('mosquitto');
    const conf = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`);
    mosquitto = spawnChild(fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', ['-c', conf]);
    await waitFor(
      'mosquitto listening',
      () =>
        new Promise<boolean>((resolve) => {
          const c = net.connect(port, '127.0.0.1', () => {
            c.destroy();
            resolve(true);
          });
          c.on('error', () => resolve(false));
        }),
      10_000,
      100,
    );
    const config = {
      store: { driver: 'postgres' as const, url: pgDb.url },
      timeseries: { driver: 'influx' as const, url: influxUrl, database, flushMs: 10 },
      broker: { mode: 'external' as const, url: `mqtt://127.0.0.1:${port}`, shareGroup: 'ingest', gatewayUrls: { tcp: `mqtt://127.0.0.1:${port}` } },
    };
    r1 = await startTestCloud(config);
    r2 = await startTestCloud(config);
    gw = await TestGateway.enrol(r1.url, 'quay-x1');
    assert.equal(gw.enrolment.mqtt.tcp, `mqtt://127.0.0.1:${port}`);
    await gw.connect();
  });

  after(async () => {
    await gw?.close();
    await r1?.stop();
    await r2?.stop();
    await mosquitto?.stop();
    if (influxUrl) await dropInfluxDb(influxUrl, database);
    await dropPg?.();
  });

  test('every batch is stored once, shared between the replicas; duplicates are acked', async () => {
    const envs = Array.from({ length: 40 }, (_, i) => gw.envelope('telemetry', readings(50, { start: T0 + i * 50_000 })));
    for (const e of envs) await gw.publish(e);
    for (const e of envs.slice(0, 10)) await gw.publish(e); // redelivered: may reach the other replica
    await gw.waitCommitted(envs.map((e) => e.seq), 20_000);
    await Promise.all([r1.ingest.idle(), r2.ingest.idle()]);
    assert.equal(await influxCount(influxUrl, database, `"gw" = 'quay-x1'`), 2000);
    assert.equal((await r1.store.counts('quay-x1')).batches, 40);
    const stored1 = r1.ingest.metrics().counters['batches_stored_total'] ?? 0;
    const stored2 = r2.ingest.metrics().counters['batches_stored_total'] ?? 0;
    assert.equal(stored1 + stored2, 40);
    assert.ok(stored1 > 0 && stored2 > 0, `both replicas worked: ${stored1} + ${stored2}`);
    // the status went to one replica; both see it through the shared store
    for (const r of [r1, r2]) {
      const g = await r.admin('/api/gateways/quay-x1');
      assert.equal(g.body.online, true);
      assert.equal(g.body.connected, null, 'an external broker does not tell who is connected');
    }
  });

  test('when one replica stops, the other takes all the traffic', async () => {
    await r1.stop();
    const envs = Array.from({ length: 10 }, (_, i) => gw.envelope('telemetry', readings(10, { device: 'after-stop', start: T0 + i * 10_000 })));
    for (const e of envs) await gw.publish(e);
    await gw.waitCommitted(envs.map((e) => e.seq), 20_000);
    assert.equal(await influxCount(influxUrl, database, `"device" = 'after-stop'`), 100);
    assert.equal((await r2.store.counts('quay-x1')).batches, 50);
  });
});
