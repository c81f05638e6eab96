// Real models (onnxruntime-node, one thread): OCR reads back rendered text; the draft reader reads a
// synthetic scene; events carry an SM3. Faces (BlazeFace) are measured on the labelled real photos by
// `npm run eval:vision`, which needs ../shared/eval beside the checkout (CI has no such folder).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { RgbImage } from '../../../edge/vision/image.js';
import { OcrEngine } from '../../../edge/vision/models/ocr/index.js';
import { PlateReader } from '../../../edge/vision/models/plate/index.js';
import { DraftReader } from '../../../edge/vision/models/draft/index.js';
import { makeScene, renderDraftFrame } from '../../../edge/vision/synthetic/draft-marks.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';
import { emitDetections, sm3Hex, type VisionEvent } from '../../../edge/vision/events.js';


after(() => releaseSessions());

function render(lines: string[], w = 640, h = 200): RgbImage {
  const c = createCanvas(w, h);
  const g = c.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#111';
  g.font = '36px sans-serif';
  lines.forEach((l, i) => g.fillText(l, 20, 60 + i * 70));
  const rgba = g.getImageData(0, 0, w, h).data;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    data[j] = rgba[i]!;
    data[j + 1] = rgba[i + 1]!;
    data[j + 2] = rgba[i + 2]!;
  }
  return { width: w, height: h, data };
}

test('OCR reads back a rendered image of known text', { timeout: 60_000 }, async () => {
  const ocr = await OcrEngine.create();
  const lines = await ocr.read(render(['QUAYSIDE 2026', '海关监管区 入口']));
  const text = lines.map((l) => l.text.replace(/\s/g, ''));
  assert.deepEqual(text, ['QUAYSIDE2026', '海关监管区入口']);
  assert.ok(lines.every((l) => l.confidence > 0.8));
  assert.ok(lines[0]!.box[1] < lines[1]!.box[1], 'reading order');
});

test('plate reader: restricted alphabet reads a rendered plate crop and validates it', { timeout: 60_000 }, async () => {
  const plates = new PlateReader(await OcrEngine.create());
  const [r] = await plates.readCrops([render(['沪A·D12345'], 260, 70)]);
  assert.equal(r!.text, '沪AD12345');
  assert.equal(r!.valid, true);
  assert.equal(r!.kind, 'new-energy-small');
});

test('draft reader: a synthetic scene is read within 2 cm from three frames', { timeout: 60_000 }, async () => {
  const reader = new DraftReader(await OcrEngine.create());
  const scene = makeScene(4242);
  const r = await reader.read([0, 1, 2].map((k) => renderDraftFrame(scene, k).image));
  assert.ok(r.draftM !== undefined);
  assert.ok(Math.abs(r.draftM - scene.draftM) < 0.02, `${r.draftM} vs ${scene.draftM}`);
  assert.ok(r.sigmaM > 0 && r.sigmaM < 0.05);
});

test('events: snapshot written, SM3 of its bytes stored, sink called', async () => {
  assert.equal(sm3Hex(new TextEncoder().encode('abc')), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  const dir = mkdtempSync(join(tmpdir(), 'qs-ev-'));
  try {
    const got: VisionEvent[] = [];
    const ev = await emitDetections([{ kind: 'plate', value: '皖A195K9', confidence: 0.9876, box: [1.4, 2.6, 30, 12] }], {
      dataDir: dir,
      camera: 'gate-1',
      ts: Date.UTC(2026, 10, 27, 8),
      frame: render(['x'], 64, 32),
      blur: [[0, 0, 10, 10]],
      sink: { append: (e) => got.push(e) },
    });
    assert.equal(got.length, 1);
    assert.deepEqual(got, ev);
    const e = got[0]!;
    assert.equal(e.confidence, 0.988);
    assert.deepEqual(e.box, [1, 3, 30, 12]);
    assert.match(e.snapshotPath, /^snapshots\/gate-1\/2026-11-27\//);
    assert.equal(e.snapshotSm3, sm3Hex(readFileSync(join(dir, e.snapshotPath))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
