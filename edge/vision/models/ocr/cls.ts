/**
 * PP-OCR text-line angle classifier (0° vs 180°): 3×48×192 input, ratio-preserving resize with
 * right padding, normalised to [-1, 1] (BGR).
 */
import type { RgbImage } from '../../image.js';
import { resize } from '../../image.js';
import { getSession, ort, type SessionOptions } from '../session.js';

const H = 48;
const W = 192;

export class AngleClassifier {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(opts: SessionOptions = {}): Promise<AngleClassifier> {
    return new AngleClassifier(await getSession('ocr-cls', opts));
  }

  /** Probability that each line is upside down. */
  async upsideDown(lines: RgbImage[]): Promise<number[]> {
    if (lines.length === 0) return [];
    const plane = H * W;
    const data = new Float32Array(lines.length * 3 * plane);
    lines.forEach((l, slot) => {
      const w = Math.max(1, Math.min(W, Math.ceil((H * l.width) / Math.max(1, l.height))));
      const r = resize(l, w, H);
      const base = slot * 3 * plane;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < w; x++) {
          const j = (y * w + x) * 3;
          const i = base + y * W + x;
          data[i] = r.data[j + 2]! / 127.5 - 1;
          data[plane + i] = r.data[j + 1]! / 127.5 - 1;
          data[2 * plane + i] = r.data[j]! / 127.5 - 1;
        }
    });
    const out = await this.session.run({ [this.session.inputNames[0]!]: new ort.Tensor('float32', data, [lines.length, 3, H, W]) });
    const p = out[this.session.outputNames[0]!]!.data as Float32Array;
    return lines.map((_, i) => p[i * 2 + 1]!);
  }
}
