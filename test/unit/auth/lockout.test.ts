// Lockout arithmetic: 5 failures lock for 15 minutes; an expired lock starts the count again; a success clears it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, afterSuccess, attemptsLeft, isLocked, type LockState } from '../../../cloud/auth/lockout.js';
import { SlidingWindowLimiter } from '../../../cloud/auth/rate-limit.js';

const policy = { maxFailures: 5, lockMs: 15 * 60_000 };
const T0 = 1_700_000_000_000;

test('the fifth consecutive failure locks for exactly lockMs', () => {
  let s: LockState = { failedLogins: 0, lockedUntil: null };
  for (let i = 1; i <= 4; i++) {
    const n = afterFailure(s, T0 + i, policy);
    assert.equal(n.lockedNow, false);
    assert.equal(n.failedLogins, i);
    assert.equal(attemptsLeft(n, T0 + i, policy), 5 - i);
    s = n;
  }
  const fifth = afterFailure(s, T0 + 5, policy);
  assert.equal(fifth.lockedNow, true);
  assert.equal(fifth.lockedUntil, T0 + 5 + 15 * 60_000);
  assert.equal(isLocked(fifth, T0 + 5 + 15 * 60_000 - 1), true);
  assert.equal(isLocked(fifth, T0 + 5 + 15 * 60_000), false, 'unlocked at the instant it runs out');
  assert.equal(attemptsLeft(fifth, T0 + 6, policy), 0);
  // a failure during the lock changes nothing (the password is not even checked then)
  const during = afterFailure(fifth, T0 + 60_000, policy);
  assert.equal(during.lockedUntil, fifth.lockedUntil);
  assert.equal(during.lockedNow, false);
});

test('after the lock runs out the count starts again; a success clears everything', () => {
  const locked: LockState = { failedLogins: 5, lockedUntil: T0 };
  const after = afterFailure(locked, T0 + 1, policy);
  assert.equal(after.failedLogins, 1);
  assert.equal(after.lockedUntil, null);
  assert.equal(attemptsLeft(locked, T0 + 1, policy), 5);
  assert.deepEqual(afterSuccess(), { failedLogins: 0, lockedUntil: null });
  const three: LockState = { failedLogins: 3, lockedUntil: null };
  assert.equal(afterFailure(three, T0, { maxFailures: 4, lockMs: 1000 }).lockedNow, true);
});

test('login rate limit: a sliding window per key, Retry-After from the oldest attempt', () => {
  let now = T0;
  const l = new SlidingWindowLimiter(3, 60_000, () => now);
  assert.equal(l.hit('ip|a').allowed, true);
  now += 10_000;
  assert.equal(l.hit('ip|a').allowed, true);
  assert.equal(l.hit('ip|a').allowed, true);
  const refused = l.hit('ip|a');
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterS, 50);
  assert.equal(l.hit('ip|b').allowed, true, 'another username');
  now = T0 + 60_001;
  assert.equal(l.hit('ip|a').allowed, true, 'the first attempt left the window');
  now += 200_000;
  l.hit('ip|c');
  assert.equal(l.size, 1, 'stale keys are swept');
});
