/**
 * REST API of the data platform (Express 4). Mount it at /api/platform:
 *
 *   app.use('/api/platform', createPlatformRouter({ platform, guard: (access) => permit(access) }));
 *
 * Reads need `platform.read`, changes and runs `platform.manage`; deciding an access request needs
 * `platform.decide` and that the caller speaks for the resource's owner (username, organisation id or name). Inputs are validated with zod;
 * errors come back as `{ error: { code, message } }` with the catalogue codes.
 *
 *   GET   /meta                                       connector kinds, indicators, code tables, reject reasons
 *   GET   /connectors | /pipelines | /datasets        latest definitions (connectors with their last run)
 *   GET   /connectors/:id | /pipelines/:id | /datasets/:id         latest (?version=N for an older one) + versions
 *   PUT   /connectors/:id | /pipelines/:id | /datasets/:id         save a definition (a new version when it changed)
 *   POST  /connectors/:id/run            {wait?: true}  run now; wait:false → 202 (poll /runs)
 *   POST  /connectors/:id/cursor/reset                  the next run reads from the start
 *   GET   /datasets/:id/rows?limit&offset&<field>=<value>
 *   GET   /runs?connector&dataset&status&limit&offset ; GET /runs/:id
 *   GET   /rejects?connector&dataset&reason&run&limit&offset
 *   GET   /lineage?node=dataset:<name>                  graph (nodes, edges), whole or around a node
 *   POST  /datasets/:id/quality/run ; GET /datasets/:id/quality (score history) ; GET /quality/runs/:id
 *   GET   /quality/issues?dataset&status&owner ; PATCH /quality/issues/:id {status?, owner?, note?}
 *   GET   /metadata?q&kind                            harvested data sets, fields, tables, columns, connectors, pipelines
 *   PATCH /metadata/:asset {description?, owner?, tags?}     edit (null: back to the harvested value)
 *   GET   /catalogue?q&status&sharing&category ; GET /catalogue/export?format=csv|json (published entries)
 *   POST  /catalogue {entry} ; GET|PUT /catalogue/:cls/:seq ; POST /catalogue/:cls/:seq/publish | /withdraw
 *   POST  /catalogue/:cls/:seq/requests {organisation, purpose}   ask for a shared resource (platform.read)
 *   GET   /access-requests?code&status&owner&requester ; POST /access-requests/:id/decision {decision, note}
 *   GET   /catalogue-log?code                         who created, changed, published, requested, decided what
 *   /exchange/…                                       data exchange: partners, outbound, inbound, log (exchange-router.ts)
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { QuaysideError, isQuaysideError } from '../../shared/errors.js';
import { mountExchangeRoutes } from './exchange-router.js';
import { CATALOGUE_STATUSES, SHARING_TYPES, catalogueCsv } from './catalogue.js';
import { CONNECTOR_KINDS, INDICATORS } from './definitions.js';
import { ASSET_KINDS } from './metadata.js';
import { REJECT_REASONS } from './pipeline.js';
import { CODE_TABLE_NAMES } from './reference.js';
import { ISSUE_STATUSES, type DefinitionKind, type PlatformService } from './service.js';
import { handle, parseInput } from '../api/errors.js';

/** What a platform route needs of the caller (the lead adds both to cloud/auth/permissions.ts). */
export type PlatformAccess = 'platform.read' | 'platform.manage' | 'platform.decide';

export interface PlatformRouterDeps {
  platform: PlatformService;
  /** The guard in front of each route (the cloud passes `permit`). Without one the router is open: for tests and embedding. */
  guard?: (access: PlatformAccess) => RequestHandler;
  /** JSON body limit, default 2 MB. */
  bodyLimit?: string;
  /** The name of an organisation (the cloud passes the accounts' lookup): a caller speaks for its organisation by id and by name. */
  orgName?: (orgId: string) => Promise<string | null>;
}



/** Who is acting: the signed-in principal, else the auth layer's user, else "api". */
function actor(res: Response): string {
  const principal = res.locals['principal'] as { username?: string } | undefined;
  if (principal?.username) return principal.username;
  const u = res.locals['user'] as { id?: string; name?: string } | undefined;
  return u?.id ?? u?.name ?? 'api';
}

/**
 * Whom the caller speaks for when deciding as a data owner: their username, and their organisation by
 * id and by name. A data set's `owner` names one of these.
 */
async function partiesOf(res: Response, orgName?: (orgId: string) => Promise<string | null>): Promise<string[]> {
  const principal = res.locals['principal'] as { orgId?: string | null } | undefined;
  const parties = [actor(res)];
  const orgId = principal?.orgId ?? null;
  if (orgId) {
    parties.push(orgId);
    const name = await orgName?.(orgId);
    if (name) parties.push(name);
  }
  return parties;
}

/** Whether the caller holds a permission (no principal with permissions: an embedded, unguarded router). */
function holds(res: Response, permission: PlatformAccess): boolean {
  const principal = res.locals['principal'] as { permissions?: ReadonlySet<string> } | undefined;
  return principal?.permissions ? principal.permissions.has(permission) : true;
}

const Page = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });
const IdParam = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'not an id');

export function createPlatformRouter(deps: PlatformRouterDeps): Router {
  const { platform } = deps;
  const g = deps.guard ?? (() => (_req: Request, _res: Response, next: NextFunction) => next());
  const r = express.Router();
  r.use(express.json({ limit: deps.bodyLimit ?? '2mb' }));

  r.get(
    '/meta', g('platform.read'),
    handle((_req, res) => {
      res.json({ connectorKinds: CONNECTOR_KINDS, indicators: INDICATORS, codeTables: CODE_TABLE_NAMES, rejectReasons: REJECT_REASONS, issueStatuses: ISSUE_STATUSES, assetKinds: ASSET_KINDS, catalogueStatuses: CATALOGUE_STATUSES, sharingTypes: SHARING_TYPES });
    }),
  );

  const kinds: [string, DefinitionKind][] = [
    ['connectors', 'connector'],
    ['pipelines', 'pipeline'],
    ['datasets', 'dataset'],
  ];
  for (const [plural, kind] of kinds) {
    r.get(
      `/${plural}`, g('platform.read'),
      handle(async (_req, res) => {
        const items = await platform.list(kind);
        if (kind !== 'connector') return void res.json({ items });
        const withRuns = await Promise.all(
          items.map(async (c) => ({ ...c, lastRun: (await platform.runs({ connectorId: c.id, limit: 1 })).items[0] ?? null, cursor: await platform.cursor(c.id) })),
        );
        res.json({ items: withRuns });
      }),
    );
    r.get(
      `/${plural}/:id`, g('platform.read'),
      handle(async (req, res) => {
        const id = parseInput(IdParam, req.params['id'], 'id');
        const q = parseInput(z.object({ version: z.coerce.number().int().min(1).optional() }).strict(), req.query, 'query');
        const get = kind === 'connector' ? platform.connector(id, q.version) : kind === 'pipeline' ? platform.pipeline(id, q.version) : platform.dataset(id, q.version);
        const v = await get;
        if (!v) throw new QuaysideError('CLOUD_NOT_FOUND', `no ${kind} ${id}${q.version ? ` version ${q.version}` : ''}`);
        res.json({ ...v, versions: await platform.versions(kind, id) });
      }),
    );
    r.put(
      `/${plural}/:id`, g('platform.manage'),
      handle(async (req, res) => {
        const id = parseInput(IdParam, req.params['id'], 'id');
        const body = parseInput(z.record(z.string(), z.unknown()), req.body, 'body');
        const named = kind === 'dataset' ? body['name'] : body['id'];
        if (named !== undefined && named !== id) throw new QuaysideError('CLOUD_BAD_REQUEST', `body names ${String(named)}, the path ${id}`);
        const def = kind === 'dataset' ? { ...body, name: id } : { ...body, id };
        const who = actor(res);
        const saved = kind === 'connector' ? await platform.saveConnector(def, who) : kind === 'pipeline' ? await platform.savePipeline(def, who) : await platform.saveDataset(def, who);
        res.status(saved.created ? 201 : 200).json(saved);
      }),
    );
  }

  r.post(
    '/connectors/:id/run', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(IdParam, req.params['id'], 'id');
      const b = parseInput(z.object({ wait: z.boolean().default(true) }).strict(), req.body ?? {}, 'body');
      if (!(await platform.connector(id))) throw new QuaysideError('CLOUD_NOT_FOUND', `no connector ${id}`);
      const run = platform.runConnector(id, { trigger: 'api' });
      if (!b.wait) {
        run.catch(() => undefined);
        return void res.status(202).json({ accepted: true, connector: id });
      }
      res.json(await run);
    }),
  );
  r.post(
    '/connectors/:id/cursor/reset', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(IdParam, req.params['id'], 'id');
      if (!(await platform.connector(id))) throw new QuaysideError('CLOUD_NOT_FOUND', `no connector ${id}`);
      await platform.resetCursor(id);
      res.json({ connector: id, cursor: null });
    }),
  );

  r.get(
    '/datasets/:id/rows', g('platform.read'),
    handle(async (req, res) => {
      const id = parseInput(IdParam, req.params['id'], 'id');
      const { limit, offset, ...rest } = req.query as Record<string, unknown>;
      const page = parseInput(Page, { limit, offset }, 'query');
      const where = parseInput(z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().max(500)), rest, 'query');
      res.json(await platform.rows(id, { ...page, where }));
    }),
  );

  r.get(
    '/runs', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(Page.extend({ connector: z.string().max(64).optional(), dataset: z.string().max(64).optional(), status: z.enum(['running', 'succeeded', 'failed']).optional() }).strict(), req.query, 'query');
      res.json(await platform.runs({ ...q, ...(q.connector ? { connectorId: q.connector } : {}) }));
    }),
  );
  r.get(
    '/runs/:id', g('platform.read'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().min(1), req.params['id'], 'id');
      const run = await platform.run(id);
      if (!run) throw new QuaysideError('CLOUD_NOT_FOUND', `no run ${id}`);
      res.json(run);
    }),
  );
  r.get(
    '/rejects', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(
        Page.extend({ connector: z.string().max(64).optional(), dataset: z.string().max(64).optional(), reason: z.enum(REJECT_REASONS).optional(), run: z.coerce.number().int().min(1).optional() }).strict(),
        req.query,
        'query',
      );
      res.json(await platform.rejects({ limit: q.limit, offset: q.offset, ...(q.connector ? { connectorId: q.connector } : {}), ...(q.dataset ? { dataset: q.dataset } : {}), ...(q.reason ? { reason: q.reason } : {}), ...(q.run ? { runId: q.run } : {}) }));
    }),
  );
  r.get(
    '/lineage', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ node: z.string().regex(/^(connector|pipeline|dataset):[a-z][a-z0-9_-]*$/).optional() }).strict(), req.query, 'query');
      res.json(await platform.lineage(q.node));
    }),
  );

  r.post(
    '/datasets/:id/quality/run', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(IdParam, req.params['id'], 'id');
      res.json(await platform.runQuality(id, { trigger: 'manual' }));
    }),
  );
  r.get(
    '/datasets/:id/quality', g('platform.read'),
    handle(async (req, res) => {
      const id = parseInput(IdParam, req.params['id'], 'id');
      const q = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(), req.query, 'query');
      if (!(await platform.dataset(id))) throw new QuaysideError('CLOUD_NOT_FOUND', `no data set ${id}`);
      res.json({ items: await platform.qualityHistory(id, q.limit) });
    }),
  );
  r.get(
    '/quality/runs/:id', g('platform.read'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().min(1), req.params['id'], 'id');
      const run = await platform.qualityRun(id);
      if (!run) throw new QuaysideError('CLOUD_NOT_FOUND', `no quality run ${id}`);
      res.json(run);
    }),
  );
  r.get(
    '/quality/issues', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ dataset: z.string().max(64).optional(), status: z.enum(ISSUE_STATUSES).optional(), owner: z.string().max(200).optional() }).strict(), req.query, 'query');
      res.json({ items: await platform.issues(q) });
    }),
  );
  r.patch(
    '/quality/issues/:id', g('platform.manage'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().min(1), req.params['id'], 'id');
      const b = parseInput(z.object({ status: z.enum(ISSUE_STATUSES).optional(), owner: z.string().min(1).max(200).optional(), note: z.string().max(2000).optional() }).strict(), req.body, 'body');
      res.json(await platform.updateIssue(id, b));
    }),
  );

  r.get(
    '/metadata', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ q: z.string().max(200).default(''), kind: z.enum(ASSET_KINDS).optional() }).strict(), req.query, 'query');
      res.json({ items: await platform.metadata(q) });
    }),
  );
  r.patch(
    '/metadata/:asset', g('platform.manage'),
    handle(async (req, res) => {
      const asset = parseInput(z.string().regex(/^(dataset|field|table|column|connector|pipeline):[A-Za-z0-9_.-]+$/), req.params['asset'], 'asset');
      const b = parseInput(
        z.object({ description: z.string().max(4000).nullable().optional(), owner: z.string().min(1).max(200).nullable().optional(), tags: z.array(z.string().min(1).max(64)).max(50).nullable().optional() }).strict(),
        req.body,
        'body',
      );
      res.json(await platform.annotate(asset, b, actor(res)));
    }),
  );

  const Code = z.string().regex(/^\d{6,9}\/\d{6}$/, 'not a catalogue code');
  const codeOf = (req: Request) => parseInput(Code, `${String(req.params['cls'])}/${String(req.params['seq'])}`, 'code');
  r.get(
    '/catalogue', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ q: z.string().max(200).optional(), status: z.enum(CATALOGUE_STATUSES).optional(), sharing: z.enum(SHARING_TYPES).optional(), category: z.string().regex(/^\d{1,9}$/).optional() }).strict(), req.query, 'query');
      res.json({ items: await platform.catalogue.list(q) });
    }),
  );
  r.get(
    '/catalogue/export', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ format: z.enum(['csv', 'json']).default('csv') }).strict(), req.query, 'query');
      const items = await platform.catalogue.list({ status: 'published' });
      if (q.format === 'json') return void res.attachment('catalogue.json').json({ items });
      res.attachment('catalogue.csv').type('text/csv; charset=utf-8').send(catalogueCsv(items));
    }),
  );
  r.post(
    '/catalogue', g('platform.manage'),
    handle(async (req, res) => {
      res.status(201).json(await platform.catalogue.create(req.body, actor(res)));
    }),
  );
  r.get(
    '/catalogue/:cls/:seq', g('platform.read'),
    handle(async (req, res) => {
      const code = codeOf(req);
      const e = await platform.catalogue.entry(code);
      if (!e) throw new QuaysideError('CLOUD_NOT_FOUND', `no catalogue entry ${code}`);
      res.json(e);
    }),
  );
  r.put(
    '/catalogue/:cls/:seq', g('platform.manage'),
    handle(async (req, res) => {
      res.json(await platform.catalogue.update(codeOf(req), req.body, actor(res)));
    }),
  );
  for (const [action, status] of [
    ['publish', 'published'],
    ['withdraw', 'withdrawn'],
  ] as const) {
    r.post(
      `/catalogue/:cls/:seq/${action}`, g('platform.manage'),
      handle(async (req, res) => {
        res.json(await platform.catalogue.setStatus(codeOf(req), status, actor(res)));
      }),
    );
  }

  r.post(
    '/catalogue/:cls/:seq/requests', g('platform.read'),
    handle(async (req, res) => {
      const b = parseInput(z.object({ organisation: z.string().min(1).max(200), purpose: z.string().min(1).max(2000) }).strict(), req.body, 'body');
      res.status(201).json(await platform.catalogue.requestAccess(codeOf(req), b, actor(res)));
    }),
  );
  r.get(
    '/access-requests', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ code: Code.optional(), status: z.enum(['pending', 'approved', 'rejected', 'withdrawn']).optional(), owner: z.string().max(200).optional(), requester: z.string().max(200).optional() }).strict(), req.query, 'query');
      const parties = new Set(await partiesOf(res, deps.orgName));
      const decides = holds(res, 'platform.decide');
      const items = await platform.catalogue.accessRequests(q);
      res.json({ items: items.map((a) => ({ ...a, canDecide: decides && a.status === 'pending' && parties.has(a.owner) })) });
    }),
  );
  r.post(
    '/access-requests/:id/decision', g('platform.decide'),
    handle(async (req, res) => {
      const id = parseInput(z.coerce.number().int().min(1), req.params['id'], 'id');
      const b = parseInput(z.object({ decision: z.enum(['approved', 'rejected']), note: z.string().max(2000).default('') }).strict(), req.body, 'body');
      res.json(await platform.catalogue.decideAccess(id, b.decision, b.note, actor(res), await partiesOf(res, deps.orgName)));
    }),
  );
  r.get(
    '/catalogue-log', g('platform.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ code: Code.optional() }).strict(), req.query, 'query');
      res.json({ items: await platform.catalogue.log(q.code) });
    }),
  );

  mountExchangeRoutes(r, { exchange: platform.exchange, guard: g, actor }); // data exchange: exchange-router.ts

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
