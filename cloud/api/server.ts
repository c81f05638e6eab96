/** The cloud REST API (Express 4): one router per resource, JSON errors from the catalogue. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { permit } from '../auth/http.js';
import type { ApiContext } from './context.js';
import { deadLettersRouter } from './dead-letters.js';
import { errorHandler, notFound } from './errors.js';
import { enrolRouter, gatewaysRouter } from './gateways.js';
import { historyRouter } from './history.js';
import { metricsRouter } from './metrics.js';
import { consoleApp } from '../web/serve.js';
import { createTradeRouter } from '../trade/router.js';
import type { TradeService } from '../trade/service.js';
import { createPlatformRouter } from '../platform/router.js';
import type { PlatformService } from '../platform/service.js';

/** The console (cloud/supervision/console.ts): who calls, and its routes. Every route declares a permission. */
export interface ApiConsole {
  authenticate: RequestHandler;
  trustProxy: boolean | number;
  mount(app: express.Express): void;
  /** Organisations by id (data owners decide access requests for their organisation). */
  accounts?: { getOrg(id: string): Promise<{ name: string } | null> };
}

/** Optional modules with routers of their own. */
export interface ApiModules {
  trade?: TradeService;
  platform?: PlatformService;
}

export function createApiApp(ctx: ApiContext, log: Logger, consoleApi?: ApiConsole, modules: ApiModules = {}): express.Express {
  const { trade, platform } = modules;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', consoleApi?.trustProxy ?? false);
  if (consoleApi) app.use(consoleApi.authenticate);
  // Trade monitoring parses its own bodies (batch loads are large, and only for callers allowed to load).
  if (trade) app.use('/api/trade', createTradeRouter({ trade, guard: permit }));
  // The data platform too (definitions and file uploads are larger than 64 kB).
  const accounts = consoleApi?.accounts;
  if (platform) app.use('/api/platform', createPlatformRouter({ platform, guard: permit, ...(accounts ? { orgName: async (id: string) => (await accounts.getOrg(id))?.name ?? null } : {}) }));
  app.use(express.json({ limit: '64kb' }));
  app.get('/api/health', permit('public'), (_req, res) => {
    res.json({ status: 'ok', uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000), store: ctx.store.dialect, timeseries: ctx.series.kind, broker: ctx.broker.mode });
  });
  consoleApi?.mount(app);
  app.use('/api/enrol', permit('public'), enrolRouter(ctx));
  // These guard themselves (requireAdmin): admin token, or a session with the permission in LEGACY_ROUTE_PERMISSIONS.
  app.use('/api/gateways', gatewaysRouter(ctx));
  app.use('/api/gateways', historyRouter(ctx));
  app.use('/api/dead-letters', deadLettersRouter(ctx));
  app.use('/metrics', permit('public'), metricsRouter(ctx));
  app.use(permit('public'), consoleApp()); // the web console (cloud/web/dist) at /, with SPA fallback; public: the login page and assets
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApi(ctx: ApiContext, opts: { host: string; port: number; log: Logger; console?: ApiConsole } & ApiModules): Promise<RunningApi> {
  const server = http.createServer(createApiApp(ctx, opts.log, opts.console, { ...(opts.trade ? { trade: opts.trade } : {}), ...(opts.platform ? { platform: opts.platform } : {}) }));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  opts.log.info({ url: `http://${host}:${addr.port}` }, 'API listening');
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
