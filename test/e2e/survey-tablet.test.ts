/**
 * The inspector's tablet app, end to end, in Chinese, in headless Chromium (playwright-core driving
 * Debian's /usr/bin/chromium) against a real gateway daemon polling the simulated quay instruments:
 * import the vessel (a bad file first: its error is shown), start a survey, capture the drafts with
 * the waves' spread, an override refused without a reason, density with its conversion, ballast
 * tank by tank from the level meters and by hand, deductibles, a photo, compute and review the form
 * line by line, sign, verify, open the PDF; then the gateway drops away: the app still opens (service
 * worker), a manual entry waits in IndexedDB and is replayed when the gateway is back.
 * Screenshots go to .tmp/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { gatewayConfig, ROOT, startDaemon, startSimulator, type Daemon, type Simulator } from '../../scripts/lib/stack.js';

const FIX = path.join(ROOT, 'test/fixtures/edge-survey');
const SHOTS = path.join(ROOT, '.tmp/screenshots');
const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let sim: Simulator;
let gw: Daemon;
let browser: Browser;
let page: Page;

const fx = (name: string) => path.join(FIX, name);

/** The DOM as seen from a function that runs in the page (this file is type-checked for Node). */
type PageDom = { document: { querySelector(sel: string): { textContent: string | null } | null }; navigator: { serviceWorker: { ready: Promise<unknown> } } };

/** Waits until the text of `selector` matches `pattern` (and, with `not`, no longer matches it). */
function waitText(selector: string, pattern: RegExp, opts: { not?: RegExp; timeout?: number } = {}): Promise<unknown> {
  return page.waitForFunction(
    ([sel, src, flags, notSrc]) => {
      const text = (globalThis as unknown as PageDom).document.querySelector(sel)?.textContent ?? '';
      return new RegExp(src, flags).test(text) && !(notSrc && new RegExp(notSrc).test(text));
    },
    [selector, pattern.source, pattern.flags, opts.not?.source ?? ''] as const,
    { timeout: opts.timeout ?? 20_000 },
  );
}
async function shot(name: string): Promise<void> {
  // From the top: the sticky bar then sits where it belongs in a full-page picture.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  // The app as `npm run build:web` builds it.
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'edge/web/vite.config.ts'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-tablet-'));
  const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'edge/simulators/demo.json'), 'utf8')) as { devices: { id: string }[] };
  const keep = new Set(['draft-gauge', 'ballast-db1p', 'ballast-db1s', 'ballast-db2p', 'ballast-db2s', 'density']);
  sim = await startSimulator(dir, { ...demo, logLevel: 'warn', devices: demo.devices.filter((d) => keep.has(d.id)) });
  const cfgFile = path.join(dir, 'gateway.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ ...gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), pollIntervalMs: 500, batchMs: 200 }), gateway: { id: 'gw-e2e', name: '洋山港区 3 号泊位' } }));
  gw = await startDaemon(cfgFile);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await gw?.stop();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the survey wizard end to end on the tablet, in Chinese, then offline', { timeout: 170_000 }, async () => {
  page.setDefaultTimeout(20_000);
  await page.goto(gw.url);
  await page.getByText('水尺计重').first().waitFor();
  assert.equal(await page.getByTestId('gateway-status').textContent(), '网关在线');
  await page.fill('#operator', '李检验员');

  // ---- vessel library: a bad file shows its error, then the good set imports
  await page.getByRole('link', { name: '船舶库' }).click();
  await page.getByTestId('file-particulars').setInputFiles(fx('particulars.csv'));
  await page.getByTestId('file-hydrostatics').setInputFiles(fx('hydrostatics-bad.csv'));
  await page.getByTestId('import-submit').click();
  const errors = page.getByTestId('import-errors');
  await errors.waitFor();
  const errorText = (await errors.textContent()) ?? '';
  assert.match(errorText, /导入失败，共 1 处错误/);
  assert.match(errorText, /VESSEL_NOT_A_NUMBER hydrostatics-bad\.csv, row 3, column displacement_t/);
  await shot('01-vessel-import-error');

  await page.getByTestId('file-hydrostatics').setInputFiles(fx('hydrostatics.csv'));
  await page.getByTestId('file-tanks').setInputFiles(fx('tanks.csv'));
  await page.getByTestId('file-tables').setInputFiles([fx('tank-tables.csv'), fx('fpt-level.csv'), fx('fw-level.csv')]);
  await page.getByTestId('import-submit').click();
  await page.getByTestId('import-result').waitFor();
  await page.getByTestId('vessel-list').getByText('CHANGJIANG PIONEER').waitFor();
  await shot('02-vessels');

  // ---- a new initial survey
  await page.getByRole('link', { name: '检验列表' }).click();
  await page.getByTestId('new-stage').selectOption('initial');
  await page.getByTestId('create-survey').click();
  await page.getByTestId('drafts-table').waitFor();
  const sessionId = /#\/survey\/([^/]+)\//.exec(page.url())![1]!;

  // ---- drafts: live values with their spread, capture, override refused without a reason
  await page.getByTestId('window').selectOption('3');
  await waitText('[data-testid="mark-fwd_port"] td:nth-child(2)', /\d\.\d{3}/);
  await waitText('[data-testid="mark-aft_stbd"] td:nth-child(4)', /0\.\d{3}/);
  await shot('03-drafts-live');
  await page.getByTestId('capture-drafts').click();
  await page.getByText('正在采集…').first().waitFor();
  await waitText('[data-testid="recorded-aft_stbd"]', /\d\.\d{3}/);
  await shot('04-drafts-captured');

  await page.getByTestId('override-mid_port').click();
  await page.getByTestId('manual-value').fill('6.160');
  await page.getByTestId('manual-save').click();
  await page.getByText('人工录入或修改必须填写原因').waitFor();
  await shot('05-override-refused');
  await page.getByTestId('manual-reason').fill('目测复核：舯左传感器受缆绳遮挡');
  await page.getByTestId('manual-save').click();
  await page.getByTestId('mark-mid_port').getByText('人工', { exact: true }).waitFor();
  assert.match((await page.getByTestId('recorded-mid_port').textContent()) ?? '', /6\.160/);

  // ---- density from the monitor, with the conversion shown
  await page.getByTestId('step-density').click();
  await page.getByTestId('window').selectOption('3');
  await page.getByTestId('capture-density').click();
  await page.getByTestId('density-steps').waitFor({ timeout: 20_000 });
  const steps = (await page.getByTestId('density-steps').textContent()) ?? '';
  assert.match(steps, /空气中密度/);
  assert.match((await page.getByTestId('density-used').textContent()) ?? '', /计入计算单：1\.0\d{3} t\/m³（密度监测仪）/);
  await shot('06-density');

  // ---- ballast: two tanks from their meters, the fore peak by hand
  await page.getByTestId('step-ballast').click();
  for (const tank of ['DB1P', 'DB1S']) {
    await page.getByTestId(`edit-${tank}`).click();
    const editor = page.getByTestId(`tank-editor-${tank}`);
    assert.equal(await editor.getByTestId('meter').inputValue(), `ballast-${tank.toLowerCase()}`);
    await editor.getByTestId('window').selectOption('3');
    await editor.getByTestId('capture-tank').click();
    await editor.waitFor({ state: 'detached', timeout: 20_000 });
    await waitText(`[data-testid="tank-${tank}"] td:nth-child(6)`, /\d+\.\d{3}/);
  }
  await page.getByTestId('edit-FPT').click();
  await page.getByTestId('tank-sounding').fill('0.35');
  await page.getByTestId('tank-reason').fill('前尖舱人工测深');
  await page.getByTestId('tank-save').click();
  await page.getByTestId('tank-FPT').getByText('人工', { exact: true }).waitFor();
  await shot('07-ballast');

  // ---- deductibles
  await page.getByTestId('step-deductibles').click();
  await page.getByTestId('ded-weight-fuel_oil').fill('612.4');
  await page.getByTestId('ded-reason-fuel_oil').fill('轮机长报表');
  await page.getByTestId('ded-save-fuel_oil').click();
  await page.getByTestId('ded-fuel_oil').getByText('612.400 t').waitFor();
  await shot('08-deductibles');

  // ---- a photo
  await page.getByTestId('step-photos').click();
  const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 80, b: 140 } } }).png().toBuffer();
  await page.getByTestId('photo-input').setInputFiles({ name: 'mark.png', mimeType: 'image/png', buffer: png });
  await page.getByTestId('photo-caption').fill('艏左水尺');
  await page.getByTestId('photo-upload').click();
  await page.getByTestId('photos').locator('img').waitFor();
  await shot('09-photos');

  // ---- compute and review the form line by line
  await page.getByTestId('step-compute').click();
  await page.getByTestId('compute').click();
  await page.getByTestId('form-c').waitFor();
  const net = (await page.getByTestId('line-net_displacement_t').textContent()) ?? '';
  assert.match(net, /净排水量.*\d{5}\.\d{3}/);
  assert.match((await page.getByTestId('line-quarter_mean_m').textContent()) ?? '', /拱陷校正后平均吃水/);
  assert.equal(await page.getByTestId('session-status').textContent(), '已计算');
  await shot('10-review');

  // ---- sign, verify, PDF
  await page.getByTestId('step-sign').click();
  await page.getByTestId('sign').click();
  await page.getByTestId('signature').waitFor();
  await page.getByTestId('verify').click();
  assert.match((await page.getByTestId('verify-result').textContent()) ?? '', /验证通过.*本网关密钥/);
  const pdfUrl = await page.getByTestId('pdf').getAttribute('href');
  const pdf = await page.request.get(new URL(pdfUrl!, gw.url).toString());
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await shot('11-signed');

  // The same record through the API: the tablet's entries kept their provenance.
  const s = (await (await fetch(`${gw.url}/api/survey/sessions/${sessionId}`)).json()) as { data: { drafts: Record<string, { source: string; reason?: string; operator: string }> } };
  assert.deepEqual({ source: s.data.drafts['mid_port']!.source, reason: s.data.drafts['mid_port']!.reason, operator: s.data.drafts['mid_port']!.operator }, { source: 'manual', reason: '目测复核：舯左传感器受缆绳遮挡', operator: '李检验员' });

  // ---- English switch
  await page.getByTestId('lang').click();
  await page.getByText('Sign and report').waitFor();
  await shot('12-english');
  await page.getByTestId('lang').click();
  await page.getByText('签名与报告').waitFor();

  // ---- offline: the app still opens, a manual entry waits on the tablet and is replayed
  await page.getByRole('link', { name: '检验列表' }).click();
  await page.getByTestId('new-stage').selectOption('final');
  await page.getByTestId('create-survey').click();
  await page.getByTestId('drafts-table').waitFor();
  const finalId = /#\/survey\/([^/]+)\//.exec(page.url())![1]!;
  await page.evaluate(() => (globalThis as unknown as PageDom).navigator.serviceWorker.ready.then(() => undefined));
  await page.context().setOffline(true);
  await page.reload();
  await page.getByTestId('drafts-table').waitFor();
  await waitText('[data-testid="gateway-status"]', /^网关离线$/, { timeout: 10_000 });
  await page.getByText('实时数据暂不可用').waitFor();
  assert.equal(await page.getByTestId('capture-drafts').isDisabled(), true, 'captures need the gateway');
  await page.getByTestId('override-fwd_port').click();
  await page.getByTestId('manual-value').fill('13.702');
  await page.getByTestId('manual-reason').fill('网络中断时人工读数');
  await page.getByTestId('manual-save').click();
  await page.getByText('1 条待同步').first().waitFor();
  await page.getByTestId('mark-fwd_port').getByText('待同步').waitFor();
  await shot('13-offline-queued');
  await page.context().setOffline(false);
  await waitText('[data-testid="gateway-status"]', /^网关在线$/, { timeout: 15_000 });
  await page.getByTestId('pending').waitFor({ state: 'detached', timeout: 15_000 });
  await waitText('[data-testid="mark-fwd_port"]', /13\.702/, { not: /待同步/ });
  await shot('14-replayed');
  const replayed = (await (await fetch(`${gw.url}/api/survey/sessions/${finalId}`)).json()) as { data: { drafts: Record<string, { value_m: number; source: string; reason: string }> } };
  assert.deepEqual(replayed.data.drafts['fwd_port'], { ...replayed.data.drafts['fwd_port'], value_m: 13.702, source: 'manual', reason: '网络中断时人工读数' });
});
