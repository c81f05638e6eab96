/**
 * Every FaultState of our simulated servers against the real driver over real sockets and PTYs: the
 * driver returns bad samples with the specific reason, never throws, recovers on the next poll once
 * the fault is cleared, and a fault on one unit leaves the other unit on the same bus alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QualityReason } from '../../../shared/contracts/reading.js';
import { modbusProfileSchema, type ModbusProfile } from '../../../shared/profile/schema.js';
import type { PointSample } from '../../../edge/devices/types.js';
import { createModbusDriver, createModbusRtuTransport, createModbusTcpTransport, type ModbusDriver } from '../../../edge/devices/modbus/index.js';
import type { ModbusTransport } from '../../../edge/devices/modbus/transport.js';
import { MemoryBank, bankSizesFor } from '../../../edge/simulators/modbus/memory-bank.js';
import { startModbusRtuServer } from '../../../edge/simulators/modbus/rtu-server.js';
import { startModbusTcpServer } from '../../../edge/simulators/modbus/tcp-server.js';
import type { FaultState, RunningServer, UnitResolver } from '../../../edge/simulators/modbus/types.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { SERIAL_9600 } from './fixture.js';

const TIMEOUT_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const L = (s: string) => ({ zh: s, en: s });

function profile(transport: 'tcp' | 'rtu'): ModbusProfile {
  return modbusProfileSchema.parse({
    format: 'quayside.firmware-profile/1',
    version: 1,
    model: 'qs-fault-test',
    manufacturer: 'tests',
    kind: 'density-monitor',
    name: L('fault test'),
    description: L('fault test'),
    transport:
      transport === 'tcp'
        ? { type: 'modbus-tcp', responseTimeoutMs: TIMEOUT_MS, retries: 0 }
        : { type: 'modbus-rtu', serial: SERIAL_9600, responseTimeoutMs: TIMEOUT_MS, retries: 0 },
    points: [
      { name: 'density', label: L('density'), unit: 'kg/m3', table: 'holding', address: 0, type: 'float32' },
      { name: 'temp', label: L('temp'), unit: 'degC', table: 'holding', address: 2, type: 'int16', scale: 0.1 },
      { name: 'serial_no', label: L('serial'), unit: '', table: 'input', address: 0, type: 'uint32' },
    ],
    simulation: { model: 'seawater' },
  });
}

/** Two units with different values, so one unit's answer cannot pass for the other's. */
function units(p: ModbusProfile): { resolver: UnitResolver; faults: Map<number, FaultState>; expected: Map<number, Record<string, number>> } {
  const faults = new Map<number, FaultState>([[1, {}], [2, {}]]);
  const expected = new Map<number, Record<string, number>>([
    [1, { density: 1025.5, temp: 18.5, serial_no: 100001 }],
    [2, { density: 1003.25, temp: -1.5, serial_no: 200002 }],
  ]);
  const banks = new Map<number, MemoryBank>();
  for (const [unit, values] of expected) {
    const bank = new MemoryBank(bankSizesFor(p.points));
    for (const point of p.points) bank.setPoint(point, values[point.name]!);
    banks.set(unit, bank);
  }
  return { resolver: { bank: (u) => banks.get(u), faults: (u) => faults.get(u) ?? {} }, faults, expected };
}

function assertGood(samples: PointSample[], expected: Record<string, number>, who: string): void {
  for (const s of samples) {
    assert.equal(s.quality, 'good', `${who} ${s.point}: ${s.reason} ${s.detail}`);
    assert.ok(Math.abs((s.value as number) - expected[s.point]!) < 1e-9, `${who} ${s.point}: ${s.value} ≠ ${expected[s.point]}`);
  }
}

function assertBad(samples: PointSample[], reason: QualityReason, who: string): void {
  for (const s of samples) {
    assert.equal(s.quality, 'bad', `${who} ${s.point} should be bad`);
    assert.equal(s.reason, reason, `${who} ${s.point}: reason ${s.reason} (${s.detail}), expected ${reason}`);
    assert.equal(s.value, null);
    assert.ok(s.detail && s.detail.length <= 200);
  }
}

/** fault → the reason each transport must report. */
const CASES: { name: string; fault: FaultState; tcp: QualityReason | 'good'; rtu: QualityReason | 'good' }[] = [
  { name: 'timeout', fault: { timeout: true }, tcp: 'timeout', rtu: 'timeout' },
  { name: 'crc', fault: { crc: true }, tcp: 'frame', rtu: 'crc' },
  { name: 'exception', fault: { exception: 4 }, tcp: 'exception', rtu: 'exception' },
  { name: 'garbage', fault: { garbage: true }, tcp: 'frame', rtu: 'frame' },
  { name: 'wrongUnit', fault: { wrongUnit: true }, tcp: 'frame', rtu: 'frame' },
  { name: 'shortFrame', fault: { shortFrame: true }, tcp: 'frame', rtu: 'frame' },
  { name: 'disconnect', fault: { disconnect: true }, tcp: 'disconnected', rtu: 'timeout' },
  { name: 'delayMs beyond the timeout', fault: { delayMs: TIMEOUT_MS * 2 }, tcp: 'timeout', rtu: 'timeout' },
  { name: 'delayMs within the timeout', fault: { delayMs: 40 }, tcp: 'good', rtu: 'good' },
];

function faultSuite(kind: 'tcp' | 'rtu', setup: (resolver: UnitResolver) => Promise<{ transports: [ModbusTransport, ModbusTransport]; close(): Promise<void> }>): void {
  const p = profile(kind);
  const u = units(p);
  let drivers: [ModbusDriver, ModbusDriver];
  let env: { transports: [ModbusTransport, ModbusTransport]; close(): Promise<void> } | undefined;

  before(async () => {
    env = await setup(u.resolver);
    drivers = [
      createModbusDriver({ deviceId: `${kind}-1`, profile: p, unitId: 1, transport: env.transports[0] }),
      createModbusDriver({ deviceId: `${kind}-2`, profile: p, unitId: 2, transport: env.transports[1] }),
    ];
    assertGood(await drivers[0].readAll(), u.expected.get(1)!, 'unit 1');
  });

  after(async () => {
    await env?.close();
  });

  for (const c of CASES) {
    it(`${c.name}: unit 1 reads ${c[kind]}, unit 2 stays good, unit 1 recovers once cleared`, async () => {
      u.faults.set(1, c.fault);
      // Both devices polled at once, as the scheduler does: they queue on the shared transport.
      for (let round = 0; round < 2; round++) {
        const [s1, s2] = await Promise.all([drivers[0].readAll(), drivers[1].readAll()]);
        if (c[kind] === 'good') assertGood(s1, u.expected.get(1)!, 'unit 1 (faulted)');
        else assertBad(s1, c[kind] as QualityReason, 'unit 1 (faulted)');
        assertGood(s2, u.expected.get(2)!, 'unit 2 (healthy)');
        // RTU has no transaction ids: like the scheduler's poll interval, let a late answer land on an
        // idle bus (where it is dropped as stray) rather than inside the next transaction. TCP matches
        // answers by transaction id and needs no pause.
        if (kind === 'rtu' && c.fault.delayMs) await sleep(c.fault.delayMs);
      }
      u.faults.set(1, {});
      const [r1, r2] = await Promise.all([drivers[0].readAll(), drivers[1].readAll()]);
      assertGood(r1, u.expected.get(1)!, 'unit 1 (cleared)');
      assertGood(r2, u.expected.get(2)!, 'unit 2');
    });
  }
}

describe('faults over Modbus TCP (unit 1 and unit 2 share one connection)', () => {
  faultSuite('tcp', async (resolver) => {
    const server: RunningServer & { port: number } = await startModbusTcpServer({ port: 0, units: resolver });
    const t = createModbusTcpTransport({ host: '127.0.0.1', port: server.port, reconnectMinMs: 20, reconnectMaxMs: 50 });
    return {
      transports: [t, t],
      close: async () => {
        await t.close();
        await server.close();
      },
    };
  });
});

describe('faults over Modbus RTU (unit 1 and unit 2 on one bus)', () => {
  faultSuite('rtu', async (resolver) => {
    let pty: PtyPair | undefined;
    let server: RunningServer | undefined;
    let t: ModbusTransport | undefined;
    const close = async (): Promise<void> => {
      await t?.close();
      await server?.close();
      await pty?.close();
    };
    try {
      pty = await createPtyPair();
      server = await startModbusRtuServer({ path: pty.b, serial: SERIAL_9600, units: resolver });
      t = createModbusRtuTransport({ path: pty.a, serial: SERIAL_9600 });
    } catch (err) {
      await close();
      throw err;
    }
    return { transports: [t, t], close };
  });
});

describe('a device that is not there', () => {
  let pty: PtyPair | undefined;
  after(async () => {
    await pty?.close();
  });

  it('TCP: nothing listening → bad/disconnected at once, fast-failing while backing off', async () => {
    const t = createModbusTcpTransport({ host: '127.0.0.1', port: 1, reconnectMinMs: 5000 });
    const d = createModbusDriver({ deviceId: 'ghost', profile: profile('tcp'), transport: t });
    assertBad(await d.readAll(), 'disconnected', 'first poll');
    const t0 = Date.now();
    const again = await d.readAll();
    assert.ok(Date.now() - t0 < 100, 'no connect attempt while backing off');
    assertBad(again, 'disconnected', 'second poll');
    assert.match(again[0]!.detail!, /next attempt in/);
    await t.close();
  });

  it('RTU: a port that cannot be opened → bad/disconnected', async () => {
    const t = createModbusRtuTransport({ path: '/dev/does-not-exist-qs', serial: SERIAL_9600 });
    const d = createModbusDriver({ deviceId: 'ghost', profile: profile('rtu'), transport: t });
    assertBad(await d.readAll(), 'disconnected', 'rtu');
    await t.close();
  });

  it('RTU: an empty bus → bad/timeout', async () => {
    pty = await createPtyPair();
    const t = createModbusRtuTransport({ path: pty.a, serial: SERIAL_9600 });
    const d = createModbusDriver({ deviceId: 'ghost', profile: profile('rtu'), transport: t });
    assertBad(await d.readAll(), 'timeout', 'rtu');
    await t.close();
  });
});
