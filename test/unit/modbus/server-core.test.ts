import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBank } from '../../../edge/simulators/modbus/memory-bank.js';
import { ModbusServerCore, handlePdu } from '../../../edge/simulators/modbus/server-core.js';
import { ModbusExceptionResponse, type FaultState } from '../../../edge/simulators/modbus/types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const h = (b: Buffer): string => b.toString('hex').toUpperCase();

function bank(): MemoryBank {
  const b = new MemoryBank({ holding: 10, input: 4, coils: 20, discrete: 8 });
  b.setRegisters('holding', 0, [0x022b, 0x0000, 0x0064]);
  b.setRegisters('input', 0, [0x000a]);
  b.setBits('coil', 0, [true, false, true, true, false, false, true, true, true, false]);
  b.setBits('discrete', 0, [false, true]);
  return b;
}

describe('server core: handlePdu', () => {
  it('serves FC 1/2/3/4', () => {
    const b = bank();
    assert.equal(h(handlePdu(b, hex('03 0000 0003'))), '0306022B00000064');
    assert.equal(h(handlePdu(b, hex('04 0000 0001'))), '0402000A');
    assert.equal(h(handlePdu(b, hex('01 0000 000A'))), '0102CD01');
    assert.equal(h(handlePdu(b, hex('02 0000 0002'))), '020102');
  });

  it('serves FC 5/6/15/16, echoing the request head, and changes the bank', () => {
    const b = bank();
    const writes: string[] = [];
    b.onWrite = (w) => writes.push(`${w.table}@${w.address}x${w.count}`);
    assert.equal(h(handlePdu(b, hex('05 0001 FF00'))), '050001FF00');
    assert.equal(b.getBits('coil', 1, 1)[0], true);
    assert.equal(h(handlePdu(b, hex('06 0004 1234'))), '0600041234');
    assert.deepEqual(b.getRegisters('holding', 4, 1), [0x1234]);
    assert.equal(h(handlePdu(b, hex('0F 000A 0003 01 05'))), '0F000A0003');
    assert.deepEqual(b.getBits('coil', 10, 3), [true, false, true]);
    assert.equal(h(handlePdu(b, hex('10 0007 0002 04 ABCD 0001'))), '1000070002');
    assert.deepEqual(b.getRegisters('holding', 7, 2), [0xabcd, 1]);
    assert.deepEqual(writes, ['coil@1x1', 'holding@4x1', 'coil@10x3', 'holding@7x2']);
  });

  it('answers exception 1 for an unknown function, 2 beyond the bank, 3 for bad quantities or values', () => {
    const b = bank();
    assert.equal(h(handlePdu(b, hex('2B 0E 01 00'))), 'AB01');
    assert.equal(h(handlePdu(b, hex('03 0009 0002'))), '8302');
    assert.equal(h(handlePdu(b, hex('04 0004 0001'))), '8402');
    assert.equal(h(handlePdu(b, hex('01 0014 0001'))), '8102');
    assert.equal(h(handlePdu(b, hex('06 000A 0001'))), '8602');
    assert.equal(h(handlePdu(b, hex('03 0000 0000'))), '8303');
    assert.equal(h(handlePdu(b, hex('03 0000 007E'))), '8303');
    assert.equal(h(handlePdu(b, hex('03 0000'))), '8303');
    assert.equal(h(handlePdu(b, hex('05 0000 1234'))), '8503');
    assert.equal(h(handlePdu(b, hex('10 0000 0002 02 0001'))), '9003');
    assert.equal(h(handlePdu(b, hex('0F 0000 0009 01 FF'))), '8F03');
    assert.equal(h(handlePdu(b, hex('03 FFFF 0002'))), '8302');
  });

  it('passes a bank exception through and maps other bank errors to 4', () => {
    const b = bank();
    const throwing = { ...b, readRegisters: () => { throw new ModbusExceptionResponse(6); }, readBits: () => { throw new Error('boom'); }, writeRegisters: () => {}, writeBits: () => {} };
    assert.equal(h(handlePdu(throwing, hex('03 0000 0001'))), '8306');
    assert.equal(h(handlePdu(throwing, hex('01 0000 0001'))), '8104');
  });
});

describe('server core: units and faults', () => {
  it('stays silent for unknown units and applies each fault', () => {
    let faults: FaultState = {};
    const core = new ModbusServerCore({ bank: (u) => (u === 1 ? bank() : undefined), faults: () => faults });
    const req = hex('03 0000 0001');
    assert.deepEqual(core.serve(2, req), { kind: 'silent', why: 'unknown-unit' });
    const ok = core.serve(1, req);
    assert.equal(ok.kind, 'answer');
    faults = { timeout: true };
    assert.deepEqual(core.serve(1, req), { kind: 'silent', why: 'timeout' });
    faults = { disconnect: true };
    assert.deepEqual(core.serve(1, req), { kind: 'disconnect' });
    faults = { exception: 4 };
    const ex = core.serve(1, req);
    assert.ok(ex.kind === 'answer' && h(ex.pdu) === '8304');
    faults = { wrongUnit: true, delayMs: 30 };
    const wu = core.serve(1, req);
    assert.ok(wu.kind === 'answer' && wu.unitId === 2 && wu.delayMs === 30);
    for (const [f, c] of [[{ crc: true }, 'crc'], [{ garbage: true }, 'garbage'], [{ shortFrame: true }, 'short']] as const) {
      faults = f;
      const r = core.serve(1, req);
      assert.ok(r.kind === 'answer' && r.corrupt === c);
    }
    assert.equal(core.stats.requests, 8);
    assert.equal(core.stats.faultsInjected, 7);
  });
});
