/** Loading data: one GET, reloaded on demand, on matching live events (debounced) and optionally on a timer. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Query } from './api/client.js';
import { useLive } from './live.js';

export interface Fetched<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

export interface FetchOptions {
  /** Live event types (prefixes) that make this reload. */
  live?: readonly string[];
  /** Reload every this many ms as well. */
  pollMs?: number;
  /** Don't fetch while false. */
  enabled?: boolean;
}

export function useFetch<T>(path: string | null, query?: Query, opts: FetchOptions = {}): Fetched<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const qkey = JSON.stringify(query ?? {});
  const enabled = opts.enabled !== false && path !== null;

  useEffect(() => {
    if (!enabled || path === null) return;
    const my = ++seq.current;
    setLoading(true);
    api.get<T>(path, JSON.parse(qkey) as Query).then(
      (d) => {
        if (my !== seq.current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (my !== seq.current) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
        setLoading(false);
      },
    );
  }, [path, qkey, tick, enabled]);

  const reload = useCallback(() => setTick((n) => n + 1), []);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLive(opts.live ?? [], () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, 250);
  });
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  useEffect(() => {
    if (!opts.pollMs || !enabled) return;
    const h = setInterval(reload, opts.pollMs);
    return () => clearInterval(h);
  }, [opts.pollMs, enabled, reload]);

  return { data, error, loading, reload };
}
