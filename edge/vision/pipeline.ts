/**
 * Camera → analyses → events. One loop per camera pulls frames from its bounded queue (frames that
 * arrive while an analysis runs are dropped and counted there, never queued without bound), runs
 * the camera's analyses on its region of interest, and turns results into events through the
 * `EventSink` that main.ts wires to the edge store. A failing analysis is logged and the loop goes
 * on; the draft is read over `draftFrames` consecutive frames to damp waves.
 */
import type { Logger } from 'pino';
import type { Camera } from './camera/camera.js';
import type { Frame } from './camera/frames.js';
import type { BoxXyxy, RgbImage } from './image.js';
import { crop } from './image.js';
import { emitDetections, type Detection, type EventSink } from './events.js';
import type { SessionOptions } from './models/session.js';
import { OcrEngine } from './models/ocr/index.js';
import { BlazeFace } from './models/face/blazeface.js';
import { PlateReader } from './models/plate/index.js';
import { ContainerReader } from './models/container/index.js';
import { DraftReader } from './models/draft/index.js';

export interface VisionModels {
  ocr: OcrEngine;
  face: BlazeFace;
  plates: PlateReader;
  containers: ContainerReader;
  draft: DraftReader;
}

/** Loads every model once (sessions are cached and shared by all cameras). */
export async function loadVisionModels(opts: SessionOptions = {}): Promise<VisionModels> {
  const ocr = await OcrEngine.create(opts);
  const face = await BlazeFace.create('back', opts);
  return { ocr, face, plates: new PlateReader(ocr), containers: new ContainerReader(ocr), draft: new DraftReader(ocr) };
}

export interface PipelineOptions {
  camera: Camera;
  models: VisionModels;
  sink: EventSink;
  dataDir: string;
  logger: Logger;
  /** Blur detected faces in every stored snapshot. */
  blurFaces?: boolean;
  /** Frames combined into one draft reading. */
  draftFrames?: number;
  minConfidence?: number;
}

function toImage(f: Frame): RgbImage {
  return { width: f.width, height: f.height, data: new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength) };
}

const shift = (b: BoxXyxy, dx: number, dy: number): BoxXyxy => [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy];

/** Runs until the camera is stopped. */
export async function runCameraPipeline(o: PipelineOptions): Promise<void> {
  const cfg = o.camera.config;
  const log = o.logger.child({ camera: cfg.id });
  const min = o.minConfidence ?? 0.6;
  const draftBuf: RgbImage[] = [];
  for await (const frame of o.camera.frames()) {
    const full = toImage(frame);
    const roi = cfg.roi;
    const img = roi ? crop(full, [roi.x, roi.y, roi.x + roi.width, roi.y + roi.height]) : full;
    const dx = roi?.x ?? 0;
    const dy = roi?.y ?? 0;
    const dets: Detection[] = [];
    let faces: BoxXyxy[] = [];
    for (const a of cfg.analyses) {
      try {
        if (a === 'face' || o.blurFaces) {
          const f = await o.models.face.detect(img);
          faces = f.map((x) => shift(x.box, dx, dy));
          if (a === 'face' && f.length) dets.push({ kind: 'face', value: f.length, confidence: Math.max(...f.map((x) => x.score)), box: faces[0]! });
        }
        if (a === 'plate')
          for (const p of await o.models.plates.read(img))
            if (p.confidence >= min) dets.push({ kind: 'plate', value: p.text, confidence: p.confidence, box: shift(p.box, dx, dy) });
        if (a === 'container') {
          const [c] = await o.models.containers.read(img);
          if (c && c.confidence >= min) dets.push({ kind: 'container', value: c.value, confidence: c.confidence, box: shift(c.box, dx, dy) });
        }
        if (a === 'ocr') {
          const lines = await o.models.ocr.read(img);
          if (lines.length)
            dets.push({ kind: 'ocr', value: lines.map((l) => l.text).join('\n'), confidence: lines.reduce((s, l) => s + l.confidence, 0) / lines.length });
        }
        if (a === 'draft') {
          draftBuf.push(img);
          if (draftBuf.length >= (o.draftFrames ?? 5)) {
            const r = await o.models.draft.read(draftBuf.splice(0));
            if (r.draftM !== undefined)
              dets.push({ kind: 'draft', value: Math.round(r.draftM * 1000) / 1000, confidence: r.uncertain ? 0.5 : Math.max(0, 1 - r.sigmaM / 0.02) });
          }
        }
      } catch (e) {
        log.warn({ analysis: a, err: e instanceof Error ? e.message : String(e) }, 'analysis failed');
      }
    }
    if (dets.length) {
      try {
        await emitDetections(dets, { dataDir: o.dataDir, camera: cfg.id, ts: frame.ts, frame: full, ...(o.blurFaces ? { blur: faces } : {}), sink: o.sink });
      } catch (e) {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'event could not be stored');
      }
    }
  }
}
