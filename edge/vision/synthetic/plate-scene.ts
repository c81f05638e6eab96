/**
 * A synthetic gate scene: a blue Chinese plate (沪A·F2345) on a grey background, rendered with canvas and
 * encoded by ffmpeg as a short H.264 video. The demo's gate camera loops it; the vision tests read it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { ffmpegPath } from '../camera/ffmpeg.js';

export const PLATE_TEXT = '沪AF2345';

export async function plateVideo(dir: string, seconds = 4): Promise<string> {
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
  const r = spawnSync(ffmpegPath(), ['-y', '-v', 'error', '-loop', '1', '-i', png, '-t', String(seconds), '-r', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make the plate video: ${String(r.stderr)}`);
  return video;
}
