/**
 * One camera: runs ffmpeg, assembles raw RGB frames into a bounded queue, and keeps the stream up.
 * When ffmpeg exits or stalls, it is restarted after an exponential back-off (reset once frames
 * flow again). State changes are logged on the camera's child logger, never per frame.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { QuaysideError } from '../../../shared/errors.js';
import { CameraConfigSchema, type CameraConfig, type CameraConfigInput } from './config.js';
import { ffmpegArgs, ffmpegPath } from './ffmpeg.js';
import { FrameAssembler, FrameQueue, type Frame } from './frames.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface CameraStats {
  state: 'idle' | 'connecting' | 'streaming' | 'backoff' | 'stopped';
  framesIn: number;
  framesDropped: number;
  queued: number;
  reconnects: number;
  lastFrameTs: number | undefined;
  lastError: string | undefined;
  nextRetryMs: number;
}

export interface CameraOptions {
  logger: Logger;
  backoff?: Partial<BackoffOptions>;
  /** No frame for this long while connected → ffmpeg is killed and restarted. */
  stallMs?: number;
}

export class Camera {
  readonly config: CameraConfig;
  private readonly queue: FrameQueue;
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly stallMs: number;
  private proc: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private delay: number;
  private seq = 0;
  private stats: Omit<CameraStats, 'framesDropped' | 'queued'>;

  constructor(config: CameraConfigInput, opts: CameraOptions) {
    const parsed = CameraConfigSchema.safeParse(config);
    if (!parsed.success) throw new QuaysideError('EDGE_CAMERA_CONFIG', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    this.config = Object.freeze(parsed.data);
    this.queue = new FrameQueue(this.config.queue);
    this.log = opts.logger.child({ camera: this.config.id });
    this.backoff = { initialMs: 500, maxMs: 15_000, factor: 2, ...opts.backoff };
    this.stallMs = opts.stallMs ?? 10_000;
    this.delay = this.backoff.initialMs;
    this.stats = { state: 'idle', framesIn: 0, reconnects: 0, lastFrameTs: undefined, lastError: undefined, nextRetryMs: 0 };
  }

  get frameBytes(): number {
    return this.config.width * this.config.height * 3;
  }

  status(): CameraStats {
    return { ...this.stats, framesDropped: this.queue.dropped, queued: this.queue.length };
  }

  start(): void {
    if (this.stats.state !== 'idle') return;
    this.connect();
  }

  /** The next frame (waits); undefined after stop(). */
  next(): Promise<Frame | undefined> {
    return this.queue.next();
  }

  async *frames(): AsyncGenerator<Frame> {
    for (;;) {
      const f = await this.queue.next();
      if (!f) return;
      yield f;
    }
  }

  async stop(): Promise<void> {
    this.stats.state = 'stopped';
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    this.queue.close();
    const p = this.proc;
    this.proc = undefined;
    if (p && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          p.kill('SIGKILL');
          resolve();
        }, 2000);
        p.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        p.kill('SIGTERM');
      });
    }
  }

  private connect(): void {
    if (this.stats.state === 'stopped') return;
    this.stats.state = 'connecting';
    const asm = new FrameAssembler(this.frameBytes, (data) => this.onFrame(data));
    let proc: ChildProcess;
    try {
      proc = spawn(ffmpegPath(), ffmpegArgs(this.config), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
      return;
    }
    this.proc = proc;
    let stderr = '';
    proc.stdout!.on('data', (c: Buffer) => asm.push(c));
    proc.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    proc.on('error', (e) => this.log.warn({ err: e.message }, 'ffmpeg spawn error'));
    proc.on('exit', (code, signal) => {
      if (this.proc !== proc) return;
      this.proc = undefined;
      clearTimeout(this.watchdog);
      const why = `ffmpeg exited (${signal ?? code})${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
      this.fail(why);
    });
    this.armWatchdog(this.stallMs * 2);
  }

  private armWatchdog(ms: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (!this.proc) return;
      this.log.warn({ ms }, 'camera stalled; restarting ffmpeg');
      this.proc.kill('SIGKILL');
    }, ms);
  }

  private onFrame(data: Buffer): void {
    if (this.stats.state === 'stopped') return;
    if (this.stats.state !== 'streaming') {
      this.log.info({ reconnects: this.stats.reconnects }, 'camera streaming');
      this.stats.state = 'streaming';
    }
    this.delay = this.backoff.initialMs;
    this.stats.framesIn++;
    const ts = Date.now();
    this.stats.lastFrameTs = ts;
    this.armWatchdog(this.stallMs);
    this.queue.push({ seq: this.seq++, ts, width: this.config.width, height: this.config.height, data });
  }

  private fail(reason: string): void {
    if (this.stats.state === 'stopped') return;
    this.stats.lastError = new QuaysideError('EDGE_CAMERA_STREAM', reason).message;
    this.stats.state = 'backoff';
    this.stats.nextRetryMs = this.delay;
    this.log.warn({ retryMs: this.delay, reason }, 'camera stream down');
    this.timer = setTimeout(() => {
      this.stats.reconnects++;
      this.connect();
    }, this.delay);
    this.delay = Math.min(this.backoff.maxMs, this.delay * this.backoff.factor);
  }
}
