/**
 * A Modbus TCP server for simulated devices: MBAP framing, any number of connections, answers in
 * request order per connection, faults from each unit's FaultState.
 *
 * TCP renderings of the faults: `crc` corrupts the MBAP length field (the stream loses its framing),
 * `garbage` sends random bytes with a non-zero protocol id, `shortFrame` drops the last PDU byte (with a
 * consistent length field), `disconnect` closes the connection, `timeout` and unknown units stay silent.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { ModbusServerCore, garbageBytes } from './server-core.js';
import type { RunningServer, UnitResolver } from './types.js';

export interface ModbusTcpServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port (see `port` on the result). */
  port: number;
  units: UnitResolver;
  logger?: Logger;
}

export interface RunningTcpServer extends RunningServer {
  readonly host: string;
  /** The port actually listened on. */
  readonly port: number;
}

interface Conn {
  socket: net.Socket;
  rx: Buffer | undefined;
}

export async function startModbusTcpServer(opts: ModbusTcpServerOptions): Promise<RunningTcpServer> {
  const host = opts.host ?? '127.0.0.1';
  const core = new ModbusServerCore(opts.units);
  const conns = new Set<Conn>();
  const timers = new Set<NodeJS.Timeout>();
  const log = opts.logger;

  const answer = (c: Conn, tid: number, unit: number, pdu: Uint8Array): void => {
    const r = core.serve(unit, pdu);
    if (r.kind === 'silent') return;
    if (r.kind === 'disconnect') {
      c.socket.destroy();
      return;
    }
    let frame: Buffer;
    if (r.corrupt === 'garbage') {
      frame = garbageBytes(8 + Math.floor(Math.random() * 8), tid >> 8);
      if (frame[2] === 0 && frame[3] === 0) frame[3] = 0x5a; // never a valid protocol id
    } else {
      const body = r.corrupt === 'short' && r.pdu.length > 1 ? r.pdu.subarray(0, r.pdu.length - 1) : r.pdu;
      frame = Buffer.allocUnsafe(7 + body.length);
      frame.writeUInt16BE(tid, 0);
      frame.writeUInt16BE(0, 2);
      frame.writeUInt16BE(r.corrupt === 'crc' ? (body.length + 1) | 0x8000 : body.length + 1, 4);
      frame[6] = r.unitId;
      body.copy(frame, 7);
    }
    const send = (): void => {
      if (!c.socket.destroyed) c.socket.write(frame);
    };
    if (r.delayMs <= 0) return send();
    // Each answer is late on its own (a slow unit does not hold up other units); MBAP transaction ids
    // let the client match answers that overtake each other.
    const t = setTimeout(() => {
      timers.delete(t);
      send();
    }, r.delayMs);
    timers.add(t);
  };

  const onData = (c: Conn, chunk: Buffer): void => {
    let buf = c.rx ? Buffer.concat([c.rx, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 7) {
      const protocol = buf.readUInt16BE(off + 2);
      const length = buf.readUInt16BE(off + 4);
      if (protocol !== 0 || length < 2 || length > 254) {
        log?.debug({ protocol, length }, 'modbus tcp server: bad MBAP header, closing connection');
        c.socket.destroy();
        return;
      }
      if (buf.length - off < 6 + length) break;
      const tid = buf.readUInt16BE(off);
      const unit = buf[off + 6]!;
      const pdu = buf.subarray(off + 7, off + 6 + length);
      off += 6 + length;
      answer(c, tid, unit, pdu);
      if (c.socket.destroyed) return;
    }
    c.rx = off < buf.length ? Buffer.from(buf.subarray(off)) : undefined;
  };

  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    const c: Conn = { socket, rx: undefined };
    conns.add(c);
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    socket.on('error', (err) => log?.debug({ err: err.message }, 'modbus tcp server: socket error'));
    socket.on('close', () => conns.delete(c));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log?.error({ err: err.message }, 'modbus tcp server error'));
  const address = server.address() as net.AddressInfo;
  log?.info({ host, port: address.port }, 'modbus tcp server listening');

  return {
    host,
    port: address.port,
    stats: core.stats,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of conns) c.socket.destroy();
      await closed;
    },
  };
}
