/**
 * Console load benchmark (issue 7): a cloud started as its own process (SQLite store and embedded
 * time-series by default, or `--pg URL`), then N_SSE logged-in users holding the live-update stream
 * (GET /api/events/stream) while N_USERS concurrent users work the main API routes (monitoring, tasks,
 * queue, appointments, quarantine, notices, audit, operations figures; reads and writes in the mix a
 * console produces) for the given time. Each user is a closed loop: request, answer, think, next.
 *
 *   npm run bench:console [-- --seconds 60 --users 50 --sse 200 --think-ms 100 --pg postgres://…]
 *
 * Prints one JSON object: {p95_ms, mean_ms, error_rate, concurrent, sse_clients, requests, cores, …}.
 * Figures only, no assertions (the target is p95 ≤ 300 ms with no errors; the customs office asks for
 * an average ≤ 5 s).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { completeUscc } from '../shared/ids/uscc.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = opt('seconds', 60);
const USERS = opt('users', 50);
const SSE = opt('sse', 200);
const THINK_MS = opt('think-ms', 100);
const pgIdx = args.indexOf('--pg');
const PG_URL = pgIdx >= 0 ? args[pgIdx + 1] : undefined;
const REPO = path.resolve(import.meta.dirname, '..');
const ADMIN_TOKEN = crypto.randomBytes(24).toString('hex');
const ADMIN = { username: 'bench-root', password: 'Bench#Root-2026' };
const PASSWORD = 'Bench#User-2026';

function log(msg: string): void {
  process.stderr.write(`bench:console: ${msg}\n`);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A logged-in session (cookie + CSRF header). */
class Session {
  cookie = '';
  csrf = '';
  userId = '';
  constructor(readonly base: string) {}

  async call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers['cookie'] = this.cookie;
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + p, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    if (setCookies.length) this.cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
    return { status: res.status, body: text && text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.call('POST', '/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrfToken;
    this.userId = r.body.user.id;
  }
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-bench-console-'));
  const port = await freePort();
  const config = {
    version: 1,
    dataDir: dir,
    log: { level: 'warn' },
    api: { host: '127.0.0.1', port },
    admin: { token: ADMIN_TOKEN },
    broker: { mode: 'embedded', host: '127.0.0.1', port: null, tlsPort: 0 },
    ...(PG_URL ? { store: { driver: 'postgres', url: PG_URL, poolSize: 20 } } : {}),
    auth: { bootstrapAdmin: ADMIN, loginRateLimit: { max: 1000, windowSeconds: 60 } },
  };
  fs.writeFileSync(path.join(dir, 'cloud.json'), JSON.stringify(config));
  const out = fs.openSync(path.join(dir, 'cloud.log'), 'a');
  const extra = (process.env['QS_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', path.join(REPO, 'cloud/main.ts'), path.join(dir, 'cloud.json')], { stdio: ['ignore', out, out], cwd: REPO });
  const base = `http://127.0.0.1:${port}`;
  const stopChild = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error(`cloud did not start: ${fs.readFileSync(path.join(dir, 'cloud.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`cloud up on ${base} (${PG_URL ? 'postgres' : 'sqlite'}); seeding`);

    // ── seed: organisations, users, a gateway, a queue window, cameras, some work ──
    const admin = new Session(base);
    await admin.login(ADMIN.username, ADMIN.password);
    const customs = (await admin.call('POST', '/api/orgs', { kind: 'customs', name: '洋山海关' })).body.id as string;
    const ents: string[] = [];
    for (let i = 0; i < 5; i++) ents.push((await admin.call('POST', '/api/orgs', { kind: 'enterprise', name: `企业${i}`, uscc: completeUscc(`91310115MA1K4BC${String(i).padStart(2, '0')}`) })).body.id as string);
    const roleOf = (i: number): { role: string; org: string } => {
      const k = i % 10;
      if (k < 4) return { role: 'command', org: customs };
      if (k < 7) return { role: 'inspector', org: customs };
      if (k < 9) return { role: 'enterprise', org: ents[i % ents.length]! };
      return { role: 'auditor', org: customs };
    };
    const total = USERS + SSE;
    const people = Array.from({ length: total }, (_, i) => ({ i, username: `bench-u${i}`, ...roleOf(i) }));
    await pool(people, 6, async (p) => {
      const r = await admin.call('POST', '/api/users', { username: p.username, displayName: `用户${p.i}`, password: PASSWORD, roles: [p.role], orgId: p.org });
      if (r.status !== 201) throw new Error(`create ${p.username}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    await fetch(`${base}/api/gateways`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'quay-1', name: '1号码头' }) });
    await admin.call('PUT', '/api/queue/windows/1', { gw: 'quay-1', terminal: 'qt-1', led: 'led-1' });
    for (let c = 0; c < 6; c++) await admin.call('PUT', `/api/patrol/cameras/cam-${c}`, { name: `摄像头${c}`, gw: 'quay-1', device: `cam-${c}` });

    const sessions: Array<{ s: Session; role: string }> = people.map((p) => ({ s: new Session(base), role: p.role }));
    await pool(people, 6, async (p) => sessions[p.i]!.s.login(p.username, PASSWORD));
    const cmd = sessions.find((x) => x.role === 'command')!.s;
    const inspectors = sessions.filter((x) => x.role === 'inspector');
    for (let t = 0; t < 30; t++) {
      await cmd.call('POST', '/api/tasks', { title: `查验任务 ${t}`, checklist: ['核对', '拍照'], priority: t % 3 === 0, deadlineAt: Date.now() + 3_600_000, assigneeId: inspectors[t % inspectors.length]!.s.userId });
    }
    log(`${total} users logged in; opening ${SSE} event streams`);

    // ── SSE clients ──
    const sseCtl = new AbortController();
    let sseEvents = 0;
    let sseOpen = 0;
    const sseUsers = sessions.slice(USERS);
    const streams = sseUsers.map(async ({ s }) => {
      const res = await fetch(`${base}/api/events/stream`, { headers: { cookie: s.cookie }, signal: sseCtl.signal });
      if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`);
      sseOpen++;
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const text = Buffer.from(chunk).toString('utf8');
          sseEvents += (text.match(/^event: /gm) ?? []).length;
        }
      } catch {
        /* aborted */
      }
      sseOpen--;
    });
    for (let i = 0; i < 100 && sseOpen < sseUsers.length; i++) await new Promise((r) => setTimeout(r, 50));

    // ── the working users ──
    const lat: number[] = [];
    const byRoute = new Map<string, number[]>();
    let errors = 0;
    const errorSamples: string[] = [];
    const until = Date.now() + SECONDS * 1000;
    const workers = sessions.slice(0, USERS).map(async ({ s, role }, w) => {
      let n = 0;
      const rnd = () => crypto.randomInt(1_000_000) / 1_000_000;
      const plan = (): [string, string, string, unknown?] => {
        const x = rnd();
        n++;
        switch (role) {
          case 'command':
            if (x < 0.12) return ['GET', '/api/tasks?limit=50', 'tasks.list'];
            if (x < 0.24) return ['GET', '/api/monitor/alarms', 'alarms.list'];
            if (x < 0.34) return ['GET', '/api/monitor/gateways', 'gateways'];
            if (x < 0.46) return ['GET', '/api/queue/tickets', 'queue.list'];
            if (x < 0.54) return ['POST', '/api/queue/tickets', 'queue.ticket', { kind: 'truck', plate: `沪D${w}${n}` }];
            if (x < 0.58) return ['POST', '/api/tasks', 'tasks.create', { title: `bench ${w}-${n}`, checklist: ['a'] }];
            if (x < 0.66) return ['GET', '/api/appointments', 'appointments.list'];
            if (x < 0.74) return ['GET', '/api/quarantine', 'quarantine.list'];
            if (x < 0.80) return ['GET', '/api/ops/figures', 'ops.figures'];
            if (x < 0.90) return ['GET', '/api/notices', 'notices'];
            return ['GET', '/api/auth/me', 'me'];
          case 'inspector':
            if (x < 0.3) return ['GET', '/api/tasks?assignee=me', 'tasks.mine'];
            if (x < 0.5) return ['GET', '/api/monitor/alarms', 'alarms.list'];
            if (x < 0.65) return ['GET', '/api/monitor/gateways/quay-1/devices', 'devices'];
            if (x < 0.8) return ['GET', '/api/quarantine', 'quarantine.list'];
            if (x < 0.9) return ['GET', '/api/queue/tickets?status=waiting', 'queue.waiting'];
            return ['GET', '/api/auth/me', 'me'];
          case 'enterprise':
            if (x < 0.3) return ['GET', '/api/appointments', 'appointments.list'];
            if (x < 0.4) {
              const t0 = Date.now() + 86_400_000;
              return ['POST', '/api/appointments', 'appointments.book', { goods: `货物 ${w}-${n}`, location: '仓库', slotStart: t0, slotEnd: t0 + 3_600_000 }];
            }
            if (x < 0.6) return ['GET', '/api/notices', 'notices'];
            if (x < 0.8) return ['GET', '/api/tasks', 'tasks.list'];
            return ['GET', '/api/queue/tickets', 'queue.list'];
          default:
            if (x < 0.4) return ['GET', '/api/audit?limit=50', 'audit.list'];
            if (x < 0.7) return ['GET', '/api/ops/figures', 'ops.figures'];
            return ['GET', '/api/patrol/log', 'patrol.log'];
        }
      };
      while (Date.now() < until) {
        const [method, p, name, body] = plan();
        const t = performance.now();
        let status = 0;
        try {
          status = (await s.call(method, p, body)).status;
        } catch (e) {
          status = -1;
          if (errorSamples.length < 5) errorSamples.push(`${name}: ${(e as Error).message}`);
        }
        const ms = performance.now() - t;
        lat.push(ms);
        (byRoute.get(name) ?? byRoute.set(name, []).get(name)!).push(ms);
        if (status < 200 || status >= 400) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${name}: HTTP ${status}`);
        }
        if (THINK_MS > 0) await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + rnd())));
      }
    });
    log(`${USERS} users working for ${SECONDS} s with ${sseOpen} streams open`);
    const loadBefore = os.loadavg()[0]!;
    await Promise.all(workers);
    const loadAfter = os.loadavg()[0]!;
    const sseAtEnd = sseOpen;
    sseCtl.abort();
    await Promise.allSettled(streams);

    lat.sort((a, b) => a - b);
    const r1 = (v: number) => Math.round(v * 10) / 10;
    const perRoute: Record<string, { n: number; p95_ms: number; mean_ms: number }> = {};
    for (const [k, v] of [...byRoute].sort()) {
      v.sort((a, b) => a - b);
      perRoute[k] = { n: v.length, p95_ms: r1(pct(v, 95)), mean_ms: r1(v.reduce((a, b) => a + b, 0) / v.length) };
    }
    const result = {
      p95_ms: r1(pct(lat, 95)),
      mean_ms: r1(lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)),
      p50_ms: r1(pct(lat, 50)),
      p99_ms: r1(pct(lat, 99)),
      max_ms: r1(lat[lat.length - 1] ?? 0),
      error_rate: lat.length ? errors / lat.length : 0,
      concurrent: USERS,
      sse_clients: sseAtEnd,
      sse_events_received: sseEvents,
      requests: lat.length,
      rps: r1(lat.length / SECONDS),
      seconds: SECONDS,
      think_ms: THINK_MS,
      store: PG_URL ? 'postgres' : 'sqlite',
      cores: os.cpus().length,
      // The machine's 1-minute load average around the run: other work on it shows up in the figures.
      load_avg_1m: [Math.round(loadBefore * 100) / 100, Math.round(loadAfter * 100) / 100],
      node: process.version,
      per_route: perRoute,
      ...(errorSamples.length ? { error_samples: errorSamples } : {}),
    };
    console.log(JSON.stringify(result));
  } finally {
    await stopChild();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
