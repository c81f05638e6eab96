/**
 * The OCR pipeline: detect text boxes, cut each box out straight (tall boxes are turned a quarter,
 * as PaddleOCR does), optionally fix upside-down lines with the angle classifier, recognise.
 */
import type { BoxXyxy, Point, RgbImage } from '../../image.js';
import { quadToBox, rotate90, warpQuad } from '../../image.js';
import type { SessionOptions } from '../session.js';
import { AngleClassifier } from './cls.js';
import type { TextBox } from './db.js';
import { TextDetector, type DetOptions } from './det.js';
import { TextRecognizer, type RecOptions } from './rec.js';

export { TextDetector } from './det.js';
export { TextRecognizer } from './rec.js';
export { AngleClassifier } from './cls.js';
export type { TextBox } from './db.js';

export interface OcrLine {
  text: string;
  confidence: number;
  quad: [Point, Point, Point, Point];
  box: BoxXyxy;
  /** True when the crop was turned a quarter before recognition (vertical text). */
  vertical: boolean;
}

export interface OcrOptions extends DetOptions {
  useAngleClassifier?: boolean;
  /** Lines below this confidence are dropped (PaddleOCR's drop_score). */
  dropScore?: number;
  rec?: RecOptions;
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** The straightened crop of a detected quad, and whether it was turned for being tall. */
export function cropTextBox(img: RgbImage, quad: readonly [Point, Point, Point, Point]): { crop: RgbImage; vertical: boolean } {
  const w = Math.max(1, Math.round(Math.max(dist(quad[0], quad[1]), dist(quad[3], quad[2]))));
  const h = Math.max(1, Math.round(Math.max(dist(quad[0], quad[3]), dist(quad[1], quad[2]))));
  const c = warpQuad(img, quad, w, h);
  if (h / w >= 1.5) return { crop: rotate90(c, 1), vertical: true };
  return { crop: c, vertical: false };
}

/** Reading order: top to bottom, left to right for boxes on the same line (within 10 px). */
export function sortBoxes(boxes: TextBox[]): TextBox[] {
  const s = [...boxes].sort((a, b) => a.quad[0].y - b.quad[0].y || a.quad[0].x - b.quad[0].x);
  for (let i = 0; i < s.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = s[j]!;
      const b = s[j + 1]!;
      if (Math.abs(b.quad[0].y - a.quad[0].y) < 10 && b.quad[0].x < a.quad[0].x) {
        s[j] = b;
        s[j + 1] = a;
      } else break;
    }
  }
  return s;
}

export class OcrEngine {
  private constructor(
    readonly det: TextDetector,
    readonly rec: TextRecognizer,
    readonly cls: AngleClassifier,
  ) {}

  static async create(opts: SessionOptions = {}): Promise<OcrEngine> {
    const [det, rec, cls] = await Promise.all([TextDetector.create(opts), TextRecognizer.create(opts), AngleClassifier.create(opts)]);
    return new OcrEngine(det, rec, cls);
  }

  /** Recognises already-cut line images (with optional 180° fix). */
  async recognizeLines(crops: RgbImage[], opts: OcrOptions = {}): Promise<{ text: string; confidence: number }[]> {
    let lines = crops;
    if (opts.useAngleClassifier ?? true) {
      const flip = await this.cls.upsideDown(lines);
      lines = lines.map((l, i) => (flip[i]! > 0.9 ? rotate90(l, 2) : l));
    }
    return this.rec.recognize(lines, opts.rec);
  }

  async read(img: RgbImage, opts: OcrOptions = {}): Promise<OcrLine[]> {
    const boxes = sortBoxes(await this.det.detect(img, opts));
    const cut = boxes.map((b) => cropTextBox(img, b.quad));
    const texts = await this.recognizeLines(
      cut.map((c) => c.crop),
      opts,
    );
    const drop = opts.dropScore ?? 0.5;
    const out: OcrLine[] = [];
    boxes.forEach((b, i) => {
      const t = texts[i]!;
      if (t.confidence < drop || t.text.trim() === '') return;
      out.push({ text: t.text, confidence: t.confidence, quad: b.quad, box: quadToBox(b.quad), vertical: cut[i]!.vertical });
    });
    return out;
  }
}
