/**
 * Seeded generator of ship draft-mark images with exact ground truth, for evaluating the draft
 * reader where no licensed real photos exist. A scene is a painted hull (colour, lighting gradient,
 * rust streaks, paint wear) carrying metric draft marks in the standard style — numerals 10 cm tall
 * whose lower edge is at the even decimetre they state, "M" after whole metres — seen through a mild
 * perspective and roll, with water whose surface carries waves, plus sensor noise. Frames of one
 * scene share the geometry and differ in wave phase and noise.
 *
 * Ground truth: `draftM` is the still-water draft at the marks (the mean level of the waves there).
 *
 * CLI: tsx edge/vision/synthetic/draft-marks.ts --n 200 --seed 1 --out DIR [--frames 3]
 */
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../image.js';
import { createImage, encodeJpeg } from '../image.js';

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DraftScene {
  seed: number;
  width: number;
  height: number;
  /** Still-water draft at the marks, metres (ground truth). */
  draftM: number;
  /** Pixels per metre on the hull before perspective. */
  ppm: number;
  /** Flat-image row of the still waterline. */
  waterY: number;
  /** Flat-image column of the marks' left edge. */
  marksX: number;
  hull: [number, number, number];
  mark: [number, number, number];
  water: [number, number, number];
  roll: number;
  /** Vertical keystone (projective term). */
  keystone: number;
  /** Waves: amplitude (m), wavelength (m), per component. */
  waves: { amp: number; lambda: number }[];
  light: number;
  noise: number;
  font: string;
}

export interface DraftFrame {
  image: RgbImage;
  scene: DraftScene;
  frame: number;
}

let fontsReady = false;
function fonts(): string[] {
  if (!fontsReady) {
    for (const [p, n] of [
      ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', 'DraftSans'],
      ['/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf', 'DraftCond'],
      ['/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', 'DraftNoto'],
    ] as const)
      if (existsSync(p)) GlobalFonts.registerFromPath(p, n);
    fontsReady = true;
  }
  const have = GlobalFonts.families.map((f) => f.family);
  const mine = ['DraftSans', 'DraftCond', 'DraftNoto'].filter((f) => have.includes(f));
  return mine.length ? mine : ['sans-serif'];
}

const HULLS: [number, number, number][] = [
  [120, 28, 26], // red-brown antifouling
  [150, 40, 35],
  [35, 38, 42], // black
  [25, 45, 80], // dark blue
  [40, 70, 50], // green
  [90, 92, 95], // grey
];

/** Draws a scene's random parameters from its seed. */
export function makeScene(seed: number, width = 1280, height = 720): DraftScene {
  const r = rng(seed * 7919 + 13);
  const u = (a: number, b: number): number => a + (b - a) * r();
  const waterY = u(0.6, 0.85) * height;
  // at least 1.15 m of hull above water so a metre mark is always in view
  const ppm = u(260, Math.min(460, waterY / 1.15));
  const draftM = Math.round(u(3, 14) * 1000) / 1000;
  const hull = HULLS[Math.floor(r() * HULLS.length)]!;
  const lightHull = hull[0] + hull[1] + hull[2] > 250;
  const mark: [number, number, number] = lightHull ? [20, 20, 20] : r() < 0.8 ? [235, 235, 228] : [230, 200, 60];
  const f = fonts();
  return {
    seed,
    width,
    height,
    draftM,
    ppm,
    waterY,
    marksX: u(0.3, 0.6) * width,
    hull,
    mark,
    water: [Math.round(u(20, 60)), Math.round(u(50, 90)), Math.round(u(60, 100))],
    roll: u(-2, 2) * (Math.PI / 180),
    keystone: u(-0.00012, 0.00012),
    waves: [
      { amp: u(0.004, 0.02), lambda: u(0.4, 1.5) },
      { amp: u(0.002, 0.01), lambda: u(0.15, 0.4) },
    ],
    light: u(0.75, 1.15),
    noise: u(2, 8),
    font: f[Math.floor(r() * f.length)]!,
  };
}

/** Draws numeral text so that its ink spans exactly [yBottom - h, yBottom] vertically. */
function drawNumeral(g: SKRSContext2D, text: string, x: number, yBottom: number, h: number, font: string): void {
  g.font = `100px ${font}`;
  const m = g.measureText(text);
  const inkH = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
  const size = (100 * h) / inkH;
  g.font = `${size}px ${font}`;
  const m2 = g.measureText(text);
  // baseline so that the ink's lower edge (baseline + descent) lands on yBottom
  g.fillText(text, x, yBottom - m2.actualBoundingBoxDescent);
}

/** Renders frame `k` of a scene. */
export function renderDraftFrame(scene: DraftScene, k = 0): DraftFrame {
  const { width: W, height: H, ppm } = scene;
  const r = rng(scene.seed * 104729 + k * 7 + 1);
  // flat hull image, drawn with margins so that the perspective warp never samples outside it
  const pad = 80;
  const FW = W + 2 * pad;
  const FH = H + 2 * pad;
  const c = createCanvas(FW, FH);
  const g = c.getContext('2d');
  const [hr, hg, hb] = scene.hull;
  g.fillStyle = `rgb(${hr},${hg},${hb})`;
  g.fillRect(0, 0, FW, FH);
  // plate seams and rust streaks, paint wear (fixed per scene)
  const rs = rng(scene.seed * 31 + 5);
  for (let i = 0; i < 14; i++) {
    const x = rs() * FW;
    const len = (0.2 + rs() * 0.8) * FH;
    g.globalAlpha = 0.08 + rs() * 0.18;
    g.fillStyle = `rgb(${120 + rs() * 60},${60 + rs() * 30},${20 + rs() * 20})`;
    g.fillRect(x, rs() * FH * 0.5, 2 + rs() * 8, len);
  }
  for (let i = 0; i < 40; i++) {
    g.globalAlpha = 0.05 + rs() * 0.12;
    g.fillStyle = rs() < 0.5 ? '#000' : '#fff';
    g.beginPath();
    g.ellipse(rs() * FW, rs() * FH, 3 + rs() * 25, 2 + rs() * 12, rs() * 3, 0, Math.PI * 2);
    g.fill();
  }
  g.globalAlpha = 0.25;
  g.fillStyle = '#000';
  g.fillRect(0, pad + rs() * H * 0.4, FW, 2);
  g.globalAlpha = 1;
  // draft marks: lower edge of each numeral at its value; 10 cm tall; every 20 cm
  const [mr, mg, mb] = scene.mark;
  g.fillStyle = `rgb(${mr},${mg},${mb})`;
  const yOf = (d: number): number => pad + scene.waterY - (d - scene.draftM) * ppm;
  const h = 0.1 * ppm;
  const dMin = Math.floor(scene.draftM - 1);
  const dMax = Math.ceil(scene.draftM + H / ppm + 1);
  for (let dm = dMin * 10; dm <= dMax * 10; dm += 2) {
    const d = dm / 10;
    const y = yOf(d);
    if (y < -h || y > FH + h) continue;
    const whole = dm % 10 === 0;
    const text = whole ? `${dm / 10}M` : String(dm % 10);
    // wear: a few marks are slightly faded
    g.globalAlpha = rs() < 0.15 ? 0.6 + rs() * 0.3 : 1;
    drawNumeral(g, text, pad + scene.marksX + (whole ? -0.12 * ppm * (String(dm / 10).length - 1) : 0), y, h, scene.font);
  }
  g.globalAlpha = 1;
  const flat = g.getImageData(0, 0, FW, FH).data;

  // camera: roll about the image centre + vertical keystone, then water, lighting and noise
  const img = createImage(W, H);
  const out = img.data;
  const cx = W / 2;
  const cy = H / 2;
  const cr = Math.cos(scene.roll);
  const sr = Math.sin(scene.roll);
  const phase = scene.waves.map(() => r() * Math.PI * 2);
  const [w0, w1] = scene.waves as [{ amp: number; lambda: number }, { amp: number; lambda: number }];
  const a0 = w0.amp * ppm;
  const a1 = w1.amp * ppm;
  const k0 = (2 * Math.PI) / w0.lambda;
  const k1 = (2 * Math.PI) / w1.lambda;
  const ph0 = phase[0]!;
  const ph1 = phase[1]!;
  const nz = scene.noise * 1.7;
  const [wr, wg, wb] = scene.water;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // output pixel → flat coordinates (inverse of the camera mapping)
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const w = 1 + scene.keystone * dy;
      const px = dx / w;
      const py = dy / w;
      const fx = cr * px + sr * py + cx + pad;
      const fy = -sr * px + cr * py + cy + pad;
      // water surface at this flat column (waves in metres → pixels)
      const xm = (fx - pad) / ppm;
      const surf = pad + scene.waterY + a0 * Math.sin(k0 * xm + ph0) + a1 * Math.sin(k1 * xm + ph1);
      const o = (y * W + x) * 3;
      let R: number;
      let G: number;
      let B: number;
      const below = fy - surf;
      if (below > 0.5) {
        const tex = Math.sin(fx * 0.05 + fy * 0.3 + ph0) * 6 + Math.sin(fx * 0.013 - fy * 0.11) * 5;
        R = wr + tex;
        G = wg + tex;
        B = wb + tex;
        if (below < 3) {
          // thin wet line / foam right at the surface
          R += 25;
          G += 25;
          B += 25;
        }
      } else {
        const ix = Math.min(FW - 2, Math.max(0, Math.floor(fx - 0.5)));
        const iy = Math.min(FH - 2, Math.max(0, Math.floor(fy - 0.5)));
        const ax = Math.min(1, Math.max(0, fx - 0.5 - ix));
        const ay = Math.min(1, Math.max(0, fy - 0.5 - iy));
        const p = (iy * FW + ix) * 4;
        const q = p + FW * 4;
        const lerp = (ch: number): number =>
          (flat[p + ch]! * (1 - ax) + flat[p + 4 + ch]! * ax) * (1 - ay) + (flat[q + ch]! * (1 - ax) + flat[q + 4 + ch]! * ax) * ay;
        R = lerp(0);
        G = lerp(1);
        B = lerp(2);
        if (below > -0.5) {
          // anti-aliased surface edge
          const a = below + 0.5;
          R = R * (1 - a) + (wr + 25) * a;
          G = G * (1 - a) + (wg + 25) * a;
          B = B * (1 - a) + (wb + 25) * a;
        }
      }
      const light = scene.light * (0.85 + 0.3 * (x / W)) * (0.95 + 0.1 * (1 - y / H));
      // sensor noise (uniform, same variance as the scene's σ)
      const vr = R * light + (r() - 0.5) * 2 * nz;
      const vg = G * light + (r() - 0.5) * 2 * nz;
      const vb = B * light + (r() - 0.5) * 2 * nz;
      out[o] = vr < 0 ? 0 : vr > 255 ? 255 : vr;
      out[o + 1] = vg < 0 ? 0 : vg > 255 ? 255 : vg;
      out[o + 2] = vb < 0 ? 0 : vb > 255 ? 255 : vb;
    }
  }
  return { image: img, scene, frame: k };
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const n = Number(arg('n', '20'));
  const seed = Number(arg('seed', '1'));
  const frames = Number(arg('frames', '1'));
  const out = arg('out', '.tmp/draft');
  mkdirSync(out, { recursive: true });
  const truth: { file: string; draft_m: number; seed: number; frame: number }[] = [];
  for (let i = 0; i < n; i++) {
    const scene = makeScene(seed * 100_000 + i);
    for (let k = 0; k < frames; k++) {
      const f = renderDraftFrame(scene, k);
      const file = `draft_${String(i).padStart(4, '0')}_${k}.jpg`;
      writeFileSync(join(out, file), await encodeJpeg(f.image, 92));
      truth.push({ file, draft_m: scene.draftM, seed: scene.seed, frame: k });
    }
  }
  writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 1));
  console.log(JSON.stringify({ out, images: truth.length }));
}
