/**
 * The flows editor (Node-RED embedded in the gateway daemon at /flows/admin) in headless Chromium
 * (playwright-core driving Debian's /usr/bin/chromium): the sign-in page, then the Quayside palette
 * category with its six nodes, the default flow tabs, a node's bilingual help, and its edit form with
 * the gateway's devices. Screenshots go to .tmp/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, startDaemon, startSimulator, type Daemon, type Simulator } from '../../scripts/lib/stack.js';
import { ADMIN, SIM, flowsGatewayConfig, writeConfig } from '../integration/flows/helpers.js';

const SHOTS = path.join(ROOT, '.tmp/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const QUAY_NODES = ['quay device in', 'quay device out', 'quay event in', 'quay survey', 'quay uplink', 'quay command in'];

let dir: string;
let sim: Simulator;
let gw: Daemon;
let browser: Browser;
let page: Page;

/** The DOM as seen from a function that runs in the page (this file is type-checked for Node). */
type PageDom = { document: { querySelectorAll(sel: string): ArrayLike<{ getAttribute(a: string): string | null; textContent: string | null }> } };

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-flows-e2e-'));
  sim = await startSimulator(dir, SIM);
  gw = await startDaemon(writeConfig(dir, await flowsGatewayConfig(sim.endpoints, dir)));
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
});

after(async () => {
  await browser?.close();
  await gw?.stop();
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an admin signs in to the flows editor and finds the Quayside palette', { timeout: 110_000 }, async () => {
  await page.goto(`${gw.url}/flows/admin/`, { waitUntil: 'domcontentloaded' });
  // Nothing of the flows without signing in: the editor asks first.
  await page.waitForSelector('#node-dialog-login-username', { timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS, 'flows-editor-login.png') });
  await page.fill('#node-dialog-login-username', ADMIN.username);
  await page.fill('#node-dialog-login-password', 'wrong-password');
  await page.click('#node-dialog-login-submit');
  await page.waitForSelector('#node-dialog-login-failed', { state: 'visible', timeout: 10_000 });
  await page.fill('#node-dialog-login-password', ADMIN.password);
  await page.click('#node-dialog-login-submit');

  // The Quayside category and its nodes.
  await page.waitForSelector('#red-ui-palette-container-quayside', { timeout: 30_000 });
  for (const type of QUAY_NODES) await page.waitForSelector(`.red-ui-palette-node[data-palette-type="${type}"]`, { timeout: 10_000 });
  const labels = await page.evaluate(() =>
    Array.from((globalThis as unknown as PageDom).document.querySelectorAll('#red-ui-palette-container-quayside .red-ui-palette-node')).map((n) => n.getAttribute('data-palette-type')),
  );
  assert.deepEqual([...labels].sort(), [...QUAY_NODES].sort());
  const header = await page.textContent('#red-ui-palette-header-quayside');
  assert.match(header ?? '', /quayside/i);

  // The default flows are the editor's tabs.
  for (const label of ['Density alarm 港水密度报警', 'Queue calls 叫号', 'Gate weighing 卡口过磅']) {
    await page.waitForSelector(`#red-ui-workspace-tabs .red-ui-tab-label:has-text("${label}")`, { timeout: 10_000 });
  }
  // No exec node on this gateway (flows.allowExec is off).
  assert.equal(await page.locator('.red-ui-palette-node[data-palette-type="exec"]').count(), 0);

  // A quay node's help, in Chinese and English, in the editor's help sidebar (what its book tab shows).
  await page.click('.red-ui-palette-node[data-palette-type="quay uplink"]');
  await page.evaluate(() => (globalThis as unknown as { RED: { sidebar: { help: { show(type: string): void } } } }).RED.sidebar.help.show('quay uplink'));
  await page.waitForSelector('.red-ui-help:has-text("存储转发")', { timeout: 10_000 });
  const help = await page.locator('.red-ui-help', { hasText: '存储转发' }).first().textContent();
  assert.match(help ?? '', /store-and-forward/);
  await page.screenshot({ path: path.join(SHOTS, 'flows-editor-palette.png') });

  // The density flow's device-in node opens its form, with the gateway's devices offered.
  await page.click('#red-ui-workspace-tabs .red-ui-tab-label:has-text("Density alarm")');
  await page.dblclick('#red-ui-workspace-chart g.red-ui-flow-node-group:has-text("dock-water density")', { timeout: 10_000 }).catch(async () => {
    await page.locator('#red-ui-workspace-chart text:has-text("dock-water density")').first().dblclick();
  });
  await page.waitForSelector('#node-input-kind', { timeout: 10_000 });
  await page.waitForFunction(() => (globalThis as unknown as PageDom).document.querySelectorAll('#quay-device-in-list option').length >= 3, undefined, { timeout: 10_000 });
  const offered = await page.evaluate(() => Array.from((globalThis as unknown as PageDom).document.querySelectorAll('#quay-device-in-list option')).map((o) => o.getAttribute('value')));
  assert.deepEqual([...offered].sort(), ['led-1', 'qt-1', 'sdm-1']);
  assert.equal(await page.inputValue('#node-input-kind'), 'density-monitor');
  assert.equal(await page.locator('#node-input-kind.input-error').count(), 0, 'the form validates');
  assert.equal(await page.inputValue('#node-input-points'), 'density');
  await page.screenshot({ path: path.join(SHOTS, 'flows-editor.png') });
});
