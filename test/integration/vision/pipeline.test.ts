// The whole chain on a real file source: ffmpeg → camera queue → plate reader (real models) →
// event with an SM3-hashed snapshot in the sink.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Camera } from '../../../edge/vision/camera/camera.js';
import { loadVisionModels, runCameraPipeline } from '../../../edge/vision/pipeline.js';
import { sm3Hex, type VisionEvent } from '../../../edge/vision/events.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';
import { silentLogger } from '../../../edge/logger.js';
import { PLATE_TEXT, plateVideo } from '../../../edge/vision/synthetic/plate-scene.js';

const dir = mkdtempSync(join(tmpdir(), 'qs-pipe-'));
after(async () => {
  await releaseSessions();
  rmSync(dir, { recursive: true, force: true });
});

test('a plate in a video becomes an event with a hashed snapshot', { timeout: 90_000 }, async () => {
  const video = await plateVideo(dir);

  const camera = new Camera({ id: 'gate-1', url: video, fps: 2, width: 640, height: 360, analyses: ['plate'], queue: 1 }, { logger: silentLogger() });
  const events: VisionEvent[] = [];
  const models = await loadVisionModels();
  const done = runCameraPipeline({
    camera,
    models,
    dataDir: dir,
    logger: silentLogger(),
    sink: {
      append: (e) => {
        events.push(e);
        void camera.stop();
      },
    },
  });
  camera.start();
  await done;
  assert.ok(events.length >= 1);
  const e = events[0]!;
  assert.equal(e.kind, 'plate');
  assert.equal(e.value, PLATE_TEXT);
  assert.equal(e.camera, 'gate-1');
  assert.ok(e.box && e.box[0] >= 190 && e.box[2] <= 460, JSON.stringify(e.box));
  assert.equal(e.snapshotSm3, sm3Hex(readFileSync(join(dir, e.snapshotPath))));
});
