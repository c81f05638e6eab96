/**
 * Shared by the flows integration tests: the simulated quay (density monitor, LED display, queue
 * terminal), a gateway config with Node-RED enabled, and a client of Node-RED's admin API that signs
 * in like the editor does (OAuth2 password grant → bearer token).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { hashPassword } from '../../../edge/flows/auth.js';
import { STORE_FILE } from '../../../edge/store/store.js';
import { gatewayConfig, type SimEndpoints } from '../../../scripts/lib/stack.js';

export const ADMIN = { username: 'quay-admin', password: 'harbour-admin-pw', scope: '*' };
export const VIEWER = { username: 'quay-viewer', password: 'harbour-viewer-pw', scope: 'read' };

export const SIM = {
  version: 1,
  world: { seed: 11 },
  logLevel: 'warn',
  buses: [],
  devices: [
    { id: 'sdm-1', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
    { id: 'led-1', profile: 'qs-led-tcp', transport: { type: 'tcp', port: 0 }, params: { brightness: 60, line1: '洋山港区 3 号泊位', line2: '欢迎 Welcome' } },
    { id: 'qt-1', profile: 'qs-qt-serial', transport: { type: 'serial' }, params: { periodS: 1, window: 3, meanPressIntervalS: 100000 } },
  ],
};

/** A gateway config for the simulator with a `flows` section. */
export async function flowsGatewayConfig(ep: SimEndpoints, dir: string, flows: Record<string, unknown> = {}, opts: { pollIntervalMs?: number } = {}) {
  const base = gatewayConfig(ep, { dataDir: path.join(dir, 'data'), pollIntervalMs: opts.pollIntervalMs ?? 500, batchMs: 100, logLevel: 'warn' });
  return {
    ...base,
    gateway: { id: 'gw-flows', name: 'Flows quay' },
    flows: {
      enabled: true,
      credentialSecret: 'flows-test-secret-1234',
      functionTimeoutS: 0.5,
      adminUsers: [
        { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password) },
        { username: VIEWER.username, passwordHash: await hashPassword(VIEWER.password), permissions: 'read' },
      ],
      ...flows,
    },
  };
}

export function writeConfig(dir: string, cfg: unknown): string {
  const file = path.join(dir, 'gw.json');
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

export interface AdminClient {
  token: string;
  get(p: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  post(p: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** GET /flows (v2: {rev, flows}). */
  flows(): Promise<{ rev: string; flows: any[] }>;
  /** POST /flows, a full deploy (v2). */
  deploy(flows: unknown[], rev?: string): Promise<{ status: number; body: any }>;
}

/** Signs in to the admin API at `${base}/flows/admin` like the editor does. */
export async function adminClient(base: string, user: { username: string; password: string; scope: string } = ADMIN): Promise<AdminClient> {
  const root = `${base}/flows/admin`;
  const res = await fetch(`${root}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: user.scope, username: user.username, password: user.password }).toString(),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${user.username}: ${res.status} ${await res.text()}`);
  const token = ((await res.json()) as { access_token: string }).access_token;
  const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(root + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed as any };
  };
  return {
    token,
    get: (p, h) => call('GET', p, undefined, h),
    post: (p, b, h) => call('POST', p, b, h),
    flows: async () => {
      const r = await call('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' });
      if (r.status !== 200) throw new Error(`GET /flows: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { rev: string; flows: any[] };
    },
    deploy: (flows, rev) => call('POST', '/flows', rev ? { rev, flows } : { flows }, { 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' }),
  };
}

/** Reads the gateway's SQLite store (read-only, WAL: sees what the daemon committed). */
export function openStore(dir: string): Database.Database {
  return new Database(path.join(dir, 'data', STORE_FILE), { readonly: true, fileMustExist: true });
}

/** A flow tab with the given nodes (each gets z and a position). */
export function tab(id: string, label: string, nodes: Record<string, unknown>[], env: { name: string; value: string; type: string }[] = []): Record<string, unknown>[] {
  return [{ id, type: 'tab', label, disabled: false, info: '', env }, ...nodes.map((n, i) => ({ x: 200 + 200 * (i % 3), y: 80 + 60 * Math.floor(i / 3), wires: [], ...n, z: id }))];
}
