/** GET /api/health: the gateway and every device's health. */
import { Router } from 'express';
import type { GatewayView } from './context.js';
import { handle } from './errors.js';
import { healthJson } from './serialize.js';

export function healthRouter(gw: GatewayView): Router {
  const r = Router();
  r.get('/', handle((_req, res) => {
    const devices = gw.devices().map((v) => ({ id: v.entry.id, model: v.entry.profile.model, ...healthJson(v.health, v.entry.config.enabled, v.entry.buildError) }));
    const ws = gw.writerStats();
    const counts = { online: 0, degraded: 0, offline: 0, disabled: 0 };
    for (const d of devices) counts[d.state]++;
    const storeOk = ws.pending < 100_000 && (ws.errors === 0 || ws.lastBatchMs > 0) && ws.dropped === 0;
    res.json({
      gateway: {
        id: gw.info.id,
        name: gw.info.name,
        status: !storeOk ? 'error' : counts.degraded + counts.offline > 0 ? 'degraded' : 'ok',
        startedAt: new Date(gw.info.startedAt).toISOString(),
        uptimeS: Math.round((Date.now() - gw.info.startedAt) / 1000),
        configVersion: gw.info.configVersion,
        store: { pending: ws.pending, committed: ws.committed, errors: ws.errors, dropped: ws.dropped, lastError: ws.lastError ?? null },
        devices: counts,
      },
      devices,
    });
  }));
  return r;
}
