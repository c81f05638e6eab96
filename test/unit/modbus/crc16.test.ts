import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCrc, crc16, writeCrc } from '../../../edge/devices/modbus/crc16.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('crc16 (Modbus)', () => {
  it('matches the read-holding example: 01 03 00 00 00 0A → C5 CD', () => {
    const frame = hex('01 03 00 00 00 0A');
    const crc = crc16(frame);
    assert.equal(crc & 0xff, 0xc5, 'low byte first on the wire');
    assert.equal(crc >> 8, 0xcd);
  });

  it('matches the CRC-16/MODBUS check value for "123456789" (0x4B37)', () => {
    assert.equal(crc16(Buffer.from('123456789', 'latin1')), 0x4b37);
  });

  it('matches captured frames (request and response)', () => {
    // Write single register 1 ← 3, and a response "01 03 02 00 2A" (value 42).
    assert.ok(checkCrc(hex('01 06 00 01 00 03 98 0B')));
    assert.ok(checkCrc(hex('11 03 00 6B 00 03 76 87')));
    const resp = Buffer.alloc(7);
    hex('01 03 02 00 2A').copy(resp);
    assert.equal(writeCrc(resp, 5), 7);
    assert.ok(checkCrc(resp));
  });

  it('of the empty range is the initial value 0xFFFF; respects start/end', () => {
    assert.equal(crc16(Buffer.alloc(0)), 0xffff);
    const framed = hex('AA 01 03 00 00 00 0A BB');
    assert.equal(crc16(framed, 1, 7), crc16(hex('01 03 00 00 00 0A')));
  });

  it('detects a flipped bit and a too-short frame', () => {
    const f = hex('01 03 00 00 00 0A C5 CD');
    assert.ok(checkCrc(f));
    f[3]! ^= 0x01;
    assert.equal(checkCrc(f), false);
    assert.equal(checkCrc(hex('01 03')), false);
  });
});
