/**
 * Frame assembly and queueing. ffmpeg's stdout arrives in chunks of any size; each chunk is copied
 * into one preallocated frame buffer (never Buffer.concat, which is quadratic at 720p), and a full
 * frame is handed on. The queue between ingest and analysis is bounded: when analysis falls behind
 * the oldest frame is dropped and counted, so memory stays at `capacity` frames.
 */
export class FrameAssembler {
  private buf: Buffer;
  private fill = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {
    this.buf = Buffer.allocUnsafe(frameBytes);
  }

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.frameBytes - this.fill, chunk.length - off);
      chunk.copy(this.buf, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === this.frameBytes) {
        const full = this.buf;
        this.buf = Buffer.allocUnsafe(this.frameBytes);
        this.fill = 0;
        this.onFrame(full);
      }
    }
  }

  /** Bytes of a partial frame (dropped when the stream restarts). */
  get pending(): number {
    return this.fill;
  }

  reset(): void {
    this.fill = 0;
  }
}

export interface Frame {
  seq: number;
  ts: number;
  width: number;
  height: number;
  data: Buffer;
}

export class FrameQueue {
  private readonly items: Frame[] = [];
  private waiters: ((f: Frame | undefined) => void)[] = [];
  private closed = false;
  dropped = 0;
  pushed = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  push(f: Frame): void {
    if (this.closed) return;
    this.pushed++;
    const w = this.waiters.shift();
    if (w) {
      w(f);
      return;
    }
    if (this.items.length >= this.capacity) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(f);
  }

  /** The next frame, waiting for one; undefined once closed. */
  next(): Promise<Frame | undefined> {
    const f = this.items.shift();
    if (f) return Promise.resolve(f);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
    this.items.length = 0;
  }
}
