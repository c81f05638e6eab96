/**
 * Accounts (the first A of 4A): organisations (customs departments, enterprises with a valid USCC),
 * users with roles, local passwords (scrypt, rules, lockout), OIDC identities linked by (issuer, subject),
 * and phone numbers sealed with SM4. Every change is audited in the same transaction.
 */
import crypto from 'node:crypto';
import { sealField, openFieldText } from '../../shared/crypto/sm4.js';
import { QuaysideError } from '../../shared/errors.js';
import { parseUscc } from '../../shared/ids/uscc.js';
import type { AuditLog } from './audit.js';
import type { ConsoleDb, ConsoleTrx, OrgsTable, UsersTable } from './db.js';
import { afterFailure, afterSuccess, isLocked, type LockoutPolicy } from './lockout.js';
import { dummyHash, hashPassword, needsRehash, passwordProblems, verifyPassword, type PasswordRules, type ScryptParams } from './password.js';
import { isRole, permissionsOf, roleSetProblem, type Permission, type Role } from './permissions.js';
import { actorOf, type Principal } from './principal.js';

export type OrgKind = 'customs' | 'enterprise';
export type UserStatus = 'active' | 'pending' | 'disabled';

export interface OrgView {
  id: string;
  kind: OrgKind;
  name: string;
  uscc: string | null;
  createdAt: number;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  status: UserStatus;
  roles: Role[];
  permissions: Permission[];
  org: OrgView | null;
  identities: Array<{ issuer: string; subject: string; linkedAt: number }>;
  hasPassword: boolean;
  failedLogins: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What a session needs per request: one row of users + roles. */
export interface UserCore {
  id: string;
  username: string;
  displayName: string;
  status: UserStatus;
  orgId: string | null;
  roles: Role[];
}

export interface AccountOptions {
  db: ConsoleDb;
  audit: AuditLog;
  fieldKey: Buffer;
  rules: PasswordRules;
  scrypt: ScryptParams;
  lockout: LockoutPolicy;
  now?: () => number;
}

export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/;

function toOrg(r: OrgsTable): OrgView {
  return { id: r.id, kind: r.kind === 'enterprise' ? 'enterprise' : 'customs', name: r.name, uscc: r.uscc, createdAt: Number(r.created_at) };
}

function toStatus(s: string): UserStatus {
  return s === 'active' || s === 'pending' ? s : 'disabled';
}

export class AccountService {
  private readonly now: () => number;
  private readonly listeners: Array<(userId: string) => void> = [];

  constructor(private readonly o: AccountOptions) {
    this.now = o.now ?? Date.now;
  }

  get db(): ConsoleDb {
    return this.o.db;
  }

  /** Called with a user's id after its roles, status or password changed (caches drop what they hold). */
  onUserChanged(fn: (userId: string) => void): void {
    this.listeners.push(fn);
  }

  private changed(userId: string): void {
    for (const fn of this.listeners) fn(userId);
  }

  get rules(): PasswordRules {
    return this.o.rules;
  }

  // ── organisations ────────────────────────────────────────────────────────

  async createOrg(input: { kind: OrgKind; name: string; uscc?: string | undefined }, by: Principal): Promise<OrgView> {
    let uscc: string | null = null;
    if (input.kind === 'enterprise') {
      const parsed = parseUscc(input.uscc ?? '');
      if (!parsed.ok) throw new QuaysideError('CLOUD_AUTH_USCC', parsed.message);
      uscc = parsed.uscc;
    } else if (input.uscc !== undefined) {
      const parsed = parseUscc(input.uscc);
      if (!parsed.ok) throw new QuaysideError('CLOUD_AUTH_USCC', parsed.message);
      uscc = parsed.uscc;
    }
    const row: OrgsTable = { id: crypto.randomUUID(), kind: input.kind, name: input.name.trim(), uscc, created_at: this.now() };
    await this.o.db.transaction().execute(async (trx) => {
      if (uscc && (await trx.selectFrom('orgs').select('id').where('uscc', '=', uscc).executeTakeFirst())) {
        throw new QuaysideError('CLOUD_AUTH_ORG', `an organisation with USCC ${uscc} exists`);
      }
      await trx.insertInto('orgs').values(row).execute();
      await this.o.audit.appendIn(trx, { ...actorOf(by), action: 'org.create', targetType: 'org', targetId: row.id, enterpriseId: input.kind === 'enterprise' ? row.id : null, detail: { kind: row.kind, name: row.name, uscc } });
    });
    return toOrg(row);
  }

  async getOrg(id: string): Promise<OrgView | null> {
    const r = await this.o.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  async listOrgs(q: { kind?: OrgKind | undefined; onlyId?: string | null }): Promise<OrgView[]> {
    let query = this.o.db.selectFrom('orgs').selectAll();
    if (q.kind) query = query.where('kind', '=', q.kind);
    if (q.onlyId !== undefined && q.onlyId !== null) query = query.where('id', '=', q.onlyId);
    return (await query.orderBy('name').execute()).map(toOrg);
  }

  // ── users ────────────────────────────────────────────────────────────────

  private checkPassword(password: string, username: string): void {
    const problems = passwordProblems(password, username, this.o.rules);
    if (problems.length) throw new QuaysideError('CLOUD_AUTH_PASSWORD_RULES', problems.join('; '));
  }

  private async orgFor(trx: ConsoleTrx | ConsoleDb, orgId: string | null | undefined): Promise<OrgsTable | null> {
    if (orgId === undefined || orgId === null) return null;
    const org = await trx.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
    if (!org) throw new QuaysideError('CLOUD_AUTH_ORG', `no organisation ${orgId}`);
    return org;
  }

  private seal(userId: string, phone: string | null | undefined): string | null {
    return phone ? sealField(this.o.fieldKey, phone, `users/${userId}/phone`) : null;
  }

  async createUser(
    input: { username: string; displayName: string; email?: string | null | undefined; phone?: string | null | undefined; password?: string | undefined; roles: string[]; orgId?: string | null | undefined; status?: UserStatus },
    by: Principal,
  ): Promise<UserView> {
    const username = input.username.trim();
    if (!USERNAME_RE.test(username)) throw new QuaysideError('CLOUD_BAD_REQUEST', 'username: 3–64 characters of letters, digits and . _ @ -, starting with a letter or digit');
    if (input.password !== undefined) this.checkPassword(input.password, username);
    const hash = input.password !== undefined ? await hashPassword(input.password, this.o.scrypt) : null;
    const id = crypto.randomUUID();
    const now = this.now();
    await this.o.db.transaction().execute(async (trx) => {
      const org = await this.orgFor(trx, input.orgId);
      const problem = roleSetProblem(input.roles, org);
      if (problem) throw new QuaysideError('CLOUD_AUTH_ROLES', problem);
      if (await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) throw new QuaysideError('CLOUD_AUTH_USER_EXISTS', username);
      await trx
        .insertInto('users')
        .values({
          id,
          username,
          display_name: input.displayName.trim(),
          email: input.email ? input.email.trim().toLowerCase() : null,
          phone_sealed: this.seal(id, input.phone),
          org_id: org?.id ?? null,
          status: input.status ?? 'active',
          password_hash: hash,
          password_changed_at: hash ? now : null,
          failed_logins: 0,
          locked_until: null,
          last_login_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const roles = [...new Set(input.roles)].filter(isRole);
      if (roles.length) await trx.insertInto('user_roles').values(roles.map((role) => ({ user_id: id, role }))).execute();
      await this.o.audit.appendIn(trx, {
        ...actorOf(by),
        action: 'user.create',
        targetType: 'user',
        targetId: id,
        enterpriseId: org?.kind === 'enterprise' ? org.id : null,
        detail: { username, roles, orgId: org?.id ?? null, status: input.status ?? 'active', password: hash !== null },
      });
    });
    return (await this.getUser(id))!;
  }

  async getUser(id: string): Promise<UserView | null> {
    const r = await this.o.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return (await this.views([r]))[0]!;
  }

  async listUsers(q: { q?: string | undefined; role?: string | undefined; status?: string | undefined; orgId?: string | undefined } = {}): Promise<UserView[]> {
    let query = this.o.db.selectFrom('users').selectAll();
    if (q.q) {
      const like = `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('username', 'like', like), eb('display_name', 'like', like), eb('email', 'like', like)]));
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.orgId) query = query.where('org_id', '=', q.orgId);
    if (q.role) query = query.where('id', 'in', (eb) => eb.selectFrom('user_roles').select('user_id').where('role', '=', q.role!));
    return this.views(await query.orderBy('username').limit(5000).execute());
  }

  private async views(rows: UsersTable[]): Promise<UserView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const roles = await this.o.db.selectFrom('user_roles').selectAll().where('user_id', 'in', ids).execute();
    const idents = await this.o.db.selectFrom('user_identities').selectAll().where('user_id', 'in', ids).execute();
    const orgIds = [...new Set(rows.map((r) => r.org_id).filter((x): x is string => x !== null))];
    const orgs = orgIds.length ? await this.o.db.selectFrom('orgs').selectAll().where('id', 'in', orgIds).execute() : [];
    return rows.map((r) => {
      const rs = roles.filter((x) => x.user_id === r.id).map((x) => x.role).filter(isRole);
      const org = orgs.find((o) => o.id === r.org_id);
      let phone: string | null = null;
      if (r.phone_sealed) {
        try {
          phone = openFieldText(this.o.fieldKey, r.phone_sealed, `users/${r.id}/phone`);
        } catch {
          phone = null; // altered or a different key: never shown
        }
      }
      return {
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        email: r.email,
        phone,
        status: toStatus(r.status),
        roles: rs,
        permissions: permissionsOf(rs),
        org: org ? toOrg(org) : null,
        identities: idents.filter((i) => i.user_id === r.id).map((i) => ({ issuer: i.issuer, subject: i.subject, linkedAt: Number(i.linked_at) })),
        hasPassword: r.password_hash !== null,
        failedLogins: r.failed_logins,
        lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
        lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
        createdAt: Number(r.created_at),
        updatedAt: Number(r.updated_at),
      };
    });
  }

  /** The user behind a session, with roles; null when unknown. */
  async core(id: string): Promise<UserCore | null> {
    const rows = await this.o.db
      .selectFrom('users as u')
      .leftJoin('user_roles as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.username', 'u.display_name', 'u.status', 'u.org_id', 'r.role'])
      .where('u.id', '=', id)
      .execute();
    const first = rows[0];
    if (!first) return null;
    return { id: first.id, username: first.username, displayName: first.display_name, status: toStatus(first.status), orgId: first.org_id, roles: rows.map((r) => r.role).filter(isRole) };
  }

  async updateUser(id: string, patch: { displayName?: string | undefined; email?: string | null | undefined; phone?: string | null | undefined; status?: UserStatus | undefined }, by: Principal): Promise<UserView> {
    await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) throw new QuaysideError('CLOUD_AUTH_USER_NOT_FOUND', id);
      const set: Partial<UsersTable> = { updated_at: this.now() };
      const changed: string[] = [];
      if (patch.displayName !== undefined) (set.display_name = patch.displayName.trim()), changed.push('displayName');
      if (patch.email !== undefined) (set.email = patch.email ? patch.email.trim().toLowerCase() : null), changed.push('email');
      if (patch.phone !== undefined) (set.phone_sealed = this.seal(id, patch.phone)), changed.push('phone');
      if (patch.status !== undefined) (set.status = patch.status), changed.push('status');
      await trx.updateTable('users').set(set).where('id', '=', id).execute();
      if (patch.status && patch.status !== 'active') await trx.updateTable('sessions').set({ revoked_at: this.now() }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
      await this.o.audit.appendIn(trx, { ...actorOf(by), action: 'user.update', targetType: 'user', targetId: id, detail: { changed, ...(patch.status ? { status: { from: r.status, to: patch.status } } : {}) } });
    });
    this.changed(id);
    return (await this.getUser(id))!;
  }

  async setRoles(id: string, roles: string[], orgId: string | null | undefined, by: Principal): Promise<UserView> {
    await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) throw new QuaysideError('CLOUD_AUTH_USER_NOT_FOUND', id);
      const org = await this.orgFor(trx, orgId === undefined ? r.org_id : orgId);
      const problem = roleSetProblem(roles, org);
      if (problem) throw new QuaysideError('CLOUD_AUTH_ROLES', problem);
      const before = (await trx.selectFrom('user_roles').select('role').where('user_id', '=', id).execute()).map((x) => x.role).sort();
      const after = [...new Set(roles)].filter(isRole).sort();
      await trx.deleteFrom('user_roles').where('user_id', '=', id).execute();
      if (after.length) await trx.insertInto('user_roles').values(after.map((role) => ({ user_id: id, role }))).execute();
      await trx.updateTable('users').set({ org_id: org?.id ?? null, updated_at: this.now() }).where('id', '=', id).execute();
      await this.o.audit.appendIn(trx, {
        ...actorOf(by),
        action: 'user.roles',
        targetType: 'user',
        targetId: id,
        enterpriseId: org?.kind === 'enterprise' ? org.id : null,
        detail: { username: r.username, from: before, to: after, orgId: org?.id ?? null },
      });
    });
    this.changed(id);
    return (await this.getUser(id))!;
  }

  /** Sets a new password (admin reset or own change); sessions of the user are ended on a reset. */
  async setPassword(id: string, password: string, by: Principal, opts: { current?: string } = {}): Promise<void> {
    const r = await this.o.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_AUTH_USER_NOT_FOUND', id);
    const own = opts.current !== undefined;
    if (own && !(r.password_hash && (await verifyPassword(opts.current!, r.password_hash)))) throw new QuaysideError('CLOUD_AUTH_FAILED', 'current password is wrong');
    this.checkPassword(password, r.username);
    if (r.password_hash && (await verifyPassword(password, r.password_hash))) throw new QuaysideError('CLOUD_AUTH_PASSWORD_RULES', 'the new password must differ from the current one');
    const hash = await hashPassword(password, this.o.scrypt);
    const now = this.now();
    await this.o.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash, password_changed_at: now, failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
      if (!own) await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
      await this.o.audit.appendIn(trx, { ...actorOf(by), action: own ? 'auth.password.change' : 'auth.password.reset', targetType: 'user', targetId: id, detail: { username: r.username } });
    });
    this.changed(id);
  }

  async unlock(id: string, by: Principal): Promise<UserView> {
    await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('users').select(['username', 'locked_until', 'failed_logins']).where('id', '=', id).executeTakeFirst();
      if (!r) throw new QuaysideError('CLOUD_AUTH_USER_NOT_FOUND', id);
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: null, updated_at: this.now() }).where('id', '=', id).execute();
      await this.o.audit.appendIn(trx, { ...actorOf(by), action: 'user.unlock', targetType: 'user', targetId: id, detail: { username: r.username, failedLogins: r.failed_logins, lockedUntil: r.locked_until } });
    });
    return (await this.getUser(id))!;
  }

  // ── local login ──────────────────────────────────────────────────────────

  /**
   * Checks a username and password with lockout. Unknown user and wrong password give the same error
   * (and take the same time: a dummy hash is verified). Every outcome is audited.
   */
  async login(username: string, password: string, ip: string | null): Promise<UserCore> {
    const now = this.now();
    const name = username.trim().slice(0, 64);
    const r = await this.o.db.selectFrom('users').selectAll().where('username', '=', name).executeTakeFirst();
    const fail = async (reason: string, trxFn?: (trx: ConsoleTrx) => Promise<void>, extra: Record<string, unknown> = {}) => {
      await this.o.db.transaction().execute(async (trx) => {
        await this.o.audit.appendIn(trx, { actorId: r?.id ?? null, actor: name || '(empty)', ip, action: 'auth.login.fail', targetType: 'user', targetId: r?.id ?? null, enterpriseId: null, detail: { reason, ...extra } });
        if (trxFn) await trxFn(trx);
      });
    };
    if (!r) {
      await verifyPassword(password, await dummyHash(this.o.scrypt));
      await fail('unknown user');
      throw new QuaysideError('CLOUD_AUTH_FAILED');
    }
    const state = { failedLogins: r.failed_logins, lockedUntil: r.locked_until === null ? null : Number(r.locked_until) };
    if (isLocked(state, now)) {
      await fail('locked', undefined, { lockedUntil: state.lockedUntil });
      throw new QuaysideError('CLOUD_AUTH_LOCKED', `until ${new Date(state.lockedUntil!).toISOString()}`);
    }
    const ok = r.password_hash ? await verifyPassword(password, r.password_hash) : (await verifyPassword(password, await dummyHash(this.o.scrypt)), false);
    if (!ok) {
      const next = afterFailure(state, now, this.o.lockout);
      await fail(r.password_hash ? 'wrong password' : 'no local password', async (trx) => {
        await trx.updateTable('users').set({ failed_logins: next.failedLogins, locked_until: next.lockedUntil }).where('id', '=', r.id).execute();
        if (next.lockedNow) {
          await this.o.audit.appendIn(trx, { actorId: r.id, actor: r.username, ip, action: 'auth.lockout', targetType: 'user', targetId: r.id, detail: { failures: next.failedLogins, lockedUntil: next.lockedUntil } });
        }
      }, { failures: next.failedLogins });
      if (next.lockedNow) throw new QuaysideError('CLOUD_AUTH_LOCKED', `until ${new Date(next.lockedUntil!).toISOString()}`);
      throw new QuaysideError('CLOUD_AUTH_FAILED');
    }
    if (r.status !== 'active') {
      await fail(`account ${r.status}`);
      throw new QuaysideError('CLOUD_AUTH_PENDING', `account is ${r.status}`);
    }
    const rehash = needsRehash(r.password_hash!, this.o.scrypt) ? await hashPassword(password, this.o.scrypt) : null;
    const cleared = afterSuccess();
    await this.o.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ failed_logins: cleared.failedLogins, locked_until: cleared.lockedUntil, last_login_at: now, ...(rehash ? { password_hash: rehash } : {}) })
        .where('id', '=', r.id)
        .execute();
      await this.o.audit.appendIn(trx, { actorId: r.id, actor: r.username, ip, action: 'auth.login.ok', targetType: 'user', targetId: r.id, enterpriseId: null, detail: { via: 'password' } });
    });
    return (await this.core(r.id))!;
  }

  // ── OIDC identities ──────────────────────────────────────────────────────

  async userByIdentity(issuer: string, subject: string): Promise<UserCore | null> {
    const row = await this.o.db.selectFrom('user_identities').select('user_id').where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
    return row ? this.core(row.user_id) : null;
  }

  async userByEmail(email: string): Promise<UserCore | null> {
    const rows = await this.o.db.selectFrom('users').select('id').where('email', '=', email.trim().toLowerCase()).limit(2).execute();
    // Only an unambiguous match maps.
    return rows.length === 1 ? this.core(rows[0]!.id) : null;
  }

  async linkIdentity(userId: string, claims: { issuer: string; subject: string; email: string | null }, by: Principal, how: 'link' | 'email'): Promise<void> {
    await this.o.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('user_identities').select('user_id').where('issuer', '=', claims.issuer).where('subject', '=', claims.subject).executeTakeFirst();
      if (taken && taken.user_id !== userId) throw new QuaysideError('CLOUD_AUTH_OIDC', 'this identity is linked to another account');
      if (!taken) {
        await trx.insertInto('user_identities').values({ issuer: claims.issuer, subject: claims.subject, user_id: userId, email: claims.email, linked_at: this.now() }).execute();
      }
      await this.o.audit.appendIn(trx, { ...actorOf(by), action: 'auth.oidc.link', targetType: 'user', targetId: userId, detail: { issuer: claims.issuer, subject: claims.subject, how } });
    });
  }

  /** First login of an unknown subject: a pending account (no roles) linked to it, for a sysadmin to activate. */
  async createPendingFromOidc(claims: { issuer: string; subject: string; email: string | null; name: string | null }, ip: string | null): Promise<UserCore> {
    const base = (claims.email?.split('@')[0] ?? `oidc-${claims.subject}`).replace(/[^A-Za-z0-9._@-]/g, '').slice(0, 48) || 'oidc-user';
    let username = /^[A-Za-z0-9]/.test(base) && base.length >= 3 ? base : `u-${base}`.slice(0, 48);
    for (let i = 2; await this.o.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst(); i++) username = `${base}-${i}`;
    const id = crypto.randomUUID();
    const now = this.now();
    await this.o.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({ id, username, display_name: claims.name ?? username, email: claims.email?.toLowerCase() ?? null, phone_sealed: null, org_id: null, status: 'pending', password_hash: null, password_changed_at: null, failed_logins: 0, locked_until: null, last_login_at: null, created_at: now, updated_at: now })
        .execute();
      await trx.insertInto('user_identities').values({ issuer: claims.issuer, subject: claims.subject, user_id: id, email: claims.email, linked_at: now }).execute();
      await this.o.audit.appendIn(trx, { actorId: id, actor: username, ip, action: 'auth.oidc.pending', targetType: 'user', targetId: id, detail: { issuer: claims.issuer, subject: claims.subject, email: claims.email } });
    });
    return (await this.core(id))!;
  }

  async recordOidcLogin(u: UserCore, issuer: string, ip: string | null): Promise<void> {
    await this.o.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ last_login_at: this.now() }).where('id', '=', u.id).execute();
      await this.o.audit.appendIn(trx, { actorId: u.id, actor: u.username, ip, action: 'auth.oidc.login', targetType: 'user', targetId: u.id, detail: { issuer } });
    });
  }

  async auditOidcFailure(reason: string, ip: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.o.audit.append({ actor: '(oidc)', ip, action: 'auth.login.fail', detail: { via: 'oidc', reason, ...detail } });
  }

  /** Creates the first system administrator when there are no users at all. */
  async bootstrapAdmin(username: string, password: string): Promise<boolean> {
    const any = await this.o.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    await this.createUser({ username, displayName: username, password, roles: ['sysadmin'] }, { kind: 'token', userId: null, username: 'system', displayName: 'system', roles: [], permissions: new Set(), orgId: null, enterpriseId: null, ip: null });
    return true;
  }

  async counts(): Promise<{ customs: number; enterprise: number; pending: number }> {
    const rows = await this.o.db
      .selectFrom('users as u')
      .leftJoin('orgs as o', 'o.id', 'u.org_id')
      .select(['u.status', 'o.kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['u.status', 'o.kind'])
      .execute();
    let customs = 0;
    let enterprise = 0;
    let pending = 0;
    for (const r of rows) {
      const n = Number(r.n);
      if (r.status === 'pending') pending += n;
      else if (r.status === 'active') {
        if (r.kind === 'enterprise') enterprise += n;
        else customs += n;
      }
    }
    return { customs, enterprise, pending };
  }
}
