/**
 * The daemon against the simulator, both as child processes: real Modbus TCP, Modbus RTU over PTYs,
 * line-protocol devices over PTYs, faults injected through the simulator's control API.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { gatewayConfig, metricSum, runDaemonToExit, sleep, startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../../../scripts/lib/stack.js';

let dir: string;
let sim: Simulator;
let gw: Daemon;

const SIM = {
  version: 1,
  world: { seed: 7, vessel: { waveAmplitudeM: 0.03, wavePeriodS: 8 } },
  logLevel: 'warn',
  buses: [{ name: 'rtu-a' }, { name: 'rtu-b' }],
  devices: [
    { id: 'dg-1', profile: 'qs-dg6-rtu', transport: { type: 'rtu', bus: 'rtu-a', unitId: 1 } },
    { id: 'blm-1', profile: 'qs-blm-rtu', transport: { type: 'rtu', bus: 'rtu-b', unitId: 3 } },
    { id: 'sdm-1', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
    { id: 'sdm-2', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
    { id: 'led-1', profile: 'qs-led-tcp', transport: { type: 'tcp', port: 0 }, params: { brightness: 60, line1: '请 A017 到 3 号窗口' } },
    { id: 'dgs-1', profile: 'qs-dgs-nmea', transport: { type: 'serial' }, params: { periodS: 0.25 } },
    { id: 'qt-1', profile: 'qs-qt-serial', transport: { type: 'serial' }, params: { periodS: 0.5 } },
  ],
};
const ALL = SIM.devices.map((d) => d.id);

type Reading = { point: string; value: unknown; quality: string; reason?: string; detail?: string; ts: number };
const latest = async (id: string): Promise<Record<string, Reading>> =>
  Object.fromEntries(((await gw.get(`/api/devices/${id}/latest`)).readings as Reading[]).map((r) => [r.point, r]));
const healthOf = async (id: string) => ((await gw.get('/api/health')).devices as { id: string; state: string; reason: string | null; detail: string | null }[]).find((d) => d.id === id)!;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-daemon-'));
  sim = await startSimulator(dir, SIM);
  const cfg = gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), pollIntervalMs: 500, batchMs: 100 });
  fs.writeFileSync(path.join(dir, 'gw.json'), JSON.stringify(cfg, null, 2));
  gw = await startDaemon(path.join(dir, 'gw.json'));
});

after(async () => {
  await gw?.stop('SIGKILL');
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('daemon against the simulator', { timeout: 120_000 }, () => {
  it('shows every device online with live values matching the simulated world', async () => {
    await waitFor('all devices online', async () => {
      const h = await gw.get('/api/health');
      return h.devices.every((d: { state: string }) => d.state === 'online') && h.devices.length === ALL.length;
    }, 30_000, 250);
    const pairs: [string, string, number][] = [
      ['dg-1', 'mean_draft', 0.08], ['dg-1', 'trim', 0.08], ['dg-1', 'draft_fwd_port', 0.08], ['dg-1', 'sensor_temp', 0.5],
      ['blm-1', 'level', 0.1], ['blm-1', 'temperature', 1],
      ['sdm-1', 'density', 0.5], ['sdm-1', 'salinity', 0.3], ['sdm-1', 'temperature', 0.3], ['sdm-2', 'density', 0.5],
      ['dgs-1', 'draft_aft_stbd', 0.08], ['dgs-1', 'sensor_temp', 0.5],
      ['led-1', 'brightness', 0],
    ];
    // Online comes from the poll; the reading reaches the store with the next batch commit.
    await waitFor('a stored reading of every compared point', async () => {
      for (const [id, point] of pairs) if (!(await latest(id))[point]) return false;
      return true;
    }, 10_000, 100);
    for (const [id, point, tol] of pairs) {
      const simValue = (await sim.device(id)).values[point];
      const r = (await latest(id))[point];
      assert.ok(r, `${id}.${point} has a reading`);
      assert.equal(r.quality, 'good', `${id}.${point}: ${r.reason} ${r.detail}`);
      assert.equal(typeof simValue, 'number', `${id}.${point} in the simulator`);
      assert.ok(Math.abs((r.value as number) - (simValue as number)) <= tol + 1e-9, `${id}.${point}: gateway ${String(r.value)} vs simulator ${String(simValue)} (±${tol})`);
      assert.ok(Date.now() - r.ts < 5000, `${id}.${point} is fresh`);
    }
    assert.equal((await latest('led-1'))['line1']!.value, '请 A017 到 3 号窗口');
    assert.equal((await latest('dg-1'))['sensors_ok']!.value, (await sim.device('dg-1')).values['sensors_ok']);
    assert.equal((await latest('qt-1'))['temperature']!.quality, 'good');
    // Everything went through the store.
    assert.ok(metricSum(await gw.metrics(), 'quayside_readings_stored_total') > 50);
  });

  it('writes LED text through the scheduler, confirmed by read-back', async () => {
    const text = '泊位 3 — Berth 3';
    const r = await gw.post('/api/devices/led-1/write', { point: 'line2', value: text });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { device: 'led-1', point: 'line2', value: text, confirmed: true, readBack: text });
    assert.equal((await sim.device('led-1')).values['line2'], text, 'the simulated display shows it');
    await waitFor('latest line2', async () => (await latest('led-1'))['line2']?.value === text, 5000);
    const ro = await gw.post('/api/devices/led-1/write', { point: 'temperature', value: 1 });
    assert.equal(ro.status, 400);
    assert.equal(ro.body.error.code, 'EDGE_WRITE_NOT_WRITABLE');
  });

  it('a fault injected in one device turns its readings bad with that reason and its health down; the others stay good', async () => {
    await sim.setFaults('sdm-1', { timeout: true });
    await sim.setFaults('dg-1', { crc: true });
    await sim.setFaults('led-1', { exception: 2 });
    const expect: [string, string, RegExp][] = [
      ['sdm-1', 'timeout', /./],
      ['dg-1', 'crc', /./],
      ['led-1', 'exception', /0x02|illegal data address/i],
    ];
    for (const [id, reason, detail] of expect) {
      const readings = await waitFor(`${id} readings bad/${reason}`, async () => {
        const l = Object.values(await latest(id));
        return l.length && l.every((x) => x.quality === 'bad' && x.reason === reason) ? l : undefined;
      }, 20_000, 250);
      assert.match(readings[0]!.detail ?? '', detail, `${id} detail`);
      const h = await waitFor(`${id} offline`, async () => {
        const x = await healthOf(id);
        return x.state === 'offline' ? x : undefined;
      }, 20_000, 250);
      assert.equal(h.reason, reason);
    }
    // Devices without faults (another TCP device, another RTU bus, the serial ones) kept good, fresh readings.
    for (const id of ['sdm-2', 'blm-1', 'dgs-1', 'qt-1']) {
      assert.equal((await healthOf(id)).state, 'online', id);
      for (const r of Object.values(await latest(id))) {
        assert.equal(r.quality, 'good', `${id}.${r.point}: ${r.reason} ${r.detail}`);
        assert.ok(Date.now() - r.ts < 5000, `${id}.${r.point} fresh (${Date.now() - r.ts} ms old)`);
      }
    }
    const metrics = await gw.metrics();
    assert.ok(metricSum(metrics, 'quayside_transport_errors_total{transport="tcp:sdm-1",type="tcp",kind="timeout"}') > 0, 'timeouts counted');
    assert.ok(metricSum(metrics, 'quayside_transport_errors_total{transport="bus:rtu-a",type="rtu",kind="crc"}') > 0, 'CRC errors counted');

    for (const id of ['sdm-1', 'dg-1', 'led-1']) await sim.clearFaults(id);
    await waitFor('all online again', async () => (await gw.get('/api/health')).devices.every((d: { state: string }) => d.state === 'online'), 30_000, 250);
  });

  it('an invalid config stops start-up with exit code 1 and a message naming each field', async () => {
    const bad = JSON.parse(fs.readFileSync(path.join(dir, 'gw.json'), 'utf8'));
    bad.api.port = 99999;
    bad.devices[0].profile = 'qs-nope';
    bad.devices[2].id = bad.devices[3].id;
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(bad));
    const r = await runDaemonToExit(file);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /CONFIG_INVALID/);
    assert.match(r.output, /api\.port: api\.port must be 0–65535/);
    assert.match(r.output, /devices\[0\]\.profile: no firmware profile "qs-nope" \(known: .*qs-dg6-rtu/);
    assert.match(r.output, /devices\[3\]\.id: duplicate device id "sdm-2" \(also devices\[2\]\)|devices\[2\]\.id/);
  });

  it('stops cleanly on SIGTERM: exit 0, every reading it counted is committed, the database is intact', async () => {
    const before = metricSum(await gw.metrics(), 'quayside_readings_stored_total');
    await sleep(300);
    const r = await gw.stop('SIGTERM');
    assert.equal(r.code, 0, gw.output());
    const db = new Database(path.join(dir, 'data', 'edge.sqlite'), { readonly: true });
    try {
      const n = db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
      assert.ok(n >= before, `${n} rows ≥ ${before} counted before the stop`);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const states = db.prepare('SELECT count(*) FROM events WHERE kind = ?').pluck().get('health') as number;
      assert.ok(states > 0, 'health changes were stored');
    } finally {
      db.close();
    }
  });
});
