// The audit chain over a real run, on both SQL dialects: work through the API, then GET /api/audit/verify
// and the CLI (npm run audit:verify) say intact; one row changed directly in SQL (as someone with database
// access would) is found — by the API and the CLI — at exactly that entry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sql } from 'kysely';
import { REPO, run, suiteSetup } from '../cloud/helpers.js';
import { DIALECTS, dropAfter, seed, startConsoleCloud, type ConsoleCloud, type Seed } from '../auth/helpers.js';

for (const dialect of DIALECTS) {
  describe(`audit chain on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect);
      s = await seed(cloud);
    });
    dropAfter(() => cloud);

    const cli = () => {
      const target = cloud.config.store.driver === 'sqlite' ? ['--db', path.join(cloud.dataDir, cloud.config.store.file)] : ['--pg', cloud.config.store.url];
      return run(process.execPath, ['--import', 'tsx', path.join(REPO, 'scripts/audit-verify.ts'), ...target], { timeoutMs: 30_000 });
    };

    test('the chain verifies, then detects a row tampered with in SQL', async () => {
      const cmd = await s.as('command');
      const insp = await s.as('inspector');
      const t = await cmd.post('/api/tasks', { title: '查验 MSCU7654321', checklist: ['开箱'], assigneeId: s.users.inspector.id });
      await insp.post(`/api/tasks/${t.body.id}/start`);
      await insp.patch(`/api/tasks/${t.body.id}/checklist/c1`, { done: true });
      await insp.post(`/api/tasks/${t.body.id}/complete`, { result: 'fail', note: '货物与申报不符' });
      const auditor = await s.as('auditor');
      const ok = await auditor.get('/api/audit/verify');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.ok, true, JSON.stringify(ok.body));
      assert.ok(ok.body.count >= 15, `${ok.body.count} entries`);
      assert.equal((await (await s.as('inspector')).get('/api/audit/verify')).status, 403);
      const good = await cli();
      assert.equal(good.code, 0, good.stderr);
      assert.deepEqual(JSON.parse(good.stdout), ok.body);

      // Someone with database access softens the inspection result.
      const entries = (await auditor.get('/api/audit?action=task.complete')).body.entries;
      const target = entries.find((e: { targetId: string }) => e.targetId === t.body.id);
      assert.equal(target.detail.result, 'fail');
      await sql`UPDATE audit_log SET detail = ${JSON.stringify({ ...target.detail, result: 'pass' })} WHERE seq = ${target.seq}`.execute(cloud.store.db);
      const broken = await auditor.get('/api/audit/verify');
      assert.deepEqual({ ok: broken.body.ok, brokenAt: broken.body.brokenAt }, { ok: false, brokenAt: target.seq });
      assert.match(broken.body.reason, /hash does not match|canonical/);
      const bad = await cli();
      assert.equal(bad.code, 1);
      assert.equal(JSON.parse(bad.stdout).brokenAt, target.seq);
      // the change itself was never allowed through the API: there is no route that edits the log
      assert.equal((await auditor.req('PATCH', `/api/audit/${target.seq}`, {})).status, 404);
    });
  });
}
