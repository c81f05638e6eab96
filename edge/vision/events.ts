/**
 * Detections become events: `{id, ts, camera, kind, value, confidence, box, snapshotPath,
 * snapshotSm3}`. The snapshot (JPEG, faces optionally blurred) is written under the data directory
 * and its SM3 hash (GB/T 32905, through OpenSSL in Node's crypto) stored with the event, so an
 * auditor can prove the image was not changed. Storage is the edge store's job: events go to an
 * `EventSink` that main.ts wires to it.
 */
import { createHash, getHashes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Analysis } from './camera/config.js';
import type { BoxXyxy, RgbImage } from './image.js';
import { encodeJpeg } from './image.js';
import { blurRegions } from './models/face/blur.js';

export interface VisionEvent {
  id: string;
  /** ms since the epoch (frame time) */
  ts: number;
  camera: string;
  kind: Analysis;
  /** plate text, container number, OCR text, draft in metres, or the face count */
  value: string | number;
  confidence: number;
  box: BoxXyxy | null;
  /** relative to the data directory */
  snapshotPath: string;
  /** hex SM3 of the snapshot file's bytes */
  snapshotSm3: string;
}

export interface EventSink {
  append(event: VisionEvent): void;
}

export interface Detection {
  kind: Analysis;
  value: string | number;
  confidence: number;
  box?: BoxXyxy;
}

export function sm3Hex(data: Uint8Array): string {
  if (!getHashes().includes('sm3')) throw new Error('this Node/OpenSSL build has no SM3');
  return createHash('sm3').update(data).digest('hex');
}

export interface EmitOptions {
  dataDir: string;
  camera: string;
  ts: number;
  frame: RgbImage;
  /** face boxes to blur in the stored snapshot (privacy) */
  blur?: BoxXyxy[];
  sink: EventSink;
}

/** Writes one snapshot for the frame and appends an event per detection; returns the events. */
export async function emitDetections(detections: Detection[], o: EmitOptions): Promise<VisionEvent[]> {
  if (detections.length === 0) return [];
  const img = o.blur?.length ? await blurRegions(o.frame, o.blur) : o.frame;
  const jpeg = await encodeJpeg(img, 85);
  const day = new Date(o.ts).toISOString().slice(0, 10);
  const rel = join('snapshots', o.camera, day, `${o.ts}-${randomUUID().slice(0, 8)}.jpg`);
  await mkdir(join(o.dataDir, 'snapshots', o.camera, day), { recursive: true });
  await writeFile(join(o.dataDir, rel), jpeg);
  const hash = sm3Hex(jpeg);
  const events = detections.map<VisionEvent>((d) => ({
    id: randomUUID(),
    ts: o.ts,
    camera: o.camera,
    kind: d.kind,
    value: d.value,
    confidence: Math.round(d.confidence * 1000) / 1000,
    box: d.box ? (d.box.map((v) => Math.round(v)) as BoxXyxy) : null,
    snapshotPath: rel,
    snapshotSm3: hash,
  }));
  for (const e of events) o.sink.append(e);
  return events;
}
