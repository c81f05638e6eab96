/**
 * Shared by the console (4A, supervision) integration tests: a cloud on either SQL dialect with a
 * bootstrap administrator, a cookie-jar client that logs in like a browser (session cookie + the CSRF
 * header on state-changing requests), a seeded set of organisations and users (one per role, two
 * enterprises), and an SSE reader.
 */
import { after } from 'node:test';
import pg from 'pg';
import { completeUscc } from '../../../shared/ids/uscc.js';
import type { CloudConfigInput } from '../../../cloud/config/schema.js';
import { freshPgDatabase, services, startTestCloud, type TestCloud } from '../cloud/helpers.js';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export const ADMIN = { username: 'root-admin', password: 'Bootstrap#Pass2026' };
export const PASSWORD = 'Quay$ide-2026-pass';

/** Valid USCCs (GB 32100 check character computed). */
export const USCC_A = completeUscc('91310115MA1K4ABC0');
export const USCC_B = completeUscc('91440300MA5FXKMD0');

export interface ConsoleCloud extends TestCloud {
  drop(): Promise<void>;
}

/** A cloud with the console on `dialect`; scrypt cost lowered (N = 4096) so the many logins stay quick. */
export async function startConsoleCloud(dialect: Dialect, overrides: Partial<CloudConfigInput> = {}): Promise<ConsoleCloud> {
  let drop: () => Promise<void> = async () => undefined;
  let store: CloudConfigInput['store'] = { driver: 'sqlite', file: 'cloud.db' };
  if (dialect === 'postgres') {
    const { pgUrl } = await services();
    const db = await freshPgDatabase(pgUrl);
    drop = () => gentleDrop(pgUrl, new URL(db.url).pathname.slice(1));
    store = { driver: 'postgres', url: db.url, poolSize: 8 };
  }
  const auth = (overrides.auth ?? {}) as NonNullable<CloudConfigInput['auth']>;
  const cloud = await startTestCloud({
    store,
    ...overrides,
    auth: { bootstrapAdmin: ADMIN, password: { scrypt: { N: 4096 } }, ...auth },
    supervision: { pollMs: 100, ...(overrides.supervision ?? {}) },
  });
  return Object.assign(cloud, {
    async drop() {
      await cloud.stop();
      await drop();
    },
  });
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * Drops a test database once the cloud has let go of it. Without FORCE: a connection still open (a pool
 * client that a busy machine was still connecting while the pool ended) is left alone rather than killed
 * under a running process, and the database stays behind in the throwaway test cluster.
 */
async function gentleDrop(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (let i = 0; i < 30; i++) {
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        return;
      } catch (e) {
        if (!/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await c.end();
  }
}

/** A browser-like client: keeps cookies, sends x-csrf-token on POST/PUT/PATCH/DELETE. */
export class Client {
  readonly jar = new Map<string, string>();
  csrf: string | null = null;
  user: any = null;

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async raw(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; csrf?: boolean; redirect?: 'manual' | 'follow' | 'error'; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.jar.size) headers['cookie'] = this.cookieHeader();
    const unsafe = !['GET', 'HEAD'].includes(method);
    if (unsafe && init.csrf !== false && this.jar.has('qs_csrf')) headers['x-csrf-token'] = this.jar.get('qs_csrf')!;
    let body: string | Uint8Array | undefined;
    if (init.body instanceof Uint8Array) body = init.body;
    else if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await fetch(new URL(path, this.base), { method, headers, ...(body !== undefined ? { body } : {}), redirect: init.redirect ?? 'manual', ...(init.signal ? { signal: init.signal } : {}) });
    this.take(res);
    return res;
  }

  async req(method: string, path: string, body?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Reply> {
    const res = await this.raw(method, path, { body, ...opts });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get(path: string) {
    return this.req('GET', path);
  }
  post(path: string, body: unknown = {}) {
    return this.req('POST', path, body);
  }
  put(path: string, body: unknown = {}) {
    return this.req('PUT', path, body);
  }
  patch(path: string, body: unknown = {}) {
    return this.req('PATCH', path, body);
  }

  async login(username: string, password: string): Promise<Reply> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status === 200) {
      this.csrf = r.body.csrfToken;
      this.user = r.body.user;
    }
    return r;
  }

  static async as(base: string, username: string, password = PASSWORD): Promise<Client> {
    const c = new Client(base);
    const r = await c.login(username, password);
    if (r.status !== 200) throw new Error(`login ${username}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  }
}

export interface Seed {
  admin: Client;
  customsOrg: string;
  entA: string;
  entB: string;
  users: Record<'command' | 'inspector' | 'inspector2' | 'auditor' | 'entA' | 'entB', { id: string; username: string }>;
  as(who: 'admin' | 'command' | 'inspector' | 'inspector2' | 'auditor' | 'entA' | 'entB'): Promise<Client>;
}

/** Organisations (a customs department, two enterprises) and one user per role. */
export async function seed(cloud: TestCloud): Promise<Seed> {
  const admin = await Client.as(cloud.url, ADMIN.username, ADMIN.password);
  const mk = async (path: string, body: unknown) => {
    const r = await admin.post(path, body);
    if (r.status !== 201) throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const customsOrg = (await mk('/api/orgs', { kind: 'customs', name: '洋山海关 监管一科' })).id as string;
  const entA = (await mk('/api/orgs', { kind: 'enterprise', name: '上海甲贸易有限公司', uscc: USCC_A })).id as string;
  const entB = (await mk('/api/orgs', { kind: 'enterprise', name: '深圳乙物流有限公司', uscc: USCC_B })).id as string;
  const user = async (username: string, roles: string[], orgId: string) => {
    const u = await mk('/api/users', { username, displayName: username, password: PASSWORD, roles, orgId, email: `${username}@example.test` });
    return { id: u.id as string, username };
  };
  const users = {
    command: await user('cmd-li', ['command'], customsOrg),
    inspector: await user('insp-wang', ['inspector'], customsOrg),
    inspector2: await user('insp-zhao', ['inspector'], customsOrg),
    auditor: await user('audit-chen', ['auditor'], customsOrg),
    entA: await user('ent-a-zhang', ['enterprise'], entA),
    entB: await user('ent-b-liu', ['enterprise'], entB),
  };
  const clients = new Map<string, Client>();
  return {
    admin,
    customsOrg,
    entA,
    entB,
    users,
    async as(who) {
      if (who === 'admin') return admin;
      const hit = clients.get(who);
      if (hit) return hit;
      const c = await Client.as(cloud.url, users[who].username);
      clients.set(who, c);
      return c;
    },
  };
}

/** Reads server-sent events into a list until closed. */
export class SseReader {
  readonly events: Array<{ id: string | null; event: string; data: any }> = [];
  private readonly ctl = new AbortController();
  private done: Promise<void> = Promise.resolve();
  status = 0;

  static async open(client: Client, path = '/api/events/stream', headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    const res = await client.raw('GET', path, { signal: r.ctl.signal, headers });
    r.status = res.status;
    if (res.status !== 200 || !res.body) return r;
    r.done = (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let id: string | null = null;
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) r.events.push({ id, event, data: JSON.parse(data.join('\n')) });
          }
        }
      } catch {
        /* aborted */
      }
    })();
    return r;
  }

  of(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  async close(): Promise<void> {
    this.ctl.abort();
    await this.done;
  }
}

/** Registers cleanup of a cloud started in a suite. */
export function dropAfter(get: () => ConsoleCloud | undefined): void {
  after(async () => {
    await get()?.drop();
  });
}
