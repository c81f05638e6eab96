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
 *     access; only the data owner decides: neither the requester nor the administrator (no
 *     platform.decide) sees an approve button, and the server refuses the administrator; a command
 *     user of the owning organisation approves it on the page; the API and the catalogue log agree;
 *     the CSV export holds the entry;
 *   - data exchange: partners and outbound exchanges as the API has them; the administrator runs an
 *     exchange from the page, delivered over HTTP to a local receiver that gets the SM2-signed package;
 *     the page's log row is the API's entry; a package posted to the inbound API and then tampered with
 *     is refused as tampered, a replay dropped in the incoming folder is refused on "scan"; a pull
 *     from a partner's unreachable SFTP server fails with pull_failed;
 *   - the auditor (platform.read) sees no run / edit / new / rerun / close / approve / edit-metadata /
 *     exchange run, pull or scan buttons, and the pages read in English too.
 * Screenshots: .tmp/screenshots/platform-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { buildPackage } from '../../cloud/platform/exchange.js';
import { canonicalJsonBytes, generateKeyPair, generateSm4Key, privateKeyToPem, publicKeyToHex, signatureFromDer, sm3Hex, verify } from '../../shared/crypto/index.js';
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

/** The data owner: a command user of the organisation named as the declaration data set's owner. */
const OWNER_ORG = '统计分析科';
const OWNER = { username: 'qian.qi', displayName: '钱七', roles: ['command'] };

/** Exchange keys: ours (signing), the partner's (its packages verify with it), the SM4 key agreed with it. */
const ourKey = generateKeyPair();
const partnerKey = generateKeyPair();
const sm4 = generateSm4Key();
/** What the partner's HTTP API received, with a delay so that the page shows the run in progress. */
const received: any[] = [];
let receiver: http.Server;

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
  const org = await cloud.admin('/api/orgs', { body: { kind: 'customs', name: OWNER_ORG } });
  assert.equal(org.status, 201, JSON.stringify(org.body));
  const owner = await cloud.admin('/api/users', { body: { ...OWNER, password: PASSWORD, orgId: (org.body as { id: string }).id } });
  assert.equal(owner.status, 201, JSON.stringify(owner.body));

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
    title: '报关单商品项', owner: OWNER_ORG, topic: 'declaration', updateCycle: 'daily',
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

  // Data exchange: keys by reference (files in the platform's secrets folder), a partner whose HTTP API
  // (a local server here) receives our packages, and an exchange of the enterprise master data.
  const secrets = path.join(cloud.dataDir, 'platform', 'secrets');
  fs.mkdirSync(secrets, { recursive: true });
  fs.writeFileSync(path.join(secrets, 'qs-sign'), privateKeyToPem(ourKey));
  fs.writeFileSync(path.join(secrets, 'ent-pub'), publicKeyToHex(partnerKey.publicKey));
  fs.writeFileSync(path.join(secrets, 'ent-sm4'), sm4.toString('hex'));
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}'), 1500);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  await admin.call('PUT', '/api/platform/exchange/partners/ent-yangshan', { name: '上海洋山国际物流有限公司', kind: 'enterprise', selfId: 'yangshan-customs', verifyKey: { secret: 'ent-pub' }, sm4Key: { secret: 'ent-sm4' }, encrypt: true });
  await admin.call('PUT', '/api/platform/exchange/outbound/ent-to-yangshan', {
    name: '企业主数据推送', partner: 'ent-yangshan', source: { dataset: 'enterprise', fields: ['uscc', 'name'] }, format: 'csv', signingKey: { secret: 'qs-sign' },
    delivery: { kind: 'http', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/platform/exchange/inbound` },
  });

  ui = await ConsoleBrowser.launch(cloud.url, 'platform');
});

after(async () => {
  await ui?.close();
  await cloud?.stop();
  slowFeed?.close();
  receiver?.close();
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

test('catalogue: a published entry, an access request by command staff, decided by the data owner only, the log and the export', { timeout: 60_000 }, async () => {
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
    assert.equal(req.owner, OWNER_ORG); // the data set's owner
    const pendingRow = page.locator(`[data-testid="pf-req-row"][data-id="${req.id}"][data-status="pending"]`);
    await pendingRow.waitFor();
    assert.equal(await pendingRow.getAttribute('data-owner'), OWNER_ORG);
    // the requester holds platform.decide (command) but does not speak for the owner
    const asRequester = await ApiSession.login(cloud.url, USERS.command.username, PASSWORD);
    assert.equal((await asRequester.call('GET', `/api/platform/access-requests?code=${entryCode}`)).items[0].canDecide, false);
    const notOwner = await asRequester.send('POST', `/api/platform/access-requests/${req.id}/decision`, { decision: 'approved', note: '' });
    assert.equal(notOwner.status, 403, notOwner.text); // refused by the service, and logged
    assert.equal(await page.locator('[data-testid^="pf-req-approve-"], [data-testid^="pf-req-reject-"]').count(), 0);
    // the export holds the published entry
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pf-cat-export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    assert.match(csv.split(/\r?\n/)[0]!, /信息资源代码/);
    assert.ok(csv.includes(entryCode) && csv.includes('报关单商品项数据'));
    await shot(page, 'catalogue');

    // the administrator manages the platform but does not decide (no platform.decide): no buttons, and refused
    const boss = await newPage();
    await login(boss, ADMIN.username, ADMIN.password);
    await boss.goto(`${cloud.url}/platform/catalogue`);
    await boss.locator(`[data-testid="pf-req-row"][data-id="${req.id}"][data-status="pending"]`).waitFor();
    assert.equal(await boss.locator('[data-testid^="pf-req-approve-"], [data-testid^="pf-req-reject-"]').count(), 0);
    assert.equal((await admin.call('GET', `/api/platform/access-requests?code=${entryCode}`)).items[0].canDecide, false);
    const refused = await admin.send('POST', `/api/platform/access-requests/${req.id}/decision`, { decision: 'approved', note: '' });
    assert.equal(refused.status, 403, refused.text);

    // the owner (a command user of the owning organisation) approves it on the page
    const asOwner = await ApiSession.login(cloud.url, OWNER.username, PASSWORD);
    assert.equal((await asOwner.call('GET', `/api/platform/access-requests?code=${entryCode}`)).items[0].canDecide, true);
    const own = await newPage();
    await login(own, OWNER.username);
    await own.goto(`${cloud.url}/platform/catalogue`);
    await own.getByTestId(`pf-req-approve-${req.id}`).click();
    await own.getByTestId('pf-req-note').fill('同意，限三个月');
    await own.getByTestId('pf-req-decide-ok').click();
    await own.locator(`[data-testid="pf-req-row"][data-id="${req.id}"][data-status="approved"]`).waitFor();
    assert.equal(await own.getByTestId(`pf-req-approve-${req.id}`).count(), 0); // decided: nothing left to decide
    const decided = await admin.call('GET', `/api/platform/access-requests?code=${entryCode}`);
    assert.deepEqual([decided.items[0].status, decided.items[0].decidedBy, decided.items[0].note, decided.items[0].canDecide], ['approved', OWNER.username, '同意，限三个月', false]);
    const log = await admin.call('GET', `/api/platform/catalogue-log?code=${entryCode}`);
    assert.deepEqual(log.items.map((l: { action: string }) => l.action), ['created', 'published', 'requested', 'refused_decision', 'approved']);
    // the administrator's attempt stopped at the permission check; the requester's was refused as not the owner
    assert.deepEqual(log.items.filter((l: { action: string }) => l.action !== 'created' && l.action !== 'published').map((l: { actor: string }) => l.actor), [USERS.command.username, USERS.command.username, OWNER.username]);
    await own.locator('[data-testid="pf-log-row"][data-action="approved"]').waitFor();
    await own.getByTestId('pf-req-decide-ok').waitFor({ state: 'hidden' });
    await shot(own, 'catalogue-approved');
  });
});

test('exchange: an outbound exchange run from the page, delivered over HTTP; refused inbound packages; the log against the API', { timeout: 60_000 }, async () => {
  const page = await newPage();
  await guarded(page, 'exchange', async () => {
    await login(page, ADMIN.username, ADMIN.password);
    await page.goto(`${cloud.url}/platform/exchange`);
    // the partners and outbound exchanges are the API's
    const partners = await admin.call('GET', '/api/platform/exchange/partners');
    const outbounds = await admin.call('GET', '/api/platform/exchange/outbound');
    await until('partners and exchanges listed', async () => (await page.getByTestId('pf-xchg-partner-row').count()) === partners.items.length && (await page.getByTestId('pf-xchg-outbound-row').count()) === outbounds.items.length);
    assert.deepEqual(await page.getByTestId('pf-xchg-partner-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), partners.items.map((p: { id: string }) => p.id));
    const partnerRow = page.locator('[data-testid="pf-xchg-partner-row"][data-id="ent-yangshan"]');
    assert.match((await partnerRow.textContent()) ?? '', /上海洋山国际物流有限公司.*企业.*yangshan-customs.*开/);

    // run now: in progress while the partner's API takes its time, then delivered, as the API logs it
    await page.getByTestId('pf-xchg-run-ent-to-yangshan').click();
    await page.locator('[data-testid="pf-xchg-running"][data-exchange="ent-to-yangshan"]').waitFor({ timeout: 5000 });
    const outcome = page.getByTestId('pf-xchg-outcome');
    await outcome.waitFor({ timeout: 15_000 });
    await page.getByTestId('pf-xchg-running').waitFor({ state: 'detached' });
    const out = await admin.call('GET', '/api/platform/exchange/log?direction=outbound&partner=ent-yangshan');
    assert.equal(out.total, 1);
    const sent = out.items[0];
    assert.deepEqual([sent.result, sent.rows, sent.channel, sent.encrypted, sent.exchangeId], ['delivered', 2, 'http', true, 'ent-to-yangshan']); // the two enterprises of the master file
    assert.deepEqual([await outcome.getAttribute('data-result'), await outcome.getAttribute('data-package'), await outcome.getAttribute('data-log')], ['delivered', sent.packageId, String(sent.id)]);
    // the partner's API received that package: signed with our key over the manifest, the data sealed
    assert.equal(received.length, 1);
    const pkg = received[0];
    assert.deepEqual([pkg.manifest.packageId, pkg.manifest.rows, pkg.manifest.dataSm3, pkg.manifest.receiver, pkg.manifest.encryption], [sent.packageId, 2, sent.dataSm3, 'ent-yangshan', 'sm4cbc-hs3.v1']);
    assert.ok(verify(ourKey.publicKey, canonicalJsonBytes(pkg.manifest), signatureFromDer(Buffer.from(pkg.signature.signatureDerHex, 'hex')), { id: pkg.signature.signerId }), 'our SM2 signature verifies');
    assert.equal(sm3Hex(pkg.payload), pkg.manifest.payloadSm3);
    assert.ok(!JSON.stringify(pkg).includes('上海甲进出口有限公司'), 'the data travels sealed');
    const sentRow = page.locator(`[data-testid="pf-xchg-log-row"][data-id="${sent.id}"]`);
    await sentRow.waitFor();
    assert.deepEqual(
      [await sentRow.getAttribute('data-direction'), await sentRow.getAttribute('data-result'), await sentRow.getAttribute('data-rows'), await sentRow.getAttribute('data-package')],
      ['outbound', 'delivered', '2', sent.packageId],
    );
    assert.match((await sentRow.textContent()) ?? '', /出.*已送达/);

    // inbound: the partner's package is accepted; the same one tampered with is refused as tampered
    const data = Buffer.from('uscc,rating\r\n91310115MA1K4ABC0X,高级认证\r\n913100001322008210,一般信用\r\n', 'utf8');
    const fresh = () => buildPackage({ sender: 'ent-yangshan', receiver: 'yangshan-customs', exchange: 'rating-return', dataset: 'ent_rating', columns: ['uscc', 'rating'], rows: 2, dataFormat: 'csv', data, signingKey: partnerKey, sm4Key: sm4 });
    const good = fresh();
    const ok = await admin.send('POST', '/api/platform/exchange/inbound', good.pkg);
    assert.equal(ok.status, 200, ok.text);
    const bad = fresh();
    const mid = Math.floor(bad.pkg.payload.length / 2);
    const tampered = { ...bad.pkg, payload: bad.pkg.payload.slice(0, mid) + (bad.pkg.payload[mid] === 'A' ? 'B' : 'A') + bad.pkg.payload.slice(mid + 1) };
    const no = await admin.send('POST', '/api/platform/exchange/inbound', tampered);
    assert.deepEqual([no.status, no.body.accepted, no.body.reason], [422, false, 'tampered']);
    // a replay of the accepted package, dropped in the incoming folder: "scan" refuses it as a replay
    const incoming = path.join(cloud.dataDir, 'platform', 'exchange', 'incoming');
    fs.mkdirSync(incoming, { recursive: true });
    fs.writeFileSync(path.join(incoming, `${good.manifest.packageId}.qsx.json`), good.bytes);
    await page.getByTestId('pf-xchg-scan').click();
    const result = page.getByTestId('pf-xchg-result-row');
    await result.waitFor();
    assert.equal(await result.count(), 1);
    assert.deepEqual([await result.getAttribute('data-accepted'), await result.getAttribute('data-package'), await result.getAttribute('data-reason')], ['false', good.manifest.packageId, 'replay']);
    await page.keyboard.press('Escape');
    await page.getByTestId('pf-xchg-results').waitFor({ state: 'hidden' });

    const inbound = await admin.call('GET', '/api/platform/exchange/log?direction=inbound');
    assert.deepEqual(inbound.items.map((e: { result: string; reason: string | null; channel: string }) => `${e.result}:${e.reason}:${e.channel}`), ['refused:replay:inbox', 'refused:tampered:http', 'accepted:null:http']);
    const refusedEntry = inbound.items[1];
    assert.equal(refusedEntry.packageId, bad.manifest.packageId);
    const tamperedRow = page.locator(`[data-testid="pf-xchg-log-row"][data-id="${refusedEntry.id}"]`);
    await tamperedRow.waitFor();
    assert.deepEqual([await tamperedRow.getAttribute('data-result'), await tamperedRow.getAttribute('data-reason'), await tamperedRow.getAttribute('data-package')], ['refused', 'tampered', bad.manifest.packageId]);
    assert.match((await tamperedRow.textContent()) ?? '', /已拒收.*数据被篡改.*\(tampered\)/);
    // every row of the log is the API's, newest first
    const all = await admin.call('GET', '/api/platform/exchange/log');
    await until('the whole log listed', async () => (await page.getByTestId('pf-xchg-log-row').count()) === all.total);
    assert.deepEqual(await page.getByTestId('pf-xchg-log-row').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-id')}|${e.getAttribute('data-result')}|${e.getAttribute('data-reason')}`)), all.items.map((e: { id: number; result: string; reason: string | null }) => `${e.id}|${e.result}|${e.reason ?? ''}`));
    // the result filter narrows the log as the API does
    await page.getByTestId('pf-xchg-f-result').click();
    await page.locator('.ant-select-dropdown:visible').getByText('已拒收', { exact: true }).click();
    const refusedOnly = await admin.call('GET', '/api/platform/exchange/log?result=refused');
    assert.equal(refusedOnly.total, 2);
    await until('the result filter', async () => (await page.getByTestId('pf-xchg-log-row').count()) === refusedOnly.total);
    assert.deepEqual(await page.getByTestId('pf-xchg-log-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason'))), ['replay', 'tampered']);
    await page.keyboard.press('Escape');
    await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
    await shot(page, 'exchange');

    // a partner whose SFTP server cannot be reached: "pull" fails with pull_failed, as the API logs it
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await admin.call('PUT', '/api/platform/exchange/partners/stats-bureau', {
      name: '市统计局', kind: 'department', selfId: 'yangshan-customs', verifyKey: { secret: 'ent-pub' },
      pull: { host: '127.0.0.1', port: deadPort, username: 'exchange', password: { secret: 'ent-sm4' }, remoteDir: '/outbox', afterPull: 'move', schedule: { type: 'manual' } },
    });
    await page.reload();
    const pullRow = page.locator('[data-testid="pf-xchg-partner-row"][data-id="stats-bureau"]');
    await pullRow.waitFor();
    assert.equal(await pullRow.getAttribute('data-pull'), 'true');
    assert.equal(await page.getByTestId('pf-xchg-pull-ent-yangshan').count(), 0); // no pull configured
    await page.getByTestId('pf-xchg-pull-stats-bureau').click();
    await until('the pull outcome', async () => (await outcome.getAttribute('data-result').catch(() => null)) === 'failed');
    const pulled = await admin.call('GET', '/api/platform/exchange/log?partner=stats-bureau');
    assert.deepEqual(pulled.items.map((e: { direction: string; result: string; reason: string }) => `${e.direction}:${e.result}:${e.reason}`), ['inbound:failed:pull_failed']);
    assert.equal(await outcome.getAttribute('data-log'), String(pulled.items[0].id));
    assert.match((await outcome.textContent()) ?? '', /拉取失败/);
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
    await page.getByTestId('pf-tab-exchange').click();
    await page.locator('[data-testid="pf-xchg-outbound-row"][data-id="ent-to-yangshan"]').waitFor();
    await page.locator('[data-testid="pf-xchg-partner-row"][data-pull="true"]').waitFor();
    await page.getByTestId('pf-xchg-log-row').first().waitFor();
    assert.equal(await page.locator('[data-testid^="pf-xchg-run-"], [data-testid^="pf-xchg-pull-"], [data-testid="pf-xchg-scan"]').count(), 0);
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
