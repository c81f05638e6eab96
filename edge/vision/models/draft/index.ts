/**
 * Draft-mark reading. Metric marks are numerals 10 cm tall whose lower edge stands at the even
 * decimetre they state ("2", "4", "6", "8"), with "M" after whole metres ("8M" = 8.0 m). Per frame:
 *  1. the OCR detector finds the numerals and the recogniser (restricted to digits and M) reads them;
 *     decimetre numerals take their metre from the nearest metre mark;
 *  2. each numeral's lower and upper ink edges are measured to sub-pixel precision from an ink-
 *     fraction profile, giving (row, draft) pairs every 10 cm;
 *  3. the waterline is found in every column as the hull→water colour edge (sub-pixel, by integrating
 *     the hull fraction across the edge), and a robust straight line through those points — which
 *     averages the waves along the hull — is evaluated at the marks' column;
 *  4. a robust fit of row against draft (quadratic when enough marks, for perspective) is inverted
 *     at the waterline row.
 * Over N frames the per-frame readings are combined with median/MAD outlier rejection, which damps
 * waves further. The result carries an uncertainty and an `uncertain` flag when the fit, the
 * waterline or the spread between frames is poor.
 */
import type { BoxXyxy, RgbImage } from '../../image.js';
import type { OcrEngine } from '../ocr/index.js';
import { crop, quadToBox } from '../../image.js';

export interface DraftMark {
  text: string;
  value: number;
  box: BoxXyxy;
  /** sub-pixel rows of the ink's upper and lower edges */
  top: number;
  bottom: number;
  confidence: number;
}

export interface DraftFrameReading {
  draftM: number | undefined;
  /** one-sigma uncertainty, metres */
  sigmaM: number;
  uncertain: boolean;
  reasons: string[];
  marks: DraftMark[];
  waterlineRow: number | undefined;
  pixelsPerMetre: number | undefined;
}

export interface DraftReading {
  draftM: number | undefined;
  sigmaM: number;
  uncertain: boolean;
  reasons: string[];
  frames: number;
  used: number;
  perFrame: (number | undefined)[];
}

export interface DraftOptions {
  /** Flag the reading uncertain above this one-sigma (metres). */
  maxSigmaM?: number;
  /** Flag when per-frame readings spread (std) more than this (metres). */
  maxSpreadM?: number;
}

type Rgb = [number, number, number];

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function mad(a: number[], m = median(a)): number {
  return median(a.map((x) => Math.abs(x - m))) * 1.4826;
}

/** Median colour of the pixels in a box (per channel). */
function medianColour(img: RgbImage, box: BoxXyxy, step = 2, skip?: (x: number, y: number) => boolean): Rgb {
  const r: number[] = [];
  const g: number[] = [];
  const b: number[] = [];
  const x1 = Math.max(0, Math.floor(box[0]));
  const y1 = Math.max(0, Math.floor(box[1]));
  const x2 = Math.min(img.width, Math.ceil(box[2]));
  const y2 = Math.min(img.height, Math.ceil(box[3]));
  for (let y = y1; y < y2; y += step)
    for (let x = x1; x < x2; x += step) {
      if (skip?.(x, y)) continue;
      const o = (y * img.width + x) * 3;
      r.push(img.data[o]!);
      g.push(img.data[o + 1]!);
      b.push(img.data[o + 2]!);
    }
  return [median(r), median(g), median(b)];
}

/** Least squares polynomial fit (degree 1 or 2) with weights; returns coefficients low → high. */
function polyfit(xs: number[], ys: number[], deg: 1 | 2, w?: number[]): number[] {
  const n = deg + 1;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const B = new Array<number>(n).fill(0);
  xs.forEach((x, i) => {
    const wi = w?.[i] ?? 1;
    const p = [1, x, x * x];
    for (let r = 0; r < n; r++) {
      B[r] = B[r]! + wi * p[r]! * ys[i]!;
      for (let c = 0; c < n; c++) A[r]![c] = A[r]![c]! + wi * p[r]! * p[c]!;
    }
  });
  // Gaussian elimination
  for (let i = 0; i < n; i++) {
    let piv = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[piv]![i]!)) piv = r;
    [A[i], A[piv]] = [A[piv]!, A[i]!];
    [B[i], B[piv]] = [B[piv]!, B[i]!];
    const d = A[i]![i]!;
    if (Math.abs(d) < 1e-12) return deg === 2 ? polyfit(xs, ys, 1, w).concat(0) : [median(ys), 0];
    for (let r = 0; r < n; r++) {
      if (r === i) continue;
      const f = A[r]![i]! / d;
      for (let c = i; c < n; c++) A[r]![c] = A[r]![c]! - f * A[i]![c]!;
      B[r] = B[r]! - f * B[i]!;
    }
  }
  return B.map((v, i) => v / A[i]![i]!);
}

const evalPoly = (c: number[], x: number): number => c.reduce((s, k, i) => s + k * x ** i, 0);

/** Robust fit: iteratively drops points beyond 3 σ (MAD) of the residuals. */
function robustFit(xs: number[], ys: number[], deg: 1 | 2): { c: number[]; resid: number[]; inliers: boolean[] } {
  let inl = xs.map(() => true);
  let c = polyfit(xs, ys, deg);
  for (let it = 0; it < 4; it++) {
    const res = xs.map((x, i) => ys[i]! - evalPoly(c, x));
    const s = Math.max(mad(res.filter((_, i) => inl[i])), 0.3);
    const next = res.map((r) => Math.abs(r) <= 3 * s);
    if (next.filter(Boolean).length < deg + 2) break;
    inl = next;
    c = polyfit(
      xs.filter((_, i) => inl[i]),
      ys.filter((_, i) => inl[i]),
      deg,
    );
  }
  return { c, resid: xs.map((x, i) => ys[i]! - evalPoly(c, x)), inliers: inl };
}

function parseMark(text: string): { kind: 'metre'; m: number } | { kind: 'dm'; d: number } | undefined {
  const t = text.replace(/\s/g, '');
  const mm = /^(\d{1,2})M$/.exec(t);
  if (mm) return { kind: 'metre', m: Number(mm[1]) };
  if (/^[2468]$/.test(t)) return { kind: 'dm', d: Number(t) };
  return undefined;
}

export class DraftReader {
  constructor(private readonly ocr: OcrEngine) {}

  /** Per-row maximum ink fraction (two-pixel average) over a box, against the hull colour. */
  private inkRows(img: RgbImage, x1: number, x2: number, y1: number, y2: number, hull: Rgb, ink: Rgb): number[] {
    const axis: Rgb = [ink[0] - hull[0], ink[1] - hull[1], ink[2] - hull[2]];
    const len2 = axis[0] ** 2 + axis[1] ** 2 + axis[2] ** 2;
    const rows: number[] = [];
    for (let y = y1; y < y2; y++) {
      let best = 0;
      let prev = 0;
      for (let x = x1; x < x2; x++) {
        const o = (y * img.width + x) * 3;
        const f = ((img.data[o]! - hull[0]) * axis[0] + (img.data[o + 1]! - hull[1]) * axis[1] + (img.data[o + 2]! - hull[2]) * axis[2]) / len2;
        const v = (f + prev) / 2;
        prev = f;
        if (v > best) best = v;
      }
      rows.push(Math.min(1, Math.max(0, best)));
    }
    return rows;
  }

  /** The colour farthest from the hull inside a box (the paint of the marks). */
  private inkColour(img: RgbImage, box: BoxXyxy, hull: Rgb): Rgb | undefined {
    const dists: { d: number; o: number }[] = [];
    const x1 = Math.max(0, Math.floor(box[0]));
    const x2 = Math.min(img.width, Math.ceil(box[2]));
    for (let y = Math.max(0, Math.floor(box[1])); y < Math.min(img.height, Math.ceil(box[3])); y++)
      for (let x = x1; x < x2; x++) {
        const o = (y * img.width + x) * 3;
        dists.push({ d: (img.data[o]! - hull[0]) ** 2 + (img.data[o + 1]! - hull[1]) ** 2 + (img.data[o + 2]! - hull[2]) ** 2, o });
      }
    if (dists.length < 4) return undefined;
    dists.sort((a, b) => b.d - a.d);
    const top = dists.slice(0, Math.max(3, Math.floor(dists.length * 0.08)));
    const ink = [0, 1, 2].map((c) => median(top.map((t) => img.data[t.o + c]!))) as Rgb;
    const len2 = (ink[0] - hull[0]) ** 2 + (ink[1] - hull[1]) ** 2 + (ink[2] - hull[2]) ** 2;
    return len2 < 30 ** 2 ? undefined : ink;
  }

  /** Splits a text box into numerals at rows without ink; each piece is padded by a quarter of its height. */
  inkSegments(img: RgbImage, box: BoxXyxy, hull: Rgb): BoxXyxy[] {
    const ink = this.inkColour(img, box, hull);
    if (!ink) return [];
    const x1 = Math.max(0, Math.floor(box[0]));
    const x2 = Math.min(img.width, Math.ceil(box[2]));
    const y1 = Math.max(0, Math.floor(box[1]));
    const y2 = Math.min(img.height, Math.ceil(box[3]));
    const rows = this.inkRows(img, x1, x2, y1, y2, hull, ink);
    const segs: BoxXyxy[] = [];
    for (let i = 0; i < rows.length; ) {
      if (rows[i]! < 0.5) {
        i++;
        continue;
      }
      let j = i;
      while (j < rows.length && (rows[j]! >= 0.5 || (rows[j + 1] ?? 0) >= 0.5)) j++;
      const h = j - i;
      if (h >= 4) {
        const pad = Math.max(2, 0.25 * h);
        segs.push([x1, Math.max(0, y1 + i - pad), x2, Math.min(img.height, y1 + j + pad)]);
      }
      i = j;
    }
    return segs;
  }

  /** Sub-pixel upper and lower ink edges of a numeral inside `box`, measured against `hull`. */
  inkEdges(img: RgbImage, box: BoxXyxy, hull: Rgb): { top: number; bottom: number } | undefined {
    const h = box[3] - box[1];
    const x1 = Math.max(0, Math.floor(box[0]));
    const x2 = Math.min(img.width, Math.ceil(box[2]));
    const y1 = Math.max(0, Math.floor(box[1] - 0.25 * h));
    const y2 = Math.min(img.height, Math.ceil(box[3] + 0.25 * h));
    if (x2 - x1 < 2 || y2 - y1 < 4) return undefined;
    const ink = this.inkColour(img, box, hull);
    if (!ink) return undefined;
    const rows = this.inkRows(img, x1, x2, y1, y2, hull, ink);
    // the longest run of rows with ink ≥ 0.5
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < rows.length; ) {
      if (rows[i]! < 0.5) {
        i++;
        continue;
      }
      let j = i;
      while (j < rows.length && rows[j]! >= 0.5) j++;
      if (j - i > bestLen) {
        bestLen = j - i;
        bestStart = i;
      }
      i = j;
    }
    if (bestLen < 3) return undefined;
    const last = bestStart + bestLen - 1;
    // partial coverage of the rows just outside the run is the sub-pixel part of the edge (the row
    // after that counts, capped, when the edge is blurred over two rows)
    const fringe = (next: number | undefined, after: number | undefined): number =>
      (next ?? 0) + ((next ?? 0) > 0.25 ? Math.min(0.5, after ?? 0) : 0);
    const below = fringe(rows[last + 1], rows[last + 2]);
    const above = fringe(rows[bestStart - 1], rows[bestStart - 2]);
    return { top: y1 + bestStart - above, bottom: y1 + last + 1 + below };
  }

  /**
   * Per-column sub-pixel waterline rows (hull above, water below). Colours are modelled per band of
   * 64 columns (lighting varies along the hull): hull from the marks' rows (marks excluded), water
   * from the bottom rows. Each column, averaged over 5 px against noise, is split at the row that
   * best separates hull above from water below (from the top of the marks down, so wave crests that
   * rise past the lowest numeral are kept); the hull fraction integrated across that edge gives the
   * sub-pixel row.
   */
  waterlineColumns(img: RgbImage, hullRows: [number, number], skip: (x: number, y: number) => boolean, step = 2): { xs: number[]; ys: number[] } {
    const xs: number[] = [];
    const ys: number[] = [];
    const W = img.width;
    const H = img.height;
    const band = 64;
    const waterTop = H - Math.max(6, Math.round(H * 0.06));
    for (let bx = 0; bx < W; bx += band) {
      const bx2 = Math.min(W, bx + band);
      const hull = medianColour(img, [bx, hullRows[0], bx2, hullRows[1]], 2, skip);
      const water = medianColour(img, [bx, waterTop, bx2, H], 2);
      const axis: Rgb = [hull[0] - water[0], hull[1] - water[1], hull[2] - water[2]];
      const len2 = axis[0] ** 2 + axis[1] ** 2 + axis[2] ** 2;
      if (!(len2 >= 8 ** 2)) continue;
      // hull fraction, clamped loosely so that noise on either side averages out
      const frac = (x: number, y: number): number => {
        let sum = 0;
        for (let k = -2; k <= 2; k++) {
          const o = (y * W + Math.min(W - 1, Math.max(0, x + k))) * 3;
          sum += (img.data[o]! - water[0]) * axis[0] + (img.data[o + 1]! - water[1]) * axis[1] + (img.data[o + 2]! - water[2]) * axis[2];
        }
        const f = sum / (5 * len2);
        return f < -0.5 ? -0.5 : f > 1.5 ? 1.5 : f;
      };
      const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
      for (let x = Math.max(4, bx + (bx % step)); x < Math.min(W - 4, bx2); x += step) {
        // best single split of the column into hull above / water below (least squares on the hull
        // fraction; numerals count as hull): robust to blotches on the hull and texture on the water
        const y0 = Math.max(1, Math.floor(hullRows[0]));
        const n = H - y0;
        const fr = new Float32Array(n);
        for (let y = y0; y < H; y++) fr[y - y0] = skip(x, y) ? 1 : frac(x, y);
        let above = 0;
        let below = 0;
        for (let k = 0; k < n; k++) below += fr[k]! * fr[k]!;
        let best = Infinity;
        let edge = -1;
        for (let k = 0; k < n; k++) {
          const cost = above + below;
          if (cost < best) {
            best = cost;
            edge = y0 + k;
          }
          above += (1 - fr[k]!) ** 2;
          below -= fr[k]! * fr[k]!;
        }
        if (edge < 0 || edge - 4 < y0 || skip(x, edge - 4)) continue;
        // window from certainly-hull to certainly-water rows; Σ hull fraction = hull rows inside it
        const a = edge - 4;
        const b2 = edge + 3;
        if (a < 0 || b2 >= H) continue;
        let sum = 0;
        for (let y = a; y <= b2; y++) sum += clamp01(frac(x, y));
        xs.push(x);
        ys.push(a + sum);
      }
    }
    return { xs, ys };
  }

  async readFrame(img: RgbImage, opts: DraftOptions = {}): Promise<DraftFrameReading> {
    const reasons: string[] = [];
    const fail = (why: string, marks: DraftMark[] = []): DraftFrameReading => ({
      draftM: undefined,
      sigmaM: Infinity,
      uncertain: true,
      reasons: [...reasons, why],
      marks,
      waterlineRow: undefined,
      pixelsPerMetre: undefined,
    });
    const boxes = (await this.ocr.det.detect(img, { maxSide: Math.max(img.width, img.height), db: { boxThresh: 0.5 } })).map((b) => quadToBox(b.quad));
    if (boxes.length === 0) return fail('no marks found');
    // hull colour: the image above the lowest text, outside the text boxes
    const inBox = (x: number, y: number): boolean => boxes.some((b) => x >= b[0] - 2 && x <= b[2] + 2 && y >= b[1] - 2 && y <= b[3] + 2);
    const textBottom = Math.max(...boxes.map((b) => b[3]));
    const hull = medianColour(img, [0, 0, img.width, textBottom], 4, inBox);
    // the detector merges a column of numerals into one tall box: split boxes at ink-free rows
    const pieces: BoxXyxy[] = [];
    for (const b of boxes) for (const seg of this.inkSegments(img, b, hull)) pieces.push(seg);
    if (pieces.length === 0) return fail('no marks found');
    const rec = await this.ocr.rec.recognize(
      pieces.map((b) => crop(img, b)),
      { charset: '0123456789M' },
    );
    const raw = pieces
      .map((b, i) => ({ box: b, text: rec[i]!.text, conf: rec[i]!.confidence, p: parseMark(rec[i]!.text) }))
      .filter((r) => r.p && r.conf > 0.5);
    if (raw.length < 2) return fail('fewer than two marks read');
    // metre for each decimetre mark: from the nearest metre mark (below it: same metre; above: one less)
    const metres = raw.filter((r) => r.p!.kind === 'metre');
    if (metres.length === 0) return fail('no metre mark in view');
    const marks: DraftMark[] = [];
    for (const r of raw) {
      let value: number;
      if (r.p!.kind === 'metre') value = r.p!.m;
      else {
        const cy = (r.box[1] + r.box[3]) / 2;
        const near = metres.reduce((a, b) => (Math.abs((b.box[1] + b.box[3]) / 2 - cy) < Math.abs((a.box[1] + a.box[3]) / 2 - cy) ? b : a));
        const nearCy = (near.box[1] + near.box[3]) / 2;
        const m = (near.p as { m: number }).m;
        value = nearCy > cy ? m + r.p!.d / 10 : m - 1 + r.p!.d / 10;
      }
      const e = this.inkEdges(img, r.box, hull);
      if (!e) continue;
      marks.push({ text: r.text, value, box: r.box, top: e.top, bottom: e.bottom, confidence: r.conf });
    }
    // a numeral cut by a wave crest or the frame edge is short: its edges are not its value. It is
    // dropped without flagging the reading — the remaining marks carry the scale
    const hMed = median(marks.map((m) => m.bottom - m.top));
    const whole = marks.filter((m) => m.bottom - m.top > 0.9 * hMed && m.bottom - m.top < 1.1 * hMed);
    marks.length = 0;
    marks.push(...whole);
    if (marks.length < 2) return fail('fewer than two marks measured', marks);
    // row ↔ draft: lower edges at the value, upper edges 10 cm higher
    const ds: number[] = [];
    const ys: number[] = [];
    for (const m of marks) {
      ds.push(m.value, m.value + 0.1);
      ys.push(m.bottom, m.top);
    }
    const lin = robustFit(ds, ys, 1);
    const ppm = -lin.c[1]!;
    if (!(ppm > 20)) return fail('marks inconsistent (scale)', marks);
    // drop marks whose label disagrees with the geometry (misread numerals)
    const good = marks.filter((m) => Math.abs(m.bottom - evalPoly(lin.c, m.value)) < 0.04 * ppm);
    if (good.length < 2) return fail('marks inconsistent', marks);
    if (good.length < marks.length) reasons.push(`${marks.length - good.length} mark(s) disagree with the scale`);
    const gd: number[] = [];
    const gy: number[] = [];
    for (const m of good) {
      gd.push(m.value, m.value + 0.1);
      gy.push(m.bottom, m.top);
    }
    const deg: 1 | 2 = good.length >= 5 ? 2 : 1;
    const fit = robustFit(gd, gy, deg);
    const inl = fit.resid.filter((_, i) => fit.inliers[i]);
    const rms = Math.sqrt(inl.reduce((s, r) => s + r * r, 0) / Math.max(1, inl.length - deg - 1));

    // waterline: per-column hull/water edge, then a robust line along the hull (averages the waves)
    const lowest = Math.max(...good.map((m) => m.bottom));
    const highest = Math.min(...good.map((m) => m.top));
    const col = this.waterlineColumns(img, [highest, lowest], inBox);
    if (col.xs.length < img.width / 8) return fail('waterline not found', good);
    const wl = robustFit(col.xs, col.ys, 1);
    const wlIn = wl.resid.filter((_, i) => wl.inliers[i]);
    const wlStd = Math.sqrt(wlIn.reduce((s, r) => s + r * r, 0) / Math.max(1, wlIn.length - 2));
    // marks' column at the waterline: extrapolate the numerals' centres
    const cxs = good.map((m) => (m.box[0] + m.box[2]) / 2);
    const cys = good.map((m) => m.bottom);
    const colFit = good.length >= 3 ? robustFit(cys, cxs, 1).c : [median(cxs), 0];
    let yW = evalPoly(wl.c, median(cxs));
    const xAt = evalPoly(colFit, yW);
    yW = evalPoly(wl.c, xAt);
    // invert the row ↔ draft fit at the waterline row
    const dLin = (yW - lin.c[0]!) / lin.c[1]!;
    let draft = dLin;
    if (deg === 2) {
      const [c0, c1, c2] = fit.c as [number, number, number];
      if (Math.abs(c2) > 1e-9) {
        const disc = c1 * c1 - 4 * c2 * (c0 - yW);
        if (disc >= 0) {
          const r1 = (-c1 + Math.sqrt(disc)) / (2 * c2);
          const r2 = (-c1 - Math.sqrt(disc)) / (2 * c2);
          draft = Math.abs(r1 - dLin) < Math.abs(r2 - dLin) ? r1 : r2;
        }
      } else draft = (yW - c0) / c1;
    }
    // uncertainty: fit residuals, extrapolation distance, waves left over along the hull
    const span = (Math.max(...gd) - Math.min(...gd)) * ppm;
    const extrap = Math.max(0, yW - lowest);
    const sigFit = (rms / Math.sqrt(gd.length)) * (1 + (2 * extrap) / Math.max(span, 1));
    const waves = wlStd / Math.sqrt(Math.max(1, (img.width / ppm) * 2));
    const sigmaM = Math.sqrt(sigFit ** 2 + waves ** 2 + 0.3 ** 2) / ppm;
    const maxSigma = opts.maxSigmaM ?? 0.01;
    if (rms > 1.5) reasons.push(`poor mark fit (rms ${rms.toFixed(1)} px)`);
    if (sigmaM > maxSigma) reasons.push(`uncertainty ${(sigmaM * 100).toFixed(1)} cm`);
    if (col.xs.length < img.width / 4) reasons.push('waterline seen in few columns');
    if (good.length < 3) reasons.push('fewer than three marks');
    return {
      draftM: draft,
      sigmaM,
      uncertain: reasons.length > 0,
      reasons,
      marks: good,
      waterlineRow: yW,
      pixelsPerMetre: ppm,
    };
  }

  /** Reads N frames of the same view and combines them (median/MAD rejection, then the mean). */
  async read(frames: RgbImage[], opts: DraftOptions = {}): Promise<DraftReading> {
    const per: DraftFrameReading[] = [];
    for (const f of frames) per.push(await this.readFrame(f, opts));
    return combineDraftReadings(per, opts);
  }
}

export function combineDraftReadings(per: DraftFrameReading[], opts: DraftOptions = {}): DraftReading {
  const vals = per.filter((p) => p.draftM !== undefined && Number.isFinite(p.sigmaM));
  const reasons: string[] = [];
  if (vals.length === 0)
    return { draftM: undefined, sigmaM: Infinity, uncertain: true, reasons: ['no frame could be read', ...new Set(per.flatMap((p) => p.reasons))], frames: per.length, used: 0, perFrame: per.map((p) => p.draftM) };
  const ds = vals.map((v) => v.draftM!);
  const m = median(ds);
  const s = Math.max(mad(ds, m), 0.005);
  const inl = vals.filter((v) => Math.abs(v.draftM! - m) <= 3 * s);
  const mean = inl.reduce((a, v) => a + v.draftM!, 0) / inl.length;
  const spread = inl.length > 1 ? Math.sqrt(inl.reduce((a, v) => a + (v.draftM! - mean) ** 2, 0) / (inl.length - 1)) : 0;
  const sigFrames = Math.sqrt(inl.reduce((a, v) => a + v.sigmaM ** 2, 0)) / inl.length;
  const sigmaM = Math.sqrt(sigFrames ** 2 + (inl.length > 1 ? spread ** 2 / inl.length : 0));
  if (inl.length < vals.length) reasons.push(`${vals.length - inl.length} frame(s) rejected as outliers`);
  if (spread > (opts.maxSpreadM ?? 0.02)) reasons.push(`frames spread ${(spread * 100).toFixed(1)} cm`);
  if (sigmaM > (opts.maxSigmaM ?? 0.01)) reasons.push(`uncertainty ${(sigmaM * 100).toFixed(1)} cm`);
  const flaggedFrames = inl.filter((v) => v.uncertain).length;
  if (flaggedFrames * 2 > inl.length) reasons.push(...new Set(inl.flatMap((v) => v.reasons)));
  if (vals.length * 2 <= per.length) reasons.push('most frames unreadable');
  return { draftM: mean, sigmaM, uncertain: reasons.length > 0, reasons, frames: per.length, used: inl.length, perFrame: per.map((p) => p.draftM) };
}
