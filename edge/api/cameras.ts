/**
 * /api/cameras: the cameras and their ingest state, recent detections (plates, container numbers,
 * faces, OCR, drafts) from the store, and the stored snapshots (JPEG, faces blurred) with the SM3 hash
 * kept beside each event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { QuaysideError } from '../../shared/errors.js';
import { ANALYSES } from '../vision/camera/config.js';
import type { VisionService } from '../vision/service.js';
import type { EdgeStore } from '../store/store.js';
import { handle, parseInput } from './errors.js';

const eventsQuery = z
  .object({
    camera: z.string().min(1).max(63).optional(),
    kind: z.enum(ANALYSES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .strict();

const KINDS = ANALYSES.map((k) => `'${k}'`).join(', ');

export function camerasRouter(vision: VisionService, store: EdgeStore, dataDir: string): Router {
  const r = Router();
  const recent = store.db.prepare(
    `SELECT id, ts, device AS camera, kind, data FROM events WHERE kind IN (${KINDS}) AND (? IS NULL OR device = ?) AND (? IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?`,
  );
  const snapshots = path.resolve(dataDir, 'snapshots');

  r.get('/', (_req, res) => void res.json(vision.status()));

  r.get(
    '/events',
    handle((req, res) => {
      const q = parseInput(eventsQuery, req.query, 'query');
      const rows = recent.all(q.camera ?? null, q.camera ?? null, q.kind ?? null, q.kind ?? null, q.limit) as { id: number; ts: number; camera: string; kind: string; data: string | null }[];
      res.json(rows.map((row) => ({ seq: row.id, ...(row.data ? (JSON.parse(row.data) as object) : { ts: row.ts, camera: row.camera, kind: row.kind }) })));
    }),
  );

  // snapshots/<camera>/<day>/<file>.jpg, exactly as events name them; nothing outside the folder.
  r.get(
    /^\/snapshots\/([a-z0-9][a-z0-9-]{0,62})\/(\d{4}-\d{2}-\d{2})\/([0-9]+-[0-9a-f]{8}\.jpg)$/,
    handle((req, res) => {
      const params = req.params as unknown as Record<string, string>;
      const file = path.join(snapshots, params['0']!, params['1']!, params['2']!);
      if (!file.startsWith(snapshots + path.sep) || !fs.existsSync(file)) throw new QuaysideError('EDGE_SNAPSHOT_NOT_FOUND', req.path);
      res.type('image/jpeg').setHeader('cache-control', 'private, max-age=86400, immutable');
      res.sendFile(file);
    }),
  );
  return r;
}
