/** Hooks the steps share: live instrument values, running an action with its error, a capture countdown. */
import { useCallback, useEffect, useState } from 'react';
import { API, getJson, type InstrumentView, type LivePoint } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox } from '../../ui.js';
import { OfflineError } from '../../api.js';

export interface Live {
  device: string;
  window_s: number;
  points: LivePoint[];
}

/** Polls the live values of one instrument every 1.5 s (none when no device is chosen). */
export function useLive(device: string, windowS: number): { live: Live | undefined; error: unknown } {
  const [live, setLive] = useState<Live | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setLive(undefined);
    if (!device) return;
    let stop = false;
    const tick = async () => {
      try {
        const l = await getJson<Live>(`${API}/instruments/${encodeURIComponent(device)}/live?window_s=${windowS}`);
        if (!stop) {
          setLive(l);
          setError(undefined);
        }
      } catch (e) {
        if (!stop) setError(e);
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), 1500);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [device, windowS]);
  return { live, error };
}

export function point(live: Live | undefined, name: string): LivePoint | undefined {
  return live?.points.find((p) => p.point === name);
}

/** Runs one action at a time; keeps its error for the step to show. */
export function useAction(): { busy: boolean; error: unknown; clear(): void; run(f: () => Promise<void>): Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, clear: () => setError(undefined), run };
}

/** Seconds left of a running capture window. */
export function useCountdown(): { left: number; start(seconds: number): void; stop(): void } {
  const [endAt, setEndAt] = useState<number | undefined>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (endAt === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [endAt]);
  return {
    left: endAt === undefined ? 0 : Math.max(0, Math.ceil((endAt - now) / 1000)),
    start: (s) => {
      setNow(Date.now());
      setEndAt(Date.now() + s * 1000);
    },
    stop: () => setEndAt(undefined),
  };
}

export function DevicePicker({ kind, instruments, value, onChange, testId }: { kind: string; instruments: InstrumentView[]; value: string; onChange(v: string): void; testId?: string }) {
  const { lang, t } = useI18n();
  const list = instruments.filter((i) => i.kind === kind);
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">{list.length ? t('choose_device') : t('no_device')}</option>
      {list.map((i) => (
        <option key={i.id} value={i.id}>
          {i.id} · {i.name[lang]} ({['online', 'degraded', 'offline', 'disabled'].includes(i.state) ? t(`state_${i.state}` as TKey) : i.state})
        </option>
      ))}
    </select>
  );
}

export const WINDOWS = [3, 5, 10, 20, 30, 60, 120];

export function WindowPicker({ value, onChange }: { value: number; onChange(v: number): void }) {
  const { t } = useI18n();
  return (
    <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid="window">
      {WINDOWS.map((w) => (
        <option key={w} value={w}>
          {t('seconds', { n: w })}
        </option>
      ))}
    </select>
  );
}

/** A live-value error: offline is expected on deck (a note, not an error). */
export function LiveError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof OfflineError) return <div className="warn-box">{t('live_offline')}</div>;
  return <ErrorBox error={error} />;
}
