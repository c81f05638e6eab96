/**
 * Two languages, one dictionary each (zh.ts is the reference: en.ts must have exactly its keys, the
 * type checker says so). Simplified Chinese is the default; the choice is kept in localStorage.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.js';
import { zh, type MessageKey } from './zh.js';

export type Lang = 'zh' | 'en';
export type { MessageKey };
export type Params = Record<string, string | number>;
export type T = (key: MessageKey, params?: Params) => string;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };
const STORAGE_KEY = 'qs.console.lang';

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return format(dictionaries[lang][key] ?? key, params);
}

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'zh' || v === 'en') return v;
  } catch {
    /* storage off */
  }
  return 'zh';
}

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: T;
  /** Dates and times in the language's convention, in the browser's zone. */
  dt(ms: number | null | undefined): string;
  d(ms: number | null | undefined): string;
  /** A time slot: `2026/11/29 09:00–11:00` (the end's date only when it differs). */
  slot(from: number, to: number): string;
  /** Time of day for today's instants, the full date and time otherwise (dense tables). */
  dts(ms: number | null | undefined): string;
  num(n: number | null | undefined, digits?: number): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* storage off */
    }
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    const dtf = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    const df = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' });
    const tf = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    const hm = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
    return {
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      dt: (ms) => (ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : dtf.format(ms)),
      slot: (a, b) => `${df.format(a)} ${hm.format(a)}–${df.format(a) === df.format(b) ? '' : `${df.format(b)} `}${hm.format(b)}`,
      dts: (ms) => (ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : df.format(ms) === df.format(Date.now()) ? tf.format(ms) : dtf.format(ms)),
      d: (ms) => (ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : df.format(ms)),
      num: (n, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits })),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
