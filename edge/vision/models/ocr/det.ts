/**
 * PP-OCRv4 text detection: resize so the longer side is at most `maxSide` (and both sides are
 * multiples of 32), normalise with ImageNet mean/std in the BGR channel order the model was trained
 * with, run, and turn the probability map into boxes with DB post-processing.
 */
import type { RgbImage } from '../../image.js';
import { resize } from '../../image.js';
import { getSession, ort, type SessionOptions } from '../session.js';
import { dbPostprocess, type DbOptions, type TextBox } from './db.js';

export interface DetOptions extends SessionOptions {
  /** Longer side limit before rounding to 32 (PaddleOCR's det_limit_side_len, limit_type "max"). */
  maxSide?: number;
  /** Shorter side floor: small images are scaled up so text is not lost. */
  minSide?: number;
  db?: Partial<DbOptions>;
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Target size for the detector: multiples of 32, longer side ≤ maxSide, shorter ≥ minSide where possible. */
export function detInputSize(width: number, height: number, maxSide: number, minSide = 0): { w: number; h: number } {
  let ratio = 1;
  if (Math.max(width, height) > maxSide) ratio = maxSide / Math.max(width, height);
  if (minSide > 0 && Math.min(width, height) * ratio < minSide) ratio = Math.min(minSide / Math.min(width, height), maxSide / Math.max(width, height) * 2);
  const w = Math.max(32, Math.round((width * ratio) / 32) * 32);
  const h = Math.max(32, Math.round((height * ratio) / 32) * 32);
  return { w, h };
}

/** CHW float tensor, BGR order, ImageNet normalisation. */
export function detTensor(img: RgbImage): Float32Array {
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  const d = img.data;
  // channel k of the tensor holds B, G, R for k = 0, 1, 2
  const a0 = 1 / (255 * STD[0]!);
  const a1 = 1 / (255 * STD[1]!);
  const a2 = 1 / (255 * STD[2]!);
  const b0 = MEAN[0]! / STD[0]!;
  const b1 = MEAN[1]! / STD[1]!;
  const b2 = MEAN[2]! / STD[2]!;
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    out[i] = d[j + 2]! * a0 - b0;
    out[plane + i] = d[j + 1]! * a1 - b1;
    out[2 * plane + i] = d[j]! * a2 - b2;
  }
  return out;
}

export class TextDetector {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(opts: SessionOptions = {}): Promise<TextDetector> {
    return new TextDetector(await getSession('ocr-det', opts));
  }

  /** Runs the network and returns the raw probability map (for tests and the draft reader). */
  async probabilityMap(img: RgbImage, opts: DetOptions = {}): Promise<{ prob: Float32Array; w: number; h: number; scaleX: number; scaleY: number }> {
    const { w, h } = detInputSize(img.width, img.height, opts.maxSide ?? 960, opts.minSide ?? 0);
    const input = w === img.width && h === img.height ? img : resize(img, w, h);
    const tensor = new ort.Tensor('float32', detTensor(input), [1, 3, h, w]);
    const out = await this.session.run({ [this.session.inputNames[0]!]: tensor });
    const t = out[this.session.outputNames[0]!]!;
    return { prob: t.data as Float32Array, w, h, scaleX: img.width / w, scaleY: img.height / h };
  }

  async detect(img: RgbImage, opts: DetOptions = {}): Promise<TextBox[]> {
    const m = await this.probabilityMap(img, opts);
    return dbPostprocess(m.prob, m.w, m.h, m.scaleX, m.scaleY, opts.db);
  }
}
