/**
 * SM4 (GB/T 32907-2016) block cipher via Node's OpenSSL, for sensitive fields at rest.
 *
 * Node 20's OpenSSL 3.0 offers sm4-ecb/cbc/cfb/ofb/ctr but NOT sm4-gcm or sm4-ccm ("Unknown
 * cipher"), so fields are sealed with SM4-CBC (PKCS#7 padding, random IV) and authenticated with
 * HMAC-SM3 in encrypt-then-MAC order. The encryption and MAC keys are derived from the one field
 * key with HMAC-SM3 so the same bytes never serve both purposes. Associated data (for example
 * "surveys/42/inspector_phone") is bound into the MAC, so a sealed value cannot be moved to another
 * record or field unnoticed.
 *
 * Sealed form: "sm4cbc-hs3.v1." + base64url(IV(16) ‖ ciphertext ‖ tag(32)).
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { CryptoFormatError } from './der.js';
import { hmacSm3, type BytesLike } from './sm3.js';

export const SM4_KEY_BYTES = 16;
export const SM4_BLOCK_BYTES = 16;
const PREFIX = 'sm4cbc-hs3.v1.';
const TAG_BYTES = 32;

function bytes(data: BytesLike): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== SM4_KEY_BYTES && key.length !== 32) throw new CryptoFormatError(`SM4 field key must be 16 or 32 bytes, got ${key.length}`);
}

/** Raw SM4-ECB without padding: for known-answer tests only (ECB leaks patterns). */
export function sm4EcbEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== SM4_KEY_BYTES) throw new CryptoFormatError('SM4 key must be 16 bytes');
  if (data.length % SM4_BLOCK_BYTES !== 0) throw new CryptoFormatError('SM4-ECB input must be whole 16-byte blocks');
  const cipher = createCipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

export function sm4EcbDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== SM4_KEY_BYTES) throw new CryptoFormatError('SM4 key must be 16 bytes');
  const decipher = createDecipheriv('sm4-ecb', key, null);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** A fresh random 16-byte SM4 key. */
export function generateSm4Key(): Buffer {
  return randomBytes(SM4_KEY_BYTES);
}

function subkeys(key: Uint8Array): { enc: Buffer; mac: Buffer } {
  checkKey(key);
  return {
    enc: hmacSm3(key, 'quayside/sm4-field/enc').subarray(0, SM4_KEY_BYTES),
    mac: hmacSm3(key, 'quayside/sm4-field/mac'),
  };
}

function tagOf(mac: Buffer, aad: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  const aadLength = Buffer.alloc(8);
  aadLength.writeBigUInt64BE(BigInt(aad.length));
  return hmacSm3(mac, PREFIX, aadLength, aad, iv, ciphertext);
}

/** Seals a field value. `aad` is authenticated but not encrypted; pass the same value to open it. */
export function sealField(key: Uint8Array, plaintext: BytesLike, aad: BytesLike = ''): string {
  const { enc, mac } = subkeys(key);
  const iv = randomBytes(SM4_BLOCK_BYTES);
  const cipher = createCipheriv('sm4-cbc', enc, iv);
  const ciphertext = Buffer.concat([cipher.update(bytes(plaintext)), cipher.final()]);
  const tag = tagOf(mac, bytes(aad), iv, ciphertext);
  return PREFIX + Buffer.concat([iv, ciphertext, tag]).toString('base64url');
}

/** Opens a sealed field; throws CryptoFormatError when it was altered, the key is wrong or `aad` differs. */
export function openField(key: Uint8Array, sealed: string, aad: BytesLike = ''): Buffer {
  if (!sealed.startsWith(PREFIX)) throw new CryptoFormatError('not an SM4 sealed field (unknown prefix)');
  const body = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  if (body.length < SM4_BLOCK_BYTES * 2 + TAG_BYTES || (body.length - SM4_BLOCK_BYTES - TAG_BYTES) % SM4_BLOCK_BYTES !== 0) {
    throw new CryptoFormatError('SM4 sealed field has the wrong length');
  }
  const { enc, mac } = subkeys(key);
  const iv = body.subarray(0, SM4_BLOCK_BYTES);
  const ciphertext = body.subarray(SM4_BLOCK_BYTES, body.length - TAG_BYTES);
  const tag = body.subarray(body.length - TAG_BYTES);
  if (!timingSafeEqual(tag, tagOf(mac, bytes(aad), iv, ciphertext))) {
    throw new CryptoFormatError('SM4 sealed field failed authentication (altered, wrong key or wrong associated data)');
  }
  const decipher = createDecipheriv('sm4-cbc', enc, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export function openFieldText(key: Uint8Array, sealed: string, aad: BytesLike = ''): string {
  return openField(key, sealed, aad).toString('utf8');
}
