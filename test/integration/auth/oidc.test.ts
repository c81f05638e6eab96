// OIDC login against a real OpenID provider (oidc-provider, started here) through the cloud's routes:
// authorization code + PKCE (S256), state used once, an unknown subject becoming a pending account that
// an administrator activates, linking an existing local account by subject, and — when configured —
// mapping a first login to the account with the same e-mail. Both SQL dialects.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { CloudConfigInput } from '../../../cloud/config/schema.js';
import { suiteSetup } from '../cloud/helpers.js';
import { ADMIN, Client, DIALECTS, dropAfter, PASSWORD, seed, startConsoleCloud, type ConsoleCloud, type Dialect, type Seed } from './helpers.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Idp {
  issuer: string;
  close(): Promise<void>;
}

/** The customs identity provider stand-in: any login name is accepted, claims derived from it. */
async function startIdp(redirectUri: string): Promise<Idp> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'quayside-console', client_secret: 'quayside-console-secret', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@example.test`, email_verified: true, name: `IdP ${id}` }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  });
  server.on('request', provider.callback());
  return { issuer, close: () => new Promise((r) => server.close(() => r())) };
}

/** Plays the browser at the IdP: follows redirects, fills the login form as `sub`, consents; returns the callback URL. */
async function signInAtIdp(authUrl: string, sub: string, callbackPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const headers: Record<string, string> = {};
    if (jar.size) headers['cookie'] = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, redirect: 'manual', ...(body ? { body } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).toString();
      await res.arrayBuffer();
      if (next.startsWith(callbackPrefix)) return next;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`IdP page without a form (HTTP ${res.status}): ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).toString();
    method = 'POST';
    body = (html.includes('value="login"') ? new URLSearchParams({ prompt: 'login', login: sub, password: 'any' }) : new URLSearchParams({ prompt: 'consent' })).toString();
  }
  throw new Error('too many steps at the IdP');
}

interface Harness {
  cloud: ConsoleCloud;
  idp: Idp;
  s: Seed;
  callback: string;
  /** The whole browser round trip; returns the cloud's final redirect and the client. */
  oidcLogin(sub: string, opts?: { client?: Client; query?: string }): Promise<{ location: string; client: Client; authUrl: URL }>;
}

async function harness(dialect: Dialect, oidc: Partial<NonNullable<NonNullable<CloudConfigInput['auth']>['oidc']>> = {}): Promise<Harness> {
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/api/auth/oidc/callback`;
  const idp = await startIdp(callback);
  const cloud = await startConsoleCloud(dialect, {
    api: { host: '127.0.0.1', port },
    auth: { oidc: { issuer: idp.issuer, clientId: 'quayside-console', clientSecret: 'quayside-console-secret', redirectUri: callback, allowHttp: true, postLoginRedirect: '/console', ...oidc } },
  });
  const s = await seed(cloud);
  return {
    cloud,
    idp,
    s,
    callback,
    async oidcLogin(sub, opts = {}) {
      const client = opts.client ?? new Client(cloud.url);
      const start = await client.raw('GET', `/api/auth/oidc/start${opts.query ?? ''}`);
      assert.equal(start.status, 302, `start: HTTP ${start.status} ${await start.text()}`);
      const authUrl = new URL(start.headers.get('location')!);
      const cb = await signInAtIdp(authUrl.toString(), sub, callback);
      const done = await client.raw('GET', cb.slice(cloud.url.length));
      assert.equal(done.status, 302);
      return { location: done.headers.get('location')!, client, authUrl };
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`OIDC login on ${dialect}`, () => {
    let h: Harness;
    suiteSetup(async () => {
      h = await harness(dialect);
    });
    dropAfter(() => h?.cloud);
    after(async () => h?.idp.close());

    test('the authorization request carries PKCE S256, state and nonce; /api/auth/config shows OIDC', async () => {
      const cfg = await new Client(h.cloud.url).get('/api/auth/config');
      assert.equal(cfg.body.oidc.enabled, true);
      const start = await new Client(h.cloud.url).raw('GET', '/api/auth/oidc/start?returnTo=//evil.example/x');
      const u = new URL(start.headers.get('location')!);
      assert.equal(u.origin, h.idp.issuer);
      assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
      assert.match(u.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok(u.searchParams.get('state'));
      assert.ok(u.searchParams.get('nonce'));
      assert.equal(u.searchParams.get('redirect_uri'), h.callback);
    });

    test('an unknown subject becomes a pending account; activated by an admin, the next OIDC login opens a session', async () => {
      const first = await h.oidcLogin('officer-ma');
      assert.equal(first.location, '/login?error=CLOUD_AUTH_PENDING');
      assert.equal(first.client.jar.has('qs_session'), false);
      const pending = await h.s.admin.get('/api/users?status=pending');
      const u = pending.body.find((x: { identities: Array<{ subject: string }> }) => x.identities.some((i) => i.subject === 'officer-ma'));
      assert.ok(u, 'pending account linked to the subject');
      assert.equal(u.email, 'officer-ma@example.test');
      assert.equal(u.hasPassword, false);
      assert.equal((await h.s.admin.put(`/api/users/${u.id}/roles`, { roles: ['inspector'], orgId: h.s.customsOrg })).status, 200);
      assert.equal((await h.s.admin.patch(`/api/users/${u.id}`, { status: 'active' })).status, 200);
      const second = await h.oidcLogin('officer-ma', { query: '?returnTo=%2Ftasks%3Fmine%3D1' });
      assert.equal(second.location, '/tasks?mine=1');
      const me = await second.client.get('/api/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, u.id);
      assert.equal(me.body.session.via, 'oidc');
      assert.deepEqual(me.body.user.roles, ['inspector']);
      // no local password: the OIDC-only account cannot log in locally
      assert.equal((await new Client(h.cloud.url).login(u.username, PASSWORD)).status, 401);
      const audit = await (await h.s.as('auditor')).get('/api/audit?action=auth.oidc.*');
      const actions = audit.body.entries.filter((e: { targetId: string }) => e.targetId === u.id).map((e: { action: string }) => e.action);
      assert.ok(actions.includes('auth.oidc.pending') && actions.includes('auth.oidc.login'), actions.join(','));
    });

    test('a logged-in local user links the IdP subject; afterwards the IdP login lands on the same account', async () => {
      const local = await Client.as(h.cloud.url, h.s.users.command.username);
      const link = await h.oidcLogin('cmd-li-h4a', { client: local, query: '?link=1&returnTo=/profile' });
      assert.equal(link.location, '/profile');
      const me = await local.get('/api/auth/me');
      assert.deepEqual(
        me.body.user.identities.map((i: { issuer: string; subject: string }) => [i.issuer, i.subject]),
        [[h.idp.issuer, 'cmd-li-h4a']],
      );
      const viaIdp = await h.oidcLogin('cmd-li-h4a');
      assert.equal(viaIdp.location, '/console');
      const me2 = await viaIdp.client.get('/api/auth/me');
      assert.equal(me2.body.user.id, h.s.users.command.id);
      assert.equal(me2.body.session.via, 'oidc');
      const links = await (await h.s.as('auditor')).get('/api/audit?action=auth.oidc.link');
      assert.ok(links.body.entries.some((e: { targetId: string; detail: { subject: string } }) => e.targetId === h.s.users.command.id && e.detail.subject === 'cmd-li-h4a'));
      // linking needs a session
      const anon = await new Client(h.cloud.url).raw('GET', '/api/auth/oidc/start?link=1');
      assert.equal(anon.status, 401);
    });

    test('a callback is good once: replaying it (same state and code) is refused', async () => {
      const client = new Client(h.cloud.url);
      const start = await client.raw('GET', '/api/auth/oidc/start');
      const cb = await signInAtIdp(start.headers.get('location')!, 'cmd-li-h4a', h.callback);
      const first = await client.raw('GET', cb.slice(h.cloud.url.length));
      assert.equal(first.headers.get('location'), '/console');
      const replay = await new Client(h.cloud.url).raw('GET', cb.slice(h.cloud.url.length));
      assert.equal(replay.status, 302);
      assert.equal(replay.headers.get('location'), '/login?error=CLOUD_AUTH_OIDC');
      const forged = await new Client(h.cloud.url).raw('GET', '/api/auth/oidc/callback?code=abc&state=not-a-state');
      assert.equal(forged.headers.get('location'), '/login?error=CLOUD_AUTH_OIDC');
    });
  });
}

describe('OIDC login mapping by e-mail', () => {
  let h: Harness;
  suiteSetup(async () => {
    h = await harness('sqlite', { unknownSubject: 'email' });
  });
  dropAfter(() => h?.cloud);
  after(async () => h?.idp.close());

  test('the first login of an unknown subject maps to the local account with the same e-mail and links it', async () => {
    // seeded users have e-mail <username>@example.test; the IdP says <sub>@example.test
    const r = await h.oidcLogin(h.s.users.auditor.username);
    assert.equal(r.location, '/console');
    const me = await r.client.get('/api/auth/me');
    assert.equal(me.body.user.id, h.s.users.auditor.id);
    assert.equal(me.body.user.identities[0].subject, h.s.users.auditor.username);
    const unknown = await h.oidcLogin('no-such-person');
    assert.equal(unknown.location, '/login?error=CLOUD_AUTH_PENDING');
    assert.equal((await new Client(h.cloud.url).login(ADMIN.username, ADMIN.password)).status, 200);
  });
});
