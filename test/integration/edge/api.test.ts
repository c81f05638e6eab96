/**
 * The gateway in-process over fake drivers: real config loading, real SQLite, real HTTP.
 * (The real drivers and simulator are exercised by daemon.test.ts.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { QuaysideError } from '../../../shared/errors.js';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { fakeFactories, modbusProfile, sentenceProfile } from '../../unit/edge/fakes.js';

let dir: string;
let gw: Gateway;
let factories: ReturnType<typeof fakeFactories>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function get(p: string): Promise<{ status: number; body: any; type: string }> {
  const res = await fetch(gw.url + p);
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: type.includes('json') ? await res.json() : await res.text() };
}
async function post(p: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(gw.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-api-'));
  const profiles = path.join(dir, 'profiles');
  fs.mkdirSync(profiles);
  const label = { zh: 'x', en: 'x' };
  const tcp = modbusProfile({
    model: 'test-tcp',
    pollIntervalMs: 100,
    points: [
      { name: 'level', label, unit: 'm', table: 'holding', address: 0, type: 'uint16', range: { min: 0, max: 100 }, writable: true },
      { name: 'temp', label, unit: 'degC', table: 'input', address: 0, type: 'int16' },
      { name: 'text', label, unit: '', table: 'holding', address: 10, type: 'string', encoding: 'utf16be', lengthRegisters: 8, writable: true },
    ],
    alarms: [{ point: 'level', above: 80, hysteresis: 5, severity: 'warning', message: { zh: '高', en: 'level high' } }],
  });
  fs.writeFileSync(path.join(profiles, 'test-tcp.json'), JSON.stringify(tcp));
  const { defaultPort: _port, ...common } = tcp.transport as typeof tcp.transport & { defaultPort: number };
  const rtuTransport = { ...common, type: 'modbus-rtu', serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } };
  fs.writeFileSync(path.join(profiles, 'test-rtu.json'), JSON.stringify({ ...tcp, model: 'test-rtu', transport: rtuTransport }));
  fs.writeFileSync(path.join(profiles, 'test-nmea.json'), JSON.stringify(sentenceProfile({ model: 'test-nmea' })));
  const config = {
    version: 1,
    gateway: { id: 'gw-test', name: 'Test quay' },
    dataDir: 'data',
    profilesDir: 'profiles',
    api: { port: 0 },
    log: { level: 'silent' },
    store: { batchMs: 20 },
    buses: [{ id: 'bus-1', type: 'rtu', path: '/dev/fake0' }],
    devices: [
      { id: 'tank-1', profile: 'test-tcp', label: 'Tank 1', connection: { type: 'tcp', host: '127.0.0.1', port: 1502 } },
      { id: 'tank-2', profile: 'test-tcp', connection: { type: 'tcp', host: '127.0.0.1', port: 1503 } },
      { id: 'rtu-1', profile: 'test-rtu', connection: { type: 'rtu', bus: 'bus-1', unitId: 1 } },
      { id: 'rtu-2', profile: 'test-rtu', connection: { type: 'rtu', bus: 'bus-1', unitId: 2 } },
      { id: 'qt-1', profile: 'test-nmea', connection: { type: 'serial', path: '/dev/fake1' } },
      { id: 'off-1', profile: 'test-tcp', enabled: false, connection: { type: 'tcp', host: '127.0.0.1', port: 1504 } },
    ],
  };
  fs.writeFileSync(path.join(dir, 'gw.json'), JSON.stringify(config));
  factories = fakeFactories();
  gw = await startGateway({ configPath: path.join(dir, 'gw.json'), factories, logDestination: pino.destination('/dev/null') });
  await waitFor('devices online', async () => (await get('/api/health')).body.gateway.devices.online === 4);
});

after(async () => {
  await gw?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('API over fake drivers', () => {
  it('registry: one bus transport shared by its devices, a driver per device, none for a disabled one', () => {
    assert.deepEqual(factories.buses, ['/dev/fake0']);
    assert.deepEqual([...factories.polled.keys()].sort(), ['rtu-1', 'rtu-2', 'tank-1', 'tank-2']);
    assert.deepEqual([...factories.streaming.keys()], ['qt-1']);
    assert.deepEqual(gw.registry.transports.map((t) => `${t.id}:${t.devices.join('+')}`).sort(), ['bus:bus-1:rtu-1+rtu-2', 'tcp:tank-1:tank-1', 'tcp:tank-2:tank-2']);
  });

  it('GET /api/health: the gateway and every device', async () => {
    factories.streaming.get('qt-1')!.emit(3);
    await waitFor('qt-1 online', async () => (await get('/api/health')).body.devices.find((d: any) => d.id === 'qt-1').state === 'online');
    const { status, body } = await get('/api/health');
    assert.equal(status, 200);
    assert.equal(body.gateway.id, 'gw-test');
    assert.equal(body.gateway.status, 'ok');
    assert.deepEqual(body.gateway.devices, { online: 5, degraded: 0, offline: 0, disabled: 1 });
    assert.equal(body.devices.length, 6);
    assert.equal(body.devices.find((d: any) => d.id === 'off-1').state, 'disabled');
  });

  it('GET /api/devices and /api/devices/:id with profile summary and latest values', async () => {
    const list = await get('/api/devices');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.devices.map((d: any) => d.id), ['tank-1', 'tank-2', 'rtu-1', 'rtu-2', 'qt-1', 'off-1']);
    const t1 = list.body.devices[0];
    assert.equal(t1.label, 'Tank 1');
    assert.equal(t1.mode, 'polled');
    assert.equal(t1.pollIntervalMs, 100);
    assert.deepEqual(t1.connection, { type: 'tcp', host: '127.0.0.1', port: 1502 });

    const one = await get('/api/devices/tank-1');
    assert.equal(one.status, 200);
    assert.equal(one.body.profile.model, 'test-tcp');
    assert.deepEqual(one.body.profile.points.map((p: any) => `${p.name}:${p.unit}:${p.writable}`), ['level:m:true', 'temp:degC:false', 'text::true']);
    assert.deepEqual(one.body.latest.map((r: any) => r.point), ['level', 'temp', 'text']);
    assert.equal(one.body.latest[0].value, 42);
    assert.equal(one.body.latest[0].unit, 'm');
    assert.equal(one.body.latest[0].quality, 'good');
    assert.ok(one.body.stats.done > 0);
  });

  it('GET /api/devices/:id/latest follows the reading contract', async () => {
    const { body } = await get('/api/devices/tank-2/latest');
    assert.equal(body.device, 'tank-2');
    for (const r of body.readings) {
      assert.deepEqual(Object.keys(r).sort(), ['device', 'point', 'quality', 'ts', 'unit', 'value']);
      assert.ok(Math.abs(Date.now() - r.ts) < 5000);
    }
  });

  it('GET /api/devices/:id/history with ISO or ms times, point, limit and order', async () => {
    await sleep(400);
    const now = Date.now();
    const iso = await get(`/api/devices/tank-1/history?point=level&from=${new Date(now - 60_000).toISOString()}&to=${new Date(now).toISOString()}&limit=3`);
    assert.equal(iso.status, 200);
    assert.equal(iso.body.count, 3);
    assert.ok(iso.body.readings.every((r: any) => r.point === 'level' && r.unit === 'm'));
    const ts = iso.body.readings.map((r: any) => r.ts);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    const desc = await get(`/api/devices/tank-1/history?point=level&from=${now - 60_000}&to=${now}&limit=2&order=desc`);
    assert.ok(desc.body.readings[0].ts >= desc.body.readings[1].ts);
    const allPoints = await get(`/api/devices/tank-1/history?from=${now - 60_000}&limit=9`);
    assert.equal(new Set(allPoints.body.readings.map((r: any) => r.point)).size, 3);
  });

  it('answers bad queries with clear 400/404 errors', async () => {
    const bad = await get('/api/devices/tank-1/history?from=yesterday&limit=0');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'EDGE_BAD_REQUEST');
    assert.match(bad.body.error.message, /query\.from: "yesterday" is neither an ISO time nor epoch milliseconds/);
    assert.match(bad.body.error.message, /query\.limit/);
    const extra = await get('/api/devices/tank-1/history?pointt=level');
    assert.equal(extra.status, 400);
    assert.equal((await get('/api/devices/nope')).body.error.code, 'EDGE_DEVICE_NOT_FOUND');
    assert.equal((await get('/api/devices/nope/latest')).status, 404);
    const np = await get('/api/devices/tank-1/history?point=nope');
    assert.equal(np.status, 404);
    assert.equal(np.body.error.code, 'EDGE_POINT_NOT_FOUND');
    assert.equal((await get('/api/nothing')).status, 404);
  });

  it('POST /api/devices/:id/write goes through the scheduler and returns the confirmation', async () => {
    const ok = await post('/api/devices/tank-1/write', { point: 'text', value: '泊位 3' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { device: 'tank-1', point: 'text', value: '泊位 3', confirmed: true, readBack: '泊位 3' });
    assert.equal(factories.polled.get('tank-1')!.values.get('text'), '泊位 3');
    // The read-back is stored at once, and the write is in the audit trail.
    await waitFor('latest text', async () => (await get('/api/devices/tank-1/latest')).body.readings.find((r: any) => r.point === 'text')?.value === '泊位 3');
    assert.equal(gw.store.events({ device: 'tank-1' }).find((e) => e.kind === 'write')?.point, 'text');
  });

  it('refuses writes clearly: unknown point, read-only point, bad body, bad JSON, driver errors', async () => {
    const unknown = await post('/api/devices/tank-1/write', { point: 'nope', value: 1 });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'EDGE_POINT_NOT_FOUND']);
    const ro = await post('/api/devices/tank-1/write', { point: 'temp', value: 1 });
    assert.deepEqual([ro.status, ro.body.error.code], [400, 'EDGE_WRITE_NOT_WRITABLE']);
    const body = await post('/api/devices/tank-1/write', { value: 1 });
    assert.deepEqual([body.status, body.body.error.code], [400, 'EDGE_BAD_REQUEST']);
    assert.match(body.body.error.message, /body\.point/);
    const json = await post('/api/devices/tank-1/write', '{"point":');
    assert.deepEqual([json.status, json.body.error.code], [400, 'EDGE_BAD_REQUEST']);
    factories.polled.get('tank-2')!.writeError = new QuaysideError('EDGE_WRITE_OUT_OF_RANGE', '500 outside 0..100');
    const range = await post('/api/devices/tank-2/write', { point: 'level', value: 500 });
    assert.deepEqual(range.body, { error: { code: 'EDGE_WRITE_OUT_OF_RANGE', message: 'value to write lies outside the point range: 500 outside 0..100' } });
    assert.equal(range.status, 400);
    factories.polled.get('tank-2')!.writeError = new QuaysideError('EDGE_MODBUS_TIMEOUT', 'no answer in 500 ms');
    const timeout = await post('/api/devices/tank-2/write', { point: 'level', value: 5 });
    assert.deepEqual([timeout.status, timeout.body.error.code], [504, 'EDGE_MODBUS_TIMEOUT']);
    factories.polled.get('tank-2')!.writeError = undefined;
    const cmd = await post('/api/devices/qt-1/write', { point: 'show', value: { text: 'A017' } });
    assert.equal(cmd.status, 200);
    assert.deepEqual(factories.streaming.get('qt-1')!.writes.at(-1), { command: 'show', args: { text: 'A017' } });
    const disabled = await post('/api/devices/off-1/write', { point: 'level', value: 5 });
    assert.equal(disabled.status, 503);
  });

  it('GET /api/profiles and /api/profiles/:model', async () => {
    const list = await get('/api/profiles');
    assert.deepEqual(list.body.profiles.map((p: any) => p.model), ['test-nmea', 'test-rtu', 'test-tcp']);
    const one = await get('/api/profiles/test-tcp');
    assert.equal(one.body.points[0].name, 'level');
    const missing = await get('/api/profiles/qs-zz');
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'PROFILE_NOT_FOUND']);
  });

  it('GET /metrics in Prometheus text format', async () => {
    const { status, type, body } = await get('/metrics');
    assert.equal(status, 200);
    assert.match(type, /text\/plain/);
    for (const name of ['quayside_polls_due_total', 'quayside_polls_done_total', 'quayside_polls_late_total', 'quayside_polls_missed_total', 'quayside_readings_stored_total', 'quayside_store_batch_seconds_sum', 'quayside_transport_errors_total', 'process_resident_memory_bytes', 'process_cpu_seconds_total']) {
      assert.match(body, new RegExp(`^# TYPE ${name.replace(/_(sum|count)$/, '')} `, 'm'), name);
    }
    assert.match(body, /^quayside_polls_done_total\{device="tank-1"\} [1-9]\d*$/m);
    assert.match(body, /^quayside_transport_errors_total\{transport="bus:bus-1",type="rtu",kind="timeout"\} 0$/m);
    assert.match(body, /^quayside_readings_stored_total [1-9]\d*$/m);
  });

  it('a device that fails goes offline with the reason while the others stay online; alarms become events', async () => {
    const bad = factories.polled.get('rtu-2')!;
    bad.failWith = { reason: 'crc', detail: 'CRC 0x1234 != 0x4321' };
    factories.polled.get('tank-2')!.values.set('level', 90); // above 80: alarm
    await waitFor('rtu-2 offline', async () => (await get('/api/health')).body.devices.find((d: any) => d.id === 'rtu-2').state === 'offline');
    const h = (await get('/api/health')).body;
    const d = h.devices.find((x: any) => x.id === 'rtu-2');
    assert.equal(d.reason, 'crc');
    assert.equal(h.gateway.status, 'degraded');
    assert.equal(h.devices.find((x: any) => x.id === 'rtu-1').state, 'online');
    const latest = (await get('/api/devices/rtu-2/latest')).body.readings;
    assert.ok(latest.every((r: any) => r.quality === 'bad' && r.reason === 'crc' && r.value === null));
    const alarm = await waitFor('alarm event', () => gw.store.events({ device: 'tank-2' }).find((e) => e.kind === 'alarm'));
    assert.match(alarm.message, /raised: level high/);
    assert.equal((await get('/api/devices/tank-2')).body.alarms[0].point, 'level');
    const healthEvents = gw.store.events({ device: 'rtu-2' }).filter((e) => e.kind === 'health');
    assert.ok(healthEvents.some((e) => /online → degraded \(crc\)/.test(e.message)), healthEvents.map((e) => e.message).join());
    assert.equal(gw.store.healthAll().find((r) => r.device === 'rtu-2')?.state, 'offline');
    bad.failWith = undefined;
    await waitFor('rtu-2 online again', async () => (await get('/api/health')).body.devices.find((x: any) => x.id === 'rtu-2').state === 'online');
  });

  it('a driver that throws is caught and reported, and never stops the others', async () => {
    factories.polled.get('tank-1')!.throwWith = new Error('driver bug');
    await waitFor('tank-1 offline', async () => (await get('/api/health')).body.devices.find((d: any) => d.id === 'tank-1').state === 'offline');
    const before = gw.scheduler.stats('tank-2')!.done;
    await sleep(300);
    assert.ok(gw.scheduler.stats('tank-2')!.done > before);
    assert.ok(gw.scheduler.stats('tank-1')!.failed > 0);
    factories.polled.get('tank-1')!.throwWith = undefined;
  });
});
