/**
 * Modbus TCP transport: MBAP framing over one TCP connection, one request in flight at a time.
 *
 * - Requests queue in call order; each gets the next transaction id.
 * - Responses are reassembled across TCP chunks; a frame whose protocol id or length field cannot be
 *   right means the stream lost its framing, so the connection is dropped (EDGE_MODBUS_FRAME) and
 *   reopened by the next request.
 * - A response with another transaction id or unit id fails the request (EDGE_MODBUS_FRAME); a late
 *   answer to a request that already timed out is recognised by its transaction id and dropped.
 * - The connection opens lazily on the first request. After a connection that was up drops, the next
 *   request reconnects at once; failed connects back off exponentially, and while backing off requests
 *   fail fast with EDGE_MODBUS_DISCONNECTED (a dead device must not hold up the poll loop).
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { QuaysideError } from '../../../shared/errors.js';
import { frameError } from './pdu.js';
import type { ModbusTransport, TransportStats } from './transport.js';

export interface ModbusTcpTransportOptions {
  host: string;
  port: number;
  /** Limit for opening the connection (default 2000 ms). */
  connectTimeoutMs?: number;
  /** First wait after a failed connect (default 200 ms); doubles up to `reconnectMaxMs` (default 10 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  logger?: Logger;
}

const MBAP = 7;
/** Unit id + largest PDU. */
const MAX_MBAP_LENGTH = 254;
const STALE_TIDS = 8;

interface Job {
  unitId: number;
  pdu: Buffer;
  timeoutMs: number;
  resolve(pdu: Buffer): void;
  reject(err: Error): void;
  tid: number;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

export class ModbusTcpTransport implements ModbusTransport {
  readonly stats: TransportStats = { requests: 0, timeouts: 0, crcErrors: 0, frameErrors: 0, reconnects: 0 };
  readonly host: string;
  readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly log: Logger | undefined;

  private socket: net.Socket | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private queue: Job[] = [];
  private active: Job | undefined;
  private nextTid = 0;
  private rx: Buffer | undefined;
  private readonly staleTids: number[] = [];
  private backoffMs: number;
  private nextConnectAt = 0;
  private lastConnectError = '';
  private everConnected = false;

  constructor(opts: ModbusTcpTransportOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 2000;
    this.reconnectMinMs = opts.reconnectMinMs ?? 200;
    this.reconnectMaxMs = opts.reconnectMaxMs ?? 10_000;
    this.backoffMs = this.reconnectMinMs;
    this.log = opts.logger;
  }

  /** True while a TCP connection is open. */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  request(unitId: number, pdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) return Promise.reject(new RangeError(`unit id ${unitId} is not 0..255`));
    if (pdu.length < 1 || pdu.length > MAX_MBAP_LENGTH - 1) return Promise.reject(new RangeError(`PDU of ${pdu.length} bytes`));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ unitId, pdu, timeoutMs, resolve, reject, tid: -1, timer: undefined, done: false });
      if (!this.active) this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.queue;
    this.queue = [];
    if (this.active) this.fail(this.active, disconnected('transport closed'), false);
    for (const job of pending) job.reject(disconnected('transport closed'));
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.destroy();
      });
    }
  }

  // -------------------------------------------------------------------------------------------

  private pump(): void {
    while (!this.active) {
      const job = this.queue.shift();
      if (!job) return;
      this.active = job;
      if (this.socket) this.send(job);
      else void this.connectThenSend(job);
    }
  }

  private async connectThenSend(job: Job): Promise<void> {
    if (this.closed) return this.fail(job, disconnected('transport closed'), false);
    const wait = this.nextConnectAt - Date.now();
    if (wait > 0) {
      return this.fail(job, disconnected(`${this.host}:${this.port} unreachable (${this.lastConnectError}); next attempt in ${wait} ms`), false);
    }
    try {
      this.connecting ??= this.connect();
      await this.connecting;
    } catch (err) {
      return this.fail(job, err as Error, false);
    } finally {
      this.connecting = undefined;
    }
    if (job.done) return;
    if (this.socket) this.send(job);
    else this.fail(job, disconnected('connection closed right after it opened'), false);
  }

  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port });
      s.setNoDelay(true);
      s.setKeepAlive(false);
      let settled = false;
      const timer = setTimeout(() => onError(new Error(`connect timed out after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      const onError = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.destroy();
        this.lastConnectError = err.message;
        this.nextConnectAt = Date.now() + this.backoffMs;
        const level = this.backoffMs === this.reconnectMinMs ? 'warn' : 'debug';
        this.log?.[level]({ err: err.message, retryInMs: this.backoffMs }, 'modbus tcp connect failed');
        this.backoffMs = Math.min(this.backoffMs * 2, this.reconnectMaxMs);
        reject(disconnected(`cannot connect to ${this.host}:${this.port}: ${err.message}`, err));
      };
      s.once('error', onError);
      s.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.off('error', onError);
        if (this.closed) {
          s.destroy();
          reject(disconnected('transport closed'));
          return;
        }
        if (this.everConnected) this.stats.reconnects++;
        this.everConnected = true;
        this.backoffMs = this.reconnectMinMs;
        this.nextConnectAt = 0;
        this.rx = undefined;
        this.socket = s;
        s.on('data', (chunk: Buffer) => this.onData(s, chunk));
        s.on('error', (err) => this.log?.debug({ err: err.message }, 'modbus tcp socket error'));
        s.on('close', () => this.onClose(s));
        this.log?.info({ host: this.host, port: this.port }, 'modbus tcp connected');
        resolve();
      });
    });
  }

  private send(job: Job): void {
    const s = this.socket!;
    const tid = this.nextTid;
    this.nextTid = (tid + 1) & 0xffff;
    job.tid = tid;
    const frame = Buffer.allocUnsafe(MBAP + job.pdu.length);
    frame.writeUInt16BE(tid, 0);
    frame.writeUInt16BE(0, 2);
    frame.writeUInt16BE(job.pdu.length + 1, 4);
    frame[6] = job.unitId;
    job.pdu.copy(frame, MBAP);
    this.stats.requests++;
    job.timer = setTimeout(() => {
      this.stats.timeouts++;
      this.fail(job, new QuaysideError('EDGE_MODBUS_TIMEOUT', `no response from unit ${job.unitId} at ${this.host}:${this.port} within ${job.timeoutMs} ms`), true);
    }, job.timeoutMs);
    s.write(frame);
  }

  private onData(s: net.Socket, chunk: Buffer): void {
    if (s !== this.socket) return;
    let buf = this.rx ? Buffer.concat([this.rx, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= MBAP) {
      const protocol = buf.readUInt16BE(off + 2);
      const length = buf.readUInt16BE(off + 4);
      if (protocol !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
        this.stats.frameErrors++;
        const detail = protocol !== 0 ? `protocol id ${protocol}, expected 0` : `MBAP length ${length} is not 2..${MAX_MBAP_LENGTH}`;
        this.desync(`${detail}; connection reset to resynchronise`);
        return;
      }
      if (buf.length - off < 6 + length) break;
      const tid = buf.readUInt16BE(off);
      const unit = buf[off + 6]!;
      const pdu = buf.subarray(off + MBAP, off + 6 + length);
      off += 6 + length;
      this.onFrame(tid, unit, pdu);
      if (s !== this.socket) return;
    }
    this.rx = off < buf.length ? buf.subarray(off) : undefined;
    // subarray keeps `buf` alive; copy when the partial rest is all we keep of a large buffer.
    if (this.rx && buf.length > 512) this.rx = Buffer.from(this.rx);
  }

  private onFrame(tid: number, unit: number, pdu: Buffer): void {
    const job = this.active;
    if (!job || job.tid < 0 || tid !== job.tid) {
      if (this.staleTids.includes(tid)) {
        this.log?.debug({ tid }, 'modbus tcp dropped a late response');
        return;
      }
      this.stats.frameErrors++;
      if (job && job.tid >= 0) this.fail(job, frameError(`transaction id ${tid}, expected ${job.tid}`), true);
      else this.log?.debug({ tid }, 'modbus tcp dropped an unsolicited frame');
      return;
    }
    if (unit !== job.unitId) {
      this.stats.frameErrors++;
      return this.fail(job, frameError(`response from unit ${unit}, expected ${job.unitId}`), true);
    }
    if ((pdu[0]! & 0x7f) !== job.pdu[0]) {
      this.stats.frameErrors++;
      return this.fail(job, frameError(`response function 0x${pdu[0]!.toString(16)}, expected 0x${job.pdu[0]!.toString(16)}`), true);
    }
    this.finish(job);
    job.resolve(pdu);
  }

  private onClose(s: net.Socket): void {
    if (s !== this.socket) return;
    this.socket = undefined;
    this.rx = undefined;
    this.nextConnectAt = 0; // it was up: the next request tries again at once
    this.log?.warn({ host: this.host, port: this.port }, 'modbus tcp connection closed');
    const job = this.active;
    if (job && job.tid >= 0 && !job.done) this.fail(job, disconnected(`connection to ${this.host}:${this.port} closed by peer`), false);
  }

  /** The byte stream lost its framing: fail the request and drop the connection. */
  private desync(detail: string): void {
    const s = this.socket;
    this.socket = undefined;
    this.rx = undefined;
    this.nextConnectAt = 0;
    s?.destroy();
    const job = this.active;
    if (job && !job.done) this.fail(job, frameError(detail), false);
  }

  private finish(job: Job): void {
    job.done = true;
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    if (this.active === job) {
      this.active = undefined;
      if (this.queue.length) queueMicrotask(() => this.pump());
    }
  }

  private fail(job: Job, err: Error, rememberTid: boolean): void {
    if (job.done) return;
    if (rememberTid && job.tid >= 0) {
      this.staleTids.push(job.tid);
      if (this.staleTids.length > STALE_TIDS) this.staleTids.shift();
    }
    this.finish(job);
    job.reject(err);
  }
}

function disconnected(detail: string, cause?: unknown): QuaysideError {
  return new QuaysideError('EDGE_MODBUS_DISCONNECTED', detail, { cause });
}

export function createModbusTcpTransport(opts: ModbusTcpTransportOptions): ModbusTcpTransport {
  return new ModbusTcpTransport(opts);
}
