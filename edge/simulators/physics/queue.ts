/**
 * A customs service window's calling terminal: the officer presses keys at random (a Poisson
 * process with a configurable mean interval). Deterministic for a seed: presses are drawn in time
 * order from a seeded stream, whatever the polling pattern.
 */
import { num, str, type Params } from './params.js';
import { createRng, type Seed } from './rng.js';

export interface QueueParams {
  window: number;
  meanPressIntervalS: number;
  /** Ticket prefix (service type), e.g. "A" for declarations. */
  ticketPrefix: string;
}

export function queueParams(p: Params): QueueParams {
  return {
    window: Math.max(0, Math.round(num(p, 'window', 1))),
    meanPressIntervalS: Math.max(0.05, num(p, 'meanPressIntervalS', 20)),
    ticketPrefix: str(p, 'ticketPrefix', 'A').slice(0, 2),
  };
}

export interface Press {
  ts: number;
  window: number;
  button: string;
  /** Ticket the key acts on ("A017"). */
  ticket: string;
}

/** Relative frequency of each key; unknown keys get 0.05. */
const WEIGHTS: Record<string, number> = { call: 0.62, recall: 0.14, pause: 0.06, resume: 0.06, transfer: 0.08 };

export interface QueueModel {
  readonly params: QueueParams;
  /** Presses with originMs ≤ ts ≤ tMs not returned before, in time order. */
  pressesUntil(tMs: number): Press[];
  /** A press now (e.g. asked for over the control API), advancing the ticket like a real one. */
  press(tMs: number, button?: string): Press;
  readonly currentTicket: string;
}

export function createQueue(params: QueueParams, buttons: readonly string[], seed: Seed, key: string, originMs: number): QueueModel {
  const rng = createRng(seed).fork(`queue.${key}`);
  const keys = buttons.length ? buttons : ['call'];
  const weights = keys.map((b) => WEIGHTS[b] ?? 0.05);
  const total = weights.reduce((s, w) => s + w, 0);
  let next = originMs + rng.exponential(params.meanPressIntervalS * 1000);
  let counter = 0;
  let paused = false;

  const ticket = (): string => `${params.ticketPrefix}${String(counter % 1000).padStart(3, '0')}`;
  const act = (ts: number, button: string): Press => {
    if (button === 'call') counter++;
    if (button === 'pause') paused = true;
    if (button === 'resume') paused = false;
    return { ts, window: params.window, button, ticket: ticket() };
  };
  const draw = (): string => {
    if (paused && keys.includes('resume')) return 'resume';
    let r = rng.next() * total;
    for (let i = 0; i < keys.length; i++) {
      r -= weights[i]!;
      if (r < 0) return keys[i]!;
    }
    return keys[keys.length - 1]!;
  };

  return {
    params,
    pressesUntil(tMs) {
      const out: Press[] = [];
      while (next <= tMs) {
        let b = draw();
        if (counter === 0 && b !== 'call' && keys.includes('call')) b = 'call';
        out.push(act(Math.round(next), b));
        next += rng.exponential(params.meanPressIntervalS * 1000);
      }
      return out;
    },
    press(tMs, button) {
      const b = button ?? (keys.includes('call') ? 'call' : keys[0]!);
      return act(tMs, b);
    },
    get currentTicket() {
      return ticket();
    },
  };
}
