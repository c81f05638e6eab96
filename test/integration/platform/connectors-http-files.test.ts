/**
 * Connector runs against real counterparts on loopback: an HTTP/JSON API (bearer token, page and
 * cursor pagination, incremental `since`, failures that are and are not worth retrying) and an inbox
 * folder with CSV, XLSX and JSON files. The run history records rows, attempts, cursor and errors.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { openTestPlatform, type TestPlatform } from './helpers.js';

const TOKEN = 'api-token-for-the-test-0123';

interface Record {
  id: string;
  vessel: string;
  imo: number;
  updated_at: number;
}

const RECORDS: Record[] = Array.from({ length: 23 }, (_, i) => ({ id: `PC${String(i + 1).padStart(3, '0')}`, vessel: `VESSEL ${i + 1}`, imo: 9_000_000 + i, updated_at: 1000 + i }));

describe('connectors: http-json and file-inbox', () => {
  let t: TestPlatform;
  let server: http.Server;
  let base = '';
  const seen: { url: string; auth: string | undefined }[] = [];
  /** Requests to /flaky fail with 503 until this reaches 0. */
  let flakyFailures = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorised"}');
        return;
      }
      const since = Number(url.searchParams.get('since') ?? '-1');
      const items = RECORDS.filter((r) => r.updated_at > since);
      if (url.pathname === '/paged') {
        const page = Number(url.searchParams.get('page'));
        const size = Number(url.searchParams.get('size'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { items: items.slice((page - 1) * size, page * size) } }));
      } else if (url.pathname === '/cursor') {
        const from = Number(url.searchParams.get('after') ?? '0');
        const slice = items.slice(from, from + 10);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rows: slice, next: from + 10 < items.length ? String(from + 10) : null }));
      } else if (url.pathname === '/flaky') {
        if (flakyFailures > 0) {
          flakyFailures -= 1;
          res.writeHead(503).end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(items.slice(0, 3)));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env['QS_TEST_PLATFORM_TOKEN'] = TOKEN;
    t = await openTestPlatform('sqlite', { secrets: (name) => (name === 'port-api' ? TOKEN : undefined) });
    await t.platform.saveDataset(
      {
        name: 'port_calls',
        title: '港口船舶动态',
        owner: 'port-data-team',
        topic: 'vessel',
        fields: [
          { name: 'id', type: 'text', required: true },
          { name: 'vessel', type: 'text' },
          { name: 'imo', type: 'integer' },
          { name: 'updated_at', type: 'integer' },
        ],
        key: ['id'],
      },
      'tester',
    );
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((r) => server.close(() => r()));
    delete process.env['QS_TEST_PLATFORM_TOKEN'];
  });

  it('pulls every page with the bearer token, then only what changed since the cursor', async () => {
    await t.platform.saveConnector(
      {
        id: 'port-api',
        name: '港口调度接口',
        source: { kind: 'http-json', url: `${base}/paged`, records: 'data.items', auth: { type: 'bearer', token: { secret: 'port-api' } }, pagination: { type: 'page', size: 10 }, sinceParam: 'since' },
        cursorField: 'updated_at',
        target: { dataset: 'port_calls' },
      },
      'tester',
    );
    seen.length = 0;
    const run = await t.platform.runConnector('port-api');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.attempts, 1);
    assert.equal(run.rowsIn, 23);
    assert.equal(run.rowsOut, 23);
    assert.equal(run.rowsInserted, 23);
    assert.equal(run.rowsRejected, 0);
    assert.equal(run.cursorBefore, null);
    assert.equal(run.cursorAfter, '1022');
    assert.ok(run.durationMs !== null && run.durationMs >= 0);
    // three pages of 10, 10 and 3, each with the token
    assert.deepEqual(
      seen.map((s) => new URL(s.url, 'http://x').searchParams.get('page')),
      ['1', '2', '3'],
    );
    assert.ok(seen.every((s) => s.auth === `Bearer ${TOKEN}`));
    const rows = await t.platform.rows('port_calls', { limit: 100, offset: 0 });
    assert.equal(rows.total, 23);
    assert.deepEqual(rows.rows[0], { id: 'PC001', vessel: 'VESSEL 1', imo: 9000000, updated_at: 1000, _loaded_at: rows.rows[0]!['_loaded_at'] });

    // a record changes upstream: the next run asks since 1022 and gets only it
    RECORDS[4] = { ...RECORDS[4]!, vessel: 'VESSEL FIVE', updated_at: 2000 };
    seen.length = 0;
    const second = await t.platform.runConnector('port-api');
    assert.equal(second.status, 'succeeded', second.error ?? '');
    assert.equal(new URL(seen[0]!.url, 'http://x').searchParams.get('since'), '1022');
    assert.equal(second.rowsIn, 1);
    assert.equal(second.rowsUpdated, 1);
    assert.equal(second.rowsInserted, 0);
    assert.equal(second.cursorAfter, '2000');
    const five = await t.platform.rows('port_calls', { limit: 1, offset: 0, where: { id: 'PC005' } });
    assert.equal(five.rows[0]!['vessel'], 'VESSEL FIVE');
    assert.equal(await t.platform.cursor('port-api'), '2000');
    // lineage: connector → data set
    const g = await t.platform.lineage('dataset:port_calls');
    assert.deepEqual(
      g.edges.map((e) => `${e.from}>${e.to}`),
      ['connector:port-api>dataset:port_calls'],
    );
  });

  it('follows cursor pagination until the server gives no next cursor', async () => {
    await t.platform.saveConnector(
      {
        id: 'port-api-cursor',
        name: '港口调度接口 (游标分页)',
        source: { kind: 'http-json', url: `${base}/cursor`, records: 'rows', auth: { type: 'bearer', token: { env: 'QS_TEST_PLATFORM_TOKEN' } }, pagination: { type: 'cursor', param: 'after', next: 'next' } },
        target: { dataset: 'port_calls' },
      },
      'tester',
    );
    seen.length = 0;
    const run = await t.platform.runConnector('port-api-cursor');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.rowsIn, 23);
    assert.deepEqual(
      seen.map((s) => new URL(s.url, 'http://x').searchParams.get('after')),
      [null, '10', '20'],
    );
    // same rows as already landed (PC005 included): a rerun of the same content changes nothing
    assert.equal(run.rowsUnchanged, 23);
    assert.equal(run.rowsInserted + run.rowsUpdated, 0);
  });

  it('retries a failing server with growing back-off and records every attempt', async () => {
    await t.platform.saveConnector(
      {
        id: 'flaky-api',
        name: 'flaky',
        source: { kind: 'http-json', url: `${base}/flaky`, auth: { type: 'bearer', token: { secret: 'port-api' } } },
        retry: { attempts: 4, backoffMs: 100, maxBackoffMs: 1000 },
        target: { dataset: 'port_calls' },
      },
      'tester',
    );
    flakyFailures = 2;
    const started = Date.now();
    const run = await t.platform.runConnector('flaky-api');
    const took = Date.now() - started;
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.attempts, 3);
    assert.match(run.error ?? '', /attempt 1: .*HTTP 503; attempt 2: .*HTTP 503/);
    // back-off 100 ms then 200 ms
    assert.ok(took >= 300, `took ${took} ms`);

    flakyFailures = 10;
    const failed = await t.platform.runConnector('flaky-api');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, 4);
    assert.equal((failed.error ?? '').split('; ').length, 4);
    flakyFailures = 0;
  });

  it('does not retry refused credentials or a missing secret', async () => {
    await t.platform.saveConnector(
      { id: 'wrong-token', name: 'wrong', source: { kind: 'http-json', url: `${base}/paged`, auth: { type: 'bearer', token: { env: 'QS_TEST_NOT_SET_ANYWHERE' } } }, retry: { attempts: 5, backoffMs: 10 }, target: { dataset: 'port_calls' } },
      'tester',
    );
    const missing = await t.platform.runConnector('wrong-token');
    assert.equal(missing.status, 'failed');
    assert.equal(missing.attempts, 1);
    assert.match(missing.error ?? '', /QS_TEST_NOT_SET_ANYWHERE .* not set/);

    process.env['QS_TEST_WRONG_TOKEN'] = 'nope';
    await t.platform.saveConnector(
      { id: 'wrong-token', name: 'wrong', source: { kind: 'http-json', url: `${base}/paged`, auth: { type: 'bearer', token: { env: 'QS_TEST_WRONG_TOKEN' } } }, retry: { attempts: 5, backoffMs: 10 }, target: { dataset: 'port_calls' } },
      'tester',
    );
    const refused = await t.platform.runConnector('wrong-token');
    delete process.env['QS_TEST_WRONG_TOKEN'];
    assert.equal(refused.status, 'failed');
    assert.equal(refused.attempts, 1);
    assert.equal(refused.connectorVersion, 2);
    assert.match(refused.error ?? '', /HTTP 401/);
    const history = await t.platform.runs({ connectorId: 'wrong-token' });
    assert.equal(history.total, 2);
    assert.deepEqual(
      history.items.map((r) => r.connectorVersion),
      [2, 1],
    );
  });

  it('refuses inline secrets and URLs with passwords in a definition', async () => {
    await assert.rejects(
      t.platform.saveConnector({ id: 'inline', name: 'x', source: { kind: 'http-json', url: `${base}/paged`, auth: { type: 'bearer', token: TOKEN } }, target: { dataset: 'port_calls' } }, 'tester'),
      (e: Error) => /connector\.source/.test(e.message),
    );
    await assert.rejects(
      t.platform.saveConnector({ id: 'inline', name: 'x', source: { kind: 'postgres', url: 'postgres://u:secret@127.0.0.1/db', table: 't', watermark: 'w' }, target: { dataset: 'port_calls' } }, 'tester'),
      (e: Error) => /without user or password/.test(e.message),
    );
  });

  it('refuses inbox folders outside the platform folder', async () => {
    for (const dir of ['/etc', '../../outside', 'inbox/../../x']) {
      await assert.rejects(
        t.platform.saveConnector({ id: 'escape', name: 'x', source: { kind: 'file-inbox', dir }, target: { dataset: 'port_calls' } }, 'tester'),
        (e: Error) => /outside the inbox folders/.test(e.message),
        dir,
      );
    }
  });

  it('reads CSV, XLSX and JSON files dropped in the inbox, keeps unreadable records and archives the files', async () => {
    const inbox = path.join(t.dir, 'platform', 'inbox', 'port');
    fs.mkdirSync(inbox, { recursive: true });
    fs.writeFileSync(path.join(inbox, 'a.csv'), '\uFEFFid,vessel,imo,updated_at\r\nF001,"ORIENT, STAR",9100001,5000\r\nF002,BLUE SEA,9100002,5001\r\nF003,X,1,2,3\r\n');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('calls');
    ws.addRow(['id', 'vessel', 'imo', 'updated_at']);
    ws.addRow(['F010', '远洋之星', 9100010, 5010]);
    ws.addRow(['F011', 'PACIFIC', 9100011, 5011]);
    fs.writeFileSync(path.join(inbox, 'b.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
    fs.writeFileSync(path.join(inbox, 'c.json'), JSON.stringify({ records: [{ id: 'F020', vessel: 'JSON ONE', imo: 9100020, updated_at: 5020 }, 42] }));
    fs.writeFileSync(path.join(inbox, 'd.json'), '{ not json');
    fs.writeFileSync(path.join(inbox, 'notes.txt'), 'ignored: no format');
    await t.platform.saveConnector({ id: 'port-inbox', name: '港口文件投递', source: { kind: 'file-inbox', dir: 'inbox/port' }, target: { dataset: 'port_calls' } }, 'tester');
    const run = await t.platform.runConnector('port-inbox');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.rowsOut, 5);
    // F003 has too many fields, 42 is not an object, d.json is not JSON
    assert.equal(run.rowsRejected, 3);
    assert.equal(run.rowsIn, 8);
    const rejects = await t.platform.rejects({ connectorId: 'port-inbox' });
    assert.deepEqual(
      rejects.items.map((r) => [r.ref, r.reason]),
      [
        ['a.csv:4', 'parse_error'],
        ['c.json#2', 'parse_error'],
        ['d.json', 'parse_error'],
      ],
    );
    const f1 = await t.platform.rows('port_calls', { limit: 1, offset: 0, where: { id: 'F001' } });
    assert.equal(f1.rows[0]!['vessel'], 'ORIENT, STAR');
    const f10 = await t.platform.rows('port_calls', { limit: 1, offset: 0, where: { id: 'F010' } });
    assert.deepEqual([f10.rows[0]!['vessel'], f10.rows[0]!['imo']], ['远洋之星', 9100010]);
    assert.deepEqual(fs.readdirSync(inbox).sort(), ['archive', 'failed', 'notes.txt']);
    assert.equal(fs.readdirSync(path.join(inbox, 'archive')).length, 3);
    assert.equal(fs.readdirSync(path.join(inbox, 'failed')).length, 1);
    // nothing new: an empty run
    const again = await t.platform.runConnector('port-inbox');
    assert.equal(again.rowsIn, 0);
  });
});
