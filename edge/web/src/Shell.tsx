/** The app frame: top bar (inspector, gateway link, pending entries, language), navigation, pages. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { I18n, translator, type Lang } from './i18n.js';
import { onQueueChange, pendingRequests, replay, type QueuedRequest } from './queue.js';
import { App, type AppCtx, type Notice } from './ui.js';
import { SurveysPage } from './pages/Surveys.js';
import { VesselsPage } from './pages/Vessels.js';
import { WizardPage } from './pages/Wizard.js';

type Route = { page: 'surveys' } | { page: 'vessels' } | { page: 'survey'; id: string; step: string };

function routeOf(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'vessels') return { page: 'vessels' };
  if (parts[0] === 'survey' && parts[1]) return { page: 'survey', id: decodeURIComponent(parts[1]), step: parts[2] ?? 'overview' };
  return { page: 'surveys' };
}

export function Shell() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('qs.lang') === 'en' ? 'en' : 'zh'));
  const [operator, setOperator] = useState(() => localStorage.getItem('qs.operator') ?? '');
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash));
  const [online, setOnline] = useState(true);
  const [pending, setPending] = useState<QueuedRequest[]>([]);
  const [notices, setNotices] = useState<Notice[]>([]);
  const noticeId = useRef(0);
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    localStorage.setItem('qs.lang', lang);
  }, [lang]);
  useEffect(() => {
    const f = () => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);

  const notify = useCallback((kind: Notice['kind'], text: string) => {
    const id = ++noticeId.current;
    setNotices((n) => [...n, { id, kind, text }]);
    setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 5000);
  }, []);

  const refreshPending = useCallback(() => {
    void pendingRequests().then(setPending, () => setPending([]));
  }, []);
  useEffect(() => {
    refreshPending();
    return onQueueChange(refreshPending);
  }, [refreshPending]);

  // Is the gateway there? When it is, replay what was entered while it was not.
  const sync = useCallback(async () => {
    let up = false;
    try {
      const res = await fetch('/api/health', { cache: 'no-store' });
      up = res.ok;
    } catch {
      up = false;
    }
    setOnline(up);
    if (up && (await pendingRequests()).length > 0) {
      const r = await replay();
      for (const f of r.failures) notify('error', `${t('sync_failed')}: ${f.item.label} — ${f.message}`);
      window.dispatchEvent(new CustomEvent('qs-synced', { detail: r }));
    }
  }, [notify, t]);
  useEffect(() => {
    void sync();
    const timer = setInterval(() => void sync(), 4000);
    const on = () => void sync();
    window.addEventListener('online', on);
    window.addEventListener('offline', () => setOnline(false));
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', on);
    };
  }, [sync]);

  const ctx: AppCtx = useMemo(
    () => ({
      operator,
      online,
      notify,
      refreshPending,
      requireOperator() {
        const name = operator.trim();
        if (!name) {
          notify('warn', t('operator_needed'));
          document.getElementById('operator')?.focus();
          return undefined;
        }
        return name;
      },
    }),
    [operator, online, notify, refreshPending, t],
  );

  return (
    <I18n.Provider value={{ lang, t }}>
      <App.Provider value={ctx}>
        <header className="topbar">
          <div className="brand">
            <span className="brand-title">{t('app_title')}</span>
            <span className="brand-sub">{t('app_sub')}</span>
          </div>
          <nav className="nav">
            <a href="#/surveys" className={route.page !== 'vessels' ? 'active' : ''}>
              {t('nav_surveys')}
            </a>
            <a href="#/vessels" className={route.page === 'vessels' ? 'active' : ''}>
              {t('nav_vessels')}
            </a>
          </nav>
          <div className="top-right">
            <span className={`status ${online ? 'status-on' : 'status-off'}`} data-testid="gateway-status">
              {online ? t('online') : t('offline')}
            </span>
            {pending.length > 0 ? (
              <button className="pending" onClick={() => void sync()} title={pending.map((p) => p.label).join('\n')} data-testid="pending">
                {t('pending', { n: pending.length })}
              </button>
            ) : null}
            <label className="operator">
              <span>{t('operator')}</span>
              <input
                id="operator"
                value={operator}
                placeholder={t('operator_placeholder')}
                onChange={(e) => {
                  setOperator(e.target.value);
                  localStorage.setItem('qs.operator', e.target.value);
                }}
              />
            </label>
            <button className="lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} data-testid="lang">
              {t('lang_switch')}
            </button>
          </div>
        </header>
        <main className="main">
          {route.page === 'vessels' ? <VesselsPage /> : route.page === 'survey' ? <WizardPage key={route.id} id={route.id} step={route.step} /> : <SurveysPage />}
        </main>
        <div className="notices" aria-live="polite">
          {notices.map((n) => (
            <div key={n.id} className={`notice notice-${n.kind}`}>
              {n.text}
            </div>
          ))}
        </div>
      </App.Provider>
    </I18n.Provider>
  );
}
