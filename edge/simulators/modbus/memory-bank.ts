/**
 * An array-backed register bank with fixed table sizes: what tests serve and what the simulators fill
 * from physics. Protocol access beyond a table's size answers exception 2 (illegal data address).
 * `setPoint`/`getPoint` put engineering values in and out through the shared transformer, so a bank
 * filled from a profile holds exactly what a real device of that model would.
 */
import type { ReadingValue } from '../../../shared/contracts/reading.js';
import type { ModbusPoint } from '../../../shared/profile/schema.js';
import { registerSpan } from '../../../shared/profile/validate.js';
import { decodeBit, decodeNumeric, decodeString, encodeNumeric, encodeString } from '../../../shared/profile/values.js';
import { MODBUS_EXCEPTIONS, ModbusExceptionResponse, type RegisterBank } from './types.js';

export interface MemoryBankSizes {
  holding?: number;
  input?: number;
  coils?: number;
  discrete?: number;
}

/** A write that came in over the protocol (FC 5/6/15/16). */
export interface BankWrite {
  table: 'holding' | 'coil';
  address: number;
  count: number;
}

export class MemoryBank implements RegisterBank {
  readonly holding: Uint16Array;
  readonly input: Uint16Array;
  readonly coils: Uint8Array;
  readonly discrete: Uint8Array;
  /** Called after every protocol write (the device model reacts to set-points, LED text, …). */
  onWrite: ((w: BankWrite) => void) | undefined;

  constructor(sizes: MemoryBankSizes) {
    this.holding = new Uint16Array(sizes.holding ?? 0);
    this.input = new Uint16Array(sizes.input ?? 0);
    this.coils = new Uint8Array(sizes.coils ?? 0);
    this.discrete = new Uint8Array(sizes.discrete ?? 0);
  }

  // RegisterBank (protocol side) --------------------------------------------------------------

  readRegisters(table: 'holding' | 'input', address: number, count: number): number[] {
    const arr = table === 'holding' ? this.holding : this.input;
    inRange(arr.length, address, count);
    return Array.from(arr.subarray(address, address + count));
  }

  readBits(table: 'coil' | 'discrete', address: number, count: number): boolean[] {
    const arr = table === 'coil' ? this.coils : this.discrete;
    inRange(arr.length, address, count);
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = arr[address + i] === 1;
    return out;
  }

  writeRegisters(address: number, values: number[]): void {
    inRange(this.holding.length, address, values.length);
    this.holding.set(values, address);
    this.onWrite?.({ table: 'holding', address, count: values.length });
  }

  writeBits(address: number, values: boolean[]): void {
    inRange(this.coils.length, address, values.length);
    for (let i = 0; i < values.length; i++) this.coils[address + i] = values[i] ? 1 : 0;
    this.onWrite?.({ table: 'coil', address, count: values.length });
  }

  // Direct access (device side: any table, no exceptions, no onWrite) ------------------------------

  setRegisters(table: 'holding' | 'input', address: number, values: ArrayLike<number>): void {
    const arr = table === 'holding' ? this.holding : this.input;
    if (address < 0 || address + values.length > arr.length) throw new RangeError(`${table} ${address}+${values.length} beyond bank size ${arr.length}`);
    arr.set(values, address);
  }

  getRegisters(table: 'holding' | 'input', address: number, count: number): number[] {
    return Array.from((table === 'holding' ? this.holding : this.input).subarray(address, address + count));
  }

  setBits(table: 'coil' | 'discrete', address: number, values: ArrayLike<boolean>): void {
    const arr = table === 'coil' ? this.coils : this.discrete;
    if (address < 0 || address + values.length > arr.length) throw new RangeError(`${table} ${address}+${values.length} beyond bank size ${arr.length}`);
    for (let i = 0; i < values.length; i++) arr[address + i] = values[i] ? 1 : 0;
  }

  getBits(table: 'coil' | 'discrete', address: number, count: number): boolean[] {
    const arr = table === 'coil' ? this.coils : this.discrete;
    return Array.from(arr.subarray(address, address + count), (b) => b === 1);
  }

  /** Stores a point's engineering value (through shared/profile/values.ts); a bool register point changes only its bit. */
  setPoint(point: ModbusPoint, value: ReadingValue): void {
    if (point.type === 'bool') {
      const on = value === true || value === 1;
      if (point.table === 'coil' || point.table === 'discrete') return this.setBits(point.table, point.address, [on]);
      const bit = point.bit ?? 0;
      const word = this.getRegisters(point.table, point.address, 1)[0] ?? 0;
      return this.setRegisters(point.table, point.address, [on ? word | (1 << bit) : word & ~(1 << bit) & 0xffff]);
    }
    if (point.type === 'string') return this.setRegisters('holding', point.address, encodeString(point, String(value ?? '')));
    if (typeof value !== 'number') throw new TypeError(`${point.name} takes a number`);
    this.setRegisters(point.table, point.address, encodeNumeric(point, value));
  }

  /** Reads a point's engineering value back out of the bank. */
  getPoint(point: ModbusPoint): ReadingValue {
    if (point.type === 'bool') {
      if (point.table === 'coil' || point.table === 'discrete') return this.getBits(point.table, point.address, 1)[0] ?? false;
      return decodeBit(point, this.getRegisters(point.table, point.address, 1)[0] ?? 0);
    }
    const regs = this.getRegisters(point.table, point.address, registerSpan(point));
    return point.type === 'string' ? decodeString(point, regs) : decodeNumeric(point, regs);
  }
}

function inRange(size: number, address: number, count: number): void {
  if (address < 0 || count < 0 || address + count > size) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
}

export function createMemoryBank(sizes: MemoryBankSizes): MemoryBank {
  return new MemoryBank(sizes);
}

/** Table sizes that hold every point of a profile (one past the highest address used per table). */
export function bankSizesFor(points: readonly ModbusPoint[]): Required<MemoryBankSizes> {
  const s = { holding: 0, input: 0, coils: 0, discrete: 0 };
  for (const p of points) {
    const end = p.address + registerSpan(p);
    const key = p.table === 'coil' ? 'coils' : p.table;
    s[key] = Math.max(s[key], end);
  }
  return s;
}
