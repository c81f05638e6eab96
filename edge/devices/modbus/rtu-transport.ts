/**
 * Modbus RTU transport over a serial port. This object IS the bus: every device on the port shares one
 * instance, and it runs one transaction at a time (RS-485 is half duplex).
 *
 * Per request:
 * 1. wait for the line to be quiet for the inter-frame silence (3.5 characters; 1.75 ms above 19200 baud),
 *    and, after an error, for a longer settle time plus an OS buffer flush;
 * 2. drop any stray bytes received while idle;
 * 3. send unit id + PDU + CRC, then collect the answer, whose length is known from the request
 *    (5 bytes for an exception); leading 0x00/0xF8..0xFF bytes (line-turnaround glitches) are skipped;
 * 4. a first byte that is not the unit id, or a function that is neither the request's nor its exception,
 *    is EDGE_MODBUS_FRAME; a full frame with a bad CRC is EDGE_MODBUS_CRC; bytes that stop arriving
 *    before the frame is complete (a gap of `interByteTimeoutMs`) are EDGE_MODBUS_FRAME (short frame);
 *    nothing in time is EDGE_MODBUS_TIMEOUT.
 * The port opens lazily; if it cannot be opened or closes, requests fail with EDGE_MODBUS_DISCONNECTED
 * and it is reopened with back-off.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { QuaysideError } from '../../../shared/errors.js';
import type { SerialSettings } from '../../../shared/profile/schema.js';
import { checkCrc, writeCrc } from './crc16.js';
import { expectedResponseLength, frameError } from './pdu.js';
import type { ModbusTransport, TransportStats } from './transport.js';

export interface ModbusRtuTransportOptions {
  path: string;
  serial: SerialSettings;
  /**
   * A frame whose bytes stop arriving for this long is declared short (EDGE_MODBUS_FRAME). Default
   * 50 ms: well above the 16 ms latency timer of USB-serial adapters, which deliver frames in bursts.
   */
  interByteTimeoutMs?: number;
  /** Quiet time after an error before the next request, so the rest of a bad answer is drained (default 20 ms). */
  settleAfterErrorMs?: number;
  /** First wait after a failed open (default 500 ms), doubling up to `reopenMaxMs` (default 10 s). */
  reopenMinMs?: number;
  reopenMaxMs?: number;
  logger?: Logger;
}

export interface RtuTransportStats extends TransportStats {
  /** Bytes received while no request was waiting for them (noise, late answers) and dropped. */
  strayBytes: number;
}

/** Inter-frame silence t3.5 in ms for the settings (Modbus over serial line v1.02 §2.5.1.1). */
export function interFrameSilenceMs(serial: SerialSettings): number {
  if (serial.baudRate > 19200) return 1.75;
  return 3.5 * charTimeMs(serial);
}

/** Time on the wire of one character: start + data + parity + stop bits. */
export function charTimeMs(serial: SerialSettings): number {
  const bits = 1 + serial.dataBits + (serial.parity === 'none' ? 0 : 1) + serial.stopBits;
  return (bits * 1000) / serial.baudRate;
}

const MAX_ADU = 256;

interface Job {
  unitId: number;
  pdu: Buffer;
  timeoutMs: number;
  resolve(pdu: Buffer): void;
  reject(err: Error): void;
  /** Expected length of the normal answer's ADU (unit + PDU + CRC). */
  expect: number;
  sent: boolean;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ModbusRtuTransport implements ModbusTransport {
  readonly stats: RtuTransportStats = { requests: 0, timeouts: 0, crcErrors: 0, frameErrors: 0, reconnects: 0, strayBytes: 0 };
  readonly path: string;
  readonly serial: SerialSettings;
  private readonly silenceMs: number;
  private readonly charMs: number;
  private readonly interByteTimeoutMs: number;
  private readonly settleAfterErrorMs: number;
  private readonly reopenMinMs: number;
  private readonly reopenMaxMs: number;
  private readonly log: Logger | undefined;

  private port: SerialPort | undefined;
  private closed = false;
  private everOpened = false;
  private queue: Job[] = [];
  private active: Job | undefined;
  private readonly rx = Buffer.alloc(MAX_ADU);
  private rxLen = 0;
  /** performance.now() of the last byte seen or sent on the line. */
  private lastActivity = 0;
  private needResync = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private nextOpenAt = 0;
  private lastOpenError = '';

  constructor(opts: ModbusRtuTransportOptions) {
    this.path = opts.path;
    this.serial = opts.serial;
    this.silenceMs = interFrameSilenceMs(opts.serial);
    this.charMs = charTimeMs(opts.serial);
    this.interByteTimeoutMs = opts.interByteTimeoutMs ?? 50;
    this.settleAfterErrorMs = Math.max(opts.settleAfterErrorMs ?? 20, this.silenceMs);
    this.reopenMinMs = opts.reopenMinMs ?? 500;
    this.reopenMaxMs = opts.reopenMaxMs ?? 10_000;
    this.backoffMs = this.reopenMinMs;
    this.log = opts.logger;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  request(unitId: number, pdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (!Number.isInteger(unitId) || unitId < 0 || unitId > 247) return Promise.reject(new RangeError(`unit id ${unitId} is not 0..247`));
    let expectPdu: number;
    try {
      expectPdu = expectedResponseLength(pdu);
    } catch (err) {
      return Promise.reject(err);
    }
    if (pdu.length > MAX_ADU - 3) return Promise.reject(new RangeError(`PDU of ${pdu.length} bytes`));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ unitId, pdu, timeoutMs, resolve, reject, expect: 1 + expectPdu + 2, sent: false, done: false, timer: undefined });
      if (!this.active) this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.queue;
    this.queue = [];
    if (this.active) this.fail(this.active, disconnected('transport closed'));
    for (const job of pending) job.reject(disconnected('transport closed'));
    if (this.gapTimer) clearTimeout(this.gapTimer);
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------

  private pump(): void {
    if (this.active) return;
    const job = this.queue.shift();
    if (!job) return;
    this.active = job;
    void this.run(job);
  }

  private async run(job: Job): Promise<void> {
    try {
      if (this.closed) throw disconnected('transport closed');
      if (!this.port) await this.open();
      const port = this.port!;
      // Let the line go quiet: the inter-frame silence, or longer after an error (rest of a bad answer).
      const quiet = this.needResync ? this.settleAfterErrorMs : this.silenceMs;
      if (this.needResync) {
        await new Promise<void>((resolve) => port.flush(() => resolve()));
      }
      for (;;) {
        const idle = performance.now() - this.lastActivity;
        if (idle >= quiet) break;
        await sleep(Math.max(1, Math.ceil(quiet - idle)));
      }
      if (job.done) return;
      if (this.port !== port || !port.isOpen) throw disconnected(`${this.path} closed`);
      this.needResync = false;
      this.rxLen = 0; // whatever came in while idle is stray
      const frame = Buffer.allocUnsafe(job.pdu.length + 3);
      frame[0] = job.unitId;
      job.pdu.copy(frame, 1);
      writeCrc(frame, job.pdu.length + 1);
      const txMs = frame.length * this.charMs;
      this.stats.requests++;
      job.sent = true;
      this.lastActivity = performance.now() + txMs;
      if (job.unitId === 0) {
        // Broadcast: no unit answers. Give the slaves the frame time plus a turnaround delay.
        port.write(frame);
        job.timer = setTimeout(() => this.succeed(job, Buffer.alloc(0)), Math.ceil(txMs + Math.min(job.timeoutMs, 100)));
        return;
      }
      job.timer = setTimeout(() => {
        this.stats.timeouts++;
        const detail = this.rxLen > 0 ? ` (${this.rxLen} of ${job.expect} bytes arrived)` : '';
        this.fail(job, new QuaysideError('EDGE_MODBUS_TIMEOUT', `no response from unit ${job.unitId} on ${this.path} within ${job.timeoutMs} ms${detail}`));
      }, Math.ceil(job.timeoutMs + txMs));
      port.write(frame);
    } catch (err) {
      this.fail(job, err as Error);
    }
  }

  private open(): Promise<void> {
    const wait = this.nextOpenAt - Date.now();
    if (wait > 0) return Promise.reject(disconnected(`${this.path} cannot be opened (${this.lastOpenError}); next attempt in ${wait} ms`));
    return new Promise<void>((resolve, reject) => {
      const port = new SerialPort({
        path: this.path,
        baudRate: this.serial.baudRate,
        dataBits: this.serial.dataBits,
        parity: this.serial.parity,
        stopBits: this.serial.stopBits,
        autoOpen: false,
      });
      port.open((err) => {
        if (err) {
          this.lastOpenError = err.message;
          this.nextOpenAt = Date.now() + this.backoffMs;
          const level = this.backoffMs === this.reopenMinMs ? 'warn' : 'debug';
          this.log?.[level]({ path: this.path, err: err.message, retryInMs: this.backoffMs }, 'modbus rtu port open failed');
          this.backoffMs = Math.min(this.backoffMs * 2, this.reopenMaxMs);
          reject(disconnected(`cannot open ${this.path}: ${err.message}`, err));
          return;
        }
        if (this.closed) {
          port.close();
          reject(disconnected('transport closed'));
          return;
        }
        if (this.everOpened) this.stats.reconnects++;
        this.everOpened = true;
        this.backoffMs = this.reopenMinMs;
        this.nextOpenAt = 0;
        this.port = port;
        this.rxLen = 0;
        this.needResync = true; // drop whatever the OS buffered before we opened
        port.on('data', (chunk: Buffer) => this.onData(port, chunk));
        port.on('error', (e: Error) => this.log?.warn({ path: this.path, err: e.message }, 'modbus rtu port error'));
        port.on('close', () => this.onClose(port));
        this.log?.info({ path: this.path, baudRate: this.serial.baudRate }, 'modbus rtu port open');
        resolve();
      });
    });
  }

  private onClose(port: SerialPort): void {
    if (port !== this.port) return;
    this.port = undefined;
    this.log?.warn({ path: this.path }, 'modbus rtu port closed');
    const job = this.active;
    if (job && !job.done) this.fail(job, disconnected(`${this.path} closed`));
  }

  private onData(port: SerialPort, data: Buffer): void {
    let chunk = data;
    if (port !== this.port) return;
    this.lastActivity = performance.now();
    const job = this.active;
    if (!job || !job.sent || job.done || job.unitId === 0) {
      // Noise or a late answer: drop it, and let the line settle before the next request.
      this.stats.strayBytes += chunk.length;
      this.needResync = true;
      return;
    }
    if (this.rxLen === 0) {
      // A byte that can never start an answer (0x00, or 0xF8..0xFF: not a unit id) is the glitch many
      // RS-485 transceivers emit when the line turns around: skip it instead of failing the frame.
      let skip = 0;
      while (skip < chunk.length && (chunk[skip] === 0 || chunk[skip]! > 247)) skip++;
      if (skip) {
        this.stats.strayBytes += skip;
        chunk = chunk.subarray(skip);
        if (!chunk.length) return;
      }
    }
    const room = MAX_ADU - this.rxLen;
    if (chunk.length > room) {
      this.stats.frameErrors++;
      return this.fail(job, frameError(`answer longer than ${MAX_ADU} bytes`));
    }
    chunk.copy(this.rx, this.rxLen);
    this.rxLen += chunk.length;
    const rx = this.rx;
    if (rx[0] !== job.unitId) {
      this.stats.frameErrors++;
      return this.fail(job, frameError(`response from unit ${rx[0]}, expected ${job.unitId}`));
    }
    if (this.rxLen < 2) return this.armGap(job);
    const fc = job.pdu[0]!;
    let expect: number;
    if (rx[1] === fc) expect = job.expect;
    else if (rx[1] === (fc | 0x80)) expect = 5;
    else {
      this.stats.frameErrors++;
      return this.fail(job, frameError(`response function 0x${rx[1]!.toString(16)}, expected 0x${fc.toString(16)}`));
    }
    if (this.rxLen < expect) return this.armGap(job);
    if (!checkCrc(rx, expect)) {
      this.stats.crcErrors++;
      return this.fail(job, new QuaysideError('EDGE_MODBUS_CRC', `bad CRC in ${expect}-byte answer from unit ${job.unitId}`));
    }
    if (this.rxLen > expect) {
      // Trailing bytes: stray; make the next request wait for the line to settle.
      this.stats.strayBytes += this.rxLen - expect;
      this.needResync = true;
    }
    this.succeed(job, Buffer.from(rx.subarray(1, expect - 2)));
  }

  /** (Re)starts the inter-byte gap timer while a frame is incomplete. */
  private armGap(job: Job): void {
    if (this.gapTimer) {
      this.gapTimer.refresh();
      return;
    }
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.active !== job || job.done) return;
      this.stats.frameErrors++;
      this.fail(job, frameError(`short frame from unit ${job.unitId}: ${this.rxLen} bytes, then ${this.interByteTimeoutMs} ms of silence`));
    }, this.interByteTimeoutMs);
  }

  private finish(job: Job): void {
    job.done = true;
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    if (this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
    this.rxLen = 0;
    if (this.active === job) {
      this.active = undefined;
      if (this.queue.length) queueMicrotask(() => this.pump());
    }
  }

  private succeed(job: Job, pdu: Buffer): void {
    if (job.done) return;
    this.finish(job);
    job.resolve(pdu);
  }

  private fail(job: Job, err: Error): void {
    if (job.done) return;
    if (job.sent) this.needResync = true;
    this.finish(job);
    job.reject(err);
  }
}

function disconnected(detail: string, cause?: unknown): QuaysideError {
  return new QuaysideError('EDGE_MODBUS_DISCONNECTED', detail, { cause });
}

export function createModbusRtuTransport(opts: ModbusRtuTransportOptions): ModbusRtuTransport {
  return new ModbusRtuTransport(opts);
}
