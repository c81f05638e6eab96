/**
 * Shared by the sync integration tests: the real cloud (cloud/main.ts) on fixed loopback ports so it can
 * be stopped and started again at the same address, gateway enrolment through its API, gateway configs
 * with a `cloud` section, and the exactly-once check that compares what the edge stored with what the
 * cloud stored (its ledger and its time-series table, read from their SQLite files).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startCloud, type RunningCloud } from '../../../cloud/main.js';
import { ROOT, gatewayConfig, type SimEndpoints } from '../../../scripts/lib/stack.js';

export { sleep, waitFor, startSimulator, type Simulator } from '../../../scripts/lib/stack.js';

export const ADMIN_TOKEN = 'sync-test-admin-token-0123456789';
export const MQTT_ADMIN = { username: '_admin', password: 'sync-admin-password-0123456789' };

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qs-sync-${prefix}-`));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface CloudPorts {
  api: number;
  mqtt: number;
  mqtts: number;
}

export interface TestCloud extends RunningCloud {
  dataDir: string;
  ports: CloudPorts;
  logs: Array<Record<string, unknown>>;
}

/** The cloud with its embedded defaults (SQLite store, embedded time-series, aedes) on the given ports. */
export async function startTestCloud(dataDir: string, ports?: CloudPorts): Promise<TestCloud> {
  const p = ports ?? { api: await freePort(), mqtt: await freePort(), mqtts: await freePort() };
  const logs: Array<Record<string, unknown>> = [];
  const cloud = await startCloud(
    {
      version: 1,
      dataDir,
      log: { level: 'warn' },
      api: { host: '127.0.0.1', port: p.api },
      admin: { token: ADMIN_TOKEN },
      broker: { mode: 'embedded', host: '127.0.0.1', port: p.mqtt, tlsPort: p.mqtts, admin: MQTT_ADMIN },
    },
    { logDestination: { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) } },
  );
  return Object.assign(cloud, { dataDir, ports: p, logs });
}

/** Creates a gateway in the cloud (admin API) and returns its one-time enrolment token. */
export async function createGateway(cloudUrl: string, id: string): Promise<string> {
  const res = await fetch(`${cloudUrl}/api/gateways`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, name: `sync test ${id}` }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { enrolToken: string }).enrolToken;
}

export async function adminApi(cloudUrl: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${cloudUrl}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

/** A gateway config file: the simulator's devices (if any) plus a cloud section. */
export function writeGatewayConfig(
  dir: string,
  o: { gw: string; cloud: Record<string, unknown>; endpoints?: SimEndpoints; pollIntervalMs?: number; batchMs?: number; name?: string },
): string {
  const base = o.endpoints
    ? gatewayConfig(o.endpoints, { dataDir: path.join(dir, 'edge-data'), pollIntervalMs: o.pollIntervalMs ?? 100, batchMs: o.batchMs ?? 100 })
    : { version: 1, dataDir: path.join(dir, 'edge-data'), profilesDir: path.join(ROOT, 'firmware-profiles'), api: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' }, store: { batchMs: o.batchMs ?? 100 }, devices: [] };
  const cfg = { ...base, gateway: { id: o.gw, name: `Quay ${o.gw}` }, cloud: o.cloud };
  const file = path.join(dir, o.name ?? 'gateway.json');
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

/** Discards log lines (in-process gateways). */
export const quiet = { write: (_s: string) => undefined };

export interface EdgeTotals {
  readings: number;
  distinctSeries: number;
  openRows: number;
  unbatched: number;
  ackedTelemetrySeqs: number[];
}

export function edgeTotals(dbFile: string): EdgeTotals {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const readings = db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
    const distinctSeries = db.prepare('SELECT count(*) FROM (SELECT DISTINCT device, point, ts FROM readings)').pluck().get() as number;
    const openRows = db.prepare('SELECT count(*) FROM outbox WHERE acked_at IS NULL AND rejected IS NULL').pluck().get() as number;
    const cursor = Number((db.prepare("SELECT value FROM kv WHERE key = 'sync.cursor.telemetry'").pluck().get() as string | undefined) ?? 0);
    const maxId = (db.prepare('SELECT max(id) FROM readings').pluck().get() as number | null) ?? 0;
    const ackedTelemetrySeqs = db.prepare("SELECT seq FROM outbox WHERE kind = 'telemetry' AND acked_at IS NOT NULL ORDER BY seq").pluck().all() as number[];
    return { readings, distinctSeries, openRows, unbatched: maxId - cursor, ackedTelemetrySeqs };
  } finally {
    db.close();
  }
}

export interface CloudTotals {
  points: number;
  telemetryBatches: number;
  telemetryItems: number;
  telemetrySeqs: number[];
  events: number;
  records: number;
}

export function cloudTotals(cloudDataDir: string, gw: string): CloudTotals {
  const store = new Database(path.join(cloudDataDir, 'cloud.db'), { readonly: true, fileMustExist: true });
  const series = new Database(path.join(cloudDataDir, 'series.db'), { readonly: true, fileMustExist: true });
  try {
    const t = store.prepare("SELECT count(*) AS n, coalesce(sum(items), 0) AS items FROM ingested_batches WHERE gw = ? AND kind = 'telemetry'").get(gw) as { n: number; items: number };
    return {
      points: series.prepare('SELECT count(*) FROM points WHERE gw = ?').pluck().get(gw) as number,
      telemetryBatches: t.n,
      telemetryItems: t.items,
      telemetrySeqs: store.prepare("SELECT seq FROM ingested_batches WHERE gw = ? AND kind = 'telemetry' ORDER BY seq").pluck().all(gw) as number[],
      events: store.prepare('SELECT count(*) FROM events WHERE gw = ?').pluck().get(gw) as number,
      records: store.prepare('SELECT count(*) FROM records WHERE gw = ?').pluck().get(gw) as number,
    };
  } finally {
    store.close();
    series.close();
  }
}

/**
 * Everything the edge stored is in the cloud exactly once:
 *   - the edge has nothing left to send;
 *   - the cloud's time-series holds one point per distinct (device, point, ts) the edge stored;
 *   - the cloud's ledger counts each reading once (the items of its batches add up to the edge's readings);
 *   - the edge's committed seqs are exactly the cloud's ledger seqs.
 */
export function assertExactlyOnce(edgeDb: string, cloudDataDir: string, gw: string): { readings: number; batches: number } {
  const e = edgeTotals(edgeDb);
  const c = cloudTotals(cloudDataDir, gw);
  assert.equal(e.openRows, 0, 'the edge has no open batch');
  assert.equal(e.unbatched, 0, 'the edge has no reading outside a batch');
  assert.equal(c.points, e.distinctSeries, `cloud points ${c.points} = edge readings ${e.distinctSeries} (nothing lost)`);
  assert.equal(c.telemetryItems, e.readings, `cloud ledger items ${c.telemetryItems} = edge readings ${e.readings} (nothing doubled)`);
  assert.deepEqual(c.telemetrySeqs, e.ackedTelemetrySeqs, 'the same batches on both sides');
  return { readings: e.readings, batches: c.telemetryBatches };
}

/** Waits until the edge has sent everything and the cloud has committed it. */
export async function waitSynced(edgeDb: string, cloudDataDir: string, gw: string, timeoutMs: number): Promise<void> {
  const { waitFor } = await import('../../../scripts/lib/stack.js');
  await waitFor(
    'edge and cloud in step',
    () => {
      const e = edgeTotals(edgeDb);
      if (e.openRows || e.unbatched) return false;
      const c = cloudTotals(cloudDataDir, gw);
      return c.telemetryItems === e.readings;
    },
    timeoutMs,
    200,
  );
}
