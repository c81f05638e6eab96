/**
 * Differentiable-binarisation (DB) post-processing for the PP-OCR text detector: threshold the
 * probability map, take 8-connected components, fit each with a minimum-area rectangle, score it
 * by the mean probability inside, grow it by the "unclip" distance (area × ratio / perimeter) and
 * map it back to the source image. Rectangles come out as quads in clockwise order from top-left.
 */
import type { Point } from '../../image.js';

export interface DbOptions {
  /** Pixel threshold on the probability map. */
  thresh: number;
  /** Minimum mean probability inside a box. */
  boxThresh: number;
  unclipRatio: number;
  /** Smallest side (in map pixels) a box must have before unclipping. */
  minSize: number;
  maxCandidates: number;
}

export const DB_DEFAULTS: DbOptions = { thresh: 0.3, boxThresh: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

export interface TextBox {
  /** tl, tr, br, bl in source-image pixels. */
  quad: [Point, Point, Point, Point];
  score: number;
}

export interface RotatedRect {
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** Angle of the `w` side, radians. */
  angle: number;
}

/** Andrew's monotone chain; returns the hull counter-clockwise (in y-down coordinates: clockwise on screen). */
export function convexHull(points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (pts.length <= 2) return pts;
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  upper.pop();
  lower.pop();
  return lower.concat(upper);
}

/** Minimum-area enclosing rectangle of a point set (rotating the frame onto each hull edge). */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, w: 0, h: 0, angle: 0 };
  if (hull.length === 1) return { cx: hull[0]!.x, cy: hull[0]!.y, w: 0, h: 0, angle: 0 };
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len === 0) continue;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const p of hull) {
      const u = p.x * ux + p.y * uy;
      const v = -p.x * uy + p.y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return best ?? { cx: hull[0]!.x, cy: hull[0]!.y, w: 0, h: 0, angle: 0 };
}

/** The rectangle's corners ordered tl, tr, br, bl (by position on screen, whatever its angle). */
export function rectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const c = Math.cos(r.angle);
  const s = Math.sin(r.angle);
  const hw = r.w / 2;
  const hh = r.h / 2;
  const pts: Point[] = [
    { x: r.cx - hw * c + hh * s, y: r.cy - hw * s - hh * c },
    { x: r.cx + hw * c + hh * s, y: r.cy + hw * s - hh * c },
    { x: r.cx + hw * c - hh * s, y: r.cy + hw * s + hh * c },
    { x: r.cx - hw * c - hh * s, y: r.cy - hw * s + hh * c },
  ];
  return orderQuad(pts);
}

/** Orders four points tl, tr, br, bl: the two left-most by x, then by y on each side. */
export function orderQuad(pts: Point[]): [Point, Point, Point, Point] {
  const byX = [...pts].sort((a, b) => a.x - b.x);
  const left = byX.slice(0, 2).sort((a, b) => a.y - b.y);
  const right = byX.slice(2, 4).sort((a, b) => a.y - b.y);
  return [left[0]!, right[0]!, right[1]!, left[1]!];
}

/**
 * Boxes from a probability map of `mapW` × `mapH`; `scaleX`/`scaleY` map map pixels to source pixels.
 */
export function dbPostprocess(
  prob: Float32Array,
  mapW: number,
  mapH: number,
  scaleX: number,
  scaleY: number,
  opts: Partial<DbOptions> = {},
): TextBox[] {
  const o = { ...DB_DEFAULTS, ...opts };
  const n = mapW * mapH;
  const label = new Int32Array(n);
  const stack = new Int32Array(n);
  const boxes: TextBox[] = [];
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || prob[start]! <= o.thresh) continue;
    next++;
    // flood fill (8-connected) collecting pixel corners of the component's boundary rows
    let sp = 0;
    stack[sp++] = start;
    label[start] = next;
    let sum = 0;
    let count = 0;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    while (sp > 0) {
      const i = stack[--sp]!;
      const x = i % mapW;
      const y = (i - x) / mapW;
      sum += prob[i]!;
      count++;
      const mn = rowMin.get(y);
      if (mn === undefined || x < mn) rowMin.set(y, x);
      const mx = rowMax.get(y);
      if (mx === undefined || x > mx) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= mapH) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= mapW || (dx === 0 && dy === 0)) continue;
          const j = ny * mapW + nx;
          if (label[j] === 0 && prob[j]! > o.thresh) {
            label[j] = next;
            stack[sp++] = j;
          }
        }
      }
    }
    if (count < 4) continue;
    // row extremes suffice for the convex hull of the pixel squares
    const pts: Point[] = [];
    for (const [y, x0] of rowMin) {
      const x1 = rowMax.get(y)!;
      pts.push({ x: x0, y }, { x: x0, y: y + 1 }, { x: x1 + 1, y }, { x: x1 + 1, y: y + 1 });
    }
    const rect = minAreaRect(pts);
    if (Math.min(rect.w, rect.h) < o.minSize) continue;
    const score = sum / count;
    if (score < o.boxThresh) continue;
    // unclip: offset the rectangle outwards by area × ratio / perimeter
    const area = rect.w * rect.h;
    const perim = 2 * (rect.w + rect.h);
    const d = (area * o.unclipRatio) / perim;
    const grown: RotatedRect = { ...rect, w: rect.w + 2 * d, h: rect.h + 2 * d };
    if (Math.min(grown.w, grown.h) < o.minSize + 2) continue;
    const q = rectCorners(grown).map((p) => ({
      x: Math.min(Math.max(p.x * scaleX, 0), mapW * scaleX),
      y: Math.min(Math.max(p.y * scaleY, 0), mapH * scaleY),
    }));
    boxes.push({ quad: [q[0]!, q[1]!, q[2]!, q[3]!], score });
    if (boxes.length >= o.maxCandidates) break;
  }
  return boxes;
}
