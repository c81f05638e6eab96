/** Shared by the serial-line integration tests: profiles, a sample collector, polling. */
import { readFileSync } from 'node:fs';
import type { QualityReason, ReadingValue } from '../../../shared/contracts/reading.js';
import type { SentenceProfile } from '../../../shared/profile/schema.js';
import { validateProfile } from '../../../shared/profile/validate.js';
import type { PointSample, StreamHandlers } from '../../../edge/devices/types.js';

export function loadSentenceProfile(model: string, patch?: (json: Record<string, unknown>) => void): SentenceProfile {
  const json = JSON.parse(readFileSync(new URL(`../../../firmware-profiles/${model}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  patch?.(json);
  const r = validateProfile(json);
  if (!r.ok) throw new Error(`${model}: ${JSON.stringify(r.errors)}`);
  if (r.profile.transport.type !== 'serial-line') throw new Error(`${model} is not a sentence profile`);
  return r.profile as SentenceProfile;
}

export interface Collected {
  samples: PointSample[];
  batches: PointSample[][];
  rejected: { reason: QualityReason; detail: string }[];
  events: { name: string; ts: number; fields: Record<string, ReadingValue> }[];
  handlers: StreamHandlers;
  /** Forgets everything collected so far. */
  reset(): void;
}

export function collector(): Collected {
  const c: Collected = {
    samples: [],
    batches: [],
    rejected: [],
    events: [],
    handlers: {
      onSamples: (s) => {
        c.samples.push(...s);
        c.batches.push(s);
      },
      onRejected: (reason, detail) => c.rejected.push({ reason, detail }),
      onEvent: (e) => c.events.push(e),
    },
    reset() {
      c.samples.length = 0;
      c.batches.length = 0;
      c.rejected.length = 0;
      c.events.length = 0;
    },
  };
  return c;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `pred` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}
