/**
 * The trade data generator: builds the world, allocates rows to days, writes one CSV per month
 * (in worker threads when there is more than one core and enough rows), the enterprise master, the
 * planted anomalies (answers.json) and a manifest. Output is identical for a seed whatever the
 * number of workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LUNAR_NEW_YEAR } from './calendar.js';
import { allocateRows, DECL_HEADER, generateMonth } from './month.js';
import { buildWorld, type Anomaly, type GenParams, type World } from './world.js';

export type { Anomaly, AnomalyType, GenParams } from './world.js';

export interface GenerateOptions extends Partial<GenParams> {
  rows: number;
  out: string;
  /** worker threads (default: cores, at most 8; 0 = inline) */
  workers?: number;
  onProgress?: (rowsWritten: number, rowsTotal: number) => void;
}

export interface Answers {
  seed: number;
  rows: number;
  enterprises: number;
  startYear: number;
  years: number;
  months: string[];
  lunarNewYear: Record<string, string>;
  anomalies: Anomaly[];
}

export interface Manifest {
  params: GenParams;
  files: { name: string; month: string; rows: number }[];
  enterprisesFile: string;
  answersFile: string;
  rowsWritten: number;
  ms: number;
  workers: number;
}

export const ENTERPRISE_HEADER = 'uscc,customs_code,name,ent_type,region,credit_rating,aeo,registered';

export function resolveParams(o: GenerateOptions): GenParams {
  const years = o.years ?? 3;
  return {
    rows: o.rows,
    enterprises: o.enterprises ?? 20000,
    years,
    startYear: o.startYear ?? 2026 - years,
    seed: o.seed ?? 1,
    anomaliesPerType: o.anomaliesPerType ?? 4,
  };
}

export function monthFileName(month: string): string {
  return `decl-${month.replace('-', '')}.csv`;
}

function writeEnterprises(world: World, file: string): void {
  const lines = [ENTERPRISE_HEADER];
  for (const e of world.enterprises) {
    lines.push([e.uscc, e.customsCode, e.name, e.entType, e.region, e.credit, e.credit === 'ADV' ? 'true' : 'false', e.registered].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Generates one month into its file (used inline and by the workers). */
export function writeMonthFile(world: World, m: number, dayRows: { day: number; rows: number }[], out: string, onRows?: (n: number) => void): number {
  const file = path.join(out, monthFileName(world.monthKeys[m]!));
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, DECL_HEADER + '\n');
    return generateMonth(world, m, dayRows, (chunk) => {
      fs.writeSync(fd, chunk);
      onRows?.(chunk.length);
    });
  } finally {
    fs.closeSync(fd);
  }
}

export async function generateTradeData(opts: GenerateOptions): Promise<Manifest> {
  const started = Date.now();
  const params = resolveParams(opts);
  for (let y = params.startYear; y < params.startYear + params.years; y++) {
    if (!LUNAR_NEW_YEAR[y]) throw new RangeError(`no Spring Festival date on file for ${y}`);
  }
  fs.mkdirSync(opts.out, { recursive: true });
  const world = buildWorld(params);
  const alloc = allocateRows(world);
  const perMonth: { day: number; rows: number }[][] = Array.from({ length: world.months }, () => []);
  for (const a of alloc) perMonth[a.month]!.push({ day: a.day, rows: a.rows });
  const monthRows = perMonth.map((days) => days.reduce((s, d) => s + d.rows, 0));

  writeEnterprises(world, path.join(opts.out, 'enterprises.csv'));
  const answers: Answers = {
    seed: params.seed,
    rows: params.rows,
    enterprises: params.enterprises,
    startYear: params.startYear,
    years: params.years,
    months: world.monthKeys,
    lunarNewYear: Object.fromEntries(Array.from({ length: params.years }, (_, i) => [String(params.startYear + i), LUNAR_NEW_YEAR[params.startYear + i]!])),
    anomalies: world.anomalies,
  };
  fs.writeFileSync(path.join(opts.out, 'answers.json'), JSON.stringify(answers, null, 2));

  const workers = Math.min(opts.workers ?? Math.min(os.availableParallelism(), 8), world.months);
  let written = 0;
  const report = () => opts.onProgress?.(written, params.rows);
  if (workers <= 1 || params.rows < 200_000) {
    for (let m = 0; m < world.months; m++) {
      written += writeMonthFile(world, m, perMonth[m]!, opts.out);
      report();
    }
  } else {
    const queue = Array.from({ length: world.months }, (_, m) => m).sort((a, b) => monthRows[b]! - monthRows[a]!);
    const fromTs = import.meta.url.endsWith('.ts');
    const workerUrl = new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url);
    // A TypeScript checkout runs through tsx, whose loader hooks are per thread: register them in the
    // worker before importing its module.
    const spawn = (workerData: unknown) =>
      fromTs
        ? new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(workerUrl.href)}); })`, { eval: true, workerData })
        : new Worker(workerUrl, { workerData });
    await Promise.all(
      Array.from({ length: workers }, () =>
        new Promise<void>((resolve, reject) => {
          const w = spawn({ params, out: opts.out });
          const next = () => {
            const m = queue.shift();
            if (m === undefined) {
              void w.terminate().then(() => resolve());
              return;
            }
            w.postMessage({ m, days: perMonth[m] });
          };
          w.on('message', (msg: { ready?: boolean; done?: number }) => {
            if (msg.done !== undefined) {
              written += msg.done;
              report();
            }
            next();
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0 && queue.length) reject(new Error(`generator worker exited with ${code}`));
          });
        }),
      ),
    );
  }
  const manifest: Manifest = {
    params,
    files: world.monthKeys.map((month, m) => ({ name: monthFileName(month), month, rows: monthRows[m]! })),
    enterprisesFile: 'enterprises.csv',
    answersFile: 'answers.json',
    rowsWritten: written,
    ms: Date.now() - started,
    workers,
  };
  fs.writeFileSync(path.join(opts.out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

export function readAnswers(dir: string): Answers {
  return JSON.parse(fs.readFileSync(path.join(dir, 'answers.json'), 'utf8')) as Answers;
}

export function readManifest(dir: string): Manifest | undefined {
  const f = path.join(dir, 'manifest.json');
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as Manifest) : undefined;
}
