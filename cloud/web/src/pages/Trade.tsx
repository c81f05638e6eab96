/**
 * Foreign-trade monitoring (外贸监测) in the console: one menu entry, a tab per job, each tab its own
 * route under /trade so that links and the back button work:
 *
 *   /trade                   overview of a year                       trade.read
 *   /trade/stats             statistics: query builder, chart, table, drill-down, CSV/XLSX
 *   /trade/forecast          a monthly series with its forecast and intervals
 *   /trade/warnings          early warnings: filter, detail, handle, run detectors (handle/run: trade.manage)
 *   /trade/risk              rule sets: versions, editor, back-test, activate (trade.manage); evaluate one declaration
 *   /trade/tags              tags with enterprise counts, enterprises of a tag, enterprise search; recompute (trade.manage)
 *   /trade/enterprises/:uscc the enterprise profile (企业画像)
 *   /trade/loads             loading: JSON batches, inbox files with progress, loads and their rejects   trade.load
 *
 * The tabs a user's permissions do not allow are not shown; the server refuses them anyway.
 */
import { Result, Tabs } from 'antd';
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { TRADE_PATHS, type TradeMeta } from '../api/trade.js';
import { useFetch } from '../hooks.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useSession } from '../session.js';
import { MetaContext } from './trade/common.js';

const Overview = lazy(() => import('./trade/Overview.js'));
const Stats = lazy(() => import('./trade/Stats.js'));
const Forecast = lazy(() => import('./trade/Forecast.js'));
const Warnings = lazy(() => import('./trade/Warnings.js'));
const Risk = lazy(() => import('./trade/Risk.js'));
const Tags = lazy(() => import('./trade/Tags.js'));
const Profile = lazy(() => import('./trade/Profile.js'));
const Loads = lazy(() => import('./trade/Loads.js'));

interface TabDef {
  key: string;
  label: MessageKey;
  perm: 'trade.read' | 'trade.load';
}

const TABS: readonly TabDef[] = [
  { key: '', label: 'trade.tab.overview', perm: 'trade.read' },
  { key: 'stats', label: 'trade.tab.stats', perm: 'trade.read' },
  { key: 'forecast', label: 'trade.tab.forecast', perm: 'trade.read' },
  { key: 'warnings', label: 'trade.tab.warnings', perm: 'trade.read' },
  { key: 'risk', label: 'trade.tab.risk', perm: 'trade.read' },
  { key: 'tags', label: 'trade.tab.tags', perm: 'trade.read' },
  { key: 'loads', label: 'trade.tab.loads', perm: 'trade.load' },
];

export default function Trade() {
  const { t } = useI18n();
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const read = can('trade.read');
  const load = can('trade.load');
  const meta = useFetch<TradeMeta>(read ? TRADE_PATHS.meta : null);
  const metaState = useMemo(() => ({ meta: meta.data, error: meta.error, reload: meta.reload }), [meta.data, meta.error, meta.reload]);
  const tabs = TABS.filter((x) => can(x.perm));
  const sub = location.pathname.replace(/^\/trade\/?/, '').split('/')[0] ?? '';
  const active = sub === 'enterprises' ? 'tags' : sub;
  const denied = <Result status="403" title="403" subTitle={t('error.forbidden')} />;
  const wait = <div className="qs-center" />;
  const guard = (ok: boolean, el: ReactNode) => (ok ? el : denied);

  return (
    <MetaContext.Provider value={metaState}>
      <Tabs
        className="qs-trade-tabs"
        activeKey={active}
        onTabClick={(k) => navigate(k ? `/trade/${k}` : '/trade')}
        items={tabs.map((x) => ({ key: x.key, label: <span data-testid={`trade-tab-${x.key || 'overview'}`}>{t(x.label)}</span> }))}
        style={{ marginTop: -8 }}
      />
      <Suspense fallback={wait}>
        <Routes>
          <Route index element={read ? <Overview /> : load ? <Navigate to="/trade/loads" replace /> : denied} />
          <Route path="stats" element={guard(read, <Stats />)} />
          <Route path="forecast" element={guard(read, <Forecast />)} />
          <Route path="warnings" element={guard(read, <Warnings />)} />
          <Route path="risk" element={guard(read, <Risk />)} />
          <Route path="tags" element={guard(read, <Tags />)} />
          <Route path="enterprises/:uscc" element={guard(read, <Profile />)} />
          <Route path="loads" element={guard(load, <Loads />)} />
          <Route path="*" element={<Navigate to="/trade" replace />} />
        </Routes>
      </Suspense>
    </MetaContext.Provider>
  );
}
