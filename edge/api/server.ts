/** The local REST API: one router per resource, JSON errors from the catalogue. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import type { GatewayView } from './context.js';
import { devicesRouter } from './devices.js';
import { errorHandler, notFound } from './errors.js';
import { healthRouter } from './health.js';
import { metricsRouter } from './metrics.js';
import { profilesRouter } from './profiles.js';

export function createApiApp(gw: GatewayView, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '64kb' }));
  app.use('/api/health', healthRouter(gw));
  app.use('/api/devices', devicesRouter(gw));
  app.use('/api/profiles', profilesRouter(gw));
  app.use('/metrics', metricsRouter(gw));
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApi(gw: GatewayView, opts: { host: string; port: number; logger: Logger }): Promise<RunningApi> {
  const server = http.createServer(createApiApp(gw, opts.logger));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
