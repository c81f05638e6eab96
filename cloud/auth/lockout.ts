/**
 * Lockout arithmetic, pure: after `maxFailures` consecutive failed logins the account is locked for
 * `lockMs`; a lock that has run out counts as no failures (a fresh start); a success clears the count.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

export interface LockState {
  failedLogins: number;
  lockedUntil: number | null;
}

export function isLocked(s: LockState, now: number): boolean {
  return s.lockedUntil !== null && s.lockedUntil > now;
}

/** The state after one more failure at `now`; `lockedNow` says this failure started a lock. */
export function afterFailure(s: LockState, now: number, policy: LockoutPolicy): LockState & { lockedNow: boolean } {
  if (isLocked(s, now)) return { ...s, lockedNow: false };
  // A lock that expired starts the count again.
  const previous = s.lockedUntil !== null && s.lockedUntil <= now ? 0 : s.failedLogins;
  const failedLogins = previous + 1;
  if (failedLogins >= policy.maxFailures) return { failedLogins, lockedUntil: now + policy.lockMs, lockedNow: true };
  return { failedLogins, lockedUntil: null, lockedNow: false };
}

export function afterSuccess(): LockState {
  return { failedLogins: 0, lockedUntil: null };
}

/** Failures left before a lock (0 while locked). */
export function attemptsLeft(s: LockState, now: number, policy: LockoutPolicy): number {
  if (isLocked(s, now)) return 0;
  const count = s.lockedUntil !== null && s.lockedUntil <= now ? 0 : s.failedLogins;
  return Math.max(0, policy.maxFailures - count);
}
