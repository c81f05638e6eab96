import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import {
  computeZa,
  generateKeyPair,
  messageDigest,
  privateKeyFromDer,
  privateKeyFromHex,
  privateKeyFromPem,
  privateKeyToHex,
  privateKeyToPem,
  publicKeyFingerprint,
  publicKeyFromHex,
  publicKeyFromPem,
  publicKeyToHex,
  publicKeyToPem,
  sign,
  signatureFromDer,
  signatureFromRaw,
  signatureToDer,
  signatureToRaw,
  SM2P256V1,
  verify,
  verifyDigest,
  type Sm2Curve,
} from '../../../shared/crypto/sm2.js';
import { sm3 } from '../../../shared/crypto/sm3.js';

const hex = (x: bigint): string => x.toString(16).padStart(64, '0');

// GM/T 0003.2-2012 Annex A / draft-shen-sm2-ecdsa-02: the 256-bit test curve (not the recommended one).
const TEST_CURVE: Sm2Curve = {
  name: 'gmt0003-test-fp256',
  p: 0x8542d69e4c044f18e8b92435bf6ff7de457283915c45517d722edb8b08f1dfc3n,
  a: 0x787968b4fa32c3fd2417842e73bbfeff2f3c848b6831d7e0ec65228b3937e498n,
  b: 0x63e4c6d3b23b0c849cf84241484bfe48f61d59a5b16ba06e6e12d1da27c5249an,
  gx: 0x421debd61b62eab6746434ebc3cc315e32220b3badd50bdc4c4e6c147fedd43dn,
  gy: 0x0680512bcbb42c07d47349d2153b70c4e5d7fdfcbfa36ea1a85841b9e46e09a2n,
  n: 0x8542d69e4c044f18e8b92435bf6ff7dd297720630485628d5ae74ee7c32e79b7n,
  size: 32,
};

describe('SM2 published examples', () => {
  it('GM/T 0003.2 Annex A (test curve, ID ALICE123@YAHOO.COM): Z_A, r, s', () => {
    const key = privateKeyFromHex('128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263', TEST_CURVE);
    assert.equal(computeZa(key.publicKey, 'ALICE123@YAHOO.COM').toString('hex'), 'f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a');
    const sig = sign(key, 'message digest', { id: 'ALICE123@YAHOO.COM', nonceForTesting: 0x6cb28d99385c175c94f94e934817663fc176d925dd72b727260dbaae1fb2f96fn });
    assert.equal(hex(sig.r), '40f1ec59f793d9f49e09dcef49130d4194f79fb1eed2caa55bacdb49c4e755d1');
    assert.equal(hex(sig.s), '6fc6dac32c5d5cf10c77dfb20f7c2eb667a457872fb09ec56327a67ec7deebe7');
    assert.ok(verify(key.publicKey, 'message digest', sig, { id: 'ALICE123@YAHOO.COM' }));
  });
  it('GM/T 0003.5 / GB/T 32918.5 Annex A (sm2p256v1, default ID 1234567812345678): r, s', () => {
    const key = privateKeyFromHex('3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8');
    assert.equal(publicKeyToHex(key.publicKey), '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13');
    const sig = sign(key, 'message digest', { nonceForTesting: 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n });
    assert.equal(hex(sig.r), 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3');
    assert.equal(hex(sig.s), 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa');
    assert.ok(verify(key.publicKey, 'message digest', sig));
  });
});

describe('SM2 sign / verify', () => {
  const key = generateKeyPair();
  const message = Buffer.from('{"cargo_t":51234.567,"vessel":"QUAYSIDE PIONEER"}');
  it('round trip; fails on any changed message byte, another key, another ID or a changed signature', () => {
    const sig = sign(key, message);
    assert.ok(verify(key.publicKey, message, sig));
    for (const i of [0, 10, message.length - 1]) {
      const changed = Buffer.from(message);
      changed[i] = changed[i]! ^ 0x01;
      assert.equal(verify(key.publicKey, changed, sig), false, `byte ${i}`);
    }
    assert.equal(verify(generateKeyPair().publicKey, message, sig), false);
    assert.equal(verify(key.publicKey, message, sig, { id: 'ALICE123@YAHOO.COM' }), false);
    assert.equal(verify(key.publicKey, message, { r: sig.r, s: sig.s ^ 1n }), false);
    assert.equal(verify(key.publicKey, message, { r: 0n, s: sig.s }), false);
    assert.equal(verify(key.publicKey, message, { r: sig.r, s: SM2P256V1.n }), false);
  });
  it('signatures are randomised but all verify', () => {
    const a = sign(key, message);
    const b = sign(key, message);
    assert.notEqual(a.r, b.r);
    assert.ok(verify(key.publicKey, message, b));
  });
  it('DER and raw 64-byte encodings round-trip; malformed DER is refused', () => {
    const sig = sign(key, message);
    assert.deepEqual(signatureFromDer(signatureToDer(sig)), sig);
    const raw = signatureToRaw(sig);
    assert.equal(raw.length, 64);
    assert.deepEqual(signatureFromRaw(raw), sig);
    const der = signatureToDer(sig);
    assert.throws(() => signatureFromDer(Buffer.concat([der, Buffer.from([0])])), /trailing/);
    assert.throws(() => signatureFromDer(der.subarray(0, der.length - 1)));
  });
  it('keys: hex, compressed hex, PEM (PKCS#8, SPKI) round trips; Node reads our PEM and we read Node’s', () => {
    assert.equal(privateKeyFromHex(privateKeyToHex(key)).d, key.d);
    const compressed = publicKeyFromHex(publicKeyToHex(key.publicKey, true));
    assert.equal(compressed.y, key.publicKey.y);
    assert.equal(publicKeyFromPem(publicKeyToPem(key.publicKey)).x, key.publicKey.x);
    assert.equal(privateKeyFromPem(privateKeyToPem(key)).d, key.d);
    const nodeKey = crypto.createPrivateKey(privateKeyToPem(key));
    assert.equal(crypto.createPublicKey(nodeKey).export({ format: 'pem', type: 'spki' }), publicKeyToPem(key.publicKey));
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const fromNode = privateKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    assert.equal(publicKeyToPem(fromNode.publicKey), crypto.createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }));
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    assert.equal(privateKeyFromPem(sec1).d, fromNode.d);
    assert.equal(privateKeyFromDer(privateKey.export({ format: 'der', type: 'pkcs8' })).d, fromNode.d);
    assert.throws(() => publicKeyFromHex('04' + '11'.repeat(64)), /not a point/);
    assert.match(publicKeyFingerprint(key.publicKey), /^[0-9a-f]{64}$/);
  });
});

describe("Node's built-in SM2 (OpenSSL 3.0) and Z_A", () => {
  // Node's crypto.sign('sm3', M, sm2Key) hashes SM3(Z ‖ M) with Z computed over an EMPTY ID
  // (ENTL = 0): it cannot set the distinguishing ID, so it never uses the standard's default
  // "1234567812345678" that GmSSL, BouncyCastle and GM/T 0009 use. These tests pin that down.
  const key = generateKeyPair();
  const nodePrivate = crypto.createPrivateKey(privateKeyToPem(key));
  const nodePublic = crypto.createPublicKey(publicKeyToPem(key.publicKey));
  const message = Buffer.from('draft survey 2026-03-01 initial');

  it("Node's signature verifies here only with e = SM3(Z_A(ID = '') ‖ M), not with the default ID nor without Z", () => {
    const nodeSig = signatureFromDer(crypto.sign('sm3', message, nodePrivate));
    assert.ok(verifyDigest(key.publicKey, messageDigest(key.publicKey, message, ''), nodeSig));
    assert.equal(verifyDigest(key.publicKey, messageDigest(key.publicKey, message), nodeSig), false);
    assert.equal(verifyDigest(key.publicKey, sm3(message), nodeSig), false);
  });
  it('cross-verification: our signature with the same (empty) ID verifies in OpenSSL via Node', () => {
    const ours = sign(key, message, { id: '' });
    assert.ok(crypto.verify('sm3', message, nodePublic, signatureToDer(ours)));
  });
  it('our standard (default-ID) signature does not verify in Node, which proves Node does not use the default ID', () => {
    const ours = sign(key, message);
    assert.equal(crypto.verify('sm3', message, nodePublic, signatureToDer(ours)), false);
  });
});
