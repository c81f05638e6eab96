/** Prometheus text exposition of ingest, time-series, broker and gateway figures. */
import { Router } from 'express';
import type { ApiContext } from './context.js';
import { handle } from './errors.js';

export function metricsRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get(
    '/',
    handle(async (_req, res) => {
      const lines: string[] = [];
      const put = (name: string, value: number, labels?: Record<string, string>) => {
        const l = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`).join(',')}}` : '';
        lines.push(`${name}${l} ${Number.isFinite(value) ? value : 0}`);
      };
      const ingest = ctx.ingest.metrics();
      for (const [k, v] of Object.entries(ingest.counters)) put(`qs_cloud_ingest_${k}`, v);
      for (const [code, n] of ingest.deadLetters) put('qs_cloud_ingest_dead_letters_total', n, { code });
      for (const [k, v] of Object.entries(ctx.series.metrics())) put(`qs_cloud_ts_${k}`, v, { driver: ctx.series.kind });
      for (const [k, v] of Object.entries(ctx.broker.metrics())) put(`qs_cloud_broker_${k}`, v, { mode: ctx.broker.mode });
      const gws = await ctx.store.listGateways();
      put('qs_cloud_gateways', gws.filter((g) => g.revokedAt === null).length);
      put('qs_cloud_gateways_online', gws.filter((g) => g.revokedAt === null && g.status?.state === 'online').length);
      put('qs_cloud_uptime_seconds', Math.round((Date.now() - ctx.startedAt) / 1000));
      res.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
    }),
  );
  return r;
}
