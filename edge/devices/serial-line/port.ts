/**
 * The byte pipe a line-protocol driver (or a simulated device) talks through: a small port so that
 * tests and other transports can stand in, with the `serialport` adapter as the default.
 */
import { SerialPort } from 'serialport';
import type { SerialSettings } from '../../../shared/profile/schema.js';
import { QuaysideError } from '../../../shared/errors.js';

export interface LinePort {
  readonly path: string;
  /** Resolves once the bytes are handed to the OS (drained). */
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  onData(fn: (chunk: Buffer) => void): void;
  /** Called once when the port closes by itself (device gone, PTY closed), never after `close()`. */
  onClose(fn: (err: Error | undefined) => void): void;
}

export type OpenLinePort = (path: string, serial: SerialSettings) => Promise<LinePort>;

/** Opens a serial device (or PTY) with `serialport`; rejects with EDGE_SERIAL_OPEN. */
export const openSerialLinePort: OpenLinePort = (path, serial) =>
  new Promise<LinePort>((resolve, reject) => {
    const sp = new SerialPort({
      path,
      baudRate: serial.baudRate,
      dataBits: serial.dataBits,
      parity: serial.parity,
      stopBits: serial.stopBits,
      autoOpen: false,
    });
    let closing = false;
    let closeFn: ((err: Error | undefined) => void) | undefined;
    sp.on('error', () => {
      /* surfaced through open/write callbacks and 'close' */
    });
    sp.on('close', (err: Error | null | undefined) => {
      if (!closing) closeFn?.(err ?? undefined);
    });
    sp.open((err) => {
      if (err) {
        reject(new QuaysideError('EDGE_SERIAL_OPEN', `${path}: ${err.message}`, { cause: err }));
        return;
      }
      // Bytes that waited in the line's buffers before we opened it are stale: discard them.
      sp.flush(() => resolve(port));
    });
    const port: LinePort = {
      path,
      write: (data) =>
        new Promise<void>((res, rej) => {
          if (!sp.isOpen) return rej(new QuaysideError('EDGE_SERIAL_OPEN', `${path} is not open`));
          sp.write(data, (e) => {
            if (e) return rej(new QuaysideError('EDGE_SERIAL_OPEN', `${path}: write failed: ${e.message}`, { cause: e }));
            sp.drain((e2) => (e2 ? rej(new QuaysideError('EDGE_SERIAL_OPEN', `${path}: drain failed: ${e2.message}`, { cause: e2 })) : res()));
          });
          }),
        close: () =>
          new Promise<void>((res) => {
            closing = true;
            if (!sp.isOpen) return res();
            sp.close(() => res());
          }),
        onData: (fn) => {
          sp.on('data', fn);
        },
        onClose: (fn) => {
          closeFn = fn;
        },
      };
  });
