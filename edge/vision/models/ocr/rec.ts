/**
 * PP-OCRv4 recognition: each line image is resized to height 48 keeping its aspect ratio, padded on
 * the right to the batch width (at least 320, as PaddleOCR does), normalised to [-1, 1] in BGR
 * order, and decoded with CTC greedy decoding over the package's dictionary.
 */
import type { RgbImage } from '../../image.js';
import { resize } from '../../image.js';
import { getSession, modelPath, ort, type SessionOptions } from '../session.js';
import { ctcGreedyDecode, loadDictionary, type CtcResult } from './ctc.js';

export const REC_HEIGHT = 48;
const MIN_WIDTH = 320;
const MAX_WIDTH = 48 * 40;

/** Writes `img` (already height 48) into a CHW batch slot of width `batchW`, BGR, (x/255-0.5)/0.5. */
export function writeRecTensor(img: RgbImage, out: Float32Array, slot: number, batchW: number): void {
  const plane = REC_HEIGHT * batchW;
  const base = slot * 3 * plane;
  const d = img.data;
  const w = Math.min(img.width, batchW);
  for (let y = 0; y < REC_HEIGHT; y++) {
    for (let x = 0; x < w; x++) {
      const j = (y * img.width + x) * 3;
      const i = base + y * batchW + x;
      out[i] = d[j + 2]! / 127.5 - 1;
      out[plane + i] = d[j + 1]! / 127.5 - 1;
      out[2 * plane + i] = d[j]! / 127.5 - 1;
    }
  }
}

/** A decoded line, with the share of the line image's width that one CTC time step covers. */
export interface RecResult extends CtcResult {
  /** Fraction of the (unpadded) line width per time step: character `t` sits near `t × stepWidth`. */
  stepWidth: number;
  /** Time steps per line height (the recogniser's input height over its horizontal stride). */
  stepsPerHeight: number;
}

export interface RecOptions {
  /** Restricts decoding to these characters (e.g. plate alphabets); undefined = whole dictionary. */
  charset?: string;
  batchSize?: number;
}

export class TextRecognizer {
  readonly alphabet: string[];
  private readonly charIndex = new Map<string, number>();
  private readonly maskCache = new Map<string, Uint8Array>();

  private constructor(private readonly session: ort.InferenceSession) {
    this.alphabet = loadDictionary(modelPath('ocr-dict'));
    this.alphabet.forEach((c, i) => {
      if (i > 0 && !this.charIndex.has(c)) this.charIndex.set(c, i);
    });
  }

  static async create(opts: SessionOptions = {}): Promise<TextRecognizer> {
    return new TextRecognizer(await getSession('ocr-rec', opts));
  }

  private mask(charset: string): Uint8Array {
    let m = this.maskCache.get(charset);
    if (!m) {
      m = new Uint8Array(this.alphabet.length);
      for (const ch of charset) {
        const i = this.charIndex.get(ch);
        if (i !== undefined) m[i] = 1;
      }
      this.maskCache.set(charset, m);
    }
    return m;
  }

  /** Recognises line images; results are in input order. */
  async recognize(lines: RgbImage[], opts: RecOptions = {}): Promise<RecResult[]> {
    const results: RecResult[] = new Array<RecResult>(lines.length);
    const order = lines.map((l, i) => ({ i, r: l.width / Math.max(1, l.height) })).sort((a, b) => a.r - b.r);
    // one line per run by default: with one intra-op thread a batch of 4 costs more than 4 single runs
    const bs = opts.batchSize ?? 1;
    const allowed = opts.charset ? this.mask(opts.charset) : undefined;
    // batches of similar width: every line of a batch is padded to the widest, and the network's
    // cost grows linearly with width, so mixing a short and a long line wastes the difference
    const groups: (typeof order)[] = [];
    for (const o of order) {
      const g = groups.at(-1);
      const w = Math.max(MIN_WIDTH, REC_HEIGHT * o.r);
      if (g && g.length < bs && w <= 1.15 * Math.max(MIN_WIDTH, REC_HEIGHT * g[0]!.r)) g.push(o);
      else groups.push([o]);
    }
    for (const group of groups) {
      const maxRatio = Math.max(...group.map((g) => g.r));
      const batchW = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(REC_HEIGHT * maxRatio)));
      const data = new Float32Array(group.length * 3 * REC_HEIGHT * batchW);
      const widths = group.map((g, slot) => {
        const src = lines[g.i]!;
        const w = Math.max(1, Math.min(batchW, Math.ceil(REC_HEIGHT * g.r)));
        writeRecTensor(resize(src, w, REC_HEIGHT), data, slot, batchW);
        return w;
      });
      const tensor = new ort.Tensor('float32', data, [group.length, 3, REC_HEIGHT, batchW]);
      const out = await this.session.run({ [this.session.inputNames[0]!]: tensor });
      const t = out[this.session.outputNames[0]!]!;
      const [, steps, classes] = t.dims as [number, number, number];
      const probs = t.data as Float32Array;
      group.forEach((g, slot) => {
        const r = ctcGreedyDecode(probs, slot * steps * classes, steps, classes, this.alphabet, allowed);
        results[g.i] = { ...r, stepWidth: batchW / steps / widths[slot]!, stepsPerHeight: (REC_HEIGHT * steps) / batchW };
      });
    }
    return results;
  }
}
