/**
 * Which ffmpeg to run and with what arguments: ffmpeg-static's binary when its file exists (its
 * install script is denied, so usually it does not), else Debian's /usr/bin/ffmpeg, else `ffmpeg`
 * on PATH.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { QuaysideError } from '../../../shared/errors.js';
import type { CameraConfig } from './config.js';

const require = createRequire(import.meta.url);

export function ffmpegPath(): string {
  try {
    const p = require('ffmpeg-static') as unknown;
    if (typeof p === 'string' && existsSync(p)) return p;
  } catch {
    /* not installed */
  }
  for (const p of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg']) if (existsSync(p)) return p;
  const path = (process.env.PATH ?? '').split(':').map((d) => `${d}/ffmpeg`).find((p) => existsSync(p));
  if (path) return path;
  throw new QuaysideError('EDGE_CAMERA_FFMPEG_MISSING', 'install Debian ffmpeg');
}

/** ffmpeg arguments that write raw rgb24 frames of exactly width × height to stdout. */
export function ffmpegArgs(c: Pick<CameraConfig, 'url' | 'fps' | 'width' | 'height' | 'realtime' | 'loop'>): string[] {
  const rtsp = /^rtsps?:\/\//.test(c.url);
  const input = c.url.startsWith('file:') ? c.url.slice(5) : c.url;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  if (rtsp) args.push('-rtsp_transport', 'tcp', '-timeout', '5000000');
  else {
    if (c.realtime) args.push('-re');
    if (c.loop) args.push('-stream_loop', '-1');
  }
  args.push('-i', input, '-an', '-sn', '-vf', `fps=${c.fps},scale=${c.width}:${c.height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}
