import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../shared/crypto/canonical-json.js';
import { signRecord, verifyRecord } from '../../../shared/crypto/record-signature.js';
import { generateKeyPair, publicKeyFingerprint } from '../../../shared/crypto/sm2.js';
import { sm3Hex } from '../../../shared/crypto/sm3.js';

describe('canonical JSON', () => {
  it('sorts keys at every level, drops whitespace and undefined properties', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
  });
  it('prints numbers and strings exactly as JSON does', () => {
    assert.equal(canonicalJson([0.1 + 0.2, 1e21, -0, 13.97965, 1.5e-7, 100]), '[0.30000000000000004,1e+21,0,13.97965,1.5e-7,100]');
    assert.equal(canonicalJson({ '水尺': '港水密度 "1.025"\n' }), '{"水尺":"港水密度 \\"1.025\\"\\n"}');
  });
  it('sorts keys by UTF-16 code units', () => {
    assert.equal(canonicalJson({ b: 0, B: 0, é: 0, a: 0, '10': 0, '9': 0 }), '{"10":0,"9":0,"B":0,"a":0,"b":0,"é":0}');
  });
  it('is independent of key insertion order', () => {
    assert.equal(canonicalJson({ x: 1, y: { p: 1, q: 2 } }), canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });
  it('refuses values without a faithful JSON form, naming the path', () => {
    assert.throws(() => canonicalJson({ a: [1, Number.NaN] }), /\$\.a\[1\]/);
    assert.throws(() => canonicalJson({ a: 1n }), /bigint/);
    assert.throws(() => canonicalJson([undefined]), /undefined inside an array/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), /cyclic/);
  });
  it('uses toJSON (dates as ISO strings)', () => {
    assert.equal(canonicalJson({ at: new Date('2026-03-01T08:00:00Z') }), '{"at":"2026-03-01T08:00:00.000Z"}');
  });
});

describe('signed survey record', () => {
  const key = generateKeyPair();
  const record = { survey: 'final', values: { net_displacement_t: 61234.567, cargo_t: 51234.5 }, vessel: { imo: '9074729' } };
  it('signs the canonical JSON, and verifies', () => {
    const sig = signRecord(record, key, { signer: '张三 (inspector 0042)', signedAt: '2026-03-01T10:00:00+08:00' });
    assert.equal(sig.public_key_fingerprint, publicKeyFingerprint(key.publicKey));
    assert.equal(sig.payload_sm3, sm3Hex(canonicalJson({ format: 'quayside.signed-record/1', record, signed_at: '2026-03-01T10:00:00+08:00', signer: '张三 (inspector 0042)' })));
    assert.deepEqual(verifyRecord(JSON.parse(JSON.stringify(record)), sig), { ok: true });
  });
  it('detects a changed value, a changed signer and a forged signature', () => {
    const sig = signRecord(record, key, { signer: 'A', signedAt: '2026-03-01T10:00:00Z' });
    const changed = { ...record, values: { ...record.values, cargo_t: 51234.6 } };
    assert.equal(verifyRecord(changed, sig).ok, false);
    const r1 = verifyRecord(changed, sig);
    assert.equal(!r1.ok && r1.reason, 'hash_mismatch');
    assert.equal(verifyRecord(record, { ...sig, signer: 'B' }).ok, false);
    const forged = signRecord(changed, generateKeyPair(), { signer: 'A', signedAt: '2026-03-01T10:00:00Z' });
    const r2 = verifyRecord(changed, { ...forged, public_key_hex: sig.public_key_hex, public_key_fingerprint: sig.public_key_fingerprint });
    assert.equal(!r2.ok && r2.reason, 'bad_signature');
    const r3 = verifyRecord(record, { ...sig, signature_der_hex: 'zz' });
    assert.equal(r3.ok, false);
  });
});
