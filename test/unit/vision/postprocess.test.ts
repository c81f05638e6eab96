// Pure pre/post-processing: CTC decoding, NMS, anchors, DB boxes on a tiny synthetic map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctcGreedyDecode } from '../../../edge/vision/models/ocr/ctc.js';
import { dbPostprocess, minAreaRect } from '../../../edge/vision/models/ocr/db.js';
import { detInputSize } from '../../../edge/vision/models/ocr/det.js';
import { nms } from '../../../edge/vision/models/face/nms.js';
import { BACK_STRIDES, FRONT_STRIDES, generateAnchors } from '../../../edge/vision/models/face/anchors.js';

test('CTC greedy decoding merges repeats, drops blanks, keeps doubled letters split by a blank', () => {
  const alphabet = ['', 'A', 'B', 'O'];
  // steps: A A _ B B _ B O O  → "ABBO"
  const seq = [1, 1, 0, 2, 2, 0, 2, 3, 3];
  const probs = new Float32Array(seq.length * 4);
  seq.forEach((c, t) => {
    for (let k = 0; k < 4; k++) probs[t * 4 + k] = k === c ? 0.9 : 0.1 / 3;
  });
  const r = ctcGreedyDecode(probs, 0, seq.length, 4, alphabet);
  assert.equal(r.text, 'ABBO');
  assert.ok(Math.abs(r.confidence - 0.9) < 1e-6);
  // a charset mask forbids O: the next best (blank/uniform) wins there
  const mask = new Uint8Array([1, 1, 1, 0]);
  assert.equal(ctcGreedyDecode(probs, 0, seq.length, 4, alphabet, mask).text, 'ABB');
});

test('NMS: plain keeps the best of a cluster; weighted blends the boxes', () => {
  const items = [
    { box: [0, 0, 10, 10] as [number, number, number, number], score: 0.9 },
    { box: [1, 1, 11, 11] as [number, number, number, number], score: 0.6 },
    { box: [50, 50, 60, 60] as [number, number, number, number], score: 0.7 },
  ];
  const plain = nms(items, 0.3, 'plain');
  assert.equal(plain.length, 2);
  assert.deepEqual(plain[0]!.box, [0, 0, 10, 10]);
  const w = nms(items, 0.3, 'weighted');
  assert.equal(w.length, 2);
  assert.ok(Math.abs(w[0]!.box[0] - 0.4) < 1e-9, 'score-weighted mean (0.9·0 + 0.6·1)/1.5');
  assert.equal(w[0]!.score, 0.9);
});

test('BlazeFace anchors: 896 for both models, centres inside the unit square', () => {
  for (const [size, strides] of [
    [128, FRONT_STRIDES],
    [256, BACK_STRIDES],
  ] as const) {
    const a = generateAnchors(size, strides);
    assert.equal(a.length, 896);
    assert.deepEqual(a[0], { x: 0.5 / 16, y: 0.5 / 16 });
    assert.deepEqual(a[512], { x: 0.5 / 8, y: 0.5 / 8 });
    assert.ok(a.every((p) => p.x > 0 && p.x < 1 && p.y > 0 && p.y < 1));
  }
});

test('DB post-processing: one rectangle of text probability → one unclipped box', () => {
  const W = 64;
  const H = 32;
  const prob = new Float32Array(W * H);
  // a 30 × 6 text core at (10, 12)
  for (let y = 12; y < 18; y++) for (let x = 10; x < 40; x++) prob[y * W + x] = 0.9;
  // a speck below the minimum size is ignored
  prob[2 * W + 2] = 0.9;
  const boxes = dbPostprocess(prob, W, H, 2, 2);
  assert.equal(boxes.length, 1);
  const b = boxes[0]!;
  assert.ok(Math.abs(b.score - 0.9) < 1e-6);
  // unclip distance = area·1.5/perimeter = 180·1.5/72 = 3.75 map px on every side, ×2 to source
  const [tl, tr, br, bl] = b.quad;
  assert.ok(Math.abs(tl.x - (10 - 3.75) * 2) < 0.01 && Math.abs(tl.y - (12 - 3.75) * 2) < 0.01, JSON.stringify(tl));
  assert.ok(Math.abs(br.x - (40 + 3.75) * 2) < 0.01 && Math.abs(br.y - (18 + 3.75) * 2) < 0.01, JSON.stringify(br));
  assert.ok(tr.x > tl.x && bl.y > tl.y);
});

test('minimum-area rectangle of a rotated square', () => {
  const pts = [
    { x: 0, y: 5 },
    { x: 5, y: 0 },
    { x: 10, y: 5 },
    { x: 5, y: 10 },
  ];
  const r = minAreaRect(pts);
  assert.ok(Math.abs(r.w * r.h - 50) < 1e-9);
  assert.ok(Math.abs(r.cx - 5) < 1e-9 && Math.abs(r.cy - 5) < 1e-9);
});

test('detector input size: multiples of 32 under the side limit', () => {
  assert.deepEqual(detInputSize(1280, 720, 960), { w: 960, h: 544 });
  assert.deepEqual(detInputSize(1280, 720, 1280), { w: 1280, h: 736 });
  assert.deepEqual(detInputSize(94, 24, 960), { w: 96, h: 32 });
});
