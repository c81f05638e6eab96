// Password rules and scrypt hashing with stored per-user salt and parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { characterClasses, hashPassword, needsRehash, parsePasswordHash, passwordProblems, verifyPassword } from '../../../cloud/auth/password.js';

test('character classes: lower, upper, digit, other (CJK counts as other)', () => {
  assert.equal(characterClasses('abc'), 1);
  assert.equal(characterClasses('abcDEF'), 2);
  assert.equal(characterClasses('abcDEF123'), 3);
  assert.equal(characterClasses('abcDEF123!'), 4);
  assert.equal(characterClasses('海关abc123'), 3);
});

test('rules: length ≥ 10, 3 of 4 classes, not the username (nor reversed)', () => {
  assert.deepEqual(passwordProblems('Quay$ide-2026', 'insp-wang'), []);
  assert.match(passwordProblems('Ab1!xyz', 'u').join(), /at least 10 characters \(has 7\)/);
  assert.match(passwordProblems('abcdefghijkl', 'u').join(), /at least 3 of/);
  assert.match(passwordProblems('abcdefgh12', 'u').join(), /has 2/);
  assert.deepEqual(passwordProblems('abcdefgh12!', 'u'), [], '3 classes suffice');
  assert.match(passwordProblems('X1!insp-wangX', 'insp-wang').join(), /must not contain the username/);
  assert.match(passwordProblems('X1!INSP-WANGx', 'insp-wang').join(), /must not contain the username/, 'case-insensitive');
  assert.match(passwordProblems('X1!gnaw-psniX', 'insp-wang').join(), /reversed/);
  assert.equal(passwordProblems('密码很长的一句话Ab1', 'u').length, 0, 'length counts code points, CJK is a class');
  assert.deepEqual(passwordProblems('abcdefgh', 'u', { minLength: 8, minClasses: 1 }), []);
});

test('scrypt: per-user salt and parameters stored; verify right and wrong; a malformed hash never verifies', async () => {
  const a = await hashPassword('Quay$ide-2026', { N: 1024, r: 8, p: 1 });
  const b = await hashPassword('Quay$ide-2026', { N: 1024, r: 8, p: 1 });
  assert.notEqual(a, b, 'random salt');
  const parsed = parsePasswordHash(a)!;
  assert.deepEqual(parsed.params, { N: 1024, r: 8, p: 1 });
  assert.equal(parsed.salt.length, 16);
  assert.equal(parsed.key.length, 32);
  assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('Quay$ide-2026', a), true);
  assert.equal(await verifyPassword('Quay$ide-2027', a), false);
  assert.equal(await verifyPassword('Quay$ide-2026', 'sha1$abc'), false);
  assert.equal(await verifyPassword('Quay$ide-2026', 'scrypt$1000$8$1$AA==$AA=='), false, 'N not a power of two');
  assert.equal(needsRehash(a, { N: 1024, r: 8, p: 1 }), false);
  assert.equal(needsRehash(a, { N: 16384, r: 8, p: 1 }), true);
  // the default cost verifies with its own stored parameters
  const strong = await hashPassword('Another#Pass-9');
  assert.match(strong, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('Another#Pass-9', strong), true);
});

test('NFC normalisation: the same password typed in composed or decomposed form verifies', async () => {
  const h = await hashPassword('Caf\u00e9-Pass#12', { N: 1024, r: 8, p: 1 });
  assert.equal(await verifyPassword('Cafe\u0301-Pass#12', h), true);
});
