/**
 * Read planning, decoding, quality and writes of the Modbus driver. The transport here is an honest
 * in-process one: requests go through the real server core (PDU encoding/decoding, exceptions,
 * faults) without sockets; the wire itself is covered by test/integration/modbus.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuaysideError, isQuaysideError } from '../../../shared/errors.js';
import { modbusProfileSchema, type ModbusPoint, type ModbusProfile } from '../../../shared/profile/schema.js';
import { createModbusDriver, planReads } from '../../../edge/devices/modbus/driver.js';
import type { ModbusTransport, TransportStats } from '../../../edge/devices/modbus/transport.js';
import { MemoryBank, bankSizesFor } from '../../../edge/simulators/modbus/memory-bank.js';
import { ModbusServerCore } from '../../../edge/simulators/modbus/server-core.js';
import { ModbusExceptionResponse, type FaultState, type RegisterBank } from '../../../edge/simulators/modbus/types.js';

const L = (s: string) => ({ zh: s, en: s });

function profileOf(points: Record<string, unknown>[], transport: Record<string, unknown> = {}): ModbusProfile {
  return modbusProfileSchema.parse({
    format: 'quayside.firmware-profile/1',
    version: 1,
    model: 'qs-unit-test',
    manufacturer: 'tests',
    kind: 'ballast-level-meter',
    name: L('t'),
    description: L('t'),
    transport: { type: 'modbus-tcp', responseTimeoutMs: 100, retries: 0, ...transport },
    points: points.map((p) => ({ label: L(String(p.name)), unit: '', ...p })),
    simulation: { model: 'ballast-tank' },
  });
}

const pts = (defs: Record<string, unknown>[]): ModbusPoint[] => profileOf(defs).points;

/** Answers through the server core; a silent answer becomes EDGE_MODBUS_TIMEOUT at once. */
class CoreTransport implements ModbusTransport {
  readonly stats: TransportStats = { requests: 0, timeouts: 0, crcErrors: 0, frameErrors: 0, reconnects: 0 };
  faults: FaultState = {};
  failNext = 0;
  readonly core: ModbusServerCore;
  constructor(bank: RegisterBank, unit = 1) {
    this.core = new ModbusServerCore({ bank: (u) => (u === unit ? bank : undefined), faults: () => this.faults });
  }
  async request(unitId: number, pdu: Buffer): Promise<Buffer> {
    this.stats.requests++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new QuaysideError('EDGE_MODBUS_CRC', 'injected');
    }
    const r = this.core.serve(unitId, pdu);
    if (r.kind !== 'answer') {
      this.stats.timeouts++;
      throw new QuaysideError('EDGE_MODBUS_TIMEOUT', 'silent');
    }
    if (r.corrupt === 'short') return r.pdu.subarray(0, r.pdu.length - 1);
    return r.pdu;
  }
  async close(): Promise<void> {}
}

describe('planReads', () => {
  it('puts contiguous points of one table into one block, with offsets', () => {
    const blocks = planReads(
      pts([
        { name: 'a', table: 'holding', address: 10, type: 'uint16' },
        { name: 'b', table: 'holding', address: 11, type: 'float32' },
        { name: 'c', table: 'holding', address: 13, type: 'int32' },
      ]),
      { maxBlockRegisters: 125 },
    );
    assert.equal(blocks.length, 1);
    assert.deepEqual({ ...blocks[0], points: undefined }, { table: 'holding', fc: 3, address: 10, count: 5, points: undefined });
    assert.deepEqual(blocks[0]!.points.map((p) => [p.name, p.offset, p.span]), [['a', 0, 1], ['b', 1, 2], ['c', 3, 2]]);
  });

  it('bridges gaps of up to 8 registers and splits at 9', () => {
    const bridged = planReads(
      pts([
        { name: 'a', table: 'input', address: 0, type: 'uint16' },
        { name: 'b', table: 'input', address: 9, type: 'uint16' }, // gap 1..8 = 8 registers
      ]),
      { maxBlockRegisters: 125 },
    );
    assert.deepEqual(bridged.map((b) => [b.address, b.count]), [[0, 10]]);
    const split = planReads(
      pts([
        { name: 'a', table: 'input', address: 0, type: 'uint16' },
        { name: 'b', table: 'input', address: 10, type: 'uint16' }, // gap of 9
      ]),
      { maxBlockRegisters: 125 },
    );
    assert.deepEqual(split.map((b) => [b.address, b.count]), [[0, 1], [10, 1]]);
    const noGap = planReads(pts([{ name: 'a', table: 'input', address: 0, type: 'uint16' }, { name: 'b', table: 'input', address: 2, type: 'uint16' }]), { maxBlockRegisters: 125, maxGap: 0 });
    assert.equal(noGap.length, 2);
  });

  it('never exceeds maxBlockRegisters and never splits a point', () => {
    const defs = Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, table: 'holding', address: i * 2, type: 'float32' }));
    const blocks = planReads(pts(defs), { maxBlockRegisters: 7 });
    for (const b of blocks) {
      assert.ok(b.count <= 7, `block of ${b.count}`);
      for (const p of b.points) assert.ok(p.offset + p.span <= b.count);
    }
    assert.equal(blocks.reduce((n, b) => n + b.points.length, 0), 30);
    assert.deepEqual(blocks.slice(0, 2).map((b) => [b.address, b.count]), [[0, 6], [6, 6]]);
    assert.equal(planReads(pts(defs), { maxBlockRegisters: 125 }).length, 1);
  });

  it('keeps tables apart, shares a register between bit points, orders holding/input/coil/discrete', () => {
    const blocks = planReads(
      pts([
        { name: 'd', table: 'discrete', address: 0, type: 'bool' },
        { name: 'c2', table: 'coil', address: 5, type: 'bool' },
        { name: 'c1', table: 'coil', address: 0, type: 'bool' },
        { name: 'i', table: 'input', address: 0, type: 'uint16' },
        { name: 'bit0', table: 'holding', address: 3, type: 'bool', bit: 0 },
        { name: 'bit7', table: 'holding', address: 3, type: 'bool', bit: 7 },
        { name: 'h', table: 'holding', address: 0, type: 'uint16' },
      ]),
      { maxBlockRegisters: 125 },
    );
    assert.deepEqual(blocks.map((b) => [b.table, b.fc, b.address, b.count]), [
      ['holding', 3, 0, 4],
      ['input', 4, 0, 1],
      ['coil', 1, 0, 6],
      ['discrete', 2, 0, 1],
    ]);
    assert.deepEqual(blocks[0]!.points.map((p) => [p.name, p.offset]), [['h', 0], ['bit0', 3], ['bit7', 3]]);
  });

  it('refuses a point larger than the block limit', () => {
    assert.throws(
      () => planReads(pts([{ name: 's', table: 'holding', address: 0, type: 'string', encoding: 'ascii', lengthRegisters: 20 }]), { maxBlockRegisters: 10 }),
      (e: unknown) => isQuaysideError(e, 'PROFILE_INVALID'),
    );
  });
});

const DEVICE_POINTS = [
  { name: 'draft', table: 'holding', address: 0, type: 'int16', scale: 0.01, range: { min: 0, max: 25 }, unit: 'm' },
  { name: 'density', table: 'holding', address: 1, type: 'float32', range: { min: 990, max: 1040 } },
  { name: 'temp', table: 'holding', address: 3, type: 'float32' },
  { name: 'setpoint', table: 'holding', address: 5, type: 'uint16', writable: true, range: { min: 0, max: 100 }, scale: 0.5 },
  { name: 'alarm_a', table: 'holding', address: 6, type: 'bool', bit: 0, writable: true },
  { name: 'alarm_b', table: 'holding', address: 6, type: 'bool', bit: 4 },
  { name: 'text', table: 'holding', address: 8, type: 'string', encoding: 'ascii', lengthRegisters: 4, writable: true },
  { name: 'far', table: 'holding', address: 100, type: 'uint16' },
  { name: 'serial', table: 'input', address: 0, type: 'uint32' },
  { name: 'pump', table: 'coil', address: 2, type: 'bool', writable: true },
  { name: 'door', table: 'discrete', address: 0, type: 'bool' },
];

function device(transportOpts: Record<string, unknown> = {}) {
  const profile = profileOf(DEVICE_POINTS, transportOpts);
  const bank = new MemoryBank(bankSizesFor(profile.points));
  const byName = (n: string) => profile.points.find((p) => p.name === n)!;
  const set = (n: string, v: number | boolean | string) => bank.setPoint(byName(n), v);
  set('draft', 12.34);
  set('density', 1025.5);
  set('temp', 18.25);
  set('setpoint', 40);
  set('alarm_b', true);
  set('text', 'OK');
  set('far', 7);
  set('serial', 123456789);
  set('pump', true);
  set('door', false);
  const transport = new CoreTransport(bank);
  const driver = createModbusDriver({ deviceId: 'gauge-1', profile, transport });
  return { profile, bank, transport, driver, byName, set };
}

describe('ModbusDriver.readAll', () => {
  it('reads every point, in profile order, with good quality', async () => {
    const { driver, profile } = device();
    const s = await driver.readAll();
    assert.deepEqual(s.map((x) => x.point), profile.points.map((p) => p.name));
    const v = Object.fromEntries(s.map((x) => [x.point, x.value]));
    assert.deepEqual(v, { draft: 1234 * 0.01, density: 1025.5, temp: 18.25, setpoint: 40, alarm_a: false, alarm_b: true, text: 'OK', far: 7, serial: 123456789, pump: true, door: false });
    assert.ok(s.every((x) => x.quality === 'good' && x.reason === undefined && typeof x.ts === 'number'));
  });

  it('plans once: 5 requests per poll (holding 0..11, holding 100, input, coil, discrete)', async () => {
    const { driver, transport } = device();
    assert.deepEqual(driver.plan.map((b) => [b.table, b.address, b.count]), [['holding', 0, 12], ['holding', 100, 1], ['input', 0, 2], ['coil', 2, 1], ['discrete', 0, 1]]);
    await driver.readAll();
    await driver.readAll();
    assert.equal(transport.stats.requests, 10);
  });

  it('marks values outside the range bad/out_of_range (keeping the value), NaN/Inf floats bad/decode', async () => {
    const { driver, bank } = device();
    bank.setRegisters('holding', 0, [3000]); // 30 m > 25
    bank.setRegisters('holding', 1, [0x7fc0, 0x0000]); // NaN
    bank.setRegisters('holding', 3, [0xff80, 0x0000]); // −Infinity
    const s = Object.fromEntries((await driver.readAll()).map((x) => [x.point, x]));
    assert.deepEqual({ ...s.draft, ts: 0 }, { point: 'draft', ts: 0, value: 30, quality: 'bad', reason: 'out_of_range', detail: '30 outside 0..25' });
    assert.equal(s.density!.quality, 'bad');
    assert.equal(s.density!.reason, 'decode');
    assert.equal(s.density!.value, null);
    assert.equal(s.temp!.reason, 'decode');
    assert.equal(s.setpoint!.quality, 'good');
  });

  it('turns a failed block into bad samples for exactly its points', async () => {
    const { profile, bank } = device();
    // A bank that refuses the far register with exception 2 and the input table with exception 4.
    const picky: RegisterBank = {
      readRegisters: (t, a, c) => {
        if (t === 'holding' && a >= 100) throw new ModbusExceptionResponse(2);
        if (t === 'input') throw new ModbusExceptionResponse(4);
        return bank.readRegisters(t, a, c);
      },
      readBits: (t, a, c) => bank.readBits(t, a, c),
      writeRegisters: (a, v) => bank.writeRegisters(a, v),
      writeBits: (a, v) => bank.writeBits(a, v),
    };
    const driver = createModbusDriver({ deviceId: 'g', profile, transport: new CoreTransport(picky) });
    const s = Object.fromEntries((await driver.readAll()).map((x) => [x.point, x]));
    assert.equal(s.far!.quality, 'bad');
    assert.equal(s.far!.reason, 'exception');
    assert.match(s.far!.detail!, /0x02 illegal data address/);
    assert.equal(s.serial!.reason, 'exception');
    assert.match(s.serial!.detail!, /0x04 server device failure/);
    for (const good of ['draft', 'density', 'temp', 'setpoint', 'alarm_a', 'alarm_b', 'text', 'pump', 'door']) assert.equal(s[good]!.quality, 'good', good);
  });

  it('after a timeout the rest of the poll is not sent; all points bad/timeout; recovers next poll', async () => {
    const { driver, transport } = device();
    transport.faults = { timeout: true };
    const s = await driver.readAll();
    assert.ok(s.every((x) => x.quality === 'bad' && x.reason === 'timeout' && x.value === null));
    assert.equal(transport.stats.requests, 1);
    transport.faults = {};
    assert.ok((await driver.readAll()).every((x) => x.quality === 'good'));
  });

  it('retries retryable errors per profile and never retries an exception', async () => {
    const { profile, bank } = device();
    const retrying = profileOf(DEVICE_POINTS, { retries: 2 });
    const t = new CoreTransport(bank);
    const d = createModbusDriver({ deviceId: 'g', profile: retrying, transport: t });
    t.failNext = 2; // first block fails twice with CRC, then succeeds
    assert.ok((await d.readAll()).every((x) => x.quality === 'good'));
    assert.equal(t.stats.requests, 5 + 2);
    assert.equal(d.client.stats.retries, 2);
    t.failNext = 3; // one more than retries → bad/crc for the first block only
    const s = await d.readAll();
    assert.equal(s.find((x) => x.point === 'draft')!.reason, 'crc');
    assert.equal(s.find((x) => x.point === 'far')!.quality, 'good');
    t.faults = { exception: 6 };
    const before = t.stats.requests;
    const e = await d.readAll();
    assert.ok(e.every((x) => x.reason === 'exception'));
    assert.equal(t.stats.requests - before, 5, 'one request per block, no retries');
    void profile;
  });

  it('reports a short answer as bad/frame', async () => {
    const { driver, transport } = device();
    transport.faults = { shortFrame: true };
    const s = await driver.readAll();
    assert.ok(s.every((x) => x.reason === 'frame'), JSON.stringify(s[0]));
  });

  it('after close, reads are bad/disconnected and the transport is left alone', async () => {
    const { driver, transport } = device();
    await driver.close();
    const s = await driver.readAll();
    assert.ok(s.every((x) => x.reason === 'disconnected'));
    assert.equal(transport.stats.requests, 0);
  });
});

describe('ModbusDriver.write', () => {
  const code = (c: string) => (e: unknown) => isQuaysideError(e) && e.code === c;

  it('refuses unknown, non-writable and out-of-range points without sending anything', async () => {
    const { driver, transport } = device();
    await assert.rejects(driver.write('nope', 1), code('EDGE_POINT_NOT_FOUND'));
    await assert.rejects(driver.write('draft', 1), code('EDGE_WRITE_NOT_WRITABLE'));
    await assert.rejects(driver.write('serial', 1), code('EDGE_WRITE_NOT_WRITABLE'));
    await assert.rejects(driver.write('door', true), code('EDGE_WRITE_NOT_WRITABLE'));
    await assert.rejects(driver.write('setpoint', 101), code('EDGE_WRITE_OUT_OF_RANGE'));
    await assert.rejects(driver.write('setpoint', -1), code('EDGE_WRITE_OUT_OF_RANGE'));
    await assert.rejects(driver.write('setpoint', Infinity), code('EDGE_WRITE_OUT_OF_RANGE'));
    await assert.rejects(driver.write('setpoint', 'x'), code('EDGE_BAD_REQUEST'));
    await assert.rejects(driver.write('text', 'TOO LONG!'), code('EDGE_WRITE_OUT_OF_RANGE'));
    await assert.rejects(driver.write('pump', 'on'), code('EDGE_BAD_REQUEST'));
    assert.equal(transport.stats.requests, 0);
  });

  it('writes a numeric point through values.ts and confirms by reading back', async () => {
    const { driver, bank, byName } = device();
    assert.deepEqual(await driver.write('setpoint', 62.5), { point: 'setpoint', confirmed: true, readBack: 62.5 });
    assert.deepEqual(bank.getRegisters('holding', 5, 1), [125]);
    assert.equal(bank.getPoint(byName('setpoint')), 62.5);
  });

  it('writes a register bit by read-modify-write, keeping the other bits', async () => {
    const { driver, bank } = device();
    bank.setRegisters('holding', 6, [0xa510]);
    assert.deepEqual(await driver.write('alarm_a', true), { point: 'alarm_a', confirmed: true, readBack: true });
    assert.deepEqual(bank.getRegisters('holding', 6, 1), [0xa511]);
    await driver.write('alarm_a', false);
    assert.deepEqual(bank.getRegisters('holding', 6, 1), [0xa510]);
  });

  it('writes coils and strings', async () => {
    const { driver, bank } = device();
    assert.deepEqual(await driver.write('pump', false), { point: 'pump', confirmed: true, readBack: false });
    assert.deepEqual(bank.getBits('coil', 2, 1), [false]);
    assert.deepEqual(await driver.write('text', 'QS1'), { point: 'text', confirmed: true, readBack: 'QS1' });
    assert.deepEqual(bank.getRegisters('holding', 8, 4), [0x5153, 0x3100, 0, 0]);
  });

  it('throws EDGE_WRITE_NOT_CONFIRMED when the device keeps another value', async () => {
    const { profile, bank } = device();
    const deaf: RegisterBank = { ...bindAll(bank), writeRegisters: () => undefined };
    const d = createModbusDriver({ deviceId: 'g', profile, transport: new CoreTransport(deaf) });
    await assert.rejects(d.write('setpoint', 10), (e: unknown) => isQuaysideError(e, 'EDGE_WRITE_NOT_CONFIRMED') && /read back 40/.test(e.detail ?? ''));
  });

  it('does not read back when the profile says readBack: false', async () => {
    const defs = DEVICE_POINTS.map((p) => (p.name === 'setpoint' ? { ...p, readBack: false } : p));
    const bank = new MemoryBank({ holding: 200, input: 4, coils: 4, discrete: 4 });
    const t = new CoreTransport(bank);
    const d = createModbusDriver({ deviceId: 'g', profile: profileOf(defs), transport: t });
    assert.deepEqual(await d.write('setpoint', 10), { point: 'setpoint', confirmed: false });
    assert.equal(t.stats.requests, 1);
  });

  it('passes transport failures through as QuaysideErrors', async () => {
    const { driver, transport } = device();
    transport.faults = { exception: 4 };
    await assert.rejects(driver.write('setpoint', 10), (e: unknown) => isQuaysideError(e, 'EDGE_MODBUS_EXCEPTION'));
  });
});

function bindAll(bank: MemoryBank): RegisterBank {
  return {
    readRegisters: (t, a, c) => bank.readRegisters(t, a, c),
    readBits: (t, a, c) => bank.readBits(t, a, c),
    writeRegisters: (a, v) => bank.writeRegisters(a, v),
    writeBits: (a, v) => bank.writeBits(a, v),
  };
}
