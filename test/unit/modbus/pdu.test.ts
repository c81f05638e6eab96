import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isQuaysideError } from '../../../shared/errors.js';
import {
  FC,
  ModbusExceptionError,
  buildReadRequest,
  buildWriteMultipleCoils,
  buildWriteMultipleRegisters,
  buildWriteSingleCoil,
  buildWriteSingleRegister,
  checkResponseFunction,
  exceptionName,
  expectedResponseLength,
  parseReadBits,
  parseReadRegisters,
  parseWriteResponse,
  requestPduLength,
} from '../../../edge/devices/modbus/pdu.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function assertFrame(fn: () => unknown, match: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isQuaysideError(err, 'EDGE_MODBUS_FRAME'), `expected EDGE_MODBUS_FRAME, got ${String(err)}`);
    assert.match(err.detail ?? '', match);
    return true;
  });
}

describe('pdu: requests', () => {
  it('builds read requests for FC 1/2/3/4', () => {
    assert.deepEqual(buildReadRequest(FC.READ_COILS, 0x13, 0x25), hex('01 0013 0025'));
    assert.deepEqual(buildReadRequest(FC.READ_DISCRETE_INPUTS, 0xc4, 0x16), hex('02 00C4 0016'));
    assert.deepEqual(buildReadRequest(FC.READ_HOLDING_REGISTERS, 0x6b, 3), hex('03 006B 0003'));
    assert.deepEqual(buildReadRequest(FC.READ_INPUT_REGISTERS, 8, 1), hex('04 0008 0001'));
  });

  it('builds write requests for FC 5/6/15/16', () => {
    assert.deepEqual(buildWriteSingleCoil(0xac, true), hex('05 00AC FF00'));
    assert.deepEqual(buildWriteSingleCoil(0xac, false), hex('05 00AC 0000'));
    assert.deepEqual(buildWriteSingleRegister(1, 3), hex('06 0001 0003'));
    // Spec example: coils 20..29 = CD 01 (1 0 1 1 0 0 1 1, 1 0).
    const bits = [true, false, true, true, false, false, true, true, true, false];
    assert.deepEqual(buildWriteMultipleCoils(0x13, bits), hex('0F 0013 000A 02 CD 01'));
    assert.deepEqual(buildWriteMultipleRegisters(1, [0x000a, 0x0102]), hex('10 0001 0002 04 000A 0102'));
  });

  it('refuses quantities and addresses the protocol cannot carry', () => {
    assert.throws(() => buildReadRequest(FC.READ_HOLDING_REGISTERS, 0, 0), RangeError);
    assert.throws(() => buildReadRequest(FC.READ_HOLDING_REGISTERS, 0, 126), RangeError);
    assert.doesNotThrow(() => buildReadRequest(FC.READ_HOLDING_REGISTERS, 0, 125));
    assert.doesNotThrow(() => buildReadRequest(FC.READ_COILS, 0, 2000));
    assert.throws(() => buildReadRequest(FC.READ_COILS, 0, 2001), RangeError);
    assert.throws(() => buildReadRequest(FC.READ_HOLDING_REGISTERS, 65535, 2), RangeError);
    assert.throws(() => buildReadRequest(FC.READ_HOLDING_REGISTERS, -1, 1), RangeError);
    assert.throws(() => buildWriteSingleRegister(0, 0x10000), RangeError);
    assert.throws(() => buildWriteSingleRegister(0, 1.5), RangeError);
    assert.throws(() => buildWriteMultipleRegisters(0, new Array(124).fill(0)), RangeError);
    assert.throws(() => buildWriteMultipleRegisters(0, []), RangeError);
    assert.throws(() => buildWriteMultipleCoils(0, new Array(1969).fill(false)), RangeError);
  });

  it('knows the response length from the request alone', () => {
    assert.equal(expectedResponseLength(hex('01 0013 0013')), 2 + 3); // 19 bits → 3 bytes
    assert.equal(expectedResponseLength(hex('02 0000 0008')), 2 + 1);
    assert.equal(expectedResponseLength(hex('03 006B 0003')), 2 + 6);
    assert.equal(expectedResponseLength(hex('04 0000 007D')), 2 + 250);
    for (const req of ['05 00AC FF00', '06 0001 0003', '0F 0013 000A 02 CD 01', '10 0001 0002 04 000A 0102']) {
      assert.equal(expectedResponseLength(hex(req)), 5);
    }
    assert.throws(() => expectedResponseLength(hex('2B 0E01 00')), RangeError);
    assert.throws(() => expectedResponseLength(hex('03 00')), RangeError);
  });

  it('tells the request length to the RTU server, or that it needs more bytes', () => {
    const b = hex('03 006B 0003');
    assert.equal(requestPduLength(b, 0, 1), 5);
    const w = hex('10 0001 0002 04 000A 0102');
    assert.equal(requestPduLength(w, 0, 5), -1);
    assert.equal(requestPduLength(w, 0, 6), 10);
    assert.equal(requestPduLength(w, 0, 0), -1);
    assert.equal(requestPduLength(hex('2B 0E'), 0, 2), undefined);
  });
});

describe('pdu: responses', () => {
  it('parses registers, into a new array or a reused buffer', () => {
    assert.deepEqual(parseReadRegisters(hex('03 06 022B 0000 0064'), FC.READ_HOLDING_REGISTERS, 3), [0x022b, 0, 0x64]);
    const out = new Uint16Array(2);
    const got = parseReadRegisters(hex('04 04 FFFF 8000'), FC.READ_INPUT_REGISTERS, 2, out);
    assert.equal(got, out);
    assert.deepEqual(Array.from(out), [0xffff, 0x8000]);
  });

  it('parses bits LSB first and ignores the padding', () => {
    // Spec example: coils 20..38 = CD 6B 05.
    const bits = parseReadBits(hex('01 03 CD 6B 05'), FC.READ_COILS, 19);
    assert.equal(bits.length, 19);
    assert.deepEqual(bits.slice(0, 8), [true, false, true, true, false, false, true, true]);
    assert.deepEqual(bits.slice(16), [true, false, true]);
    assert.deepEqual(parseReadBits(hex('02 01 FF'), FC.READ_DISCRETE_INPUTS, 2), [true, true]);
  });

  it('turns an exception response into EDGE_MODBUS_EXCEPTION with code and name', () => {
    assert.throws(
      () => parseReadRegisters(hex('83 02'), FC.READ_HOLDING_REGISTERS, 1),
      (err: unknown) => {
        assert.ok(err instanceof ModbusExceptionError);
        assert.ok(isQuaysideError(err, 'EDGE_MODBUS_EXCEPTION'));
        assert.equal(err.exceptionCode, 2);
        assert.equal(err.functionCode, 3);
        assert.equal(err.retryable, false);
        assert.match(err.detail ?? '', /0x02 illegal data address/);
        return true;
      },
    );
    for (const [code, name] of [[1, 'illegal function'], [3, 'illegal data value'], [4, 'server device failure'], [6, 'server device busy'], [0x0b, 'gateway target device failed to respond']] as const) {
      assert.equal(exceptionName(code), name);
    }
    assert.equal(exceptionName(0x42), 'unknown exception');
    assert.throws(() => parseWriteResponse(hex('90 04'), hex('10 0001 0001 02 0000')), (e: unknown) => e instanceof ModbusExceptionError && e.exceptionCode === 4);
  });

  it('rejects every malformed read response as EDGE_MODBUS_FRAME', () => {
    const fc = FC.READ_HOLDING_REGISTERS;
    assertFrame(() => parseReadRegisters(Buffer.alloc(0), fc, 1), /empty/);
    assertFrame(() => parseReadRegisters(hex('04 02 0001'), fc, 1), /function 0x04, expected 0x03/);
    assertFrame(() => parseReadRegisters(hex('83'), fc, 1), /exception response of 1 bytes/);
    assertFrame(() => parseReadRegisters(hex('83 02 00'), fc, 1), /exception response of 3 bytes/);
    assertFrame(() => parseReadRegisters(hex('03'), fc, 1), /no byte count/);
    assertFrame(() => parseReadRegisters(hex('03 04 0001 0002'), fc, 1), /byte count 4, expected 2/);
    assertFrame(() => parseReadRegisters(hex('03 02 00'), fc, 1), /response of 3 bytes, expected 4/);
    assertFrame(() => parseReadRegisters(hex('03 02 0001 00'), fc, 1), /response of 5 bytes, expected 4/);
    assertFrame(() => parseReadBits(hex('01 02 FF'), FC.READ_COILS, 8), /byte count 2, expected 1/);
    assertFrame(() => parseReadBits(hex('01 01'), FC.READ_COILS, 8), /response of 2 bytes, expected 3/);
    assertFrame(() => parseReadBits(hex('02 01 01'), FC.READ_COILS, 1), /function 0x02/);
    assertFrame(() => checkResponseFunction(hex('83 02'), 4), /function 0x83, expected 0x04/);
  });

  it('checks that a write response echoes the request', () => {
    const single = hex('06 0001 0003');
    assert.doesNotThrow(() => parseWriteResponse(hex('06 0001 0003'), single));
    assertFrame(() => parseWriteResponse(hex('06 0002 0003'), single), /different address/);
    assertFrame(() => parseWriteResponse(hex('06 0001 0004'), single), /different value/);
    assertFrame(() => parseWriteResponse(hex('06 0001 00'), single), /4 bytes, expected 5/);
    const multi = hex('10 0001 0002 04 000A 0102');
    assert.doesNotThrow(() => parseWriteResponse(hex('10 0001 0002'), multi));
    assertFrame(() => parseWriteResponse(hex('10 0001 0003'), multi), /different quantity/);
    assertFrame(() => parseWriteResponse(hex('10 0001 0002 00'), multi), /6 bytes/);
    assertFrame(() => parseWriteResponse(hex('06 0001 0002'), multi), /function 0x06, expected 0x10/);
    const coil = hex('05 00AC FF00');
    assertFrame(() => parseWriteResponse(hex('05 00AC 0000'), coil), /different value/);
  });
});
