/** Telemetry reads from the time-series port: a device's history and a gateway's latest values. */
import { Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from './auth.js';
import type { ApiContext } from './context.js';
import { handle, parseInput } from './errors.js';

/** ms since the epoch, or an ISO 8601 date. */
const instant = z.string().transform((s, ctx) => {
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: 'ms since the epoch or an ISO 8601 date' });
    return z.NEVER;
  }
  return n;
});

const historyQuery = z.object({
  point: z.string().min(1).max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(100_000))
    .optional(),
});

export function historyRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireAdmin(ctx.adminToken));
  r.get(
    '/:gw/devices/:device/history',
    handle(async (req, res) => {
      const q = parseInput(historyQuery, req.query, 'query');
      const to = q.to ?? Date.now();
      const from = q.from ?? to - 24 * 3600 * 1000;
      const rows = await ctx.series.history({ gw: req.params['gw']!, device: req.params['device']!, point: q.point, from, to, limit: q.limit ?? 10_000 });
      res.json({ gw: req.params['gw'], device: req.params['device'], point: q.point ?? null, from, to, rows });
    }),
  );
  r.get(
    '/:gw/latest',
    handle(async (req, res) => {
      res.json({ gw: req.params['gw'], rows: await ctx.series.latest(req.params['gw']!) });
    }),
  );
  return r;
}
