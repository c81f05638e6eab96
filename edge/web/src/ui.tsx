/** Small shared pieces: the app context, messages, error boxes, number formatting. */
import { createContext, useContext, type ReactNode } from 'react';
import { ApiError, OfflineError } from './api.js';
import { useI18n, type TKey } from './i18n.js';

export interface Notice {
  id: number;
  kind: 'ok' | 'warn' | 'error';
  text: string;
}

export interface AppCtx {
  operator: string;
  online: boolean;
  /** The operator's name, or a notice and undefined when none is entered. */
  requireOperator(): string | undefined;
  notify(kind: Notice['kind'], text: string): void;
  refreshPending(): void;
}

export const App = createContext<AppCtx>({ operator: '', online: true, requireOperator: () => undefined, notify: () => undefined, refreshPending: () => undefined });
export const useApp = () => useContext(App);

/** Fixed decimals, '—' for none. */
export function fmt(v: number | null | undefined, decimals = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const r = Number(v.toFixed(decimals));
  return (r === 0 ? 0 : r).toFixed(decimals);
}

export function time(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function ErrorBox({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const e = error as Error;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div className="error-box" role="alert">
      <div className="error-head">
        <strong>{error instanceof OfflineError ? t('needs_gateway') : t('error')}</strong>
        {api ? <code>{api.code}</code> : null}
        {onClose ? (
          <button className="link" onClick={onClose}>
            {t('close')}
          </button>
        ) : null}
      </div>
      {error instanceof OfflineError ? null : <div className="error-msg">{e.message}</div>}
      {api && api.issues.length > 0 ? (
        <ul className="issues">
          {api.issues.map((i, k) => (
            <li key={k}>{i.text}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Section({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <section className="card">
      <div className="card-head">
        <h2>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}

export function SourceTag({ source, pending }: { source: string; pending?: boolean }) {
  const { t } = useI18n();
  const key = `source_${source}` as TKey;
  return (
    <span className={`tag tag-${source}${pending ? ' tag-pending' : ''}`}>
      {t(key)}
      {pending ? ` · ${t('pending_badge')}` : ''}
    </span>
  );
}
