// The embedded broker's security, seen through third-party clients (mosquitto_pub / mosquitto_sub):
// credentials, the topic ACL, client ids, TLS with the cloud's own CA, retained status with a last will,
// enrolment tokens and revocation. Default adapters (SQLite, embedded series).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import { run, spawnChild, startTestCloud, waitFor, type TestCloud, suiteSetup } from './helpers.js';
import { TestGateway, enrolGateway, readings, type Enrolment } from './publisher.js';

const T0 = 1_700_000_000_000;

describe('embedded broker security (mosquitto clients)', () => {
  let cloud: TestCloud;
  let s1: Enrolment;
  let s2: Enrolment;
  let caFile: string;
  const port = () => String(cloud.mqttPort);
  const auth = (e: Enrolment) => ['-h', '127.0.0.1', '-p', port(), '-u', e.username, '-P', e.password, '-i', e.clientId];
  const envelope = (gw: string, seq: number) => JSON.stringify({ v: 1, gw, seq, id: `m${seq}`, sentAt: T0, kind: 'telemetry', items: readings(3, { device: 'mq-1', start: T0 + seq * 1000 }) });

  suiteSetup(async () => {
    cloud = await startTestCloud();
    s1 = await enrolGateway(cloud.url, 'quay-s1');
    s2 = await enrolGateway(cloud.url, 'quay-s2');
    caFile = path.join(cloud.dataDir, 'ca-from-enrolment.pem');
    fs.writeFileSync(caFile, s1.ca ?? '');
  });
  after(async () => {
    await cloud?.stop();
  });

  test('enrolment answers credentials, URLs and the CA once; the token is burnt', async () => {
    assert.equal(s1.username, 'quay-s1');
    assert.equal(s1.clientId, 'quay-s1');
    assert.ok(s1.password.length >= 40);
    assert.equal(s1.mqtt.tcp, `mqtt://127.0.0.1:${cloud.mqttPort}`);
    assert.equal(s1.mqtt.tls, `mqtts://127.0.0.1:${cloud.mqttsPort}`);
    assert.match(s1.ca ?? '', /BEGIN CERTIFICATE/);
    const created = await cloud.admin('/api/gateways', { body: { id: 'quay-s4' } });
    assert.equal(created.status, 201);
    const again = await cloud.admin('/api/gateways', { body: { id: 'quay-s4' } });
    assert.equal(again.status, 409);
    const enrol = (token: string) => fetch(`${cloud.url}/api/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gatewayId: 'quay-s4', token }) });
    assert.equal((await enrol('not-the-token')).status, 403);
    assert.equal((await enrol(created.body.enrolToken)).status, 201);
    const reuse = await enrol(created.body.enrolToken);
    assert.equal(reuse.status, 403);
    assert.equal(((await reuse.json()) as { error: { code: string } }).error.code, 'CLOUD_ENROL_TOKEN');
    const noAdmin = await fetch(`${cloud.url}/api/gateways`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'quay-s5' }) });
    assert.equal(noAdmin.status, 401);
  });

  test('wrong password, unknown user and a foreign client id are refused at CONNECT', async () => {
    const wrong = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-u', 'quay-s1', '-P', 'wrong', '-i', 'quay-s1', '-q', '1', '-t', 'qs/v1/quay-s1/up/telemetry', '-m', 'x']);
    assert.ok(wrong.code === 4 || wrong.code === 5, `rc ${wrong.code}: ${wrong.stderr}`);
    assert.match(wrong.stderr, /bad user name or password|not authori[sz]ed/i);
    const unknown = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-u', 'nobody', '-P', 'x', '-q', '1', '-t', 'x', '-m', 'x']);
    assert.ok(unknown.code === 4 || unknown.code === 5, `rc ${unknown.code}: ${unknown.stderr}`);
    const anonymous = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-q', '1', '-t', 'x', '-m', 'x']);
    assert.notEqual(anonymous.code, 0);
    const foreignId = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-u', s1.username, '-P', s1.password, '-i', 'quay-s2', '-q', '1', '-t', 'qs/v1/quay-s1/up/telemetry', '-m', 'x']);
    assert.notEqual(foreignId.code, 0, 'a gateway cannot take over another gateway\'s client id');
    assert.ok(cloud.logs.some((l) => l.code === 'CLOUD_MQTT_AUTH'));
  });

  test('a gateway publishing under another gateway id is disconnected and nothing is stored', async () => {
    const watch = spawnChild('mosquitto_sub', ['-h', '127.0.0.1', '-p', port(), '-u', '_admin', '-P', 'admin-password-0123456789', '-t', 'qs/v1/quay-s2/up/#', '-v']);
    await new Promise((r) => setTimeout(r, 300));
    const res = await run('mosquitto_pub', [...auth(s1), '-q', '1', '-t', 'qs/v1/quay-s2/up/telemetry', '-m', envelope('quay-s2', 1)]);
    assert.notEqual(res.code, 0, `mosquitto_pub should see the connection closed: ${res.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
    await watch.stop();
    assert.equal(watch.output(), '', 'the message never reached a subscriber');
    await cloud.ingest.idle();
    assert.equal((await cloud.store.counts('quay-s2')).batches, 0);
    assert.ok(cloud.logs.some((l) => l.code === 'CLOUD_MQTT_ACL' && l['action'] === 'publish' && l['topic'] === 'qs/v1/quay-s2/up/telemetry'));
    // its own uplink works with the same credentials
    const own = await run('mosquitto_pub', [...auth(s1), '-q', '1', '-t', 'qs/v1/quay-s1/up/telemetry', '-m', envelope('quay-s1', 1)]);
    assert.equal(own.code, 0, own.stderr);
    await waitFor('own batch stored', async () => (await cloud.store.counts('quay-s1')).batches === 1);
  });

  test("subscribing to another gateway's downlink is refused; its own downlink is allowed", async () => {
    // SUBACK 0x80: mosquitto_sub reports it and ends (its exit code is 0 either way in 2.0.11)
    const foreign = await run('mosquitto_sub', [...auth(s1), '-t', 'qs/v1/quay-s2/down/#', '-C', '1', '-W', '3']);
    assert.match(foreign.stderr, /All subscription requests were denied/);
    assert.equal(foreign.stdout, '');
    const wide = await run('mosquitto_sub', [...auth(s1), '-t', 'qs/v1/#', '-C', '1', '-W', '3']);
    assert.match(wide.stderr, /All subscription requests were denied/);
    assert.ok(cloud.logs.some((l) => l.code === 'CLOUD_MQTT_ACL' && l['action'] === 'subscribe' && l['topic'] === 'qs/v1/quay-s2/down/#'));
    // its own committed topic: gets the ack of a batch published meanwhile
    const own = spawnChild('mosquitto_sub', [...auth(s1), '-t', 'qs/v1/quay-s1/down/committed', '-C', '1', '-W', '10']);
    await new Promise((r) => setTimeout(r, 300));
    const pub = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-u', s1.username, '-P', s1.password, '-i', 'quay-s1.tool', '-q', '1', '-t', 'qs/v1/quay-s1/up/telemetry', '-m', envelope('quay-s1', 2)]);
    assert.equal(pub.code, 0, pub.stderr);
    await waitFor('ack seen by mosquitto_sub', () => own.child.exitCode !== null, 10_000);
    assert.deepEqual(JSON.parse(own.output().trim()), { seqs: [2] });
  });

  test('TLS: the cloud CA given at enrolment verifies the broker; without it the handshake fails', async () => {
    const tlsArgs = ['-h', '127.0.0.1', '-p', String(cloud.mqttsPort), '-u', s1.username, '-P', s1.password, '-i', 's1-tls'];
    const sub = spawnChild('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(cloud.mqttsPort), '--cafile', caFile, '-u', s1.username, '-P', s1.password, '-i', 'quay-s1.tls-sub', '-t', 'qs/v1/quay-s1/down/committed', '-C', '1', '-W', '10']);
    await new Promise((r) => setTimeout(r, 400));
    const ok = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(cloud.mqttsPort), '--cafile', caFile, '-u', s1.username, '-P', s1.password, '-i', 'quay-s1', '-q', '1', '-t', 'qs/v1/quay-s1/up/telemetry', '-m', envelope('quay-s1', 3)]);
    assert.equal(ok.code, 0, ok.stderr);
    await waitFor('ack over TLS', () => sub.child.exitCode !== null, 10_000);
    assert.deepEqual(JSON.parse(sub.output().trim()), { seqs: [3] });
    const noCa = await run('mosquitto_pub', [...tlsArgs, '--capath', '/nonexistent', '-q', '1', '-t', 'qs/v1/quay-s1/up/status', '-m', 'x']);
    assert.notEqual(noCa.code, 0);
    // and mqtt.js over mqtts with the CA: the test gateway path
    const gw = new TestGateway(s2);
    await gw.connect({ tls: true });
    const seq = await gw.publish(gw.envelope('telemetry', readings(5, { device: 'tls-1', start: T0 })));
    await gw.waitCommitted([seq]);
    await gw.close();
  });

  test('retained status and last will: killing the gateway process shows it offline', async () => {
    const online = JSON.stringify({ state: 'online', ts: Date.now(), version: '9.9.9' });
    const will = JSON.stringify({ state: 'offline', ts: Date.now() });
    const gwProc = spawnChild('mosquitto_pub', [...auth(s2), '-q', '1', '-r', '-t', 'qs/v1/quay-s2/up/status', '-l', '--will-topic', 'qs/v1/quay-s2/up/status', '--will-payload', will, '--will-qos', '1', '--will-retain']);
    gwProc.child.stdin!.write(`${online}\n`);
    await waitFor('online in the API', async () => (await cloud.admin('/api/gateways/quay-s2')).body.online === true, 10_000);
    const retainedOnline = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port(), '-u', '_admin', '-P', 'admin-password-0123456789', '-t', 'qs/v1/quay-s2/up/status', '-C', '1', '-W', '3']);
    assert.equal(JSON.parse(retainedOnline.stdout).state, 'online');

    await gwProc.stop('SIGKILL');
    const g = await waitFor('offline in the API', async () => {
      const r = await cloud.admin('/api/gateways/quay-s2');
      return r.body.online === false && r.body.status?.state === 'offline' ? r.body : null;
    }, 10_000);
    assert.equal(g.connected, false);
    const retained = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port(), '-u', '_admin', '-P', 'admin-password-0123456789', '-t', 'qs/v1/+/up/status', '-v', '-W', '2']);
    const line = retained.stdout.split('\n').find((l) => l.startsWith('qs/v1/quay-s2/up/status '));
    assert.equal(JSON.parse(line!.slice('qs/v1/quay-s2/up/status '.length)).state, 'offline');
  });

  test('revoke: the live connection is closed and the credentials are refused from then on', async () => {
    const e = await enrolGateway(cloud.url, 'quay-s3');
    const client = await connectAsync(e.mqtt.tcp!, { protocolVersion: 4, clientId: e.clientId, username: e.username, password: e.password, reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const res = await cloud.admin('/api/gateways/quay-s3/revoke', { body: {} });
    assert.deepEqual(res.body, { revoked: true, disconnected: 1 });
    await closed;
    client.end(true);
    const retry = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-u', e.username, '-P', e.password, '-i', e.clientId, '-q', '1', '-t', 'qs/v1/quay-s3/up/status', '-m', '{}']);
    assert.ok(retry.code === 4 || retry.code === 5, `rc ${retry.code}: ${retry.stderr}`);
    const g = await cloud.admin('/api/gateways/quay-s3');
    assert.notEqual(g.body.revokedAt, null);
    assert.equal((await cloud.admin('/api/gateways/quay-s3/enrolment-token', { body: {} })).status, 403);
  });
});
