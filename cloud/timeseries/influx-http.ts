/**
 * The InfluxDB 1.x HTTP API, with plain fetch: `/ping`, `/write` (line protocol) and `/query` (InfluxQL).
 * These endpoints are served by InfluxDB 1.x, 2.x (compat) and 3.x alike.
 */
import { QuaysideError } from '../../shared/errors.js';

export interface InfluxConnection {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** What a failed write means for the caller. */
export type WriteFailure =
  | { kind: 'unreachable'; message: string } // network error, timeout, 5xx: try again later
  | { kind: 'no-database'; message: string } // 404 database not found: create it, then try again
  | { kind: 'rejected'; message: string }; // 4xx: the points themselves are refused

export class InfluxHttp {
  constructor(private readonly c: InfluxConnection) {}

  get url(): string {
    return this.c.url;
  }

  private endpoint(p: string, params: Record<string, string>): string {
    const u = new URL(p, this.c.url.endsWith('/') ? this.c.url : `${this.c.url}/`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    if (this.c.username) u.searchParams.set('u', this.c.username);
    if (this.c.password) u.searchParams.set('p', this.c.password);
    return u.toString();
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(this.endpoint('ping', {}), { signal: AbortSignal.timeout(this.c.timeoutMs) });
      await res.arrayBuffer();
      return res.status === 204 || res.ok;
    } catch {
      return false;
    }
  }

  /** Posts a line-protocol body; null on success, else what went wrong. */
  async write(body: string): Promise<WriteFailure | null> {
    let res: Response;
    try {
      res = await fetch(this.endpoint('write', { db: this.c.database, precision: 'ms' }), {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.c.timeoutMs),
      });
    } catch (e) {
      return { kind: 'unreachable', message: describeFetchError(e) };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 204 || res.status === 200) return null;
    const message = `HTTP ${res.status}: ${text.slice(0, 300).trim()}`;
    if (res.status === 404 && /database not found/i.test(text)) return { kind: 'no-database', message };
    if (res.status >= 500 || res.status === 429 || res.status === 408) return { kind: 'unreachable', message };
    return { kind: 'rejected', message };
  }

  async createDatabase(): Promise<void> {
    await this.query(`CREATE DATABASE "${this.c.database}"`, { method: 'POST', db: false });
  }

  /** Runs one InfluxQL statement; times come back as ms since the epoch. */
  async query(q: string, opts: { method?: 'GET' | 'POST'; db?: boolean } = {}): Promise<InfluxSeries[]> {
    const params: Record<string, string> = { q, epoch: 'ms' };
    if (opts.db !== false) params['db'] = this.c.database;
    let res: Response;
    try {
      res = await fetch(this.endpoint('query', params), { method: opts.method ?? 'GET', signal: AbortSignal.timeout(this.c.timeoutMs) });
    } catch (e) {
      throw new QuaysideError('CLOUD_TS_UNAVAILABLE', `${this.c.url}: ${describeFetchError(e)}`, { cause: e });
    }
    const text = await res.text();
    let json: { results?: Array<{ error?: string; series?: InfluxSeries[] }>; error?: string };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new QuaysideError('CLOUD_TS_QUERY', `HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    const err = json.error ?? json.results?.[0]?.error;
    if (!res.ok || err) throw new QuaysideError('CLOUD_TS_QUERY', `HTTP ${res.status}: ${err ?? text.slice(0, 200)}`);
    return json.results?.[0]?.series ?? [];
  }
}

function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
