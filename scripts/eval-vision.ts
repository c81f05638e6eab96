/**
 * Vision evaluation on the labelled real images of ../shared/eval (plates, plate crops, faces, OCR,
 * container numbers) and on a fixed seeded set of synthetic draft-mark scenes. Prints ONE JSON
 * object: per task its accuracy measure, `n`, `p50_ms` and `p95_ms` (latency per image; for the
 * draft, per frame). Labels are read only to score results, never by the models.
 *
 *   npm run eval:vision -- --labels ../shared/eval/labels.json [--draft-n 200] [--draft-frames 3] [--draft-seed 1]
 *                          [--only plates,containers,ocr,faces,draft_synthetic] [--verbose (per-item misses on stderr)]
 *
 * Sessions run with one intra-op thread (the one-core figures of issue 5).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BoxXyxy } from '../edge/vision/image.js';
import { boxIou, loadImage } from '../edge/vision/image.js';
import { OcrEngine } from '../edge/vision/models/ocr/index.js';
import { PlateReader } from '../edge/vision/models/plate/index.js';
import { ContainerReader } from '../edge/vision/models/container/index.js';
import { BlazeFace } from '../edge/vision/models/face/blazeface.js';
import { DraftReader, combineDraftReadings, type DraftFrameReading } from '../edge/vision/models/draft/index.js';
import { makeScene, renderDraftFrame } from '../edge/vision/synthetic/draft-marks.js';
import { releaseSessions } from '../edge/vision/models/session.js';

interface Item {
  path: string;
  task: string;
  ground_truth: Record<string, unknown>;
}

function arg(name: string, def?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

function pct(a: number[], p: number): number {
  if (a.length === 0) return 0;
  const s = [...a].sort((x, y) => x - y);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! * 10) / 10;
}
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

function lat(ms: number[]): { p50_ms: number; p95_ms: number } {
  return { p50_ms: pct(ms, 50), p95_ms: pct(ms, 95) };
}

async function timed<T>(f: () => Promise<T>, ms: number[]): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  ms.push(performance.now() - t0);
  return r;
}

/** Levenshtein distance over code points. */
export function editDistance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (A[i - 1] === B[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[B.length]!;
}

/** One step of a minimal alignment of a prediction to its label. */
export interface EditOp {
  op: 'sub' | 'del' | 'ins';
  /** the label's character (sub, del) */
  g?: string;
  /** the predicted character (sub, ins) */
  p?: string;
}

/** The edits of one minimal alignment turning `p` (prediction) into `g` (label); as many as `editDistance`. */
export function editOps(p: string, g: string): EditOp[] {
  const P = [...p];
  const G = [...g];
  const d: number[][] = [Array.from({ length: G.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= P.length; i++) {
    const row = [i];
    for (let j = 1; j <= G.length; j++) row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (P[i - 1] === G[j - 1] ? 0 : 1));
    d.push(row);
  }
  const ops: EditOp[] = [];
  let i = P.length;
  let j = G.length;
  while (i > 0 || j > 0) {
    const here = d[i]![j]!;
    if (i > 0 && j > 0 && d[i - 1]![j - 1]! + (P[i - 1] === G[j - 1] ? 0 : 1) === here) {
      if (P[i - 1] !== G[j - 1]) ops.push({ op: 'sub', g: G[j - 1], p: P[i - 1] });
      i--;
      j--;
    } else if (j > 0 && d[i]![j - 1]! + 1 === here) {
      ops.push({ op: 'del', g: G[j - 1] });
      j--;
    } else {
      ops.push({ op: 'ins', p: P[i - 1] });
      i--;
    }
  }
  return ops.reverse();
}

/** Edit distance of `p` against the best-matching substring of `g`. */
function substringDistance(p: string, g: string): number {
  const P = [...p];
  const G = [...g];
  let prev = new Array<number>(G.length + 1).fill(0);
  for (let i = 1; i <= P.length; i++) {
    const cur = [i];
    for (let j = 1; j <= G.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (P[i - 1] === G[j - 1] ? 0 : 1));
    prev = cur;
  }
  return Math.min(...prev);
}

/** Applied to labels and predictions alike before OCR scoring (see `normalisation` in the output). */
const norm = (s: string): string => s.normalize('NFKC').replace(/\s+/g, '');
const OCR_NORMALISATION = 'NFKC (full-width/half-width and compatibility forms) and whitespace removed, on labels and predictions alike';

const verbose = process.argv.includes('--verbose');

async function main(): Promise<void> {
  const labelsPath = resolve(arg('labels', '../shared/eval/labels.json')!);
  const root = dirname(labelsPath);
  const items = (JSON.parse(readFileSync(labelsPath, 'utf8')) as { items: Item[] }).items;
  const ocr = await OcrEngine.create({ threads: 1 });
  const plates = new PlateReader(ocr);
  const containers = new ContainerReader(ocr);
  const faces = await BlazeFace.create('back', { threads: 1 });
  const drafts = new DraftReader(ocr);
  const out: Record<string, unknown> = {};

  const only = arg('only');
  const run = (task: string): boolean => !only || only.split(',').includes(task);

  // ---- plates: full scenes (find + read) and tight crops (read only), exact match of the plate text
  if (run('plates')) {
    const ms: number[] = [];
    let ok = 0;
    const part = { scenes: { n: 0, ok: 0 }, crops: { n: 0, ok: 0 } };
    const misses: { path: string; expected: string; got: string | null }[] = [];
    for (const it of items.filter((i) => i.task === 'plate' || i.task === 'plate_recognition_crop')) {
      const img = await loadImage(join(root, it.path));
      const scene = it.task === 'plate';
      const res = await timed(() => (scene ? plates.read(img) : plates.readCrops([img])), ms);
      const gt = (it.ground_truth.plates as { text: string }[])[0]!.text;
      const got = res[0]?.text ?? null;
      const hit = got === gt && (scene || res[0]!.valid);
      const k = scene ? part.scenes : part.crops;
      k.n++;
      if (hit) {
        ok++;
        k.ok++;
      } else misses.push({ path: it.path, expected: gt, got });
    }
    out.plates = {
      exact_rate: r4(ok / ms.length),
      n: ms.length,
      ...lat(ms),
      scenes: { n: part.scenes.n, exact_rate: r4(part.scenes.ok / part.scenes.n) },
      crops: { n: part.crops.n, exact_rate: r4(part.crops.ok / part.crops.n) },
      misses,
    };
  }

  // ---- containers: exact match after check-digit repair
  if (run('containers')) {
    const ms: number[] = [];
    let ok = 0;
    let repaired = 0;
    let inferred = 0;
    const misses: { path: string; expected: string; got: string | null }[] = [];
    for (const it of items.filter((i) => i.task === 'container_number')) {
      const img = await loadImage(join(root, it.path));
      const res = await timed(() => containers.read(img), ms);
      const gt = it.ground_truth.container_number as string;
      const best = res[0];
      if (best?.value === gt) {
        ok++;
        if (best.repaired) repaired++;
        if (best.checkDigitInferred) inferred++;
      } else misses.push({ path: it.path, expected: gt, got: best?.value ?? null });
    }
    // check_digit_inferred: correct readings whose boxed check digit was not read, so it was computed
    // (the number is right, but the check digit verified nothing for these)
    out.containers = { exact_rate: r4(ok / ms.length), n: ms.length, ...lat(ms), repaired, check_digit_inferred: inferred, misses };
  }

  // ---- OCR: character error rate on the labelled lines.
  // Whitespace is ignored and both sides are NFKC-normalised (full/half-width): the PP-OCRv4
  // Chinese recogniser does not emit spaces between Latin words, and the labels ignore spacing
  // inside lines. Each recognised line is assigned to the labelled line it best matches as a
  // substring (lines split in two by the detector are joined back, left to right); recognised text
  // matching no labelled line (similarity < 0.5) is unlabelled text in the photo and not counted.
  // CER = Σ edit distance / Σ labelled characters, over all images.
  if (run('ocr')) {
    const ms: number[] = [];
    let edits = 0;
    let chars = 0;
    let lines = 0;
    // the same figure over the lines whose every character exists in the recogniser's dictionary
    // (ppocr_keys_v1 has no kana, Hangul or Thai, and few accented Latin letters)
    const dict = new Set(ocr.rec.alphabet);
    let dEdits = 0;
    let dChars = 0;
    let unsupported = 0;
    // the edits split by cause: a label character the dictionary lacks (cannot be read), any
    // other label character missed or misread, and predicted characters with no label counterpart
    const breakdown = { label_char_not_in_dictionary: 0, label_char_in_dictionary: 0, inserted: 0 };
    for (const it of items.filter((i) => i.task === 'ocr')) {
      const img = await loadImage(join(root, it.path));
      const res = await timed(() => ocr.read(img), ms);
      const gts = (it.ground_truth.lines as string[]).map(norm);
      const assigned: { x: number; y: number; t: string }[][] = gts.map(() => []);
      for (const r of res) {
        const t = norm(r.text);
        if (!t) continue;
        let best = -1;
        let bestSim = 0.5;
        gts.forEach((g, gi) => {
          const sim = 1 - substringDistance(t, g) / [...t].length;
          if (sim > bestSim || (sim === bestSim && best >= 0 && [...g].length < [...gts[best]!].length)) {
            bestSim = sim;
            best = gi;
          }
        });
        if (best >= 0) assigned[best]!.push({ x: r.box[0], y: r.box[1], t });
      }
      gts.forEach((g, gi) => {
        const pieces = assigned[gi]!.sort((a, b) => (Math.abs(a.y - b.y) > 10 ? a.y - b.y : a.x - b.x)).map((p) => p.t);
        const ops = editOps(pieces.join(''), g);
        const ed = ops.length;
        for (const o of ops) {
          if (o.op === 'ins') breakdown.inserted++;
          else if (dict.has(o.g!)) breakdown.label_char_in_dictionary++;
          else breakdown.label_char_not_in_dictionary++;
        }
        if (verbose && ed > 0) {
          const what = ops.map((o) => (o.op === 'sub' ? `${o.g}→${o.p}` : o.op === 'del' ? `-${o.g}` : `+${o.p}`)).join(' ');
          process.stderr.write(`ocr ${it.path}: "${pieces.join('')}" vs "${g}" (${ed}: ${what})\n`);
        }
        edits += ed;
        chars += [...g].length;
        lines++;
        const missing = [...g].filter((c) => !dict.has(c)).length;
        unsupported += missing;
        if (missing === 0) {
          dEdits += ed;
          dChars += [...g].length;
        }
      });
    }
    out.ocr = {
      cer: r4(edits / chars),
      n: ms.length,
      lines,
      chars,
      edits,
      edits_by_cause: breakdown,
      normalisation: OCR_NORMALISATION,
      ...lat(ms),
      chars_not_in_dictionary: unsupported,
      cer_dictionary_lines: r4(dEdits / Math.max(1, dChars)),
    };
  }

  // ---- faces: precision and recall at IoU 0.5.
  // Images with boxes: detections are matched greedily (best score first) to labelled boxes at
  // IoU ≥ 0.5. Images labelled with a count only: TP = min(found, count), FP = found − count if
  // more, FN = count − found if fewer (positions unknown, so counts are compared). Images with no
  // faces: every detection is a false positive. The crowd photo whose count is marked approximate
  // (150 "well over 100") is timed but not scored: its label is a rough lower bound.
  if (run('faces')) {
    const ms: number[] = [];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let scored = 0;
    for (const it of items.filter((i) => i.task === 'face_detection')) {
      const img = await loadImage(join(root, it.path));
      const det = await timed(() => faces.detect(img), ms);
      const gt = it.ground_truth as { num_faces: number; boxes_xyxy_approx?: BoxXyxy[]; num_faces_is_approximate?: boolean };
      if (gt.num_faces_is_approximate) continue;
      scored++;
      if (gt.boxes_xyxy_approx) {
        const used = new Set<number>();
        for (const d of [...det].sort((a, b) => b.score - a.score)) {
          let bi = -1;
          let bv = 0.5;
          gt.boxes_xyxy_approx.forEach((g, gi) => {
            const v = boxIou(d.box, g);
            if (!used.has(gi) && v >= bv) {
              bv = v;
              bi = gi;
            }
          });
          if (bi >= 0) {
            used.add(bi);
            tp++;
          } else fp++;
        }
        fn += gt.boxes_xyxy_approx.length - used.size;
      } else if (gt.num_faces === 0) fp += det.length;
      else {
        tp += Math.min(det.length, gt.num_faces);
        fp += Math.max(0, det.length - gt.num_faces);
        fn += Math.max(0, gt.num_faces - det.length);
      }
    }
    out.faces = { precision: r4(tp / Math.max(1, tp + fp)), recall: r4(tp / Math.max(1, tp + fn)), n: ms.length, scored_images: scored, tp, fp, fn, ...lat(ms) };
  }

  // ---- draft marks on seeded synthetic scenes: each scene is read over F frames (wave phases)
  if (run('draft_synthetic')) {
    const n = Number(arg('draft-n', '200'));
    const frames = Number(arg('draft-frames', '3'));
    const seed = Number(arg('draft-seed', '1'));
    const ms: number[] = [];
    const errs: number[] = [];
    let beyond3Unflagged = 0;
    let beyond3 = 0;
    let flagged = 0;
    let unread = 0;
    for (let i = 0; i < n; i++) {
      const scene = makeScene(seed * 100_000 + i);
      const per: DraftFrameReading[] = [];
      for (let k = 0; k < frames; k++) {
        const img = renderDraftFrame(scene, k).image;
        per.push(await timed(() => drafts.readFrame(img), ms));
      }
      const r = combineDraftReadings(per);
      if (r.uncertain) flagged++;
      if (r.draftM === undefined) {
        unread++;
        continue;
      }
      const e = Math.abs(r.draftM - scene.draftM) * 100;
      errs.push(e);
      if (e > 3) {
        beyond3++;
        if (!r.uncertain) beyond3Unflagged++;
      }
    }
    out.draft_synthetic = {
      mae_cm: r4(errs.reduce((a, b) => a + b, 0) / Math.max(1, errs.length)),
      beyond_3cm_unflagged: beyond3Unflagged,
      beyond_3cm: beyond3,
      flagged_uncertain: flagged,
      unread,
      max_err_cm: r4(Math.max(0, ...errs)),
      n,
      frames_per_scene: frames,
      seed,
      ...lat(ms),
    };
  }
  out.machine = { cores: cpus().length, loadavg_1m_at_end: Math.round(loadavg()[0]! * 100) / 100 };
  await releaseSessions();
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main();
