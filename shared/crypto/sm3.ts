/**
 * SM3 (GB/T 32905-2016), the Chinese commercial hash: a thin wrapper on Node's OpenSSL ('sm3').
 * 256-bit digest. Used for integrity (audit chains, snapshot hashes, the hash of a signed survey
 * record) and, inside SM2, for Z_A and the message digest e.
 */
import { createHash, createHmac } from 'node:crypto';

export type BytesLike = Uint8Array | string;

/** Strings are hashed as their UTF-8 bytes. */
function bytes(data: BytesLike): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** SM3 digest of the concatenation of `parts`, 32 bytes. */
export function sm3(...parts: BytesLike[]): Buffer {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(bytes(part));
  return hash.digest();
}

/** SM3 digest as 64 lowercase hex digits. */
export function sm3Hex(...parts: BytesLike[]): string {
  return sm3(...parts).toString('hex');
}

/** HMAC-SM3 (RFC 2104 construction over SM3, block size 64 bytes), 32 bytes. */
export function hmacSm3(key: BytesLike, ...parts: BytesLike[]): Buffer {
  const mac = createHmac('sm3', bytes(key));
  for (const part of parts) mac.update(bytes(part));
  return mac.digest();
}

export const SM3_DIGEST_BYTES = 32;
