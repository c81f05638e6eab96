/**
 * Bytes → sentence lines. A line starts at `$` and ends at LF (a CR before it is dropped).
 * Resynchronises on `$`: bytes outside a sentence are garbage (counted and reported once per run,
 * CR/LF between sentences are ignored); a `$` inside a line means the previous line was cut off
 * (reported as truncated); a line longer than `maxLineBytes` is dropped up to the next `$`.
 */
import { MAX_SENTENCE_BYTES } from './sentence.js';

export type SplitterDrop =
  | { kind: 'garbage'; bytes: number }
  | { kind: 'truncated'; bytes: number }
  | { kind: 'overlong'; bytes: number };

export interface LineSplitterOptions {
  /** A complete line, `$` first, CR/LF removed. The buffer is the splitter's own copy. */
  onLine(line: Buffer): void;
  /** Dropped bytes, reported once per garbage run, cut-off line or overlong line. */
  onDrop?(drop: SplitterDrop): void;
  maxLineBytes?: number;
}

export interface SplitterStats {
  lines: number;
  garbageBytes: number;
  garbageRuns: number;
  truncated: number;
  overlong: number;
}

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;

export class LineSplitter {
  readonly stats: SplitterStats = { lines: 0, garbageBytes: 0, garbageRuns: 0, truncated: 0, overlong: 0 };
  private readonly max: number;
  private line: Buffer;
  private len = 0;
  /** 'idle': between sentences; 'line': inside one; 'skip': discarding an overlong line. */
  private state: 'idle' | 'line' | 'skip' = 'idle';
  private garbage = 0;
  private skipped = 0;

  constructor(private readonly opts: LineSplitterOptions) {
    this.max = opts.maxLineBytes ?? MAX_SENTENCE_BYTES;
    this.line = Buffer.allocUnsafe(this.max);
  }

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === DOLLAR) {
        this.endRun();
        this.state = 'line';
        this.line[0] = b;
        this.len = 1;
        continue;
      }
      switch (this.state) {
        case 'idle':
          if (b === CR || b === LF) {
            if (b === LF) this.flushGarbage();
          } else this.garbage++;
          break;
        case 'skip':
          this.skipped++;
          if (b === LF) {
            this.endRun();
            this.state = 'idle';
          }
          break;
        case 'line':
          if (b === LF) {
            let end = this.len;
            if (end > 0 && this.line[end - 1] === CR) end--;
            this.stats.lines++;
            this.state = 'idle';
            this.len = 0;
            this.opts.onLine(Buffer.from(this.line.subarray(0, end)));
          } else if (this.len + 1 >= this.max) {
            // +1 leaves room for the LF the line would still need
            this.state = 'skip';
            this.skipped = this.len + 1;
            this.len = 0;
          } else {
            this.line[this.len++] = b;
          }
          break;
      }
    }
  }

  /** Reports a pending garbage run (e.g. when the port closes); a partial line is dropped as truncated. */
  flush(): void {
    this.endRun();
    this.state = 'idle';
  }

  /** Bytes of a partial line waiting for its end. */
  get pending(): number {
    return this.state === 'line' ? this.len : 0;
  }

  private endRun(): void {
    this.flushGarbage();
    if (this.state === 'line' && this.len > 0) {
      this.stats.truncated++;
      this.opts.onDrop?.({ kind: 'truncated', bytes: this.len });
    } else if (this.state === 'skip') {
      this.stats.overlong++;
      this.opts.onDrop?.({ kind: 'overlong', bytes: this.skipped });
    }
    this.len = 0;
    this.skipped = 0;
  }

  private flushGarbage(): void {
    if (this.garbage === 0) return;
    const n = this.garbage;
    this.garbage = 0;
    this.stats.garbageBytes += n;
    this.stats.garbageRuns++;
    this.opts.onDrop?.({ kind: 'garbage', bytes: n });
  }
}
