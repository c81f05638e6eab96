/**
 * The demo's simulated outside services: one loopback HTTP server answering as the port group's
 * schedule API (page pagination), the foreign-exchange centre's rate API (cursor pagination) and the
 * maritime safety administration's AIS feed, each behind a bearer token. Data come from
 * demo-sources/data/api/*.json. Started by scripts/demo.ts; the http-json connectors of
 * public-data.json read it.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const DEMO_DATA_DIR = path.join(import.meta.dirname, 'data');

export interface SimulatedApi {
  url: string;
  /** Requests answered, by path (for the demo's summary). */
  hits: Map<string, number>;
  stop(): Promise<void>;
}

function load(name: string): Record<string, unknown>[] {
  return JSON.parse(fs.readFileSync(path.join(DEMO_DATA_DIR, 'api', name), 'utf8')) as Record<string, unknown>[];
}

export async function startSimulatedApi(opts: { token: string; host?: string; port?: number }): Promise<SimulatedApi> {
  const schedules = load('port-schedules.json');
  const rates = load('exchange-rates.json');
  const ais = load('ais-positions.json');
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { error: 'invalid token' });
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const int = (name: string, dflt: number) => {
      const v = Number(url.searchParams.get(name) ?? dflt);
      return Number.isInteger(v) && v > 0 ? v : dflt;
    };
    switch (url.pathname) {
      case '/api/port/schedules': {
        // ?page=1&size=10[&since=<updated_at>]: the newest changes after the connector's watermark
        const since = Number(url.searchParams.get('since') ?? -1);
        const all = schedules.filter((s) => Number(s['updated_at']) > since);
        const size = Math.min(int('size', 20), 100);
        const page = int('page', 1);
        return send(200, { code: 0, data: { total: all.length, page, items: all.slice((page - 1) * size, page * size) } });
      }
      case '/api/fx/rates': {
        // five rows a page; `next` names the row to start from
        const start = Number(url.searchParams.get('after') ?? 0) || 0;
        const rows = rates.slice(start, start + 5);
        return send(200, { rows, next: start + 5 < rates.length ? String(start + 5) : null });
      }
      case '/api/ais/positions': {
        // every position a little further on than the last time it was asked
        const n = hits.get(url.pathname)!;
        const now = Date.now();
        const items = ais.map((p) => ({ ...p, lat: Number(p['lat']) + n * 0.0001 * Number(p['sog_kn']), reported_at: now - (now % 1000) }));
        const size = Math.min(int('size', 50), 100);
        const page = int('page', 1);
        return send(200, { items: items.slice((page - 1) * size, page * size) });
      }
      default:
        return send(404, { error: `no ${url.pathname}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
