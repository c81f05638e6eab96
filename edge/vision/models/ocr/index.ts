/**
 * The OCR pipeline: detect text boxes, join the pieces of lines the detector broke, cut each box
 * out straight (tall boxes are turned a quarter, as PaddleOCR does), optionally fix upside-down
 * lines with the angle classifier, recognise; then cut a line where the recogniser read nothing over
 * several line heights (each piece gets its own quad) and make the case of look-alike Latin letters
 * agree within each word. See docs/vision.md.
 */
import type { BoxXyxy, Point, RgbImage } from '../../image.js';
import { quadToBox, rotate90, warpQuad } from '../../image.js';
import type { SessionOptions } from '../session.js';
import { AngleClassifier } from './cls.js';
import { minAreaRect, orderQuad, rectCorners, type TextBox } from './db.js';
import { TextDetector, type DetOptions } from './det.js';
import { TextRecognizer, type RecOptions, type RecResult } from './rec.js';
import { gapSegments, harmoniseCase } from './text.js';

export { TextDetector } from './det.js';
export { TextRecognizer } from './rec.js';
export { AngleClassifier } from './cls.js';
export type { TextBox } from './db.js';
export { gapSegments, harmoniseCase } from './text.js';

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
  /** Join the pieces of a line the detector broke before recognising it (default true). */
  mergeFragments?: boolean;
  /**
   * A detected line is cut where the recogniser read nothing between two characters over at least
   * this many line heights (unreadable script or empty space); 0 keeps every line whole. Default 4.
   */
  splitGap?: number;
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

/** Direction, extent and tallness of a detected quad (top edge tl → tr gives the direction). */
function quadFrame(q: readonly [Point, Point, Point, Point]): { ux: number; uy: number; w: number; h: number } {
  const w = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  const h = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  const len = dist(q[0], q[1]) || 1;
  return { ux: (q[1].x - q[0].x) / len, uy: (q[1].y - q[0].y) / len, w, h };
}

function span(q: readonly Point[], ax: number, ay: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of q) {
    const v = p.x * ax + p.y * ay;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Whether two detected boxes are pieces of one text line that the probability map broke (at a long
 * dash, a wide letter gap): both lie along the line (not tall), run in the same direction within
 * 10°, overlap along it once unclipped, and the height bands (across the line) overlap by at least
 * 70 % of the thinner one.
 */
export function sameLineFragments(a: TextBox, b: TextBox): boolean {
  const fa = quadFrame(a.quad);
  const fb = quadFrame(b.quad);
  if (fa.h >= 1.5 * fa.w || fb.h >= 1.5 * fb.w) return false;
  if (Math.abs(fa.ux * fb.uy - fa.uy * fb.ux) > Math.sin((10 * Math.PI) / 180) || fa.ux * fb.ux + fa.uy * fb.uy < 0) return false;
  const ref = fa.h >= fb.h ? fa : fb;
  const [a0, a1] = span(a.quad, ref.ux, ref.uy);
  const [b0, b1] = span(b.quad, ref.ux, ref.uy);
  if (Math.min(a1, b1) - Math.max(a0, b0) <= 0) return false;
  const [c0, c1] = span(a.quad, -ref.uy, ref.ux);
  const [d0, d1] = span(b.quad, -ref.uy, ref.ux);
  return Math.min(c1, d1) - Math.max(c0, d0) >= 0.7 * Math.min(c1 - c0, d1 - d0);
}

/** Joins the fragments of each broken line into one box (the smallest rectangle around them). */
export function mergeLineFragments(boxes: readonly TextBox[]): TextBox[] {
  const out = [...boxes];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!;
      const b = out[j]!;
      if (!sameLineFragments(a, b)) continue;
      const q = rectCorners(minAreaRect([...a.quad, ...b.quad]));
      out[i] = { quad: q, score: Math.max(a.score, b.score) };
      out.splice(j, 1);
      // the grown box may now reach boxes already passed over
      j = i;
    }
  }
  return out;
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

  /** Recognises line images, turning those the classifier finds upside down; says which were turned. */
  private async recognizeTurned(crops: RgbImage[], opts: OcrOptions): Promise<{ rec: RecResult[]; flipped: boolean[] }> {
    let flipped = crops.map(() => false);
    let lines = crops;
    if (opts.useAngleClassifier ?? true) {
      const flip = await this.cls.upsideDown(lines);
      flipped = flip.map((p) => p > 0.9);
      lines = lines.map((l, i) => (flipped[i] ? rotate90(l, 2) : l));
    }
    return { rec: await this.rec.recognize(lines, opts.rec), flipped };
  }

  /** Recognises already-cut line images (with optional 180° fix). */
  async recognizeLines(crops: RgbImage[], opts: OcrOptions = {}): Promise<{ text: string; confidence: number }[]> {
    const { rec } = await this.recognizeTurned(crops, opts);
    return rec.map((r) => ({ text: harmoniseCase(r.text), confidence: r.confidence }));
  }

  async read(img: RgbImage, opts: OcrOptions = {}): Promise<OcrLine[]> {
    const found = await this.det.detect(img, opts);
    const boxes = sortBoxes((opts.mergeFragments ?? true) ? mergeLineFragments(found) : found);
    const cut = boxes.map((b) => cropTextBox(img, b.quad));
    const { rec, flipped } = await this.recognizeTurned(
      cut.map((c) => c.crop),
      opts,
    );
    const drop = opts.dropScore ?? 0.5;
    const splitGap = opts.splitGap ?? 4;
    const out: OcrLine[] = [];
    boxes.forEach((b, i) => {
      const r = rec[i]!;
      const vertical = cut[i]!.vertical;
      const segments = splitGap > 0 ? gapSegments(r.chars, splitGap * r.stepsPerHeight) : [];
      if (segments.length <= 1) {
        if (r.confidence < drop || r.text.trim() === '') return;
        out.push({ text: harmoniseCase(r.text), confidence: r.confidence, quad: b.quad, box: quadToBox(b.quad), vertical });
        return;
      }
      for (const [s, e] of segments) {
        const chars = r.chars.slice(s, e);
        const confidence = chars.reduce((a, c) => a + c.p, 0) / chars.length;
        const text = chars.map((c) => c.ch).join('');
        if (confidence < drop || text.trim() === '') continue;
        // from half a line height before the first character to one after the last
        const u0 = Math.max(0, (chars[0]!.t - 0.5 * r.stepsPerHeight) * r.stepWidth);
        const u1 = Math.min(1, (chars.at(-1)!.t + r.stepsPerHeight) * r.stepWidth);
        const quad = lineSpanQuad(b.quad, u0, u1, vertical, flipped[i]!);
        out.push({ text: harmoniseCase(text), confidence, quad, box: quadToBox(quad), vertical });
      }
    });
    return out;
  }
}

/**
 * The part of a detected quad that holds the stretch [u0, u1] of its recognised line (fractions of
 * the line's length in reading order), undoing the crop's quarter turn and the classifier's 180°.
 */
export function lineSpanQuad(
  quad: readonly [Point, Point, Point, Point],
  u0: number,
  u1: number,
  vertical: boolean,
  flipped: boolean,
): [Point, Point, Point, Point] {
  const [p0, p1, p2, p3] = quad;
  // (u, v) on the line image → (s, r) on the straight cut of the quad (s along p0→p1, r along p0→p3)
  const at = (u: number, v: number): Point => {
    if (flipped) {
      u = 1 - u;
      v = 1 - v;
    }
    // a vertical cut was turned a quarter counter-clockwise: its rows became the line's columns
    const s = vertical ? 1 - v : u;
    const r = vertical ? u : v;
    const top = { x: p0.x + (p1.x - p0.x) * s, y: p0.y + (p1.y - p0.y) * s };
    const bottom = { x: p3.x + (p2.x - p3.x) * s, y: p3.y + (p2.y - p3.y) * s };
    return { x: top.x + (bottom.x - top.x) * r, y: top.y + (bottom.y - top.y) * r };
  };
  return orderQuad([at(u0, 0), at(u1, 0), at(u1, 1), at(u0, 1)]);
}
