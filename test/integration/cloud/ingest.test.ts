// Ingest end to end on the production adapters: real aedes, real InfluxDB, real PostgreSQL, an mqtt.js
// test gateway. Points land in InfluxDB and rows in SQL exactly once, whether a batch is published twice,
// batches arrive out of order, or the cloud died between the InfluxDB write and the SQL commit.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, dropInfluxDb, freshPgDatabase, influxCount, services, startTestCloud, waitFor, uniqueName, type TestCloud, suiteSetup } from './helpers.js';
import { TestGateway, readings } from './publisher.js';

const T0 = 1_700_000_000_000;

describe('ingest: InfluxDB + PostgreSQL', () => {
  let cloud: TestCloud;
  let influxUrl: string;
  let database: string;
  let dropPg: () => Promise<void>;
  let a: TestGateway;
  let b: TestGateway;
  const count = (where: string) => influxCount(influxUrl, database, where);

  suiteSetup(async () => {
    const s = await services();
    influxUrl = s.influxUrl;
    database = uniqueName('qs_ingest');
    const pgDb = await freshPgDatabase(s.pgUrl);
    dropPg = pgDb.drop;
    cloud = await startTestCloud({
      store: { driver: 'postgres', url: pgDb.url },
      timeseries: { driver: 'influx', url: influxUrl, database, flushMs: 10 },
    });
    a = await TestGateway.enrol(cloud.url, 'quay-a');
    b = await TestGateway.enrol(cloud.url, 'quay-b');
    await a.connect({ version: '0.1.0' });
    await b.connect();
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await cloud?.stop();
    if (influxUrl) await dropInfluxDb(influxUrl, database);
    await dropPg?.();
  });

  test('batches of readings land in InfluxDB, each acked on down/committed', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(await a.publish(a.envelope('telemetry', readings(100, { start: T0 + i * 100_000 }))));
    await a.waitCommitted(seqs);
    assert.equal(await count(`"gw" = 'quay-a'`), 2000);
    assert.equal((await cloud.store.counts('quay-a')).batches, 20);
  });

  test('the same batch published twice (and a third time later) is stored once and acked each time', async () => {
    const env = a.envelope('telemetry', readings(50, { device: 'dup-1', start: T0 }));
    await a.publish(env);
    await a.publish(env);
    await a.waitCommitted([env.seq]);
    a.committed.delete(env.seq);
    await a.publish(env);
    await a.waitCommitted([env.seq]);
    assert.equal(await count(`"gw" = 'quay-a' AND "device" = 'dup-1'`), 50);
    const m = cloud.ingest.metrics().counters;
    assert.ok((m['batches_duplicate_total'] ?? 0) >= 2, JSON.stringify(m));
  });

  test('batches out of order are all stored, once', async () => {
    const envs = [1, 2, 3, 4, 5, 6].map((i) => a.envelope('telemetry', readings(10, { device: 'ooo-1', start: T0 + i * 10_000 })));
    for (const i of [4, 1, 5, 0, 3, 2, 4, 0]) await a.publish(envs[i]!);
    await a.waitCommitted(envs.map((e) => e.seq));
    assert.equal(await count(`"gw" = 'quay-a' AND "device" = 'ooo-1'`), 60);
  });

  test('crash after the InfluxDB write, before the SQL commit: the resent batch does not double', async () => {
    const env = a.envelope('telemetry', readings(40, { device: 'crash-1', start: T0 }));
    // What the dead process got done: the points are in InfluxDB, the ledger knows nothing, no ack went out.
    await cloud.series.write(env.items.map((r) => ({ gw: env.gw, ...r })));
    await cloud.series.flush();
    assert.equal(await count(`"device" = 'crash-1'`), 40);
    assert.equal(await cloud.store.isIngested('quay-a', env.seq), false);
    // The gateway never got its ack, so it sends the batch again.
    await a.publish(env);
    await a.waitCommitted([env.seq]);
    assert.equal(await count(`"device" = 'crash-1'`), 40);
    assert.equal(await cloud.store.isIngested('quay-a', env.seq), true);
  });

  test('events, surveys and records go to SQL once each', async () => {
    const ev = b.envelope('event', [
      { id: 'ev-1', ts: T0, device: 'cam-1', kind: 'plate', value: '粤B12345', confidence: 0.97 },
      { id: 'ev-2', ts: T0 + 1, device: 'cam-1', kind: 'container', value: 'MSCU1234566', confidence: 0.88, attrs: { lane: 2 } },
    ]);
    const sv = b.envelope('survey', [{ id: 'sv-1', ts: T0, vessel: { name: 'MV Ocean', imo: '9074729' }, stage: 'initial', status: 'completed', report: { displacement: 51234.5 } }]);
    const rc = b.envelope('record', [{ id: 'rc-1', ts: T0, type: 'queue.call', data: { ticket: 'A017', window: 3 } }]);
    for (const env of [ev, sv, rc, ev, rc]) await b.publish(env);
    await b.waitCommitted([ev.seq, sv.seq, rc.seq]);
    const c = await cloud.store.counts('quay-b');
    assert.deepEqual({ events: c.events, surveys: c.surveys, records: c.records, batches: c.batches }, { events: 2, surveys: 1, records: 1, batches: 3 });
    const row = await cloud.store.db.selectFrom('events').selectAll().where('id', '=', 'ev-1').executeTakeFirstOrThrow();
    assert.equal(JSON.parse(row.value), '粤B12345');
    assert.equal(row.confidence, 0.97);
  });

  test('a binary payload with NUL bytes is dead-lettered in PostgreSQL too', async () => {
    await b.publishRaw('qs/v1/quay-b/up/record', Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x00, 0x41]));
    const dl = await waitFor('dead letter', async () => (await cloud.store.listDeadLetters({ gw: 'quay-b', limit: 5 }))[0]);
    assert.equal(dl.code, 'CLOUD_INGEST_JSON');
    assert.equal(dl.bytes, 6);
    assert.ok(!dl.payload.includes('\u0000'));
  });

  test('API: gateways with online state, history, latest, health, metrics; admin token required', async () => {
    const list = await cloud.admin('/api/gateways');
    assert.equal(list.status, 200);
    const ga = list.body.find((g: { id: string }) => g.id === 'quay-a');
    assert.equal(ga.online, true);
    assert.equal(ga.connected, true);
    assert.equal(ga.status.version, '0.1.0');

    const hist = await cloud.admin(`/api/gateways/quay-a/devices/ooo-1/history?point=density&from=${T0}&to=${T0 + 100_000}`);
    assert.equal(hist.status, 200);
    assert.equal(hist.body.rows.length, 60);
    assert.deepEqual(Object.keys(hist.body.rows[0]).sort(), ['device', 'point', 'quality', 'ts', 'unit', 'value']);
    const iso = await cloud.admin(`/api/gateways/quay-a/devices/ooo-1/history?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 15_000).toISOString()}&limit=5`);
    assert.equal(iso.body.rows.length, 5);
    const bad = await cloud.admin(`/api/gateways/quay-a/devices/ooo-1/history?from=yesterday`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'CLOUD_BAD_REQUEST');

    const latest = await cloud.admin('/api/gateways/quay-a/latest');
    assert.ok(latest.body.rows.some((r: { device: string; ts: number }) => r.device === 'density-1' && r.ts === T0 + 19 * 100_000 + 99_000));

    const health = (await fetch(`${cloud.url}/api/health`).then((r) => r.json())) as Record<string, unknown>;
    assert.deepEqual({ status: health.status, store: health.store, timeseries: health.timeseries, broker: health.broker }, { status: 'ok', store: 'postgres', timeseries: 'influx', broker: 'embedded' });

    const metrics = await fetch(`${cloud.url}/metrics`).then((r) => r.text());
    assert.match(metrics, /^qs_cloud_ingest_batches_stored_total \d+$/m);
    assert.match(metrics, /^qs_cloud_ts_points_written_total\{driver="influx"\} \d+$/m);
    assert.match(metrics, /^qs_cloud_gateways_online 2$/m);

    for (const path of ['/api/gateways', '/api/gateways/quay-a/latest', '/api/dead-letters']) {
      const res = await fetch(`${cloud.url}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
      assert.equal(res.status, 401, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CLOUD_UNAUTHORIZED');
    }
    assert.notEqual(ADMIN_TOKEN, 'wrong-token-wrong-token');
  });

  test('commands go down on down/cmd; the result comes back on up/ack, stored once', async () => {
    const sent = await cloud.admin('/api/gateways/quay-b/commands', { body: { target: 'led-1', op: 'led.text', args: { text: '请到3号窗口' } } });
    assert.equal(sent.status, 202);
    const cmd = await waitFor('command at the gateway', () => b.commands.find((c) => (c as { id: string }).id === sent.body.id));
    assert.deepEqual(cmd, sent.body);
    for (let i = 0; i < 2; i++) await b.publishRaw('qs/v1/quay-b/up/ack', JSON.stringify({ id: sent.body.id, status: 'done', detail: 'shown' }));
    const list = await waitFor('command done', async () => {
      const r = await cloud.admin('/api/gateways/quay-b/commands');
      return r.body[0]?.status === 'done' ? r.body : null;
    });
    assert.equal(list[0].result.detail, 'shown');
    assert.equal(cloud.ingest.metrics().counters['command_results_total'], 1);
  });
});
