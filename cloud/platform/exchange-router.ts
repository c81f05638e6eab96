/**
 * Data exchange routes, mounted by createPlatformRouter under /api/platform:
 *
 *   GET   /exchange/partners ; PUT /exchange/partners/:id            partners (keys by reference)
 *   GET   /exchange/outbound ; PUT /exchange/outbound/:id            outbound exchanges
 *   POST  /exchange/outbound/:id/run                                 export, sign, seal, deliver now → the log entry
 *   POST  /exchange/inbound   {package}                              verify and accept (200) or refuse (422, reason)
 *   POST  /exchange/incoming/scan                                    verify the packages dropped in exchange/incoming
 *   POST  /exchange/partners/:id/pull                                pull and verify the partner's packages from its SFTP
 *                                                                    server → {items, error}; 502 when it cannot be read
 *   GET   /exchange/log?direction&partner&result&package&limit&offset
 *
 * Reads need `platform.read`; saving, running and receiving need `platform.manage` (a partner posts
 * with an account that holds it).
 */
import type { RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { handle, parseInput } from '../api/errors.js';
import type { ExchangeService } from './exchange.js';

type Access = 'platform.read' | 'platform.manage';



const Id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'not an id');

export function mountExchangeRoutes(r: Router, deps: { exchange: ExchangeService; guard: (access: Access) => RequestHandler; actor: (res: Response) => string }): void {
  const { exchange, guard: g, actor } = deps;

  r.get('/exchange/partners', g('platform.read'), handle(async (_req, res) => void res.json({ items: await exchange.partners() })));
  r.put(
    '/exchange/partners/:id', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(Id, req.params['id'], 'id');
      const body = { ...(req.body as object), id };
      res.json(await exchange.savePartner(body, actor(res)));
    }),
  );
  r.get('/exchange/outbound', g('platform.read'), handle(async (_req, res) => void res.json({ items: await exchange.outbounds() })));
  r.put(
    '/exchange/outbound/:id', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(Id, req.params['id'], 'id');
      res.json(await exchange.saveOutbound({ ...(req.body as object), id }, actor(res)));
    }),
  );
  r.post(
    '/exchange/outbound/:id/run', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(Id, req.params['id'], 'id');
      const entry = await exchange.runOutbound(id, { trigger: 'api' });
      res.status(entry.result === 'delivered' ? 200 : 502).json(entry);
    }),
  );
  r.post(
    '/exchange/inbound', g('platform.manage'),
    handle(async (req, res) => {
      const result = await exchange.receive(req.body, 'http');
      res.status(result.accepted ? 200 : 422).json(result);
    }),
  );
  r.post(
    '/exchange/partners/:id/pull', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(Id, req.params['id'], 'id');
      const result = await exchange.pullPartner(id, { trigger: 'api' });
      res.status(result.error === null ? 200 : 502).json(result);
    }),
  );
  r.post('/exchange/incoming/scan', g('platform.manage'), handle(async (_req, res) => void res.json({ items: await exchange.scanIncoming() })));
  r.get(
    '/exchange/log', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(
        z
          .object({
            direction: z.enum(['outbound', 'inbound']).optional(),
            partner: z.string().max(64).optional(),
            result: z.enum(['delivered', 'failed', 'accepted', 'refused']).optional(),
            package: z.string().max(128).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            offset: z.coerce.number().int().min(0).default(0),
          })
          .strict(),
        req.query,
        'query',
      );
      res.json(await exchange.log({ ...q, ...(q.package ? { packageId: q.package } : {}) }));
    }),
  );
}
