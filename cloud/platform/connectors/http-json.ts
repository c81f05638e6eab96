/**
 * HTTP/JSON APIs: GET with static query parameters, an optional bearer token (by reference),
 * page-number or cursor pagination, and an incremental `since` parameter carrying the connector's
 * cursor (the largest `cursorField` value seen so far).
 *
 * Every page is fetched when the pull starts, before the run's transaction opens, and then handed
 * over a piece per page: the API may be this cloud's own (the demo reads /api/gateways), whose
 * handlers need the store, and on SQLite (one connection) they would wait for the very transaction
 * that waits for them. An API's pages are small by nature, unlike the files of an inbox.
 */
import type { ConnectorSource } from '../definitions.js';
import { objects } from './files.js';
import { ConnectorError, getPath, maxCursor, type PullContext, type PullResult, type PullSlice } from './types.js';

type HttpJson = Extract<ConnectorSource, { kind: 'http-json' }>;

export async function pullHttpJson(src: HttpJson, ctx: PullContext): Promise<PullResult> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (src.auth.type === 'bearer') headers['authorization'] = `Bearer ${ctx.secret(src.auth.token)}`;
  let cursor = ctx.cursor;
  const pieces: PullSlice[] = [];
  async function* pages(): AsyncGenerator<PullSlice> {
    const field = ctx.definition.cursorField;
    let page = src.pagination.type === 'page' ? src.pagination.first : 0;
    let next: string | null = null;
    for (let n = 1; n <= src.maxPages; n++) {
      const url = new URL(src.url);
      for (const [k, v] of Object.entries(src.query)) url.searchParams.set(k, v);
      if (src.sinceParam && ctx.cursor !== null) url.searchParams.set(src.sinceParam, ctx.cursor);
      if (src.pagination.type === 'page') {
        url.searchParams.set(src.pagination.param, String(page));
        url.searchParams.set(src.pagination.sizeParam, String(src.pagination.size));
      } else if (src.pagination.type === 'cursor' && next !== null) url.searchParams.set(src.pagination.param, next);
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(src.timeoutMs)]) });
      } catch (e) {
        throw new ConnectorError(`GET ${url.origin}${url.pathname} failed: ${(e as Error).message}`, true, { cause: e });
      }
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        // Refused credentials or a wrong URL will not mend by themselves; server trouble may.
        const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
        throw new ConnectorError(`GET ${url.origin}${url.pathname} answered HTTP ${res.status}`, retryable);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch (e) {
        throw new ConnectorError(`GET ${url.origin}${url.pathname}: the body is not JSON (${(e as Error).message})`, true, { cause: e });
      }
      const records = getPath(body, src.records);
      if (!Array.isArray(records)) throw new ConnectorError(`GET ${url.origin}${url.pathname}: no array of records at "${src.records}"`, false);
      const parsed = objects(url.pathname, records, (i) => `page ${n} #${i + 1}`);
      if (field) for (const r of parsed.rows) cursor = maxCursor(cursor, r.data[field]);
      yield parsed;
      if (src.pagination.type === 'none') break;
      if (src.pagination.type === 'page') {
        if (records.length < src.pagination.size) break;
        page += 1;
      } else {
        const c = getPath(body, src.pagination.next);
        if (c === null || c === undefined || c === '') break;
        next = String(c);
      }
      if (n === src.maxPages) throw new ConnectorError(`more than maxPages (${src.maxPages}) pages: raise maxPages or narrow the query`, false);
    }
  }
  for await (const page of pages()) pieces.push(page);
  return { slices: oneByOne(pieces), cursor };
}

async function* oneByOne(pieces: PullSlice[]): AsyncGenerator<PullSlice> {
  // handed over one by one, so the run can let go of each page once it is landed
  while (pieces.length) yield pieces.shift()!;
}
