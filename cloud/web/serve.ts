/**
 * Serves the built console (cloud/web/dist, `npm run build:console`) from the cloud API at `/`:
 * hashed assets cached for a year, index.html never cached (a new build reaches the browser on its
 * next visit), and every other GET that asks for HTML answered with index.html (the console routes in
 * the browser: /login, /tasks/42 …). /api and /metrics are never shadowed: their misses stay JSON 404s.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** The build `npm run build:console` writes; QS_CONSOLE_DIST points elsewhere (a test's own build). */
export const CONSOLE_DIST = path.resolve(import.meta.dirname, 'dist');

export function consoleDist(): string {
  return process.env['QS_CONSOLE_DIST'] ? path.resolve(process.env['QS_CONSOLE_DIST']) : CONSOLE_DIST;
}

export function consoleApp(root: string = consoleDist()): Router {
  const r = Router();
  const index = path.join(root, 'index.html');
  const notBuilt = (_req: express.Request, res: express.Response) => {
    res.status(503).type('text/plain; charset=utf-8').send(`The console is not built (${index} is missing): run npm run build:console\n`);
  };
  r.use(
    express.static(root, {
      index: false,
      setHeaders(res, file) {
        const rel = path.relative(root, file);
        res.setHeader('cache-control', rel.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    }),
  );
  r.get(/^\/(?!api\/|api$|metrics)/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    // Checked per request, so a build made while the cloud runs is served without a restart.
    if (!fs.existsSync(index)) return notBuilt(req, res);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'same-origin');
    res.sendFile(index);
  });
  return r;
}
