/**
 * Shared by the cloud integration tests: the real servers started by scripts/services.sh (a missing
 * one FAILS the test, it is never skipped), throwaway databases, a cloud on ephemeral ports with its
 * logs captured, child processes (mosquitto clients, influxd) and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { before, beforeEach } from 'node:test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startCloud, type RunningCloud } from '../../../cloud/main.js';
import type { CloudConfigInput } from '../../../cloud/config/schema.js';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Services {
  influxUrl: string;
  pgUrl: string;
}

/** URLs from the environment or from .tmp/services/env; throws (the test fails) when a server does not answer. */
export async function services(): Promise<Services> {
  const fromFile: Record<string, string> = {};
  const envFile = path.join(REPO, '.tmp/services/env');
  if (fs.existsSync(envFile)) {
    for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fromFile[m[1]!] = m[2]!;
    }
  }
  const influxUrl = process.env['QS_TEST_INFLUX_URL'] ?? fromFile['QS_TEST_INFLUX_URL'];
  const pgUrl = process.env['QS_TEST_PG_URL'] ?? fromFile['QS_TEST_PG_URL'];
  if (!influxUrl || !pgUrl) throw new Error('QS_TEST_INFLUX_URL / QS_TEST_PG_URL not set: run scripts/services.sh start first');
  const ping = await fetch(`${influxUrl}/ping`).catch((e: Error) => e);
  if (ping instanceof Error || ping.status !== 204) throw new Error(`InfluxDB at ${influxUrl} does not answer: run scripts/services.sh start`);
  const c = new pg.Client({ connectionString: pgUrl });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (e) {
    throw new Error(`PostgreSQL at ${pgUrl} does not answer (${(e as Error).message}): run scripts/services.sh start`);
  } finally {
    await c.end().catch(() => undefined);
  }
  return { influxUrl, pgUrl };
}

/**
 * A suite's set-up (servers, databases, the cloud). When it throws — a server is missing — every test
 * of the suite FAILS with that error; a throwing `before` alone would only mark them cancelled.
 */
export function suiteSetup(fn: () => Promise<void>): void {
  let failure: unknown = null;
  before(async () => {
    try {
      await fn();
    } catch (e) {
      failure = e;
    }
  });
  beforeEach(() => {
    if (failure) throw failure;
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
}

const tmpDirs: string[] = [];
process.once('exit', () => {
  if (process.env['QS_KEEP_TMP']) return;
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder under .tmp/test-cloud, removed when the test process exits (unless QS_KEEP_TMP is set). */
export function tmpDir(prefix: string): string {
  const base = path.join(REPO, '.tmp/test-cloud');
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, `${prefix}-`));
  tmpDirs.push(dir);
  return dir;
}

/** A fresh PostgreSQL database; `drop()` removes it. */
export async function freshPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName('qs_test');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function influxQuery(url: string, db: string, q: string): Promise<Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>> {
  const u = new URL('/query', url);
  u.searchParams.set('db', db);
  u.searchParams.set('q', q);
  u.searchParams.set('epoch', 'ms');
  const res = await fetch(u);
  const json = (await res.json()) as { results: Array<{ series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }> };
  if (json.results[0]?.error) throw new Error(json.results[0].error);
  return json.results[0]?.series ?? [];
}

/** Number of stored points (rows) matching an InfluxQL WHERE clause. */
export async function influxCount(url: string, db: string, where: string, measurement = 'reading'): Promise<number> {
  // count(*) counts per field; every point has exactly one of value/text/missing.
  const series = await influxQuery(url, db, `SELECT count(*) FROM "${measurement}" WHERE ${where}`);
  const row = series[0]?.values[0];
  if (!row) return 0;
  const cols = series[0]!.columns;
  let n = 0;
  for (const f of ['count_value', 'count_text', 'count_missing']) {
    const i = cols.indexOf(f);
    if (i >= 0 && typeof row[i] === 'number') n += row[i] as number;
  }
  return n;
}

export async function dropInfluxDb(url: string, db: string): Promise<void> {
  const u = new URL('/query', url);
  u.searchParams.set('q', `DROP DATABASE "${db}"`);
  await fetch(u, { method: 'POST' }).then((r) => r.arrayBuffer());
}

export interface LogLine {
  level: number;
  msg: string;
  code?: string;
  [k: string]: unknown;
}

export interface TestCloud extends RunningCloud {
  logs: LogLine[];
  dataDir: string;
  admin(pathname: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

/** A cloud on ephemeral loopback ports, logs kept in memory. */
export async function startTestCloud(overrides: Partial<CloudConfigInput> = {}, opts: { dataDir?: string } = {}): Promise<TestCloud> {
  const dataDir = opts.dataDir ?? tmpDir('cloud');
  const logs: LogLine[] = [];
  const destination = {
    write(s: string) {
      for (const line of s.split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
    },
  };
  const cloud = await startCloud(
    {
      version: 1,
      dataDir,
      log: { level: 'debug' },
      api: { host: '127.0.0.1', port: 0 },
      admin: { token: ADMIN_TOKEN },
      broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: 0, admin: { username: '_admin', password: 'admin-password-0123456789' } },
      ...overrides,
    },
    { logDestination: destination },
  );
  return Object.assign(cloud, {
    logs,
    dataDir,
    async admin(pathname: string, init: { method?: string; body?: unknown } = {}) {
      const res = await fetch(`${cloud.url}${pathname}`, {
        method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* text */
      }
      return { status: res.status, body };
    },
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after timeoutMs). */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** A long-running child with its output collected; `stop()` kills it by its own pid. */
export function spawnChild(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; output(): string; stop(signal?: NodeJS.Signals): Promise<void> } {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
