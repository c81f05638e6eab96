/**
 * The transports against raw peers written here byte by byte (a net.Server, and a SerialPort on the far
 * end of a PTY pair), for the wire behaviour the servers never produce on their own: answers split
 * into many chunks, mismatched ids, late answers, noise on the line, pipelined callers, reconnects.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { SerialPort } from 'serialport';
import { isQuaysideError, type ErrorCode } from '../../../shared/errors.js';
import { checkCrc, writeCrc } from '../../../edge/devices/modbus/crc16.js';
import { FC, buildReadRequest } from '../../../edge/devices/modbus/pdu.js';
import { ModbusRtuTransport } from '../../../edge/devices/modbus/rtu-transport.js';
import { ModbusTcpTransport } from '../../../edge/devices/modbus/tcp-transport.js';
import { createPtyPair, type PtyPair } from '../../../edge/simulators/pty.js';
import { SERIAL_9600 } from './fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const READ2 = buildReadRequest(FC.READ_HOLDING_REGISTERS, 0, 2);
const ANSWER2 = Buffer.from('0304000a000b', 'hex'); // registers 10, 11

const isCode = (code: ErrorCode, detail?: RegExp) => (e: unknown) => {
  assert.ok(isQuaysideError(e, code), `expected ${code}, got ${String(e)}`);
  if (detail) assert.match(e.detail ?? '', detail);
  return true;
};

// ---------------------------------------------------------------------------------------------
// TCP

type TcpBehaviour = (req: { tid: number; unit: number; pdu: Buffer }, socket: net.Socket) => void;

function mbap(tid: number, unit: number, pdu: Buffer, protocol = 0): Buffer {
  const f = Buffer.alloc(7 + pdu.length);
  f.writeUInt16BE(tid, 0);
  f.writeUInt16BE(protocol, 2);
  f.writeUInt16BE(pdu.length + 1, 4);
  f[6] = unit;
  pdu.copy(f, 7);
  return f;
}

describe('Modbus TCP transport against a raw server', () => {
  let server: net.Server;
  let port: number;
  let behaviour: TcpBehaviour;
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  let transport: ModbusTcpTransport | undefined;

  before(async () => {
    server = net.createServer((s) => {
      connections++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      let rx = Buffer.alloc(0);
      s.on('data', (chunk) => {
        rx = Buffer.concat([rx, chunk]);
        while (rx.length >= 7 && rx.length >= 6 + rx.readUInt16BE(4)) {
          const len = rx.readUInt16BE(4);
          const req = { tid: rx.readUInt16BE(0), unit: rx[6]!, pdu: rx.subarray(7, 6 + len) };
          rx = rx.subarray(6 + len);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          behaviour(req, s);
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    for (const s of sockets) s.destroy();
    inFlight = 0;
    maxInFlight = 0;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const answer = (req: { tid: number; unit: number }, s: net.Socket, pdu = ANSWER2) => {
    inFlight--;
    s.write(mbap(req.tid, req.unit, pdu));
  };

  it('reassembles an answer that arrives one byte at a time', async () => {
    behaviour = (req, s) => {
      inFlight--;
      const f = mbap(req.tid, req.unit, ANSWER2);
      void (async () => {
        for (const b of f) {
          s.write(Buffer.from([b]));
          await sleep(2);
        }
      })();
    };
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    assert.deepEqual(await transport.request(1, READ2, 1000), ANSWER2);
  });

  it('splits two answers that arrive in one chunk', async () => {
    const held: { req: { tid: number; unit: number }; s: net.Socket }[] = [];
    // Answer the first request only together with a bogus duplicate of it in the same write.
    behaviour = (req, s) => {
      inFlight--;
      held.push({ req, s });
      s.write(Buffer.concat([mbap(req.tid, req.unit, ANSWER2), mbap(req.tid, req.unit, ANSWER2)]));
    };
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    assert.deepEqual(await transport.request(1, READ2, 1000), ANSWER2);
    // The duplicate carries an old transaction id; it must not satisfy (or break) the next request.
    assert.deepEqual(await transport.request(1, READ2, 1000), ANSWER2);
    assert.equal(held.length, 2);
  });

  it('sends one request at a time and answers callers in order', async () => {
    behaviour = (req, s) => setTimeout(() => answer(req, s, Buffer.from([0x03, 0x02, 0x00, req.tid & 0xff])), 5);
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    const answers = await Promise.all(Array.from({ length: 10 }, () => transport!.request(1, READ2, 1000)));
    assert.equal(maxInFlight, 1);
    assert.deepEqual(answers.map((a) => a[3]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fails a mismatched transaction id or unit id with EDGE_MODBUS_FRAME and carries on', async () => {
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    behaviour = (req, s) => {
      inFlight--;
      s.write(mbap((req.tid + 100) & 0xffff, req.unit, ANSWER2));
    };
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /transaction id \d+, expected \d+/));
    behaviour = (req, s) => answer({ tid: req.tid, unit: 9 }, s);
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /from unit 9, expected 1/));
    behaviour = (req, s) => answer(req, s, Buffer.from('0402000a', 'hex'));
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /function 0x4, expected 0x3/));
    behaviour = (req, s) => answer(req, s);
    assert.deepEqual(await transport.request(1, READ2, 500), ANSWER2);
    assert.equal(transport.stats.frameErrors, 3);
    assert.equal(connections > 0, true);
  });

  it('drops the connection on a bad protocol id or length field, and reconnects for the next request', async () => {
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    const before = connections;
    behaviour = (req, s) => {
      inFlight--;
      s.write(mbap(req.tid, req.unit, ANSWER2, 7));
    };
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /protocol id 7/));
    behaviour = (req, s) => {
      inFlight--;
      const f = mbap(req.tid, req.unit, ANSWER2);
      f.writeUInt16BE(0x9000, 4);
      s.write(f);
    };
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /MBAP length/));
    behaviour = (req, s) => answer(req, s);
    assert.deepEqual(await transport.request(1, READ2, 500), ANSWER2);
    assert.equal(connections - before, 3, 'a fresh connection after each desynchronised stream');
  });

  it('times out, then drops the late answer by its transaction id', async () => {
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    let n = 0;
    behaviour = (req, s) => {
      const delay = n++ === 0 ? 150 : 0;
      setTimeout(() => answer(req, s, Buffer.from([0x03, 0x02, 0x00, n])), delay);
    };
    await assert.rejects(transport.request(1, READ2, 50), isCode('EDGE_MODBUS_TIMEOUT', /within 50 ms/));
    await sleep(150); // the late answer arrives while idle
    const a = await transport.request(1, READ2, 500);
    assert.equal(a[3], 2, 'the answer to the second request, not the late first one');
    assert.equal(transport.stats.timeouts, 1);
    assert.equal(transport.stats.frameErrors, 0);
  });

  it('reports EDGE_MODBUS_DISCONNECTED when the peer closes mid-request, reconnects lazily', async () => {
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    behaviour = (_req, s) => {
      inFlight--;
      s.destroy();
    };
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_DISCONNECTED', /closed by peer/));
    assert.equal(transport.connected, false);
    behaviour = (req, s) => answer(req, s);
    assert.deepEqual(await transport.request(1, READ2, 500), ANSWER2);
    assert.equal(transport.stats.reconnects, 1);
  });

  it('backs off after a failed connect, failing fast, and connects once the server is back', async () => {
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const sparePort = (spare.address() as net.AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port: sparePort, reconnectMinMs: 150, reconnectMaxMs: 300 });
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_DISCONNECTED', /cannot connect/));
    const t0 = Date.now();
    await assert.rejects(transport.request(1, READ2, 500), isCode('EDGE_MODBUS_DISCONNECTED', /next attempt in \d+ ms/));
    assert.ok(Date.now() - t0 < 50);
    const back = net.createServer((s) => {
      s.on('data', (c) => s.write(mbap(c.readUInt16BE(0), c[6]!, ANSWER2)));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => back.listen(sparePort, '127.0.0.1', r));
    try {
      await sleep(160);
      assert.deepEqual(await transport.request(1, READ2, 500), ANSWER2);
    } finally {
      await transport.close();
      await new Promise<void>((r) => back.close(() => r()));
    }
  });

  it('rejects queued requests when closed', async () => {
    behaviour = () => {}; // never answers
    transport = new ModbusTcpTransport({ host: '127.0.0.1', port });
    const outcomes = [transport.request(1, READ2, 5000), transport.request(1, READ2, 5000)].map((r) => r.then(() => 'resolved', (e: unknown) => e));
    await sleep(30);
    await transport.close();
    for (const e of await Promise.all(outcomes)) isCode('EDGE_MODBUS_DISCONNECTED', /transport closed/)(e);
    await assert.rejects(transport.request(1, READ2, 100), isCode('EDGE_MODBUS_DISCONNECTED', /transport closed/));
  });
});

// ---------------------------------------------------------------------------------------------
// RTU

type RtuBehaviour = (frame: Buffer, port: SerialPort) => void;

function rtuFrame(unit: number, pdu: Buffer): Buffer {
  const f = Buffer.alloc(pdu.length + 3);
  f[0] = unit;
  pdu.copy(f, 1);
  writeCrc(f, pdu.length + 1);
  return f;
}

describe('Modbus RTU transport against a raw slave on a PTY', () => {
  let pty: PtyPair | undefined;
  let slave: SerialPort | undefined;
  let behaviour: RtuBehaviour;
  let requests: Buffer[] = [];
  let transport: ModbusRtuTransport | undefined;

  before(async () => {
    pty = await createPtyPair();
    slave = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    await new Promise<void>((res, rej) => slave!.open((e) => (e ? rej(e) : res())));
    let rx = Buffer.alloc(0);
    slave.on('data', (chunk: Buffer) => {
      rx = Buffer.concat([rx, chunk]);
      // Every request in these tests is 8 bytes (FC 3).
      while (rx.length >= 8) {
        const frame = rx.subarray(0, 8);
        rx = rx.subarray(8);
        assert.ok(checkCrc(frame), 'the transport sends a valid CRC');
        requests.push(Buffer.from(frame));
        behaviour(frame, slave!);
      }
    });
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    requests = [];
    await sleep(30);
  });

  after(async () => {
    if (slave?.isOpen) await new Promise<void>((r) => slave!.close(() => r()));
    await pty?.close();
  });

  const open = () => (transport = new ModbusRtuTransport({ path: pty!.a, serial: SERIAL_9600 }));

  it('frames the request (unit + PDU + CRC) and collects an answer split into one-byte chunks', async () => {
    behaviour = (frame, p) => {
      const f = rtuFrame(frame[0]!, ANSWER2);
      void (async () => {
        for (const b of f) {
          p.write(Buffer.from([b]));
          await new Promise<void>((r) => p.drain(() => r()));
          await sleep(3);
        }
      })();
    };
    open();
    assert.deepEqual(await transport!.request(7, READ2, 1000), ANSWER2);
    assert.deepEqual(requests[0], rtuFrame(7, READ2));
  });

  it('reports bad CRC, wrong unit, wrong function and an exception answer', async () => {
    open();
    behaviour = (frame, p) => {
      const f = rtuFrame(frame[0]!, ANSWER2);
      f[f.length - 1]! ^= 0xff;
      p.write(f);
    };
    await assert.rejects(transport!.request(1, READ2, 500), isCode('EDGE_MODBUS_CRC'));
    behaviour = (_frame, p) => p.write(rtuFrame(2, ANSWER2));
    await assert.rejects(transport!.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /from unit 2, expected 1/));
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, Buffer.from('0402000a', 'hex')));
    await assert.rejects(transport!.request(1, READ2, 500), isCode('EDGE_MODBUS_FRAME', /function 0x4, expected 0x3/));
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, Buffer.from('8302', 'hex')));
    assert.deepEqual(await transport!.request(1, READ2, 500), Buffer.from('8302', 'hex'), 'exceptions resolve; the client turns them into errors');
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, ANSWER2));
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    assert.equal(transport!.stats.crcErrors, 1);
    assert.equal(transport!.stats.frameErrors, 2);
  });

  it('declares a frame short when its bytes stop coming, and times out on silence', async () => {
    open();
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, ANSWER2).subarray(0, 5));
    const t0 = Date.now();
    await assert.rejects(transport!.request(1, READ2, 1000), isCode('EDGE_MODBUS_FRAME', /short frame from unit 1: 5 bytes/));
    assert.ok(Date.now() - t0 < 500, 'the gap, not the response timeout, ended it');
    behaviour = () => {};
    await assert.rejects(transport!.request(1, READ2, 80), isCode('EDGE_MODBUS_TIMEOUT', /within 80 ms/));
    assert.equal(transport!.stats.timeouts, 1);
  });

  it('drops noise that arrives between transactions and after an error', async () => {
    open();
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, ANSWER2));
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    slave!.write(Buffer.from('0103deadbeef01', 'hex')); // line noise on an idle bus
    await sleep(20);
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    // An answer with trailing junk: accepted, and the junk is drained before the next request.
    behaviour = (frame, p) => p.write(Buffer.concat([rtuFrame(frame[0]!, ANSWER2), Buffer.from('ffff01', 'hex')]));
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    behaviour = (frame, p) => p.write(rtuFrame(frame[0]!, ANSWER2));
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    // A turnaround glitch (0x00 / 0xFF) before the answer is skipped, not a frame error.
    behaviour = (frame, p) => p.write(Buffer.concat([Buffer.from([0x00, 0xff]), rtuFrame(frame[0]!, ANSWER2)]));
    assert.deepEqual(await transport!.request(1, READ2, 500), ANSWER2);
    assert.equal(transport!.stats.frameErrors, 0);
    assert.ok(transport!.stats.strayBytes >= 12, `stray ${transport!.stats.strayBytes}`);
  });

  it('runs one transaction at a time for many units, leaving the inter-frame silence between them', async () => {
    open();
    const answeredAt: number[] = [];
    const sentAt: number[] = [];
    behaviour = (frame, p) => {
      sentAt.push(performance.now());
      setTimeout(() => {
        p.write(rtuFrame(frame[0]!, Buffer.from([0x03, 0x04, 0x00, frame[0]!, 0x00, 0x00])));
        answeredAt.push(performance.now());
      }, 5);
    };
    const units = [1, 2, 3, 4, 5, 6];
    const answers = await Promise.all(units.map((u) => transport!.request(u, READ2, 1000)));
    assert.deepEqual(answers.map((a) => a[3]), units);
    assert.deepEqual(requests.map((r) => r[0]), units, 'requests in call order');
    for (let i = 1; i < sentAt.length; i++) {
      assert.ok(sentAt[i]! >= answeredAt[i - 1]!, 'no request before the previous answer');
      assert.ok(sentAt[i]! - answeredAt[i - 1]! >= 3.5, `silence ${sentAt[i]! - answeredAt[i - 1]!} ms`); // t3.5 at 9600 ≈ 4 ms
    }
  });

  it('reports EDGE_MODBUS_DISCONNECTED for a port that cannot be opened, with back-off', async () => {
    transport = new ModbusRtuTransport({ path: '/dev/qs-no-such-port', serial: SERIAL_9600, reopenMinMs: 1000 });
    await assert.rejects(transport.request(1, READ2, 100), isCode('EDGE_MODBUS_DISCONNECTED', /cannot open/));
    await assert.rejects(transport.request(1, READ2, 100), isCode('EDGE_MODBUS_DISCONNECTED', /next attempt in/));
  });
});
