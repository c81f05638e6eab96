/**
 * Data exchange (数据交换实施) between two real platforms: the customs office's cloud (SQLite) and
 * an enterprise's (PostgreSQL, from scripts/services.sh). Packages go out signed with SM2 and sealed
 * with SM4 to Debian's OpenSSH server and to the partner's HTTP API (its platform router on a local
 * port behind a bearer-token guard); the partner verifies them before accepting. Tampered,
 * wrong-key, unknown-sender and replayed packages are refused with their reasons, and every exchange
 * is in both sides' logs. The enterprise also leaves packages on its own SFTP server, and the customs
 * side pulls them from there: verified, accepted or refused, and moved aside on the server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import express from 'express';
import { generateKeyPair, generateSm4Key, privateKeyToPem, publicKeyToHex, publicKeyToPem, sm3Hex } from '../../../shared/crypto/index.js';
import { buildPackage } from '../../../cloud/platform/exchange.js';
import { createPlatformRouter } from '../../../cloud/platform/router.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type TestPlatform } from './helpers.js';
import { startSshd, type TestSshd } from './sshd.js';

const TOKEN = 'partner-api-token-7f3a9c';

describe('data exchange: signed, sealed packages to SFTP and HTTP; inbound verification', () => {
  const customsKey = generateKeyPair();
  const partnerKey = generateKeyPair();
  const strangerKey = generateKeyPair();
  const sm4 = generateSm4Key();
  // what each side resolves its key references to (mutable: the wrong-key case swaps one)
  const customsSecrets = new Map<string, string>();
  const partnerSecrets = new Map<string, string>();
  let customs: TestPlatform;
  let partner: TestPlatform;
  let sshd: TestSshd;
  let server: http.Server;
  let partnerUrl = '';
  const seenAuth: (string | undefined)[] = [];

  suiteSetup(async () => {
    sshd = await startSshd();
    customsSecrets.set('sftp-key', sshd.privateKey);
    customsSecrets.set('qs-sign', privateKeyToPem(customsKey));
    customsSecrets.set('ent-pub', publicKeyToHex(partnerKey.publicKey));
    customsSecrets.set('ent-sm4', sm4.toString('hex'));
    customsSecrets.set('ent-api', TOKEN);
    partnerSecrets.set('qs-pub', publicKeyToPem(customsKey.publicKey));
    partnerSecrets.set('qs-sm4', sm4.toString('hex'));
    partnerSecrets.set('ent-sign', privateKeyToPem(partnerKey));
    partnerSecrets.set('sftp-key', sshd.privateKey);
    customs = await openTestPlatform('sqlite', { secrets: (n) => customsSecrets.get(n) });
    partner = await openTestPlatform('postgres', { secrets: (n) => partnerSecrets.get(n) });

    // the partner's API: its platform router behind a bearer-token guard
    const app = express();
    const guard = () => (req: express.Request, res: express.Response, next: express.NextFunction) => {
      seenAuth.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.status(401).json({ error: { code: 'AUTH', message: 'no token' } });
      next();
    };
    app.use('/api/platform', createPlatformRouter({ platform: partner.platform, guard }));
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    partnerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/platform`;

    // the customs side: an enterprise data set landed from an inbox file
    await customs.platform.saveDataset(
      {
        name: 'ent_credit',
        title: '企业信用等级',
        owner: 'enterprise-team',
        fields: [
          { name: 'uscc', type: 'text', required: true },
          { name: 'name', type: 'text' },
          { name: 'rating', type: 'text' },
          { name: 'district', type: 'text' },
        ],
        key: ['uscc'],
      },
      'tester',
    );
    const inbox = path.join(customs.dir, 'platform', 'inbox', 'credit');
    fs.mkdirSync(inbox, { recursive: true });
    fs.writeFileSync(
      path.join(inbox, 'credit.csv'),
      'uscc,name,rating,district\r\n91310115MA1K4TQX2B,上海洋山国际物流有限公司,高级认证,浦东\r\n91310000132200821H,上海港集装箱码头有限公司,一般信用,浦东\r\n91310115MA1H7LPQ5N,临港新片区冷链贸易有限公司,失信,临港\r\n',
    );
    await customs.platform.saveConnector({ id: 'credit-inbox', name: '信用等级', source: { kind: 'file-inbox', dir: 'inbox/credit' }, target: { dataset: 'ent_credit' } }, 'tester');
    const run = await customs.platform.runConnector('credit-inbox');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.rowsInserted, 3);

    const x = customs.platform.exchange;
    await x.savePartner({ id: 'ent-yangshan', name: '上海洋山国际物流有限公司', selfId: 'pudong-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: true }, 'tester');
    const y = partner.platform.exchange;
    await y.savePartner({ id: 'pudong-customs', name: '浦东海关', kind: 'department', selfId: 'ent-yangshan', verifyKey: { secret: 'qs-pub' }, sm4Key: { secret: 'qs-sm4' }, encrypt: true }, 'tester');
  });
  after(async () => {
    await customs?.close();
    await partner?.close();
    await sshd?.stop();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  });

  it('refuses inline keys and an encrypting partner without an SM4 key', async () => {
    const x = customs.platform.exchange;
    await assert.rejects(x.savePartner({ id: 'ent-x', name: 'x', verifyKey: publicKeyToHex(partnerKey.publicKey) }, 't'), /partner\.verifyKey/);
    await assert.rejects(x.savePartner({ id: 'ent-x', name: 'x', encrypt: true }, 't'), /encrypt needs sm4Key/);
    await assert.rejects(
      x.saveOutbound({ id: 'bad', name: 'x', partner: 'ent-yangshan', source: { dataset: 'ent_credit' }, signingKey: privateKeyToPem(customsKey), delivery: { kind: 'http', url: partnerUrl } }, 't'),
      /outbound\.signingKey/,
    );
    await assert.rejects(
      x.saveOutbound({ id: 'bad', name: 'x', partner: 'ent-yangshan', source: { dataset: 'ent_credit' }, signingKey: { secret: 'qs-sign' }, delivery: { kind: 'http', url: 'http://u:p@127.0.0.1/' } }, 't'),
      /without user or password/,
    );
  });

  it('delivers a signed, SM4-sealed data-set package to SFTP; the partner verifies, accepts and lands it', async () => {
    const x = customs.platform.exchange;
    const drop = path.join(sshd.root, 'drop');
    fs.mkdirSync(drop);
    await x.saveOutbound(
      {
        id: 'credit-to-yangshan',
        name: '企业信用等级推送',
        partner: 'ent-yangshan',
        source: { dataset: 'ent_credit' },
        format: 'csv',
        signingKey: { secret: 'qs-sign' },
        delivery: { kind: 'sftp', host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: { secret: 'sftp-key' }, hostKeySha256: sshd.hostKeySha256, remoteDir: drop },
      },
      'tester',
    );
    const sent = await x.runOutbound('credit-to-yangshan');
    assert.equal(sent.result, 'delivered', sent.detail);
    assert.equal(sent.rows, 3);
    assert.equal(sent.encrypted, true);
    assert.equal(sent.channel, 'sftp');
    const files = fs.readdirSync(drop);
    assert.deepEqual(files, [`${sent.packageId}.qsx.json`], 'one complete file, no temporary left');
    const text = fs.readFileSync(path.join(drop, files[0]!), 'utf8');
    assert.ok(!text.includes('洋山') && !text.includes('91310115MA1K4TQX2B'), 'the data travels sealed');
    const pkg = JSON.parse(text) as { manifest: { sender: string; receiver: string; rows: number; dataSm3: string; encryption: string } };
    assert.deepEqual([pkg.manifest.sender, pkg.manifest.receiver, pkg.manifest.rows, pkg.manifest.encryption], ['pudong-customs', 'ent-yangshan', 3, 'sm4cbc-hs3.v1']);
    assert.equal(pkg.manifest.dataSm3, sent.dataSm3);

    // the partner picks it up from its incoming folder
    const y = partner.platform.exchange;
    fs.mkdirSync(y.incomingDir(), { recursive: true });
    fs.copyFileSync(path.join(drop, files[0]!), path.join(y.incomingDir(), files[0]!));
    const [got] = await y.scanIncoming();
    assert.ok(got?.accepted, JSON.stringify(got));
    assert.equal(got.rows, 3);
    const csv = fs.readFileSync(got.file);
    assert.equal(sm3Hex(csv), sent.dataSm3, 'the partner holds exactly the exported data');
    assert.match(csv.toString('utf8'), /91310115MA1H7LPQ5N,临港新片区冷链贸易有限公司,失信,临港/);
    assert.ok(fs.existsSync(path.join(y.incomingDir(), 'done', files[0]!)));

    // and lands it with an ordinary file-inbox connector
    await partner.platform.saveDataset({ name: 'customs_credit', title: '海关信用等级', owner: 'compliance', fields: [{ name: 'uscc', type: 'text', required: true }, { name: 'name', type: 'text' }, { name: 'rating', type: 'text' }, { name: 'district', type: 'text' }], key: ['uscc'] }, 'tester');
    await partner.platform.saveConnector({ id: 'from-customs', name: '海关交换数据', source: { kind: 'file-inbox', dir: 'exchange/accepted/pudong-customs' }, target: { dataset: 'customs_credit' } }, 'tester');
    const landed = await partner.platform.runConnector('from-customs');
    assert.equal(landed.status, 'succeeded', landed.error ?? '');
    assert.equal(landed.rowsInserted, 3);
    const rows = await partner.platform.rows('customs_credit', { limit: 10, offset: 0, where: { uscc: '91310115MA1K4TQX2B' } });
    assert.equal(rows.rows[0]?.['rating'], '高级认证');

    const log = await y.log({ direction: 'inbound' });
    assert.equal(log.items[0]?.result, 'accepted');
    assert.equal(log.items[0]?.packageId, sent.packageId);
    assert.equal(log.items[0]?.rows, 3);
    assert.equal(log.items[0]?.dataSm3, sent.dataSm3);
  });

  it('delivers a query result as JSON to the partner HTTP API with the token; a replay of it is refused', async () => {
    const x = customs.platform.exchange;
    await x.saveOutbound(
      {
        id: 'pudong-to-yangshan-api',
        name: '浦东企业名单',
        partner: 'ent-yangshan',
        source: { dataset: 'ent_credit', fields: ['uscc', 'rating'], where: { district: '浦东' } },
        format: 'json',
        signingKey: { secret: 'qs-sign' },
        delivery: { kind: 'http', url: `${partnerUrl}/exchange/inbound`, token: { secret: 'ent-api' } },
      },
      'tester',
    );
    const sent = await x.runOutbound('pudong-to-yangshan-api');
    assert.equal(sent.result, 'delivered', sent.detail);
    assert.equal(sent.rows, 2);
    assert.ok(seenAuth.includes(`Bearer ${TOKEN}`));
    const y = partner.platform.exchange;
    const accepted = (await y.log({ packageId: sent.packageId! })).items;
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0]!.result, 'accepted');
    assert.equal(accepted[0]!.channel, 'http');
    const file = path.join(partner.dir, 'platform', 'exchange', 'accepted', 'pudong-customs', `${sent.packageId}.json`);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), [
      { uscc: '91310000132200821H', rating: '一般信用' },
      { uscc: '91310115MA1K4TQX2B', rating: '高级认证' },
    ]);

    // the same package again (our outbox copy), straight to the API
    const copy = fs.readFileSync(path.join(customs.dir, 'platform', 'exchange', 'outbox', 'pudong-to-yangshan-api', `${sent.packageId}.qsx.json`));
    const res = await fetch(`${partnerUrl}/exchange/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: copy });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { accepted: boolean; reason: string; packageId: string };
    assert.deepEqual([body.accepted, body.reason, body.packageId], [false, 'replay', sent.packageId]);
    const refused = (await y.log({ packageId: sent.packageId!, result: 'refused' })).items;
    assert.equal(refused[0]?.reason, 'replay');
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith('.') || n.startsWith(sent.packageId!)),
      [`${sent.packageId}.json`],
      'the replay left no file behind and did not replace the accepted one',
    );

    // without the token the partner's API refuses before looking at it
    const anon = await fetch(`${partnerUrl}/exchange/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: copy });
    assert.equal(anon.status, 401);
  });

  /** A fresh package from the customs side to the partner, as its bytes. */
  function freshPackage(opts: { sender?: string; key?: typeof customsKey; sm4Key?: Buffer | undefined; receiver?: string } = {}) {
    const data = Buffer.from('uscc,rating\r\n91310115MA1K4TQX2B,高级认证\r\n', 'utf8');
    return buildPackage({
      sender: opts.sender ?? 'pudong-customs',
      receiver: opts.receiver ?? 'ent-yangshan',
      exchange: 'adhoc',
      dataset: 'ent_credit',
      columns: ['uscc', 'rating'],
      rows: 1,
      dataFormat: 'csv',
      data,
      signingKey: opts.key ?? customsKey,
      sm4Key: 'sm4Key' in opts ? opts.sm4Key : sm4,
    });
  }

  it('refuses tampered, wrong-key, unknown-sender, foreign-signed and misaddressed packages, each with its reason, and logs them', async () => {
    const y = partner.platform.exchange;
    const cases: { name: string; bytes: Buffer; reason: string }[] = [];

    const payloadChanged = JSON.parse(freshPackage().bytes.toString('utf8'));
    const p = payloadChanged.payload as string;
    payloadChanged.payload = p.slice(0, 40) + (p[40] === 'A' ? 'B' : 'A') + p.slice(41);
    cases.push({ name: 'payload altered', bytes: Buffer.from(JSON.stringify(payloadChanged)), reason: 'tampered' });

    const manifestChanged = JSON.parse(freshPackage().bytes.toString('utf8'));
    manifestChanged.manifest.rows = 1000;
    cases.push({ name: 'manifest altered', bytes: Buffer.from(JSON.stringify(manifestChanged)), reason: 'bad_signature' });

    cases.push({ name: 'sealed with another SM4 key', bytes: freshPackage({ sm4Key: generateSm4Key() }).bytes, reason: 'wrong_key' });
    cases.push({ name: 'not sealed', bytes: freshPackage({ sm4Key: undefined }).bytes, reason: 'not_encrypted' });
    cases.push({ name: 'unknown sender', bytes: freshPackage({ sender: 'shell-company', key: strangerKey }).bytes, reason: 'unknown_sender' });
    cases.push({ name: 'signed with a stranger key', bytes: freshPackage({ key: strangerKey }).bytes, reason: 'wrong_signing_key' });
    cases.push({ name: 'addressed to someone else', bytes: freshPackage({ receiver: 'ent-other' }).bytes, reason: 'wrong_receiver' });
    cases.push({ name: 'not a package', bytes: Buffer.from('{"hello":"world"}'), reason: 'malformed' });

    for (const c of cases) {
      const r = await y.receive(c.bytes, 'inbox');
      assert.equal(r.accepted, false, c.name);
      assert.equal(r.accepted ? '' : r.reason, c.reason, `${c.name}: ${r.accepted ? '' : r.message}`);
      const entry = (await y.log({ limit: 1 })).items[0]!;
      assert.deepEqual([entry.id, entry.direction, entry.result, entry.reason], [r.logId, 'inbound', 'refused', c.reason], c.name);
    }
    // nothing refused reached the accepted folder
    const accepted = fs.readdirSync(path.join(partner.dir, 'platform', 'exchange', 'accepted', 'pudong-customs'));
    for (const c of cases) {
      const id = (JSON.parse(c.bytes.toString('utf8')) as { manifest?: { packageId?: string } }).manifest?.packageId;
      if (id) assert.ok(!accepted.some((n) => n.startsWith(id)), c.name);
    }

    // the partner's key for us is wrong (rotated on one side only): our intact package does not open
    partnerSecrets.set('qs-sm4', generateSm4Key().toString('hex'));
    try {
      const r = await y.receive(freshPackage().bytes, 'http');
      assert.equal(r.accepted ? '' : r.reason, 'wrong_key');
    } finally {
      partnerSecrets.set('qs-sm4', sm4.toString('hex'));
    }
    const good = await y.receive(freshPackage().bytes, 'http');
    assert.equal(good.accepted, true, good.accepted ? '' : good.message);
  });

  it('runs an outbound exchange on its schedule', async () => {
    const scheduled = await openTestPlatform('sqlite', { secrets: (n) => customsSecrets.get(n), schedule: true });
    try {
      const p = scheduled.platform;
      await p.saveDataset({ name: 'notices', title: '通知', owner: 'office', fields: [{ name: 'id', type: 'text', required: true }, { name: 'text', type: 'text' }], key: ['id'] }, 'tester');
      await p.exchange.savePartner({ id: 'ent-yangshan', name: '上海洋山国际物流有限公司', selfId: 'pudong-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: true }, 'tester');
      await p.exchange.saveOutbound(
        { id: 'notices-daily', name: '通知推送', partner: 'ent-yangshan', source: { dataset: 'notices' }, signingKey: { secret: 'qs-sign' }, delivery: { kind: 'http', url: `${partnerUrl}/exchange/inbound`, token: { secret: 'ent-api' } }, schedule: { type: 'interval', everySeconds: 1 } },
        'tester',
      );
      assert.deepEqual(p.exchange.scheduledJobs(), ['exchange:notices-daily']);
      const until = Date.now() + 10_000;
      let entries = (await p.exchange.log()).items;
      while (!entries.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        entries = (await p.exchange.log()).items;
      }
      assert.equal(entries[0]?.result, 'delivered', entries[0]?.detail);
      assert.match(entries[0]!.detail, /^schedule: POST /);
      assert.equal(entries[0]!.rows, 0);
      const atPartner = (await partner.platform.exchange.log({ packageId: entries[0]!.packageId! })).items;
      assert.equal(atPartner[0]?.result, 'accepted');
    } finally {
      await scheduled.close();
    }
  });

  it('logs a delivery the receiver refused as failed, with its reason', async () => {
    const x = customs.platform.exchange;
    // our side stops sealing for this partner; the partner insists on sealed packages
    await x.savePartner({ id: 'ent-yangshan', name: '上海洋山国际物流有限公司', selfId: 'pudong-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: false }, 'tester');
    try {
      const sent = await x.runOutbound('pudong-to-yangshan-api');
      assert.equal(sent.result, 'failed');
      assert.equal(sent.reason, 'delivery_failed');
      assert.match(sent.detail, /HTTP 422.*not_encrypted/);
      assert.equal(sent.encrypted, false);
    } finally {
      await x.savePartner({ id: 'ent-yangshan', name: '上海洋山国际物流有限公司', selfId: 'pudong-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: true }, 'tester');
    }
    const missingKey = await x.saveOutbound(
      { id: 'no-key', name: 'x', partner: 'ent-yangshan', source: { dataset: 'ent_credit' }, signingKey: { secret: 'not-configured' }, delivery: { kind: 'http', url: `${partnerUrl}/exchange/inbound` } },
      'tester',
    );
    const failed = await x.runOutbound(missingKey.id);
    assert.deepEqual([failed.result, failed.reason], ['failed', 'key']);

    const log = await x.log({ direction: 'outbound' });
    assert.deepEqual(
      log.items.map((e) => [e.exchangeId, e.result]).reverse(),
      [
        ['credit-to-yangshan', 'delivered'],
        ['pudong-to-yangshan-api', 'delivered'],
        ['pudong-to-yangshan-api', 'failed'],
        ['no-key', 'failed'],
      ],
    );
    // the API shows the same log
    const res = await fetch(`${partnerUrl}/exchange/log?direction=inbound&result=accepted`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { items: { partner: string }[]; total: number };
    assert.equal(res.status, 200);
    assert.equal(body.total, 4, "SFTP, HTTP, the good one after the refusals, the scheduled one");
    assert.ok(body.items.every((e) => e.partner === 'pudong-customs'));
  });

  it('pulls the enterprise packages from its SFTP server: verified, accepted or refused, moved aside; an unreachable server is logged', async () => {
    const x = customs.platform.exchange;
    const y = partner.platform.exchange;
    const outbox = path.join(sshd.root, 'ent-outbox');
    fs.mkdirSync(outbox);
    const sftp = { host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: { secret: 'sftp-key' }, hostKeySha256: sshd.hostKeySha256, remoteDir: outbox };
    // the enterprise's own platform writes a sealed package of its data set to its SFTP server
    await y.saveOutbound({ id: 'ent-to-customs', name: '回传海关', partner: 'pudong-customs', source: { dataset: 'customs_credit', fields: ['uscc', 'rating'] }, signingKey: { secret: 'ent-sign' }, delivery: { kind: 'sftp', ...sftp } }, 'tester');
    const sent = await y.runOutbound('ent-to-customs');
    assert.equal(sent.result, 'delivered', sent.detail);
    const entPackage = (name: string, o: { sender?: string; alter?: boolean } = {}) => {
      const built = buildPackage({ sender: o.sender ?? 'ent-yangshan', receiver: 'pudong-customs', exchange: 'manual', dataset: 'x', columns: ['uscc'], rows: 1, dataFormat: 'csv', data: Buffer.from('uscc\r\n91310000132200821H\r\n'), signingKey: partnerKey, sm4Key: sm4 });
      const pkg = JSON.parse(built.bytes.toString('utf8'));
      if (o.alter) pkg.payload = pkg.payload.slice(0, 30) + (pkg.payload[30] === 'A' ? 'B' : 'A') + pkg.payload.slice(31);
      fs.writeFileSync(path.join(outbox, name), JSON.stringify(pkg));
    };
    entPackage('b-altered.qsx.json', { alter: true });
    entPackage('c-other-sender.qsx.json', { sender: 'ent-other' });
    fs.writeFileSync(path.join(outbox, 'd-huge.qsx.json'), Buffer.alloc(9000, 0x20));
    fs.writeFileSync(path.join(outbox, 'readme.txt'), 'not a package');
    fs.writeFileSync(path.join(outbox, '.e-uploading.qsx.json'), '{');

    await assert.rejects(x.pullPartner('ent-yangshan'), /no SFTP pull configured/);
    const withPull = { id: 'ent-yangshan', name: '上海洋山国际物流有限公司', selfId: 'pudong-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: true };
    await assert.rejects(x.savePartner({ ...withPull, pull: { host: '127.0.0.1', remoteDir: outbox, username: 'u' } }, 't'), /partner\.pull\.privateKey: give privateKey or password/);
    await x.savePartner({ ...withPull, pull: { ...sftp, maxBytes: 4096 } }, 'tester');
    const pulled = await x.pullPartner('ent-yangshan');
    assert.equal(pulled.error, null);
    const verdicts = pulled.items.map((r) => [path.basename(r.remoteFile), r.accepted ? 'accepted' : r.reason]);
    assert.deepEqual(verdicts, [
      ['b-altered.qsx.json', 'tampered'],
      ['c-other-sender.qsx.json', 'unknown_sender'],
      ['d-huge.qsx.json', 'too_large'],
      [`${sent.packageId}.qsx.json`, 'accepted'], // in name order: ent-yangshan-<time>-…
    ]);
    const other = pulled.items[1]!;
    assert.match(other.accepted ? '' : other.message, /pulled from ent-yangshan's server, but the manifest names sender ent-other/);
    const got = pulled.items[3]!;
    assert.ok(got.accepted);
    assert.equal(got.rows, 3);
    assert.equal(sm3Hex(fs.readFileSync(got.file)), sent.dataSm3, 'we hold exactly what the enterprise exported');
    // on the server: the verified files moved aside, the rest untouched
    assert.deepEqual(fs.readdirSync(outbox).sort(), ['.e-uploading.qsx.json', 'done', 'readme.txt', 'refused']);
    assert.deepEqual(fs.readdirSync(path.join(outbox, 'done')).map((n) => n.replace(/^\d{8}T\d{6}-/, '')), [`${sent.packageId}.qsx.json`]);
    assert.deepEqual(fs.readdirSync(path.join(outbox, 'refused')).map((n) => n.replace(/^\d{8}T\d{6}-/, '')).sort(), ['b-altered.qsx.json', 'c-other-sender.qsx.json', 'd-huge.qsx.json']);
    const logged = (await x.log({ direction: 'inbound', partner: 'ent-yangshan', limit: 4 })).items.reverse();
    assert.deepEqual(logged.map((e) => [e.channel, e.result, e.reason]), [['sftp', 'refused', 'tampered'], ['sftp', 'refused', 'unknown_sender'], ['sftp', 'refused', 'too_large'], ['sftp', 'accepted', null]]);

    // nothing new: an empty pull; the same package put back: a replay
    assert.deepEqual((await x.pullPartner('ent-yangshan')).items, []);
    const done = fs.readdirSync(path.join(outbox, 'done'))[0]!;
    fs.copyFileSync(path.join(outbox, 'done', done), path.join(outbox, 'again.qsx.json'));
    const replay = await x.pullPartner('ent-yangshan');
    assert.deepEqual(replay.items.map((r) => (r.accepted ? 'accepted' : r.reason)), ['replay']);

    // the server is down: a failed inbound exchange with its reason, nothing else changes
    await x.savePartner({ ...withPull, pull: { ...sftp, port: 1, timeoutMs: 2000 } }, 'tester');
    const down = await x.pullPartner('ent-yangshan');
    assert.match(down.error ?? '', /^sftp:\/\/127\.0\.0\.1:1\//);
    const failed = (await x.logEntry(down.logId!))!;
    assert.deepEqual([failed.direction, failed.result, failed.reason, failed.channel], ['inbound', 'failed', 'pull_failed', 'sftp']);

    // on a schedule
    const scheduled = await openTestPlatform('sqlite', { secrets: (n) => customsSecrets.get(n), schedule: true });
    try {
      const p = scheduled.platform.exchange;
      await y.runOutbound('ent-to-customs');
      await p.savePartner({ ...withPull, pull: { ...sftp, schedule: { type: 'interval', everySeconds: 1 } } }, 'tester');
      assert.deepEqual(p.scheduledJobs(), ['exchange-pull:ent-yangshan']);
      const until = Date.now() + 10_000;
      let entries = (await p.log()).items;
      while (!entries.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        entries = (await p.log()).items;
      }
      assert.deepEqual([entries[0]?.result, entries[0]?.channel, entries[0]?.rows], ['accepted', 'sftp', 3]);
    } finally {
      await scheduled.close();
      await x.savePartner(withPull, 'tester');
    }
  });
});
