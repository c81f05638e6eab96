// The cloud SQL store on BOTH dialects (SQLite file and a real PostgreSQL): one migration set, the same
// queries, the same answers. Each dialect gets a fresh database.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Envelope } from '../../../shared/contracts/envelope.js';
import type { CloudStore } from '../../../cloud/store/cloud-store.js';
import { migrate, openStore } from '../../../cloud/store/open.js';
import { freshPgDatabase, services, tmpDir, suiteSetup } from './helpers.js';

const T0 = 1_700_000_000_000;

const telemetry = (seq: number): Envelope => ({
  v: 1,
  gw: 'quay-1' as Envelope['gw'],
  seq,
  id: `b${seq}`,
  sentAt: T0,
  kind: 'telemetry',
  items: [{ device: 'd', point: 'p', ts: T0, value: 1, unit: '', quality: 'good' }],
});
const events = (seq: number, ids: string[]): Envelope => ({
  v: 1,
  gw: 'quay-1' as Envelope['gw'],
  seq,
  id: `b${seq}`,
  sentAt: T0,
  kind: 'event',
  items: ids.map((id, i) => ({ id, ts: T0 + i, device: 'cam-1', kind: 'plate', value: `粤B1234${i}`, confidence: 0.9 })),
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`cloud store on ${dialect}`, () => {
    let store: CloudStore;
    let drop: () => Promise<void> = async () => undefined;

    suiteSetup(async () => {
      if (dialect === 'sqlite') {
        store = await openStore({ driver: 'sqlite', file: 'cloud.db' }, tmpDir('store'));
      } else {
        const { pgUrl } = await services();
        const db = await freshPgDatabase(pgUrl);
        drop = db.drop;
        store = await openStore({ driver: 'postgres', url: db.url, poolSize: 4 }, tmpDir('store'));
      }
    });
    after(async () => {
      await store?.close();
      await drop();
    });

    test('migrations are applied once; a second run has nothing to do', async () => {
      assert.equal(store.dialect, dialect);
      assert.deepEqual(await migrate(store.db, dialect), []);
    });

    test('gateway lifecycle: create, duplicate refused, enrol burns the token, revoke', async () => {
      const now = T0;
      assert.equal(await store.createGateway({ id: 'quay-1', name: 'Quay 1', tokenHash: 'h1', tokenExpiresAt: now + 1000, now }), true);
      assert.equal(await store.createGateway({ id: 'quay-1', name: 'again', tokenHash: 'h2', tokenExpiresAt: now + 1000, now }), false);
      assert.equal(await store.enrol({ id: 'quay-1', tokenHash: 'wrong', now, username: 'quay-1', secretHash: 's' }), false);
      assert.equal(await store.enrol({ id: 'quay-1', tokenHash: 'h1', now: now + 2000, username: 'quay-1', secretHash: 's' }), false, 'expired');
      assert.equal(await store.enrol({ id: 'quay-1', tokenHash: 'h1', now, username: 'quay-1', secretHash: 'secret-1' }), true);
      assert.equal(await store.enrol({ id: 'quay-1', tokenHash: 'h1', now, username: 'quay-1', secretHash: 'secret-2' }), false, 'burnt');
      assert.deepEqual(await store.credentialsFor('quay-1'), [{ gatewayId: 'quay-1', secretHash: 'secret-1', gatewayRevoked: false }]);

      // re-enrolment with a new token replaces the credential
      assert.equal(await store.setEnrolToken('quay-1', 'h3', now + 1000), true);
      assert.equal(await store.enrol({ id: 'quay-1', tokenHash: 'h3', now, username: 'quay-1', secretHash: 'secret-3' }), true);
      assert.deepEqual((await store.credentialsFor('quay-1')).map((c) => c.secretHash), ['secret-3']);

      const g = await store.getGateway('quay-1');
      assert.equal(g?.name, 'Quay 1');
      assert.equal(g?.enrolPending, false);
      assert.equal(g?.enrolledAt, now);
      assert.equal(typeof g?.createdAt, 'number', 'bigint columns come back as numbers');

      await store.createGateway({ id: 'quay-2', name: 'Quay 2', tokenHash: 'x', tokenExpiresAt: now, now });
      assert.equal(await store.revokeGateway('quay-2', now), true);
      assert.equal(await store.revokeGateway('quay-2', now), false);
      assert.equal(await store.setEnrolToken('quay-2', 'y', now + 1), false, 'no token for a revoked gateway');
      assert.deepEqual(
        (await store.listGateways()).map((x) => [x.id, x.revokedAt !== null]),
        [
          ['quay-1', false],
          ['quay-2', true],
        ],
      );
    });

    test('a batch is recorded once: the second time is a duplicate', async () => {
      assert.equal(await store.isIngested('quay-1', 1), false);
      assert.equal(await store.recordBatch(telemetry(1), T0), 'stored');
      assert.equal(await store.recordBatch(telemetry(1), T0), 'duplicate');
      assert.equal(await store.isIngested('quay-1', 1), true);
      assert.equal(await store.recordBatch(events(2, ['e1', 'e2', 'e3']), T0), 'stored');
      assert.equal(await store.recordBatch(events(2, ['e1', 'e2', 'e3']), T0), 'duplicate');
      // an item that reappears in another batch is not stored twice either
      assert.equal(await store.recordBatch(events(3, ['e3', 'e4']), T0), 'stored');
      const c = await store.counts('quay-1');
      assert.deepEqual({ batches: c.batches, events: c.events }, { batches: 3, events: 4 });
    });

    test('concurrent deliveries of one batch: exactly one is stored', async () => {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.recordBatch(events(10, ['c1', 'c2']), T0)));
      assert.equal(outcomes.filter((o) => o === 'stored').length, 1);
      assert.equal(outcomes.filter((o) => o === 'duplicate').length, 7);
    });

    test('a big batch (1000 items) goes in chunks', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `big-${i}`);
      assert.equal(await store.recordBatch(events(20, ids), T0), 'stored');
      assert.equal((await store.counts('quay-1')).events, 4 + 2 + 1000);
    });

    test('surveys and records', async () => {
      await store.recordBatch(
        { v: 1, gw: 'quay-1' as Envelope['gw'], seq: 30, id: 's', sentAt: T0, kind: 'survey', items: [{ id: 's1', ts: T0, vessel: { name: 'MV Ocean' }, stage: 'final', status: 'signed', report: { cargo: 12345.6 } }] },
        T0,
      );
      await store.recordBatch({ v: 1, gw: 'quay-1' as Envelope['gw'], seq: 31, id: 'r', sentAt: T0, kind: 'record', items: [{ id: 'r1', ts: T0, type: 'queue.call', data: { ticket: 'A1' } }] }, T0);
      const rows = await store.db.selectFrom('surveys').selectAll().execute();
      assert.equal(rows[0]?.vessel, 'MV Ocean');
      assert.deepEqual(JSON.parse(rows[0]!.data).report, { cargo: 12345.6 });
      const recs = await store.db.selectFrom('records').selectAll().execute();
      assert.deepEqual(JSON.parse(recs[0]!.data), { ticket: 'A1' });
    });

    test('status upsert, dead letters, commands and their results', async () => {
      await store.upsertStatus('quay-1', { state: 'online', ts: T0, version: '1.0.0' }, T0);
      await store.upsertStatus('quay-1', { state: 'offline', ts: T0 + 5 }, T0 + 10);
      const g = await store.getGateway('quay-1');
      assert.deepEqual(g?.status, { state: 'offline', ts: T0 + 5, version: null, updatedAt: T0 + 10 });

      await store.addDeadLetter({ gw: 'quay-1', topic: 't', code: 'CLOUD_INGEST_JSON', reason: 'bad', payload: '{', bytes: 1, receivedAt: T0 });
      await store.addDeadLetter({ gw: null, topic: 't2', code: 'CLOUD_INGEST_TOPIC', reason: 'x', payload: '', bytes: 0, receivedAt: T0 + 1 });
      const dl = await store.listDeadLetters({ limit: 10 });
      assert.deepEqual(
        dl.map((d) => d.code),
        ['CLOUD_INGEST_TOPIC', 'CLOUD_INGEST_JSON'],
      );
      assert.equal((await store.listDeadLetters({ gw: 'quay-1', limit: 10 })).length, 1);
      assert.equal(typeof dl[0]?.id, 'number');

      await store.insertCommand('quay-1', { id: 'cmd-1', target: 'led-1', op: 'led.text', args: { text: 'hi' }, expiresAt: T0 + 60_000 }, T0);
      assert.equal(await store.recordCommandResult('quay-1', { id: 'cmd-1', status: 'done', detail: 'shown' }, T0 + 1), true);
      assert.equal(await store.recordCommandResult('quay-1', { id: 'cmd-1', status: 'rejected', detail: 'again' }, T0 + 2), false, 'first answer wins');
      const cmds = await store.listCommands('quay-1', 10);
      assert.equal(cmds[0]?.status, 'done');
      assert.deepEqual(cmds[0]?.result, { detail: 'shown', receivedAt: T0 + 1 });
      assert.deepEqual(cmds[0]?.args, { text: 'hi' });
    });

    test('the SQLite file lives under dataDir', () => {
      if (dialect === 'sqlite') assert.equal(path.basename(store.where), 'cloud.db');
      else assert.match(store.where, /^postgres/);
    });
  });
}
