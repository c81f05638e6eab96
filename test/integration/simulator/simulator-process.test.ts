/**
 * The simulator as a process (node --import tsx edge/simulators/main.ts --config … --endpoints …):
 * endpoints file, Modbus TCP and RTU devices read by our driver and by mbpoll, a write to the LED,
 * faults set and cleared over the control API, the shared world, and a clean SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { validateProfile } from '../../../shared/profile/validate.js';
import type { ModbusProfile, ModbusNumericPoint } from '../../../shared/profile/schema.js';
import { decodeNumeric } from '../../../shared/profile/values.js';
import { createModbusDriver, type ModbusDriver } from '../../../edge/devices/modbus/driver.js';
import { createModbusRtuTransport } from '../../../edge/devices/modbus/rtu-transport.js';
import { createModbusTcpTransport } from '../../../edge/devices/modbus/tcp-transport.js';
import type { ModbusTransport } from '../../../edge/devices/modbus/transport.js';
import type { SimEndpoints } from '../../../edge/simulators/config.js';
import { densityEos80 } from '../../../edge/simulators/physics/seawater.js';
import type { PointSample } from '../../../edge/devices/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = path.join(ROOT, 'test/fixtures/simulator/small.json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function profile(model: string): ModbusProfile {
  const r = validateProfile(JSON.parse(readFileSync(path.join(ROOT, 'firmware-profiles', `${model}.json`), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile as ModbusProfile;
}

const byPoint = (samples: PointSample[]) => Object.fromEntries(samples.map((s) => [s.point, s]));

async function startSim(config: string, endpointsFile: string): Promise<{ child: ChildProcess; endpoints: SimEndpoints; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'edge/simulators/main.ts', '--config', config, '--endpoints', endpointsFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const endpoints = await new Promise<SimEndpoints>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 20 s: ${err}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)) as SimEndpoints);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}): ${err}`));
    });
  });
  return { child, endpoints, stderr: () => err };
}

async function stop(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 6000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

describe('simulator process', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let ep: SimEndpoints;
  const transports: ModbusTransport[] = [];
  let sdm: ModbusDriver;
  let led: ModbusDriver;
  let dg: ModbusDriver;

  const api = async (method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${ep.control}${route}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const device = (id: string) => ep.devices.find((d) => d.id === id)!;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'qs-sim-'));
    const started = await startSim(FIXTURE, path.join(dir, 'endpoints.json'));
    child = started.child;
    ep = started.endpoints;
    const tcp = (id: string): ModbusTransport => {
      const d = device(id);
      assert.equal(d.transport, 'modbus-tcp');
      if (d.transport !== 'modbus-tcp') throw new Error('not tcp');
      const t = createModbusTcpTransport({ host: d.host, port: d.port });
      transports.push(t);
      return t;
    };
    sdm = createModbusDriver({ deviceId: 'sdm-1', profile: profile('qs-sdm-tcp'), transport: tcp('sdm-1') });
    led = createModbusDriver({ deviceId: 'led-1', profile: profile('qs-led-tcp'), transport: tcp('led-1') });
    const d = device('dg-1');
    if (d.transport !== 'modbus-rtu') throw new Error('dg-1 should be on RTU');
    const rtu = createModbusRtuTransport({ path: d.path, serial: d.serial });
    transports.push(rtu);
    dg = createModbusDriver({ deviceId: 'dg-1', profile: profile('qs-dg6-rtu'), unitId: d.unitId, transport: rtu });
  });

  after(async () => {
    for (const t of transports) await t.close().catch(() => undefined);
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the endpoints and writes the same to --endpoints', () => {
    const file = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as SimEndpoints;
    assert.deepEqual(file, ep);
    assert.equal(ep.format, 'quayside.sim-endpoints/1');
    assert.match(ep.control ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(ep.devices.map((d) => d.id), ['dg-1', 'sdm-1', 'led-1', 'dgs-1', 'qt-1']);
    assert.deepEqual(ep.buses.map((b) => [b.name, b.units]), [['rtu-a', [1]]]);
    const dg1 = device('dg-1');
    assert.ok(dg1.transport === 'modbus-rtu' && existsSync(dg1.path) && dg1.serial.parity === 'even');
    const dgs = device('dgs-1');
    assert.ok(dgs.transport === 'serial-line' && existsSync(dgs.path));
  });

  it('serves the density monitor over Modbus TCP: EOS-80 density of its own S and t', async () => {
    const s = byPoint(await sdm.readAll());
    for (const p of ['density', 'temperature', 'salinity', 'conductivity']) assert.equal(s[p]!.quality, 'good', `${p}: ${s[p]!.detail}`);
    const rho = densityEos80(s.salinity!.value as number, s.temperature!.value as number);
    assert.ok(Math.abs((s.density!.value as number) - rho) < 0.01, `density ${String(s.density!.value)} vs EOS-80 ${rho}`);
    const world = (await api('GET', '/world')).json;
    assert.ok(Math.abs((s.density!.value as number) - world.sea.density) < 0.5, 'the monitor sees the world water');
    assert.ok(world.sea.salinity >= 8 && world.sea.salinity <= 30);
  });

  it('mbpoll reads the same registers (input registers, float32 big-endian)', () => {
    const d = device('sdm-1');
    if (d.transport !== 'modbus-tcp') throw new Error('tcp');
    const r = spawnSync('mbpoll', ['-m', 'tcp', '-p', String(d.port), '-a', '1', '-t', '3:hex', '-0', '-r', '0', '-c', '8', '-1', '127.0.0.1'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    const words = [...r.stdout.matchAll(/\[\d+\]:\s+0x([0-9A-F]{4})/gi)].map((m) => parseInt(m[1]!, 16));
    assert.equal(words.length, 8);
    const pts = profile('qs-sdm-tcp').points as ModbusNumericPoint[];
    const density = decodeNumeric(pts.find((p) => p.name === 'density')!, words.slice(0, 2));
    const salinity = decodeNumeric(pts.find((p) => p.name === 'salinity')!, words.slice(4, 6));
    const temperature = decodeNumeric(pts.find((p) => p.name === 'temperature')!, words.slice(2, 4));
    assert.ok(Math.abs(density - densityEos80(salinity, temperature)) < 0.01);
  });

  it('serves the six-channel draft gauge on the RTU bus (one ship: aft deeper, loading bit set)', async () => {
    const s = byPoint(await dg.readAll());
    for (const p of ['draft_fwd_port', 'draft_mid_port', 'draft_aft_stbd', 'mean_draft', 'trim', 'sensor_temp']) assert.equal(s[p]!.quality, 'good', `${p}: ${s[p]!.detail}`);
    assert.ok((s.draft_aft_port!.value as number) > (s.draft_fwd_port!.value as number));
    assert.equal(s.sensors_ok!.value, true);
    assert.equal(s.loading!.value, true);
    const world = (await api('GET', '/world')).json;
    assert.ok(Math.abs((s.trim!.value as number) - world.vessel.trimM) < 0.01);
    assert.ok(Math.abs((s.mean_draft!.value as number) - world.vessel.meanOfSixM) < 0.01);
  });

  it('keeps what a client writes to the LED (Chinese text, brightness); the panel warms with brightness', async () => {
    const text = '请 A018 号到 5 号窗口';
    const warmBefore = byPoint(await led.readAll()).temperature!.value as number;
    const w1 = await led.write('line1', text);
    const w2 = await led.write('brightness', 90);
    assert.ok(w1.confirmed && w2.confirmed);
    const s = byPoint(await led.readAll());
    assert.equal(s.line1!.value, text);
    assert.equal(s.brightness!.value, 90);
    const shown = (await api('GET', '/devices/led-1')).json;
    assert.equal(shown.values.line1, text);
    assert.ok(shown.writes >= 2);
    await assert.rejects(led.write('brightness', 150), /range|EDGE_WRITE/i);
    await sleep(1100); // the panel model refreshes at most every second
    const warmAfter = byPoint(await led.readAll()).temperature!.value as number;
    assert.ok(warmAfter - warmBefore > 3, `60 % → 90 %: ${warmBefore} → ${warmAfter} °C`);
  });

  it('injects a fault over the control API and clears it', async () => {
    const set = await api('POST', '/devices/sdm-1/faults', { exception: 2 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json, { id: 'sdm-1', faults: { exception: 2 } });
    const bad = byPoint(await sdm.readAll());
    assert.equal(bad.density!.quality, 'bad');
    assert.equal(bad.density!.reason, 'exception');
    const listed = (await api('GET', '/devices')).json as { id: string; faults: unknown }[];
    assert.deepEqual(listed.find((d) => d.id === 'sdm-1')!.faults, { exception: 2 });

    assert.equal((await api('DELETE', '/devices/sdm-1/faults')).status, 200);
    assert.equal(byPoint(await sdm.readAll()).density!.quality, 'good');

    // stuck: the registers freeze while the world goes on
    await api('POST', '/devices/sdm-1/faults', { stuck: true });
    const a = byPoint(await sdm.readAll());
    await sleep(1200);
    const b = byPoint(await sdm.readAll());
    assert.equal(b.density!.value, a.density!.value);
    assert.equal(b.salinity!.value, a.salinity!.value);
    await api('DELETE', '/devices/sdm-1/faults');
    await sleep(600);
    assert.notEqual(byPoint(await sdm.readAll()).salinity!.value, a.salinity!.value);
  });

  it('refuses bad control requests with specific errors', async () => {
    const unknownDevice = await api('POST', '/devices/nope/faults', { timeout: true });
    assert.equal(unknownDevice.status, 404);
    assert.equal(unknownDevice.json.error.code, 'EDGE_DEVICE_NOT_FOUND');
    const badBody = await api('POST', '/devices/sdm-1/faults', { timeout: 'yes', colour: 'red' });
    assert.equal(badBody.status, 400);
    assert.equal(badBody.json.error.code, 'EDGE_BAD_REQUEST');
    const press = await api('POST', '/devices/qt-1/press', { button: 'call' });
    assert.equal(press.status, 200);
    assert.equal(press.json.press.button, 'call');
    assert.equal((await api('POST', '/devices/sdm-1/press', {})).status, 400);
  });

  it('stops cleanly on SIGTERM, removing its PTY links and endpoints file', async () => {
    const d = device('dgs-1');
    const code = await stop(child);
    child = undefined;
    assert.equal(code, 0);
    assert.ok(d.transport === 'serial-line' && !existsSync(d.path));
    assert.ok(!existsSync(path.join(dir, 'endpoints.json')));
  });
});

describe('simulator config validation', () => {
  it('exits 1 naming every mistake with its path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'qs-sim-bad-'));
    try {
      const cfg = path.join(dir, 'bad.json');
      await writeFile(
        cfg,
        JSON.stringify({
          version: 1,
          devices: [
            { id: 'a', profile: 'qs-dg6-rtu', transport: { type: 'rtu', bus: 'missing', unitId: 1 } },
            { id: 'a', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
          ],
        }),
      );
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'edge/simulators/main.ts', '--config', cfg], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /CONFIG_INVALID/);
      assert.match(r.stderr, /devices\[0\]\.transport\.bus: no bus "missing"/);
      assert.match(r.stderr, /devices\[1\]\.id: duplicate device id "a"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
