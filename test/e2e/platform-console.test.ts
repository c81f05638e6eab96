/**
 * The data platform in the console, end to end: headless Chromium (playwright-core driving Debian's
 * /usr/bin/chromium) against a real cloud started in-process. Data lands through the platform itself:
 * an enterprise master file and a declaration CSV with deliberately bad rows dropped in file-inbox
 * folders, a pipeline (map → parse → validate → convert → dedupe → enrich) into a data set with
 * quality rules, and a GB/T 21063 catalogue entry for it. Every check compares the page with the API:
 *   - the system administrator runs the declaration source from the sources page; its rows in / out /
 *     rejected equal the API's run history, in the table and in the run-history drawer; a definition the
 *     server refuses shows the server's validation errors; the rejects list holds each bad row with its
 *     reason, and the reason filter narrows it as the API does; the data set's row count and rows are
 *     the API's; the quality page's score and six indicator scores are the API's latest run, a failing
 *     rule's issue is closed from the page; the lineage graph's ECharts nodes and edges are the API's
 *     lineage of the data set; a metadata description edited on the page reads back from the API;
 *   - the command staff (platform.read) finds the published entry, sees its core metadata, requests
 *     access; the administrator approves it on the page; the API and the catalogue log agree; the
 *     CSV export holds the entry;
 *   - the auditor (platform.read) sees no run / edit / new / rerun / close / approve / edit-metadata
 *     buttons, and the pages read in English too.
 * Screenshots: .tmp/screenshots/platform-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { completeUscc, usccCheckChar } from '../../shared/ids/uscc.js';
import type { TestCloud } from '../integration/cloud/helpers.js';
import { ADMIN, ApiSession, ConsoleBrowser, PASSWORD, USERS, buildConsole, inputOf, startConsoleTestCloud } from './console-harness.js';

const A = completeUscc('91310115MA1K4ABC0');
const B = completeUscc('91310000132200821');
const C = completeUscc('91310115MA1H7XYW2'); // valid, not in the master data
const wrongCheck = A.slice(0, 17) + (usccCheckChar(A.slice(0, 17)) === '1' ? '2' : '1');
const MASTER = ['uscc,customs_code,name', `${A},3122940001,上海甲进出口有限公司`, `${B},3122930002,上海乙国际贸易有限公司`].join('\n');
const HEAD = '报关单号,项号,经营单位信用代码,原产国,美元价值';
const GOOD = [`222520261000000001,1,${A},US,12000.50`, `222520261000000001,2,${A},DE,800`, `222520261000000002,1,${B},JP,150000`, `222520260000000003,1,${B},US,35.2`];
/** Each bad row with the reason it must be rejected for. */
const BAD: [string, string][] = [
  [`222520261000000001,2,${A},FR,900`, 'duplicate'],
  [`222520261000000005,1,${wrongCheck},US,10`, 'check_digit'],
  [`222520261000000006,1,${C},US,10`, 'no_master_record'],
  [`222520261000000007,1,${A},QQ,10`, 'unknown_code'],
  [`222520261000000009,1,${A},US,abc`, 'bad_type'],
];

let cloud: TestCloud;
let ui: ConsoleBrowser;
let admin: ApiSession;
let entryCode = '';
/** A port-call feed that takes its time, so that the run shows as a running job. */
let slowFeed: http.Server;
let consoleBuild: ReturnType<typeof buildConsole>;
const newPage = () => ui.newPage();
const guarded = (page: Page, name: string, fn: () => Promise<void>) => ui.guarded(page, name, fn);
const shot = (page: Page, name: string) => ui.shot(page, name);
const login = (page: Page, username: string, password = PASSWORD) => ui.login(page, username, password);

/** Polls a page condition (data attributes refresh on the page's own polling). */
async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const num = (s: string | null) => Number((s ?? '').replace(/[^\d.-]/g, ''));

before(async () => {
  consoleBuild = buildConsole('platform');
  await consoleBuild.ready;
  cloud = await startConsoleTestCloud();
  admin = await ApiSession.login(cloud.url, ADMIN.username, ADMIN.password);

  slowFeed = http.createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ call_id: 'C1', vessel: 'COSCO TAURUS' }, { call_id: 'C2', vessel: 'MSC ANNA' }] })), 5000);
  });
  await new Promise<void>((r) => slowFeed.listen(0, '127.0.0.1', r));
  await admin.call('PUT', '/api/platform/datasets/port_calls', { title: '港口靠泊计划', owner: 'port-desk', fields: [{ name: 'call_id', type: 'text', required: true }, { name: 'vessel', type: 'text' }], key: ['call_id'] });
  await admin.call('PUT', '/api/platform/connectors/port-feed', { name: '港口调度接口', provider: '港务集团', source: { kind: 'http-json', url: `http://127.0.0.1:${(slowFeed.address() as AddressInfo).port}/calls`, records: 'items' }, retry: { attempts: 1 }, target: { dataset: 'port_calls' } });

  // Definitions through the API, as a manager would save them.
  await admin.call('PUT', '/api/platform/datasets/enterprise', {
    title: '企业主数据', owner: 'enterprise-desk', topic: 'enterprise', updateCycle: 'daily',
    fields: [
      { name: 'uscc', type: 'text', required: true, title: '统一社会信用代码' },
      { name: 'customs_code', type: 'text', title: '海关编码' },
      { name: 'name', type: 'text', required: true, title: '企业名称' },
    ],
    key: ['uscc'],
  });
  await admin.call('PUT', '/api/platform/datasets/declaration_items', {
    title: '报关单商品项', owner: 'stats-desk', topic: 'declaration', updateCycle: 'daily',
    fields: [
      { name: 'entry_id', type: 'text', required: true, title: '报关单号' },
      { name: 'g_no', type: 'integer', required: true, title: '项号' },
      { name: 'uscc', type: 'text', required: true, title: '经营单位信用代码' },
      { name: 'enterprise_name', type: 'text', title: '企业名称' },
      { name: 'country', type: 'text', codeTable: 'country', title: '原产国' },
      { name: 'value_usd', type: 'number', unit: 'USD', title: '美元价值' },
    ],
    key: ['entry_id', 'g_no'],
    quality: {
      rules: [
        { id: 'name-present', check: 'not_null', field: 'enterprise_name' },
        { id: 'uscc-valid', check: 'uscc', field: 'uscc' },
        { id: 'value-range', check: 'range', field: 'value_usd', min: 0, max: 100000 },
        { id: 'one-per-item', check: 'unique', fields: ['entry_id', 'g_no'] },
        { id: 'master-ref', check: 'reference', field: 'uscc', dataset: 'enterprise', refField: 'uscc' },
        { id: 'fresh', check: 'freshness', maxAgeSeconds: 86400 },
        { id: 'answers', check: 'accessible', minRows: 1 },
      ],
    },
  });
  await admin.call('PUT', '/api/platform/pipelines/decl-clean', {
    name: '报关单清洗',
    steps: [
      { op: 'map', fields: { entry_id: '报关单号', g_no: '项号', uscc: '经营单位信用代码', origin: '原产国', value_usd: '美元价值' } },
      { op: 'parse', fields: { g_no: 'integer', value_usd: 'number' } },
      { op: 'validate', checks: [{ field: 'entry_id', is: 'entry_id', required: true }, { field: 'value_usd', min: 0, required: true }] },
      { op: 'convert', field: 'origin', table: 'country', from: 'alpha2', to: 'code', target: 'country' },
      { op: 'dedupe', key: ['entry_id', 'g_no'] },
      { op: 'enrich', dataset: 'enterprise', field: 'uscc', refField: 'uscc', match: 'uscc', fields: { enterprise_name: 'name' } },
    ],
  });
  await admin.call('PUT', '/api/platform/connectors/ent-master', { name: '企业主数据文件', provider: '市场监管局', source: { kind: 'file-inbox', dir: 'inbox/ent', pattern: '*.csv' }, target: { dataset: 'enterprise' } });
  await admin.call('PUT', '/api/platform/connectors/decl-files', { name: '报关单文件', provider: '通关系统', source: { kind: 'file-inbox', dir: 'inbox/decl', pattern: '*.csv' }, target: { dataset: 'declaration_items', pipeline: 'decl-clean' } });
  const inbox = path.join(cloud.dataDir, 'platform', 'inbox');
  fs.mkdirSync(path.join(inbox, 'ent'), { recursive: true });
  fs.mkdirSync(path.join(inbox, 'decl'), { recursive: true });
  fs.writeFileSync(path.join(inbox, 'ent', 'enterprise.csv'), MASTER);
  fs.writeFileSync(path.join(inbox, 'decl', 'decl-2026-03.csv'), [HEAD, ...GOOD.slice(0, 2), BAD[0]![0], ...GOOD.slice(2), ...BAD.slice(1).map((b) => b[0])].join('\n'));
  const master = await admin.call('POST', '/api/platform/connectors/ent-master/run', { wait: true });
  assert.equal(master.status, 'succeeded', master.error ?? '');

  // A published catalogue entry for the declaration data set, shared on conditions.
  const entry = await admin.call('POST', '/api/platform/catalogue', {
    name: '报关单商品项数据', catalogueType: 'topic', classification: { category: '2', item: '01', catalog: '003' }, provider: '洋山港海关统计科', providerCode: '2225',
    abstract: '进出口报关单商品项，含经营单位、原产国与美元价值。', format: 'database', dataset: 'declaration_items',
    sharing: { type: 'conditional', conditions: '仅限监管用途', method: '接口' }, opening: { open: false, conditions: '' }, updateCycle: 'daily', keywords: ['报关单', '商品'],
  });
  entryCode = entry.code;
  await admin.call('POST', `/api/platform/catalogue/${entryCode}/publish`);

  ui = await ConsoleBrowser.launch(cloud.url, 'platform');
});

after(async () => {
  await ui?.close();
  await cloud?.stop();
  slowFeed?.close();
  consoleBuild?.remove();
});

test('administrator: run a source, rejects, data set, quality, lineage and metadata against the API', { timeout: 90_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'admin', async () => {
    await login(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('nav-platform').click();
    await page.getByTestId('pf-src-table').waitFor();

    // ---- sources: run the declaration files now; the row shows the API's run
    await page.getByTestId('pf-src-run-decl-files').click();
    const status = page.getByTestId('pf-src-status-decl-files');
    await until('the run to finish on the page', async () => (await status.getAttribute('data-status')) === 'succeeded');
    const runs = await admin.call('GET', '/api/platform/runs?connector=decl-files');
    assert.equal(runs.items.length, 1);
    const run = runs.items[0];
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.rowsIn, GOOD.length + BAD.length);
    assert.equal(run.rowsRejected, BAD.length);
    assert.equal(num(await page.getByTestId('pf-src-in-decl-files').textContent()), run.rowsIn);
    assert.equal(num(await page.getByTestId('pf-src-out-decl-files').textContent()), run.rowsOut);
    assert.equal(num(await page.getByTestId('pf-src-rejected-decl-files').textContent()), run.rowsRejected);
    assert.equal(await page.getByTestId('pf-src-health-decl-files').getAttribute('data-health'), 'degraded');
    assert.equal(await page.getByTestId('pf-src-health-ent-master').getAttribute('data-health'), 'healthy');
    await shot(page, 'sources');
    await page.getByTestId('pf-src-history-decl-files').click();
    await page.getByTestId(`pf-run-in-${run.id}`).waitFor();
    assert.equal(num(await page.getByTestId(`pf-run-in-${run.id}`).textContent()), run.rowsIn);
    assert.equal(num(await page.getByTestId(`pf-run-rejected-${run.id}`).textContent()), run.rowsRejected);
    await shot(page, 'source-runs');
    await page.keyboard.press('Escape');
    await page.getByTestId('pf-runs-drawer').waitFor({ state: 'hidden' });

    // a slow source shows as a running job while it runs, then with the API's counts
    await page.getByTestId('pf-src-run-port-feed').click();
    await page.locator('[data-testid="pf-running-job"][data-connector="port-feed"]').waitFor({ timeout: 5000 });
    await shot(page, 'running');
    await page.getByTestId('pf-running').waitFor({ state: 'detached', timeout: 15_000 });
    await until('the slow run to finish on the page', async () => (await page.getByTestId('pf-src-status-port-feed').getAttribute('data-status')) === 'succeeded');
    const slow = (await admin.call('GET', '/api/platform/runs?connector=port-feed')).items[0];
    assert.deepEqual([slow.status, slow.rowsIn, slow.rowsInserted], ['succeeded', 2, 2]);
    assert.equal(num(await page.getByTestId('pf-src-in-port-feed').textContent()), slow.rowsIn);

    // a definition the server refuses: its validation errors are shown, nothing is saved
    await page.getByTestId('pf-src-new').click();
    const editor = page.getByTestId('pf-editor-text');
    await editor.fill(JSON.stringify({ id: 'bad-source', name: '错误的数据源', source: { kind: 'file-inbox' }, target: { dataset: 'Not-A-Name' } }));
    await page.getByTestId('pf-editor-save').click();
    const refused = page.getByTestId('pf-editor-error');
    await refused.waitFor();
    const msg = await refused.textContent();
    assert.match(msg ?? '', /target\.dataset|source/, msg ?? '');
    await shot(page, 'source-editor-refused');
    const list = await admin.call('GET', '/api/platform/connectors');
    assert.ok(!list.items.some((c: { id: string }) => c.id === 'bad-source'));
    await page.keyboard.press('Escape');

    // ---- pipelines: every bad row is listed with its reason, as the API has it
    await page.getByTestId('pf-tab-pipelines').click();
    await page.getByTestId('pf-pl-table').waitFor();
    const rejects = await admin.call('GET', '/api/platform/rejects?connector=decl-files');
    assert.equal(rejects.total, BAD.length);
    await until('all rejects listed', async () => (await page.getByTestId('pf-rej-row').count()) === rejects.total);
    const shown = await page.getByTestId('pf-rej-row').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-ref')}|${e.getAttribute('data-reason')}`).sort());
    assert.deepEqual(shown, rejects.items.map((r: { ref: string; reason: string }) => `${r.ref}|${r.reason}`).sort());
    assert.deepEqual(rejects.items.map((r: { reason: string }) => r.reason).sort(), BAD.map((b) => b[1]).sort());
    assert.match(await page.getByTestId('pf-rej-table').textContent() ?? '', /校验位错误/);
    await page.getByTestId('pf-rej-reason').click();
    await page.locator('.ant-select-dropdown:visible').getByText('代码不存在', { exact: true }).click();
    await until('the reason filter', async () => (await page.getByTestId('pf-rej-row').count()) === 1);
    assert.equal(await page.getByTestId('pf-rej-row').getAttribute('data-reason'), 'unknown_code');
    await shot(page, 'rejects');
    await page.getByTestId('pf-pl-view-decl-clean').click();
    await page.getByTestId('pf-pl-steps').waitFor();
    assert.equal(await page.getByTestId('pf-pl-steps').locator('tbody tr.ant-table-row').count(), 6);
    await page.keyboard.press('Escape');

    // ---- data sets: the row count and rows are the API's
    await page.getByTestId('pf-tab-datasets').click();
    const rows = await admin.call('GET', '/api/platform/datasets/declaration_items/rows?limit=100');
    assert.equal(rows.total, GOOD.length);
    await until('row count', async () => num(await page.getByTestId('pf-ds-rows-declaration_items').textContent()) === rows.total);
    await page.getByTestId('pf-ds-declaration_items').click();
    await page.getByTestId('pf-ds-schema').waitFor();
    await page.getByRole('tab', { name: '浏览数据' }).click();
    await until('rows listed', async () => (await page.getByTestId('pf-ds-rows').locator('tbody tr.ant-table-row').count()) === rows.total);
    assert.match((await page.getByTestId('pf-ds-rows').textContent()) ?? '', /上海乙国际贸易有限公司/);
    await page.waitForTimeout(400); // the tab bar's ink moving over
    await shot(page, 'datasets');
    await page.keyboard.press('Escape');

    // ---- quality: score and indicators are the API's latest run; the failing range rule has an issue
    await page.goto(`${cloud.url}/platform/quality?dataset=declaration_items`);
    const first = await admin.call('GET', '/api/platform/datasets/declaration_items/quality');
    assert.equal(first.items.length, 1); // after the load
    await until('the load\'s quality run', async () => (await page.getByTestId('pf-q-latest').getAttribute('data-run')) === String(first.items[0].id));
    await page.getByTestId('pf-q-run').click(); // a second run, from the page
    let hist: { items: { id: number }[] } = first;
    await until('a second quality run', async () => (hist = await admin.call('GET', '/api/platform/datasets/declaration_items/quality')).items.length === 2);
    const latest = await admin.call('GET', `/api/platform/quality/runs/${hist.items[0]!.id}`);
    assert.notEqual(latest.id, first.items[0].id);
    await until('the latest quality run', async () => (await page.getByTestId('pf-q-latest').getAttribute('data-run')) === String(latest.id));
    assert.equal(Number(await page.getByTestId('pf-q-score').getAttribute('data-value')), latest.score);
    assert.ok(latest.score < 100, `score ${latest.score}`);
    for (const ind of ['normativity', 'completeness', 'accuracy', 'consistency', 'timeliness', 'accessibility']) {
      const v = await page.getByTestId(`pf-q-ind-${ind}`).getAttribute('data-value');
      assert.equal(v === '' ? undefined : Number(v), latest.indicators[ind], ind);
    }
    const failedRange = latest.results.find((r: { ruleId: string }) => r.ruleId === 'value-range');
    assert.equal(failedRange.failed, 1);
    assert.equal(await page.locator('[data-testid="pf-q-rule"][data-rule="value-range"]').getAttribute('data-failed'), '1');
    await page.getByTestId('pf-q-bar').waitFor();
    await page.getByTestId('pf-q-line').waitFor();
    const issues = await admin.call('GET', '/api/platform/quality/issues?dataset=declaration_items');
    const issue = issues.items.find((i: { ruleId: string }) => i.ruleId === 'value-range');
    assert.equal(issue?.status, 'open');
    await page.locator('[data-testid="pf-issue-row"][data-rule="value-range"][data-status="open"]').waitFor();
    await shot(page, 'quality');
    await page.getByTestId(`pf-issue-close-${issue.id}`).click();
    await page.locator('[data-testid="pf-issue-row"][data-rule="value-range"][data-status="resolved"]').waitFor();
    const closed = await admin.call('GET', '/api/platform/quality/issues?dataset=declaration_items&status=resolved');
    assert.ok(closed.items.some((i: { id: number }) => i.id === issue.id));

    // ---- metadata: the lineage graph is the API's lineage; a description edited reads back
    await page.goto(`${cloud.url}/platform/metadata?lineage=declaration_items`);
    const lineage = await admin.call('GET', '/api/platform/lineage?node=dataset:declaration_items');
    const g = page.getByTestId('pf-lineage');
    await until('the lineage graph', async () => (await g.getAttribute('data-focus')) === 'declaration_items');
    await page.getByTestId('pf-lineage-chart').locator('canvas').first().waitFor();
    assert.deepEqual((await g.getAttribute('data-nodes'))!.split(',').sort(), lineage.nodes.map((n: { id: string }) => n.id).sort());
    assert.deepEqual((await g.getAttribute('data-edges'))!.split(',').sort(), lineage.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`).sort());
    assert.deepEqual(lineage.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`).sort(), [
      'connector:decl-files>pipeline:decl-clean',
      'connector:ent-master>dataset:enterprise',
      'dataset:enterprise>pipeline:decl-clean',
      'pipeline:decl-clean>dataset:declaration_items',
    ]);
    assert.match((await page.getByTestId('pf-lineage-edges').textContent()) ?? '', /报关单清洗/);
    await shot(page, 'lineage');
    const search = await inputOf(page, 'pf-meta-q');
    await search.fill('declaration_items');
    await search.press('Enter');
    await page.getByTestId('pf-meta-edit-dataset:declaration_items').click();
    await page.getByTestId('pf-meta-description').fill('报关单商品项，来自通关系统每日导出');
    await page.getByTestId('pf-meta-save').click();
    await page.locator('[data-testid="pf-meta-row"][data-asset="dataset:declaration_items"]').getByText('报关单商品项，来自通关系统每日导出').waitFor();
    const meta = await admin.call('GET', '/api/platform/metadata?q=declaration_items&kind=dataset');
    assert.equal(meta.items.find((m: { id: string }) => m.id === 'dataset:declaration_items').description, '报关单商品项，来自通关系统每日导出');
    await shot(page, 'metadata');
  });
});

test('catalogue: a published entry, an access request by command staff, approved by the administrator, the log and the export', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'catalogue', async () => {
    await login(page, USERS.command.username);
    await page.goto(`${cloud.url}/platform/catalogue`);
    const row = page.locator(`[data-testid="pf-cat-row"][data-code="${entryCode}"]`);
    await row.waitFor();
    await row.click();
    await page.getByTestId('pf-cat-detail').waitFor();
    assert.equal(await page.getByTestId('pf-cat-code').textContent(), entryCode);
    assert.equal(await page.getByTestId('pf-cat-sharing').getAttribute('data-sharing'), 'conditional');
    assert.equal(await page.getByTestId('pf-cat-items').locator('tbody tr.ant-table-row').count(), 6); // the data set's fields
    await page.waitForTimeout(400); // the drawer's slide-in
    await shot(page, 'catalogue-entry');
    await page.getByTestId('pf-cat-request').click();
    await page.getByTestId('pf-cat-org').fill('洋山港海关风险防控科');
    await page.getByTestId('pf-cat-purpose').fill('布控规则回测');
    await page.getByTestId('pf-cat-request-ok').click();
    await page.getByTestId('pf-cat-request-ok').waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    const reqs = await admin.call('GET', `/api/platform/access-requests?code=${entryCode}`);
    assert.equal(reqs.items.length, 1);
    const req = reqs.items[0];
    assert.deepEqual([req.status, req.requester, req.organisation], ['pending', USERS.command.username, '洋山港海关风险防控科']);
    await page.locator(`[data-testid="pf-req-row"][data-id="${req.id}"][data-status="pending"]`).waitFor();
    assert.equal(await page.getByTestId(`pf-req-approve-${req.id}`).count(), 0); // command staff cannot decide
    // the export holds the published entry
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pf-cat-export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    assert.match(csv.split(/\r?\n/)[0]!, /信息资源代码/);
    assert.ok(csv.includes(entryCode) && csv.includes('报关单商品项数据'));
    await shot(page, 'catalogue');

    const boss = await newPage();
    await login(boss, ADMIN.username, ADMIN.password);
    await boss.goto(`${cloud.url}/platform/catalogue`);
    await boss.getByTestId(`pf-req-approve-${req.id}`).click();
    await boss.getByTestId('pf-req-note').fill('同意，限三个月');
    await boss.getByTestId('pf-req-decide-ok').click();
    await boss.locator(`[data-testid="pf-req-row"][data-id="${req.id}"][data-status="approved"]`).waitFor();
    const decided = await admin.call('GET', `/api/platform/access-requests?code=${entryCode}`);
    assert.deepEqual([decided.items[0].status, decided.items[0].decidedBy, decided.items[0].note], ['approved', ADMIN.username, '同意，限三个月']);
    const log = await admin.call('GET', `/api/platform/catalogue-log?code=${entryCode}`);
    assert.deepEqual(log.items.map((l: { action: string }) => l.action), ['created', 'published', 'requested', 'approved']);
    await boss.locator('[data-testid="pf-log-row"][data-action="approved"]').waitFor();
    await boss.getByTestId('pf-req-decide-ok').waitFor({ state: 'hidden' });
    await shot(boss, 'catalogue-approved');
  });
});

test('auditor: reads every tab, manages nothing, in English too', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'auditor', async () => {
    await login(page, USERS.auditor.username);
    await page.getByTestId('nav-platform').click();
    await page.getByTestId('pf-src-decl-files').waitFor();
    assert.equal(await page.getByTestId('pf-src-run-decl-files').count(), 0);
    assert.equal(await page.getByTestId('pf-src-edit-decl-files').count(), 0);
    assert.equal(await page.getByTestId('pf-src-new').count(), 0);
    await page.getByTestId('pf-tab-pipelines').click();
    await page.getByTestId('pf-pl-view-decl-clean').waitFor();
    assert.equal(await page.getByTestId('pf-pl-rerun-decl-clean').count(), 0);
    await page.getByTestId('pf-tab-quality').click();
    await page.getByTestId('pf-issues').waitFor();
    await page.getByTestId('pf-issue-row').first().waitFor();
    assert.equal(await page.getByTestId('pf-q-run').count(), 0);
    assert.equal(await page.locator('[data-testid^="pf-issue-close-"], [data-testid^="pf-issue-assign-"]').count(), 0);
    await page.getByTestId('pf-tab-metadata').click();
    await page.getByTestId('pf-meta-row').first().waitFor();
    assert.equal(await page.locator('[data-testid^="pf-meta-edit-"]').count(), 0);
    await page.getByTestId('pf-tab-catalogue').click();
    await page.getByTestId('pf-req-row').first().waitFor();
    assert.equal(await page.locator('[data-testid^="pf-req-approve-"], [data-testid^="pf-req-reject-"]').count(), 0);
    assert.equal(await page.getByTestId('pf-cat-status').count(), 0);
    // a manager-only route is refused by the server whatever the page shows
    const res = await page.evaluate(async () => (await fetch('/api/platform/connectors/decl-files/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    assert.ok(res === 403 || res === 401, `status ${res}`);
    await shot(page, 'auditor');

    await page.getByTestId('lang-switch').getByText('EN').click();
    await page.getByTestId('pf-tab-sources').click();
    await page.getByText('Rows in').first().waitFor();
    assert.equal(await page.getByTestId('pf-tab-quality').textContent(), 'Data quality');
    await page.waitForTimeout(400); // the tab bar's ink moving over
    await shot(page, 'auditor-en');
  });
});
