/**
 * Connector runs against real servers: another PostgreSQL database (watermark column, ties at batch
 * boundaries), an MQTT broker (aedes, the cloud's embedded broker library; publishers with mqtt.js),
 * InfluxDB 1.x (InfluxQL with the cursor as a time bound) and Debian's OpenSSH server (SFTP pull with
 * a pinned host key and key authentication, and push of a data set as CSV).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pg from 'pg';
import { dropInfluxDb, freshPgDatabase, services, suiteSetup, uniqueName } from '../cloud/helpers.js';
import { openTestPlatform, type TestPlatform } from './helpers.js';
import { startSshd, type TestSshd } from './sshd.js';

describe('connectors: postgres, mqtt, influx, sftp', () => {
  let t: TestPlatform;
  let srcDb: { url: string; drop(): Promise<void> };
  let influxUrl = '';
  const influxDb = uniqueName('qs_platform');
  let sshd: TestSshd;

  suiteSetup(async () => {
    const s = await services();
    influxUrl = s.influxUrl;
    srcDb = await freshPgDatabase(s.pgUrl);
    sshd = await startSshd();
    t = await openTestPlatform('sqlite', { secrets: (n) => (n === 'sftp-key' ? sshd.privateKey : undefined) });
  });
  after(async () => {
    await t?.close();
    await srcDb?.drop();
    await sshd?.stop();
    if (influxUrl) await dropInfluxDb(influxUrl, influxDb);
  });

  it('reads another PostgreSQL database by watermark, incrementally, without losing ties at batch edges', async () => {
    const c = new pg.Client({ connectionString: srcDb.url });
    await c.connect();
    await c.query(`CREATE SCHEMA erp; CREATE TABLE erp.enterprise (uscc text PRIMARY KEY, name text NOT NULL, credit text, updated_at timestamptz NOT NULL)`);
    // 7 rows; three share the watermark at the first batch edge (batch size 3)
    const rows: [string, string, string, string][] = [
      ['91310000000000001A', '上海甲公司', 'ADV', '2026-01-01T00:00:00Z'],
      ['91310000000000002A', '上海乙公司', 'REG', '2026-01-02T00:00:00Z'],
      ['91310000000000003A', '上海丙公司', 'REG', '2026-01-03T00:00:00Z'],
      ['91310000000000004A', '上海丁公司', 'REG', '2026-01-03T00:00:00Z'],
      ['91310000000000005A', '上海戊公司', 'DIS', '2026-01-03T00:00:00Z'],
      ['91310000000000006A', '上海己公司', 'REG', '2026-01-04T00:00:00Z'],
      ['91310000000000007A', '上海庚公司', 'REG', '2026-01-05T00:00:00Z'],
    ];
    for (const r of rows) await c.query('INSERT INTO erp.enterprise VALUES ($1, $2, $3, $4)', r);
    await t.platform.saveDataset(
      { name: 'erp_enterprise', title: '企业 (ERP)', owner: 'enterprise-desk', fields: [{ name: 'uscc', type: 'text' }, { name: 'name', type: 'text' }, { name: 'credit', type: 'text' }, { name: 'updated_at', type: 'timestamp' }], key: ['uscc'] },
      'tester',
    );
    const u = new URL(srcDb.url);
    process.env['QS_TEST_ERP_USER'] = decodeURIComponent(u.username);
    u.username = '';
    await t.platform.saveConnector(
      { id: 'erp', name: 'ERP 企业表', source: { kind: 'postgres', url: u.toString(), user: { env: 'QS_TEST_ERP_USER' }, table: 'erp.enterprise', columns: ['uscc', 'name', 'credit', 'updated_at'], watermark: 'updated_at', batchSize: 3 }, target: { dataset: 'erp_enterprise' } },
      'tester',
    );
    const first = await t.platform.runConnector('erp');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    assert.equal(first.rowsIn, 7);
    assert.equal(first.rowsInserted, 7);
    assert.equal(first.cursorAfter, '2026-01-05T00:00:00.000Z');
    const landed = await t.platform.rows('erp_enterprise', { limit: 10, offset: 0 });
    assert.equal(landed.total, 7);
    assert.equal(landed.rows[4]!['updated_at'], Date.parse('2026-01-03T00:00:00Z'));

    // only the changed row comes on the next run
    await c.query(`UPDATE erp.enterprise SET credit = 'ADV', updated_at = '2026-02-01T00:00:00Z' WHERE uscc = '91310000000000004A'`);
    const second = await t.platform.runConnector('erp');
    assert.equal(second.rowsIn, 1);
    assert.equal(second.rowsUpdated, 1);
    assert.equal(second.cursorBefore, '2026-01-05T00:00:00.000Z');
    const third = await t.platform.runConnector('erp');
    assert.equal(third.rowsIn, 0);
    await c.end();

    // a wrong table is a definition error: no retries
    await t.platform.saveConnector(
      { id: 'erp-bad', name: 'bad', source: { kind: 'postgres', url: u.toString(), user: { env: 'QS_TEST_ERP_USER' }, table: 'erp.no_such_table', watermark: 'updated_at' }, retry: { attempts: 3, backoffMs: 10 }, target: { dataset: 'erp_enterprise' } },
      'tester',
    );
    const bad = await t.platform.runConnector('erp-bad');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.attempts, 1);
    assert.match(bad.error ?? '', /no_such_table/);
    delete process.env['QS_TEST_ERP_USER'];
  });

  it('listens to MQTT topics for a bounded window and lands the JSON payloads', async () => {
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await t.platform.saveDataset(
        { name: 'edge_gate_events', title: '卡口事件', owner: 'edge-team', fields: [{ name: 'id', type: 'text' }, { name: 'plate', type: 'text' }, { name: 'topic', type: 'text' }], key: ['id'] },
        'tester',
      );
      await t.platform.saveConnector(
        { id: 'edge-gate', name: '卡口 MQTT', source: { kind: 'mqtt', url: `mqtt://127.0.0.1:${port}`, topics: ['gate/+/event'], windowMs: 1500, maxMessages: 4, topicField: 'topic' }, target: { dataset: 'edge_gate_events' } },
        'tester',
      );
      const subscribed = new Promise<void>((r) => broker.once('subscribe', () => r()));
      const running = t.platform.runConnector('edge-gate');
      await subscribed;
      const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
      await pub.publishAsync('gate/g1/event', JSON.stringify({ id: 'e1', plate: '沪A12345' }), { qos: 1 });
      await pub.publishAsync('gate/g2/event', JSON.stringify([{ id: 'e2', plate: '沪B00001' }, { id: 'e3', plate: '沪C00002' }]), { qos: 1 });
      await pub.publishAsync('other/topic', JSON.stringify({ id: 'x', plate: 'not subscribed' }), { qos: 1 });
      await pub.publishAsync('gate/g1/event', 'not json', { qos: 1 });
      await pub.publishAsync('gate/g1/event', JSON.stringify({ id: 'e4', plate: '沪D00003' }), { qos: 1 });
      const started = Date.now();
      const run = await running;
      // the fourth message ends the window before 1.5 s
      assert.ok(Date.now() - started < 1400, `run ended after ${Date.now() - started} ms`);
      await pub.endAsync();
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.equal(run.rowsOut, 4);
      assert.equal(run.rowsRejected, 1);
      const rows = await t.platform.rows('edge_gate_events', { limit: 10, offset: 0 });
      assert.deepEqual(
        rows.rows.map((r) => [r['id'], r['plate'], r['topic']]),
        [
          ['e1', '沪A12345', 'gate/g1/event'],
          ['e2', '沪B00001', 'gate/g2/event'],
          ['e3', '沪C00002', 'gate/g2/event'],
          ['e4', '沪D00003', 'gate/g1/event'],
        ],
      );
      const rej = await t.platform.rejects({ connectorId: 'edge-gate' });
      assert.equal(rej.items[0]!.reason, 'parse_error');
      assert.equal((rej.items[0]!.raw as { _payload: string })._payload, 'not json');
    } finally {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('queries InfluxDB with InfluxQL and moves its time cursor', async () => {
    const q = async (query: string) => {
      const u = new URL('/query', influxUrl);
      u.searchParams.set('q', query);
      const r = await fetch(u, { method: 'POST' });
      assert.equal(r.status, 200);
    };
    const write = async (lines: string) => {
      const r = await fetch(`${influxUrl}/write?db=${influxDb}&precision=ms`, { method: 'POST', body: lines });
      assert.equal(r.status, 204, await r.text());
    };
    await q(`CREATE DATABASE "${influxDb}"`);
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    await write([`density,gw=q1,device=d1 value=1.021 ${t0}`, `density,gw=q1,device=d1 value=1.022 ${t0 + 1000}`, `density,gw=q2,device=d7 value=1.019 ${t0 + 2000}`].join('\n'));
    await t.platform.saveDataset(
      { name: 'seawater_density', title: '海水密度', owner: 'survey-team', fields: [{ name: 'gw', type: 'text' }, { name: 'device', type: 'text' }, { name: 'time', type: 'timestamp' }, { name: 'value', type: 'number', unit: 'g/cm3' }], key: ['gw', 'device', 'time'] },
      'tester',
    );
    await t.platform.saveConnector(
      { id: 'density', name: '密度计 (InfluxDB)', source: { kind: 'influx', url: influxUrl, db: influxDb, query: 'SELECT value FROM density WHERE time > $cursor GROUP BY gw, device' }, target: { dataset: 'seawater_density' } },
      'tester',
    );
    const first = await t.platform.runConnector('density');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    assert.equal(first.rowsInserted, 3);
    assert.equal(first.cursorAfter, String(t0 + 2000));
    const rows = await t.platform.rows('seawater_density', { limit: 10, offset: 0, where: { gw: 'q2' } });
    assert.deepEqual(rows.rows.map((r) => [r['device'], r['time'], r['value']]), [['d7', t0 + 2000, 1.019]]);
    await write(`density,gw=q1,device=d1 value=1.025 ${t0 + 3000}`);
    const second = await t.platform.runConnector('density');
    assert.equal(second.rowsIn, 1);
    assert.equal(second.rowsInserted, 1);
    await t.platform.saveConnector({ id: 'density-bad', name: 'bad', source: { kind: 'influx', url: influxUrl, db: influxDb, query: 'SELECT value FROM density WHERE' }, retry: { attempts: 3, backoffMs: 10 }, target: { dataset: 'seawater_density' } }, 'tester');
    const bad = await t.platform.runConnector('density-bad');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.attempts, 1);
  });

  it('pulls new files over SFTP (pinned host key, key auth) and pushes a data set back as CSV', async () => {
    const outbox = path.join(sshd.root, 'outbox');
    const inbox = path.join(sshd.root, 'inbox');
    fs.mkdirSync(outbox);
    fs.mkdirSync(inbox);
    fs.writeFileSync(path.join(outbox, 'rates-1.csv'), 'currency,date,rate\nUSD,2026-03-01,7.1012\nEUR,2026-03-01,7.7450\n');
    fs.utimesSync(path.join(outbox, 'rates-1.csv'), 1_770_000_000, 1_770_000_000);
    fs.writeFileSync(path.join(outbox, 'readme.txt'), 'not matched');
    await t.platform.saveDataset(
      { name: 'exchange_rates', title: '汇率', owner: 'stats-desk', fields: [{ name: 'currency', type: 'text' }, { name: 'date', type: 'text' }, { name: 'rate', type: 'number' }], key: ['currency', 'date'] },
      'tester',
    );
    const sftp = { kind: 'sftp', host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: { secret: 'sftp-key' }, hostKeySha256: sshd.hostKeySha256 } as const;
    await t.platform.saveConnector({ id: 'rates-sftp', name: '汇率 (SFTP)', source: { ...sftp, remoteDir: outbox, pattern: '*.csv' }, target: { dataset: 'exchange_rates' } }, 'tester');
    const first = await t.platform.runConnector('rates-sftp');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    assert.equal(first.rowsInserted, 2);
    assert.deepEqual(JSON.parse(first.cursorAfter!), { mtime: 1_770_000_000, names: ['rates-1.csv'] });
    // the same file is not read twice; a newer one is
    const none = await t.platform.runConnector('rates-sftp');
    assert.equal(none.rowsIn, 0);
    fs.writeFileSync(path.join(outbox, 'rates-2.csv'), 'currency,date,rate\nUSD,2026-03-02,7.1050\n');
    const second = await t.platform.runConnector('rates-sftp');
    assert.equal(second.rowsInserted, 1);

    await t.platform.saveConnector({ id: 'rates-push', name: '汇率推送', source: { ...sftp, direction: 'push', remoteDir: inbox }, target: { dataset: 'exchange_rates' } }, 'tester');
    const push = await t.platform.runConnector('rates-push');
    assert.equal(push.status, 'succeeded', push.error ?? '');
    assert.equal(push.rowsOut, 3);
    const files = fs.readdirSync(inbox);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^exchange_rates-\d{8}T\d{6}\.csv$/);
    assert.equal(fs.readFileSync(path.join(inbox, files[0]!), 'utf8'), 'currency,date,rate\r\nEUR,2026-03-01,7.745\r\nUSD,2026-03-01,7.1012\r\nUSD,2026-03-02,7.105\r\n');
    const g = await t.platform.lineage('dataset:exchange_rates');
    assert.deepEqual(
      g.edges.map((e) => `${e.from}>${e.to}`),
      ['connector:rates-sftp>dataset:exchange_rates', 'dataset:exchange_rates>connector:rates-push'],
    );

    // a different host key is refused, and not retried
    await t.platform.saveConnector(
      { id: 'rates-mitm', name: 'x', source: { ...sftp, hostKeySha256: `SHA256:${'A'.repeat(43)}`, remoteDir: outbox }, retry: { attempts: 3, backoffMs: 10 }, target: { dataset: 'exchange_rates' } },
      'tester',
    );
    const mitm = await t.platform.runConnector('rates-mitm');
    assert.equal(mitm.status, 'failed');
    assert.equal(mitm.attempts, 1);
    assert.match(mitm.error ?? '', /host key/);
  });
});
