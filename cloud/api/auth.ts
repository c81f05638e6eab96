/**
 * Guard of the admin routers (gateways, history, dead letters). Machine clients keep using
 * `Authorization: Bearer <admin token>`; people come with a console session (cloud/auth), and then the
 * route's permission is looked up in LEGACY_ROUTE_PERMISSIONS by method and full path — a route not
 * listed there is refused for every session (fail closed). The principal is resolved once per request
 * by cloud/auth/http.ts `authenticate`.
 */
import type { RequestHandler } from 'express';
import { QuaysideError } from '../../shared/errors.js';
import { principalOf } from '../auth/http.js';
import { legacyPermission } from '../auth/permissions.js';
import { safeEqual } from '../gateways/secrets.js';

export function requireAdmin(token: string): RequestHandler {
  const fn: RequestHandler = (req, res, next) => {
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (m && safeEqual(m[1]!.trim(), token)) return next();
    const p = principalOf(res);
    if (!p || p.kind !== 'user') return next(new QuaysideError('CLOUD_UNAUTHORIZED'));
    const needs = legacyPermission(req.method, `${req.baseUrl}${req.path}`.replace(/\/$/, ''));
    if (!needs) return next(new QuaysideError('CLOUD_AUTH_FORBIDDEN', `no permission is declared for ${req.method} ${req.baseUrl}${req.path}`));
    if (!p.permissions.has(needs)) return next(new QuaysideError('CLOUD_AUTH_FORBIDDEN', `needs ${needs}`));
    next();
  };
  return Object.assign(fn, { legacyAdmin: true as const });
}
