/**
 * The frame type every analysis takes (interleaved RGB, 8 bits, top-left origin) and the few pixel
 * operations the models need: bilinear resize, crop, quarter turns and a quad-to-rectangle warp.
 * Pure TypeScript on typed arrays, so they cost the same on every gateway and need no native code.
 */
import sharp from 'sharp';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes, row-major RGB. */
  readonly data: Uint8Array;
}

export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box in pixels, [x1, y1, x2, y2]. */
export type BoxXyxy = [number, number, number, number];

export function createImage(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Decodes a file (JPEG, PNG, …) to RGB; alpha is dropped, EXIF orientation ignored (as cameras send it). */
export async function loadImage(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export async function encodeJpeg(img: RgbImage, quality = 85): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .jpeg({ quality })
    .toBuffer();
}

/** Bilinear resize (pixel-centre aligned, like OpenCV's INTER_LINEAR for upscaling). */
export function resize(src: RgbImage, width: number, height: number): RgbImage {
  const out = createImage(width, height);
  const sx = src.width / width;
  const sy = src.height / height;
  const s = src.data;
  const d = out.data;
  const sw = src.width;
  const maxX = src.width - 1;
  const maxY = src.height - 1;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    let fx = (x + 0.5) * sx - 0.5;
    if (fx < 0) fx = 0;
    const x0 = Math.min(Math.floor(fx), maxX);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, maxX) * 3;
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(Math.floor(fy), maxY);
    const y1 = Math.min(y0 + 1, maxY);
    const wy = fy - y0;
    const r0 = y0 * sw * 3;
    const r1 = y1 * sw * 3;
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const wx = fxs[x]!;
      for (let c = 0; c < 3; c++) {
        const top = s[r0 + a + c]! + (s[r0 + b + c]! - s[r0 + a + c]!) * wx;
        const bot = s[r1 + a + c]! + (s[r1 + b + c]! - s[r1 + a + c]!) * wx;
        d[o++] = top + (bot - top) * wy + 0.5;
      }
    }
  }
  return out;
}

/** Copies a box (clamped to the image). */
export function crop(src: RgbImage, box: BoxXyxy): RgbImage {
  const x1 = Math.max(0, Math.floor(box[0]));
  const y1 = Math.max(0, Math.floor(box[1]));
  const x2 = Math.min(src.width, Math.ceil(box[2]));
  const y2 = Math.min(src.height, Math.ceil(box[3]));
  const w = Math.max(1, x2 - x1);
  const h = Math.max(1, y2 - y1);
  const out = createImage(w, h);
  for (let y = 0; y < h && y1 + y < src.height; y++) {
    const from = ((y1 + y) * src.width + x1) * 3;
    out.data.set(src.data.subarray(from, from + Math.min(w, src.width - x1) * 3), y * w * 3);
  }
  return out;
}

/** Quarter turn counter-clockwise (numpy's rot90 with k=1) when `turns` is 1; 2 = 180°, 3 = clockwise. */
export function rotate90(src: RgbImage, turns: 1 | 2 | 3): RgbImage {
  const { width: w, height: h, data: s } = src;
  const out = turns === 2 ? createImage(w, h) : createImage(h, w);
  const d = out.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let nx: number;
      let ny: number;
      if (turns === 1) {
        nx = y;
        ny = w - 1 - x;
      } else if (turns === 2) {
        nx = w - 1 - x;
        ny = h - 1 - y;
      } else {
        nx = h - 1 - y;
        ny = x;
      }
      const si = (y * w + x) * 3;
      const di = (ny * out.width + nx) * 3;
      d[di] = s[si]!;
      d[di + 1] = s[si + 1]!;
      d[di + 2] = s[si + 2]!;
    }
  }
  return out;
}

/**
 * Samples the quad p0 (top-left) → p1 (top-right) → p2 (bottom-right) → p3 (bottom-left) into a
 * width × height rectangle by bilinear interpolation of the corners (exact for parallelograms).
 */
export function warpQuad(src: RgbImage, quad: readonly [Point, Point, Point, Point], width: number, height: number): RgbImage {
  const out = createImage(Math.max(1, width), Math.max(1, height));
  const [p0, p1, p2, p3] = quad;
  const s = src.data;
  const sw = src.width;
  const maxX = src.width - 1;
  const maxY = src.height - 1;
  const d = out.data;
  let o = 0;
  for (let v = 0; v < out.height; v++) {
    const t = (v + 0.5) / out.height;
    const lx = p0.x + (p3.x - p0.x) * t;
    const ly = p0.y + (p3.y - p0.y) * t;
    const rx = p1.x + (p2.x - p1.x) * t;
    const ry = p1.y + (p2.y - p1.y) * t;
    for (let u = 0; u < out.width; u++) {
      const k = (u + 0.5) / out.width;
      let fx = lx + (rx - lx) * k - 0.5;
      let fy = ly + (ry - ly) * k - 0.5;
      fx = fx < 0 ? 0 : fx > maxX ? maxX : fx;
      fy = fy < 0 ? 0 : fy > maxY ? maxY : fy;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(x0 + 1, maxX);
      const y1 = Math.min(y0 + 1, maxY);
      const wx = fx - x0;
      const wy = fy - y0;
      const a = (y0 * sw + x0) * 3;
      const b = (y0 * sw + x1) * 3;
      const c = (y1 * sw + x0) * 3;
      const e = (y1 * sw + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = s[a + ch]! + (s[b + ch]! - s[a + ch]!) * wx;
        const bot = s[c + ch]! + (s[e + ch]! - s[c + ch]!) * wx;
        d[o++] = top + (bot - top) * wy + 0.5;
      }
    }
  }
  return out;
}

/** Luma (BT.601) as floats 0..255. */
export function toGray(src: RgbImage): Float32Array {
  const n = src.width * src.height;
  const g = new Float32Array(n);
  const s = src.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = 0.299 * s[j]! + 0.587 * s[j + 1]! + 0.114 * s[j + 2]!;
  return g;
}

export function boxIou(a: BoxXyxy, b: BoxXyxy): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return ua > 0 ? inter / ua : 0;
}

export function quadToBox(quad: readonly Point[]): BoxXyxy {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of quad) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return [x1, y1, x2, y2];
}
