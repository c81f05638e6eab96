/**
 * The data platform (数据资源平台) in the console: one menu entry, a tab per job, each tab its own route
 * under /platform so that links and the back button work:
 *
 *   /platform              数据源: connectors, last runs, run history, run now, definition editor, running jobs
 *   /platform/pipelines    数据处理: pipelines, definitions, runs, rejects with reasons, rerun
 *   /platform/datasets     数据主题: data sets with owner, schema, refresh, rows, quality score; paged rows
 *   /platform/metadata     元数据: search, edit descriptions / owners / tags, the lineage graph
 *   /platform/quality      数据质量: scores by GB/T 36344 indicator, history, rules and results, issues
 *   /platform/catalogue    资源目录: GB/T 21063 entries, detail, export, access requests, the log
 *   /platform/exchange     数据交换: partners, outbound exchanges, run / pull / scan now, the exchange log
 *
 * Every tab needs platform.read; changes (run, save, edit, pull, scan) need platform.manage, and the
 * buttons for them are not shown without it. An access request is decided only by its data owner (the
 * server says so per request: canDecide). The server refuses anything else anyway.
 */
import { Result, Tabs } from 'antd';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useSession } from '../session.js';

const Sources = lazy(() => import('./platform/Sources.js'));
const Pipelines = lazy(() => import('./platform/Pipelines.js'));
const Datasets = lazy(() => import('./platform/Datasets.js'));
const Metadata = lazy(() => import('./platform/Metadata.js'));
const Quality = lazy(() => import('./platform/Quality.js'));
const Catalogue = lazy(() => import('./platform/Catalogue.js'));
const Exchange = lazy(() => import('./platform/Exchange.js'));

const TABS: readonly { key: string; label: MessageKey }[] = [
  { key: '', label: 'pf.tab.sources' },
  { key: 'pipelines', label: 'pf.tab.pipelines' },
  { key: 'datasets', label: 'pf.tab.datasets' },
  { key: 'metadata', label: 'pf.tab.metadata' },
  { key: 'quality', label: 'pf.tab.quality' },
  { key: 'catalogue', label: 'pf.tab.catalogue' },
  { key: 'exchange', label: 'pf.tab.exchange' },
];

export default function Platform() {
  const { t } = useI18n();
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  if (!can('platform.read')) return <Result status="403" title="403" subTitle={t('error.forbidden')} />;
  const active = location.pathname.replace(/^\/platform\/?/, '').split('/')[0] ?? '';
  return (
    <>
      <Tabs
        activeKey={active}
        onTabClick={(k) => navigate(k ? `/platform/${k}` : '/platform')}
        items={TABS.map((x) => ({ key: x.key, label: <span data-testid={`pf-tab-${x.key || 'sources'}`}>{t(x.label)}</span> }))}
        style={{ marginTop: -8 }}
      />
      <Suspense fallback={<div className="qs-center" />}>
        <Routes>
          <Route index element={<Sources />} />
          <Route path="pipelines" element={<Pipelines />} />
          <Route path="datasets" element={<Datasets />} />
          <Route path="metadata" element={<Metadata />} />
          <Route path="quality" element={<Quality />} />
          <Route path="catalogue" element={<Catalogue />} />
          <Route path="exchange" element={<Exchange />} />
          <Route path="*" element={<Navigate to="/platform" replace />} />
        </Routes>
      </Suspense>
    </>
  );
}
