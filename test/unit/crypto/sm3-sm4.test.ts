import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmacSm3, sm3, sm3Hex } from '../../../shared/crypto/sm3.js';
import { generateSm4Key, openField, openFieldText, sealField, sm4EcbDecrypt, sm4EcbEncrypt } from '../../../shared/crypto/sm4.js';

describe('SM3 (GB/T 32905-2016 Appendix A)', () => {
  it('example 1: "abc"', () => {
    assert.equal(sm3Hex('abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('example 2: "abcd" × 16 (512 bits)', () => {
    assert.equal(sm3Hex('abcd'.repeat(16)), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('hashes the concatenation of its parts', () => {
    assert.deepEqual(sm3('ab', Buffer.from('c')), sm3('abc'));
  });
  it('HMAC-SM3 is keyed and deterministic', () => {
    assert.equal(hmacSm3('k', 'm').length, 32);
    assert.deepEqual(hmacSm3('k', 'm'), hmacSm3('k', 'm'));
    assert.notDeepEqual(hmacSm3('k', 'm'), hmacSm3('k2', 'm'));
  });
});

describe('SM4 (GB/T 32907-2016 Appendix A)', () => {
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  it('example 1: one block', () => {
    const ct = sm4EcbEncrypt(key, key);
    assert.equal(ct.toString('hex'), '681edf34d206965e86b3e94f536e4246');
    assert.deepEqual(sm4EcbDecrypt(key, ct), key);
  });
  it('example 2: the same block encrypted 1 000 000 times', () => {
    const cipher = createCipheriv('sm4-ecb', key, null);
    cipher.setAutoPadding(false);
    let block: Buffer = key;
    for (let i = 0; i < 1_000_000; i++) block = cipher.update(block);
    assert.equal(block.toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
  });
  it('sealed fields: round trip, random IV, tamper and wrong associated data detected', () => {
    const k = generateSm4Key();
    const a = sealField(k, '13800138000', 'surveys/7/inspector_phone');
    const b = sealField(k, '13800138000', 'surveys/7/inspector_phone');
    assert.notEqual(a, b);
    assert.equal(openFieldText(k, a, 'surveys/7/inspector_phone'), '13800138000');
    assert.throws(() => openField(k, a, 'surveys/8/inspector_phone'), /failed authentication/);
    assert.throws(() => openField(generateSm4Key(), a, 'surveys/7/inspector_phone'), /failed authentication/);
    const body = Buffer.from(a.slice('sm4cbc-hs3.v1.'.length), 'base64url');
    body[20] = body[20]! ^ 1;
    assert.throws(() => openField(k, `sm4cbc-hs3.v1.${body.toString('base64url')}`, 'surveys/7/inspector_phone'), /failed authentication/);
    assert.throws(() => openField(k, 'plain text'), /unknown prefix/);
  });
});
