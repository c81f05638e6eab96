/**
 * Generates synthetic declaration data for demos, tests and the benchmark.
 *   npm run gen:trade -- --rows 10000000 --enterprises 20000 --years 3 --out DIR --seed 1 [--start-year 2023] [--anomalies 4] [--workers N]
 * Writes DIR/decl-YYYYMM.csv (one per month), DIR/enterprises.csv, DIR/answers.json (planted
 * anomalies) and DIR/manifest.json; prints one JSON line with the figures.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { generateTradeData } from '../cloud/trade/generator/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    enterprises: { type: 'string', default: '20000' },
    years: { type: 'string', default: '3' },
    'start-year': { type: 'string' },
    out: { type: 'string', default: 'data/trade-gen' },
    seed: { type: 'string', default: '1' },
    anomalies: { type: 'string', default: '4' },
    workers: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const num = (s: string | undefined, name: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
};

let last = 0;
const manifest = await generateTradeData({
  rows: num(values.rows, 'rows')!,
  enterprises: num(values.enterprises, 'enterprises'),
  years: num(values.years, 'years'),
  startYear: num(values['start-year'], 'start-year'),
  seed: num(values.seed, 'seed'),
  anomaliesPerType: num(values.anomalies, 'anomalies'),
  workers: num(values.workers, 'workers'),
  out: values.out!,
  onProgress: (done, total) => {
    if (values.quiet || Date.now() - last < 2000) return;
    last = Date.now();
    process.stderr.write(`gen:trade ${done}/${total} rows (${Math.round((100 * done) / total)} %)\n`);
  },
});
console.log(JSON.stringify({ out: values.out, rows: manifest.rowsWritten, files: manifest.files.length, anomalies: manifest.params.anomaliesPerType, ms: manifest.ms, rows_per_s: Math.round(manifest.rowsWritten / (manifest.ms / 1000)), workers: manifest.workers, cores: os.availableParallelism() }));
