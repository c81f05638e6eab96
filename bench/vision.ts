/**
 * Vision throughput on one core: median latency per 1280×720 frame for each analysis, and the
 * sustained frame rate of the RTSP pipeline (gst-rtsp-server → ffmpeg → raw RGB frames in Node;
 * the server paces a 30 fps source in real time, so `ingest_max_fps` also gives the unpaced ceiling
 * from a file).
 * Prints one JSON object.
 *
 *   npm run bench:vision [-- --runs 7]
 *
 * Frames: faces, plate and container scenes from ../shared/eval resized to 1280×720 (synthetic
 * frames when that folder is absent); a rendered 1280×720 document page for OCR; a synthetic draft
 * scene. Sessions use one intra-op thread.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import type { RgbImage } from '../edge/vision/image.js';
import { createImage, loadImage, resize } from '../edge/vision/image.js';
import { OcrEngine } from '../edge/vision/models/ocr/index.js';
import { PlateReader } from '../edge/vision/models/plate/index.js';
import { ContainerReader } from '../edge/vision/models/container/index.js';
import { BlazeFace } from '../edge/vision/models/face/blazeface.js';
import { DraftReader } from '../edge/vision/models/draft/index.js';
import { makeScene, renderDraftFrame } from '../edge/vision/synthetic/draft-marks.js';
import { releaseSessions } from '../edge/vision/models/session.js';
import { Camera } from '../edge/vision/camera/camera.js';
import { silentLogger } from '../edge/logger.js';
import { makeTestVideo, startRtspServer } from '../test/fixtures/vision/rtsp.js';

const W = 1280;
const H = 720;
const EVAL = new URL('../../shared/eval/', import.meta.url).pathname;
sharp.concurrency(1);

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

async function frameFrom(rel: string): Promise<RgbImage> {
  const p = join(EVAL, rel);
  if (!existsSync(p)) {
    const img = createImage(W, H);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) >>> 24;
    return img;
  }
  return resize(await loadImage(p), W, H);
}

function documentPage(): RgbImage {
  const c = createCanvas(W, H);
  const g = c.getContext('2d');
  g.fillStyle = '#fdfdf8';
  g.fillRect(0, 0, W, H);
  g.fillStyle = '#111';
  const lines = [
    '中华人民共和国海关进口货物报关单',
    'Declaration No. 220120261000123456   Port: Yangshan 2248',
    '境内收货人 上海某某国际贸易有限公司  91310000MA1K000000',
    'Consignee: Shanghai Example International Trading Co., Ltd.',
    '运输方式 水路运输   航次号 045E   提运单号 COSU6123456789',
    'Container: CSQU3054383  MSKU9070323  APZU3789870',
    '商品编号 8471.30  笔记本电脑  数量 1200 台  总价 USD 456,000.00',
    'HS 8517.62 network switches, 300 sets, gross weight 2,150.5 kg',
    '原产国 (地区) 越南   最终目的国 中国   境内目的地 上海浦东',
    'Inspection: 查验 2026-11-27 09:30  Officer 王某某  Seal OK',
    '申报单位 上海某某报关有限公司  申报日期 2026年11月27日',
    'Remarks: temperature-controlled, keep dry, handle with care',
  ];
  lines.forEach((l, i) => {
    g.font = `${i === 0 ? 34 : 26}px sans-serif`;
    g.fillText(l, 40, 56 + i * 55);
  });
  const rgba = g.getImageData(0, 0, W, H).data;
  const img = createImage(W, H);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    img.data[j] = rgba[i]!;
    img.data[j + 1] = rgba[i + 1]!;
    img.data[j + 2] = rgba[i + 2]!;
  }
  return img;
}

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10;
}

async function rtspFps(seconds: number): Promise<{ fps: number; source_fps: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'qs-bench-'));
  const source = 30;
  const video = join(dir, 'bench720.mp4');
  makeTestVideo(video, { width: W, height: H, fps: source, seconds: seconds + 10 });
  const server = await startRtspServer(18990, video);
  const cam = new Camera({ id: 'bench', url: server.url, fps: source, width: W, height: H, analyses: ['ocr'], queue: 8 }, { logger: silentLogger() });
  cam.start();
  try {
    await cam.next();
    // skip the initial burst, then count frames consumed over `seconds`
    const warm = Date.now() + 1000;
    while (Date.now() < warm) await cam.next();
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) if (await cam.next()) n++;
    return { fps: Math.round((n / ((performance.now() - t0) / 1000)) * 10) / 10, source_fps: source };
  } finally {
    await cam.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Frames/s ffmpeg → pipe → Node can sustain at 1280×720 when the source does not pace it. */
async function ingestMaxFps(seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'qs-bench-'));
  const video = join(dir, 'file720.mp4');
  makeTestVideo(video, { width: W, height: H, fps: 30, seconds: 20 });
  const cam = new Camera({ id: 'bench-file', url: video, fps: 30, width: W, height: H, analyses: ['ocr'], queue: 8, realtime: false, loop: true }, { logger: silentLogger() });
  cam.start();
  try {
    await cam.next();
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) if (await cam.next()) n++;
    return Math.round((n / ((performance.now() - t0) / 1000)) * 10) / 10;
  } finally {
    await cam.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = Number(arg('runs', '7'));
const ocr = await OcrEngine.create({ threads: 1 });
const face = await BlazeFace.create('back', { threads: 1 });
const plates = new PlateReader(ocr);
const containers = new ContainerReader(ocr);
const draft = new DraftReader(ocr);
const faceFrame = await frameFrom('faces/ulfgfd_9.jpg');
const plateFrame = await frameFrom('plates/ccpd_demo_0.jpg');
const containerFrame = await frameFrom('containers/sowatco_0018820.jpg');
const page = documentPage();
const draftFrame = renderDraftFrame(makeScene(7)).image;

const out = {
  face_ms: await median(runs, () => face.detect(faceFrame)),
  plate_ms: await median(runs, () => plates.read(plateFrame)),
  container_ms: await median(runs, () => containers.read(containerFrame)),
  ocr_page_ms: await median(runs, () => ocr.read(page)),
  draft_ms: await median(runs, () => draft.readFrame(draftFrame)),
  ...(await rtspFps(Number(arg('rtsp-seconds', '8'))).then((r) => ({ rtsp_fps: r.fps, rtsp_source_fps: r.source_fps }))),
  // the same pipeline from an unpaced file: the ceiling of ingest itself (the RTSP figure is capped
  // by the real-time source)
  ingest_max_fps: await ingestMaxFps(5),
  cores: cpus().length,
  // other work on the machine inflates latencies: the 1-minute load average when the run ended
  loadavg_1m: Math.round(loadavg()[0]! * 100) / 100,
  threads_per_session: 1,
  frame: `${W}x${H}`,
};
await releaseSessions();
process.stdout.write(JSON.stringify(out) + '\n');
