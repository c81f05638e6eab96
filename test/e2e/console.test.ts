/**
 * The cloud console end to end, in headless Chromium (playwright-core driving Debian's /usr/bin/chromium)
 * against a real cloud started in-process (SQLite + embedded series, embedded broker) with the console
 * built as `npm run build:console` builds it, a test gateway on MQTT, and a real OpenID provider
 * (oidc-provider) as the customs identity provider:
 *   log in locally (Chinese), switch to English and back, the dashboard, a gateway's live values and
 *   history chart; an inspector completes a priority task with a photo and a note; an enterprise user
 *   books a local inspection; a queue call reaches the test gateway as a downlink command and its answer
 *   shows in the console; the auditor verifies the audit chain, then a tampered row is detected; a
 *   customs officer logs in through the identity provider. Screenshots: .tmp/screenshots/console-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { completeUscc } from '../../shared/ids/uscc.js';
import { topics } from '../../shared/contracts/topics.js';
import { REPO, startTestCloud, waitFor, type TestCloud } from '../integration/cloud/helpers.js';
import { TestGateway } from '../integration/cloud/publisher.js';

const SHOTS = path.join(REPO, '.tmp/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'Quay-Root-Passw0rd!' };
const PASSWORD = 'Quay-Side-2024!';
const USERS = {
  command: { username: 'zhang.san', displayName: '张三', roles: ['command'], email: 'zhang.san@customs.example' },
  inspector: { username: 'li.si', displayName: '李四', roles: ['inspector'], email: 'li.si@customs.example' },
  enterprise: { username: 'wang.wu', displayName: '王五', roles: ['enterprise'], email: 'wang.wu@coldchain.example' },
  auditor: { username: 'zhao.liu', displayName: '赵六', roles: ['auditor'], email: 'zhao.liu@customs.example' },
} as const;
const ENTERPRISE_NAME = '上海洋山冷链物流有限公司';
const OIDC_CLIENT = { id: 'quayside-console', secret: 'console-client-secret-0123456789' };

let cloud: TestCloud;
let gw: TestGateway;
let browser: Browser;
let idp: { issuer: string; close(): Promise<void> };
const ids: Record<string, string> = {};
const contexts: BrowserContext[] = [];

/** A free loopback port: the cloud's URL must be known before it starts (the IdP redirects to it). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The little of oidc-provider's API used here (the package ships no type declarations). */
interface OidcProviderCtor {
  new (issuer: string, config: Record<string, unknown>): { callback(): http.RequestListener };
}

/** The customs identity provider: oidc-provider with its development login and consent pages. */
async function startIdp(redirectUri: string): Promise<{ issuer: string; close(): Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const moduleName: string = 'oidc-provider';
  const Provider = ((await import(moduleName)) as { default: OidcProviderCtor }).default;
  const provider = new Provider(issuer, {
    clients: [{ client_id: OIDC_CLIENT.id, client_secret: OIDC_CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['idp-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, claims: () => ({ sub, email: `${sub}@customs.example`, email_verified: true, name: sub }) };
    },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    issuer,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const FFMPEG = '/usr/bin/ffmpeg';

/** A short test pattern as HLS (what ffmpeg makes of a camera's RTSP), served over HTTP like a media server would. */
async function startHls(): Promise<{ url: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(REPO, '.tmp/console-e2e/hls-'));
  await promisify(execFile)(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-hls_segment_filename', path.join(dir, 'seg_%03d.ts'), path.join(dir, 'index.m3u8')]);
  const types: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' });
    fs.createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/index.m3u8`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
        fs.rmSync(dir, { recursive: true, force: true });
      }),
  };
}

/** An API client logged in as one user: session cookie, CSRF header on writes. */
class ApiSession {
  private constructor(
    private readonly base: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async login(base: string, username: string, password: string): Promise<ApiSession> {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    return new ApiSession(base, cookie, body.csrfToken);
  }

  async call<T = any>(method: string, pathname: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${pathname}`, {
      method,
      headers: { cookie: this.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

async function admin<T = any>(pathname: string, body?: unknown, method?: string): Promise<T> {
  const r = await cloud.admin(pathname, { ...(body !== undefined ? { body } : {}), ...(method ? { method } : {}) });
  if (r.status >= 300) throw new Error(`${method ?? (body ? 'POST' : 'GET')} ${pathname}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

async function newPage(viewport = { width: 1366, height: 860 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  // Generous: CI machines are small and busy; a wait only lasts as long as the page needs.
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  return page;
}

/** Runs a test's steps; on failure the page is kept as console-FAILED-<name>.png to look at. */
async function guarded(page: Page, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await page.screenshot({ path: path.join(SHOTS, `console-FAILED-${name}.png`), fullPage: true }).catch(() => undefined);
    throw e;
  }
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  // Toasts gone (they would cover the page), charts done with their entry animation.
  await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), fullPage });
}

async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${cloud.url}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** The OK button of the antd modal that is open now. */
function modalOk(page: Page) {
  return page.locator('.ant-modal-wrap:visible .ant-modal-footer .ant-btn-primary');
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(path.join(REPO, '.tmp/console-e2e'), { recursive: true });
  // The console as `npm run build:console` builds it, into a folder of this run's own (a build running
  // beside it, e.g. `npm run build:console`, would otherwise swap the hashed chunks under the browser).
  const dist = path.join(REPO, '.tmp/console-e2e', `dist-${process.pid}`);
  await promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'cloud/web/vite.config.ts', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO });
  process.env['QS_CONSOLE_DIST'] = dist;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startIdp(`${base}/api/auth/oidc/callback`);
  cloud = await startTestCloud({
    log: { level: 'warn' },
    api: { host: '127.0.0.1', port },
    auth: {
      bootstrapAdmin: ADMIN,
      password: { minLength: 10, minClasses: 3, scrypt: { N: 1024, r: 8, p: 1 } },
      oidc: { issuer: idp.issuer, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret, redirectUri: `${base}/api/auth/oidc/callback`, unknownSubject: 'email', allowHttp: true },
    },
    supervision: { pollMs: 200 },
  });

  // Organisations and people (the admin token acts as a system administrator).
  const ent = await admin<{ id: string }>('/api/orgs', { kind: 'enterprise', name: ENTERPRISE_NAME, uscc: completeUscc('91310115MA1K4QWE5') });
  ids['enterprise'] = ent.id;
  for (const [key, u] of Object.entries(USERS)) {
    const created = await admin<{ id: string }>('/api/users', { ...u, roles: [...u.roles], password: PASSWORD, ...(key === 'enterprise' ? { orgId: ent.id } : {}) });
    ids[key] = created.id;
  }

  // A gateway at the quay: online, with readings of a density meter and a draft gauge, and an alarm.
  gw = await TestGateway.enrol(cloud.url, 'gw-berth-3');
  await gw.connect({ version: '1.4.0' });
  const now = Date.now();
  const readings = [];
  for (let i = 0; i < 60; i++) {
    const ts = now - (59 - i) * 60_000;
    readings.push({ device: 'density-1', point: 'density', ts, value: 1.0205 + Math.sin(i / 8) * 0.002, unit: 'g/cm3', quality: 'good' as const });
    readings.push({ device: 'draft-fwd', point: 'draft', ts, value: 9.42 + i * 0.004, unit: 'm', quality: 'good' as const });
  }
  readings.push({ device: 'queue-1', point: 'serving', ts: now, value: 0, unit: '', quality: 'good' as const });
  await gw.waitCommitted([await gw.publish(gw.envelope('telemetry', readings))]);
  await gw.waitCommitted([
    await gw.publish(gw.envelope('event', [{ id: 'alarm-1', ts: now - 120_000, device: 'density-1', kind: 'alarm', value: '海水密度超出预期范围', attrs: { point: 'density', severity: 'warning', action: 'raised' } }])),
  ]);

  // Command staff: a queue window on that gateway, a priority task for the inspector, a waiting truck.
  const command = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
  await command.call('PUT', '/api/queue/windows/1', { gw: 'gw-berth-3', terminal: 'queue-1', led: 'led-1', label: '1 号查验窗口' });
  const task = await command.call<{ id: string }>('POST', '/api/tasks', {
    title: '3 号泊位 进口冷冻肉 查验',
    checklist: ['核对集装箱号与铅封', '测量箱内温度', '拍照取证'],
    priority: true,
    deadlineAt: now + 2 * 3600_000,
    assigneeId: ids['inspector'],
  });
  ids['task'] = task.id;
  const ticket = await command.call<{ number: string }>('POST', '/api/queue/tickets', { kind: 'truck', plate: '沪A12345', enterpriseId: ent.id });
  ids['ticket'] = ticket.number;

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await gw?.close();
  await cloud?.stop();
  await idp?.close();
  if (process.env['QS_CONSOLE_DIST']?.includes(`dist-${process.pid}`)) fs.rmSync(process.env['QS_CONSOLE_DIST'], { recursive: true, force: true });
});

test('log in locally in Chinese, switch to English and back; dashboard and a gateway history chart', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'login', async () => {
    await page.goto(`${cloud.url}/gateways`);
    await page.waitForURL(/\/login/);
    await page.getByText('统一身份认证登录').waitFor();
    await shot(page, 'login');

    // A wrong password first: the message, then the right one.
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor();
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    // Back where the user wanted to go.
    await page.getByTestId('page-title').getByText('网关与设备').waitFor();

    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('page-title').getByText('业务运行监控').waitFor();
    await page.getByTestId('fig-users-customs').getByText('4', { exact: true }).waitFor(); // admin, command, inspector, auditor
    await page.getByTestId('live-state').and(page.locator('[data-state="open"]')).waitFor();
    await shot(page, 'dashboard');

    await page.getByTestId('lang-switch').getByText('EN').click();
    await page.getByTestId('page-title').getByText('Operations').waitFor();
    await page.getByText('Priority inspection on time').first().waitFor();
    await shot(page, 'dashboard-en');
    await page.getByTestId('lang-switch').getByText('中文').click();
    await page.getByTestId('page-title').getByText('业务运行监控').waitFor();

    await page.getByTestId('nav-gateways').click();
    // A new gateway for gate 2: its one-time enrolment token is shown once.
    await page.getByTestId('gw-create').click();
    await page.getByTestId('gw-create-id').fill('gw-gate-2');
    await page.getByTestId('gw-create-ok').click();
    const token = await page.getByTestId('enrol-token').textContent();
    assert.match(token ?? '', /^\S{20,}$/);
    await shot(page, 'gateways-token');
    await modalOk(page).click();
    await page.getByText('待注册').waitFor();

    await page.getByText('gw-berth-3', { exact: true }).click();
    await page.getByTestId('point-density-1-density').click();
    await page.getByTestId('history-chart').locator('canvas').waitFor();
    await shot(page, 'gateway');

    // The tablet: the menu folds to icons and the panels stack.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('nav-command').click();
    await page.getByTestId('quay-plan').locator('[data-testid="marker-gw-berth-3-density-1"]').waitFor();
    await shot(page, 'command-tablet');
  });
});

test('an inspector completes a priority task with evidence', { timeout: 60_000 }, async () => {
  const page = await newPage({ width: 1180, height: 820 });
  await guarded(page, 'task', async () => {
    await login(page, USERS.inspector.username);
    await page.getByTestId('nav-tasks').click();
    await page.getByTestId('priority-card').waitFor();
    await page.getByTestId(`task-link-${ids['task']}`).click();
    await page.getByTestId('task-start').click();
    await page.getByTestId('task-complete').waitFor();

    const checks = page.locator('.qs-check input[type="checkbox"]');
    await checks.first().waitFor();
    assert.equal(await checks.count(), 3);
    for (let i = 0; i < 3; i++) {
      await checks.nth(i).click();
      // Ticked on the server: the reloaded task shows it.
      await page.locator('.qs-check.ant-checkbox-wrapper-checked').nth(i).waitFor();
    }

    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40, g: 90, b: 150 } } })
      .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect x="60" y="60" width="200" height="120" fill="#ffd666"/><text x="160" y="130" font-size="28" text-anchor="middle">SEAL 0042</text></svg>'), top: 0, left: 0 }])
      .png()
      .toBuffer();
    await page.locator('input[type="file"]').setInputFiles({ name: 'seal-0042.png', mimeType: 'image/png', buffer: photo });
    await page.getByTestId('evidence-photo').waitFor();

    await page.getByTestId('evidence-kind').getByText('文字记录').click();
    await page.getByTestId('evidence-note').fill('铅封完好，箱内温度 -18.2 °C，符合要求');
    await page.getByTestId('evidence-add').click();
    await page.getByTestId('evidence-item').nth(1).waitFor();
    await shot(page, 'task');

    await page.getByTestId('task-complete').click();
    await page.getByTestId('task-result-note').fill('查验合格，予以放行');
    await modalOk(page).click();
    await page.getByTestId('task-result').getByText('合格').waitFor();
    await shot(page, 'task-done');
    await page.setViewportSize({ width: 820, height: 1180 }); // the same tablet, upright
    await shot(page, 'task-tablet-portrait');

    const inspector = await ApiSession.login(cloud.url, USERS.inspector.username, PASSWORD);
    const task = await inspector.call<{ status: string; result: string; onTime: boolean; evidence: Array<{ kind: string; sm3: string | null }> }>('GET', `/api/tasks/${ids['task']}`);
    assert.equal(task.status, 'done');
    assert.equal(task.result, 'pass');
    assert.equal(task.onTime, true);
    assert.deepEqual(task.evidence.map((e) => e.kind).sort(), ['note', 'photo']);
    assert.match(task.evidence.find((e) => e.kind === 'photo')!.sm3 ?? '', /^[0-9a-f]{64}$/);
  });
});

test('an enterprise user books a local inspection', { timeout: 45_000 }, async () => {
  const page = await newPage({ width: 1180, height: 820 });
  await guarded(page, 'appointment', async () => {
    await login(page, USERS.enterprise.username);
    await page.getByTestId('page-title').getByText('属地查检预约').waitFor();
    // Nothing of customs' own work in the enterprise's menu.
    assert.equal(await page.getByTestId('nav-gateways').count(), 0);
    assert.equal(await page.getByTestId('nav-audit').count(), 0);

    await page.getByTestId('appt-book').click();
    await page.getByTestId('appt-goods').fill('进口冷冻牛肉 2 个 40 尺冷藏箱');
    await page.getByTestId('appt-location').fill('上海市浦东新区洋山冷链仓库 3 号库');
    const day = new Date(Date.now() + 2 * 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 10); // the day after tomorrow, port time
    const inputs = page.locator('.qs-appt-slot input');
    await inputs.nth(0).click();
    await inputs.nth(0).fill(`${day} 09:00`);
    await inputs.nth(0).press('Enter');
    await inputs.nth(1).fill(`${day} 11:00`);
    await inputs.nth(1).press('Enter');
    await page.getByTestId('appt-phone').fill('021-68880000');
    await page.getByTestId('appt-submit').click();
    await page.getByTestId('appt-row-goods').getByText('进口冷冻牛肉 2 个 40 尺冷藏箱').waitFor();
    await shot(page, 'appointment');

    const command = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
    const list = await command.call<Array<{ goods: string; status: string; enterpriseName: string; slotStart: number; slotEnd: number }>>('GET', '/api/appointments');
    const a = list.find((x) => x.goods.startsWith('进口冷冻牛肉'));
    assert.ok(a, 'the booking reached the server');
    assert.equal(a.status, 'requested');
    assert.equal(a.enterpriseName, ENTERPRISE_NAME);
    assert.equal(a.slotEnd - a.slotStart, 2 * 3600_000);
  });
});

test('a queue call goes down to the gateway and its answer shows in the console', { timeout: 45_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'queue', async () => {
    await login(page, USERS.command.username);
    await page.getByTestId('nav-queue').click();
    await page.getByTestId(`call-${ids['ticket']}`).click();
    await page.getByTestId('call-confirm').click();

    // The test gateway receives the command on its downlink…
    const cmd = await waitFor('the queue.call command at the gateway', () => gw.commands.find((c) => (c as { op?: string }).op === 'queue.call') as { id: string; target: string; args: Record<string, unknown> } | undefined, 10_000);
    assert.equal(cmd.target, 'queue-1');
    assert.equal(cmd.args['ticket'], ids['ticket']);
    assert.equal(cmd.args['window'], 1);
    assert.equal(cmd.args['led'], 'led-1');
    await page.getByTestId('command-status').and(page.locator('[data-status="pending"]')).first().waitFor();

    // …and answers it; the console shows the answer without a reload.
    await gw.publishRaw(topics.up(gw.gw, 'ack'), JSON.stringify({ id: cmd.id, status: 'done', detail: 'queue-1 和 led-1 已显示', ts: Date.now() }));
    await page.getByTestId('command-status').and(page.locator('[data-status="done"]')).first().waitFor({ timeout: 10_000 });
    await shot(page, 'queue');
  });
});

test('command staff acknowledge an alarm with a comment and accept the booking', { timeout: 45_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'alarm', async () => {
    await login(page, USERS.command.username);
    await page.getByTestId('nav-alarms').click();
    await page.getByTestId('ack-alarm-1').click();
    await page.getByTestId('ack-comment').fill('已通知码头复核密度计：潮汐咸淡水交汇所致');
    await modalOk(page).click();
    await page.getByTestId('ack-alarm-1').waitFor({ state: 'detached' }); // gone from the open alarms
    await page.getByText('已确认', { exact: true }).click();
    await page.getByText('已通知码头复核密度计：潮汐咸淡水交汇所致').waitFor();
    await shot(page, 'alarms');

    const command = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
    const [booking] = await command.call<Array<{ id: string }>>('GET', '/api/appointments?status=requested');
    assert.ok(booking);
    await page.getByTestId('nav-appointments').click();
    await page.getByTestId(`appt-decide-${booking.id}`).click();
    await page.getByTestId('appt-assignee').fill(ids['inspector']!);
    await page.getByTestId('appt-decision-note').fill('同意预约，届时请备齐装箱单');
    await modalOk(page).click();
    await page.getByText('已接受', { exact: true }).waitFor();
    await page.getByText('查看任务').waitFor();
    await shot(page, 'appointments-decided');
    const after = await command.call<{ status: string; taskId: string | null }>('GET', `/api/appointments/${booking.id}`);
    assert.equal(after.status, 'accepted');
    assert.ok(after.taskId, 'acceptance created the local inspection task');
  });
});

test('ship health quarantine: the decision, and a ballast report whose salinity contradicts the exchange', { timeout: 45_000 }, async () => {
  const enterprise = await ApiSession.login(cloud.url, USERS.enterprise.username, PASSWORD);
  const decl = await enterprise.call<{ id: string; suggestion: { decision: string } }>('POST', '/api/quarantine', {
    vesselName: 'EVER GIVEN',
    imo: '9811000',
    voyage: '0263E',
    eta: Date.now() + 6 * 3600_000,
    lastPorts: ['SGSIN', 'LKCMB'],
    crewCount: 22,
    illCrew: 1,
    illDetails: '一名船员发热 38.2 °C',
  });
  assert.equal(decl.suggestion.decision, 'boarding');
  const page = await newPage();
  await guarded(page, 'quarantine', async () => {
    await login(page, USERS.inspector.username);
    await page.getByTestId('nav-quarantine').click();
    await page.getByRole('link', { name: 'EVER GIVEN' }).click();
    await page.getByTestId('q-decide').click();
    await page.getByText('检疫方式已确定').waitFor();
    await page.getByTestId('ballast-add').click();
    await page.getByTestId('ballast-tank').fill('WBT 3P');
    await page.getByTestId('ballast-density').fill('1005.2');
    await modalOk(page).click();
    await page.getByTestId('ballast-flag-alert').waitFor();
    await page.getByTestId('ballast-flag').waitFor();
    await shot(page, 'quarantine');
    const d = await enterprise.call<{ decision: string; taskId: string | null; ballast: Array<{ flag: boolean; salinityPsu: number }> }>('GET', `/api/quarantine/${decl.id}`);
    assert.equal(d.decision, 'boarding');
    assert.ok(d.taskId, 'boarding created a quarantine task');
    assert.equal(d.ballast[0]?.flag, true);
    assert.ok(d.ballast[0]!.salinityPsu < 30);
  });
});

test('video patrol: a camera plays its HLS stream and the viewing is logged', { timeout: 60_000 }, async () => {
  assert.ok(fs.existsSync(FFMPEG), `${FFMPEG} is needed to make the test stream (apt-get install ffmpeg)`);
  const hls = await startHls();
  try {
    await admin('/api/patrol/cameras/cam-gate-1', { name: '1 号卡口 全景', gw: 'gw-berth-3', device: 'cam-gate-1', hlsUrl: hls.url }, 'PUT');
    await admin('/api/patrol/cameras/cam-berth-3', { name: '3 号泊位 水尺', gw: 'gw-berth-3', device: 'cam-berth-3' }, 'PUT');
    const page = await newPage();
    await guarded(page, 'video', async () => {
      await login(page, USERS.command.username);
      await page.getByTestId('nav-video').click();
      await page.getByTestId('camera-cam-gate-1').click();
      await page.getByText('播放中（已记录巡查）').waitFor({ timeout: 20_000 });
      await page.getByText('巡查中').waitFor(); // the log shows the open session
      await shot(page, 'video');
      await page.getByTestId('camera-cam-berth-3').click(); // switching ends the session
      await page.getByText('该摄像机尚未配置视频流').waitFor();
      const command = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
      const log = await waitFor('the ended patrol session', async () => {
        const l = await command.call<{ entries: Array<{ camera: string; userName: string; endedAt: number | null }>; usage: { watched: number; cameras: number } }>('GET', '/api/patrol/log');
        return l.entries.some((e) => e.camera === 'cam-gate-1' && e.endedAt !== null) ? l : null;
      });
      assert.equal(log.usage.cameras, 2);
      assert.equal(log.usage.watched, 1);
    });
  } finally {
    await hls.close();
  }
});

test('the system administrator manages users and roles', { timeout: 30_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'users', async () => {
    await login(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('nav-users').click();
    await page.getByText('李四').waitFor();
    await shot(page, 'users');
    // A USCC with a wrong check character is refused in the form, before the server is asked.
    await page.getByRole('tab', { name: '单位' }).click();
    await page.getByRole('button', { name: '新增单位' }).click();
    await page.getByTestId('org-name').fill('上海某某贸易有限公司');
    const good = completeUscc('91310000MA1FL8TQ3');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    await page.getByTestId('org-uscc').fill(bad);
    await modalOk(page).click();
    await page.getByText('统一社会信用代码校验位不正确').waitFor();
  });
});

test('the auditor verifies the audit chain, then a tampered row is detected', { timeout: 45_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'audit', async () => {
    await login(page, USERS.auditor.username);
    await page.getByTestId('nav-audit').click();
    await page.getByText('auth.login.ok').first().waitFor();
    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await result.and(page.locator('[data-ok="true"]')).waitFor();
    await result.getByText(/审计链完整/).waitFor();
    await shot(page, 'audit');

    await sql`UPDATE audit_log SET detail = ${'{"tampered":true}'} WHERE seq = 3`.execute(cloud.store.db);
    await page.getByTestId('audit-verify').click();
    await result.and(page.locator('[data-ok="false"]')).waitFor();
    await result.getByText(/第 3 条/).waitFor();
    await shot(page, 'audit-broken', false);
  });
});

test('a customs officer logs in through the customs identity provider (OIDC)', { timeout: 45_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'oidc', async () => {
    await page.goto(`${cloud.url}/login`);
    await page.getByTestId('login-oidc').click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(USERS.command.username);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.waitForURL((u) => u.origin === cloud.url);
    await page.getByTestId('user-menu').getByText(USERS.command.displayName).waitFor();
    const me = (await (await page.request.get(`${cloud.url}/api/auth/me`)).json()) as { user: { username: string; identities: Array<{ issuer: string; subject: string }> } };
    assert.equal(me.user.username, USERS.command.username);
    assert.deepEqual(
      me.user.identities.map((i) => [i.issuer.replace(/\/$/, ''), i.subject]),
      [[idp.issuer, USERS.command.username]],
    );
    await shot(page, 'oidc');
  });
});
