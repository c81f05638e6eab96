/**
 * The DuckDB adapter for trade analytics: one instance (a file under the data dir, or in memory),
 * a small pool of connections for concurrent readers, and one exclusive writer at a time.
 * Values come back as plain JS: BIGINT/HUGEINT → number, DATE → 'YYYY-MM-DD', DECIMAL → number.
 * (Timestamps are kept as ISO text columns in this schema, so a Date here is always a DATE.)
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

export type SqlParam = string | number | boolean | null | bigint;
export type Row = Record<string, unknown>;

export interface TradeDbOptions {
  /** DuckDB database file, or ':memory:'. */
  path: string;
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** e.g. '4GB' (default: DuckDB's own, 80 % of RAM). */
  memoryLimit?: string;
  /** Reader connections (default 4). */
  readers?: number;
}

export interface DbConn {
  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  exec(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Runs one statement, reporting DuckDB's own progress (0..1) every ~250 ms while it runs. */
  execWithProgress(sql: string, params: readonly SqlParam[], onProgress: (fraction: number) => void): Promise<number>;
  readonly raw: DuckDBConnection;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return v;
}

function wrap(con: DuckDBConnection): DbConn {
  const params = (p?: readonly SqlParam[]): DuckDBValue[] | undefined => (p && p.length ? (p as DuckDBValue[]) : undefined);
  return {
    raw: con,
    async query<T extends Row>(sql: string, p?: readonly SqlParam[]): Promise<T[]> {
      // column-wise conversion, then rows: several times faster than row-wise conversion for wide results
      const reader = await con.runAndReadAll(sql, params(p));
      const names = reader.columnNames();
      const cols = reader.getColumnsJS();
      const n = cols[0]?.length ?? 0;
      const out: Row[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const o: Row = {};
        for (let j = 0; j < names.length; j++) o[names[j]!] = plain(cols[j]![i]);
        out[i] = o;
      }
      return out as T[];
    },
    async exec(sql: string, p?: readonly SqlParam[]): Promise<number> {
      const res = await con.run(sql, params(p));
      return res.rowsChanged;
    },
    async execWithProgress(sql: string, p: readonly SqlParam[], onProgress: (fraction: number) => void): Promise<number> {
      const timer = setInterval(() => {
        try {
          const pr = con.progress;
          if (pr.percentage >= 0) onProgress(Math.min(1, pr.percentage / 100));
        } catch {
          /* progress is best effort */
        }
      }, 250);
      try {
        const res = await con.run(sql, params(p));
        return res.rowsChanged;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/** A counting semaphore of connections: readers borrow one, the writer takes its own. */
export class TradeDb {
  private readonly idle: DbConn[] = [];
  private readonly waiting: ((c: DbConn) => void)[] = [];
  private writerBusy: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DbConn,
    readers: DbConn[],
    readonly path: string,
  ) {
    this.idle.push(...readers);
  }

  static async open(opts: TradeDbOptions): Promise<TradeDb> {
    const config: Record<string, string> = {};
    if (opts.threads) config['threads'] = String(opts.threads);
    if (opts.memoryLimit) config['memory_limit'] = opts.memoryLimit;
    const instance = await DuckDBInstance.create(opts.path, config);
    const writer = wrap(await instance.connect());
    const readers: DbConn[] = [];
    for (let i = 0; i < (opts.readers ?? 4); i++) readers.push(wrap(await instance.connect()));
    return new TradeDb(instance, writer, readers, opts.path);
  }

  private async borrow(): Promise<DbConn> {
    if (this.closed) throw new Error('trade database is closed');
    const c = this.idle.pop();
    if (c) return c;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: DbConn): void {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  /** Runs a read on a pooled connection. */
  async read<T>(fn: (c: DbConn) => Promise<T>): Promise<T> {
    const c = await this.borrow();
    try {
      return await fn(c);
    } finally {
      this.release(c);
    }
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.read((c) => c.query<T>(sql, params));
  }

  /** Exclusive use of the writer connection (loads, DDL, status updates), one caller at a time. */
  async write<T>(fn: (c: DbConn) => Promise<T>): Promise<T> {
    const prev = this.writerBusy;
    let done!: () => void;
    this.writerBusy = new Promise<void>((r) => (done = r));
    await prev;
    try {
      if (this.closed) throw new Error('trade database is closed');
      return await fn(this.writer);
    } finally {
      done();
    }
  }

  /** The writer inside BEGIN … COMMIT; ROLLBACK on any error. */
  transaction<T>(fn: (c: DbConn) => Promise<T>): Promise<T> {
    return this.write(async (c) => {
      await c.exec('BEGIN TRANSACTION');
      try {
        const out = await fn(c);
        await c.exec('COMMIT');
        return out;
      } catch (e) {
        try {
          await c.exec('ROLLBACK');
        } catch {
          /* the transaction may already be aborted */
        }
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writerBusy;
    this.closed = true;
    try {
      if (this.path !== ':memory:') await this.writer.exec('CHECKPOINT');
    } catch {
      /* best effort */
    }
    for (const c of [...this.idle, this.writer]) c.raw.closeSync();
    this.idle.length = 0;
    this.instance.closeSync();
  }
}

/** SQL string literal for trusted constants only (DDL defaults, code-table seeds): never for user input. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
