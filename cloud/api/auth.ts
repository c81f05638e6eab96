/** Admin routes need `Authorization: Bearer <admin token>` (console 4A comes later and replaces this). */
import type { RequestHandler } from 'express';
import { QuaysideError } from '../../shared/errors.js';
import { safeEqual } from '../gateways/secrets.js';

export function requireAdmin(token: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (m && safeEqual(m[1]!.trim(), token)) return next();
    next(new QuaysideError('CLOUD_UNAUTHORIZED'));
  };
}
