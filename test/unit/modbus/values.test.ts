/**
 * The shared transformer (shared/profile/values.ts) against register words computed by hand, for
 * every numeric type × byte order × word order, plus scaling, bits and strings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  modbusBitPointSchema,
  modbusNumericPointSchema,
  modbusStringPointSchema,
  type NumericDataType,
} from '../../../shared/profile/schema.js';
import { decodeBit, decodeNumeric, decodeRaw, decodeString, encodeNumeric, encodeRaw, encodeString } from '../../../shared/profile/values.js';

type Order = 'big' | 'little';
const L = { zh: 'x', en: 'x' };

/** value, then the words for [byte/word] = big/big, big/little, little/big, little/little. */
const CASES: { type: NumericDataType; value: number; bb: number[]; bl: number[]; lb: number[]; ll: number[] }[] = [
  { type: 'int16', value: -1234, bb: [0xfb2e], bl: [0xfb2e], lb: [0x2efb], ll: [0x2efb] },
  { type: 'int16', value: 32767, bb: [0x7fff], bl: [0x7fff], lb: [0xff7f], ll: [0xff7f] },
  { type: 'int16', value: -32768, bb: [0x8000], bl: [0x8000], lb: [0x0080], ll: [0x0080] },
  { type: 'uint16', value: 0x1234, bb: [0x1234], bl: [0x1234], lb: [0x3412], ll: [0x3412] },
  { type: 'uint16', value: 65535, bb: [0xffff], bl: [0xffff], lb: [0xffff], ll: [0xffff] },
  { type: 'int32', value: -2, bb: [0xffff, 0xfffe], bl: [0xfffe, 0xffff], lb: [0xffff, 0xfeff], ll: [0xfeff, 0xffff] },
  { type: 'int32', value: -123456, bb: [0xfffe, 0x1dc0], bl: [0x1dc0, 0xfffe], lb: [0xfeff, 0xc01d], ll: [0xc01d, 0xfeff] },
  { type: 'int32', value: 0x7fffffff, bb: [0x7fff, 0xffff], bl: [0xffff, 0x7fff], lb: [0xff7f, 0xffff], ll: [0xffff, 0xff7f] },
  { type: 'uint32', value: 0x12345678, bb: [0x1234, 0x5678], bl: [0x5678, 0x1234], lb: [0x3412, 0x7856], ll: [0x7856, 0x3412] },
  { type: 'uint32', value: 3_000_000_000, bb: [0xb2d0, 0x5e00], bl: [0x5e00, 0xb2d0], lb: [0xd0b2, 0x005e], ll: [0x005e, 0xd0b2] },
  { type: 'float32', value: 1.5, bb: [0x3fc0, 0x0000], bl: [0x0000, 0x3fc0], lb: [0xc03f, 0x0000], ll: [0x0000, 0xc03f] },
  { type: 'float32', value: -2.25, bb: [0xc010, 0x0000], bl: [0x0000, 0xc010], lb: [0x10c0, 0x0000], ll: [0x0000, 0x10c0] },
  { type: 'float32', value: 1013.25, bb: [0x447d, 0x5000], bl: [0x5000, 0x447d], lb: [0x7d44, 0x0050], ll: [0x0050, 0x7d44] },
];

const ORDERS: [keyof (typeof CASES)[number] & ('bb' | 'bl' | 'lb' | 'll'), Order, Order][] = [
  ['bb', 'big', 'big'],
  ['bl', 'big', 'little'],
  ['lb', 'little', 'big'],
  ['ll', 'little', 'little'],
];

describe('values.ts: raw numbers ↔ registers', () => {
  for (const c of CASES) {
    for (const [key, byteOrder, wordOrder] of ORDERS) {
      it(`${c.type} ${c.value} byte=${byteOrder} word=${wordOrder}`, () => {
        const order = { byteOrder, wordOrder };
        assert.deepEqual(encodeRaw(c.type, order, c.value), c[key]);
        assert.equal(decodeRaw(c.type, order, c[key]), c.value);
      });
    }
  }

  it('rounds integers, refuses what does not fit, and needs enough registers', () => {
    const o = { byteOrder: 'big', wordOrder: 'big' } as const;
    assert.deepEqual(encodeRaw('uint16', o, 12.6), [13]);
    assert.throws(() => encodeRaw('int16', o, 32768), RangeError);
    assert.throws(() => encodeRaw('uint16', o, -1), RangeError);
    assert.throws(() => encodeRaw('uint32', o, 2 ** 32), RangeError);
    assert.throws(() => encodeRaw('int32', o, Number.NaN), RangeError);
    assert.throws(() => decodeRaw('float32', o, [0x3fc0]), RangeError);
  });

  it('passes NaN and Infinity of float32 through for the driver to flag', () => {
    const o = { byteOrder: 'big', wordOrder: 'big' } as const;
    assert.ok(Number.isNaN(decodeRaw('float32', o, [0x7fc0, 0x0000])));
    assert.equal(decodeRaw('float32', o, [0x7f80, 0x0000]), Infinity);
    assert.equal(decodeRaw('float32', o, [0xff80, 0x0000]), -Infinity);
  });
});

describe('values.ts: engineering values', () => {
  const numeric = (extra: Record<string, unknown>) =>
    modbusNumericPointSchema.parse({ name: 'p', label: L, unit: '', table: 'holding', address: 0, ...extra });

  it('applies scale and offset both ways', () => {
    const level = numeric({ type: 'int16', scale: 0.01 });
    assert.equal(decodeNumeric(level, [1234]), 1234 * 0.01);
    assert.deepEqual(encodeNumeric(level, 12.34), [1234]);
    assert.deepEqual(encodeNumeric(level, -0.5), [0xffce]); // −50
    const temp = numeric({ type: 'uint16', scale: 0.1, offset: -40 });
    assert.equal(decodeNumeric(temp, [625]), 22.5);
    assert.deepEqual(encodeNumeric(temp, 22.5), [625]);
    const big = numeric({ type: 'float32', wordOrder: 'little', scale: 2, offset: 1 });
    assert.equal(decodeNumeric(big, [0x0000, 0x3fc0]), 4); // 1.5 × 2 + 1
    assert.deepEqual(encodeNumeric(big, 4), [0x0000, 0x3fc0]);
  });

  it('reads bits of a register, and coil/discrete bits', () => {
    const b3 = modbusBitPointSchema.parse({ name: 'b', label: L, unit: '', table: 'holding', address: 0, type: 'bool', bit: 3 });
    assert.equal(decodeBit(b3, 0x0008), true);
    assert.equal(decodeBit(b3, 0xfff7), false);
    const b15 = modbusBitPointSchema.parse({ name: 'b', label: L, unit: '', table: 'input', address: 0, type: 'bool', bit: 15 });
    assert.equal(decodeBit(b15, 0x8000), true);
    const coil = modbusBitPointSchema.parse({ name: 'c', label: L, unit: '', table: 'coil', address: 0, type: 'bool' });
    assert.equal(decodeBit(coil, true), true);
    assert.equal(decodeBit(coil, false), false);
  });

  it('packs ascii two bytes per register and utf16be one code unit per register, NUL-padded', () => {
    const ascii = modbusStringPointSchema.parse({ name: 's', label: L, unit: '', table: 'holding', address: 0, type: 'string', encoding: 'ascii', lengthRegisters: 3 });
    assert.deepEqual(encodeString(ascii, 'QS-7'), [0x5153, 0x2d37, 0]);
    assert.deepEqual(encodeString(ascii, 'ABC'), [0x4142, 0x4300, 0]);
    assert.equal(decodeString(ascii, [0x5153, 0x2d37, 0]), 'QS-7');
    assert.equal(decodeString(ascii, [0x4142, 0x4300, 0x4444]), 'ABC', 'stops at the first NUL');
    assert.throws(() => encodeString(ascii, 'ABCDEFG'), RangeError);
    assert.throws(() => encodeString(ascii, 'é'), RangeError);
    const cn = modbusStringPointSchema.parse({ name: 's', label: L, unit: '', table: 'holding', address: 0, type: 'string', encoding: 'utf16be', lengthRegisters: 4 });
    assert.deepEqual(encodeString(cn, '吃水'), [0x5403, 0x6c34, 0, 0]);
    assert.equal(decodeString(cn, [0x5403, 0x6c34, 0, 0]), '吃水');
    assert.throws(() => encodeString(cn, '一二三四五'), RangeError);
  });
});
