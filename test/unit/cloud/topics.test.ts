// Topic builders and parser, and the broker ACL decisions every broker adapter applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIdDenial, isGatewayId, parseTopic, publishDenial, subscribeDenial, toGatewayId, topics } from '../../../shared/contracts/topics.js';

const gw = toGatewayId('quay-3');
const other = toGatewayId('quay-4');

test('gateway ids', () => {
  for (const ok of ['quay-3', 'q3', 'a0', '9-gate', 'x'.repeat(63)]) assert.equal(isGatewayId(ok), true, ok);
  for (const bad of ['', 'q', 'Quay-3', '-quay', 'quay_3', 'quay/3', 'quay+', 'quay#', '$share', 'x'.repeat(64), 'quay 3']) assert.equal(isGatewayId(bad), false, bad);
  assert.throws(() => toGatewayId('Bad'), /invalid gateway id/);
});

test('builders and parser agree', () => {
  assert.equal(topics.up(gw, 'telemetry'), 'qs/v1/quay-3/up/telemetry');
  assert.equal(topics.down(gw, 'committed'), 'qs/v1/quay-3/down/committed');
  assert.equal(topics.sharedUp(), '$share/ingest/qs/v1/+/up/#');
  for (const kind of ['telemetry', 'event', 'survey', 'record', 'status', 'ack'] as const) assert.deepEqual(parseTopic(topics.up(gw, kind)), { dir: 'up', gw, kind });
  for (const kind of ['cmd', 'committed'] as const) assert.deepEqual(parseTopic(topics.down(gw, kind)), { dir: 'down', gw, kind });
});

test('parser refuses anything else', () => {
  for (const t of ['qs/v1/quay-3/up', 'qs/v1/quay-3/up/telemetry/x', 'qs/v2/quay-3/up/telemetry', 'qs/v1/Quay/up/telemetry', 'qs/v1/quay-3/up/cmd', 'qs/v1/quay-3/down/telemetry', 'qs/v1/+/up/telemetry', '']) {
    assert.equal(parseTopic(t), null, t);
  }
});

test('publish ACL: own uplink only; retain only on status', () => {
  assert.equal(publishDenial(gw, 'qs/v1/quay-3/up/telemetry'), null);
  assert.equal(publishDenial(gw, 'qs/v1/quay-3/up/status', { retain: true }), null);
  assert.equal(publishDenial(gw, 'qs/v1/quay-3/up/ack'), null);
  assert.match(publishDenial(gw, 'qs/v1/quay-4/up/telemetry') ?? '', /may not publish for gateway quay-4/);
  assert.match(publishDenial(gw, 'qs/v1/quay-3/down/cmd') ?? '', /downlink/);
  assert.match(publishDenial(gw, 'qs/v1/quay-3/up/telemetry', { retain: true }) ?? '', /retained/);
  assert.match(publishDenial(gw, 'plant/a/temp') ?? '', /not a qs\/v1 topic/);
  assert.match(publishDenial(gw, '$SYS/broker') ?? '', /not a/);
});

test('subscribe ACL: own downlink only', () => {
  for (const f of ['qs/v1/quay-3/down/#', 'qs/v1/quay-3/down/+', 'qs/v1/quay-3/down/cmd', 'qs/v1/quay-3/down/committed']) assert.equal(subscribeDenial(gw, f), null, f);
  for (const f of ['qs/v1/quay-4/down/#', 'qs/v1/+/down/#', 'qs/v1/#', '#', 'qs/v1/quay-3/up/#', 'qs/v1/quay-3/down/other', '$share/x/qs/v1/quay-3/down/#', 'qs/v1/quay-3/down/cmd/#']) {
    assert.notEqual(subscribeDenial(gw, f), null, f);
  }
  assert.notEqual(subscribeDenial(other, 'qs/v1/quay-3/down/cmd'), null);
});

test('client id must be the gateway id or gw.<suffix>', () => {
  assert.equal(clientIdDenial(gw, 'quay-3'), null);
  assert.equal(clientIdDenial(gw, 'quay-3.diag'), null);
  assert.notEqual(clientIdDenial(gw, 'quay-3.'), null);
  assert.notEqual(clientIdDenial(gw, 'quay-4'), null);
  assert.notEqual(clientIdDenial(gw, 'quay-30'), null);
  assert.notEqual(clientIdDenial(gw, 'mosq-abc'), null);
});
