/**
 * The embedded adapter of the time-series port: one SQLite table under dataDir, for the demo and for
 * installations without InfluxDB. Same identity rule as InfluxDB: (gw, device, point, ts) is the key and a
 * rewrite replaces the row.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { QuaysideError } from '../../shared/errors.js';
import { pointProblem, toHistoryRow, type HistoryQuery, type HistoryRow, type SeriesPoint, type TimeSeriesPort } from './port.js';

interface Row {
  device: string;
  point: string;
  ts: number;
  value: number | null;
  text: string | null;
  unit: string;
  quality: string;
  reason: string | null;
  detail: string | null;
}

const COLUMNS = 'device, point, ts, value, text, unit, quality, reason, detail';

export class EmbeddedSeries implements TimeSeriesPort {
  readonly kind = 'embedded';
  private readonly db: Database.Database;
  private readonly insertMany: (points: readonly SeriesPoint[]) => void;
  private readonly m = { points_written_total: 0, batches_written_total: 0 };

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS points (
      gw TEXT NOT NULL, device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL,
      value REAL, text TEXT, unit TEXT NOT NULL, quality TEXT NOT NULL, reason TEXT, detail TEXT,
      PRIMARY KEY (gw, device, point, ts)) WITHOUT ROWID`);
    const insert = this.db.prepare(`INSERT OR REPLACE INTO points (gw, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertMany = this.db.transaction((points: readonly SeriesPoint[]) => {
      for (const p of points) {
        const value = typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? (p.value ? 1 : 0) : null;
        const text = typeof p.value === 'string' ? p.value : null;
        insert.run(p.gw, p.device, p.point, p.ts, value, text, p.unit, p.quality, p.reason ?? null, p.detail ?? null);
      }
    });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  write(points: readonly SeriesPoint[]): Promise<void> {
    for (const p of points) {
      const problem = pointProblem(p);
      if (problem) return Promise.reject(new QuaysideError('CLOUD_TS_REJECTED', `${p.device}/${p.point}@${p.ts}: ${problem}`));
    }
    this.insertMany(points);
    this.m.points_written_total += points.length;
    this.m.batches_written_total++;
    return Promise.resolve();
  }

  history(q: HistoryQuery): Promise<HistoryRow[]> {
    const pointClause = q.point !== undefined ? 'AND point = @point' : '';
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM points WHERE gw = @gw AND device = @device ${pointClause} AND ts >= @from AND ts <= @to ORDER BY ts, point LIMIT @limit`)
      .all({ gw: q.gw, device: q.device, from: Math.trunc(q.from), to: Math.trunc(q.to), limit: Math.trunc(q.limit), ...(q.point !== undefined ? { point: q.point } : {}) }) as Row[];
    return Promise.resolve(rows.map(toHistoryRow));
  }

  latest(gw: string): Promise<HistoryRow[]> {
    // SQLite returns the bare columns of the row that holds max(ts) in each group.
    const rows = this.db
      .prepare(`SELECT device, point, max(ts) AS ts, value, text, unit, quality, reason, detail FROM points WHERE gw = ? GROUP BY device, point ORDER BY device, point`)
      .all(gw) as Row[];
    return Promise.resolve(rows.map(toHistoryRow));
  }

  metrics(): Record<string, number> {
    return { ...this.m };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
