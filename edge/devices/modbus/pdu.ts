/**
 * Modbus PDUs (function code + data), shared by the client (requests out, responses in) and the
 * simulated servers (requests in, responses out). Framing (MBAP for TCP, unit id + CRC for RTU) is
 * the transports' business; this file only knows the Modbus Application Protocol v1.1b3.
 *
 * Parsers are strict: every length is checked, and any mismatch is an EDGE_MODBUS_FRAME error with a
 * detail that says what was expected. An exception response (function | 0x80) becomes a
 * {@link ModbusExceptionError} (code EDGE_MODBUS_EXCEPTION) that carries the exception code.
 */
import { QuaysideError } from '../../../shared/errors.js';

export const FC = {
  READ_COILS: 0x01,
  READ_DISCRETE_INPUTS: 0x02,
  READ_HOLDING_REGISTERS: 0x03,
  READ_INPUT_REGISTERS: 0x04,
  WRITE_SINGLE_COIL: 0x05,
  WRITE_SINGLE_REGISTER: 0x06,
  WRITE_MULTIPLE_COILS: 0x0f,
  WRITE_MULTIPLE_REGISTERS: 0x10,
} as const;
export type ReadFunctionCode = 0x01 | 0x02 | 0x03 | 0x04;
export type BitReadFunctionCode = 0x01 | 0x02;
export type RegisterReadFunctionCode = 0x03 | 0x04;

/** Quantity limits per request (MODBUS Application Protocol §6). */
export const LIMITS = {
  readBits: 2000,
  readRegisters: 125,
  writeBits: 1968,
  writeRegisters: 123,
  /** Largest PDU: 256-byte RTU ADU − unit id − CRC. */
  maxPdu: 253,
} as const;

export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'illegal function',
  0x02: 'illegal data address',
  0x03: 'illegal data value',
  0x04: 'server device failure',
  0x05: 'acknowledge',
  0x06: 'server device busy',
  0x08: 'memory parity error',
  0x0a: 'gateway path unavailable',
  0x0b: 'gateway target device failed to respond',
};

export function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? 'unknown exception';
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** A Modbus exception response, as a catalogue error (EDGE_MODBUS_EXCEPTION) that keeps the codes. */
export class ModbusExceptionError extends QuaysideError {
  readonly exceptionCode: number;
  readonly functionCode: number;
  constructor(functionCode: number, exceptionCode: number) {
    // Detail reads like "exception 0x02 illegal data address (function 0x03)", as dashboards show it.
    super('EDGE_MODBUS_EXCEPTION', `exception ${hex2(exceptionCode)} ${exceptionName(exceptionCode)} (function ${hex2(functionCode)})`);
    this.name = 'ModbusExceptionError';
    this.exceptionCode = exceptionCode;
    this.functionCode = functionCode;
  }
}

export function frameError(detail: string): QuaysideError {
  return new QuaysideError('EDGE_MODBUS_FRAME', detail);
}

// ---------------------------------------------------------------------------------------------
// Requests

function checkAddress(address: number, quantity: number, max: number, what: string): void {
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) throw new RangeError(`address ${address} is not 0..65535`);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > max) throw new RangeError(`${what} ${quantity} is not 1..${max}`);
  if (address + quantity > 0x10000) throw new RangeError(`address ${address} + ${quantity} runs past 65535`);
}

/** FC 1/2/3/4 request: function, start address, quantity. */
export function buildReadRequest(fc: ReadFunctionCode, address: number, quantity: number): Buffer {
  const bits = fc === FC.READ_COILS || fc === FC.READ_DISCRETE_INPUTS;
  checkAddress(address, quantity, bits ? LIMITS.readBits : LIMITS.readRegisters, bits ? 'bit count' : 'register count');
  const pdu = Buffer.allocUnsafe(5);
  pdu[0] = fc;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(quantity, 3);
  return pdu;
}

/** FC 5: 0xFF00 = on, 0x0000 = off. */
export function buildWriteSingleCoil(address: number, on: boolean): Buffer {
  checkAddress(address, 1, 1, 'coil count');
  const pdu = Buffer.allocUnsafe(5);
  pdu[0] = FC.WRITE_SINGLE_COIL;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(on ? 0xff00 : 0x0000, 3);
  return pdu;
}

/** FC 6. */
export function buildWriteSingleRegister(address: number, value: number): Buffer {
  checkAddress(address, 1, 1, 'register count');
  checkWord(value);
  const pdu = Buffer.allocUnsafe(5);
  pdu[0] = FC.WRITE_SINGLE_REGISTER;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(value, 3);
  return pdu;
}

/** FC 15: bits packed LSB first. */
export function buildWriteMultipleCoils(address: number, values: ArrayLike<boolean>): Buffer {
  checkAddress(address, values.length, LIMITS.writeBits, 'coil count');
  const byteCount = (values.length + 7) >> 3;
  const pdu = Buffer.alloc(6 + byteCount);
  pdu[0] = FC.WRITE_MULTIPLE_COILS;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  pdu[5] = byteCount;
  for (let i = 0; i < values.length; i++) if (values[i]) pdu[6 + (i >> 3)]! |= 1 << (i & 7);
  return pdu;
}

/** FC 16. */
export function buildWriteMultipleRegisters(address: number, values: ArrayLike<number>): Buffer {
  checkAddress(address, values.length, LIMITS.writeRegisters, 'register count');
  const pdu = Buffer.allocUnsafe(6 + values.length * 2);
  pdu[0] = FC.WRITE_MULTIPLE_REGISTERS;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  pdu[5] = values.length * 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    checkWord(v);
    pdu.writeUInt16BE(v, 6 + i * 2);
  }
  return pdu;
}

function checkWord(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`register value ${v} is not 0..65535`);
}

// ---------------------------------------------------------------------------------------------
// Responses

/**
 * Length in bytes of the normal (non-exception) response PDU to `request`, computed from the request
 * alone (RTU needs it: the frame has no length field). An exception response PDU is always 2 bytes.
 */
export function expectedResponseLength(request: Uint8Array): number {
  if (request.length < 5) throw new RangeError(`request PDU of ${request.length} bytes is too short`);
  const fc = request[0]!;
  const quantity = (request[3]! << 8) | request[4]!;
  switch (fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS:
      return 2 + ((quantity + 7) >> 3);
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS:
      return 2 + quantity * 2;
    case FC.WRITE_SINGLE_COIL:
    case FC.WRITE_SINGLE_REGISTER:
    case FC.WRITE_MULTIPLE_COILS:
    case FC.WRITE_MULTIPLE_REGISTERS:
      return 5;
    default:
      throw new RangeError(`function ${hex2(fc)} is not supported`);
  }
}

export const EXCEPTION_RESPONSE_LENGTH = 2;

/**
 * Checks the function code of a response: throws {@link ModbusExceptionError} for an exception
 * response to `fc`, EDGE_MODBUS_FRAME for anything else that is not `fc`.
 */
export function checkResponseFunction(response: Uint8Array, fc: number): void {
  if (response.length < 1) throw frameError('empty response');
  const got = response[0]!;
  if (got === fc) return;
  if (got === (fc | 0x80)) {
    if (response.length !== EXCEPTION_RESPONSE_LENGTH) {
      throw frameError(`exception response of ${response.length} bytes, expected ${EXCEPTION_RESPONSE_LENGTH}`);
    }
    throw new ModbusExceptionError(fc, response[1]!);
  }
  throw frameError(`response function ${hex2(got)}, expected ${hex2(fc)}`);
}

/**
 * Registers of an FC 3/4 response, written into `out` (reused by the driver, no allocation) or a new
 * array. Strict: the function, the byte count and the PDU length must all match `quantity`.
 */
export function parseReadRegisters<T extends { [i: number]: number; length: number } = number[]>(
  response: Uint8Array,
  fc: RegisterReadFunctionCode,
  quantity: number,
  out?: T,
): T {
  checkResponseFunction(response, fc);
  const byteCount = quantity * 2;
  if (response.length < 2) throw frameError('response has no byte count');
  if (response[1] !== byteCount) throw frameError(`byte count ${response[1]}, expected ${byteCount} for ${quantity} registers`);
  if (response.length !== 2 + byteCount) throw frameError(`response of ${response.length} bytes, expected ${2 + byteCount}`);
  const target = out ?? (new Array<number>(quantity) as unknown as T);
  if (target.length < quantity) throw new RangeError(`output holds ${target.length} registers, need ${quantity}`);
  for (let i = 0, o = 2; i < quantity; i++, o += 2) target[i] = (response[o]! << 8) | response[o + 1]!;
  return target;
}

/** Bits of an FC 1/2 response (LSB first), into `out` or a new array; padding bits are ignored. */
export function parseReadBits(response: Uint8Array, fc: BitReadFunctionCode, quantity: number, out?: boolean[]): boolean[] {
  checkResponseFunction(response, fc);
  const byteCount = (quantity + 7) >> 3;
  if (response.length < 2) throw frameError('response has no byte count');
  if (response[1] !== byteCount) throw frameError(`byte count ${response[1]}, expected ${byteCount} for ${quantity} bits`);
  if (response.length !== 2 + byteCount) throw frameError(`response of ${response.length} bytes, expected ${2 + byteCount}`);
  const target = out ?? new Array<boolean>(quantity);
  for (let i = 0; i < quantity; i++) target[i] = ((response[2 + (i >> 3)]! >> (i & 7)) & 1) === 1;
  return target;
}

/**
 * A write response (FC 5/6/15/16) is the first 5 bytes of the request echoed back: function, address
 * and value (5/6) or quantity (15/16). Anything else is EDGE_MODBUS_FRAME.
 */
export function parseWriteResponse(response: Uint8Array, request: Uint8Array): void {
  const fc = request[0]!;
  checkResponseFunction(response, fc);
  if (response.length !== 5) throw frameError(`write response of ${response.length} bytes, expected 5`);
  for (let i = 1; i < 5; i++) {
    if (response[i] !== request[i]) {
      const field = i < 3 ? 'address' : fc === FC.WRITE_SINGLE_COIL || fc === FC.WRITE_SINGLE_REGISTER ? 'value' : 'quantity';
      throw frameError(`write response echoes a different ${field}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Server side: how long is a request?

/**
 * Length of the request PDU that starts at `buf[offset]` (its function code), judged from the bytes
 * seen so far: a number when known, `-1` when more bytes are needed to tell, `undefined` when the
 * function code is not one we serve (the RTU server then looks for a CRC to find the frame's end).
 */
export function requestPduLength(buf: Uint8Array, offset: number, available: number): number | undefined {
  if (available < 1) return -1;
  switch (buf[offset]) {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
      return 5;
    case 0x0f: case 0x10:
      return available < 6 ? -1 : 6 + buf[offset + 5]!;
    default:
      return undefined;
  }
}
