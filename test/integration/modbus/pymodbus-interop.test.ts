/**
 * Our driver against a third-party Modbus server: pymodbus 3.0 (Debian's /usr/bin/python3), over TCP on
 * loopback and over RTU on a socat PTY pair. The server's registers hold hand-computed words for every
 * data type × byte order × word order, scaled points, register bits, strings, coils and discrete inputs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PointSample } from '../../../edge/devices/types.js';
import { createModbusDriver, createModbusRtuTransport, createModbusTcpTransport, type ModbusDriver } from '../../../edge/devices/modbus/index.js';
import type { ModbusTransport } from '../../../edge/devices/modbus/transport.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { INTEROP_POINTS, MISSING_POINT, SERIAL_9600, freePort, interopBank, interopProfile, startProcess, waitFor, type Proc } from './fixture.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(import.meta.dirname, '../../fixtures/pymodbus/server.py');

function assertExpectedValues(samples: PointSample[]): void {
  const byName = new Map(samples.map((s) => [s.point, s]));
  for (const p of INTEROP_POINTS) {
    const s = byName.get(p.def.name as string);
    assert.ok(s, `sample for ${p.def.name}`);
    assert.equal(s.quality, 'good', `${s.point}: ${s.reason} ${s.detail}`);
    if (typeof p.expected === 'number') {
      assert.equal(typeof s.value, 'number', s.point);
      assert.ok(Math.abs((s.value as number) - p.expected) < 1e-9, `${s.point}: read ${s.value}, expected ${p.expected}`);
    } else {
      assert.equal(s.value, p.expected, s.point);
    }
  }
}

function assertMissingIsException(samples: PointSample[]): void {
  const missing = samples.find((s) => s.point === MISSING_POINT.name);
  assert.ok(missing);
  assert.equal(missing.quality, 'bad');
  assert.equal(missing.reason, 'exception');
  assert.equal(missing.value, null);
  assert.match(missing.detail ?? '', /exception 0x02 illegal data address/);
}

async function firstGoodPoll(driver: ModbusDriver): Promise<void> {
  await waitFor('pymodbus answering', async () => {
    const s = await driver.readAll();
    if (s[0]!.quality !== 'good') throw new Error(`${s[0]!.reason}: ${s[0]!.detail}`);
  }, 15_000, 200);
}

async function writesAreConfirmed(driver: ModbusDriver): Promise<void> {
  assert.deepEqual(await driver.write('setpoint', 42.5), { point: 'setpoint', confirmed: true, readBack: 42.5 });
  assert.deepEqual(await driver.write('flag_bit1', true), { point: 'flag_bit1', confirmed: true, readBack: true });
  assert.deepEqual(await driver.write('relay', false), { point: 'relay', confirmed: true, readBack: false });
  assert.deepEqual(await driver.write('name_cn', '水尺'), { point: 'name_cn', confirmed: true, readBack: '水尺' });
  const after = new Map((await driver.readAll()).map((s) => [s.point, s.value]));
  assert.equal(after.get('setpoint'), 42.5);
  assert.equal(after.get('flag_bit1'), true);
  assert.equal(after.get('flag_bit3'), true, 'read-modify-write kept the other bit');
  assert.equal(after.get('relay'), false);
  assert.equal(after.get('name_cn'), '水尺');
}

let dir: string;
let bankFile: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'qs-pymodbus-'));
  bankFile = path.join(dir, 'bank.json');
  await writeFile(bankFile, JSON.stringify(interopBank(1)));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pymodbus 3.0 over Modbus TCP', () => {
  let server: Proc | undefined;
  let transport: ModbusTransport | undefined;
  let driver: ModbusDriver;

  before(async () => {
    const port = await freePort();
    server = startProcess(PYTHON, [SCRIPT, 'tcp', String(port), bankFile]);
    transport = createModbusTcpTransport({ host: '127.0.0.1', port, reconnectMinMs: 50, reconnectMaxMs: 200 });
    driver = createModbusDriver({ deviceId: 'py-tcp', profile: interopProfile('tcp', [{ ...MISSING_POINT }]), transport });
    await firstGoodPoll(driver);
  });

  after(async () => {
    await transport?.close();
    await server?.stop();
  });

  it('reads exactly the expected engineering values', async () => {
    assertExpectedValues(await driver.readAll());
  });

  it('turns a read of an address the store lacks into bad/exception 0x02, keeping the rest', async () => {
    const s = await driver.readAll();
    assertMissingIsException(s);
    assert.equal(s.filter((x) => x.quality === 'good').length, INTEROP_POINTS.length);
  });

  it('writes and confirms by reading back', async () => {
    await writesAreConfirmed(driver);
  });
});

describe('pymodbus 3.0 over Modbus RTU (socat PTY pair)', () => {
  let pty: PtyPair | undefined;
  let server: Proc | undefined;
  let transport: ModbusTransport | undefined;
  let driver: ModbusDriver;

  before(async () => {
    pty = await createPtyPair();
    server = startProcess(PYTHON, [SCRIPT, 'rtu', pty.b, bankFile, String(SERIAL_9600.baudRate)]);
    transport = createModbusRtuTransport({ path: pty.a, serial: SERIAL_9600 });
    driver = createModbusDriver({ deviceId: 'py-rtu', profile: interopProfile('rtu', [{ ...MISSING_POINT }]), transport });
    await firstGoodPoll(driver);
  });

  after(async () => {
    await transport?.close();
    await server?.stop();
    await pty?.close();
  });

  it('reads exactly the expected engineering values', async () => {
    assertExpectedValues(await driver.readAll());
  });

  it('turns a read of an address the store lacks into bad/exception 0x02, keeping the rest', async () => {
    const s = await driver.readAll();
    assertMissingIsException(s);
    assert.equal(s.filter((x) => x.quality === 'good').length, INTEROP_POINTS.length);
  });

  it('writes and confirms by reading back', async () => {
    await writesAreConfirmed(driver);
  });
});
