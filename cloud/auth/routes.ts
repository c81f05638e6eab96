/**
 * REST routes of 4A: /api/auth (login, logout, me, own password, OIDC), /api/users, /api/orgs, /api/audit.
 * Every route declares its permission with `permit` (docs/console-api.md lists them).
 */
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { QuaysideError, isQuaysideError } from '../../shared/errors.js';
import { handle, parseInput } from '../api/errors.js';
import type { AccountService, UserCore, UserView } from './accounts.js';
import { verifyAuditChain, type AuditLog } from './audit.js';
import type { ConsoleDb } from './db.js';
import { clearSessionCookies, permit, principalOf, requirePrincipal, sessionOf, setSessionCookies, type CookieSettings } from './http.js';
import { safeReturnTo, type OidcLogin } from './oidc.js';
import { ROLES, type Role } from './permissions.js';
import { userPrincipal, type Principal } from './principal.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import type { SessionInfo, SessionService } from './sessions.js';

export interface AuthRouteDeps {
  db: ConsoleDb;
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditLog;
  limiter: SlidingWindowLimiter;
  oidc: OidcLogin | null;
  cookies: CookieSettings;
  log: Logger;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const num = z.string().regex(/^\d+$/).transform(Number);

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
const passwordBody = z.object({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) }).strict();
const roleList = z.array(z.enum(ROLES)).max(ROLES.length);
const phone = z.string().regex(/^\+?[0-9 -]{5,20}$/, 'digits, spaces, - and an optional +');
const createUserBody = z
  .object({
    username: text(64),
    displayName: text(100),
    email: z.email().max(200).optional(),
    phone: phone.optional(),
    password: z.string().min(1).max(256).optional(),
    roles: roleList,
    orgId: z.string().min(1).max(64).nullable().optional(),
  })
  .strict();
const patchUserBody = z
  .object({ displayName: text(100).optional(), email: z.email().max(200).nullable().optional(), phone: phone.nullable().optional(), status: z.enum(['active', 'pending', 'disabled']).optional() })
  .strict();
const rolesBody = z.object({ roles: roleList, orgId: z.string().min(1).max(64).nullable().optional() }).strict();
const resetBody = z.object({ password: z.string().min(1).max(256) }).strict();
const orgBody = z.object({ kind: z.enum(['customs', 'enterprise']), name: text(200), uscc: z.string().max(30).optional() }).strict();
const auditQuery = z.object({
  action: z.string().max(64).optional(),
  actor: z.string().max(64).optional(),
  from: num.optional(),
  to: num.optional(),
  before: num.optional(),
  limit: num.pipe(z.number().int().min(1).max(1000)).optional(),
});

function sessionView(s: SessionInfo | null) {
  return s ? { via: s.via, createdAt: s.createdAt, expiresAt: s.expiresAt, idleExpiresAt: s.idleExpiresAt } : null;
}

function tokenUser(p: Principal) {
  return { id: null, username: p.username, displayName: p.displayName, roles: p.roles, permissions: [...p.permissions], org: null, status: 'active' };
}

export function authRouter(d: AuthRouteDeps): Router {
  const r = Router();

  r.get(
    '/config',
    permit('public'),
    handle((_req, res) => {
      res.json({ oidc: { enabled: d.oidc !== null, label: d.oidc?.label ?? null }, password: { minLength: d.accounts.rules.minLength, minClasses: d.accounts.rules.minClasses } });
    }),
  );

  const startSession = async (req: Request, res: Response, u: UserCore, via: 'password' | 'oidc') => {
    const s = await d.sessions.create(u.id, via, { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
    setSessionCookies(req, res, d.cookies, s);
    return s;
  };

  r.post(
    '/login',
    permit('public'),
    handle(async (req, res) => {
      const body = parseInput(loginBody, req.body, 'body');
      const key = `${req.ip ?? '?'}|${body.username.trim().toLowerCase()}`;
      const rate = d.limiter.hit(key);
      if (!rate.allowed) {
        d.log.warn({ code: 'CLOUD_AUTH_RATE_LIMITED', ip: req.ip, username: body.username.slice(0, 64) }, 'login rate limited');
        res.set('retry-after', String(rate.retryAfterS));
        throw new QuaysideError('CLOUD_AUTH_RATE_LIMITED', `retry after ${rate.retryAfterS} s`);
      }
      const u = await d.accounts.login(body.username, body.password, req.ip ?? null);
      const s = await startSession(req, res, u, 'password');
      res.json({ user: await d.accounts.getUser(u.id), csrfToken: s.csrf, session: sessionView(s) });
    }),
  );

  r.post(
    '/logout',
    permit('auth.self'),
    handle(async (req, res) => {
      const p = requirePrincipal(res);
      const s = sessionOf(res);
      if (s) {
        await d.sessions.revoke(s.idHash);
        await d.audit.append({ actorId: p.userId, actor: p.username, ip: p.ip, action: 'auth.logout', targetType: 'user', targetId: p.userId, detail: { via: s.via } });
      }
      clearSessionCookies(req, res, d.cookies);
      res.status(204).end();
    }),
  );

  r.get(
    '/me',
    permit('auth.self'),
    handle(async (_req, res) => {
      const p = requirePrincipal(res);
      const s = sessionOf(res);
      const user: UserView | ReturnType<typeof tokenUser> | null = p.userId ? await d.accounts.getUser(p.userId) : tokenUser(p);
      res.json({ user, csrfToken: s?.csrf ?? null, session: sessionView(s) });
    }),
  );

  r.post(
    '/password',
    permit('auth.self'),
    handle(async (req, res) => {
      const p = requirePrincipal(res);
      if (!p.userId) throw new QuaysideError('CLOUD_BAD_REQUEST', 'the admin token has no password');
      const body = parseInput(passwordBody, req.body, 'body');
      await d.accounts.setPassword(p.userId, body.next, p, { current: body.current });
      res.status(204).end();
    }),
  );

  r.get(
    '/oidc/start',
    permit('public'),
    handle(async (req, res) => {
      if (!d.oidc) throw new QuaysideError('CLOUD_AUTH_OIDC_DISABLED');
      const link = req.query['link'] === '1' || req.query['link'] === 'true';
      const p = principalOf(res);
      if (link && (!p || !p.userId)) throw new QuaysideError('CLOUD_AUTH_REQUIRED', 'log in before linking an identity');
      const returnTo = safeReturnTo(req.query['returnTo'], d.oidc.postLoginRedirect);
      const url = await d.oidc.start({ returnTo, linkUserId: link ? p!.userId : null });
      res.redirect(302, url.toString());
    }),
  );

  r.get(
    '/oidc/callback',
    permit('public'),
    handle(async (req, res) => {
      if (!d.oidc) throw new QuaysideError('CLOUD_AUTH_OIDC_DISABLED');
      const oidc = d.oidc;
      const ip = req.ip ?? null;
      const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
      const fail = async (e: unknown) => {
        const code = isQuaysideError(e) ? e.code : 'CLOUD_AUTH_OIDC';
        if (code !== 'CLOUD_AUTH_PENDING') await d.accounts.auditOidcFailure((e as Error).message.slice(0, 300), ip).catch(() => undefined);
        d.log.warn({ code, err: (e as Error).message }, 'OIDC login failed');
        res.redirect(302, `/login?error=${encodeURIComponent(code)}`);
      };
      let outcome;
      try {
        outcome = await oidc.finish(query);
      } catch (e) {
        return fail(e);
      }
      try {
        const { claims } = outcome;
        if (outcome.linkUserId) {
          // Linking: only for the same person still logged in.
          const p = principalOf(res);
          if (!p || p.userId !== outcome.linkUserId) throw new QuaysideError('CLOUD_AUTH_OIDC', 'the session that asked to link has ended');
          await d.accounts.linkIdentity(p.userId, claims, p, 'link');
          return res.redirect(302, outcome.returnTo);
        }
        let u = await d.accounts.userByIdentity(claims.issuer, claims.subject);
        if (!u && oidc.unknownSubject === 'email' && claims.email && claims.emailVerified !== false) {
          const byEmail = await d.accounts.userByEmail(claims.email);
          if (byEmail) {
            await d.accounts.linkIdentity(byEmail.id, claims, userPrincipal(byEmail, ip), 'email');
            u = byEmail;
          }
        }
        if (!u) {
          await d.accounts.createPendingFromOidc(claims, ip);
          throw new QuaysideError('CLOUD_AUTH_PENDING', 'a new account was created and waits for activation');
        }
        if (u.status !== 'active') throw new QuaysideError('CLOUD_AUTH_PENDING', `account is ${u.status}`);
        await d.accounts.recordOidcLogin(u, claims.issuer, ip);
        await startSession(req, res, u, 'oidc');
        res.redirect(302, outcome.returnTo);
      } catch (e) {
        return fail(e);
      }
    }),
  );
  return r;
}

export function usersRouter(d: AuthRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('users.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ q: z.string().max(100).optional(), role: z.enum(ROLES).optional(), status: z.enum(['active', 'pending', 'disabled']).optional() }), req.query, 'query');
      res.json(await d.accounts.listUsers(q));
    }),
  );
  r.post(
    '/',
    permit('users.manage'),
    handle(async (req, res) => {
      const body = parseInput(createUserBody, req.body, 'body');
      res.status(201).json(await d.accounts.createUser({ ...body, roles: body.roles as Role[] }, requirePrincipal(res)));
    }),
  );
  r.get(
    '/:id',
    permit('users.read'),
    handle(async (req, res) => {
      const u = await d.accounts.getUser(req.params['id']!);
      if (!u) throw new QuaysideError('CLOUD_AUTH_USER_NOT_FOUND', req.params['id']);
      res.json(u);
    }),
  );
  r.patch(
    '/:id',
    permit('users.manage'),
    handle(async (req, res) => {
      const body = parseInput(patchUserBody, req.body, 'body');
      res.json(await d.accounts.updateUser(req.params['id']!, body, requirePrincipal(res)));
    }),
  );
  r.put(
    '/:id/roles',
    permit('users.manage'),
    handle(async (req, res) => {
      const body = parseInput(rolesBody, req.body, 'body');
      res.json(await d.accounts.setRoles(req.params['id']!, body.roles, body.orgId, requirePrincipal(res)));
    }),
  );
  r.post(
    '/:id/password',
    permit('users.manage'),
    handle(async (req, res) => {
      const body = parseInput(resetBody, req.body, 'body');
      await d.accounts.setPassword(req.params['id']!, body.password, requirePrincipal(res));
      res.status(204).end();
    }),
  );
  r.post(
    '/:id/unlock',
    permit('users.manage'),
    handle(async (req, res) => {
      res.json(await d.accounts.unlock(req.params['id']!, requirePrincipal(res)));
    }),
  );
  return r;
}

export function orgsRouter(d: AuthRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('orgs.read'),
    handle(async (req, res) => {
      const p = requirePrincipal(res);
      const q = parseInput(z.object({ kind: z.enum(['customs', 'enterprise']).optional() }), req.query, 'query');
      res.json(await d.accounts.listOrgs({ kind: q.kind, onlyId: p.enterpriseId }));
    }),
  );
  r.post(
    '/',
    permit('orgs.manage'),
    handle(async (req, res) => {
      const body = parseInput(orgBody, req.body, 'body');
      res.status(201).json(await d.accounts.createOrg(body, requirePrincipal(res)));
    }),
  );
  r.get(
    '/:id',
    permit('orgs.read'),
    handle(async (req, res) => {
      const p = requirePrincipal(res);
      const org = await d.accounts.getOrg(req.params['id']!);
      if (!org || (p.enterpriseId !== null && org.id !== p.enterpriseId)) throw new QuaysideError('CLOUD_NOT_FOUND', `organisation ${req.params['id']}`);
      res.json(org);
    }),
  );
  return r;
}

export function auditRouter(d: AuthRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('audit.read'),
    handle(async (req, res) => {
      const q = parseInput(auditQuery, req.query, 'query');
      const limit = q.limit ?? 100;
      const entries = await d.audit.list({ ...q, limit });
      res.json({ entries, next: entries.length === limit ? entries[entries.length - 1]!.seq : null });
    }),
  );
  r.get(
    '/verify',
    permit('audit.verify'),
    handle(async (_req, res) => {
      res.json(await verifyAuditChain(d.db));
    }),
  );
  return r;
}
