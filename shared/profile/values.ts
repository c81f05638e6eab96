/**
 * The one transformer between Modbus registers and engineering values, driven by the profile:
 * data type, byte order, word order, scale and offset. Drivers return raw registers; simulators
 * encode physics into registers; both go through here so they can never disagree.
 */
import { DATA_TYPES, type ModbusBitPoint, type ModbusNumericPoint, type ModbusStringPoint, type NumericDataType } from './schema.js';

type ByteWordOrder = { byteOrder: 'big' | 'little'; wordOrder: 'big' | 'little' };

/** Raw (unscaled) number from the point's registers, in the order they appear on the wire. */
export function decodeRaw(type: NumericDataType, order: ByteWordOrder, registers: ArrayLike<number>): number {
  const n = DATA_TYPES[type];
  if (registers.length < n) throw new RangeError(`${type} needs ${n} registers, got ${registers.length}`);
  const buf = Buffer.allocUnsafe(n * 2);
  // Put the words into big-endian order (high word first, high byte first), then read.
  for (let i = 0; i < n; i++) {
    const word = registers[order.wordOrder === 'big' ? i : n - 1 - i]! & 0xffff;
    const hi = order.byteOrder === 'big' ? word >> 8 : word & 0xff;
    const lo = order.byteOrder === 'big' ? word & 0xff : word >> 8;
    buf[i * 2] = hi;
    buf[i * 2 + 1] = lo;
  }
  switch (type) {
    case 'int16': return buf.readInt16BE(0);
    case 'uint16': return buf.readUInt16BE(0);
    case 'int32': return buf.readInt32BE(0);
    case 'uint32': return buf.readUInt32BE(0);
    case 'float32': return buf.readFloatBE(0);
  }
}

/** Registers (wire order) for a raw number. Integers are rounded and must fit the type. */
export function encodeRaw(type: NumericDataType, order: ByteWordOrder, raw: number): number[] {
  const n = DATA_TYPES[type];
  const buf = Buffer.allocUnsafe(n * 2);
  const int = Math.round(raw);
  switch (type) {
    case 'int16': checkInt(int, -0x8000, 0x7fff, type); buf.writeInt16BE(int, 0); break;
    case 'uint16': checkInt(int, 0, 0xffff, type); buf.writeUInt16BE(int, 0); break;
    case 'int32': checkInt(int, -0x80000000, 0x7fffffff, type); buf.writeInt32BE(int, 0); break;
    case 'uint32': checkInt(int, 0, 0xffffffff, type); buf.writeUInt32BE(int, 0); break;
    case 'float32': buf.writeFloatBE(raw, 0); break;
  }
  const words: number[] = [];
  for (let i = 0; i < n; i++) {
    const hi = buf[i * 2]!;
    const lo = buf[i * 2 + 1]!;
    words.push(order.byteOrder === 'big' ? (hi << 8) | lo : (lo << 8) | hi);
  }
  return order.wordOrder === 'big' ? words : words.reverse();
}

function checkInt(v: number, min: number, max: number, type: string): void {
  if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`${v} does not fit ${type} (${min}..${max})`);
}

/**
 * Engineering value of a numeric point: raw × scale + offset (NaN/Infinity pass through for the
 * caller to flag). The result is cleaned of binary noise: a float32 register pair becomes the
 * shortest decimal that is the same float32 (1014.0104 rather than 1014.0104370117188), and
 * scaling is rounded to 12 significant digits (13.7 rather than 13.700000000000001).
 */
export function decodeNumeric(point: ModbusNumericPoint, registers: ArrayLike<number>): number {
  let raw = decodeRaw(point.type, point, registers);
  if (point.type === 'float32') raw = shortestFloat32(raw);
  if (point.scale === 1 && point.offset === 0) return raw;
  return cleanDecimal(raw * point.scale + point.offset);
}

/** The shortest decimal that reads back as the same float32 value. */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

/** Rounds away the last bits of binary noise (12 significant digits). */
export function cleanDecimal(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}

/** Registers for an engineering value: (value − offset) / scale, rounded for integer types. */
export function encodeNumeric(point: ModbusNumericPoint, value: number): number[] {
  return encodeRaw(point.type, point, (value - point.offset) / point.scale);
}

/** A bool point from a register (its bit) or from a coil/discrete bit. */
export function decodeBit(point: ModbusBitPoint, registerOrBit: number | boolean): boolean {
  if (typeof registerOrBit === 'boolean') return registerOrBit;
  if (point.bit === undefined) return registerOrBit !== 0;
  return ((registerOrBit >> point.bit) & 1) === 1;
}

/** Text from registers; stops at the first NUL. */
export function decodeString(point: ModbusStringPoint, registers: ArrayLike<number>): string {
  if (point.encoding === 'utf16be') {
    let s = '';
    for (let i = 0; i < registers.length; i++) {
      const u = registers[i]! & 0xffff;
      if (u === 0) break;
      s += String.fromCharCode(u);
    }
    return s;
  }
  const bytes: number[] = [];
  for (let i = 0; i < registers.length; i++) {
    const w = registers[i]! & 0xffff;
    bytes.push(w >> 8, w & 0xff);
  }
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.slice(0, end)).toString('latin1');
}

/** Registers for text, NUL-padded to the point's length; throws when the text does not fit. */
export function encodeString(point: ModbusStringPoint, text: string): number[] {
  const out = new Array<number>(point.lengthRegisters).fill(0);
  if (point.encoding === 'utf16be') {
    if (text.length > point.lengthRegisters) throw new RangeError(`text of ${text.length} characters exceeds ${point.lengthRegisters}`);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  if (!/^[\x20-\x7e]*$/.test(text)) throw new RangeError('ascii text may hold printable ASCII only');
  if (text.length > point.lengthRegisters * 2) throw new RangeError(`text of ${text.length} bytes exceeds ${point.lengthRegisters * 2}`);
  for (let i = 0; i < text.length; i += 2) {
    out[i / 2] = (text.charCodeAt(i) << 8) | (i + 1 < text.length ? text.charCodeAt(i + 1) : 0);
  }
  return out;
}
