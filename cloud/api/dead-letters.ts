/** Messages ingest refused, newest first, with their reason and code. */
import { Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from './auth.js';
import type { ApiContext } from './context.js';
import { handle, parseInput } from './errors.js';

const query = z.object({
  gw: z.string().min(1).max(64).optional(),
  code: z.string().min(1).max(64).optional(),
  limit: z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(10_000))
    .optional(),
});

export function deadLettersRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireAdmin(ctx.adminToken));
  r.get(
    '/',
    handle(async (req, res) => {
      const q = parseInput(query, req.query, 'query');
      res.json(await ctx.store.listDeadLetters({ ...(q.gw ? { gw: q.gw } : {}), ...(q.code ? { code: q.code } : {}), limit: q.limit ?? 100 }));
    }),
  );
  return r;
}
