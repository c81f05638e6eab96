/**
 * The protocol-independent heart of a simulated Modbus server: executes one request PDU against a
 * unit's RegisterBank (FC 1, 2, 3, 4, 5, 6, 15, 16) and decides, from the unit's FaultState, what the
 * framing layer (TCP or RTU) should do with the answer.
 */
import { EXCEPTION_RESPONSE_LENGTH, FC, LIMITS } from '../../devices/modbus/pdu.js';
import { MODBUS_EXCEPTIONS, ModbusExceptionResponse, type RegisterBank, type UnitResolver } from './types.js';

/** What the framing layer does with a request. */
export type ServeResult =
  /** No answer: unknown unit (as on RS-485) or the `timeout` fault. */
  | { kind: 'silent'; why: 'unknown-unit' | 'timeout' }
  /** The `disconnect` fault: TCP closes the connection; RTU stays silent. */
  | { kind: 'disconnect' }
  | {
      kind: 'answer';
      /** Unit id to answer with (another one under the `wrongUnit` fault). */
      unitId: number;
      pdu: Buffer;
      delayMs: number;
      /** Framing-level corruption to apply (faults `crc`, `garbage`, `shortFrame`). */
      corrupt: 'crc' | 'garbage' | 'short' | undefined;
    };

export interface ServerStats {
  requests: number;
  faultsInjected: number;
}

function exception(fc: number, code: number): Buffer {
  const b = Buffer.allocUnsafe(EXCEPTION_RESPONSE_LENGTH);
  b[0] = (fc | 0x80) & 0xff;
  b[1] = code;
  return b;
}

/** Executes a request PDU against a bank; returns the response PDU (normal or exception). */
export function handlePdu(bank: RegisterBank, req: Uint8Array): Buffer {
  const fc = req[0];
  if (fc === undefined) return exception(0, MODBUS_EXCEPTIONS.ILLEGAL_FUNCTION);
  try {
    switch (fc) {
      case FC.READ_COILS:
      case FC.READ_DISCRETE_INPUTS: {
        const { address, quantity } = header(req, 5, LIMITS.readBits);
        const bits = bank.readBits(fc === FC.READ_COILS ? 'coil' : 'discrete', address, quantity);
        if (bits.length < quantity) return exception(fc, MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
        const byteCount = (quantity + 7) >> 3;
        const out = Buffer.alloc(2 + byteCount);
        out[0] = fc;
        out[1] = byteCount;
        for (let i = 0; i < quantity; i++) if (bits[i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
        return out;
      }
      case FC.READ_HOLDING_REGISTERS:
      case FC.READ_INPUT_REGISTERS: {
        const { address, quantity } = header(req, 5, LIMITS.readRegisters);
        const regs = bank.readRegisters(fc === FC.READ_HOLDING_REGISTERS ? 'holding' : 'input', address, quantity);
        if (regs.length < quantity) return exception(fc, MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
        const out = Buffer.allocUnsafe(2 + quantity * 2);
        out[0] = fc;
        out[1] = quantity * 2;
        for (let i = 0; i < quantity; i++) out.writeUInt16BE(regs[i]! & 0xffff, 2 + i * 2);
        return out;
      }
      case FC.WRITE_SINGLE_COIL: {
        if (req.length !== 5) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
        const address = u16(req, 1);
        const value = u16(req, 3);
        if (value !== 0xff00 && value !== 0x0000) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
        bank.writeBits(address, [value === 0xff00]);
        return Buffer.from(req.subarray(0, 5));
      }
      case FC.WRITE_SINGLE_REGISTER: {
        if (req.length !== 5) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
        bank.writeRegisters(u16(req, 1), [u16(req, 3)]);
        return Buffer.from(req.subarray(0, 5));
      }
      case FC.WRITE_MULTIPLE_COILS: {
        const { address, quantity } = header(req, -1, LIMITS.writeBits);
        const byteCount = (quantity + 7) >> 3;
        if (req[5] !== byteCount || req.length !== 6 + byteCount) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
        const values = new Array<boolean>(quantity);
        for (let i = 0; i < quantity; i++) values[i] = ((req[6 + (i >> 3)]! >> (i & 7)) & 1) === 1;
        bank.writeBits(address, values);
        return Buffer.from(req.subarray(0, 5));
      }
      case FC.WRITE_MULTIPLE_REGISTERS: {
        const { address, quantity } = header(req, -1, LIMITS.writeRegisters);
        if (req[5] !== quantity * 2 || req.length !== 6 + quantity * 2) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
        const values = new Array<number>(quantity);
        for (let i = 0; i < quantity; i++) values[i] = u16(req, 6 + i * 2);
        bank.writeRegisters(address, values);
        return Buffer.from(req.subarray(0, 5));
      }
      default:
        return exception(fc, MODBUS_EXCEPTIONS.ILLEGAL_FUNCTION);
    }
  } catch (err) {
    if (err instanceof ModbusExceptionResponse) return exception(fc, err.exceptionCode);
    return exception(fc, MODBUS_EXCEPTIONS.SERVER_DEVICE_FAILURE);
  }
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Address + quantity of a request; `exactLength` −1 = variable (checked by the caller). */
function header(req: Uint8Array, exactLength: number, maxQuantity: number): { address: number; quantity: number } {
  if (req.length < 5 || (exactLength >= 0 && req.length !== exactLength)) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
  const address = u16(req, 1);
  const quantity = u16(req, 3);
  if (quantity < 1 || quantity > maxQuantity) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
  if (address + quantity > 0x10000) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
  return { address, quantity };
}

/** Another valid unit id than `unitId` (for the `wrongUnit` fault). */
export function otherUnit(unitId: number): number {
  return unitId >= 247 ? 1 : unitId + 1;
}

/**
 * Random bytes that start with a plausible unit id (1..247) other than `avoid`, so a master sees a
 * wrong frame at once rather than a line glitch it may skip.
 */
export function garbageBytes(length: number, avoid: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(Math.random() * 256);
  b[0] = 1 + Math.floor(Math.random() * 247);
  if (b[0] === avoid) b[0] = otherUnit(avoid);
  return b;
}

/** Executes requests for the units a resolver knows, applying each unit's faults. */
export class ModbusServerCore {
  readonly stats: ServerStats = { requests: 0, faultsInjected: 0 };
  constructor(private readonly units: UnitResolver) {}

  serve(unitId: number, pdu: Uint8Array): ServeResult {
    const bank = this.units.bank(unitId);
    if (!bank) return { kind: 'silent', why: 'unknown-unit' };
    this.stats.requests++;
    const f = this.units.faults(unitId);
    if (f.disconnect) {
      this.stats.faultsInjected++;
      return { kind: 'disconnect' };
    }
    if (f.timeout) {
      this.stats.faultsInjected++;
      return { kind: 'silent', why: 'timeout' };
    }
    let answer: Buffer;
    if (f.exception !== undefined && f.exception > 0) {
      this.stats.faultsInjected++;
      answer = exception(pdu[0] ?? 0, f.exception);
    } else {
      answer = handlePdu(bank, pdu);
    }
    const corrupt = f.crc ? 'crc' : f.garbage ? 'garbage' : f.shortFrame ? 'short' : undefined;
    const delayMs = f.delayMs ?? 0;
    if (corrupt || f.wrongUnit || delayMs > 0) this.stats.faultsInjected++;
    return { kind: 'answer', unitId: f.wrongUnit ? otherUnit(unitId) : unitId, pdu: answer, delayMs, corrupt };
  }
}
