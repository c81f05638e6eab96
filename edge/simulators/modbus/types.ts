/**
 * What a simulated Modbus server serves: one register bank per unit id, plus the faults to inject.
 * The protocol servers (TCP, RTU over a PTY) live beside this file; the banks are filled from
 * firmware profiles and physics models by edge/simulators/device.ts.
 */

/** Modbus exception codes (Modbus Application Protocol v1.1b3 §7). */
export const MODBUS_EXCEPTIONS = {
  ILLEGAL_FUNCTION: 0x01,
  ILLEGAL_DATA_ADDRESS: 0x02,
  ILLEGAL_DATA_VALUE: 0x03,
  SERVER_DEVICE_FAILURE: 0x04,
  ACKNOWLEDGE: 0x05,
  SERVER_DEVICE_BUSY: 0x06,
  GATEWAY_PATH_UNAVAILABLE: 0x0a,
  GATEWAY_TARGET_FAILED: 0x0b,
} as const;

/** Thrown by a bank to make the server answer with a Modbus exception response. */
export class ModbusExceptionResponse extends Error {
  constructor(readonly exceptionCode: number) {
    super(`modbus exception 0x${exceptionCode.toString(16).padStart(2, '0')}`);
  }
}

/** The memory of one simulated unit. Addresses are 0-based protocol addresses. */
export interface RegisterBank {
  readRegisters(table: 'holding' | 'input', address: number, count: number): number[];
  readBits(table: 'coil' | 'discrete', address: number, count: number): boolean[];
  writeRegisters(address: number, values: number[]): void;
  writeBits(address: number, values: boolean[]): void;
}

/**
 * Faults a server injects, switchable at run time per unit id (tests and the demo's control API).
 * - timeout: swallow requests (no answer)
 * - crc: answer with a corrupted CRC (RTU) — for TCP, a corrupted length field
 * - exception: answer every request with this exception code
 * - garbage: answer with random bytes instead of a frame
 * - wrongUnit: answer with another unit id
 * - shortFrame: truncate the answer
 * - disconnect: TCP: close the connection on the next request
 * - stuck: the bank stops updating (values freeze) — applied by the device model, not the server
 * - delayMs: answer late by this many milliseconds
 */
export interface FaultState {
  timeout?: boolean;
  crc?: boolean;
  exception?: number;
  garbage?: boolean;
  wrongUnit?: boolean;
  shortFrame?: boolean;
  disconnect?: boolean;
  stuck?: boolean;
  delayMs?: number;
}
export type FaultKind = keyof FaultState;

/** Resolves a unit id to its bank and current faults; undefined = no such unit (the server stays silent, as on RS-485). */
export interface UnitResolver {
  bank(unitId: number): RegisterBank | undefined;
  faults(unitId: number): FaultState;
}

export interface RunningServer {
  close(): Promise<void>;
  /** Requests served, by outcome, for tests and the demo. */
  readonly stats: { requests: number; faultsInjected: number };
}
