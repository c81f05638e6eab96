/**
 * Live updates: one EventSource on the server's stream while someone is logged in. Pages subscribe by
 * event type (a prefix such as `alarm.` matches every alarm event) and usually just reload what they
 * show; the header shows whether the stream is connected.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ENDPOINTS } from './api/types.js';

export interface LiveEvent {
  type: string;
  data: unknown;
  at: number;
}

type Listener = (e: LiveEvent) => void;
export type LiveState = 'off' | 'connecting' | 'open' | 'error';

/** Named SSE events the server sends (docs/console-api.md §8; an EventSource hears only the names it listens for). */
export const EVENT_NAMES = ['message', 'hello', 'alarm', 'gateway', 'task', 'appointment', 'quarantine', 'queue', 'notice', 'audit', 'patrol'] as const;

interface Live {
  state: LiveState;
  subscribe(fn: Listener): () => void;
}

const Ctx = createContext<Live>({ state: 'off', subscribe: () => () => undefined });

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function LiveProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const [state, setState] = useState<LiveState>('off');
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setState('off');
      return;
    }
    setState('connecting');
    const es = new EventSource(ENDPOINTS.events, { withCredentials: true });
    es.onopen = () => setState('open');
    es.onerror = () => setState(es.readyState === EventSource.CLOSED ? 'error' : 'connecting');
    const dispatch = (name: string) => (ev: MessageEvent<string>) => {
      const data = parse(ev.data);
      // An unnamed event carries its type in the data: `{ type: "alarm.raised", … }`.
      const inner = data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : null;
      const type = name === 'message' && inner ? inner : name;
      const e: LiveEvent = { type, data, at: Date.now() };
      for (const l of listeners.current) {
        try {
          l(e);
        } catch (err) {
          console.error('live listener failed', err);
        }
      }
    };
    for (const n of EVENT_NAMES) es.addEventListener(n, dispatch(n) as EventListener);
    return () => {
      es.close();
      setState('off');
    };
  }, [enabled]);

  const value = useMemo<Live>(
    () => ({
      state,
      subscribe(fn) {
        listeners.current.add(fn);
        return () => listeners.current.delete(fn);
      },
    }),
    [state],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useLiveState(): LiveState {
  return useContext(Ctx).state;
}

/** Calls `fn` for every event whose type starts with one of `prefixes`. */
export function useLive(prefixes: readonly string[], fn: Listener): void {
  const { subscribe } = useContext(Ctx);
  const ref = useRef(fn);
  ref.current = fn;
  const key = prefixes.join('|');
  useEffect(
    () =>
      subscribe((e) => {
        if (prefixes.some((p) => e.type === p || e.type.startsWith(p))) ref.current(e);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [subscribe, key],
  );
}
