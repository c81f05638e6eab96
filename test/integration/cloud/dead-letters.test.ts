// Bad input on the uplink: malformed JSON, schema violations, oversized payloads, a payload claiming
// another gateway, an envelope on the wrong kind topic. Each becomes a dead letter with its reason and a
// logged code; the gateway is told `rejected` when its seq can be read; the broker keeps serving and
// another gateway publishing at the same time is not affected.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ENVELOPE_BYTES } from '../../../shared/contracts/envelope.js';
import { startTestCloud, waitFor, type TestCloud, suiteSetup } from './helpers.js';
import { TestGateway, readings } from './publisher.js';

const T0 = 1_700_000_000_000;

describe('dead letters', () => {
  let cloud: TestCloud;
  let bad: TestGateway;
  let good: TestGateway;

  suiteSetup(async () => {
    cloud = await startTestCloud();
    bad = await TestGateway.enrol(cloud.url, 'quay-d1');
    good = await TestGateway.enrol(cloud.url, 'quay-d2');
    await bad.connect();
    await good.connect();
  });
  after(async () => {
    await bad?.close();
    await good?.close();
    await cloud?.stop();
  });

  test('each kind of bad message is dead-lettered with its reason while another gateway carries on', async () => {
    // the good gateway streams all along
    const goodSeqs: number[] = [];
    const streaming = (async () => {
      for (let i = 0; i < 30; i++) {
        goodSeqs.push(await good.publish(good.envelope('telemetry', readings(20, { start: T0 + i * 20_000 }))));
      }
    })();

    const topic = 'qs/v1/quay-d1/up/telemetry';
    await bad.publishRaw(topic, '{"v":1,"gw":"quay-d1",');
    const schema = bad.envelope('telemetry', readings(2), 5);
    await bad.publishRaw(topic, JSON.stringify({ ...schema, items: [schema.items[0], { ...schema.items[1], unit: undefined, quality: 'bad' }] }));
    const huge = bad.envelope('telemetry', readings(1000, { value: () => 'x'.repeat(300) }), 6);
    const hugeText = JSON.stringify(huge);
    assert.ok(Buffer.byteLength(hugeText) > MAX_ENVELOPE_BYTES);
    await bad.publishRaw(topic, hugeText);
    await bad.publishRaw(topic, JSON.stringify({ ...bad.envelope('telemetry', readings(1), 7), gw: 'quay-d2' }));
    await bad.publishRaw('qs/v1/quay-d1/up/event', JSON.stringify(bad.envelope('telemetry', readings(1), 8)));
    await bad.publishRaw('qs/v1/quay-d1/up/status', JSON.stringify({ state: 'sleeping', ts: 1 }));
    await bad.publishRaw('qs/v1/quay-d1/up/ack', '[]');

    await streaming;
    await good.waitCommitted(goodSeqs);
    await bad.waitSettled([5, 6, 7, 8]);
    assert.deepEqual(
      [5, 6, 7, 8].map((s) => bad.rejected.get(s)),
      ['CLOUD_INGEST_SCHEMA', 'CLOUD_INGEST_TOO_LARGE', 'CLOUD_INGEST_GW_MISMATCH', 'CLOUD_INGEST_KIND_MISMATCH'],
    );
    assert.equal(bad.committed.size, 0);

    const dl = await waitFor('7 dead letters', async () => {
      const r = await cloud.admin('/api/dead-letters?gw=quay-d1');
      return r.body.length === 7 ? (r.body as Array<{ code: string; reason: string; topic: string; bytes: number; payload: string }>) : null;
    });
    const byCode = (code: string) => dl.filter((d) => d.code === code);
    assert.match(byCode('CLOUD_INGEST_JSON')[0]!.reason, /JSON|Unexpected|end/i);
    assert.equal(byCode('CLOUD_INGEST_JSON')[0]!.payload, '{"v":1,"gw":"quay-d1",');
    assert.ok(byCode('CLOUD_INGEST_SCHEMA').some((d) => /items\[1\]\.unit/.test(d.reason)), JSON.stringify(byCode('CLOUD_INGEST_SCHEMA')));
    assert.ok(byCode('CLOUD_INGEST_SCHEMA').some((d) => d.topic === 'qs/v1/quay-d1/up/status' && /state/.test(d.reason)));
    assert.ok(byCode('CLOUD_INGEST_SCHEMA').some((d) => d.topic === 'qs/v1/quay-d1/up/ack'));
    const tooLarge = byCode('CLOUD_INGEST_TOO_LARGE')[0]!;
    assert.equal(tooLarge.bytes, Buffer.byteLength(hugeText));
    assert.equal(tooLarge.payload.length, 4096, 'only the first bytes are kept');
    assert.match(byCode('CLOUD_INGEST_GW_MISMATCH')[0]!.reason, /quay-d2/);
    assert.match(byCode('CLOUD_INGEST_KIND_MISMATCH')[0]!.reason, /telemetry/);

    // nothing of the bad gateway was stored; everything of the good one was
    assert.equal((await cloud.store.counts('quay-d1')).batches, 0);
    assert.equal((await cloud.store.counts('quay-d2')).batches, 30);
    const latest = await cloud.admin('/api/gateways/quay-d2/devices/density-1/history?from=0&to=9999999999999&limit=100000');
    assert.equal(latest.body.rows.length, 600);

    // each refusal logged with its code; metrics per code
    for (const code of ['CLOUD_INGEST_JSON', 'CLOUD_INGEST_SCHEMA', 'CLOUD_INGEST_TOO_LARGE', 'CLOUD_INGEST_GW_MISMATCH', 'CLOUD_INGEST_KIND_MISMATCH']) {
      assert.ok(cloud.logs.some((l) => l.code === code && l['gw'] === 'quay-d1'), code);
    }
    const metrics = await fetch(`${cloud.url}/metrics`).then((r) => r.text());
    assert.match(metrics, /^qs_cloud_ingest_dead_letters_total\{code="CLOUD_INGEST_SCHEMA"\} 3$/m);
  });

  test('the bad gateway is still connected and its next valid batch is committed', async () => {
    assert.equal(bad.mqtt.connected, true);
    const seq = await bad.publish(bad.envelope('telemetry', readings(3, { start: T0 })));
    await bad.waitCommitted([seq]);
    assert.equal((await cloud.store.counts('quay-d1')).batches, 1);
  });
});
