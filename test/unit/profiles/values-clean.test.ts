// Decoded values carry no binary noise: float32 as its shortest decimal, scaled values to 12 digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNumeric, encodeNumeric, shortestFloat32 } from '../../../shared/profile/values.js';
import type { ModbusNumericPoint } from '../../../shared/profile/schema.js';

const point = (over: Partial<ModbusNumericPoint>): ModbusNumericPoint => ({
  name: 'p', label: { zh: '点', en: 'p' }, unit: 'm', table: 'holding', address: 0, type: 'uint16',
  byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, writable: false, readBack: true, ...over,
});

test('float32 registers decode to the shortest decimal of that float32', () => {
  const p = point({ type: 'float32', unit: 'kg/m3' });
  assert.equal(decodeNumeric(p, encodeNumeric(p, 1014.0104)), 1014.0104);
  assert.equal(decodeNumeric(p, encodeNumeric(p, 0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1025.97275)), 1025.9728);
});

test('scaled integers decode without float noise', () => {
  const temp = point({ type: 'int16', scale: 0.1 });
  assert.equal(decodeNumeric(temp, [137]), 13.7); // 137 × 0.1 = 13.700000000000001 in binary
  const draft = point({ type: 'int32', scale: 0.001, wordOrder: 'little' });
  assert.equal(decodeNumeric(draft, encodeNumeric(draft, 6.185)), 6.185);
  const offset = point({ type: 'int16', scale: 0.01, offset: -40 });
  assert.equal(decodeNumeric(offset, [5337]), 13.37);
});

test('NaN and Infinity pass through for the driver to flag', () => {
  const p = point({ type: 'float32' });
  assert.ok(Number.isNaN(decodeNumeric(p, [0x7fc0, 0x0000])));
  assert.equal(decodeNumeric(p, [0x7f80, 0x0000]), Infinity);
});
