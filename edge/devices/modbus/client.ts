/**
 * A Modbus client for one unit id over a transport: typed reads and writes, strict response parsing,
 * and retries for the errors the catalogue marks retryable (timeout, CRC, frame, disconnected).
 * A Modbus exception is the device's considered answer and is never retried.
 */
import { isQuaysideError } from '../../../shared/errors.js';
import {
  FC,
  buildReadRequest,
  buildWriteMultipleCoils,
  buildWriteMultipleRegisters,
  buildWriteSingleCoil,
  buildWriteSingleRegister,
  checkResponseFunction,
  parseReadBits,
  parseReadRegisters,
  parseWriteResponse,
} from './pdu.js';
import type { ModbusTransport } from './transport.js';

export interface ModbusClientOptions {
  unitId: number;
  /** Response timeout per attempt. */
  timeoutMs: number;
  /** Extra attempts after a retryable failure (profile `transport.retries`). */
  retries: number;
}

/** Counters a client keeps beside its transport's. */
export interface ClientStats {
  transactions: number;
  retries: number;
  failures: number;
}

export class ModbusClient {
  readonly transport: ModbusTransport;
  readonly unitId: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly stats: ClientStats = { transactions: 0, retries: 0, failures: 0 };

  constructor(transport: ModbusTransport, opts: ModbusClientOptions) {
    this.transport = transport;
    this.unitId = opts.unitId;
    this.timeoutMs = opts.timeoutMs;
    this.retries = opts.retries;
  }

  /**
   * Sends `request` and parses the answer with `parse`; a retryable failure of either the exchange or
   * the parse (a malformed answer) is retried up to `retries` times. Rejects with the last error.
   */
  async exchange<T>(request: Buffer, parse: (response: Buffer) => T): Promise<T> {
    this.stats.transactions++;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.transport.request(this.unitId, request, this.timeoutMs);
        return parse(response);
      } catch (err) {
        if (attempt >= this.retries || !isQuaysideError(err) || !err.retryable) {
          this.stats.failures++;
          throw err;
        }
        this.stats.retries++;
      }
    }
  }

  readHolding(address: number, count: number): Promise<number[]> {
    return this.exchange(buildReadRequest(FC.READ_HOLDING_REGISTERS, address, count), (r) => parseReadRegisters(r, FC.READ_HOLDING_REGISTERS, count));
  }

  readInput(address: number, count: number): Promise<number[]> {
    return this.exchange(buildReadRequest(FC.READ_INPUT_REGISTERS, address, count), (r) => parseReadRegisters(r, FC.READ_INPUT_REGISTERS, count));
  }

  readCoils(address: number, count: number): Promise<boolean[]> {
    return this.exchange(buildReadRequest(FC.READ_COILS, address, count), (r) => parseReadBits(r, FC.READ_COILS, count));
  }

  readDiscrete(address: number, count: number): Promise<boolean[]> {
    return this.exchange(buildReadRequest(FC.READ_DISCRETE_INPUTS, address, count), (r) => parseReadBits(r, FC.READ_DISCRETE_INPUTS, count));
  }

  writeSingleRegister(address: number, value: number): Promise<void> {
    const req = buildWriteSingleRegister(address, value);
    return this.exchange(req, (r) => parseWriteResponse(r, req));
  }

  writeMultipleRegisters(address: number, values: ArrayLike<number>): Promise<void> {
    const req = buildWriteMultipleRegisters(address, values);
    return this.exchange(req, (r) => parseWriteResponse(r, req));
  }

  writeSingleCoil(address: number, on: boolean): Promise<void> {
    const req = buildWriteSingleCoil(address, on);
    return this.exchange(req, (r) => parseWriteResponse(r, req));
  }

  writeMultipleCoils(address: number, values: ArrayLike<boolean>): Promise<void> {
    const req = buildWriteMultipleCoils(address, values);
    return this.exchange(req, (r) => parseWriteResponse(r, req));
  }

  /** Any other function: the raw response PDU after the exception check (diagnostics, vendor functions). */
  raw(request: Buffer): Promise<Buffer> {
    return this.exchange(request, (r) => {
      checkResponseFunction(r, request[0]!);
      return r;
    });
  }
}
