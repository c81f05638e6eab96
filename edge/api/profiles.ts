/** GET /api/profiles (summaries) and /api/profiles/:model (the whole validated profile). */
import { Router } from 'express';
import { QuaysideError } from '../../shared/errors.js';
import type { GatewayView } from './context.js';
import { handle } from './errors.js';
import { profileSummary } from './serialize.js';

export function profilesRouter(gw: GatewayView): Router {
  const r = Router();
  r.get('/', handle((_req, res) => {
    res.json({ profiles: gw.profiles.all().map(profileSummary) });
  }));
  r.get('/:model', handle((req, res) => {
    const p = gw.profiles.get(req.params['model']!);
    if (!p) throw new QuaysideError('PROFILE_NOT_FOUND', `"${req.params['model']}" (known: ${gw.profiles.models().join(', ')})`);
    res.json(p);
  }));
  return r;
}
