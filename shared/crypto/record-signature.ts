/**
 * Signing a survey record: the SM2 signature (GB/T 32918.2, SM3 digest, default distinguishing ID)
 * over the canonical JSON of { format, record, signed_at, signer }, so that the signer's name and
 * the time are covered too. The SM3 hash of the same bytes is kept beside the signature so that a
 * reader can check the record's integrity with a hash tool alone.
 *
 * Independent verification: M = UTF-8 bytes of canonicalJson(payload); Z_A from the public key and
 * the ID "1234567812345678"; e = SM3(Z_A ‖ M); check (r, s) per GB/T 32918.2 §7. GmSSL
 * (`gmssl sm2verify -id 1234567812345678`) and OpenSSL 3 (`-sigopt distid:1234567812345678`) do this.
 */
import { CanonicalJsonError, canonicalJsonBytes } from './canonical-json.js';
import {
  CryptoFormatError,
  publicKeyFingerprint,
  publicKeyFromHex,
  publicKeyToHex,
  sign,
  signatureFromDer,
  signatureToDer,
  SM2_DEFAULT_ID,
  verify,
  type Sm2PrivateKey,
} from './sm2.js';
import { sm3Hex } from './sm3.js';

export const SIGNED_RECORD_FORMAT = 'quayside.signed-record/1';

export interface RecordSignature {
  algorithm: 'SM2-SM3';
  /** Who signed (inspector name or id), covered by the signature. */
  signer: string;
  /** ISO 8601 time of signing, covered by the signature. */
  signed_at: string;
  /** Distinguishing ID used in Z_A. */
  signer_id: string;
  /** Uncompressed public key 04‖X‖Y, hex. */
  public_key_hex: string;
  /** SM3 of the uncompressed public key, hex. */
  public_key_fingerprint: string;
  /** SM3 of the canonical JSON that was signed, hex. */
  payload_sm3: string;
  /** DER SEQUENCE { r, s }, hex. */
  signature_der_hex: string;
}

export interface SignedPayload {
  format: typeof SIGNED_RECORD_FORMAT;
  record: unknown;
  signed_at: string;
  signer: string;
}

export function signedPayload(record: unknown, signer: string, signedAt: string): SignedPayload {
  return { format: SIGNED_RECORD_FORMAT, record, signed_at: signedAt, signer };
}

export function signRecord(record: unknown, key: Sm2PrivateKey, meta: { signer: string; signedAt: string }): RecordSignature {
  const bytes = canonicalJsonBytes(signedPayload(record, meta.signer, meta.signedAt));
  const signature = sign(key, bytes, { id: SM2_DEFAULT_ID });
  return {
    algorithm: 'SM2-SM3',
    signer: meta.signer,
    signed_at: meta.signedAt,
    signer_id: SM2_DEFAULT_ID,
    public_key_hex: publicKeyToHex(key.publicKey),
    public_key_fingerprint: publicKeyFingerprint(key.publicKey),
    payload_sm3: sm3Hex(bytes),
    signature_der_hex: signatureToDer(signature).toString('hex'),
  };
}

export type RecordVerification =
  | { ok: true }
  | { ok: false; reason: 'hash_mismatch' | 'bad_signature' | 'malformed' | 'fingerprint_mismatch'; message: string };

/** Checks the hash, the key fingerprint and the signature against `record`. Never throws. */
export function verifyRecord(record: unknown, sig: RecordSignature): RecordVerification {
  try {
    const bytes = canonicalJsonBytes(signedPayload(record, sig.signer, sig.signed_at));
    const key = publicKeyFromHex(sig.public_key_hex);
    if (publicKeyFingerprint(key) !== sig.public_key_fingerprint) {
      return { ok: false, reason: 'fingerprint_mismatch', message: 'the public key does not match its fingerprint' };
    }
    if (sm3Hex(bytes) !== sig.payload_sm3) {
      return { ok: false, reason: 'hash_mismatch', message: 'the record differs from the one that was signed (SM3 mismatch)' };
    }
    const signature = signatureFromDer(Buffer.from(sig.signature_der_hex, 'hex'));
    if (!verify(key, bytes, signature, { id: sig.signer_id })) {
      return { ok: false, reason: 'bad_signature', message: 'the SM2 signature does not verify' };
    }
    return { ok: true };
  } catch (error) {
    if (error instanceof CryptoFormatError || error instanceof CanonicalJsonError || error instanceof RangeError || error instanceof TypeError) {
      return { ok: false, reason: 'malformed', message: error.message };
    }
    throw error;
  }
}
