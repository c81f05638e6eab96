/**
 * kill -9 during heavy polling (40 Modbus TCP devices at 100 ms): every reading committed before the
 * kill survives, the database passes integrity_check, and polling resumes after a restart.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { gatewayConfig, sleep, startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../../../scripts/lib/stack.js';

const DEVICES = 40;
let dir: string;
let sim: Simulator;
let gw: Daemon | undefined;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-durability-'));
  sim = await startSimulator(dir, {
    version: 1,
    logLevel: 'warn',
    devices: Array.from({ length: DEVICES }, (_, i) => ({ id: `sdm-${i + 1}`, profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } })),
  });
  const cfg = gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), pollIntervalMs: 100, batchMs: 100 });
  fs.writeFileSync(path.join(dir, 'gw.json'), JSON.stringify(cfg, null, 2));
});

after(async () => {
  await gw?.stop('SIGKILL');
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('durability', { timeout: 120_000 }, () => {
  it('keeps every committed reading across kill -9 and resumes polling', async () => {
    const dbFile = path.join(dir, 'data', 'edge.sqlite');
    gw = await startDaemon(path.join(dir, 'gw.json'));
    await waitFor('heavy polling', async () => (await gw!.get('/api/health')).gateway.devices.online === DEVICES, 20_000, 200);
    await sleep(2000);

    // A second, read-only connection sees what is committed (WAL readers do not block the writer).
    const ro = new Database(dbFile, { readonly: true, fileMustExist: true });
    let counted: number;
    let maxId: number;
    let sample: { id: number; device: string; point: string; ts: number; value: number | null }[];
    try {
      ({ n: counted, maxId } = ro.prepare('SELECT count(*) AS n, max(id) AS maxId FROM readings').get() as { n: number; maxId: number });
      sample = ro.prepare('SELECT id, device, point, ts, value FROM readings ORDER BY random() LIMIT 200').all() as typeof sample;
    } finally {
      ro.close();
    }
    assert.ok(counted > DEVICES * 7 * 10, `heavy polling stored ${counted} readings`);

    gw.child.kill('SIGKILL'); // mid-batch, mid-poll
    const exit = await gw.exited;
    assert.equal(exit.signal, 'SIGKILL');
    gw = undefined;

    // Before any restart: the file as the killed process left it.
    const check = new Database(dbFile, { fileMustExist: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      const kept = check.prepare('SELECT count(*) FROM readings WHERE id <= ?').pluck().get(maxId) as number;
      assert.equal(kept, counted, 'every reading counted before the kill is still there');
      const byId = check.prepare('SELECT id, device, point, ts, value FROM readings WHERE id = ?');
      for (const r of sample) assert.deepEqual(byId.get(r.id), r);
    } finally {
      check.close();
    }

    gw = await startDaemon(path.join(dir, 'gw.json'));
    const after1 = await waitFor('polling resumed', async () => {
      const h = await gw!.get('/api/health');
      return h.gateway.devices.online === DEVICES ? h : undefined;
    }, 20_000, 200);
    assert.equal(after1.gateway.store.errors, 0);
    const ro2 = new Database(dbFile, { readonly: true });
    try {
      const n1 = ro2.prepare('SELECT count(*) FROM readings').pluck().get() as number;
      await sleep(1500);
      const n2 = ro2.prepare('SELECT count(*) FROM readings').pluck().get() as number;
      assert.ok(n1 >= counted, `${n1} ≥ ${counted}`);
      assert.ok(n2 > n1 + DEVICES * 7 * 5, `the count grows after the restart (${n1} → ${n2})`);
      assert.equal(ro2.prepare('SELECT count(*) FROM readings WHERE id <= ?').pluck().get(maxId), counted);
    } finally {
      ro2.close();
    }
    const latest = await gw.get('/api/devices/sdm-1/latest');
    assert.ok(latest.readings.every((r: { quality: string }) => r.quality === 'good'));
    const r = await gw.stop('SIGTERM');
    assert.equal(r.code, 0);
    gw = undefined;
  });
});
