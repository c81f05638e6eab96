// The SM3-chained audit log on an SQLite store: the hash formula, appends in order (also when many run
// at once), and tamper detection — a changed row, a row recomputed to look consistent, a removed row,
// removed newest rows, a hand-edited detail.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { AuditLog, auditHash, GENESIS_HASH, verifyAuditChain } from '../../../cloud/auth/audit.js';
import { consoleDb, type ConsoleDb } from '../../../cloud/auth/db.js';
import type { CloudStore } from '../../../cloud/store/cloud-store.js';
import { openStore } from '../../../cloud/store/open.js';
import { canonicalJson } from '../../../shared/crypto/canonical-json.js';

test('hash = SM3(prev_hash ‖ canonical JSON of the entry), hex', () => {
  const body = { seq: 1, ts: 1_700_000_000_000, actorId: 'u1', actor: 'insp-wang', action: 'task.complete', targetType: 'task', targetId: 't1', enterpriseId: null, ip: '127.0.0.1', detail: { result: 'pass', 备注: '正常' } };
  const expected = crypto.createHash('sm3').update(GENESIS_HASH + canonicalJson(body), 'utf8').digest('hex');
  assert.equal(auditHash(GENESIS_HASH, body), expected);
  assert.match(expected, /^[0-9a-f]{64}$/);
  assert.notEqual(auditHash(GENESIS_HASH, { ...body, detail: { result: 'fail', 备注: '正常' } }), expected);
  assert.notEqual(auditHash('1'.repeat(64), body), expected, 'the previous hash is part of it');
});

describe('audit chain on SQLite', () => {
  let dir: string;
  let store: CloudStore;
  let db: ConsoleDb;
  let log: AuditLog;
  let t = 1_700_000_000_000;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-audit-'));
    store = await openStore({ driver: 'sqlite', file: 'cloud.db' }, dir);
    db = consoleDb(store);
    log = new AuditLog(db, 'sqlite', () => ++t);
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an empty log is intact; appends chain from 64 zeros', async () => {
    assert.deepEqual(await verifyAuditChain(db), { ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH } });
    const a = await log.append({ actor: 'root', action: 'user.create', detail: { username: 'x' } });
    const b = await log.append({ actor: 'root', action: 'user.roles', detail: { to: ['inspector'] } });
    assert.equal(a.seq, 1);
    assert.equal(a.prevHash, GENESIS_HASH);
    assert.equal(b.prevHash, a.hash);
    const v = await verifyAuditChain(db);
    assert.deepEqual(v, { ok: true, count: 2, head: { seq: 2, hash: b.hash } });
  });

  test('fifty appends at once stay one chain (no fork, no gap)', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ actor: `u${i}`, action: 'auth.login.ok', detail: { i } })));
    const v = await verifyAuditChain(db, 7); // small pages: the walk crosses page boundaries
    assert.equal(v.ok, true);
    assert.equal(v.count, 52);
  });

  test('a changed row breaks the chain at that row', async () => {
    await db.updateTable('audit_log').set({ detail: canonicalJson({ i: 999 }) }).where('seq', '=', 10).execute();
    const v = await verifyAuditChain(db);
    assert.equal(v.ok, false);
    assert.equal(v.ok === false && v.brokenAt, 10);
    assert.match(v.ok === false ? v.reason : '', /hash does not match/);
  });

  test('a row recomputed to look right breaks the link to the next row', async () => {
    const r10 = await db.selectFrom('audit_log').selectAll().where('seq', '=', 10).executeTakeFirstOrThrow();
    const body = { seq: 10, ts: Number(r10.ts), actorId: r10.actor_id, actor: r10.actor, action: r10.action, targetType: r10.target_type, targetId: r10.target_id, enterpriseId: r10.enterprise_id, ip: r10.ip, detail: { i: 999 } };
    await db.updateTable('audit_log').set({ hash: auditHash(r10.prev_hash, body) }).where('seq', '=', 10).execute();
    const v = await verifyAuditChain(db);
    assert.equal(v.ok === false && v.brokenAt, 11);
    assert.match(v.ok === false ? v.reason : '', /prev_hash does not match the hash of entry 10/);
  });

  test('a removed row is a gap; removed newest rows are caught by the head; a hand-edited detail is not canonical', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-audit2-'));
    const s2 = await openStore({ driver: 'sqlite', file: 'cloud.db' }, fresh);
    try {
      const d2 = consoleDb(s2);
      const l2 = new AuditLog(d2, 'sqlite');
      for (let i = 0; i < 6; i++) await l2.append({ actor: 'a', action: 'x', detail: { i } });
      await d2.deleteFrom('audit_log').where('seq', '=', 3).execute();
      const gap = await verifyAuditChain(d2);
      assert.equal(gap.ok === false && gap.brokenAt, 4);
      assert.match(gap.ok === false ? gap.reason : '', /entry 3 is missing/);

      await d2.deleteFrom('audit_log').where('seq', '>=', 3).execute();
      const tail = await verifyAuditChain(d2);
      assert.equal(tail.ok, false);
      assert.equal(tail.ok === false && tail.brokenAt, 3);
      assert.match(tail.ok === false ? tail.reason : '', /entries 3…6 are missing/);

      await sql`UPDATE audit_log SET detail = '{ "i" : 1 }' WHERE seq = 2`.execute(d2);
      const spaced = await verifyAuditChain(d2);
      assert.equal(spaced.ok === false && spaced.brokenAt, 2);
    } finally {
      await s2.close();
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
