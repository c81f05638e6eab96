/** Shared helpers for the trade integration tests: a small generated data set, merged into yearly files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTradeData } from '../../../cloud/trade/generator/index.js';
import { DECL_HEADER } from '../../../cloud/trade/generator/month.js';

export interface Dataset {
  dir: string;
  yearFiles: string[];
  enterprisesFile: string;
  cleanup(): void;
}

/** Generates rows with the real generator, then merges the monthly files into one file per year (fewer loads, same rows). */
export async function makeDataset(opts: { rows: number; enterprises: number; years: number; seed: number }): Promise<Dataset> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-it-'));
  const gen = path.join(dir, 'gen');
  const m = await generateTradeData({ ...opts, out: gen, workers: 0 });
  const byYear = new Map<string, string[]>();
  for (const f of m.files) byYear.set(f.month.slice(0, 4), [...(byYear.get(f.month.slice(0, 4)) ?? []), f.name]);
  const yearFiles: string[] = [];
  for (const [year, files] of byYear) {
    const out = path.join(dir, `decl-${year}.csv`);
    const parts = [DECL_HEADER + '\n'];
    for (const f of files) parts.push(fs.readFileSync(path.join(gen, f), 'utf8').split('\n').slice(1).join('\n'));
    fs.writeFileSync(out, parts.join(''));
    yearFiles.push(out);
  }
  return { dir: gen, yearFiles, enterprisesFile: path.join(gen, 'enterprises.csv'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Row {
  entry_id: string;
  g_no: number;
  ie_flag: 'I' | 'E';
  d_date: string;
  ym: string;
  customs_code: string;
  trade_mode: string;
  uscc: string;
  country: string;
  hs_code: string;
  cents_usd: number;
}

/** Parses generated CSV files (no quoted fields in them) for brute-force recomputation. */
export function readRows(files: readonly string[]): Row[] {
  const out: Row[] = [];
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l) continue;
      const c = l.split(',');
      const flag = c[2] as 'I' | 'E';
      out.push({
        entry_id: c[0]!,
        g_no: Number(c[1]),
        ie_flag: flag,
        d_date: c[3]!,
        ym: c[3]!.slice(0, 7),
        customs_code: c[4]!,
        trade_mode: c[6]!,
        uscc: c[9]!,
        country: flag === 'I' ? c[11]! : c[12]!,
        hs_code: c[13]!,
        cents_usd: Math.round(Number(c[17]) * 100),
      });
    }
  }
  return out;
}

export function sumBy<K>(rows: readonly Row[], key: (r: Row) => K | undefined, val: (r: Row) => number = (r) => r.cents_usd): Map<K, number> {
  const m = new Map<K, number>();
  for (const r of rows) {
    const k = key(r);
    if (k === undefined) continue;
    m.set(k, (m.get(k) ?? 0) + val(r));
  }
  return m;
}

/** Compares a money value from SQL (float) with integer cents. */
export function cents(v: unknown): number {
  return Math.round(Number(v ?? 0) * 100);
}
