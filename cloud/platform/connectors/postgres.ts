/**
 * Another PostgreSQL database (internal systems): rows of one table whose watermark column is above
 * the cursor, in watermark order, batch by batch. A batch that ends inside a run of equal watermark
 * values is completed with all rows of that value, so a later `>` never skips one. Each batch is a
 * piece of the pull, read as the run asks for it.
 */
import pg from 'pg';
import type { ConnectorSource } from '../definitions.js';
import type { SourceRow } from '../pipeline.js';
import { ConnectorError, maxCursor, type PullContext, type PullResult, type PullSlice } from './types.js';

type PgSource = Extract<ConnectorSource, { kind: 'postgres' }>;

const quote = (ident: string) =>
  ident
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');

function plain(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}

export async function pullPostgres(src: PgSource, ctx: PullContext): Promise<PullResult> {
  // Host, port and database from the URL; user and password only from their references (a
  // connection string would override them).
  const u = new URL(src.url);
  const client = new pg.Client({
    host: decodeURIComponent(u.hostname),
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    ...(u.searchParams.get('sslmode') && u.searchParams.get('sslmode') !== 'disable' ? { ssl: { rejectUnauthorized: u.searchParams.get('sslmode') === 'verify-full' } } : {}),
    ...(src.user ? { user: ctx.secret(src.user) } : {}),
    ...(src.password ? { password: ctx.secret(src.password) } : {}),
    connectionTimeoutMillis: 15_000,
    statement_timeout: 300_000,
  });
  try {
    await client.connect();
  } catch (e) {
    const code = (e as { code?: string }).code;
    // 28P01 wrong password, 28000 no such role, 3D000 no such database
    throw new ConnectorError(`cannot connect to ${new URL(src.url).host}: ${(e as Error).message}`, !['28P01', '28000', '3D000'].includes(code ?? ''), { cause: e });
  }
  const onAbort = () => void client.end().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    ctx.signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  };
  let cursor = ctx.cursor;
  async function* batches(): AsyncGenerator<PullSlice> {
    try {
      const cols = src.columns ? src.columns.map(quote).join(', ') : '*';
      const wm = quote(src.watermark);
      const table = quote(src.table);
      for (;;) {
        let r: pg.QueryResult;
        let batch: Record<string, unknown>[];
        try {
          const where = cursor === null ? '' : `WHERE ${wm} > $1`;
          r = await client.query({ text: `SELECT ${cols}, ${wm} AS "__wm" FROM ${table} ${where} ORDER BY ${wm} LIMIT ${src.batchSize}`, values: cursor === null ? [] : [cursor] });
          batch = r.rows as Record<string, unknown>[];
          if (batch.length === src.batchSize) {
            const last = batch[batch.length - 1]!['__wm'];
            const tie = await client.query({ text: `SELECT ${cols}, ${wm} AS "__wm" FROM ${table} WHERE ${wm} = $1`, values: [last] });
            batch = [...batch.filter((x) => String(plain(x['__wm'])) !== String(plain(last))), ...(tie.rows as Record<string, unknown>[])];
          }
        } catch (e) {
          const code = (e as { code?: string }).code ?? '';
          // 42xxx: syntax or undefined table/column — the definition is wrong, retrying cannot help.
          throw new ConnectorError(`query on ${src.table} failed: ${(e as Error).message}`, !code.startsWith('42'), { cause: e });
        }
        const rows: SourceRow[] = [];
        for (const x of batch) {
          const data: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(x)) if (k !== '__wm') data[k] = plain(v);
          cursor = maxCursor(cursor, plain(x['__wm']));
          rows.push({ ref: `${src.table} ${src.watermark}=${String(plain(x['__wm']))}`, data });
        }
        if (rows.length) yield { rows, rejects: [] };
        if (r.rows.length < src.batchSize) break;
      }
    } finally {
      await end();
    }
  }
  return {
    slices: batches(),
    get cursor() {
      return cursor;
    },
    // also when the batches were never read to the end (the run failed on the way)
    close: end,
  };
}
