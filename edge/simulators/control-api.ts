/**
 * The simulator's HTTP control API (loopback only), for tests and the demo:
 *   GET    /health                 → { ok: true }
 *   GET    /devices                → every device: id, profile, kind, endpoint, faults, values
 *   GET    /devices/:id            → one device (+ stats and, for line devices, the last sentence received per id)
 *   POST   /devices/:id/faults     → body: a FaultState ({ "timeout": true }, { "exception": 2 }, { "stuck": true } …); replaces the device's faults
 *   DELETE /devices/:id/faults     → clears them
 *   POST   /devices/:id/press      → body { "button"?: "call" }: a key press on a queue terminal, sent at once
 *   GET    /world                  → the shared world now (ship, dock water, ballast tanks, air)
 * Errors: { error: { code, message, details? } } with the catalogue's HTTP status.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { QuaysideError, type ErrorCode } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import type { SimDeviceEndpoint } from './config.js';
import type { SimDevice } from './device.js';
import type { World } from './world.js';

export const faultStateSchema = z
  .object({
    timeout: z.boolean().optional(),
    crc: z.boolean().optional(),
    exception: z.number().int().min(1).max(255).optional(),
    garbage: z.boolean().optional(),
    wrongUnit: z.boolean().optional(),
    shortFrame: z.boolean().optional(),
    disconnect: z.boolean().optional(),
    stuck: z.boolean().optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

const pressSchema = z.object({ button: z.string().min(1).max(32).optional() }).strict();

export interface ControlApiDeps {
  devices: ReadonlyMap<string, SimDevice>;
  endpoints: ReadonlyMap<string, SimDeviceEndpoint>;
  world: World;
}

export function createControlApp(deps: ControlApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));

  const device = (req: Request): SimDevice => {
    const d = deps.devices.get(String(req.params.id));
    if (!d) throw new QuaysideError('EDGE_DEVICE_NOT_FOUND', `no simulated device "${String(req.params.id)}"`);
    return d;
  };

  const summary = (d: SimDevice, detailed: boolean): Record<string, unknown> => ({
    id: d.id,
    profile: d.profile.model,
    kind: d.kind,
    model: d.profile.simulation.model,
    endpoint: deps.endpoints.get(d.id),
    faults: d.faults(),
    values: d.values(),
    ...(detailed
      ? d.kind === 'modbus'
        ? { writes: d.writes }
        : { stats: { ...d.stats }, lastReceived: d.lastReceived }
      : {}),
  });

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/devices', (_req, res) => {
    res.json([...deps.devices.values()].map((d) => summary(d, false)));
  });

  app.get('/devices/:id', (req, res) => {
    res.json(summary(device(req), true));
  });

  app.post('/devices/:id/faults', (req, res) => {
    const d = device(req);
    const parsed = faultStateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new QuaysideError('EDGE_BAD_REQUEST', JSON.stringify(fieldErrors(parsed.error)));
    d.setFaults(parsed.data);
    res.json({ id: d.id, faults: d.faults() });
  });

  app.delete('/devices/:id/faults', (req, res) => {
    const d = device(req);
    d.clearFaults();
    res.json({ id: d.id, faults: d.faults() });
  });

  app.post('/devices/:id/press', async (req, res, next) => {
    try {
      const d = device(req);
      if (d.kind !== 'sentence' || d.profile.simulation.model !== 'queue-terminal') throw new QuaysideError('EDGE_BAD_REQUEST', `${d.id} has no keys`);
      const parsed = pressSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new QuaysideError('EDGE_BAD_REQUEST', JSON.stringify(fieldErrors(parsed.error)));
      const press = await d.press(parsed.data.button);
      res.json({ id: d.id, press });
    } catch (e) {
      next(e);
    }
  });

  app.get('/world', (_req, res) => {
    res.json(deps.world.snapshot());
  });

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'EDGE_BAD_REQUEST', message: 'no such route' } });
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof QuaysideError) {
      res.status(err.http).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const bodyError = err as { type?: string; status?: number; message?: string };
    if (bodyError?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'EDGE_BAD_REQUEST' satisfies ErrorCode, message: 'body is not valid JSON' } });
      return;
    }
    res.status(500).json({ error: { message: bodyError?.message ?? String(err) } });
  });

  return app;
}
