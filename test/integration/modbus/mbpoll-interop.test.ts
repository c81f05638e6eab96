/**
 * Our simulated servers (TCP and RTU over a socat PTY) against a third-party master: Debian's mbpoll.
 * The bank is filled from the interop profile through shared/profile/values.ts; mbpoll must print the
 * same numbers, and its writes must land in our bank. mbpoll addresses are 1-based (-r).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ModbusPoint, ModbusProfile } from '../../../shared/profile/schema.js';
import { MemoryBank, bankSizesFor } from '../../../edge/simulators/modbus/memory-bank.js';
import { startModbusRtuServer, type RunningRtuServer } from '../../../edge/simulators/modbus/rtu-server.js';
import { startModbusTcpServer, type RunningTcpServer } from '../../../edge/simulators/modbus/tcp-server.js';
import type { UnitResolver } from '../../../edge/simulators/modbus/types.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { INTEROP_POINTS, SERIAL_9600, interopProfile, run } from './fixture.js';

function filledBank(profile: ModbusProfile): MemoryBank {
  const bank = new MemoryBank(bankSizesFor(profile.points));
  for (const p of profile.points) bank.setPoint(p, INTEROP_POINTS.find((x) => x.def.name === p.name)!.expected);
  return bank;
}

/** `[ref]: value` lines of mbpoll's output → ref → the first number printed. */
function parseValues(stdout: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?[\d.]+(?:e[+-]?\d+)?)/gim)) out.set(Number(m[1]), Number(m[2]));
  return out;
}

type Target = { args: string[] };

async function mbpoll(target: Target, ...args: string[]): Promise<{ values: Map<number, number>; stdout: string; stderr: string; code: number | null }> {
  const r = await run('mbpoll', [...target.args.slice(0, -1), ...args, target.args.at(-1)!], 10_000);
  return { ...r, values: parseValues(r.stdout) };
}

async function mbpollWrite(target: Target, ...argsAndValues: string[]): Promise<{ stdout: string; code: number | null }> {
  // Values go after the device/host; `--` keeps negative numbers from reading as options.
  const dashAt = argsAndValues.indexOf('--');
  const opts = argsAndValues.slice(0, dashAt);
  const values = argsAndValues.slice(dashAt + 1);
  return run('mbpoll', [...target.args.slice(0, -1), ...opts, target.args.at(-1)!, '--', ...values], 10_000);
}

function sharedChecks(getTarget: () => Target, getBank: () => MemoryBank, profile: ModbusProfile): void {
  const point = (name: string): ModbusPoint => profile.points.find((p) => p.name === name)!;

  it('mbpoll -t 4 reads the 16-bit holding registers', async () => {
    const r = await mbpoll(getTarget(), '-t', '4', '-r', '1', '-c', '4', '-1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // mbpoll prints registers unsigned first: -1234 → 64302; 0x2EFB → 12027; 54321; 0x31D4 → 12756.
    assert.deepEqual([...r.values], [[1, 64302], [2, 12027], [3, 54321], [4, 12756]]);
    assert.match(r.stdout, /\[1\]:\s+64302 \(-1234\)/);
  });

  it('mbpoll -t 4:int reads int32 in both word orders (-B = high word first)', async () => {
    const big = await mbpoll(getTarget(), '-t', '4:int', '-B', '-r', '5', '-c', '1', '-1');
    assert.equal(big.values.get(5), -123456, big.stdout);
    const little = await mbpoll(getTarget(), '-t', '4:int', '-r', '7', '-c', '1', '-1');
    assert.equal(little.values.get(7), -123456, little.stdout);
    const u32 = await mbpoll(getTarget(), '-t', '4:hex', '-r', '13', '-c', '2', '-1');
    assert.match(u32.stdout, /\[13\]:\s+0xB2D0/i);
    assert.match(u32.stdout, /\[14\]:\s+0x5E00/i);
  });

  it('mbpoll -t 4:float reads float32 in both word orders', async () => {
    const big = await mbpoll(getTarget(), '-t', '4:float', '-B', '-r', '21', '-c', '1', '-1');
    assert.equal(big.values.get(21), 1.5, big.stdout);
    const little = await mbpoll(getTarget(), '-t', '4:float', '-r', '23', '-c', '1', '-1');
    assert.equal(little.values.get(23), -2.25, little.stdout);
  });

  it('mbpoll -t 3 / 3:float read input registers; -t 0 / -t 1 read coils and discrete inputs', async () => {
    assert.equal((await mbpoll(getTarget(), '-t', '3', '-r', '1', '-c', '1', '-1')).values.get(1), 777);
    assert.equal((await mbpoll(getTarget(), '-t', '3:float', '-B', '-r', '2', '-c', '1', '-1')).values.get(2), 3.25);
    assert.equal((await mbpoll(getTarget(), '-t', '0', '-r', '1', '-c', '1', '-1')).values.get(1), 1);
    const di = await mbpoll(getTarget(), '-t', '1', '-r', '1', '-c', '2', '-1');
    assert.deepEqual([...di.values], [[1, 0], [2, 1]]);
  });

  it('an address beyond the bank gives mbpoll "Illegal data address"', async () => {
    const r = await mbpoll(getTarget(), '-t', '4', '-r', '200', '-c', '1', '-1');
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /Illegal data address/i);
  });

  it('mbpoll writing registers and a coil changes our bank', async () => {
    const bank = getBank();
    const w = await mbpollWrite(getTarget(), '-t', '4', '-r', '51', '--', '123');
    assert.equal(w.code, 0, w.stdout);
    assert.match(w.stdout, /Written 1 references/);
    assert.deepEqual(bank.getRegisters('holding', 50, 1), [123]);
    assert.equal(bank.getPoint(point('setpoint')), 12.3);
    const f = await mbpollWrite(getTarget(), '-t', '4:float', '-B', '-r', '21', '--', '-7.5');
    assert.equal(f.code, 0, f.stdout);
    assert.deepEqual(bank.getRegisters('holding', 20, 2), [0xc0f0, 0x0000]);
    assert.equal(bank.getPoint(point('f32_bb')), -7.5);
    const c = await mbpollWrite(getTarget(), '-t', '0', '-r', '1', '--', '0');
    assert.equal(c.code, 0, c.stdout);
    assert.equal(bank.getPoint(point('relay')), false);
  });
}

describe('mbpoll → our Modbus TCP server', () => {
  const profile = interopProfile('tcp');
  let bank: MemoryBank;
  let server: RunningTcpServer | undefined;
  let target: Target;

  before(async () => {
    bank = filledBank(profile);
    const units: UnitResolver = { bank: (u) => (u === 1 ? bank : undefined), faults: () => ({}) };
    server = await startModbusTcpServer({ port: 0, units });
    target = { args: ['-m', 'tcp', '-a', '1', '-o', '2', '-p', String(server.port), '127.0.0.1'] };
  });

  after(async () => {
    await server?.close();
  });

  sharedChecks(() => target, () => bank, profile);
});

describe('mbpoll → our Modbus RTU server on a PTY', () => {
  const profile = interopProfile('rtu');
  let bank: MemoryBank;
  let pty: PtyPair | undefined;
  let server: RunningRtuServer | undefined;
  let target: Target;

  before(async () => {
    bank = filledBank(profile);
    const units: UnitResolver = { bank: (u) => (u === 1 ? bank : undefined), faults: () => ({}) };
    pty = await createPtyPair();
    server = await startModbusRtuServer({ path: pty.b, serial: SERIAL_9600, units });
    target = { args: ['-m', 'rtu', '-a', '1', '-b', '9600', '-P', 'none', '-d', '8', '-s', '1', '-o', '2', pty.a] };
  });

  after(async () => {
    await server?.close();
    await pty?.close();
  });

  sharedChecks(() => target, () => bank, profile);
});
