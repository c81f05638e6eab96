// Camera ingest against a real RTSP stream: gst-rtsp-server serving a synthetic ffmpeg-made video,
// read by the real ffmpeg through the camera's pipe. No mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Camera } from '../../../edge/vision/camera/camera.js';
import { silentLogger } from '../../../edge/logger.js';
import { makeTestVideo, startRtspServer, type RtspServer } from '../../fixtures/vision/rtsp.js';

const dir = mkdtempSync(join(tmpdir(), 'qs-rtsp-'));
const video = join(dir, 'test.mp4');
const PORT = 18600 + (process.pid % 300);
let server: RtspServer;

before(async () => {
  makeTestVideo(video, { width: 640, height: 360, fps: 25, seconds: 60 });
  server = await startRtspServer(PORT, video);
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('frames arrive at the configured size and rate', { timeout: 30_000 }, async () => {
  const cam = new Camera({ id: 'gate-1', url: server.url, fps: 10, width: 320, height: 180, analyses: ['plate'] }, { logger: silentLogger() });
  cam.start();
  try {
    const frames = [];
    for (let i = 0; i < 30; i++) {
      const f = await cam.next();
      assert.ok(f);
      frames.push(f);
    }
    for (const f of frames) {
      assert.equal(f.width, 320);
      assert.equal(f.height, 180);
      assert.equal(f.data.length, 320 * 180 * 3);
    }
    // sampled at 10 fps: after the start-up burst, 20 frames span about two seconds
    const span = frames.at(-1)!.ts - frames[10]!.ts;
    assert.ok(span > 1500 && span < 3000, `span ${span} ms`);
    // testsrc is colourful: not a blank frame
    const f0 = frames[0]!.data;
    assert.ok(new Set(f0.subarray(0, 3000)).size > 5);
    assert.equal(cam.status().state, 'streaming');
  } finally {
    await cam.stop();
  }
});

test('server killed and restarted → the camera reconnects with back-off and frames resume', { timeout: 60_000 }, async () => {
  const cam = new Camera(
    { id: 'gate-2', url: server.url, fps: 10, width: 160, height: 90, analyses: ['plate'], queue: 2 },
    { logger: silentLogger(), backoff: { initialMs: 200, maxMs: 1600, factor: 2 }, stallMs: 3000 },
  );
  cam.start();
  try {
    assert.ok(await cam.next());
    await server.stop();
    // the stream drops: ffmpeg exits (or stalls and is killed) and retries back off
    await waitFor(() => cam.status().reconnects >= 3, 30_000, 'reconnect attempts');
    const st = cam.status();
    assert.equal(st.state === 'backoff' || st.state === 'connecting', true);
    assert.ok(st.nextRetryMs >= 400, `back-off grew: ${st.nextRetryMs}`);
    assert.match(st.lastError ?? '', /camera stream dropped/);
    const before = cam.status().framesIn;
    server = await startRtspServer(PORT, video);
    await waitFor(() => cam.status().framesIn > before + 5, 30_000, 'frames after restart');
    assert.equal(cam.status().state, 'streaming');
  } finally {
    await cam.stop();
  }
});

test('a slow consumer: frames are dropped and counted, the queue stays bounded', { timeout: 40_000 }, async () => {
  const cam = new Camera({ id: 'berth-1', url: server.url, fps: 25, width: 640, height: 360, analyses: ['draft'], queue: 3 }, { logger: silentLogger() });
  cam.start();
  try {
    assert.ok(await cam.next());
    const mem0 = process.memoryUsage().arrayBuffers;
    // consumer takes 1 frame every 500 ms while 25 frames/s arrive
    const t0 = Date.now();
    let got = 0;
    let maxQueued = 0;
    while (Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 500));
      maxQueued = Math.max(maxQueued, cam.status().queued);
      if (await cam.next()) got++;
    }
    const st = cam.status();
    assert.ok(st.framesIn > 60, `framesIn ${st.framesIn}`);
    assert.ok(st.framesDropped > 40, `dropped ${st.framesDropped}`);
    assert.ok(maxQueued <= 3, `queued ${maxQueued}`);
    assert.ok(got >= 8);
    // only `queue` frames are held: ~100 frames of 691 kB were produced; far less is retained
    const grown = process.memoryUsage().arrayBuffers - mem0;
    assert.ok(grown < 40 * 1024 * 1024, `array buffers grew ${grown}`);
  } finally {
    await cam.stop();
  }
});
