/**
 * SQLite ingest micro-benchmark of the ReadingWriter: N readings (default 1,000,000) over a realistic
 * set of series, committed in batches as the daemon does. Prints one JSON object.
 *   node --import tsx bench/sqlite-ingest.ts [--readings N] [--batch ROWS] [--series S]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeStore } from '../edge/store/store.js';
import type { PointSample } from '../edge/devices/types.js';

export interface IngestResult {
  readings: number;
  seconds: number;
  readings_per_s: number;
  batch_rows: number;
  batches: number;
  batch_ms_avg: number;
  batch_ms_max: number;
  db_mb: number;
}

export function runIngestBenchmark(opts: { readings: number; batchRows: number; devices: number; pointsPerDevice: number }): IngestResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-ingest-'));
  const store = EdgeStore.open({ dataDir: dir });
  try {
    const writer = store.writer({ batchMs: 1000, batchRows: opts.batchRows });
    const devices = Array.from({ length: opts.devices }, (_, i) => `dev-${i}`);
    const points = Array.from({ length: opts.pointsPerDevice }, (_, i) => `point_${i}`);
    // Pre-built samples, as drivers hand them over (one object per point per poll).
    const t0 = performance.now();
    const ts0 = Date.now();
    let n = 0;
    outer: for (let round = 0; ; round++) {
      for (const d of devices) {
        for (let p = 0; p < points.length; p++) {
          const s: PointSample = { point: points[p]!, ts: ts0 + round * 1000, value: (round * 7 + p) % 1000 / 10, quality: 'good' };
          writer.add(d, s);
          if (++n >= opts.readings) break outer;
        }
      }
    }
    writer.flush();
    const seconds = (performance.now() - t0) / 1000;
    const st = writer.stats;
    const dbBytes = ['', '-wal'].reduce((a, s) => a + (fs.existsSync(store.file + s) ? fs.statSync(store.file + s).size : 0), 0);
    return {
      readings: st.committed,
      seconds: round3(seconds),
      readings_per_s: Math.round(st.committed / seconds),
      batch_rows: opts.batchRows,
      batches: st.batches,
      batch_ms_avg: round3(st.batchMsSum / st.batches),
      batch_ms_max: round3(st.batchMsMax),
      db_mb: round3(dbBytes / 1048576),
    };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { readings: { type: 'string' }, batch: { type: 'string' }, devices: { type: 'string' }, points: { type: 'string' } } });
  const result = runIngestBenchmark({
    readings: Number(values.readings ?? 1_000_000),
    batchRows: Number(values.batch ?? 5000),
    devices: Number(values.devices ?? 132),
    pointsPerDevice: Number(values.points ?? 12),
  });
  console.log(JSON.stringify({ ...result, cores: os.cpus().length }));
}
