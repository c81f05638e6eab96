/**
 * A generated data set (~50k items, 3 years) loaded into a real DuckDB: statistics equal a brute-force
 * recomputation in JS; reloading is idempotent; batches load once; exports are readable.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { TradeService } from '../../../cloud/trade/service.js';
import { TRADE_MODES } from '../../../cloud/trade/reference/codes.js';
import { cents, makeDataset, readRows, sumBy, type Dataset, type Row } from './helpers.js';

let ds: Dataset;
let trade: TradeService;
let rows: Row[];

before(async () => {
  ds = await makeDataset({ rows: 50_000, enterprises: 300, years: 3, seed: 11 });
  trade = await TradeService.open({ dataDir: path.join(ds.dir, '..', 'data') });
  const ent = await trade.loadFile('enterprises', ds.enterprisesFile);
  assert.equal(ent.rowsLoaded, 300);
  for (const f of ds.yearFiles) {
    const r = await trade.loadFile('declarations', f);
    assert.equal(r.rowsRejected, 0, JSON.stringify(r.rejectsByReason));
  }
  rows = readRows(ds.yearFiles);
});

after(async () => {
  await trade?.close();
  ds?.cleanup();
});

const byKey = (rs: Record<string, unknown>[], k: string) => new Map(rs.map((r) => [String(r[k]), r]));

describe('statistics equal a brute-force recomputation', () => {
  it('loads every generated row once', async () => {
    const [c] = await trade.db.query<{ n: number }>('SELECT count(*) AS n FROM decl_item');
    assert.equal(c!.n, rows.length);
    assert.equal(rows.length, 50_000);
  });

  it('by year: import, export, total and balance', async () => {
    const r = await trade.query({ dims: ['year'], measures: ['value_usd', 'items'], period: { from: '2023-01', to: '2025-12' } });
    assert.equal(r.rows.length, 3);
    for (const row of r.rows) {
      const y = String(row['year']);
      const imp = rows.filter((x) => x.ym.startsWith(y) && x.ie_flag === 'I');
      const exp = rows.filter((x) => x.ym.startsWith(y) && x.ie_flag === 'E');
      const si = imp.reduce((s, x) => s + x.cents_usd, 0);
      const se = exp.reduce((s, x) => s + x.cents_usd, 0);
      assert.equal(cents(row['value_usd_import']), si, y);
      assert.equal(cents(row['value_usd_export']), se, y);
      assert.equal(cents(row['value_usd_total']), si + se, y);
      assert.equal(cents(row['value_usd_balance']), se - si, y);
      assert.equal(row['items_total'], imp.length + exp.length);
    }
  });

  it('by HS chapter with YoY, and the same from the fact table', async () => {
    const spec = { dims: ['hs_chapter'], flows: ['total'], compare: 'yoy', period: { from: '2025-01', to: '2025-12' } };
    const cur = sumBy(rows, (x) => (x.ym.startsWith('2025') ? x.hs_code.slice(0, 2) : undefined));
    const prev = sumBy(rows, (x) => (x.ym.startsWith('2024') ? x.hs_code.slice(0, 2) : undefined));
    for (const source of ['auto', 'facts'] as const) {
      const r = await trade.query({ ...spec, source });
      assert.equal(r.source === 'decl_item', source === 'facts');
      const m = byKey(r.rows, 'hs_chapter');
      for (const [ch, v] of cur) {
        const row = m.get(ch)!;
        assert.ok(row, ch);
        assert.equal(cents(row['value_usd_total']), v, ch);
        assert.equal(cents(row['value_usd_total_prev']), prev.get(ch) ?? 0, ch);
        if (prev.get(ch)) assert.ok(Math.abs(Number(row['value_usd_total_yoy']) - (v / prev.get(ch)! - 1)) < 1e-9, ch);
      }
      assert.ok(m.get('85')!['hs_chapter_name']);
    }
  });

  it('top-N countries by imports with shares', async () => {
    const r = await trade.query({ dims: ['country'], flows: ['import'], share: true, topN: { n: 5, by: 'value_usd_import' }, period: { from: '2025-01', to: '2025-12' } });
    const imp = sumBy(rows, (x) => (x.ym.startsWith('2025') && x.ie_flag === 'I' ? x.country : undefined));
    const total = [...imp.values()].reduce((a, b) => a + b, 0);
    const top = [...imp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    assert.deepEqual(r.rows.map((x) => x['country']), top.map(([k]) => k));
    r.rows.forEach((row, i) => {
      assert.equal(cents(row['value_usd_import']), top[i]![1]);
      assert.ok(Math.abs(Number(row['value_usd_import_share']) - top[i]![1] / total) < 1e-9);
    });
  });

  it('cumulative year-to-date (累计) with YoY', async () => {
    const r = await trade.query({ dims: ['month'], flows: ['total'], cumulative: true, compare: 'yoy', period: { from: '2025-03', to: '2025-06' } });
    assert.deepEqual(r.rows.map((x) => x['month']), ['2025-03', '2025-04', '2025-05', '2025-06']);
    for (const row of r.rows) {
      const m = String(row['month']);
      const ytd = rows.filter((x) => x.ym >= '2025-01' && x.ym <= m).reduce((s, x) => s + x.cents_usd, 0);
      const pm = `2024${m.slice(4)}`;
      const prevYtd = rows.filter((x) => x.ym >= '2024-01' && x.ym <= pm).reduce((s, x) => s + x.cents_usd, 0);
      assert.equal(cents(row['value_usd_total']), ytd, m);
      assert.equal(cents(row['value_usd_total_prev']), prevYtd, m);
    }
  });

  it('by enterprise (declarations and items), from the enterprise cube and from the facts', async () => {
    const spec = { dims: ['enterprise'], measures: ['declarations', 'items'], flows: ['total'], period: { from: '2024-01', to: '2024-12' }, limit: 1000 };
    const r = await trade.query(spec);
    assert.equal(r.source, 'agg_enterprise');
    const f = await trade.query({ ...spec, source: 'facts' });
    assert.equal(f.source, 'decl_item');
    assert.deepEqual(f.rows, r.rows);
    const decl = new Map<string, Set<string>>();
    const items = sumBy(rows, (x) => (x.ym.startsWith('2024') ? x.uscc : undefined), () => 1);
    for (const x of rows) if (x.ym.startsWith('2024')) decl.set(x.uscc, (decl.get(x.uscc) ?? new Set()).add(x.entry_id));
    assert.equal(r.rows.length, decl.size);
    for (const row of r.rows) {
      const u = String(row['enterprise']);
      assert.equal(row['declarations_total'], decl.get(u)!.size, u);
      assert.equal(row['items_total'], items.get(u), u);
      assert.ok(row['enterprise_name']);
    }
  });

  it('by enterprise-type group × trade-mode group', async () => {
    const ents = new Map(fs.readFileSync(ds.enterprisesFile, 'utf8').trim().split('\n').slice(1).map((l) => [l.split(',')[0]!, l.split(',')[3]!]));
    const entGroup: Record<string, string> = { '1': 'state', '2': 'foreign', '3': 'foreign', '4': 'foreign', '5': 'private', '6': 'private', '7': 'private', '8': 'other', '9': 'other' };
    const tmGroup = new Map(TRADE_MODES.map((t) => [t.code, t.group]));
    const expect = sumBy(rows, (x) => (x.ym.startsWith('2024') ? `${entGroup[ents.get(x.uscc)!]}|${tmGroup.get(x.trade_mode)}` : undefined));
    const r = await trade.query({ dims: ['ent_type_group', 'trade_mode_group'], flows: ['total'], period: { from: '2024-01', to: '2024-12' } });
    assert.equal(r.rows.length, expect.size);
    for (const row of r.rows) assert.equal(cents(row['value_usd_total']), expect.get(`${row['ent_type_group']}|${row['trade_mode_group']}`));
    assert.ok(r.rows.every((x) => typeof x['ent_type_group_name'] === 'string'));
  });

  it('quarters with MoM (环比) and a drill-down to months', async () => {
    const r = await trade.query({ dims: ['quarter'], flows: ['export'], compare: 'mom', period: { from: '2025-04', to: '2025-06' } });
    const q = (from: string, to: string) => rows.filter((x) => x.ie_flag === 'E' && x.ym >= from && x.ym <= to).reduce((s, x) => s + x.cents_usd, 0);
    assert.equal(r.rows[0]!['quarter'], '2025Q2');
    assert.equal(cents(r.rows[0]!['value_usd_export']), q('2025-04', '2025-06'));
    assert.equal(cents(r.rows[0]!['value_usd_export_prev']), q('2025-01', '2025-03'));
    const d = await trade.drill({ dims: ['quarter'], flows: ['export'] }, 'quarter', '2025Q2');
    assert.deepEqual(d.rows.map((x) => x['month']), ['2025-04', '2025-05', '2025-06']);
    assert.equal(d.rows.reduce((s, x) => s + cents(x['value_usd_export']), 0), q('2025-04', '2025-06'));
  });
});

describe('idempotent loading', () => {
  it('re-loading the same files, or a copy under another name, changes nothing', async () => {
    const before = (await trade.db.query<{ n: number; v: number }>('SELECT count(*) AS n, sum(value_usd)::DOUBLE AS v FROM decl_item'))[0]!;
    for (const f of ds.yearFiles) assert.equal((await trade.loadFile('declarations', f)).status, 'already_loaded');
    const copy = path.join(path.dirname(ds.yearFiles[0]!), 'copy-of-2024.csv');
    fs.copyFileSync(ds.yearFiles[1]!, copy);
    assert.equal((await trade.loadFile('declarations', copy)).status, 'already_loaded');
    // different content, same keys: every row is recognised as already stored
    const part = path.join(path.dirname(copy), 'part.csv');
    fs.writeFileSync(part, fs.readFileSync(ds.yearFiles[2]!, 'utf8').split('\n').slice(0, 101).join('\n') + '\n');
    const r = await trade.loadFile('declarations', part);
    assert.equal(r.status, 'loaded');
    assert.equal(r.rowsLoaded, 0);
    assert.equal(r.rowsDuplicate + r.rowsRejected, 100);
    const after = (await trade.db.query<{ n: number; v: number }>('SELECT count(*) AS n, sum(value_usd)::DOUBLE AS v FROM decl_item'))[0]!;
    assert.deepEqual(after, before);
  });

  it('a JSON batch loads once', async () => {
    const recs = [
      { ...rowObj(rows.find((x) => x.ie_flag === 'E')!), entry_id: '224820250000990001', g_no: 1, d_date: '2025-12-30', customs_code: '2248', i_e_port: '2248' },
    ];
    const r1 = await trade.loadBatch('declarations', recs);
    assert.equal(r1.status, 'loaded');
    assert.equal(r1.rowsLoaded, 1, JSON.stringify(r1.rejectsByReason));
    const r2 = await trade.loadBatch('declarations', recs);
    assert.equal(r2.status, 'already_loaded');
  });
});

function rowObj(r: Row): Record<string, unknown> {
  const line = ds.yearFiles
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
    .find((l) => l.startsWith(`${r.entry_id},${r.g_no},`))!;
  const cols = 'entry_id,g_no,ie_flag,d_date,customs_code,i_e_port,trade_mode,traf_mode,trade_co_customs,trade_co_uscc,trade_country,origin_country,dest_country,hs_code,qty1,unit1,value_cny,value_usd'.split(',');
  const v = line.split(',');
  return Object.fromEntries(cols.map((c, i) => [c, c === 'qty1' || c === 'value_cny' || c === 'value_usd' ? Number(v[i]) : v[i]]));
}

describe('exports', () => {
  it('CSV with a BOM and Chinese headers, XLSX readable back', async () => {
    const spec = { dims: ['hs_chapter'], flows: ['import', 'export'], compare: 'yoy', period: { from: '2025-01', to: '2025-12' } };
    const csv = await trade.export(spec, 'csv');
    assert.deepEqual([...csv.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = csv.body.toString('utf8').slice(1);
    assert.match(text.split('\r\n')[0]!, /^HS章,HS章名称,进口金额\(美元\),进口金额\(美元\)上年同期,进口金额\(美元\)同比\(%\)/);
    const q = await trade.query(spec);
    assert.equal(text.trim().split('\r\n').length, q.rows.length + 1);
    const x = await trade.export(spec, 'xlsx');
    assert.equal(x.body.subarray(0, 2).toString(), 'PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.body as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.rowCount, q.rows.length + 1);
    assert.equal(ws.getRow(1).getCell(1).value, 'HS章');
  });
});
