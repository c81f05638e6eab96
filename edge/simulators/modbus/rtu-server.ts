/**
 * A Modbus RTU slave (one or many unit ids on one bus) over a serial port, usually one end of a socat
 * PTY pair. Like a real slave it finds frames by their function-specific length and CRC, and stays
 * silent for frames with a bad CRC and for unit ids it does not serve.
 *
 * RTU renderings of the faults: `crc` flips the CRC, `garbage` sends random bytes (never starting with
 * the unit id), `shortFrame` cuts the last 3 bytes, `wrongUnit` answers as another unit with a valid CRC;
 * `timeout` and `disconnect` (a unit dropping off the bus) stay silent.
 */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { SerialSettings } from '../../../shared/profile/schema.js';
import { checkCrc, writeCrc } from '../../devices/modbus/crc16.js';
import { requestPduLength } from '../../devices/modbus/pdu.js';
import { ModbusServerCore, garbageBytes } from './server-core.js';
import type { RunningServer, UnitResolver } from './types.js';

export interface ModbusRtuServerOptions {
  path: string;
  serial: SerialSettings;
  units: UnitResolver;
  /** Silence after which a partial frame is dropped (default 50 ms). */
  frameGapMs?: number;
  logger?: Logger;
}

export interface RunningRtuServer extends RunningServer {
  readonly path: string;
  /** Frames dropped for a bad CRC, and bytes discarded while looking for a frame. */
  readonly rejected: { badCrc: number; droppedBytes: number };
}

const MAX_ADU = 256;

export async function startModbusRtuServer(opts: ModbusRtuServerOptions): Promise<RunningRtuServer> {
  const log = opts.logger;
  const core = new ModbusServerCore(opts.units);
  const rejected = { badCrc: 0, droppedBytes: 0 };
  const frameGapMs = opts.frameGapMs ?? 50;
  const timers = new Set<NodeJS.Timeout>();
  const rx = Buffer.alloc(MAX_ADU * 2);
  let rxLen = 0;
  let gapTimer: NodeJS.Timeout | undefined;
  let closing = false;

  const port = new SerialPort({
    path: opts.path,
    baudRate: opts.serial.baudRate,
    dataBits: opts.serial.dataBits,
    parity: opts.serial.parity,
    stopBits: opts.serial.stopBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', (err: Error) => log?.warn({ err: err.message }, 'modbus rtu server: port error'));

  const drop = (n: number): void => {
    rx.copy(rx, 0, n, rxLen);
    rxLen -= n;
  };

  const respond = (frame: Buffer, delayMs: number): void => {
    const send = (): void => {
      if (!closing && port.isOpen) port.write(frame);
    };
    if (delayMs <= 0) return send();
    // Each unit is its own device: a late answer does not hold up the other units on the bus (and, as
    // on a real bus, may land in the middle of the master's next transaction).
    const t = setTimeout(() => {
      timers.delete(t);
      send();
    }, delayMs);
    timers.add(t);
  };

  const handle = (unit: number, pdu: Buffer): void => {
    const r = core.serve(unit, pdu);
    if (r.kind !== 'answer') return;
    let frame: Buffer;
    if (r.corrupt === 'garbage') {
      frame = garbageBytes(5 + Math.floor(Math.random() * 8), unit);
    } else {
      frame = Buffer.allocUnsafe(r.pdu.length + 3);
      frame[0] = r.unitId;
      r.pdu.copy(frame, 1);
      writeCrc(frame, r.pdu.length + 1);
      if (r.corrupt === 'crc') frame[frame.length - 1]! ^= 0xa5;
      if (r.corrupt === 'short') frame = frame.subarray(0, Math.max(2, frame.length - 3));
    }
    respond(frame, r.delayMs);
  };

  /** Takes every complete frame off the front of the buffer. */
  const parse = (): void => {
    while (rxLen >= 4) {
      let pduLen = requestPduLength(rx, 1, rxLen - 1);
      if (pduLen === -1) return;
      if (pduLen === undefined) {
        // A function we do not know: the frame ends where a CRC matches (answered with exception 1).
        let found = -1;
        for (let total = 4; total <= Math.min(rxLen, MAX_ADU); total++) {
          if (checkCrc(rx, total)) {
            found = total;
            break;
          }
        }
        if (found < 0) {
          if (rxLen >= MAX_ADU) {
            rejected.droppedBytes++;
            drop(1);
            continue;
          }
          return;
        }
        pduLen = found - 3;
      }
      const total = 1 + pduLen + 2;
      if (total > MAX_ADU) {
        rejected.droppedBytes++;
        drop(1);
        continue;
      }
      if (rxLen < total) return;
      if (!checkCrc(rx, total)) {
        // Not a frame here: slide one byte and look again (resynchronises after noise).
        rejected.badCrc++;
        rejected.droppedBytes++;
        drop(1);
        continue;
      }
      const unit = rx[0]!;
      const pdu = Buffer.from(rx.subarray(1, total - 2));
      drop(total);
      handle(unit, pdu);
    }
  };

  port.on('data', (chunk: Buffer) => {
    let data = chunk;
    while (data.length) {
      const n = Math.min(data.length, rx.length - rxLen);
      data.copy(rx, rxLen, 0, n);
      rxLen += n;
      data = data.subarray(n);
      parse();
      if (rxLen === rx.length) {
        rejected.droppedBytes += rxLen;
        rxLen = 0;
      }
    }
    if (rxLen > 0) {
      if (gapTimer) gapTimer.refresh();
      else {
        gapTimer = setTimeout(() => {
          gapTimer = undefined;
          if (rxLen > 0) {
            rejected.droppedBytes += rxLen;
            rxLen = 0;
          }
        }, frameGapMs);
      }
    } else if (gapTimer) {
      clearTimeout(gapTimer);
      gapTimer = undefined;
    }
  });

  log?.info({ path: opts.path, baudRate: opts.serial.baudRate }, 'modbus rtu server listening');

  return {
    path: opts.path,
    stats: core.stats,
    rejected,
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (gapTimer) clearTimeout(gapTimer);
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
