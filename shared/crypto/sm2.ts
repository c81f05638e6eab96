/**
 * SM2 digital signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) over the recommended curve
 * sm2p256v1 (GB/T 32918.5-2017), in BigInt arithmetic.
 *
 *   Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)      ENTL_A = bit length of ID_A, 2 bytes
 *   e   = SM3(Z_A ‖ M)
 *   sign:   k ∈ [1, n−1] random; (x₁, y₁) = [k]G; r = (e + x₁) mod n, retry if r = 0 or r + k = n;
 *           s = (1 + d)⁻¹·(k − r·d) mod n, retry if s = 0
 *   verify: r, s ∈ [1, n−1]; t = (r + s) mod n ≠ 0; (x₁, y₁) = [s]G + [t]P_A; accept iff (e + x₁) mod n = r
 *
 * The distinguishing ID defaults to "1234567812345678" (GM/T 0009-2012 §10).
 *
 * Why not Node's built-in SM2: `crypto.sign('sm3', M, sm2Key)` in Node 20 / OpenSSL 3.0 prefixes a
 * Z value computed with an EMPTY distinguishing ID (ENTL = 0), because Node offers no way to set the
 * ID (OpenSSL's `EVP_PKEY_CTX_set1_id` / `distid`). Its signatures therefore verify only against
 * e = SM3(Z_A("") ‖ M), and not against the standard's default-ID Z_A that other SM2 implementations
 * (GmSSL, BouncyCastle, the standard's own example) use. test/unit/crypto/sm2.test.ts demonstrates
 * this. The arithmetic here is not constant-time (BigInt); it signs reports on a gateway the
 * inspector controls, not on a shared host exposed to timing attackers.
 */
import { randomBytes } from 'node:crypto';
import {
  bitString,
  children,
  CryptoFormatError,
  expectTag,
  fromPem,
  integer,
  octetString,
  oid,
  readNode,
  readUnsignedInteger,
  sequence,
  TAG,
  tlv,
  toPem,
} from './der.js';
import { sm3, type BytesLike } from './sm3.js';

export { CryptoFormatError } from './der.js';

export interface Sm2Curve {
  name: string;
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  /** Bytes of one field element / scalar. */
  size: number;
}

/** The recommended curve sm2p256v1, GB/T 32918.5-2017. */
export const SM2P256V1: Sm2Curve = {
  name: 'sm2p256v1',
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
  size: 32,
};

/** Default distinguishing ID, GM/T 0009-2012 §10. */
export const SM2_DEFAULT_ID = '1234567812345678';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SM2 = '1.2.156.10197.1.301';

export interface Sm2PublicKey {
  readonly curve: Sm2Curve;
  readonly x: bigint;
  readonly y: bigint;
}

export interface Sm2PrivateKey {
  readonly curve: Sm2Curve;
  readonly d: bigint;
  readonly publicKey: Sm2PublicKey;
}

export interface Sm2Signature {
  r: bigint;
  s: bigint;
}

export interface Sm2SignOptions {
  /** Distinguishing ID of the signer; default "1234567812345678". Strings are UTF-8. */
  id?: BytesLike;
  /** Fixed nonce k — ONLY for reproducing published test vectors; never in production. */
  nonceForTesting?: bigint;
}

export interface Sm2VerifyOptions {
  id?: BytesLike;
}

// ---------------------------------------------------------------- field and curve arithmetic

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a⁻¹ mod m by the extended Euclidean algorithm; m prime, a ≠ 0 mod m. */
function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return mod(oldS, m);
}

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Jacobian point (X/Z², Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

const INFINITY: Jacobian = { X: 1n, Y: 1n, Z: 0n };

function jDouble(c: Sm2Curve, P: Jacobian): Jacobian {
  const { p } = c;
  if (P.Z === 0n || P.Y === 0n) return INFINITY;
  const YY = (P.Y * P.Y) % p;
  const S = (4n * P.X * YY) % p;
  const ZZ = (P.Z * P.Z) % p;
  const M = mod(3n * P.X * P.X + c.a * ZZ * ZZ, p);
  const X = mod(M * M - 2n * S, p);
  const Y = mod(M * (S - X) - 8n * YY * YY, p);
  const Z = (2n * P.Y * P.Z) % p;
  return { X, Y, Z };
}

function jAdd(c: Sm2Curve, P: Jacobian, Q: Jacobian): Jacobian {
  const { p } = c;
  if (P.Z === 0n) return Q;
  if (Q.Z === 0n) return P;
  const Z1Z1 = (P.Z * P.Z) % p;
  const Z2Z2 = (Q.Z * Q.Z) % p;
  const U1 = (P.X * Z2Z2) % p;
  const U2 = (Q.X * Z1Z1) % p;
  const S1 = (P.Y * Q.Z * Z2Z2) % p;
  const S2 = (Q.Y * P.Z * Z1Z1) % p;
  if (U1 === U2) return S1 === S2 ? jDouble(c, P) : INFINITY;
  const H = mod(U2 - U1, p);
  const R = mod(S2 - S1, p);
  const HH = (H * H) % p;
  const HHH = (H * HH) % p;
  const V = (U1 * HH) % p;
  const X = mod(R * R - HHH - 2n * V, p);
  const Y = mod(R * (V - X) - S1 * HHH, p);
  const Z = (H * P.Z * Q.Z) % p;
  return { X, Y, Z };
}

function toAffine(c: Sm2Curve, P: Jacobian): { x: bigint; y: bigint } | null {
  if (P.Z === 0n) return null;
  const zInv = inverse(P.Z, c.p);
  const zInv2 = (zInv * zInv) % c.p;
  return { x: (P.X * zInv2) % c.p, y: (P.Y * zInv2 * zInv) % c.p };
}

function fromAffine(x: bigint, y: bigint): Jacobian {
  return { X: x, Y: y, Z: 1n };
}

/** [k₁]P₁ + [k₂]P₂ by interleaved double-and-add (Shamir's trick). */
function mulAdd(c: Sm2Curve, k1: bigint, P1: Jacobian, k2: bigint, P2: Jacobian): Jacobian {
  const both = jAdd(c, P1, P2);
  let acc = INFINITY;
  const bits = Math.max(k1.toString(2).length, k2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    acc = jDouble(c, acc);
    const b1 = (k1 >> BigInt(i)) & 1n;
    const b2 = (k2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = jAdd(c, acc, both);
    else if (b1) acc = jAdd(c, acc, P1);
    else if (b2) acc = jAdd(c, acc, P2);
  }
  return acc;
}

function baseMul(c: Sm2Curve, k: bigint): { x: bigint; y: bigint } | null {
  return toAffine(c, mulAdd(c, k, fromAffine(c.gx, c.gy), 0n, INFINITY));
}

export function isOnCurve(c: Sm2Curve, x: bigint, y: bigint): boolean {
  if (x < 0n || x >= c.p || y < 0n || y >= c.p) return false;
  return mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;
}

// ---------------------------------------------------------------- byte helpers

function toBytes(value: bigint, size: number): Buffer {
  const hex = value.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('integer too large for its field');
  return Buffer.from(hex, 'hex');
}

function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function idBytes(id: BytesLike | undefined): Buffer {
  const raw = id ?? SM2_DEFAULT_ID;
  return Buffer.from(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
}

function cleanHex(text: string, what: string): Buffer {
  const hex = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CryptoFormatError(`${what}: not an even-length hex string`);
  return Buffer.from(hex, 'hex');
}

// ---------------------------------------------------------------- keys

function randomScalar(c: Sm2Curve, max: bigint): bigint {
  for (;;) {
    const k = fromBytes(randomBytes(c.size));
    if (k >= 1n && k <= max) return k;
  }
}

function assertPublicKey(c: Sm2Curve, x: bigint, y: bigint): Sm2PublicKey {
  if (!isOnCurve(c, x, y)) throw new CryptoFormatError(`public key is not a point on ${c.name}`);
  return { curve: c, x, y };
}

/** The key pair for a private scalar d ∈ [1, n−2]. */
export function privateKeyFromScalar(d: bigint, curve: Sm2Curve = SM2P256V1): Sm2PrivateKey {
  if (d < 1n || d > curve.n - 2n) throw new CryptoFormatError('SM2 private key must lie in [1, n−2]');
  const P = baseMul(curve, d);
  if (!P) throw new CryptoFormatError('private key gives the point at infinity');
  return { curve, d, publicKey: { curve, x: P.x, y: P.y } };
}

/** A fresh key pair from Node's CSPRNG. */
export function generateKeyPair(curve: Sm2Curve = SM2P256V1): Sm2PrivateKey {
  return privateKeyFromScalar(randomScalar(curve, curve.n - 2n), curve);
}

/** 64 hex digits (32 bytes, big-endian). */
export function privateKeyToHex(key: Sm2PrivateKey): string {
  return toBytes(key.d, key.curve.size).toString('hex');
}

export function privateKeyFromHex(hex: string, curve: Sm2Curve = SM2P256V1): Sm2PrivateKey {
  const bytes = cleanHex(hex, 'SM2 private key');
  if (bytes.length !== curve.size) throw new CryptoFormatError(`SM2 private key must be ${curve.size} bytes, got ${bytes.length}`);
  return privateKeyFromScalar(fromBytes(bytes), curve);
}

/** Uncompressed point 04‖X‖Y (65 bytes), or compressed 02/03‖X (33 bytes). */
export function publicKeyToBytes(key: Sm2PublicKey, compressed = false): Buffer {
  const size = key.curve.size;
  if (compressed) return Buffer.concat([Uint8Array.of(key.y & 1n ? 0x03 : 0x02), toBytes(key.x, size)]);
  return Buffer.concat([Uint8Array.of(0x04), toBytes(key.x, size), toBytes(key.y, size)]);
}

export function publicKeyToHex(key: Sm2PublicKey, compressed = false): string {
  return publicKeyToBytes(key, compressed).toString('hex');
}

/** Accepts 04‖X‖Y, bare X‖Y (64 bytes) or compressed 02/03‖X. */
export function publicKeyFromBytes(bytes: Uint8Array, curve: Sm2Curve = SM2P256V1): Sm2PublicKey {
  const size = curve.size;
  const b = Buffer.from(bytes);
  if (b.length === 2 * size + 1 && b[0] === 0x04) return assertPublicKey(curve, fromBytes(b.subarray(1, 1 + size)), fromBytes(b.subarray(1 + size)));
  if (b.length === 2 * size) return assertPublicKey(curve, fromBytes(b.subarray(0, size)), fromBytes(b.subarray(size)));
  if (b.length === size + 1 && (b[0] === 0x02 || b[0] === 0x03)) {
    const x = fromBytes(b.subarray(1));
    if (x >= curve.p) throw new CryptoFormatError('compressed public key x is not a field element');
    if (curve.p % 4n !== 3n) throw new CryptoFormatError('point decompression needs p ≡ 3 (mod 4)');
    const rhs = mod(x * x * x + curve.a * x + curve.b, curve.p);
    let y = modPow(rhs, (curve.p + 1n) / 4n, curve.p);
    if ((y * y) % curve.p !== rhs) throw new CryptoFormatError('compressed public key is not on the curve');
    if ((y & 1n) !== BigInt(b[0]! & 1)) y = curve.p - y;
    return assertPublicKey(curve, x, y);
  }
  throw new CryptoFormatError(`SM2 public key must be 65 (04‖X‖Y), 64 (X‖Y) or 33 (compressed) bytes, got ${b.length}`);
}

export function publicKeyFromHex(hex: string, curve: Sm2Curve = SM2P256V1): Sm2PublicKey {
  return publicKeyFromBytes(cleanHex(hex, 'SM2 public key'), curve);
}

/** SM3 of the uncompressed public key, hex: a short, stable name for a signer's key. */
export function publicKeyFingerprint(key: Sm2PublicKey): string {
  return sm3(publicKeyToBytes(key)).toString('hex');
}

function algorithmIdentifier(): Buffer {
  return sequence(oid(OID_EC_PUBLIC_KEY), oid(OID_SM2));
}

/** SubjectPublicKeyInfo DER (id-ecPublicKey with the sm2p256v1 parameters), as OpenSSL writes it. */
export function publicKeyToDer(key: Sm2PublicKey): Buffer {
  assertRecommendedCurve(key.curve);
  return sequence(algorithmIdentifier(), bitString(publicKeyToBytes(key)));
}

export function publicKeyToPem(key: Sm2PublicKey): string {
  return toPem('PUBLIC KEY', publicKeyToDer(key));
}

function checkAlgorithm(node: Parameters<typeof expectTag>[0], what: string): void {
  const [algorithm, parameters] = children(expectTag(node, TAG.SEQUENCE, what).value, what);
  const want = [oid(OID_EC_PUBLIC_KEY), oid(OID_SM2)];
  if (!algorithm || !Buffer.from(tlv(algorithm.tag, algorithm.value)).equals(want[0]!)) throw new CryptoFormatError(`${what}: not an EC key`);
  if (!parameters || !Buffer.from(tlv(parameters.tag, parameters.value)).equals(want[1]!)) throw new CryptoFormatError(`${what}: the curve is not sm2p256v1`);
}

export function publicKeyFromDer(der: Uint8Array): Sm2PublicKey {
  const what = 'SM2 SubjectPublicKeyInfo';
  const top = readNode(Buffer.from(der), 0, what);
  const [algorithm, key] = children(expectTag(top, TAG.SEQUENCE, what).value, what);
  checkAlgorithm(algorithm, what);
  const bits = expectTag(key, TAG.BIT_STRING, what).value;
  if (bits[0] !== 0) throw new CryptoFormatError(`${what}: BIT STRING has unused bits`);
  return publicKeyFromBytes(bits.subarray(1));
}

export function publicKeyFromPem(pem: string): Sm2PublicKey {
  const { label, der } = fromPem(pem);
  if (label !== 'PUBLIC KEY') throw new CryptoFormatError(`expected a PUBLIC KEY PEM block, found ${label}`);
  return publicKeyFromDer(der);
}

/** SEC1 ECPrivateKey: version 1, d, [1] public key. */
function ecPrivateKey(key: Sm2PrivateKey, withParameters: boolean): Buffer {
  const parts = [integer(1n), octetString(toBytes(key.d, key.curve.size))];
  if (withParameters) parts.push(tlv(TAG.CONTEXT_0, oid(OID_SM2)));
  parts.push(tlv(TAG.CONTEXT_1, bitString(publicKeyToBytes(key.publicKey))));
  return sequence(...parts);
}

/** PKCS#8 PrivateKeyInfo DER. */
export function privateKeyToDer(key: Sm2PrivateKey): Buffer {
  assertRecommendedCurve(key.curve);
  return sequence(integer(0n), algorithmIdentifier(), octetString(ecPrivateKey(key, false)));
}

/** PKCS#8 PEM ("PRIVATE KEY"), which Node's crypto.createPrivateKey and OpenSSL read. */
export function privateKeyToPem(key: Sm2PrivateKey): string {
  return toPem('PRIVATE KEY', privateKeyToDer(key));
}

function readEcPrivateKey(der: Buffer, what: string): Sm2PrivateKey {
  const top = readNode(der, 0, what);
  const [version, secret, ...optional] = children(expectTag(top, TAG.SEQUENCE, what).value, what);
  if (readUnsignedInteger(version, what) !== 1n) throw new CryptoFormatError(`${what}: version must be 1`);
  const d = expectTag(secret, TAG.OCTET_STRING, what).value;
  const key = privateKeyFromScalar(fromBytes(d));
  for (const node of optional) {
    if (node.tag === TAG.CONTEXT_0) {
      const curveOid = readNode(node.value, 0, what);
      if (!Buffer.from(tlv(curveOid.tag, curveOid.value)).equals(oid(OID_SM2))) throw new CryptoFormatError(`${what}: the curve is not sm2p256v1`);
    } else if (node.tag === TAG.CONTEXT_1) {
      const bits = expectTag(readNode(node.value, 0, what), TAG.BIT_STRING, what).value;
      const declared = publicKeyFromBytes(bits.subarray(1));
      if (declared.x !== key.publicKey.x || declared.y !== key.publicKey.y) {
        throw new CryptoFormatError(`${what}: the embedded public key does not belong to the private key`);
      }
    }
  }
  return key;
}

export function privateKeyFromDer(der: Uint8Array): Sm2PrivateKey {
  const what = 'SM2 PKCS#8 PrivateKeyInfo';
  const top = readNode(Buffer.from(der), 0, what);
  const [version, algorithm, privateKey] = children(expectTag(top, TAG.SEQUENCE, what).value, what);
  if (readUnsignedInteger(version, what) !== 0n) throw new CryptoFormatError(`${what}: version must be 0`);
  checkAlgorithm(algorithm, what);
  return readEcPrivateKey(expectTag(privateKey, TAG.OCTET_STRING, what).value, 'SM2 ECPrivateKey');
}

/** Reads PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM. Encrypted keys are not supported. */
export function privateKeyFromPem(pem: string): Sm2PrivateKey {
  const { label, der } = fromPem(pem);
  if (label === 'PRIVATE KEY') return privateKeyFromDer(der);
  if (label === 'EC PRIVATE KEY') return readEcPrivateKey(der, 'SM2 ECPrivateKey');
  throw new CryptoFormatError(`expected a PRIVATE KEY or EC PRIVATE KEY PEM block, found ${label}`);
}

function assertRecommendedCurve(c: Sm2Curve): void {
  if (c !== SM2P256V1) throw new CryptoFormatError('only sm2p256v1 keys have a DER/PEM encoding here');
}

// ---------------------------------------------------------------- Z_A, e, sign, verify

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A). */
export function computeZa(key: Sm2PublicKey, id?: BytesLike): Buffer {
  const c = key.curve;
  const ida = idBytes(id);
  const entl = ida.length * 8;
  if (entl > 0xffff) throw new RangeError('SM2 distinguishing ID is longer than 8191 bytes');
  return sm3(
    Uint8Array.of(entl >> 8, entl & 0xff),
    ida,
    toBytes(c.a, c.size),
    toBytes(c.b, c.size),
    toBytes(c.gx, c.size),
    toBytes(c.gy, c.size),
    toBytes(key.x, c.size),
    toBytes(key.y, c.size),
  );
}

/** e = SM3(Z_A ‖ M), the digest the signature is computed on. */
export function messageDigest(key: Sm2PublicKey, message: BytesLike, id?: BytesLike): Buffer {
  return sm3(computeZa(key, id), message);
}

/** Signs a precomputed digest e (normally from `messageDigest`). */
export function signDigest(key: Sm2PrivateKey, e: Uint8Array, nonceForTesting?: bigint): Sm2Signature {
  const c = key.curve;
  const eInt = fromBytes(e);
  const dInv = inverse(1n + key.d, c.n);
  for (;;) {
    const k = nonceForTesting ?? randomScalar(c, c.n - 1n);
    if (k < 1n || k >= c.n) throw new RangeError('nonce out of range');
    const point = baseMul(c, k);
    if (!point) throw new Error('unreachable: [k]G at infinity for k in [1, n−1]');
    const r = mod(eInt + point.x, c.n);
    if (r !== 0n && r + k !== c.n) {
      const s = mod(dInv * (k - r * key.d), c.n);
      if (s !== 0n) return { r, s };
    }
    if (nonceForTesting !== undefined) throw new RangeError('the fixed nonce gives r = 0, r + k = n or s = 0');
  }
}

/** Verifies (r, s) against a precomputed digest e. Never throws for a bad signature. */
export function verifyDigest(key: Sm2PublicKey, e: Uint8Array, sig: Sm2Signature): boolean {
  const c = key.curve;
  const { r, s } = sig;
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return false;
  if (!isOnCurve(c, key.x, key.y)) return false;
  const t = mod(r + s, c.n);
  if (t === 0n) return false;
  const point = toAffine(c, mulAdd(c, s, fromAffine(c.gx, c.gy), t, fromAffine(key.x, key.y)));
  if (!point) return false;
  return mod(fromBytes(e) + point.x, c.n) === r;
}

/** SM2 signature of `message` (UTF-8 if a string) by `key`, with Z_A over the signer's ID. */
export function sign(key: Sm2PrivateKey, message: BytesLike, options: Sm2SignOptions = {}): Sm2Signature {
  return signDigest(key, messageDigest(key.publicKey, message, options.id), options.nonceForTesting);
}

export function verify(key: Sm2PublicKey, message: BytesLike, sig: Sm2Signature, options: Sm2VerifyOptions = {}): boolean {
  return verifyDigest(key, messageDigest(key, message, options.id), sig);
}

// ---------------------------------------------------------------- signature encodings

/** r‖s, 32 bytes each (64 bytes for sm2p256v1). */
export function signatureToRaw(sig: Sm2Signature, curve: Sm2Curve = SM2P256V1): Buffer {
  return Buffer.concat([toBytes(sig.r, curve.size), toBytes(sig.s, curve.size)]);
}

export function signatureFromRaw(raw: Uint8Array, curve: Sm2Curve = SM2P256V1): Sm2Signature {
  if (raw.length !== 2 * curve.size) throw new CryptoFormatError(`raw SM2 signature must be ${2 * curve.size} bytes, got ${raw.length}`);
  return { r: fromBytes(raw.subarray(0, curve.size)), s: fromBytes(raw.subarray(curve.size)) };
}

/** SEQUENCE { INTEGER r, INTEGER s } (GM/T 0009-2012 SM2Signature), as OpenSSL and Node produce. */
export function signatureToDer(sig: Sm2Signature): Buffer {
  return sequence(integer(sig.r), integer(sig.s));
}

export function signatureFromDer(der: Uint8Array): Sm2Signature {
  const what = 'SM2 DER signature';
  const buf = Buffer.from(der);
  const top = readNode(buf, 0, what);
  if (top.end !== buf.length) throw new CryptoFormatError(`${what}: trailing bytes`);
  const parts = children(expectTag(top, TAG.SEQUENCE, what).value, what);
  if (parts.length !== 2) throw new CryptoFormatError(`${what}: expected exactly r and s`);
  return { r: readUnsignedInteger(parts[0], `${what} r`), s: readUnsignedInteger(parts[1], `${what} s`) };
}

/** Reads a signature from hex in the stated encoding. */
export function signatureFromHex(hex: string, encoding: 'raw' | 'der', curve: Sm2Curve = SM2P256V1): Sm2Signature {
  const bytes = cleanHex(hex, 'SM2 signature');
  return encoding === 'raw' ? signatureFromRaw(bytes, curve) : signatureFromDer(bytes);
}
