/**
 * The HTTP side of 4A: who is calling (session cookie or admin token), CSRF for state-changing requests
 * made with a session cookie (double submit: the `x-csrf-token` header must equal the session's token,
 * which the browser also holds in the readable `qs_csrf` cookie), and `permit(permission)`, which every
 * route declares. `permit` functions carry their permission as a property, so a walk over the router
 * can prove that no route was registered without one (cloud/auth/route-walk.ts).
 */
import crypto from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { QuaysideError } from '../../shared/errors.js';
import type { AccountService, UserCore } from './accounts.js';
import type { RouteAccess } from './permissions.js';
import { tokenPrincipal, userPrincipal, type Principal } from './principal.js';
import type { SessionInfo, SessionService } from './sessions.js';

export interface CookieSettings {
  cookieName: string;
  csrfCookieName: string;
  secure: boolean | 'auto';
}

export interface AuthHttpDeps {
  accounts: AccountService;
  sessions: SessionService;
  adminToken: string;
  cookies: CookieSettings;
}

/** Requests a session cookie may make without the CSRF header (they create the session). */
const CSRF_EXEMPT = new Set(['POST /api/auth/login']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(value));
      } catch {
        out.set(name, value);
      }
    }
  }
  return out;
}

function sameToken(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y) && a.length === b.length;
}

function bearer(req: Request): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  return m ? m[1]!.trim() : null;
}

export function principalOf(res: Response): Principal | null {
  return (res.locals['principal'] as Principal | undefined) ?? null;
}

export function sessionOf(res: Response): SessionInfo | null {
  return (res.locals['session'] as SessionInfo | undefined) ?? null;
}

/** The caller, or CLOUD_AUTH_REQUIRED. */
export function requirePrincipal(res: Response): Principal {
  const p = principalOf(res);
  if (!p) throw new QuaysideError('CLOUD_AUTH_REQUIRED');
  return p;
}

/** How long a resolved session is reused without asking the store again (this process; other replicas see changes after it). */
const CACHE_MS = 2000;
const CACHE_MAX = 20_000;

/**
 * Resolves the caller for every request (it never refuses by itself, except a state-changing request
 * with a live session and no valid CSRF header). Sets res.locals.principal and res.locals.session.
 * A resolved session is kept for up to 2 s (never past its idle or absolute expiry); logout and any
 * change of the user's roles, status or password drop it at once.
 */
export function authenticate(deps: AuthHttpDeps): RequestHandler {
  const cache = new Map<string, { at: number; session: SessionInfo; user: UserCore }>();
  deps.accounts.onUserChanged((userId) => {
    for (const [k, v] of cache) if (v.user.id === userId) cache.delete(k);
  });
  deps.sessions.onRevoked((idHash) => {
    for (const [k, v] of cache) if (v.session.idHash === idHash) cache.delete(k);
  });
  const lookup = async (cookie: string): Promise<{ session: SessionInfo; user: UserCore } | null> => {
    const now = Date.now();
    const hit = cache.get(cookie);
    if (hit && now - hit.at < CACHE_MS && now < hit.session.idleExpiresAt && now < hit.session.expiresAt) return hit;
    cache.delete(cookie);
    const session = await deps.sessions.resolve(cookie);
    if (!session) return null;
    const user = await deps.accounts.core(session.userId);
    if (!user || user.status !== 'active') return null;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(cookie, { at: now, session, user });
    return { session, user };
  };
  const fn: RequestHandler = (req, res, next) => {
    const token = bearer(req);
    if (token !== null) {
      if (sameToken(token, deps.adminToken)) res.locals['principal'] = tokenPrincipal(req.ip ?? null);
      return next();
    }
    const cookie = parseCookies(req.headers.cookie).get(deps.cookies.cookieName);
    if (!cookie) return next();
    lookup(cookie)
      .then((found) => {
        if (!found) return next();
        const s = found.session;
        res.locals['principal'] = userPrincipal(found.user, req.ip ?? null);
        res.locals['session'] = s;
        if (!SAFE_METHODS.has(req.method) && !CSRF_EXEMPT.has(`${req.method} ${req.path}`)) {
          const header = req.get('x-csrf-token');
          if (!header || !sameToken(header, s.csrf)) return next(new QuaysideError('CLOUD_AUTH_CSRF'));
        }
        next();
      })
      .catch(next);
  };
  return fn;
}

export type PermitHandler = RequestHandler & { readonly access: RouteAccess };

/** Declares (and enforces) what a route needs: a permission, or `public`. */
export function permit(access: RouteAccess): PermitHandler {
  const fn: RequestHandler = (_req, res, next) => {
    if (access === 'public') return next();
    const p = principalOf(res);
    if (!p) return next(new QuaysideError('CLOUD_AUTH_REQUIRED'));
    if (!p.permissions.has(access)) return next(new QuaysideError('CLOUD_AUTH_FORBIDDEN', `needs ${access}`));
    next();
  };
  return Object.assign(fn, { access });
}

function cookieOptions(req: Request, c: CookieSettings, httpOnly: boolean, expires: number): CookieOptions {
  return { httpOnly, sameSite: 'lax', secure: c.secure === 'auto' ? req.secure : c.secure, path: '/', expires: new Date(expires) };
}

export function setSessionCookies(req: Request, res: Response, c: CookieSettings, s: { token: string; csrf: string; expiresAt: number }): void {
  res.cookie(c.cookieName, s.token, cookieOptions(req, c, true, s.expiresAt));
  res.cookie(c.csrfCookieName, s.csrf, cookieOptions(req, c, false, s.expiresAt));
}

export function clearSessionCookies(req: Request, res: Response, c: CookieSettings): void {
  const { expires: _e, ...opts } = cookieOptions(req, c, true, 0);
  res.clearCookie(c.cookieName, opts);
  res.clearCookie(c.csrfCookieName, { ...opts, httpOnly: false });
}
