/**
 * Shared by the Modbus integration tests: an interop profile whose register words are computed by hand
 * (not by shared/profile/values.ts, which is what is under test), and small process helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { validateProfile } from '../../../shared/profile/validate.js';
import { isModbusProfile, type ModbusProfile, type SerialSettings } from '../../../shared/profile/schema.js';
import type { ReadingValue } from '../../../shared/contracts/reading.js';

export const SERIAL_9600: SerialSettings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

const L = (en: string) => ({ zh: en, en });

interface FixturePoint {
  def: Record<string, unknown>;
  /** Register words (or bits) as they sit in the device, computed by hand. */
  words?: number[];
  bits?: boolean[];
  /** What the driver must read. */
  expected: ReadingValue;
}

/** Holding-register store of the device: 60 registers, so anything at 60+ is an illegal address. */
export const HOLDING_SIZE = 60;

export const INTEROP_POINTS: FixturePoint[] = [
  { def: { name: 'i16_bb', table: 'holding', address: 0, type: 'int16' }, words: [0xfb2e], expected: -1234 },
  { def: { name: 'i16_lb', table: 'holding', address: 1, type: 'int16', byteOrder: 'little' }, words: [0x2efb], expected: -1234 },
  { def: { name: 'u16_bb', table: 'holding', address: 2, type: 'uint16' }, words: [0xd431], expected: 54321 },
  { def: { name: 'u16_lb', table: 'holding', address: 3, type: 'uint16', byteOrder: 'little' }, words: [0x31d4], expected: 54321 },
  { def: { name: 'i32_bb', table: 'holding', address: 4, type: 'int32' }, words: [0xfffe, 0x1dc0], expected: -123456 },
  { def: { name: 'i32_bl', table: 'holding', address: 6, type: 'int32', wordOrder: 'little' }, words: [0x1dc0, 0xfffe], expected: -123456 },
  { def: { name: 'i32_lb', table: 'holding', address: 8, type: 'int32', byteOrder: 'little' }, words: [0xfeff, 0xc01d], expected: -123456 },
  { def: { name: 'i32_ll', table: 'holding', address: 10, type: 'int32', byteOrder: 'little', wordOrder: 'little' }, words: [0xc01d, 0xfeff], expected: -123456 },
  { def: { name: 'u32_bb', table: 'holding', address: 12, type: 'uint32' }, words: [0xb2d0, 0x5e00], expected: 3_000_000_000 },
  { def: { name: 'u32_bl', table: 'holding', address: 14, type: 'uint32', wordOrder: 'little' }, words: [0x5e00, 0xb2d0], expected: 3_000_000_000 },
  { def: { name: 'u32_lb', table: 'holding', address: 16, type: 'uint32', byteOrder: 'little' }, words: [0xd0b2, 0x005e], expected: 3_000_000_000 },
  { def: { name: 'u32_ll', table: 'holding', address: 18, type: 'uint32', byteOrder: 'little', wordOrder: 'little' }, words: [0x005e, 0xd0b2], expected: 3_000_000_000 },
  { def: { name: 'f32_bb', table: 'holding', address: 20, type: 'float32' }, words: [0x3fc0, 0x0000], expected: 1.5 },
  { def: { name: 'f32_bl', table: 'holding', address: 22, type: 'float32', wordOrder: 'little' }, words: [0x0000, 0xc010], expected: -2.25 },
  { def: { name: 'f32_lb', table: 'holding', address: 24, type: 'float32', byteOrder: 'little' }, words: [0x7d44, 0x0050], expected: 1013.25 },
  { def: { name: 'f32_ll', table: 'holding', address: 26, type: 'float32', byteOrder: 'little', wordOrder: 'little' }, words: [0x0000, 0x203e], expected: 0.15625 },
  { def: { name: 'scaled_i16', table: 'holding', address: 30, type: 'int16', scale: 0.01, unit: 'm' }, words: [0x04d2], expected: 12.34 },
  { def: { name: 'scaled_u16', table: 'holding', address: 31, type: 'uint16', scale: 0.1, offset: -40, unit: 'degC' }, words: [0x0271], expected: 22.5 },
  // Two bool points on bits of one register (0x0009: bits 0 and 3 set).
  { def: { name: 'flag_bit3', table: 'holding', address: 32, type: 'bool', bit: 3 }, words: [0x0009], expected: true },
  { def: { name: 'flag_bit1', table: 'holding', address: 32, type: 'bool', bit: 1, writable: true }, expected: false },
  { def: { name: 'label', table: 'holding', address: 40, type: 'string', encoding: 'ascii', lengthRegisters: 4 }, words: [0x5153, 0x2d37, 0, 0], expected: 'QS-7' },
  { def: { name: 'name_cn', table: 'holding', address: 44, type: 'string', encoding: 'utf16be', lengthRegisters: 4, writable: true }, words: [0x5403, 0x6c34, 0, 0], expected: '吃水' },
  { def: { name: 'setpoint', table: 'holding', address: 50, type: 'uint16', scale: 0.1, writable: true, range: { min: 0, max: 100 }, unit: 'm' }, words: [250], expected: 25 },
  { def: { name: 'in_u16', table: 'input', address: 0, type: 'uint16' }, words: [777], expected: 777 },
  { def: { name: 'in_f32', table: 'input', address: 1, type: 'float32' }, words: [0x4050, 0x0000], expected: 3.25 },
  { def: { name: 'relay', table: 'coil', address: 0, type: 'bool', writable: true }, bits: [true], expected: true },
  { def: { name: 'door', table: 'discrete', address: 1, type: 'bool' }, bits: [true], expected: true },
];

/** A point the device does not have: reading it must give quality bad, reason exception (code 2). */
export const MISSING_POINT = { name: 'missing', table: 'holding', address: 90, type: 'uint16' } as const;

export function interopProfile(transport: 'tcp' | 'rtu', extraPoints: Record<string, unknown>[] = []): ModbusProfile {
  const points = [...INTEROP_POINTS.map((p) => p.def), ...extraPoints].map((d) => ({ label: L(String(d.name)), unit: '', ...d }));
  const raw = {
    format: 'quayside.firmware-profile/1',
    version: 1,
    model: 'qs-interop-test',
    manufacturer: 'Quayside tests',
    kind: 'draft-gauge',
    name: L('interop test device'),
    description: L('every data type, byte order and word order'),
    transport:
      transport === 'tcp'
        ? { type: 'modbus-tcp', responseTimeoutMs: 1000, retries: 0 }
        : { type: 'modbus-rtu', serial: SERIAL_9600, responseTimeoutMs: 1000, retries: 0 },
    points,
    simulation: { model: 'vessel-drafts' },
  };
  const v = validateProfile(raw);
  if (!v.ok) throw new Error(`fixture profile invalid: ${JSON.stringify(v.errors)}`);
  if (!isModbusProfile(v.profile)) throw new Error('not a modbus profile');
  return v.profile;
}

/** The device's memory laid out from the hand-computed words, in pymodbus's JSON format. */
export function interopBank(unit = 1): { unit: number; hr: number[]; ir: number[]; co: number[]; di: number[] } {
  const hr = new Array<number>(HOLDING_SIZE).fill(0);
  const ir = new Array<number>(10).fill(0);
  const co = new Array<number>(16).fill(0);
  const di = new Array<number>(16).fill(0);
  for (const p of INTEROP_POINTS) {
    const table = p.def.table as string;
    const address = p.def.address as number;
    if (p.words) (table === 'input' ? ir : hr).splice(address, p.words.length, ...p.words);
    if (p.bits) (table === 'coil' ? co : di).splice(address, p.bits.length, ...p.bits.map((b) => (b ? 1 : 0)));
  }
  return { unit, hr, ir, co, di };
}

// ---------------------------------------------------------------------------------------------

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms (${(last as Error)?.message ?? last})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A child process that is killed (and awaited) by `stop()`, and on process exit as a last resort. */
export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const procs = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of procs) c.kill('SIGKILL');
});

export function startProcess(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    if (out.length < 20_000) out += d.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => procs.delete(child));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Runs a command to completion; resolves with its exit code and output. */
export function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(t);
      procs.delete(child);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(t);
      procs.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}
