/**
 * InfluxDB over its 1.x HTTP API (`/query`, InfluxQL; 1.x, 2.x and 3.x serve it): the query's
 * `$cursor` becomes the cursor as an epoch-millisecond time literal, each point becomes a row (its
 * columns plus its series' tags, `time` in epoch ms), and the newest time is the next cursor.
 */
import type { ConnectorSource } from '../definitions.js';
import type { SourceRow } from '../pipeline.js';
import { ConnectorError, inHand, maxCursor, type PullContext, type PullResult } from './types.js';

type InfluxSource = Extract<ConnectorSource, { kind: 'influx' }>;

interface InfluxResponse {
  results?: Array<{ statement_id?: number; error?: string; series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }> }>;
  error?: string;
}

export async function pullInflux(src: InfluxSource, ctx: PullContext): Promise<PullResult> {
  const since = ctx.cursor === null ? 0 : Number(ctx.cursor);
  if (!Number.isFinite(since)) throw new ConnectorError(`cursor "${ctx.cursor}" is not epoch milliseconds`, false);
  const q = src.query.replace(/\$cursor\b/g, `${Math.trunc(since)}ms`);
  const url = new URL('/query', src.url);
  url.searchParams.set('db', src.db);
  url.searchParams.set('q', q);
  url.searchParams.set('epoch', 'ms');
  const headers: Record<string, string> = {};
  if (src.username && src.password) headers['authorization'] = `Basic ${Buffer.from(`${ctx.secret(src.username)}:${ctx.secret(src.password)}`).toString('base64')}`;
  let res: Response;
  try {
    // GET: InfluxDB 1.x runs only SELECT and SHOW over GET, so a connector cannot change the database.
    res = await fetch(url, { method: 'GET', headers, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(120_000)]) });
  } catch (e) {
    throw new ConnectorError(`InfluxDB at ${url.origin} cannot be reached: ${(e as Error).message}`, true, { cause: e });
  }
  const text = await res.text();
  let body: InfluxResponse;
  try {
    body = JSON.parse(text) as InfluxResponse;
  } catch {
    throw new ConnectorError(`InfluxDB answered HTTP ${res.status} without JSON`, res.status >= 500);
  }
  if (!res.ok || body.error) throw new ConnectorError(`InfluxDB refused the query (HTTP ${res.status}): ${body.error ?? text.slice(0, 200)}`, res.status >= 500);
  const rows: SourceRow[] = [];
  let cursor = ctx.cursor;
  for (const result of body.results ?? []) {
    if (result.error) throw new ConnectorError(`InfluxQL: ${result.error}`, false);
    for (const s of result.series ?? []) {
      s.values.forEach((vals, i) => {
        const data: Record<string, unknown> = { ...(s.tags ?? {}) };
        s.columns.forEach((c, j) => (data[c] = vals[j]));
        cursor = maxCursor(cursor, data['time']);
        rows.push({ ref: `${s.name}${s.tags ? JSON.stringify(s.tags) : ''} #${i + 1}`, data });
      });
    }
  }
  // one query's answer, already whole in memory: one piece
  return { slices: inHand(rows), cursor };
}
