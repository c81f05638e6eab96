/**
 * REST API for trade monitoring (Express 4). Mount it at /api/trade:
 *
 *   app.use('/api/trade', createTradeRouter({ trade }));   // before any app-wide express.json() with a small limit
 *
 * Every input is validated with zod; errors come back as `{ error: { code, message } }` with the
 * catalogue codes. Who handled a warning or authored a rule set is taken from `req.user` / `res.locals.user`
 * when an auth layer sets one, else from the body.
 *
 *   GET   /meta                                       reference tables, data range
 *   POST  /load/batch            {target, records}    JSON batch (idempotent by content)
 *   POST  /load/file             {target, name, async?}  a file in <dataDir>/inbox; async → 202 + job
 *   GET   /load/jobs/:id                              progress and result of an async load
 *   GET   /loads, /loads/:id/rejects
 *   POST  /stats/query (Cache-Control: no-cache → fresh) | /stats/explain | /stats/drill | /stats/export?format=csv|xlsx
 *   POST  /forecast              {measure, flow, filters, horizon}
 *   POST  /warnings/run; GET /warnings; GET|PATCH /warnings/:id
 *   GET   /risk/rulesets; GET /risk/rulesets/:id/:version; POST /risk/rulesets;
 *   POST  /risk/rulesets/:id/:version/backtest | /activate; POST /risk/evaluate
 *   POST  /tags/recompute; GET /tags (rules with enterprise counts); GET /tags/:tag/enterprises
 *   GET   /enterprises?q=; GET /enterprises/:uscc/profile
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { QuaysideError, isQuaysideError } from '../../shared/errors.js';
import type { LoadProgress, LoadResult } from './load.js';
import type { TradeService } from './service.js';
import { DIM_NAMES } from './stats.js';
import { TAG_RULES } from './tags.js';
import { DETECTORS, WARNING_STATUSES } from './warnings.js';
import { handle, parseInput } from '../api/errors.js';

/** What a trade route needs of the caller (cloud/auth/permissions.ts). */
export type TradeAccess = 'trade.read' | 'trade.load' | 'trade.manage';

export interface TradeRouterDeps {
  trade: TradeService;
  /**
   * The guard put in front of each route (the cloud passes `permit`, so every route declares its
   * permission and the route walk sees it). Without one the router is open: for tests and embedding.
   */
  guard?: (access: TradeAccess) => RequestHandler;
  /** JSON body limit for this router (batch loads are large), default 32 MB */
  bodyLimit?: string;
}



function actor(req: Request, res: Response, fallback: string | undefined): string {
  // A signed-in caller is who they are, whatever the body says.
  const principal = res.locals['principal'] as { username?: string } | undefined;
  if (principal?.username) return principal.username;
  const u = (req as unknown as { user?: { id?: string; name?: string } }).user ?? (res.locals['user'] as { id?: string; name?: string } | undefined);
  const who = u?.id ?? u?.name ?? fallback;
  if (!who) throw new QuaysideError('CLOUD_BAD_REQUEST', 'who is acting is unknown: send "handler"/"author"/"by" (or authenticate)');
  return who;
}

const USCC = z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/, 'not a USCC');
const SeriesBody = z
  .object({
    measure: z.enum(['value_usd', 'value_cny', 'items', 'qty1']).default('value_usd'),
    flow: z.enum(['import', 'export', 'total']).default('total'),
    filters: z.record(z.string(), z.array(z.string().max(64)).max(500)).default({}),
    horizon: z.number().int().min(1).max(24).default(12),
  })
  .strict();

interface Job {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: LoadProgress | null;
  result?: LoadResult;
  error?: { code: string; message: string };
  startedAt: string;
}

export function createTradeRouter(deps: TradeRouterDeps): Router {
  const { trade } = deps;
  const open: RequestHandler = (_req, _res, next) => next();
  const g = deps.guard ?? (() => open);
  const r = express.Router();
  // Batch loads may be large, but only a caller allowed to load gets that far (the parser runs after the guard).
  const bigJson = express.json({ limit: deps.bodyLimit ?? '32mb' });
  const smallJson = express.json({ limit: '1mb' });
  r.use((req, res, next) => (req.path === '/load/batch' ? next() : smallJson(req, res, next)));
  const jobs = new Map<string, Job>();

  r.get('/meta', g('trade.read'), handle(async (_req, res) => void res.json(await trade.meta())));

  // ---- loading
  r.post(
    '/load/batch', g('trade.load'), bigJson,
    handle(async (req, res) => {
      const b = parseInput(z.object({ target: z.enum(['declarations', 'enterprises']), records: z.array(z.unknown()).min(1).max(200_000), name: z.string().max(200).optional() }).strict(), req.body, 'body');
      const result = await trade.loadBatch(b.target, b.records, b.name ? { name: b.name } : {});
      res.status(result.status === 'loaded' ? 201 : 200).json(result);
    }),
  );
  r.post(
    '/load/file', g('trade.load'),
    handle(async (req, res) => {
      const b = parseInput(
        z.object({ target: z.enum(['declarations', 'enterprises']), name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, 'a plain file name in the inbox'), async: z.boolean().default(false) }).strict(),
        req.body,
        'body',
      );
      const file = path.join(trade.dataDir, 'inbox', b.name);
      if (!fs.existsSync(file)) throw new QuaysideError('CLOUD_NOT_FOUND', `no file ${b.name} in the inbox`);
      if (!b.async) {
        const result = await trade.loadFile(b.target, file);
        res.status(result.status === 'loaded' ? 201 : 200).json(result);
        return;
      }
      const job: Job = { id: crypto.randomUUID(), status: 'running', progress: null, startedAt: new Date().toISOString() };
      jobs.set(job.id, job);
      while (jobs.size > 200) jobs.delete(jobs.keys().next().value!);
      trade
        .loadFile(b.target, file, { onProgress: (p) => (job.progress = p) })
        .then((result) => {
          job.status = 'done';
          job.result = result;
        })
        .catch((e: unknown) => {
          job.status = 'failed';
          job.error = isQuaysideError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: (e as Error).message };
        });
      res.status(202).location(`load/jobs/${job.id}`).json(job);
    }),
  );
  r.get(
    '/load/jobs/:id', g('trade.load'),
    handle((req, res) => {
      const job = jobs.get(String(req.params['id']));
      if (!job) throw new QuaysideError('CLOUD_NOT_FOUND', 'no such load job');
      res.json(job);
    }),
  );
  r.get(
    '/loads', g('trade.load'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(), req.query, 'query');
      res.json({ items: await trade.loads(q.limit) });
    }),
  );
  r.get(
    '/loads/:id/rejects', g('trade.load'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().positive(), req.params['id'], 'id');
      const q = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1000), offset: z.coerce.number().int().min(0).default(0) }).strict(), req.query, 'query');
      res.json(await trade.rejects(id, q.limit, q.offset));
    }),
  );

  // ---- statistics
  // `Cache-Control: no-cache` asks for a fresh computation instead of a cached result
  r.post(
    '/stats/query', g('trade.read'),
    handle(async (req, res) => {
      const fresh = /no-cache/i.test(String(req.headers['cache-control'] ?? ''));
      res.json(fresh ? await trade.run(trade.parseSpec(req.body), { noCache: true }) : await trade.query(req.body));
    }),
  );
  r.post('/stats/explain', g('trade.read'), handle((req, res) => void res.json(trade.explain(req.body))));
  r.post(
    '/stats/drill', g('trade.read'),
    handle(async (req, res) => {
      const b = parseInput(z.object({ spec: z.unknown(), dim: z.enum(DIM_NAMES), value: z.string().max(64), to: z.enum(DIM_NAMES).optional() }).strict(), req.body, 'body');
      res.json(await trade.drill(b.spec ?? {}, b.dim, b.value, b.to));
    }),
  );
  r.post(
    '/stats/export', g('trade.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }).strict(), req.query, 'query');
      const out = await trade.export(req.body, q.format);
      res.setHeader('content-type', out.contentType);
      res.setHeader('content-disposition', `attachment; filename="${out.filename}"`);
      res.send(out.body);
    }),
  );

  // ---- forecasts
  r.post(
    '/forecast', g('trade.read'),
    handle(async (req, res) => {
      const b = parseInput(SeriesBody, req.body ?? {}, 'body');
      const filters = trade.parseSpec({ filters: b.filters }).filters;
      res.json(await trade.forecast({ measure: b.measure, flow: b.flow, filters, horizon: b.horizon }));
    }),
  );

  // ---- warnings
  r.post(
    '/warnings/run', g('trade.manage'),
    handle(async (req, res) => {
      const b = parseInput(z.object({ detectors: z.array(z.enum(DETECTORS)).min(1).optional(), asOf: z.string().regex(/^\d{4}-\d{2}$/).optional() }).strict(), req.body ?? {}, 'body');
      const out = await trade.warnings.run({ ...(b.detectors ? { detectors: b.detectors } : {}), ...(b.asOf ? { asOf: b.asOf } : {}) });
      res.json({ runId: out.runId, window: out.window, found: out.found, inserted: out.inserted, ms: out.ms });
    }),
  );
  r.get(
    '/warnings', g('trade.read'),
    handle(async (req, res) => {
      const q = parseInput(
        z
          .object({
            status: z.enum(WARNING_STATUSES).optional(),
            detector: z.enum(DETECTORS).optional(),
            subject: z.string().regex(/^[0-9A-Z|]{2,60}$/).optional(),
            from: z.string().regex(/^\d{4}-\d{2}$/).optional(),
            to: z.string().regex(/^\d{4}-\d{2}$/).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            offset: z.coerce.number().int().min(0).default(0),
          })
          .strict(),
        req.query,
        'query',
      );
      res.json(await trade.warnings.list({ ...q, ...(q.subject ? { subjectKey: q.subject } : {}) }));
    }),
  );
  r.get(
    '/warnings/:id', g('trade.read'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().positive(), req.params['id'], 'id');
      const w = await trade.warnings.get(id);
      if (!w) throw new QuaysideError('CLOUD_NOT_FOUND', `no warning ${id}`);
      res.json(w);
    }),
  );
  r.patch(
    '/warnings/:id', g('trade.manage'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().positive(), req.params['id'], 'id');
      const b = parseInput(z.object({ status: z.enum(WARNING_STATUSES), handler: z.string().min(1).max(100).optional(), note: z.string().max(2000).optional() }).strict(), req.body, 'body');
      if (!(await trade.warnings.get(id))) throw new QuaysideError('CLOUD_NOT_FOUND', `no warning ${id}`);
      res.json(await trade.warnings.update(id, { status: b.status, handler: actor(req, res, b.handler), ...(b.note !== undefined ? { note: b.note } : {}) }));
    }),
  );

  // ---- risk
  const rsParams = (req: Request) => ({
    id: parseInput(z.string().regex(/^[a-z0-9_-]{1,40}$/), req.params['id'], 'id'),
    version: parseInput(z.coerce.number().int().positive(), req.params['version'], 'version'),
  });
  r.get(
    '/risk/rulesets', g('trade.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ id: z.string().regex(/^[a-z0-9_-]{1,40}$/).optional() }).strict(), req.query, 'query');
      res.json({ items: await trade.risk.list(q.id) });
    }),
  );
  r.get(
    '/risk/rulesets/:id/:version', g('trade.read'),
    handle(async (req, res) => {
      const p = rsParams(req);
      res.json(await trade.risk.get(p.id, p.version));
    }),
  );
  r.post(
    '/risk/rulesets', g('trade.manage'),
    handle(async (req, res) => {
      const b = parseInput(z.object({ ruleset: z.unknown(), author: z.string().min(1).max(100).optional() }).strict(), req.body, 'body');
      res.status(201).json(await trade.risk.create(b.ruleset, actor(req, res, b.author)));
    }),
  );
  r.post(
    '/risk/rulesets/:id/:version/backtest', g('trade.manage'),
    handle(async (req, res) => {
      const p = rsParams(req);
      const b = parseInput(
        z
          .object({
            from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
            to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
            maxItems: z.number().int().min(1).max(10_000_000).optional(),
            findings: z.array(z.string().regex(/^\d{4}(19|20)\d{2}[01IE]\d{9}$/)).max(1_000_000).optional(),
          })
          .strict(),
        req.body,
        'body',
      );
      res.json(await trade.risk.backtest(p.id, p.version, b));
    }),
  );
  r.post(
    '/risk/rulesets/:id/:version/activate', g('trade.manage'),
    handle(async (req, res) => {
      const p = rsParams(req);
      const b = parseInput(z.object({ by: z.string().min(1).max(100).optional() }).strict(), req.body ?? {}, 'body');
      res.json(await trade.risk.activate(p.id, p.version, actor(req, res, b.by)));
    }),
  );
  r.post(
    '/risk/evaluate', g('trade.read'),
    handle(async (req, res) => {
      const b = parseInput(
        z.object({ declaration: z.unknown(), rulesetId: z.string().regex(/^[a-z0-9_-]{1,40}$/).optional(), version: z.number().int().positive().optional(), record: z.boolean().optional() }).strict(),
        req.body,
        'body',
      );
      res.json(await trade.risk.evaluate(b.declaration, { ...(b.rulesetId ? { rulesetId: b.rulesetId } : {}), ...(b.version ? { version: b.version } : {}), ...(b.record !== undefined ? { record: b.record } : {}) }));
    }),
  );

  // ---- tags and profiles
  r.post('/tags/recompute', g('trade.manage'), handle(async (_req, res) => void res.json(await trade.tags.recompute())));
  r.get(
    '/tags', g('trade.read'),
    handle(async (_req, res) => {
      // Every tag rule with how many enterprises carry it now (0 before the first recompute).
      const counts = await trade.db.query<{ tag: string; n: number; computed_at: string | null }>('SELECT tag, count(*) AS n, max(computed_at) AS computed_at FROM enterprise_tag GROUP BY tag');
      const byTag = new Map(counts.map((c) => [c.tag, c]));
      const items = TAG_RULES.map((t) => ({ tag: t.code, name: t.name, category: t.category, description: t.description, enterprises: Number(byTag.get(t.code)?.n ?? 0) }));
      const computedAt = counts.reduce<string | null>((a, c) => (c.computed_at && (!a || c.computed_at > a) ? c.computed_at : a), null);
      res.json({ items, computedAt });
    }),
  );
  r.get(
    '/tags/:tag/enterprises', g('trade.read'),
    handle(async (req, res) => {
      const tag = parseInput(z.string().regex(/^[a-z_]{1,40}$/), req.params['tag'], 'tag');
      const q = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) }).strict(), req.query, 'query');
      res.json(await trade.tags.withTag(tag, q.limit, q.offset));
    }),
  );
  r.get(
    '/enterprises', g('trade.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ q: z.string().max(50).default(''), limit: z.coerce.number().int().min(1).max(500).default(50) }).strict(), req.query, 'query');
      const items = await trade.db.query(
        `SELECT uscc, customs_code, name, ent_type, region, credit_rating, aeo FROM enterprise
         WHERE $1 = '' OR uscc LIKE $2 OR customs_code LIKE $2 OR contains(name, $1) ORDER BY uscc LIMIT $3`,
        [q.q, `${q.q.toUpperCase()}%`, q.limit],
      );
      res.json({ items });
    }),
  );
  r.get(
    '/enterprises/:uscc/profile', g('trade.read'),
    handle(async (req, res) => {
      const uscc = parseInput(USCC, String(req.params['uscc']).toUpperCase(), 'uscc');
      res.json(await trade.tags.profile(uscc));
    }),
  );

  r.use((req, res) => void res.status(404).json({ error: { code: 'CLOUD_NOT_FOUND', message: `no route ${req.method} ${req.baseUrl}${req.path}` } }));
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isQuaysideError(err)) return void res.status(err.http).json({ error: { code: err.code, message: err.message } });
    const e = err as { type?: string; message?: string };
    if (e.type === 'entity.parse.failed') return void res.status(400).json({ error: { code: 'CLOUD_BAD_REQUEST', message: `request body is not valid JSON: ${e.message ?? ''}` } });
    if (e.type === 'entity.too.large') return void res.status(413).json({ error: { code: 'CLOUD_BAD_REQUEST', message: 'request body too large' } });
    return void res.status(500).json({ error: { code: 'INTERNAL', message: (err as Error)?.message ?? 'internal error' } });
  });
  return r;
}
