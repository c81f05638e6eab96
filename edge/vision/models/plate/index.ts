/**
 * Vehicle plates: candidate regions are text boxes from the OCR detector whose shape and colour look
 * like a plate (blue, yellow, green or white background; width 2–8 × height); each candidate is
 * widened a little, read by the recogniser restricted to the plate alphabet, cleaned of separators
 * and impossible letters, and validated against the GA 36-2018 formats. The confidence is the
 * recogniser's mean character probability, halved when the text is not a valid plate.
 */
import type { BoxXyxy, Point, RgbImage } from '../../image.js';
import { crop, quadToBox, resize } from '../../image.js';
import { normalisePlate, PLATE_CHARSET, validatePlate, type PlateKind } from '../../../../shared/ids/plate.js';
import type { OcrEngine } from '../ocr/index.js';
import { cropTextBox } from '../ocr/index.js';
import type { TextBox } from '../ocr/db.js';

export type PlateColour = 'blue' | 'yellow' | 'green' | 'white' | 'black' | 'unknown';

export interface PlateReading {
  text: string;
  valid: boolean;
  kind?: PlateKind;
  colour: PlateColour;
  confidence: number;
  box: BoxXyxy;
  /** Characters changed by format rules (O → 0 …). */
  changes: { index: number; from: string; to: string }[];
  raw: string;
}

export interface PlateOptions {
  /** Detector's longer-side limit for the whole frame. */
  maxSide?: number;
  /** Second pass on plate-coloured blobs when the first finds nothing (default true). */
  smallPlates?: boolean;
  /** Drop readings below this confidence. */
  minConfidence?: number;
}

/** Dominant background colour of a plate crop (hue histogram of saturated pixels). */
export function plateColour(img: RgbImage): PlateColour {
  let blue = 0;
  let yellow = 0;
  let green = 0;
  let white = 0;
  let black = 0;
  const n = img.width * img.height;
  const d = img.data;
  for (let i = 0; i < n * 3; i += 3) {
    const r = d[i]! / 255;
    const g = d[i + 1]! / 255;
    const b = d[i + 2]! / 255;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const s = max === 0 ? 0 : (max - min) / max;
    if (s < 0.25) {
      if (max > 0.75) white++;
      else if (max < 0.25) black++;
      continue;
    }
    let h: number;
    if (max === r) h = (60 * ((g - b) / (max - min)) + 360) % 360;
    else if (max === g) h = 60 * ((b - r) / (max - min)) + 120;
    else h = 60 * ((r - g) / (max - min)) + 240;
    if (h >= 190 && h <= 255) blue++;
    else if (h >= 30 && h <= 65) yellow++;
    else if (h > 65 && h < 180) green++;
  }
  const best = Math.max(blue, yellow, green);
  if (best > n * 0.2) return best === blue ? 'blue' : best === yellow ? 'yellow' : 'green';
  if (white > n * 0.4) return 'white';
  if (black > n * 0.4) return 'black';
  return 'unknown';
}

function widen(quad: readonly [Point, Point, Point, Point], fx: number, fy: number): [Point, Point, Point, Point] {
  const cx = (quad[0].x + quad[1].x + quad[2].x + quad[3].x) / 4;
  const cy = (quad[0].y + quad[1].y + quad[2].y + quad[3].y) / 4;
  return quad.map((p) => ({ x: cx + (p.x - cx) * fx, y: cy + (p.y - cy) * fy })) as [Point, Point, Point, Point];
}

/** Merges boxes on one line separated by a small gap (the "皖A · 195K9" dot splits plates in two). */
export function mergeLineNeighbours(boxes: TextBox[]): TextBox[] {
  const out = [...boxes];
  for (let i = 0; i < boxes.length; i++)
    for (let j = 0; j < boxes.length; j++) {
      if (i === j) continue;
      const a = quadToBox(boxes[i]!.quad);
      const b = quadToBox(boxes[j]!.quad);
      const ha = a[3] - a[1];
      const hb = b[3] - b[1];
      if (Math.abs(ha - hb) > 0.35 * Math.max(ha, hb)) continue;
      const overlapY = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      if (overlapY < 0.6 * Math.min(ha, hb)) continue;
      const gap = b[0] - a[2];
      if (gap < -0.2 * ha || gap > 1.0 * ha) continue;
      const x1 = a[0];
      const y1 = Math.min(a[1], b[1]);
      const x2 = b[2];
      const y2 = Math.max(a[3], b[3]);
      out.push({
        quad: [
          { x: x1, y: y1 },
          { x: x2, y: y1 },
          { x: x2, y: y2 },
          { x: x1, y: y2 },
        ],
        score: Math.min(boxes[i]!.score, boxes[j]!.score),
      });
    }
  return out;
}

/**
 * Small-plate proposals from colour: on a ~320 px wide copy of the frame, connected blobs of plate
 * blue, yellow or green with a plate-like shape. Returns boxes in frame pixels, biggest first.
 */
export function colourProposals(img: RgbImage, max = 6): BoxXyxy[] {
  const f = Math.max(1, img.width / 320);
  const w = Math.max(1, Math.round(img.width / f));
  const h = Math.max(1, Math.round(img.height / f));
  const small = resize(img, w, h);
  const cls = new Uint8Array(w * h);
  const d = small.data;
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    const r = d[j]! / 255;
    const g = d[j + 1]! / 255;
    const b = d[j + 2]! / 255;
    const mx = Math.max(r, g, b);
    const mn = Math.min(r, g, b);
    const sat = mx === 0 ? 0 : (mx - mn) / mx;
    if (sat < 0.3 || mx < 0.25) continue;
    let hue: number;
    if (mx === r) hue = (60 * ((g - b) / (mx - mn)) + 360) % 360;
    else if (mx === g) hue = 60 * ((b - r) / (mx - mn)) + 120;
    else hue = 60 * ((r - g) / (mx - mn)) + 240;
    if (hue >= 200 && hue <= 250 && sat > 0.45) cls[i] = 1;
    else if (hue >= 38 && hue <= 60 && sat > 0.5 && mx > 0.45) cls[i] = 2;
    else if (hue >= 80 && hue <= 160 && mx > 0.35) cls[i] = 3;
  }
  // close gaps of up to 3 px along rows: the plate's characters cut its background into pieces
  for (let y = 0; y < h; y++) {
    let last = -10;
    for (let x = 0; x < w; x++) {
      const c = cls[y * w + x]!;
      if (!c) continue;
      if (x - last > 1 && x - last <= 4 && cls[y * w + last] === c) for (let k = last + 1; k < x; k++) cls[y * w + k] = c;
      last = x;
    }
  }
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const out: { box: BoxXyxy; area: number }[] = [];
  for (let s0 = 0; s0 < w * h; s0++) {
    if (!cls[s0] || seen[s0]) continue;
    const c = cls[s0]!;
    let x1 = w;
    let y1 = h;
    let x2 = 0;
    let y2 = 0;
    let area = 0;
    stack.push(s0);
    seen[s0] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      area++;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      for (const j of [i - 1, i + 1, i - w, i + w]) {
        if (j < 0 || j >= w * h || seen[j] || cls[j] !== c) continue;
        if ((j === i - 1 && x === 0) || (j === i + 1 && x === w - 1)) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    const bw = x2 - x1 + 1;
    const bh = y2 - y1 + 1;
    const aspect = bw / bh;
    if (bw < 3 || bw > w / 3 || aspect < 1.2 || aspect > 6 || area < 0.35 * bw * bh) continue;
    out.push({ box: [x1 * f, y1 * f, (x2 + 1) * f, (y2 + 1) * f], area });
  }
  return out
    .sort((a, b) => b.area - a.area)
    .slice(0, max)
    .map((o) => o.box);
}

export class PlateReader {
  constructor(private readonly ocr: OcrEngine) {}

  /** Reads line images that are already plate crops (e.g. from a plate detector or a tight crop). */
  async readCrops(crops: RgbImage[], boxes?: BoxXyxy[]): Promise<PlateReading[]> {
    const rec = await this.ocr.rec.recognize(crops, { charset: PLATE_CHARSET });
    return rec.map((r, i) => {
      const n = normalisePlate(r.text);
      const v = validatePlate(n.text);
      const img = crops[i]!;
      return {
        text: n.text,
        valid: v.valid,
        ...(v.kind ? { kind: v.kind } : {}),
        colour: plateColour(img),
        confidence: v.valid ? r.confidence : r.confidence * 0.5,
        box: boxes?.[i] ?? [0, 0, img.width, img.height],
        changes: n.changes,
        raw: r.text,
      };
    });
  }

  /** Reads the plate-like text boxes among `boxes` (frame pixels). */
  private async readBoxes(img: RgbImage, boxes: TextBox[]): Promise<PlateReading[]> {
    const cands = mergeLineNeighbours(boxes).filter((b) => {
      const w = Math.hypot(b.quad[1].x - b.quad[0].x, b.quad[1].y - b.quad[0].y);
      const h = Math.hypot(b.quad[3].x - b.quad[0].x, b.quad[3].y - b.quad[0].y);
      const r = w / Math.max(1, h);
      return r >= 1.8 && r <= 9 && h >= 8;
    });
    if (cands.length === 0) return [];
    const crops: RgbImage[] = [];
    const cboxes: BoxXyxy[] = [];
    const colours: PlateColour[] = [];
    for (const c of cands) {
      // the DB unclip margin is already right for the recogniser; widening more costs characters
      crops.push(cropTextBox(img, c.quad).crop);
      cboxes.push(quadToBox(c.quad));
      // the plate background extends above and below the characters
      colours.push(plateColour(crop(img, quadToBox(widen(c.quad, 1.05, 1.5)))));
    }
    const readings = await this.readCrops(crops, cboxes);
    readings.forEach((r, i) => {
      r.colour = colours[i]!;
      // plate backgrounds are coloured; text on grey/white that happens to match a format is penalised
      if (r.colour === 'unknown' || r.colour === 'black' || r.colour === 'white') r.confidence *= 0.8;
    });
    return readings;
  }

  /**
   * Finds and reads the plates in a frame; best first, one reading per region. The detector runs
   * on the frame at `maxSide` (960 px: 157 ms instead of 312 ms at 1280 on one core); when that finds
   * no valid plate, plate-coloured blobs too small for that scale are cut out at full resolution
   * and searched again.
   */
  async read(img: RgbImage, opts: PlateOptions = {}): Promise<PlateReading[]> {
    const min = opts.minConfidence ?? 0.5;
    const boxes = await this.ocr.det.detect(img, { maxSide: opts.maxSide ?? 960, db: { boxThresh: 0.5 } });
    let readings = (await this.readBoxes(img, boxes)).filter((r) => r.valid && r.confidence >= min);
    if (readings.length === 0 && (opts.smallPlates ?? true)) {
      for (const p of colourProposals(img)) {
        const pw = p[2] - p[0];
        const ph = p[3] - p[1];
        const region: BoxXyxy = [Math.max(0, p[0] - 0.4 * pw), Math.max(0, p[1] - 1.0 * ph), Math.min(img.width, p[2] + 0.4 * pw), Math.min(img.height, p[3] + 1.0 * ph)];
        const sub = crop(img, region);
        // small regions are enlarged so plate characters reach ~30 px in the detector
        const up = Math.min(4, Math.max(1, 96 / Math.max(1, ph)));
        const sb = await this.ocr.det.detect(sub, { maxSide: Math.round(Math.max(sub.width, sub.height) * up), minSide: 64, db: { boxThresh: 0.5 } });
        const shifted = sb.map((b) => ({ ...b, quad: b.quad.map((q) => ({ x: q.x + region[0], y: q.y + region[1] })) as TextBox['quad'] }));
        readings.push(...(await this.readBoxes(img, shifted)).filter((r) => r.valid && r.confidence >= min));
      }
    }
    readings = readings.sort((a, b) => b.confidence - a.confidence);
    // one reading per region: drop readings whose box mostly overlaps a better one
    const kept: PlateReading[] = [];
    for (const r of readings) {
      const overl = kept.some((k) => {
        const ix = Math.max(0, Math.min(k.box[2], r.box[2]) - Math.max(k.box[0], r.box[0]));
        const iy = Math.max(0, Math.min(k.box[3], r.box[3]) - Math.max(k.box[1], r.box[1]));
        return ix * iy > 0.3 * (r.box[2] - r.box[0]) * (r.box[3] - r.box[1]);
      });
      if (!overl) kept.push(r);
    }
    return kept;
  }
}
