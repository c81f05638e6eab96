/**
 * A bounded, durable FIFO of line-protocol bodies, kept in SQLite under dataDir while InfluxDB cannot
 * be reached. A batch in the spool counts as durable (synchronous=FULL): ingest may acknowledge it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { QuaysideError } from '../../shared/errors.js';

export interface SpooledBatch {
  id: number;
  body: string;
  points: number;
}

export class Spool {
  private readonly db: Database.Database;
  private batchesN = 0;
  private pointsN = 0;
  private bytesN = 0;
  private readonly stmts: {
    append: Database.Statement<[string, number, number, number]>;
    peek: Database.Statement<[], { id: number; body: string; points: number; bytes: number }>;
    remove: Database.Statement<[number]>;
  };

  constructor(
    file: string,
    readonly maxBytes: number,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, points INTEGER NOT NULL, bytes INTEGER NOT NULL, created INTEGER NOT NULL)');
    const totals = this.db.prepare('SELECT count(*) AS n, coalesce(sum(points), 0) AS p, coalesce(sum(bytes), 0) AS b FROM spool').get() as { n: number; p: number; b: number };
    this.batchesN = totals.n;
    this.pointsN = totals.p;
    this.bytesN = totals.b;
    this.stmts = {
      append: this.db.prepare('INSERT INTO spool (body, points, bytes, created) VALUES (?, ?, ?, ?)'),
      peek: this.db.prepare('SELECT id, body, points, bytes FROM spool ORDER BY id LIMIT 1'),
      remove: this.db.prepare('DELETE FROM spool WHERE id = ?'),
    };
  }

  get batches(): number {
    return this.batchesN;
  }
  get points(): number {
    return this.pointsN;
  }
  get bytes(): number {
    return this.bytesN;
  }
  get empty(): boolean {
    return this.batchesN === 0;
  }

  /** Appends a batch; CLOUD_TS_SPOOL_FULL when it would pass the bound. */
  append(body: string, points: number): void {
    const bytes = Buffer.byteLength(body);
    if (this.bytesN + bytes > this.maxBytes) {
      throw new QuaysideError('CLOUD_TS_SPOOL_FULL', `${this.bytesN} of ${this.maxBytes} bytes used, batch of ${bytes} bytes refused`);
    }
    this.stmts.append.run(body, points, bytes, Date.now());
    this.batchesN++;
    this.pointsN += points;
    this.bytesN += bytes;
  }

  /** The oldest batch, or null. */
  peek(): SpooledBatch | null {
    const row = this.stmts.peek.get();
    return row ? { id: row.id, body: row.body, points: row.points } : null;
  }

  remove(batch: SpooledBatch): void {
    const info = this.stmts.remove.run(batch.id);
    if (info.changes === 1) {
      this.batchesN--;
      this.pointsN -= batch.points;
      this.bytesN -= Buffer.byteLength(batch.body);
    }
  }

  close(): void {
    this.db.close();
  }
}
