/**
 * What the console's browser tests share: the console built into the run's own folder, a cloud with a
 * bootstrap administrator and two staff users, an API client that logs in like the browser (session
 * cookie, CSRF header on writes), and headless Chromium (playwright-core driving Debian's chromium)
 * with pages, log-in, screenshots under .tmp/screenshots/<prefix>-*.png, and a screenshot on failure.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO, startTestCloud, type TestCloud } from '../integration/cloud/helpers.js';

export const SHOTS = path.join(REPO, '.tmp/screenshots');
export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN = { username: 'admin', password: 'Quay-Root-Passw0rd!' };
export const PASSWORD = 'Quay-Side-2024!';
export const USERS = {
  command: { username: 'zhang.san', displayName: '张三', roles: ['command'] },
  auditor: { username: 'zhao.liu', displayName: '赵六', roles: ['auditor'] },
} as const;

/**
 * Starts building the console as `npm run build:console` does, into this run's own folder; the cloud
 * serves it once `ready` has resolved (QS_CONSOLE_DIST is set then). `remove()` deletes the folder.
 */
export function buildConsole(tag: string): { ready: Promise<void>; remove(): void } {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dist = path.join(REPO, '.tmp/console-e2e', `${tag}-dist-${process.pid}`);
  fs.mkdirSync(path.dirname(dist), { recursive: true });
  const vite = path.join(REPO, 'node_modules/vite/bin/vite.js');
  const ready = promisify(execFile)(process.execPath, [vite, 'build', '--config', 'cloud/web/vite.config.ts', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO }).then(() => {
    process.env['QS_CONSOLE_DIST'] = dist;
  });
  return { ready, remove: () => fs.rmSync(dist, { recursive: true, force: true }) };
}

/** A cloud with the bootstrap administrator (scrypt cost lowered for quick log-ins) and USERS created. */
export async function startConsoleTestCloud(): Promise<TestCloud> {
  const cloud = await startTestCloud({
    log: { level: 'warn' },
    auth: { bootstrapAdmin: ADMIN, password: { minLength: 10, minClasses: 3, scrypt: { N: 1024, r: 8, p: 1 } } },
  });
  for (const u of Object.values(USERS)) {
    const r = await cloud.admin('/api/users', { body: { ...u, roles: [...u.roles], password: PASSWORD } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  return cloud;
}

/** An API client logged in as one user: session cookie, CSRF header on writes. */
export class ApiSession {
  private constructor(
    private readonly base: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async login(base: string, username: string, password: string): Promise<ApiSession> {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    return new ApiSession(base, res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; '), body.csrfToken);
  }

  async call<T = any>(method: string, pathname: string, body?: unknown): Promise<T> {
    const r = await this.send(method, pathname, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${pathname}: HTTP ${r.status} ${r.text}`);
    return (r.text ? JSON.parse(r.text) : undefined) as T;
  }

  /** A request whatever its answer: the status and the body (parsed when JSON). */
  async send<T = any>(method: string, pathname: string, body?: unknown): Promise<{ status: number; text: string; body: T }> {
    const res = await fetch(`${this.base}${pathname}`, {
      method,
      headers: { cookie: this.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, text, body: parsed as T };
  }
}

/** Headless Chromium for one test file: its screenshots are named `<prefix>-<name>.png`. */
export class ConsoleBrowser {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly base: string,
    private readonly prefix: string,
  ) {}

  static async launch(base: string, prefix: string): Promise<ConsoleBrowser> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    return new ConsoleBrowser(browser, base, prefix);
  }

  async newPage(): Promise<Page> {
    const ctx = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', acceptDownloads: true });
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    return page;
  }

  /** Runs a test's steps on a page; on failure, a full-page screenshot `<prefix>-FAILED-<name>.png`. */
  async guarded(page: Page, name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      await page.screenshot({ path: path.join(SHOTS, `${this.prefix}-FAILED-${name}.png`), fullPage: true }).catch(() => undefined);
      throw e;
    }
  }

  async shot(page: Page, name: string): Promise<void> {
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
    await page.screenshot({ path: path.join(SHOTS, `${this.prefix}-${name}.png`), fullPage: true });
  }

  /**
   * Closes the open drawer and waits until its mask is gone, so the next click reaches the page. On a
   * busy machine a close clicked while the drawer was still opening can be lost: it is clicked again.
   */
  async closeDrawer(page: Page): Promise<void> {
    const mask = page.locator('.ant-drawer-mask:visible');
    for (let attempt = 1; ; attempt++) {
      await page.locator('.ant-drawer-close:visible').first().click();
      try {
        await mask.first().waitFor({ state: 'detached', timeout: 5000 });
        return;
      } catch (e) {
        if (attempt >= 3 || (await page.locator('.ant-drawer-close:visible').count()) === 0) throw e;
      }
    }
  }

  async login(page: Page, username: string, password = PASSWORD): Promise<void> {
    await page.goto(`${this.base}/`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => undefined);
    await this.browser.close();
  }
}

/** The <input> of an antd input component, wherever its test id landed (on the input or on a wrapper). */
export async function inputOf(page: Page, testId: string) {
  const el = page.getByTestId(testId);
  return (await el.evaluate((e) => e.tagName)) === 'INPUT' ? el : el.locator('input');
}
