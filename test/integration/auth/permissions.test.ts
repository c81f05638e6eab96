// Authorization on the server, on both SQL dialects:
//   - a walk over the running app: every registered route declares a permission (or `public`);
//   - every permission boundary: each route is called by a session of each role; a role without the
//     route's permission gets 403 CLOUD_AUTH_FORBIDDEN, a role with it never does; without a session, 401;
//   - row-level filtering: an enterprise user never sees another enterprise's appointments, tasks,
//     declarations, tickets, notices or organisation (lists leave them out, direct reads answer 404);
//   - named boundaries: an inspector cannot manage users, the system administrator cannot read the audit log.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiApp } from '../../../cloud/api/server.js';
import { ROLE_PERMISSIONS, type Role } from '../../../cloud/auth/permissions.js';
import { listRoutes } from '../../../cloud/auth/route-walk.js';
import { suiteSetup } from '../cloud/helpers.js';
import { Client, DIALECTS, dropAfter, seed, startConsoleCloud, type ConsoleCloud, type Seed } from './helpers.js';

const T = Date.now();

for (const dialect of DIALECTS) {
  describe(`permissions on ${dialect}`, () => {
    let cloud: ConsoleCloud;
    let s: Seed;
    let routes: ReturnType<typeof listRoutes>;
    suiteSetup(async () => {
      cloud = await startConsoleCloud(dialect);
      s = await seed(cloud);
      // The same app the server runs, built again for the walk (same context, same console module).
      const app = createApiApp(
        { store: cloud.store, series: cloud.series, gateways: undefined as never, broker: cloud.broker, ingest: cloud.ingest, adminToken: 'x'.repeat(20), startedAt: 0 },
        cloud.logger.forModule('walk'),
        cloud.console,
        { trade: cloud.trade, platform: cloud.platform },
      );
      routes = listRoutes(app);
    });
    dropAfter(() => cloud);

    test('route walk: every registered route declares a permission', () => {
      assert.ok(routes.length > 60, `${routes.length} routes found`);
      const missing = routes.filter((r) => r.access === null).map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(missing, [], 'routes without a declared permission');
      // The web console's SPA fallback (cloud/web/serve.ts) is public and never answers under /api.
      const spa = routes.filter((r) => r.access === 'public' && r.path.startsWith('/^'));
      for (const r of spa) assert.match(r.path, /\(\?!api/, `${r.path} must exclude /api`);
      const pub = routes.filter((r) => r.access === 'public' && !r.path.startsWith('/^')).map((r) => `${r.method} ${r.path}`).sort();
      assert.deepEqual(pub, ['GET /api/auth/config', 'GET /api/auth/oidc/callback', 'GET /api/auth/oidc/start', 'GET /api/health', 'GET /metrics', 'POST /api/auth/login', 'POST /api/enrol'].sort());
      for (const p of ['POST /api/gateways', 'GET /api/gateways/:gw/latest', 'GET /api/dead-letters', 'POST /api/users', 'GET /api/audit', 'POST /api/queue/tickets/:id/call', 'POST /api/trade/stats/query', 'POST /api/trade/load/batch', 'POST /api/trade/risk/rulesets']) {
        assert.ok(routes.some((r) => `${r.method} ${r.path}` === p), `${p} is walked`);
      }
    });

    test('every permission boundary: each role against each route (403 exactly when the role lacks the permission)', async () => {
      const roles: Array<[Role, Client]> = [
        ['sysadmin', s.admin],
        ['command', await s.as('command')],
        ['inspector', await s.as('inspector')],
        ['enterprise', await s.as('entA')],
        ['auditor', await s.as('auditor')],
      ];
      const anon = new Client(cloud.url);
      const problems: string[] = [];
      let checked = 0;
      for (const r of routes) {
        if (r.access === null || r.access === 'public') continue;
        if (r.path === '/api/auth/logout') continue; // would end the sessions used here (covered in login.test.ts)
        const path = r.path.replace(/:gw\b/g, 'no-such-gw').replace(/:window\b/g, '7').replace(/:eid\b|:id\b/g, '999999').replace(/:[A-Za-z]+/g, 'x');
        const call = async (c: Client) => {
          const ctl = new AbortController();
          const res = await c.raw(r.method, path, { ...(r.method === 'GET' ? {} : { body: {} }), signal: ctl.signal });
          const status = res.status;
          const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
          ctl.abort();
          return { status, code: text.startsWith('{') ? (JSON.parse(text) as { error?: { code: string } }).error?.code : undefined };
        };
        const a = await call(anon);
        if (a.status !== 401) problems.push(`anonymous ${r.method} ${path}: ${a.status}`);
        for (const [role, c] of roles) {
          const allowed = ROLE_PERMISSIONS[role].includes(r.access);
          const got = await call(c);
          checked++;
          const forbidden = got.status === 403 && got.code === 'CLOUD_AUTH_FORBIDDEN';
          if (allowed === forbidden) problems.push(`${role} ${r.method} ${path} (${r.access}): ${got.status} ${got.code ?? ''}`);
        }
      }
      assert.deepEqual(problems, []);
      assert.ok(checked > 250, `${checked} role × route checks`);
    });

    test('an inspector must not manage users; the system administrator cannot read the audit log; the auditor can', async () => {
      const insp = await s.as('inspector');
      for (const [m, p, b] of [
        ['POST', '/api/users', { username: 'sneaky', displayName: 'x', roles: ['sysadmin'] }],
        ['PUT', `/api/users/${s.users.inspector.id}/roles`, { roles: ['sysadmin'] }],
        ['POST', `/api/users/${s.users.command.id}/password`, { password: 'Whatever#2026x' }],
        ['GET', '/api/users', undefined],
      ] as const) {
        const r = await insp.req(m, p, b);
        assert.equal(r.status, 403, `${m} ${p}`);
        assert.equal(r.body.error.code, 'CLOUD_AUTH_FORBIDDEN');
      }
      assert.deepEqual((await s.admin.get(`/api/users/${s.users.inspector.id}`)).body.roles, ['inspector'], 'unchanged');
      assert.equal((await s.admin.get('/api/audit')).status, 403);
      assert.equal((await (await s.as('auditor')).get('/api/audit')).status, 200);
      assert.equal((await (await s.as('auditor')).post('/api/users', { username: 'x-aud', displayName: 'x', roles: [] })).status, 403);
      // the admin token (machine clients) still manages gateways, and is not an auditor either
      const tok = await fetch(`${cloud.url}/api/audit`, { headers: { authorization: `Bearer test-admin-token-0123456789` } });
      assert.equal(tok.status, 403);
    });

    test('an enterprise user must not read another enterprise’s data', async () => {
      const a = await s.as('entA');
      const b = await s.as('entB');
      const cmd = await s.as('command');
      // B's data: an appointment (→ decision → task), a quarantine declaration, a queue ticket, a notice
      const apptB = await b.post('/api/appointments', { goods: '冷冻虾 frozen shrimp, 20 t', location: '深圳乙物流 3号冷库', slotStart: T + 86_400_000, slotEnd: T + 90_000_000, contactPhone: '13900000002' });
      assert.equal(apptB.status, 201);
      const decided = await cmd.post(`/api/appointments/${apptB.body.id}/decision`, { decision: 'accept', assigneeId: s.users.inspector.id });
      assert.equal(decided.status, 200);
      const taskB = decided.body.taskId as string;
      const declB = await b.post('/api/quarantine', { vesselName: 'MV Southern Star', imo: '9074729', eta: T + 3_600_000, lastPorts: ['SGSIN'], crewCount: 21, illCrew: 0 });
      assert.equal(declB.status, 201);
      const ticketB = await b.post('/api/queue/tickets', { kind: 'visitor', name: '刘先生' });
      assert.equal(ticketB.status, 201);
      const apptA = await a.post('/api/appointments', { goods: '机电设备 machinery', location: '上海甲贸易 1号仓', slotStart: T + 86_400_000, slotEnd: T + 90_000_000 });
      assert.equal(apptA.status, 201);

      // direct reads: 404, as if it did not exist
      for (const p of [`/api/appointments/${apptB.body.id}`, `/api/tasks/${taskB}`, `/api/quarantine/${declB.body.id}`, `/api/orgs/${s.entB}`]) {
        const r = await a.get(p);
        assert.equal(r.status, 404, p);
      }
      // writes on B's rows: 404 too
      assert.equal((await a.post(`/api/appointments/${apptB.body.id}/cancel`)).status, 404);
      assert.equal((await a.post(`/api/quarantine/${declB.body.id}/ballast`, { tank: 'P1', exchangeClaimed: true, densityKgM3: 1025, temperatureC: 15 })).status, 404);
      // lists: only A's rows
      const lists = {
        appointments: (await a.get('/api/appointments')).body,
        tasks: (await a.get('/api/tasks')).body,
        quarantine: (await a.get('/api/quarantine')).body,
        tickets: (await a.get('/api/queue/tickets')).body,
        orgs: (await a.get('/api/orgs')).body,
        notices: (await a.get('/api/notices')).body,
      };
      for (const [name, rows] of Object.entries(lists) as Array<[string, Array<{ enterpriseId?: string; id?: string }>]>) {
        for (const row of rows) {
          const owner = name === 'orgs' ? row.id : row.enterpriseId;
          assert.equal(owner, s.entA, `${name} leaks ${JSON.stringify(row).slice(0, 120)}`);
        }
      }
      assert.equal(lists.appointments.length, 1);
      assert.equal(lists.orgs.length, 1);
      // B sees its own, including the notice of the decision
      assert.ok((await b.get('/api/tasks')).body.some((t: { id: string }) => t.id === taskB));
      assert.ok((await b.get('/api/notices')).body.some((n: { kind: string }) => n.kind === 'appointment.accepted'));
      assert.equal((await b.get(`/api/tasks/${taskB}`)).status, 200);
      // customs see both
      const all = (await cmd.get('/api/appointments')).body.map((x: { enterpriseId: string }) => x.enterpriseId);
      assert.ok(all.includes(s.entA) && all.includes(s.entB));
      // an enterprise user cannot book for another enterprise: the body cannot name one
      const spoof = await a.post('/api/appointments', { goods: 'x', location: 'y', slotStart: T + 86_400_000, slotEnd: T + 90_000_000, enterpriseId: s.entB });
      assert.equal(spoof.status, 400);
      const ticket = await a.post('/api/queue/tickets', { kind: 'truck', plate: '沪A12345', enterpriseId: s.entB });
      assert.equal(ticket.status, 201);
      assert.equal(ticket.body.enterpriseId, s.entA, 'an enterprise ticket is always its own');
    });
  });
}
