// Container-number assembly from OCR lines: owner code and serial side by side, stacked, with the
// size/type code nearby, and read with confusions the check digit repairs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createImage, type BoxXyxy } from '../../../edge/vision/image.js';
import { OcrEngine, type OcrLine } from '../../../edge/vision/models/ocr/index.js';
import { ContainerReader } from '../../../edge/vision/models/container/index.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';

after(() => releaseSessions());

const line = (text: string, box: BoxXyxy, vertical = false): OcrLine => ({
  text,
  confidence: 0.95,
  box,
  quad: [
    { x: box[0], y: box[1] },
    { x: box[2], y: box[1] },
    { x: box[2], y: box[3] },
    { x: box[0], y: box[3] },
  ],
  vertical,
});

test('owner code and serial side by side on a slanted row; size/type code ignored', async () => {
  const reader = new ContainerReader(await OcrEngine.create());
  const img = createImage(800, 600);
  const r = await reader.fromLines(img, [
    line('1537222', [518, 458, 700, 540]), // serial higher than the owner code (oblique photo)
    line('CRSU', [380, 500, 496, 594]),
    line('22G1', [519, 552, 645, 650]),
  ]);
  assert.equal(r[0]?.value, 'CRSU1537222');
  assert.equal(r[0]?.repaired, false);
  assert.equal(r[0]?.checkDigitInferred, false);
});

test('stacked layout with the serial split in groups, repaired by the check digit', async () => {
  const reader = new ContainerReader(await OcrEngine.create());
  const img = createImage(800, 400);
  const r = await reader.fromLines(img, [line('M0AU', [100, 40, 300, 110]), line('772', [100, 170, 240, 240]), line('5I26', [260, 170, 420, 240])]);
  assert.equal(r[0]?.value, 'MOAU7725126');
  assert.equal(r[0]?.repaired, true);
  assert.deepEqual(
    r[0]?.changes.map((c) => `${c.index}:${c.from}>${c.to}`),
    ['1:0>O', '8:I>1'],
  );
});

test('vertical text (image turned a quarter) reads bottom to top', async () => {
  const reader = new ContainerReader(await OcrEngine.create());
  const img = createImage(600, 800);
  // bottom-to-top text: the owner code sits below the serial in the image
  const r = await reader.fromLines(img, [line('FANU', [300, 500, 350, 700], true), line('1869720', [300, 150, 350, 480], true)]);
  assert.equal(r[0]?.value, 'FANU1869720');
});
