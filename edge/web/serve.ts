/**
 * Serves the built tablet app (edge/web/dist, `npm run build:web`) from the edge API at `/`:
 * hashed assets cached for a year, index.html, the service worker and the manifest never cached
 * (so an update reaches the tablet on its next visit), and every other GET that asks for HTML
 * answered with index.html (the app routes in the browser). /api and /metrics are never shadowed.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

export function webApp(root: string): Router {
  const r = Router();
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    r.get('/', (_req, res) => {
      res.status(503).type('text/plain; charset=utf-8').send(`The tablet app is not built (${index} is missing): run npm run build:web\n`);
    });
    return r;
  }
  r.use(
    express.static(root, {
      index: false,
      setHeaders(res, file) {
        const rel = path.relative(root, file);
        if (rel.startsWith(`assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else res.setHeader('cache-control', 'no-cache');
        if (rel === 'sw.js') res.setHeader('service-worker-allowed', '/');
      },
    }),
  );
  r.get(/^\/(?!api\/|api$|metrics)/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
