/** Shared by the sync unit tests: a real edge store in a temp folder, a recording link, readings. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { PointSample } from '../../../edge/devices/types.js';
import type { SyncLink } from '../../../edge/sync/loop.js';
import { EdgeStore } from '../../../edge/store/store.js';

export function tempStore(prefix = 'qs-sync-'): { store: EdgeStore; dir: string; reopen(): EdgeStore; done(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let store = EdgeStore.open({ dataDir: dir });
  return {
    get store() {
      return store;
    },
    dir,
    reopen() {
      store.close();
      store = EdgeStore.open({ dataDir: dir });
      return store;
    },
    done() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logger whose lines the test can read. */
export function memoryLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

/** The link port of the sync loop, recording what it is asked to publish (the real one is uplink.ts). */
export class RecordingLink implements SyncLink {
  connected = true;
  readonly published: Array<{ topic: string; body: any }> = [];
  publish(topic: string, payload: Buffer): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    this.published.push({ topic, body: JSON.parse(payload.toString('utf8')) });
    return Promise.resolve();
  }
  seqs(): number[] {
    return this.published.map((p) => p.body.seq as number);
  }
}

export const sample = (point: string, ts: number, value: PointSample['value'], extra: Partial<PointSample> = {}): PointSample => ({ point, ts, value, quality: 'good', ...extra });

/** Commits `n` readings of one device, a distinct ts each. */
export function fill(store: EdgeStore, n: number, opts: { device?: string; start?: number; points?: number } = {}): void {
  const w = store.writer({ batchMs: 60_000, batchRows: 1_000_000 });
  const points = opts.points ?? 1;
  const start = opts.start ?? 1_700_000_000_000;
  for (let i = 0; i < n; i++) w.add(opts.device ?? 'dev-1', sample(`p${i % points}`, start + i, i / 10));
  w.flush();
}
