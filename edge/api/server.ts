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
import { surveyRouter } from './survey.js';
import { webApp } from '../web/serve.js';
import type { SurveyService } from '../survey/service.js';
import type { VisionService } from '../vision/service.js';
import { camerasRouter } from './cameras.js';

/** Optional modules the API serves besides the gateway view. */
export interface ApiModules {
  survey?: SurveyService;
  /** The built tablet app (edge/web/dist), served at `/`. */
  webRoot?: string;
  /** Embedded Node-RED (edge/flows): editor/admin API, flow endpoints and status under `/flows`. */
  flows?: { router: express.Router };
  /** Cameras and their detections (edge/vision), with the data folder that holds the snapshots. */
  vision?: { service: VisionService; dataDir: string };
}

export function createApiApp(gw: GatewayView, log: Logger, modules: ApiModules = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Node-RED parses its own bodies (flow files are larger than 64 kB).
  if (modules.flows) app.use('/flows', modules.flows.router);
  // Before the 64 kB JSON parser: vessel files and photos are larger (the router parses its own bodies).
  if (modules.survey) app.use('/api/survey', surveyRouter(modules.survey, gw.store));
  app.use(express.json({ limit: '64kb' }));
  app.use('/api/health', healthRouter(gw));
  app.use('/api/devices', devicesRouter(gw));
  app.use('/api/profiles', profilesRouter(gw));
  if (modules.vision) app.use('/api/cameras', camerasRouter(modules.vision.service, gw.store, modules.vision.dataDir));
  app.use('/metrics', metricsRouter(gw));
  if (modules.webRoot) app.use(webApp(modules.webRoot));
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

export interface RunningApi {
  url: string;
  /** The HTTP server (Node-RED attaches its editor's websocket to it). */
  server: http.Server;
  close(): Promise<void>;
}

export async function startApi(gw: GatewayView, opts: { host: string; port: number; logger: Logger } & ApiModules): Promise<RunningApi> {
  const server = http.createServer(createApiApp(gw, opts.logger, opts));
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
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
