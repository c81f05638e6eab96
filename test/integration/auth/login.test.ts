// Local login over real HTTP on both SQL dialects: cookies (HttpOnly, SameSite=Lax, Secure when asked),
// CSRF double submit, logout, own password change, lockout after 5 failures, the per IP+username rate
// limit, idle expiry, and the audit entries each of these leaves.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suiteSetup } from '../cloud/helpers.js';
import { ADMIN, Client, DIALECTS, dropAfter, PASSWORD, seed, startConsoleCloud, type ConsoleCloud, type Seed } from './helpers.js';

for (const dialect of DIALECTS) {
  describe(`local login on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect, { auth: { loginRateLimit: { max: 8, windowSeconds: 60 } } });
      s = await seed(cloud);
    });
    dropAfter(() => cloud);

    test('login sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie; /me answers', async () => {
      const c = new Client(cloud.url);
      const res = await c.raw('POST', '/api/auth/login', { body: { username: s.users.inspector.username, password: PASSWORD } });
      assert.equal(res.status, 200);
      const cookies = res.headers.getSetCookie();
      const session = cookies.find((x) => x.startsWith('qs_session='))!;
      const csrf = cookies.find((x) => x.startsWith('qs_csrf='))!;
      assert.match(session, /HttpOnly/i);
      assert.match(session, /SameSite=Lax/i);
      assert.match(session, /Path=\//);
      assert.doesNotMatch(session, /Secure/i, 'plain http: not Secure (auto)');
      assert.doesNotMatch(csrf, /HttpOnly/i);
      const body = (await res.json()) as { csrfToken: string; user: { roles: string[]; permissions: string[] } };
      assert.equal(body.csrfToken, c.jar.get('qs_csrf'));
      assert.deepEqual(body.user.roles, ['inspector']);
      assert.ok(body.user.permissions.includes('tasks.work'));
      assert.ok(!body.user.permissions.includes('users.manage'));
      const me = await c.get('/api/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.username, s.users.inspector.username);
      assert.equal(me.body.session.via, 'password');
      // no cookie: 401
      const anon = await new Client(cloud.url).get('/api/auth/me');
      assert.equal(anon.status, 401);
      assert.equal(anon.body.error.code, 'CLOUD_AUTH_REQUIRED');
    });

    test('state-changing requests with a session need the x-csrf-token header', async () => {
      const c = await Client.as(cloud.url, s.users.command.username);
      const body = { title: 'csrf probe', checklist: ['a'] };
      const none = await c.req('POST', '/api/tasks', body, { csrf: false });
      assert.equal(none.status, 403);
      assert.equal(none.body.error.code, 'CLOUD_AUTH_CSRF');
      const wrong = await c.req('POST', '/api/tasks', body, { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(32) } });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.error.code, 'CLOUD_AUTH_CSRF');
      // another session's token does not fit this one
      const other = await Client.as(cloud.url, s.users.command.username);
      const foreign = await c.req('POST', '/api/tasks', body, { csrf: false, headers: { 'x-csrf-token': other.jar.get('qs_csrf')! } });
      assert.equal(foreign.status, 403);
      const ok = await c.post('/api/tasks', body);
      assert.equal(ok.status, 201);
      // GET needs none
      assert.equal((await c.get('/api/tasks')).status, 200);
    });

    test('logout ends the session (the old cookie is refused) and is audited', async () => {
      const c = await Client.as(cloud.url, s.users.auditor.username);
      const cookie = c.cookieHeader();
      assert.equal((await c.post('/api/auth/logout')).status, 204);
      assert.equal(c.jar.has('qs_session'), false, 'cookie cleared');
      const replay = await fetch(`${cloud.url}/api/auth/me`, { headers: { cookie } });
      assert.equal(replay.status, 401);
      const auditor = await Client.as(cloud.url, s.users.auditor.username);
      const log = await auditor.get('/api/audit?action=auth.logout');
      assert.ok(log.body.entries.some((e: { actor: string }) => e.actor === s.users.auditor.username));
    });

    test('wrong password and unknown user give the same 401; five failures lock for 15 min; admin unlocks', async () => {
      const name = 'lock-me';
      const created = await s.admin.post('/api/users', { username: name, displayName: 'Lock Me', password: PASSWORD, roles: ['inspector'], orgId: s.customsOrg });
      assert.equal(created.status, 201);
      const unknown = await new Client(cloud.url).login('nobody-here', 'Whatever#123456');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.error.code, 'CLOUD_AUTH_FAILED');
      for (let i = 1; i <= 4; i++) {
        const r = await new Client(cloud.url).login(name, `Wrong#Pass-${i}xx`);
        assert.equal(r.status, 401, `attempt ${i}`);
        assert.deepEqual(r.body, unknown.body, 'indistinguishable from an unknown user');
      }
      const fifth = await new Client(cloud.url).login(name, 'Wrong#Pass-5xx');
      assert.equal(fifth.status, 423);
      assert.equal(fifth.body.error.code, 'CLOUD_AUTH_LOCKED');
      const right = await new Client(cloud.url).login(name, PASSWORD);
      assert.equal(right.status, 423, 'locked even with the right password');
      const user = await s.admin.get(`/api/users/${created.body.id}`);
      assert.equal(user.body.failedLogins, 5);
      assert.ok(user.body.lockedUntil - Date.now() > 14 * 60_000 && user.body.lockedUntil - Date.now() <= 15 * 60_000);
      assert.equal((await s.admin.post(`/api/users/${created.body.id}/unlock`)).status, 200);
      assert.equal((await new Client(cloud.url).login(name, PASSWORD)).status, 200);
      const auditor = await s.as('auditor');
      const lockouts = await auditor.get('/api/audit?action=auth.lockout');
      assert.ok(lockouts.body.entries.some((e: { targetId: string }) => e.targetId === created.body.id));
      const fails = await auditor.get('/api/audit?action=auth.login.fail&limit=50');
      assert.ok(fails.body.entries.filter((e: { actor: string }) => e.actor === name).length >= 6);
      assert.ok(fails.body.entries.some((e: { actor: string; detail: { reason: string } }) => e.actor === 'nobody-here' && e.detail.reason === 'unknown user'));
    });

    test('login attempts are rate limited per IP + username (429 with Retry-After); another username is not', async () => {
      const name = 'rate-probe';
      const created = await s.admin.post('/api/users', { username: name, displayName: 'Rate', password: PASSWORD, roles: ['auditor'], orgId: s.customsOrg });
      assert.equal(created.status, 201);
      // 8 allowed per window: 3 failures + 4 successes (no lock), then the 9th is refused before any check
      for (let i = 0; i < 3; i++) assert.equal((await new Client(cloud.url).login(name, `Bad#Password-${i}`)).status, 401);
      for (let i = 0; i < 5; i++) assert.equal((await new Client(cloud.url).login(name, PASSWORD)).status, 200);
      const limited = await new Client(cloud.url).login(name, PASSWORD);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'CLOUD_AUTH_RATE_LIMITED');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal((await new Client(cloud.url).login(s.users.auditor.username, PASSWORD)).status, 200);
    });

    test('password rules on create and change; own change needs the current password and is audited', async () => {
      const weak = [
        ['short1A!', /at least 10 characters/],
        ['alllowercaseletters', /at least 3 of/],
        ['xx-pw-user-Ab1!', /username/],
      ] as const;
      for (const [pw, why] of weak) {
        const r = await s.admin.post('/api/users', { username: 'pw-user', displayName: 'P', password: pw, roles: ['auditor'], orgId: s.customsOrg });
        assert.equal(r.status, 400, pw);
        assert.equal(r.body.error.code, 'CLOUD_AUTH_PASSWORD_RULES');
        assert.match(r.body.error.message, why);
      }
      const ok = await s.admin.post('/api/users', { username: 'pw-user', displayName: 'P', password: PASSWORD, roles: ['auditor'], orgId: s.customsOrg });
      assert.equal(ok.status, 201);
      const c = await Client.as(cloud.url, 'pw-user');
      assert.equal((await c.post('/api/auth/password', { current: 'Not-the#pass1', next: 'Another#Pass-2027' })).status, 401);
      assert.equal((await c.post('/api/auth/password', { current: PASSWORD, next: 'short' })).status, 400);
      assert.equal((await c.post('/api/auth/password', { current: PASSWORD, next: 'Another#Pass-2027' })).status, 204);
      assert.equal((await new Client(cloud.url).login('pw-user', PASSWORD)).status, 401);
      assert.equal((await new Client(cloud.url).login('pw-user', 'Another#Pass-2027')).status, 200);
      const log = await (await s.as('auditor')).get('/api/audit?action=auth.password.change');
      assert.ok(log.body.entries.some((e: { targetId: string }) => e.targetId === ok.body.id));
    });

    test('a role change is audited with before and after, and applies to live sessions at once', async () => {
      const c = await Client.as(cloud.url, s.users.inspector2.username);
      assert.equal((await c.get('/api/monitor/alarms')).status, 200);
      const changed = await s.admin.put(`/api/users/${s.users.inspector2.id}/roles`, { roles: ['auditor'] });
      assert.equal(changed.status, 200);
      assert.deepEqual(changed.body.roles, ['auditor']);
      assert.equal((await c.get('/api/monitor/alarms')).status, 403);
      const log = await (await s.as('auditor')).get('/api/audit?action=user.roles');
      const e = log.body.entries.find((x: { targetId: string }) => x.targetId === s.users.inspector2.id);
      assert.deepEqual(e.detail.from, ['inspector']);
      assert.deepEqual(e.detail.to, ['auditor']);
      assert.equal(e.actor, ADMIN.username);
      await s.admin.put(`/api/users/${s.users.inspector2.id}/roles`, { roles: ['inspector'] });
    });

    test('disabling a user ends its sessions; phone is stored SM4-sealed and shown in clear to admins', async () => {
      const u = await s.admin.post('/api/users', { username: 'phone-user', displayName: 'Phone', password: PASSWORD, roles: ['auditor'], orgId: s.customsOrg, phone: '+86 138 0000 1234' });
      assert.equal(u.body.phone, '+86 138 0000 1234');
      const rows = await cloud.store.db.selectFrom('users' as never).select(['phone_sealed' as never]).where('id' as never, '=', u.body.id as never).execute();
      const sealed = (rows[0] as unknown as { phone_sealed: string }).phone_sealed;
      assert.match(sealed, /^sm4cbc-hs3\.v1\./);
      assert.ok(!sealed.includes('1234'));
      const c = await Client.as(cloud.url, 'phone-user');
      assert.equal((await s.admin.patch(`/api/users/${u.body.id}`, { status: 'disabled' })).status, 200);
      assert.equal((await c.get('/api/auth/me')).status, 401);
      const again = await new Client(cloud.url).login('phone-user', PASSWORD);
      assert.equal(again.status, 403);
      assert.equal(again.body.error.code, 'CLOUD_AUTH_PENDING');
    });
  });
}

describe('session expiry and secure cookies', () => {
  let cloud: ConsoleCloud;
  suiteSetup(async () => {
    cloud = await startConsoleCloud('sqlite', { auth: { session: { idleMinutes: 0.01, absoluteHours: 1, secure: true } } });
  });
  dropAfter(() => cloud);

  test('Secure cookies when configured; a session idle longer than idleMinutes is refused', async () => {
    const c = new Client(cloud.url);
    const res = await c.raw('POST', '/api/auth/login', { body: ADMIN });
    assert.equal(res.status, 200);
    assert.ok(res.headers.getSetCookie().every((x) => /;\s*Secure/i.test(x)));
    assert.equal((await c.get('/api/auth/me')).status, 200);
    await new Promise((r) => setTimeout(r, 900));
    assert.equal((await c.get('/api/auth/me')).status, 401);
  });
});
