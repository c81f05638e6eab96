import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CameraConfigSchema } from '../../../edge/vision/camera/config.js';
import { ffmpegArgs } from '../../../edge/vision/camera/ffmpeg.js';
import { FrameAssembler, FrameQueue } from '../../../edge/vision/camera/frames.js';

test('camera config: defaults, url forms, roi inside the frame', () => {
  const c = CameraConfigSchema.parse({ id: 'gate-1', url: 'rtsp://10.0.0.5/stream1', analyses: ['plate', 'face'] });
  assert.equal(c.fps, 2);
  assert.equal(c.width, 1280);
  assert.equal(c.queue, 4);
  assert.equal(CameraConfigSchema.safeParse({ id: 'a', url: '/data/clip.mp4', analyses: ['draft'] }).success, true);
  assert.equal(CameraConfigSchema.safeParse({ id: 'a', url: 'http://x', analyses: ['draft'] }).success, false);
  assert.equal(CameraConfigSchema.safeParse({ id: 'a', url: '/x.mp4', analyses: [] }).success, false);
  assert.equal(CameraConfigSchema.safeParse({ id: 'a', url: '/x.mp4', analyses: ['sonar'] }).success, false);
  const roi = CameraConfigSchema.safeParse({ id: 'a', url: '/x.mp4', analyses: ['ocr'], width: 640, height: 360, roi: { x: 600, y: 0, width: 100, height: 10 } });
  assert.equal(roi.success, false);
});

test('ffmpeg arguments: RTSP over TCP, fps + scale filter, raw rgb24 on stdout', () => {
  const a = ffmpegArgs({ url: 'rtsp://h/s', fps: 5, width: 640, height: 360, realtime: true, loop: false });
  assert.deepEqual(a.slice(a.indexOf('-rtsp_transport'), a.indexOf('-rtsp_transport') + 2), ['-rtsp_transport', 'tcp']);
  assert.equal(a[a.indexOf('-vf') + 1], 'fps=5,scale=640:360');
  assert.deepEqual(a.slice(-5), ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const f = ffmpegArgs({ url: '/v.mp4', fps: 1, width: 8, height: 8, realtime: true, loop: true });
  assert.ok(f.includes('-re') && f.includes('-stream_loop'));
});

test('frame assembly across arbitrary chunk boundaries', () => {
  const frames: Buffer[] = [];
  const asm = new FrameAssembler(10, (f) => frames.push(f));
  const bytes = Buffer.from(Array.from({ length: 35 }, (_, i) => i));
  for (const [a, b] of [[0, 3], [3, 4], [4, 17], [17, 35]] as const) asm.push(bytes.subarray(a, b));
  assert.equal(frames.length, 3);
  assert.deepEqual([...frames[1]!], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.equal(asm.pending, 5);
  assert.notEqual(frames[0]!.buffer === frames[1]!.buffer && frames[0]!.byteOffset === frames[1]!.byteOffset, true, 'each frame its own buffer');
});

test('bounded queue drops the oldest and counts it', async () => {
  const q = new FrameQueue(2);
  for (let i = 0; i < 5; i++) q.push({ seq: i, ts: i, width: 1, height: 1, data: Buffer.alloc(3) });
  assert.equal(q.dropped, 3);
  assert.equal(q.length, 2);
  assert.equal((await q.next())!.seq, 3);
  assert.equal((await q.next())!.seq, 4);
  const waiting = q.next();
  q.push({ seq: 9, ts: 9, width: 1, height: 1, data: Buffer.alloc(3) });
  assert.equal((await waiting)!.seq, 9);
  q.close();
  assert.equal(await q.next(), undefined);
});
