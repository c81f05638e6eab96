/**
 * Container numbers (ISO 6346) from a door or side photo. The OCR reads every text line; the
 * owner code + category ("CRSU") and the serial ("153722", often with the boxed check digit on its
 * own) are painted as separate groups, side by side or stacked, so candidates pair an owner-code
 * line with the digit lines to its right on the same row or just below it. Each candidate is
 * repaired with the check digit (O/0, I/1, B/8, S/5 … per position class). When the boxed check
 * digit was not read, a digit is looked for just right of the serial; failing that it is computed
 * and the reading is marked `checkDigitInferred` (then the check digit verified nothing).
 */
import type { BoxXyxy, RgbImage } from '../../image.js';
import { crop } from '../../image.js';
import { checkDigit, repairContainerNumber, type RepairChange } from '../../../../shared/ids/iso6346.js';
import type { OcrEngine, OcrLine, OcrOptions } from '../ocr/index.js';

export interface ContainerReading {
  value: string;
  owner: string;
  category: string;
  serial: string;
  checkDigit: string;
  valid: boolean;
  repaired: boolean;
  changes: RepairChange[];
  checkDigitInferred: boolean;
  confidence: number;
  box: BoxXyxy;
  raw: string;
}

interface Token {
  text: string;
  conf: number;
  /** box in the reading frame (text runs along +x, lines stack along +y) */
  f: BoxXyxy;
  /** box in image pixels */
  box: BoxXyxy;
}

const LETTERISH = /^[A-Z0-9]{4}$/;
const DIGITISH_RE = /^[0-9OQDIJLSZBGT]+$/;
/** ISO 6346 size/type codes (22G1, 45G1, 42R1 …) are painted under the number: never serial digits. */
const SIZE_TYPE = /^[1-9LM][02-9][GRUPTBHKNS][0-9]$/;
/** Digits, allowing a few look-alike letters (at most a third). */
const DIGITISH = {
  test(t: string): boolean {
    if (!DIGITISH_RE.test(t) || SIZE_TYPE.test(t)) return false;
    const digits = [...t].filter((c) => c >= '0' && c <= '9').length;
    return digits * 3 >= t.length * 2;
  },
};

function clean(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Could this 4-character token be an owner code + category after class repair? */
function ownerLike(t: string): boolean {
  if (!LETTERISH.test(t)) return false;
  const letters = [...t].filter((c) => c >= 'A' && c <= 'Z').length;
  return letters >= 3 && /[UJZ0V]$/.test(t);
}

function toFrame(lines: OcrLine[]): Token[] {
  const vertical = lines.filter((l) => l.vertical).length > lines.length / 2;
  return lines.map((l) => {
    const b = l.box;
    // vertical text reads bottom-to-top (the crop was turned counter-clockwise): frame = (−y, x)
    const f: BoxXyxy = vertical ? [-b[3], b[0], -b[1], b[2]] : b;
    return { text: clean(l.text), conf: l.confidence, f, box: b };
  });
}

const h = (b: BoxXyxy): number => b[3] - b[1];
const union = (a: BoxXyxy, b: BoxXyxy): BoxXyxy => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

const rowKey = (t: BoxXyxy, cur: BoxXyxy): number => t[0] - cur[2] + 0.5 * Math.abs((t[1] + t[3] - cur[1] - cur[3]) / 2);

/** Digit tokens following `from` on its row (left to right, small gaps), concatenated. */
function rowDigits(tokens: Token[], from: Token, maxGapH = 2.5): Token[] {
  const out: Token[] = [];
  let cur = from.f;
  for (;;) {
    const next = tokens
      .filter((t) => !out.includes(t) && t !== from && DIGITISH.test(t.text))
      .filter((t) => {
        const ov = Math.min(t.f[3], cur[3]) - Math.max(t.f[1], cur[1]);
        const gap = t.f[0] - cur[2];
        // rows slant in oblique photos: a quarter of the height in common is enough
        return ov > 0.25 * Math.min(h(t.f), h(cur)) && gap > -0.3 * h(cur) && gap < maxGapH * h(cur);
      })
      // nearest along the row, with misalignment across it counted at half weight
      .sort((a, b) => rowKey(a.f, cur) - rowKey(b.f, cur))[0];
    if (!next) break;
    out.push(next);
    cur = next.f;
    if (out.map((t) => t.text).join('').length >= 7) break;
  }
  return out;
}

export class ContainerReader {
  constructor(private readonly ocr: OcrEngine) {}

  /** Candidates from OCR lines, best first. */
  async fromLines(img: RgbImage, lines: OcrLine[]): Promise<ContainerReading[]> {
    const tokens = toFrame(lines.filter((l) => clean(l.text).length > 0));
    const found: ContainerReading[] = [];
    const consider = async (raw: string, conf: number, box: BoxXyxy, serialTok?: Token): Promise<void> => {
      let s = raw;
      let inferred = false;
      if (s.length === 10 && serialTok) {
        // boxed check digit not read with the serial: look right of the serial
        const d = await this.readCheckDigit(img, serialTok);
        if (d !== undefined) s += d;
      }
      let r = repairContainerNumber(s);
      if (!r.valid && raw.length === 10) {
        // no check digit read (or one that verifies nothing): force each position into its class and compute it
        const f = classForce(raw);
        const cd = checkDigit(f);
        if (cd !== undefined && /^[A-Z]{3}[UJZ]/.test(f)) {
          r = { value: f + String(cd), valid: true, repaired: f !== raw, changes: diff(raw, f), candidates: 1 };
          inferred = true;
        }
      }
      if (!r.valid) return;
      const v = r.value;
      found.push({
        value: v,
        owner: v.slice(0, 3),
        category: v[3]!,
        serial: v.slice(4, 10),
        checkDigit: v[10]!,
        valid: true,
        repaired: r.repaired,
        changes: r.changes,
        checkDigitInferred: inferred,
        confidence: conf * (inferred ? 0.8 : 1) * (r.changes.length ? 0.9 ** r.changes.length : 1),
        box,
        raw,
      });
    };
    for (const t of tokens) {
      // the whole number on one line
      if (t.text.length >= 10) {
        for (let i = 0; i + 10 <= t.text.length; i++) {
          const w = t.text.slice(i, i + 11);
          if (ownerLike(w.slice(0, 4))) await consider(w.length === 11 ? w : w.slice(0, 10), t.conf, t.box, t);
        }
      }
      if (!ownerLike(t.text)) continue;
      // owner code, then digits on the same row
      const row = rowDigits(tokens, t);
      if (row.length) {
        const digits = row.map((x) => x.text).join('');
        const b = row.reduce((a, x) => union(a, x.box), t.box);
        const conf = Math.min(t.conf, ...row.map((x) => x.conf));
        if (digits.length >= 7) await consider(t.text + digits.slice(0, 7), conf, b);
        else if (digits.length === 6) await consider(t.text + digits, conf, b, row[row.length - 1]);
      }
      // owner code, digits on the line(s) just below, starting near its left edge
      const below = tokens
        .filter((x) => x !== t && DIGITISH.test(x.text) && x.text.length >= 3)
        .filter((x) => x.f[1] > t.f[1] + 0.5 * h(t.f) && x.f[1] - t.f[3] < 2.5 * h(t.f) && x.f[0] < t.f[2] + h(t.f) && x.f[2] > t.f[0] - 2 * h(t.f))
        .sort((a, b) => a.f[1] - b.f[1] || a.f[0] - b.f[0])[0];
      if (below) {
        const rest = rowDigits(tokens, below);
        const group = [below, ...rest];
        const digits = group.map((x) => x.text).join('');
        const b = group.reduce((a, x) => union(a, x.box), t.box);
        const conf = Math.min(t.conf, ...group.map((x) => x.conf));
        if (digits.length >= 7) await consider(t.text + digits.slice(0, 7), conf, b);
        else if (digits.length === 6) await consider(t.text + digits, conf, b, group[group.length - 1]);
      }
    }
    // best first; the same number found twice keeps its best reading
    const best = new Map<string, ContainerReading>();
    for (const f of found.sort((a, b) => Number(a.checkDigitInferred) - Number(b.checkDigitInferred) || b.confidence - a.confidence))
      if (!best.has(f.value)) best.set(f.value, f);
    return [...best.values()].sort((a, b) => Number(a.checkDigitInferred) - Number(b.checkDigitInferred) || b.confidence - a.confidence);
  }

  /** A single digit in the box right of the serial (the framed check digit). */
  private async readCheckDigit(img: RgbImage, serial: Token): Promise<string | undefined> {
    const b = serial.box;
    const hh = b[3] - b[1];
    const ww = b[2] - b[0];
    // in image pixels: right of a horizontal serial, or above a vertical (bottom-to-top) one
    const vertical = hh > ww * 1.5;
    const region: BoxXyxy = vertical
      ? [b[0] - 0.1 * ww, b[1] - 1.8 * ww, b[2] + 0.1 * ww, b[1] + 0.1 * ww]
      : [b[2] - 0.1 * hh, b[1] - 0.2 * hh, b[2] + 1.8 * hh, b[3] + 0.2 * hh];
    if (region[2] <= 0 || region[0] >= img.width || region[3] <= 0 || region[1] >= img.height) return undefined;
    const c = crop(img, region);
    const [r] = await this.ocr.rec.recognize([c], { charset: '0123456789' });
    if (!r || r.confidence < 0.5 || r.text.length < 1) return undefined;
    return r.text[0];
  }

  async read(img: RgbImage, opts: OcrOptions = {}): Promise<ContainerReading[]> {
    const lines = await this.ocr.read(img, { maxSide: 1280, dropScore: 0.3, ...opts });
    return this.fromLines(img, lines);
  }
}

/** The 10 characters with each position forced into its class by its first look-alike. */
function classForce(s: string): string {
  const L: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };
  const D: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', Z: '2', S: '5', G: '6', B: '8' };
  return [...s.slice(0, 10)].map((c, i) => (i < 4 ? (L[c] ?? c) : (D[c] ?? c))).join('');
}

function diff(a: string, b: string): RepairChange[] {
  const out: RepairChange[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) out.push({ index: i, from: a[i]!, to: b[i]! });
  return out;
}

