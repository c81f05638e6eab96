// OCR line handling around the networks: joining line fragments the detector broke, cutting a line
// where the recogniser read nothing for several line heights, the boxes of the cut pieces, and the
// case of look-alike Latin letters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Point } from '../../../edge/vision/image.js';
import { createImage, rotate90 } from '../../../edge/vision/image.js';
import type { TextBox } from '../../../edge/vision/models/ocr/db.js';
import {
  OcrEngine,
  cropTextBox,
  gapSegments,
  harmoniseCase,
  lineSpanQuad,
  mergeLineFragments,
  sameLineFragments,
} from '../../../edge/vision/models/ocr/index.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';


after(() => releaseSessions());

const rect = (x0: number, y0: number, x1: number, y1: number): TextBox => ({
  quad: [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ],
  score: 0.9,
});

const near = (p: Point, x: number, y: number): boolean => Math.abs(p.x - x) < 1e-6 && Math.abs(p.y - y) < 1e-6;

test('case of look-alike letters follows the rest of an upper-case word, nothing else changes', () => {
  assert.equal(harmoniseCase('Musee du LouVRE'), 'Musee du LOUVRE');
  assert.equal(harmoniseCase('CoNTAINER 40 FT'), 'CONTAINER 40 FT');
  // trailing look-alikes stay (plural acronyms, units), so do words with firm lower-case letters
  assert.equal(harmoniseCase('PDFs MHz GHz'), 'PDFs MHz GHz');
  assert.equal(harmoniseCase('iPhone McDonald LogiSticS'), 'iPhone McDonald LogiSticS');
  // words run together: an upper-case look-alike after lower-case letters is not lowered
  assert.equal(harmoniseCase('preparationforComponent01'), 'preparationforComponent01');
  // one firm letter is not enough evidence; short words and other scripts are left alone
  assert.equal(harmoniseCase('MsC Uo 海关 LoV'), 'MsC Uo 海关 LoV');
  assert.equal(harmoniseCase('NoRTH'), 'NORTH');
});

test('a line is cut only at a long unread stretch between two characters; spaces at the cut go', () => {
  const c = (ch: string, t: number): { ch: string; t: number } => ({ ch, t });
  // 清 潔 [37 steps of kana the dictionary lacks] 港 区
  const jp = [c('清', 2), c('潔', 9), c('港', 46), c('区', 52)];
  assert.deepEqual(gapSegments(jp, 24), [
    [0, 2],
    [2, 4],
  ]);
  assert.deepEqual(gapSegments(jp, 40), [[0, 4]]);
  // a space inside the stretch does not bridge it, and is not part of either piece
  const sp = [c('A', 1), c('B', 4), c(' ', 16), c('C', 30), c(' ', 33), c('D', 35)];
  assert.deepEqual(gapSegments(sp, 24), [
    [0, 2],
    [3, 6],
  ]);
  assert.deepEqual(gapSegments([c(' ', 3), c('A', 5), c(' ', 9)], 24), [[1, 2]]);
  assert.deepEqual(gapSegments([], 24), []);
});

test('the box of a piece of a line: straight, read upside down, and turned a quarter', () => {
  const wide: TextBox['quad'] = [
    { x: 0, y: 0 },
    { x: 100, y: 0 },
    { x: 100, y: 20 },
    { x: 0, y: 20 },
  ];
  const a = lineSpanQuad(wide, 0.25, 0.5, false, false);
  assert.ok(near(a[0], 25, 0) && near(a[1], 50, 0) && near(a[2], 50, 20) && near(a[3], 25, 20), JSON.stringify(a));
  // the classifier turned the crop 180°: the start of the reading is at the right
  const f = lineSpanQuad(wide, 0.25, 0.5, false, true);
  assert.ok(near(f[0], 50, 0) && near(f[1], 75, 0) && near(f[2], 75, 20) && near(f[3], 50, 20), JSON.stringify(f));
  // a tall box whose cut was turned counter-clockwise: reading runs down the box
  const tall: TextBox['quad'] = [
    { x: 0, y: 0 },
    { x: 20, y: 0 },
    { x: 20, y: 100 },
    { x: 0, y: 100 },
  ];
  const v = lineSpanQuad(tall, 0.25, 0.5, true, false);
  assert.ok(near(v[0], 0, 25) && near(v[1], 20, 25) && near(v[2], 20, 50) && near(v[3], 0, 50), JSON.stringify(v));
});

test('the box of a piece agrees with where the cut image shows it (tall box, and turned 180°)', () => {
  // a 40 × 200 image with one bright pixel at (30, 60); the whole image is a tall text box
  const img = createImage(40, 200);
  img.data.set([255, 255, 255], (60 * 40 + 30) * 3);
  const quad: TextBox['quad'] = [
    { x: 0, y: 0 },
    { x: 40, y: 0 },
    { x: 40, y: 200 },
    { x: 0, y: 200 },
  ];
  const { crop, vertical } = cropTextBox(img, quad);
  assert.equal(vertical, true);
  for (const flipped of [false, true]) {
    const line = flipped ? rotate90(crop, 2) : crop;
    let at = -1;
    for (let i = 0; i < line.width * line.height; i++) if (line.data[i * 3]! > 200) at = i;
    const u = ((at % line.width) + 0.5) / line.width;
    const q = lineSpanQuad(quad, u - 0.01, u + 0.01, true, flipped);
    const ys = q.map((p) => p.y);
    assert.ok(Math.min(...ys) <= 60.5 && Math.max(...ys) >= 60.5, `${flipped}: ${JSON.stringify(q)}`);
  }
});

test('fragments of one line are joined; neighbours, other lines and tall boxes are not', () => {
  const line = rect(28, 153, 312, 184);
  const dash = rect(298, 159, 354, 179);
  const rest = rect(352, 152, 541, 185);
  assert.ok(sameLineFragments(line, dash));
  // a separate field with a clear gap, the next line, a tall box overlapping the line's end
  assert.equal(sameLineFragments(line, rect(330, 153, 500, 184)), false);
  assert.equal(sameLineFragments(line, rect(28, 190, 312, 221)), false);
  assert.equal(sameLineFragments(line, rect(300, 150, 320, 190)), false);
  // a line crossing at an angle
  const slanted: TextBox = {
    quad: [
      { x: 250, y: 120 },
      { x: 400, y: 200 },
      { x: 390, y: 220 },
      { x: 240, y: 140 },
    ],
    score: 0.9,
  };
  assert.equal(sameLineFragments(line, slanted), false);
  const merged = mergeLineFragments([line, rect(28, 190, 312, 221), rest, dash]);
  assert.equal(merged.length, 2);
  const m = merged[0]!.quad;
  assert.ok(near(m[0], 28, 152) && near(m[2], 541, 185), JSON.stringify(m));
  assert.deepEqual(merged[1], rect(28, 190, 312, 221));
});

