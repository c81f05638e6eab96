// The whole chain on a real file source: ffmpeg → camera queue → plate reader (real models) →
// event with an SM3-hashed snapshot in the sink.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Camera } from '../../../edge/vision/camera/camera.js';
import { ffmpegPath } from '../../../edge/vision/camera/ffmpeg.js';
import { loadVisionModels, runCameraPipeline } from '../../../edge/vision/pipeline.js';
import { sm3Hex, type VisionEvent } from '../../../edge/vision/events.js';
import { releaseSessions } from '../../../edge/vision/models/session.js';
import { silentLogger } from '../../../edge/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'qs-pipe-'));
after(async () => {
  await releaseSessions();
  rmSync(dir, { recursive: true, force: true });
});

test('a plate in a video becomes an event with a hashed snapshot', { timeout: 90_000 }, async () => {
  // a blue plate with white characters on a grey gate scene
  const c = createCanvas(640, 360);
  const g = c.getContext('2d');
  g.fillStyle = '#8a8f94';
  g.fillRect(0, 0, 640, 360);
  g.fillStyle = '#1746a2';
  g.fillRect(200, 200, 250, 72);
  g.fillStyle = '#ffffff';
  g.font = 'bold 46px sans-serif';
  g.fillText('沪A·F2345', 212, 254);
  const png = join(dir, 'gate.png');
  writeFileSync(png, await c.encode('png'));
  const video = join(dir, 'gate.mp4');
  const r = spawnSync(ffmpegPath(), ['-y', '-v', 'error', '-loop', '1', '-i', png, '-t', '4', '-r', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
  assert.equal(r.status, 0, String(r.stderr));

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
  assert.equal(e.value, '沪AF2345');
  assert.equal(e.camera, 'gate-1');
  assert.ok(e.box && e.box[0] >= 190 && e.box[2] <= 460, JSON.stringify(e.box));
  assert.equal(e.snapshotSm3, sm3Hex(readFileSync(join(dir, e.snapshotPath))));
});
