/** The trade REST API over real HTTP: statistics, exports, forecasts, warnings, risk, tags, loading. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createTradeRouter } from '../../../cloud/trade/router.js';
import { TradeService } from '../../../cloud/trade/service.js';
import { makeDataset, type Dataset } from './helpers.js';

let ds: Dataset;
let trade: TradeService;
let server: http.Server;
let base: string;

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; type: string; json: any; buf: Buffer }> {
  const res = await fetch(base + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, json: type.includes('json') ? JSON.parse(buf.toString('utf8')) : undefined, buf };
}

before(async () => {
  ds = await makeDataset({ rows: 20_000, enterprises: 100, years: 3, seed: 5 });
  trade = await TradeService.open({ dataDir: path.join(ds.dir, '..', 'data') });
  await trade.loadFile('enterprises', ds.enterprisesFile);
  for (const f of ds.yearFiles) await trade.loadFile('declarations', f);
  const app = express();
  app.use('/api/trade', createTradeRouter({ trade }));
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trade`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await trade?.close();
  ds?.cleanup();
});

describe('trade API', () => {
  it('meta, statistics, drill-down and validation errors', async () => {
    const meta = await call('GET', '/meta');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.json.range, { from: '2023-01', to: '2025-12' });
    assert.equal(meta.json.chapters.length, 98);
    const q = await call('POST', '/stats/query', { dims: ['year'], compare: 'yoy', period: { from: '2024-01', to: '2025-12' } });
    assert.equal(q.status, 200);
    assert.deepEqual(q.json.rows.map((r: any) => r.year), ['2024', '2025']);
    assert.ok(q.json.rows[1].value_usd_total_yoy !== null);
    const again = await call('POST', '/stats/query', { dims: ['year'], compare: 'yoy', period: { from: '2024-01', to: '2025-12' } });
    assert.equal(again.json.cached, true);
    const bad = await call('POST', '/stats/query', { dims: ['year; DROP TABLE decl_item'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'CLOUD_BAD_REQUEST');
    assert.match(bad.json.error.message, /dims/);
    const badJson = await call('POST', '/stats/query', '{not json');
    assert.equal(badJson.status, 400);
    const d = await call('POST', '/stats/drill', { spec: { dims: ['hs_chapter'], period: { from: '2025-01', to: '2025-12' } }, dim: 'hs_chapter', value: '85' });
    assert.equal(d.status, 200);
    assert.ok(d.json.rows.every((r: any) => r.hs_heading.startsWith('85')));
    const ex = await call('POST', '/stats/explain', { dims: ['country'], filters: { country: ['USA'] } });
    assert.ok(!ex.json.sql.includes("'USA'") && ex.json.params.includes('USA'));
  });

  it('exports CSV and XLSX', async () => {
    const csv = await call('POST', '/stats/export?format=csv', { dims: ['country'], period: { from: '2025-01', to: '2025-12' } });
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    assert.match(csv.buf.toString('utf8'), /国别\(地区\)/);
    const x = await call('POST', '/stats/export?format=xlsx', { dims: ['country'] });
    assert.match(x.type, /spreadsheetml/);
    assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
    assert.equal((await call('POST', '/stats/export?format=pdf', {})).status, 400);
  });

  it('forecasts', async () => {
    const f = await call('POST', '/forecast', { filters: { hs_chapter: ['84'] }, horizon: 3 });
    assert.equal(f.status, 200);
    assert.equal(f.json.points.length, 3);
    assert.ok(typeof f.json.mape === 'number');
    assert.equal((await call('POST', '/forecast', { horizon: 99 })).status, 400);
  });

  it('warnings: run, list, confirm with a handler', async () => {
    const run = await call('POST', '/warnings/run', {});
    assert.equal(run.status, 200);
    const list = await call('GET', '/warnings?limit=5');
    assert.equal(list.status, 200);
    assert.ok(list.json.total >= 1);
    const id = list.json.items[0].id;
    assert.equal((await call('PATCH', `/warnings/${id}`, { status: 'confirmed' })).status, 400, 'handler is required without auth');
    const p = await call('PATCH', `/warnings/${id}`, { status: 'dismissed', handler: '李四', note: '季节性波动' });
    assert.equal(p.json.status, 'dismissed');
    assert.equal(p.json.handler, '李四');
    assert.equal((await call('GET', '/warnings/999999')).status, 404);
    assert.equal((await call('GET', '/warnings?status=bogus')).status, 400);
  });

  it('risk: back-test before activation, then evaluate a declaration with explanations', async () => {
    const sets = await call('GET', '/risk/rulesets');
    assert.equal(sets.json.items[0].id, 'default');
    assert.equal(sets.json.items[0].status, 'draft');
    assert.equal((await call('POST', '/risk/rulesets/default/1/activate', { by: 'admin' })).status, 400);
    const bt = await call('POST', '/risk/rulesets/default/1/backtest', { from: '2025-10-01', to: '2025-12-31' });
    assert.equal(bt.status, 200);
    assert.ok(bt.json.declarations > 0);
    assert.equal(bt.json.lanes.red + bt.json.lanes.yellow + bt.json.lanes.green, bt.json.declarations);
    assert.ok(bt.json.rules.some((r: any) => r.hits > 0 && r.hitRate > 0));
    const act = await call('POST', '/risk/rulesets/default/1/activate', { by: 'admin' });
    assert.equal(act.json.status, 'active');
    const [row] = await trade.db.query<any>(`SELECT * FROM decl_item WHERE ie_flag = 'I' ORDER BY d_date DESC, entry_id LIMIT 1`);
    const declaration = {
      entry_id: row.entry_id.slice(0, 9) + '999999999', ie_flag: 'I', d_date: row.d_date, customs_code: row.customs_code, i_e_port: row.i_e_port, trade_mode: row.trade_mode,
      traf_mode: row.traf_mode, trade_co_customs: row.trade_co_customs, trade_co_uscc: row.trade_co_uscc, trade_country: row.trade_country,
      items: [{ g_no: 1, hs_code: row.hs_code, origin_country: row.origin_country, dest_country: 'CHN', qty1: row.qty1, unit1: row.unit1, value_cny: row.value_cny * 20, value_usd: row.value_usd * 20 }],
    };
    const ev = await call('POST', '/risk/evaluate', { declaration });
    assert.equal(ev.status, 200, JSON.stringify(ev.json));
    assert.ok(['red', 'yellow', 'green'].includes(ev.json.lane));
    assert.equal(ev.json.version, 1);
    assert.match(ev.json.explanation, /score/);
    assert.ok(typeof ev.json.random.draw === 'number');
    assert.equal((await call('POST', '/risk/evaluate', { declaration: { ...declaration, entry_id: 'x' } })).status, 400);
    const v2 = await call('POST', '/risk/rulesets', { ruleset: { ...sets.json.items[0].body, name: '第二版' }, author: 'analyst' });
    assert.equal(v2.status, 201);
    assert.equal(v2.json.version, 2);
    assert.equal((await call('POST', '/risk/rulesets', { ruleset: { ...sets.json.items[0].body, rules: [] }, author: 'a' })).status, 400);
  });

  it('tags and the enterprise profile', async () => {
    const t = await call('POST', '/tags/recompute');
    assert.equal(t.status, 200);
    assert.equal(t.json.enterprises, 100);
    const [ent] = await trade.db.query<any>(`SELECT trade_co_uscc AS u, count(*) AS n FROM decl_item GROUP BY 1 ORDER BY n DESC LIMIT 1`);
    const p = await call('GET', `/enterprises/${ent.u}/profile`);
    assert.equal(p.status, 200);
    assert.equal(p.json.enterprise.uscc, ent.u);
    assert.ok(p.json.tags.some((x: any) => x.tag === 'main_chapter' && x.value));
    assert.ok(p.json.monthly.length > 0 && p.json.countries.length > 0);
    assert.equal((await call('GET', '/enterprises/91310115MA1FL2B379/profile')).status, 404);
    assert.equal((await call('GET', '/enterprises/not-a-uscc/profile')).status, 400);
    const tagged = await call('GET', '/tags/main_chapter/enterprises?limit=5');
    assert.ok(tagged.json.total > 0 && tagged.json.items.length === 5);
    // The tag list: every rule, its enterprise count equal to the tag's own listing.
    const list = await call('GET', '/tags');
    assert.equal(list.status, 200);
    const mainChapter = list.json.items.find((x: any) => x.tag === 'main_chapter');
    assert.equal(mainChapter.enterprises, tagged.json.total);
    assert.ok(list.json.computedAt);
    const search = await call('GET', `/enterprises?q=${ent.u.slice(0, 8)}`);
    assert.ok(search.json.items.some((x: any) => x.uscc === ent.u));
  });

  it('loading: a JSON batch once, a file from the inbox with progress', async () => {
    const [row] = await trade.db.query<any>(`SELECT * FROM decl_item WHERE ie_flag = 'E' LIMIT 1`);
    const rec = {
      entry_id: `2248${row.d_date.slice(0, 4)}0888888888`, g_no: 1, ie_flag: 'E', d_date: row.d_date, customs_code: '2248', i_e_port: '2248', trade_mode: '0110', traf_mode: '2',
      trade_co_customs: row.trade_co_customs, trade_co_uscc: row.trade_co_uscc, trade_country: 'USA', origin_country: 'CHN', dest_country: 'USA', hs_code: row.hs_code,
      qty1: 10, unit1: row.unit1, value_cny: 7100, value_usd: 1000,
    };
    const b1 = await call('POST', '/load/batch', { target: 'declarations', records: [rec, 'not an object'] });
    assert.equal(b1.status, 201);
    assert.equal(b1.json.rowsLoaded, 1);
    assert.deepEqual(b1.json.rejectsByReason, { not_an_object: 1 });
    const b2 = await call('POST', '/load/batch', { target: 'declarations', records: [rec, 'not an object'] });
    assert.equal(b2.json.status, 'already_loaded');
    const rej = await call('GET', `/loads/${b1.json.fileId}/rejects`);
    assert.equal(rej.json.items[0].line_no, 2);
    const inbox = path.join(trade.dataDir, 'inbox');
    fs.mkdirSync(inbox, { recursive: true });
    fs.writeFileSync(path.join(inbox, 'extra.json'), JSON.stringify([{ ...rec, entry_id: `2248${row.d_date.slice(0, 4)}0888888889` }]));
    const job = await call('POST', '/load/file', { target: 'declarations', name: 'extra.json', async: true });
    assert.equal(job.status, 202);
    let j = job.json;
    for (let i = 0; i < 100 && j.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      j = (await call('GET', `/load/jobs/${j.id}`)).json;
    }
    assert.equal(j.status, 'done', JSON.stringify(j));
    assert.equal(j.result.rowsLoaded, 1);
    assert.equal(j.progress.phase, 'done');
    assert.equal((await call('POST', '/load/file', { target: 'declarations', name: '../etc/passwd' })).status, 400);
    assert.equal((await call('POST', '/load/file', { target: 'declarations', name: 'missing.csv' })).status, 404);
    assert.equal((await call('GET', '/nope')).status, 404);
  });
});
