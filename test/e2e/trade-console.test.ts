/**
 * Trade monitoring in the console, end to end: headless Chromium (playwright-core driving Debian's
 * /usr/bin/chromium) against a real cloud started in-process, with a small generated trade data set
 * (20k declaration items, 100 enterprises, 3 years, planted anomalies) loaded into its DuckDB store.
 * Every check compares what the console shows with what the API answers for the same question:
 *   - command staff: a statistics query's total equals the API's grand total; drill-down into a chapter
 *     gives only its headings, as many as the API's drill; the CSV export has those rows; a forecast
 *     shows the API's method and horizon; detectors run from the console, a warning confirmed with a
 *     note reads back confirmed, with the note and the user as handler; a back-test shows the hit rates
 *     the API stored, activation makes the version active; a rule set the server refuses shows the
 *     server's field errors, the fixed one becomes version 2; evaluating a declaration gives the API's
 *     lane; tags recompute, a tag's count equals the API's, its enterprise's profile opens;
 *   - the auditor (trade.read only) sees no run / handle / back-test / activate / new-version /
 *     recompute buttons and no loading tab, and /trade/loads is refused; the pages read in English too;
 *   - the system administrator (trade.load only) sees only loading: a JSON batch with one bad row loads
 *     one row and shows the reject with its reason, an inbox file loads as a job with progress.
 * Screenshots: .tmp/screenshots/trade-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { TestCloud } from '../integration/cloud/helpers.js';
import { ADMIN, ApiSession, ConsoleBrowser, PASSWORD, USERS, buildConsole, inputOf, startConsoleTestCloud } from './console-harness.js';
import { makeDataset, type Dataset } from '../integration/trade/helpers.js';

let cloud: TestCloud;
let ds: Dataset;
let ui: ConsoleBrowser;
let command: ApiSession;
let consoleBuild: ReturnType<typeof buildConsole>;
const newPage = () => ui.newPage();
const guarded = (page: Page, name: string, fn: () => Promise<void>) => ui.guarded(page, name, fn);
const shot = (page: Page, name: string) => ui.shot(page, name);
const login = (page: Page, username: string, password = PASSWORD) => ui.login(page, username, password);

before(async () => {
  consoleBuild = buildConsole('trade');
  ds = await makeDataset({ rows: 20_000, enterprises: 100, years: 3, seed: 5 });
  await consoleBuild.ready;
  cloud = await startConsoleTestCloud();
  await cloud.trade.loadFile('enterprises', ds.enterprisesFile);
  for (const f of ds.yearFiles) await cloud.trade.loadFile('declarations', f);
  command = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
  ui = await ConsoleBrowser.launch(cloud.url, 'trade');
});
after(async () => {
  await ui?.close();
  await cloud?.stop();
  ds?.cleanup();
  consoleBuild?.remove();
});

test('command staff: statistics with drill-down and export, forecast, warnings, risk rules, tags and a profile', { timeout: 120_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'command', async () => {
    await login(page, USERS.command.username);
    await page.getByTestId('nav-trade').click();
    await page.getByTestId('trade-monthly').waitFor();
    await shot(page, 'overview');

    // ---- statistics: the default query (last 12 months by HS chapter) sums to the API's grand total
    await page.getByTestId('trade-tab-stats').click();
    const total = page.getByTestId('stats-total-value_usd_total');
    await total.waitFor();
    const meta = await command.call('GET', '/api/trade/meta');
    const months: string[] = [];
    for (let y = Number(meta.range.to.slice(0, 4)), m = Number(meta.range.to.slice(5)), i = 0; i < 12; i++, m--) {
      if (m === 0) (m = 12), y--;
      months.unshift(`${y}-${String(m).padStart(2, '0')}`);
    }
    const period = { from: months[0], to: months[11] };
    const grand = await command.call('POST', '/api/trade/stats/query', { measures: ['value_usd'], flows: ['total'], dims: [], period });
    const shown = Number(await total.getAttribute('data-value'));
    assert.ok(Math.abs(shown - grand.rows[0].value_usd_total) < 0.5, `console total ${shown} vs API ${grand.rows[0].value_usd_total}`);
    const byChapter = await command.call('POST', '/api/trade/stats/query', { measures: ['value_usd'], flows: ['import', 'export', 'total'], dims: ['hs_chapter'], period, compare: 'yoy', share: true });
    assert.equal(Number(await page.getByTestId('stats-rows').getAttribute('data-rows')), byChapter.rows.length);
    await shot(page, 'stats');

    // drill into the first chapter shown: only its headings, as many as the API's drill
    const first = page.locator('[data-testid^="drill-hs_chapter-"]').first();
    const chapter = (await first.getAttribute('data-testid'))!.replace('drill-hs_chapter-', '');
    await first.click();
    await page.getByTestId('stats-crumb-current').waitFor();
    await page.locator('[data-testid^="drill-hs_heading-"]').first().waitFor();
    const drill = await command.call('POST', '/api/trade/stats/drill', { spec: { measures: ['value_usd'], flows: ['import', 'export', 'total'], dims: ['hs_chapter'], period, compare: 'yoy', share: true }, dim: 'hs_chapter', value: chapter });
    assert.ok(drill.rows.length > 0);
    assert.equal(Number(await page.getByTestId('stats-rows').getAttribute('data-rows')), drill.rows.length);
    const headings = await page.locator('[data-testid^="drill-hs_heading-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('drill-hs_heading-', '')));
    assert.ok(headings.length > 0 && headings.every((h) => h.startsWith(chapter)), `headings of ${chapter}: ${headings.join(',')}`);
    await shot(page, 'stats-drill');

    // the CSV export of the drilled query: a header and one line per row
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export-csv').click()]);
    assert.match(download.suggestedFilename(), /^trade-stats-.*\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.split(/\r?\n/).filter(Boolean);
    assert.match(lines[0]!, /HS品目/);
    assert.equal(lines.length - 1, drill.rows.length);

    // ---- forecast: six months ahead, the method the API picks for the same series
    await page.getByTestId('trade-tab-forecast').click();
    await (await inputOf(page, 'fc-horizon')).fill('6');
    await page.getByTestId('fc-run').click();
    await page.getByTestId('fc-chart').waitFor();
    const fc = await command.call('POST', '/api/trade/forecast', { measure: 'value_usd', flow: 'total', filters: {}, horizon: 6 });
    assert.equal(await page.getByTestId('fc-method').getAttribute('data-method'), fc.method);
    assert.equal(await page.getByTestId('fc-points').locator('tbody tr.ant-table-row').count(), 6);
    await shot(page, 'forecast');

    // ---- warnings: run the detectors, confirm one with a note
    await page.getByTestId('trade-tab-warnings').click();
    await page.getByTestId('warning-run').click();
    await page.getByTestId('warning-run-ok').click();
    await page.getByTestId('warning-run-result').waitFor({ timeout: 60_000 });
    await page.locator('.ant-modal-wrap:visible .ant-modal-close').click();
    const open = page.locator('[data-testid^="warning-open-"]').first();
    await open.waitFor();
    const wid = Number((await open.getAttribute('data-testid'))!.replace('warning-open-', ''));
    const listed = await command.call('GET', '/api/trade/warnings?status=new&limit=1000');
    assert.ok(listed.items.some((w: any) => w.id === wid), 'the console lists new warnings');
    await open.click();
    await page.getByTestId('warning-handle').waitFor();
    await page.getByTestId('warning-decision').getByText('确认').click();
    await page.getByTestId('warning-note-input').fill('已核实：企业扩产，申报正常');
    await page.getByTestId('warning-save').click();
    await page.locator('.ant-drawer [data-testid="warning-status"][data-status="confirmed"]').waitFor();
    const handled = await command.call('GET', `/api/trade/warnings/${wid}`);
    assert.equal(handled.status, 'confirmed');
    assert.equal(handled.note, '已核实：企业扩产，申报正常');
    assert.equal(handled.handler, USERS.command.username);
    await shot(page, 'warning');
    await ui.closeDrawer(page);

    // ---- risk: back-test version 1, the hit rates the API stored; activate it
    await page.getByTestId('trade-tab-risk').click();
    await page.getByTestId('ruleset-backtest-default-1').click();
    await page.getByTestId('backtest-ok').click();
    await page.getByTestId('backtest-result').waitFor({ timeout: 60_000 });
    const stored = await command.call('GET', '/api/trade/risk/rulesets/default/1');
    assert.equal(stored.status, 'tested');
    assert.ok(stored.backtest.declarations > 0);
    assert.equal(Number((await page.getByTestId('backtest-declarations').textContent())!.replace(/[^\d]/g, '')), stored.backtest.declarations);
    for (const r of stored.backtest.rules) {
      const cell = page.getByTestId(`hitrate-${r.ruleId}`);
      assert.equal(Number(await cell.getAttribute('data-value')), r.hitRate);
      assert.equal((await cell.textContent())!.trim(), `${(r.hitRate * 100).toFixed(2)}%`);
    }
    assert.ok(stored.backtest.rules.some((r: any) => r.hitRate > 0), 'some rule hits');
    await shot(page, 'backtest');
    await ui.closeDrawer(page);
    await page.getByTestId('ruleset-activate-default-1').click();
    await page.getByTestId('activate-confirm').click();
    await page.getByTestId('rulesets-table').locator('[data-testid="ruleset-status"][data-status="active"]').waitFor();
    const active = await command.call('GET', '/api/trade/risk/rulesets/default/1');
    assert.equal(active.status, 'active');
    assert.equal(active.activatedBy, USERS.command.username);

    // a new version: the server's field errors are shown, the fixed rule set is stored as version 2
    await page.getByTestId('ruleset-new').click();
    await page.getByTestId('ruleset-rules-editor').waitFor();
    await shot(page, 'ruleset-editor');
    await page.locator('.ant-modal-wrap:visible').getByRole('tab', { name: 'JSON' }).click();
    const json = page.getByTestId('ruleset-json');
    const body = JSON.parse(await json.inputValue());
    body.name = '浦东自贸区基础风险规则（第二版）';
    body.rules[0].weight = 5000;
    await json.fill(JSON.stringify(body, null, 2));
    await page.getByTestId('ruleset-save').click();
    await page.getByTestId('ruleset-errors').getByText(/rules\.0\.weight/).waitFor();
    body.rules[0].weight = 70;
    await json.fill(JSON.stringify(body, null, 2));
    await page.getByTestId('ruleset-save').click();
    await page.locator('.ant-drawer').getByText('default v2').waitFor();
    const v2 = await command.call('GET', '/api/trade/risk/rulesets/default/2');
    assert.equal(v2.status, 'draft');
    assert.equal(v2.author, USERS.command.username);
    assert.equal(v2.body.rules[0].weight, 70);
    await ui.closeDrawer(page);

    // evaluate the template declaration: the API's lane and score for the same JSON
    await page.getByTestId('evaluate-run').click();
    await page.getByTestId('evaluate-result').waitFor();
    const declaration = JSON.parse(await page.getByTestId('evaluate-json').inputValue());
    const decision = await command.call('POST', '/api/trade/risk/evaluate', { declaration, record: false });
    assert.equal(await page.getByTestId('evaluate-result').getByTestId('lane').first().getAttribute('data-lane'), decision.lane);
    assert.equal(decision.version, 1);
    await shot(page, 'risk');

    // ---- tags: recompute, a tag's count equals the API's, its first enterprise's profile
    await page.getByTestId('trade-tab-tags').click();
    await page.getByTestId('tags-recompute').click();
    const count = page.getByTestId('tag-count-main_chapter');
    await page.locator('[data-testid="tag-count-main_chapter"]:not([data-value="0"])').waitFor();
    const members = await command.call('GET', '/api/trade/tags/main_chapter/enterprises?limit=1');
    assert.equal(Number(await count.getAttribute('data-value')), members.total);
    await page.getByTestId('tag-main_chapter').click();
    const firstMember = page.getByTestId('tag-members').locator('tbody tr.ant-table-row a').first();
    await firstMember.waitFor();
    await shot(page, 'tags');
    await firstMember.click();
    await page.getByTestId('profile-master').waitFor();
    const uscc = page.url().split('/').pop()!;
    const profile = await command.call('GET', `/api/trade/enterprises/${uscc}/profile`);
    await page.getByTestId('page-title').getByText(profile.enterprise.name).waitFor();
    assert.equal(await page.getByTestId('profile-tags').locator('[data-tag]').count(), profile.tags.length);
    await page.getByTestId('profile-tags').locator('[data-tag="main_chapter"]').waitFor();
    await shot(page, 'profile');

    // enterprise search finds it by USCC prefix
    await page.getByTestId('trade-tab-tags').click();
    const search = await inputOf(page, 'ent-search');
    await search.fill(uscc.slice(0, 10));
    await search.press('Enter');
    await page.getByTestId('ent-search-results').getByText(uscc).waitFor();
  });
});

test('auditor: reads everything, manages nothing', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'auditor', async () => {
    await login(page, USERS.auditor.username);
    await page.getByTestId('nav-trade').click();
    await page.getByTestId('trade-tab-warnings').waitFor();
    assert.equal(await page.getByTestId('trade-tab-loads').count(), 0);

    await page.getByTestId('trade-tab-warnings').click();
    const open = page.locator('[data-testid^="warning-open-"]').first();
    await open.waitFor();
    assert.equal(await page.getByTestId('warning-run').count(), 0);
    await open.click();
    await page.getByTestId('warning-message').waitFor();
    assert.equal(await page.getByTestId('warning-handle').count(), 0);
    await ui.closeDrawer(page);

    await page.getByTestId('trade-tab-risk').click();
    await page.getByTestId('ruleset-view-default-1').waitFor();
    for (const id of ['ruleset-new', 'ruleset-backtest-default-1', 'ruleset-activate-default-2']) assert.equal(await page.getByTestId(id).count(), 0, id);
    // reading is allowed: a version's back-test
    await page.getByTestId('ruleset-view-default-1').click();
    await page.getByTestId('backtest-result').waitFor();
    await ui.closeDrawer(page);

    await page.getByTestId('trade-tab-tags').click();
    await page.getByTestId('tags-table').waitFor();
    assert.equal(await page.getByTestId('tags-recompute').count(), 0);

    await page.goto(`${cloud.url}/trade/loads`);
    await page.getByText('无权执行此操作').waitFor();
    await shot(page, 'auditor-loads');

    // the same pages in English
    await page.getByTestId('lang-switch').getByText('EN').click();
    await page.getByTestId('trade-tab-stats').click();
    await page.getByTestId('trade-tab-warnings').getByText('Early warnings').waitFor();
    await page.getByTestId('stats-run').getByText('Run query').waitFor();
    await page.getByTestId('stats-table').waitFor();
    await shot(page, 'stats-en');
  });
});

test('system administrator: loads a JSON batch with a bad row and an inbox file; sees nothing else of trade', { timeout: 60_000 }, async () => {
  const [row] = await cloud.trade.db.query<any>(`SELECT * FROM decl_item WHERE ie_flag = 'E' ORDER BY d_date DESC, entry_id LIMIT 1`);
  const year = String(row.d_date).slice(0, 4);
  const rec = (n: number, hs: string) => ({
    entry_id: `2248${year}0${String(777000000 + n)}`, g_no: 1, ie_flag: 'E', d_date: String(row.d_date).slice(0, 10), customs_code: '2248', i_e_port: '2248', trade_mode: '0110',
    traf_mode: '2', trade_co_customs: row.trade_co_customs, trade_co_uscc: row.trade_co_uscc, trade_country: 'USA', origin_country: 'CHN', dest_country: 'USA', hs_code: hs,
    qty1: 10, unit1: row.unit1, value_cny: 7100, value_usd: 1000,
  });
  const batchFile = path.join(ds.dir, 'batch-e2e.json');
  fs.writeFileSync(batchFile, JSON.stringify([rec(1, row.hs_code), rec(2, '12345')]));
  const inbox = path.join(cloud.trade.dataDir, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  fs.writeFileSync(path.join(inbox, 'extra-e2e.ndjson'), `${JSON.stringify(rec(3, row.hs_code))}\n${JSON.stringify(rec(4, row.hs_code))}\n`);

  const page = await newPage();
  await guarded(page, 'sysadmin', async () => {
    await login(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('nav-trade').click();
    await page.waitForURL(/\/trade\/loads$/);
    assert.equal(await page.getByTestId('trade-tab-stats').count(), 0);

    await page.getByTestId('load-batch').locator('input[type=file]').setInputFiles(batchFile);
    await page.getByTestId('load-batch-ready').waitFor();
    await page.getByTestId('load-batch-send').click();
    const result = page.getByTestId('load-batch').getByTestId('load-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-status'), 'loaded');
    assert.equal((await result.getByTestId('load-loaded').textContent())!.trim(), '1');
    await result.getByTestId('load-rejected').click();
    await page.getByTestId('rejects-table').getByTestId('reject-reason').first().waitFor();
    assert.equal((await page.getByTestId('rejects-table').getByTestId('reject-reason').first().textContent())!.trim(), '商品编号格式错误');
    const loads = await (await ApiSession.login(cloud.url, ADMIN.username, ADMIN.password)).call('GET', '/api/trade/loads?limit=1');
    const rejects = await (await ApiSession.login(cloud.url, ADMIN.username, ADMIN.password)).call('GET', `/api/trade/loads/${loads.items[0].id}/rejects`);
    assert.deepEqual(rejects.byReason, { hs_code_format: 1 });
    await shot(page, 'rejects');
    await ui.closeDrawer(page);

    await page.getByTestId('load-inbox-name').fill('extra-e2e.ndjson');
    await page.getByTestId('load-inbox-start').click();
    await page.locator('[data-testid="load-job"][data-status="done"]').waitFor();
    assert.equal((await page.getByTestId('load-inbox').getByTestId('load-loaded').textContent())!.trim(), '2');
    await page.getByTestId('loads-table').getByText('extra-e2e.ndjson').waitFor();
    await shot(page, 'loads');
  });
  const stored = await cloud.trade.db.query<any>(`SELECT count(*) AS n FROM decl_item WHERE entry_id LIKE $1`, [`2248${year}07770000%`]);
  assert.equal(Number(stored[0].n), 3);
});
