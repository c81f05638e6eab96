/**
 * Trade analytics benchmark. Prints one JSON object.
 *
 *   npm run bench:trade -- --rows 10000000 [--years N] [--enterprises 20000] [--seconds 60] [--clients 50]
 *                          [--uncached-seconds 20] [--gen-dir DIR] [--data-dir DIR] [--heavy-runs 5] [--no-score] [--keep]
 *
 * 1. generates N rows (or reuses --gen-dir when its manifest matches), default years = ceil(N / 10M);
 * 2. loads the CSV files into a fresh DuckDB (load_rows_per_s, each file atomically, as in production);
 * 3. runs the heaviest console query — month × trade mode × country × heading with YoY over the whole
 *    period, filtered by a chapter and a set of countries — several times: heavy_query_ms (median, the
 *    service's choice of source), heavy_query_facts_ms (the same on the fact table);
 * 4. 50 concurrent clients (a child process) on POST /api/trade/stats/query with a dashboard-like mix
 *    of random specs for --seconds: p50/p95/p99, requests per second, cache hit ratio; then the same
 *    for --uncached-seconds (default 20) with the result cache bypassed (`uncached`);
 * 5. optionally runs the early-warning detectors and scores them against the planted anomalies;
 * rss_mb is the peak resident memory of this (server) process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import { generateTradeData, readAnswers, readManifest } from '../cloud/trade/generator/index.js';
import { createTradeRouter } from '../cloud/trade/router.js';
import { TradeService } from '../cloud/trade/service.js';
import type { QuerySpecInput } from '../cloud/trade/stats.js';
import { scoreWarnings } from '../cloud/trade/warnings.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    years: { type: 'string' },
    enterprises: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '50' },
    'gen-dir': { type: 'string' },
    'data-dir': { type: 'string' },
    'heavy-runs': { type: 'string', default: '5' },
    'no-score': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    client: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'uncached-seconds': { type: 'string', default: '20' },
    'months-json': { type: 'string' },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const log = (msg: string) => process.stderr.write(`bench:trade ${msg}\n`);

// ------------------------------------------------------------------ client mode (child process)

const CHAPTERS = ['84', '85', '87', '90', '30', '33', '39', '29', '27', '71', '02', '03', '04', '22', '26', '61', '62', '94', '95', '73', '40', '42', '64', '48', '38', '72', '74', '76'];
const COUNTRIES = ['USA', 'JPN', 'KOR', 'DEU', 'TWN', 'AUS', 'VNM', 'MYS', 'THA', 'FRA', 'ITA', 'GBR', 'NLD', 'HKG', 'SGP', 'IND', 'BRA', 'RUS', 'MEX', 'CAN', 'IDN', 'CHE', 'SAU', 'ARE'];

function randomSpec(months: string[], rnd: () => number): QuerySpecInput {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const month = pick(months);
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  const year = pick(years);
  const yr = { from: `${year}-01`, to: `${year}-12` };
  const q = Math.floor(Number(month.slice(5)) / 3.01);
  const quarter = { from: `${month.slice(0, 4)}-${String(q * 3 + 1).padStart(2, '0')}`, to: `${month.slice(0, 4)}-${String(q * 3 + 3).padStart(2, '0')}` };
  const x = rnd();
  if (x < 0.15) return { dims: ['month'], compare: 'yoy', period: yr };
  if (x < 0.3) return { dims: ['hs_chapter'], share: true, topN: { n: 10, by: 'value_usd_total' }, period: { from: month, to: month }, compare: 'yoy' };
  if (x < 0.45) return { dims: ['country'], filters: { hs_chapter: [pick(CHAPTERS)] }, topN: { n: 20, by: 'value_usd_total' }, compare: 'yoy', period: yr };
  if (x < 0.55) return { dims: ['trade_mode_group', 'ent_type_group'], period: quarter, compare: 'yoy' };
  if (x < 0.67) return { dims: ['hs_heading'], filters: { hs_chapter: [pick(CHAPTERS)] }, period: yr, compare: 'yoy', share: true };
  if (x < 0.77) return { dims: ['month'], cumulative: true, compare: 'yoy', filters: { hs_chapter: [pick(CHAPTERS)] }, period: yr };
  if (x < 0.87) return { dims: ['month', 'district'], filters: { country: [pick(COUNTRIES)] }, period: yr };
  if (x < 0.95) return { dims: ['continent'], period: { from: month, to: month }, compare: 'mom' };
  return { dims: ['enterprise'], measures: ['value_usd', 'declarations'], flows: ['import', 'export', 'total'], topN: { n: 20, by: 'value_usd_total' }, period: { from: month, to: month } };
}

async function clientMode(url: string): Promise<void> {
  const months = JSON.parse(values['months-json'] ?? '[]') as string[];
  const clients = Number(values.clients);
  const deadline = Date.now() + Number(values.seconds) * 1000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  let errors = 0;
  let cached = 0;
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const target = new URL('/api/trade/stats/query', url);
  const one = (body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (values['no-cache']) headers['cache-control'] = 'no-cache';
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const body = JSON.stringify(randomSpec(months, rnd));
        const t0 = performance.now();
        try {
          const r = await one(body);
          lat.push(performance.now() - t0);
          if (r.status !== 200) errors++;
          else if (r.body.includes('"cached":true')) cached++;
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  process.stdout.write(JSON.stringify({ requests: lat.length, errors, cached, p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: lat.reduce((a, b) => Math.max(a, b), 0) }) + '\n');
}

// ------------------------------------------------------------------ server / orchestrator

async function main(): Promise<void> {
  const rows = Number(values.rows!.replace(/_/g, ''));
  const years = values.years ? Number(values.years) : Math.max(1, Math.ceil(rows / 10_000_000));
  const enterprises = Number(values.enterprises);
  const seed = Number(values.seed);
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-trade-'));
  const genDir = values['gen-dir'] ?? path.join(tmpRoot, 'gen');
  const dataDir = values['data-dir'] ?? path.join(tmpRoot, 'data');
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
  const out: Record<string, unknown> = { rows, years, enterprises, cores: os.availableParallelism() };

  const m = readManifest(genDir);
  if (m && m.params.rows === rows && m.params.years === years && m.params.seed === seed && m.params.enterprises === enterprises) {
    log(`reusing ${genDir}`);
    out['gen_reused'] = true;
  } else {
    log(`generating ${rows} rows into ${genDir}`);
    const g = await generateTradeData({ rows, years, enterprises, seed, out: genDir });
    out['gen_ms'] = g.ms;
    out['gen_rows_per_s'] = Math.round(g.rowsWritten / (g.ms / 1000));
  }

  fs.rmSync(dataDir, { recursive: true, force: true });
  const trade = await TradeService.open({ dataDir });
  let server: http.Server | undefined;
  try {
    log('loading');
    const t0 = Date.now();
    const loaded = await trade.loadDirectory(genDir, (name, r) => log(`  ${name}: ${r.rowsLoaded} rows, ${r.rowsRejected} rejected, ${r.ms} ms`));
    const loadMs = Date.now() - t0;
    out['rows_loaded'] = loaded.rowsLoaded;
    out['load_ms'] = loadMs;
    out['load_rows_per_s'] = Math.round(loaded.rowsLoaded / (loadMs / 1000));
    out['db_mb'] = Math.round(fs.statSync(path.join(dataDir, 'trade.duckdb')).size / 2 ** 20);
    const meta = (await trade.meta()) as { range: { from: string; to: string }; cubes: Record<string, number> };
    out['cube_rows'] = meta.cubes;

    // heaviest console query
    const heavy = {
      measures: ['value_usd', 'value_cny', 'items'],
      dims: ['month', 'trade_mode', 'country', 'hs_heading'],
      filters: { hs_chapter: ['85'], country: ['USA', 'JPN', 'KOR', 'DEU', 'TWN', 'VNM', 'MYS', 'HKG'] },
      period: meta.range,
      compare: 'yoy',
      limit: 100_000,
    } as const;
    const runs = Number(values['heavy-runs']);
    for (const [key, source] of [['heavy_query', 'auto'], ['heavy_query_facts', 'facts']] as const) {
      const spec = trade.parseSpec({ ...heavy, source });
      const times: number[] = [];
      let result;
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        result = await trade.run(spec, { noCache: true });
        times.push(performance.now() - s);
      }
      out[`${key}_ms`] = Math.round(median(times));
      out[`${key}_runs_ms`] = times.map((t) => Math.round(t));
      out[`${key}_source`] = result!.source;
      out[`${key}_result_rows`] = result!.rows.length;
    }

    // HTTP: 50 clients for --seconds
    const app = express();
    app.use('/api/trade', createTradeRouter({ trade }));
    server = http.createServer(app);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const months: string[] = [];
    for (let y = Number(meta.range.from.slice(0, 4)), mo = Number(meta.range.from.slice(5)); `${y}-${String(mo).padStart(2, '0')}` <= meta.range.to; mo === 12 ? (y++, (mo = 1)) : mo++) {
      months.push(`${y}-${String(mo).padStart(2, '0')}`);
    }
    const self = new URL(import.meta.url).pathname;
    const phase = async (seconds: string, noCache: boolean) => {
      log(`HTTP: ${values.clients} clients for ${seconds} s${noCache ? ', cache bypassed' : ''}`);
      const args = [...process.execArgv, self, '--client', url, '--clients', values.clients!, '--seconds', seconds, '--months-json', JSON.stringify(months)];
      if (noCache) args.push('--no-cache');
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      const started = Date.now();
      await new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client process exited ${code}`)))));
      const secs = (Date.now() - started) / 1000;
      const c = JSON.parse(stdout.trim().split('\n').pop()!) as { requests: number; errors: number; cached: number; p50: number; p95: number; p99: number; max: number };
      return { requests: c.requests, rps: Math.round(c.requests / secs), errors: c.errors, cache_hit_ratio: Math.round((c.cached / Math.max(1, c.requests)) * 1000) / 1000, p50_ms: Math.round(c.p50), p95_ms: Math.round(c.p95), p99_ms: Math.round(c.p99), max_ms: Math.round(c.max) };
    };
    out['clients'] = Number(values.clients);
    out['seconds'] = Number(values.seconds);
    Object.assign(out, await phase(values.seconds!, false));
    if (Number(values['uncached-seconds']) > 0) {
      const u = await phase(values['uncached-seconds']!, true);
      out['uncached'] = { seconds: Number(values['uncached-seconds']), ...u };
    }

    if (!values['no-score'] && years >= 2) {
      log('early warnings');
      const answers = readAnswers(genDir);
      const run = await trade.warnings.run();
      const scores = scoreWarnings(answers.anomalies, run.warnings);
      out['warnings_ms'] = run.ms;
      out['warnings_found'] = run.found;
      out['warnings_scores'] = Object.fromEntries(scores.map((s) => [s.type, { planted: s.planted, detected: s.detected, recall: s.recall, warnings: s.warnings, precision: s.precision }]));
    }
  } finally {
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    out['rss_mb'] = Math.round(rssPeak / 2 ** 20);
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await trade.close();
    if (!values.keep) {
      if (!values['data-dir']) fs.rmSync(dataDir, { recursive: true, force: true });
      if (!values['gen-dir']) fs.rmSync(genDir, { recursive: true, force: true });
      fs.rmSync(tmpRoot, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify(out));
}

if (values.client) await clientMode(values.client);
else await main();
