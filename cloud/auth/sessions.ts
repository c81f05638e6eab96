/**
 * Sessions of people in the SQL store (so several replicas share them). The cookie holds 32 random
 * bytes; the store holds only HMAC-SM3(session secret, cookie value), so a copy of the database gives
 * no usable session. A session ends at its absolute expiry, after `idleMs` without a request, at logout,
 * or when an administrator disables the user or resets the password. `last_seen_at` is written at
 * most every `touchMs`, not on every request.
 */
import crypto from 'node:crypto';
import { hmacSm3 } from '../../shared/crypto/sm3.js';
import type { ConsoleDb } from './db.js';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** How stale last_seen_at may get before a request moves it (default 30 s, at most a tenth of idleMs). */
  touchMs?: number;
  /** How often moved last_seen_at values are written (default 5 s). */
  flushMs?: number;
}

export interface SessionInfo {
  idHash: string;
  userId: string;
  csrf: string;
  via: 'password' | 'oidc';
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  idleExpiresAt: number;
}

export interface NewSession extends SessionInfo {
  /** The cookie value: exists only here and in the browser. */
  token: string;
}

export class SessionService {
  private readonly touchMs: number;
  private readonly revokedListeners: Array<(idHash: string) => void> = [];
  /** last_seen_at values not yet written. */
  private readonly touched = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: ConsoleDb,
    private readonly secret: Buffer,
    private readonly policy: SessionPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.touchMs = policy.touchMs ?? Math.min(30_000, Math.max(1, Math.floor(policy.idleMs / 10)));
    this.timer = setInterval(() => void this.flush(), policy.flushMs ?? 5000);
    this.timer.unref();
  }

  /** Writes the moved last_seen_at values (one transaction). */
  flush(): Promise<void> {
    if (this.touched.size === 0) return this.flushing;
    const batch = [...this.touched];
    this.touched.clear();
    this.flushing = this.flushing
      .then(() =>
        this.db.transaction().execute(async (trx) => {
          for (const [idHash, at] of batch) await trx.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).where('last_seen_at', '<', at).execute();
        }),
      )
      .catch(() => {
        // The store is down: keep the newest values for the next try.
        for (const [idHash, at] of batch) if ((this.touched.get(idHash) ?? 0) < at) this.touched.set(idHash, at);
      });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  hashOf(token: string): string {
    return hmacSm3(this.secret, 'quayside/session/', token).toString('hex');
  }

  async create(userId: string, via: 'password' | 'oidc', meta: { ip: string | null; userAgent: string | null }): Promise<NewSession> {
    const token = crypto.randomBytes(32).toString('base64url');
    const csrf = crypto.randomBytes(24).toString('base64url');
    const now = this.now();
    const idHash = this.hashOf(token);
    const expiresAt = now + this.policy.absoluteMs;
    await this.db
      .insertInto('sessions')
      .values({ id_hash: idHash, user_id: userId, csrf, via, created_at: now, last_seen_at: now, expires_at: expiresAt, ip: meta.ip, user_agent: meta.userAgent?.slice(0, 300) ?? null, revoked_at: null })
      .execute();
    return { token, idHash, userId, csrf, via, createdAt: now, lastSeenAt: now, expiresAt, idleExpiresAt: Math.min(expiresAt, now + this.policy.idleMs) };
  }

  /** The live session of a cookie value, or null (unknown, revoked, idle too long, past its expiry). */
  async resolve(token: string): Promise<SessionInfo | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const idHash = this.hashOf(token);
    const r = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!r || r.revoked_at !== null) return null;
    const now = this.now();
    const lastSeen = Math.max(Number(r.last_seen_at), this.touched.get(idHash) ?? 0);
    const expiresAt = Number(r.expires_at);
    if (expiresAt <= now || lastSeen + this.policy.idleMs <= now) return null;
    let seen = lastSeen;
    if (now - lastSeen >= this.touchMs) {
      this.touched.set(idHash, now);
      seen = now;
    }
    return { idHash, userId: r.user_id, csrf: r.csrf, via: r.via === 'oidc' ? 'oidc' : 'password', createdAt: Number(r.created_at), lastSeenAt: seen, expiresAt, idleExpiresAt: Math.min(expiresAt, seen + this.policy.idleMs) };
  }

  async revoke(idHash: string): Promise<void> {
    this.touched.delete(idHash);
    await this.db.updateTable('sessions').set({ revoked_at: this.now() }).where('id_hash', '=', idHash).where('revoked_at', 'is', null).execute();
    for (const fn of this.revokedListeners) fn(idHash);
  }

  /** Called after a session was ended here (logout), so caches drop it at once. */
  onRevoked(fn: (idHash: string) => void): void {
    this.revokedListeners.push(fn);
  }

  /** People with a live session seen in the last `windowMs`. */
  async onlineUsers(windowMs: number): Promise<number> {
    await this.flush();
    const now = this.now();
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', now - Math.min(windowMs, this.policy.idleMs))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes sessions and pending OIDC logins that can no longer be used. */
  async sweep(): Promise<number> {
    const now = this.now();
    const r = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - this.policy.idleMs), eb('revoked_at', '<=', now - 24 * 3600 * 1000)]))
      .executeTakeFirst();
    await this.db.deleteFrom('oidc_pending').where('expires_at', '<=', now).execute();
    return Number(r.numDeletedRows);
  }
}
