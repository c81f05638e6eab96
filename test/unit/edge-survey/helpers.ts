/**
 * A survey service over a real edge store (SQLite in a temp dir) and instruments that are only a
 * list: samples are written through the store's own batched writer, as the scheduler writes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EdgeStore } from '../../../edge/store/store.js';
import { SurveyService, type SurveyServiceOptions } from '../../../edge/survey/service.js';
import type { InstrumentView } from '../../../edge/survey/types.js';
import type { VesselCsvFiles } from '../../../shared/vessel/assemble.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/edge-survey');
export const IMO = '9412347';

export function fixture(name: string): { name: string; text: string } {
  return { name, text: fs.readFileSync(path.join(FIXTURES, name), 'utf8') };
}

export function vesselFiles(): VesselCsvFiles {
  return {
    particulars: fixture('particulars.csv'),
    hydrostatics: fixture('hydrostatics.csv'),
    tanks: fixture('tanks.csv'),
    tankTables: [fixture('tank-tables.csv'), fixture('fpt-level.csv'), fixture('fw-level.csv')],
  };
}

export const INSTRUMENTS: InstrumentView[] = [
  { id: 'dg', kind: 'draft-gauge', model: 'qs-dg6-rtu', name: { zh: '水尺', en: 'gauge' }, label: null, state: 'online' },
  { id: 'sdm', kind: 'density-monitor', model: 'qs-sdm-tcp', name: { zh: '密度', en: 'density' }, label: null, state: 'online' },
  { id: 'blm', kind: 'ballast-level-meter', model: 'qs-blm-rtu', name: { zh: '液位', en: 'level' }, label: null, state: 'online' },
];

const UNITS: Record<string, string> = { density: 'kg/m3', temperature: 'degC', pressure: 'kPa', level: 'm' };

export interface Rig {
  dir: string;
  store: EdgeStore;
  service: SurveyService;
  /** Writes samples of one device: value(point, ts) for each point every stepMs in [from, to], then commits. */
  write(device: string, points: Record<string, (ts: number) => number>, from: number, to: number, stepMs?: number, quality?: 'good' | 'bad'): void;
  close(): void;
}

export function rig(opts: { now?: () => number; onUpdate?: SurveyServiceOptions['onUpdate'] } = {}): Rig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-survey-'));
  const store = EdgeStore.open({ dataDir: dir });
  const writer = store.writer({ batchMs: 50, batchRows: 1000 });
  const service = new SurveyService({
    store,
    dataDir: dir,
    gateway: { id: 'gw-test', name: 'Test quay' },
    instruments: { list: () => INSTRUMENTS, unit: (_d, p) => UNITS[p] ?? (p.startsWith('draft_') ? 'm' : '') },
    commitDelayMs: 100,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onUpdate ? { onUpdate: opts.onUpdate } : {}),
  });
  return {
    dir,
    store,
    service,
    write(device, points, from, to, stepMs = 1000, quality = 'good') {
      for (let ts = from; ts <= to; ts += stepMs) {
        for (const [point, f] of Object.entries(points)) writer.add(device, { point, ts, value: f(ts), quality });
      }
      writer.flush();
    },
    close() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Six marks from a still-water state: forward/aft drafts with a small wave of period 7 s. */
export function draftPoints(fwd: number, mid: number, aft: number, wave = 0.03): Record<string, (ts: number) => number> {
  const w = (ts: number, phase: number) => wave * Math.sin((2 * Math.PI * ts) / 7000 + phase);
  return {
    draft_fwd_port: (ts) => fwd + w(ts, 0),
    draft_fwd_stbd: (ts) => fwd + w(ts, 0.3),
    draft_mid_port: (ts) => mid + w(ts, 1),
    draft_mid_stbd: (ts) => mid + w(ts, 1.3),
    draft_aft_port: (ts) => aft + w(ts, 2),
    draft_aft_stbd: (ts) => aft + w(ts, 2.3),
  };
}
