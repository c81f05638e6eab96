/** The shell: antd locale and theme per language, login gate, side menu by role, header, routed pages. */
import { BellOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { App as AntApp, Badge, Button, ConfigProvider, Dropdown, Layout, Menu, Result, Segmented, Space, Spin, Tooltip, Typography, theme } from 'antd';
// The ES builds: antd/locale/* are CommonJS re-exports whose default the bundler would wrap.
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { useI18n, type Lang } from './i18n/index.js';
import { LiveProvider, useLiveState } from './live.js';
import { homeFor, navFor } from './nav.js';
import { Boundary } from './components/Boundary.js';
import { LoginPage } from './pages/Login.js';
import { useSession } from './session.js';
import { useFetch } from './hooks.js';
import type { Notice } from './api/types.js';

const Dashboard = lazy(() => import('./pages/Dashboard.js'));
const Gateways = lazy(() => import('./pages/Gateways.js'));
const Alarms = lazy(() => import('./pages/Alarms.js'));
const Tasks = lazy(() => import('./pages/Tasks.js'));
const Appointments = lazy(() => import('./pages/Appointments.js'));
const Quarantine = lazy(() => import('./pages/Quarantine.js'));
const Queue = lazy(() => import('./pages/Queue.js'));
const CommandView = lazy(() => import('./pages/CommandView.js'));
const Video = lazy(() => import('./pages/Video.js'));
const Trade = lazy(() => import('./pages/Trade.js'));
const Platform = lazy(() => import('./pages/Platform.js'));
const Audit = lazy(() => import('./pages/Audit.js'));
const Users = lazy(() => import('./pages/Users.js'));
const Notices = lazy(() => import('./pages/Notices.js'));

const PAGES: Record<string, () => ReactNode> = {
  '/': () => <Dashboard />,
  '/command': () => <CommandView />,
  '/gateways': () => <Gateways />,
  '/alarms': () => <Alarms />,
  '/tasks': () => <Tasks />,
  '/appointments': () => <Appointments />,
  '/quarantine': () => <Quarantine />,
  '/queue': () => <Queue />,
  '/video': () => <Video />,
  '/trade': () => <Trade />,
  '/platform': () => <Platform />,
  '/audit': () => <Audit />,
  '/users': () => <Users />,
  '/notices': () => <Notices />,
};

export function App() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1d4f91',
          borderRadius: 6,
          fontFamily: '-apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Segoe UI", Roboto, sans-serif',
        },
        components: { Layout: { siderBg: '#0f2a4a', headerBg: '#ffffff', headerPadding: '0 16px' }, Menu: { darkItemBg: '#0f2a4a', darkSubMenuItemBg: '#0b2038' } },
      }}
    >
      <AntApp>
        <Gate />
      </AntApp>
    </ConfigProvider>
  );
}

function Gate() {
  const { me } = useSession();
  const location = useLocation();
  if (me === undefined) {
    return (
      <div className="qs-center">
        <Spin size="large" />
      </div>
    );
  }
  if (me === null) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to={`/login${location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`}`} replace />} />
      </Routes>
    );
  }
  return (
    <LiveProvider enabled>
      <Shell />
    </LiveProvider>
  );
}

function Shell() {
  const { me, logout } = useSession();
  const { t, lang, setLang } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(false);
  const live = useLiveState();
  if (!me) return null;
  const entries = navFor(me.permissions);
  const home = homeFor(me.permissions);
  const current = entries.find((e) => e.path !== '/' && location.pathname.startsWith(e.path))?.path ?? (location.pathname === '/' ? '/' : location.pathname);

  return (
    <Layout className="qs-shell">
      <Layout.Sider breakpoint="xl" collapsible collapsed={collapsed} onCollapse={setCollapsed} collapsedWidth={64} width={216} trigger={null}>
        <div className="qs-logo" title={t('app.title')}>
          <span className="qs-logo-mark">关</span>
          {!collapsed && <span className="qs-logo-text">{t('app.short')}</span>}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[current]}
          items={entries.map((e) => ({ key: e.path, icon: e.icon, label: t(e.label), 'data-testid': `nav-${e.path === '/' ? 'dashboard' : e.path.slice(1)}` }))}
          onClick={(i) => navigate(i.key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="qs-header">
          <Space size="middle" className="qs-header-left">
            <Button type="text" aria-label={t('shell.toggleMenu')} onClick={() => setCollapsed((c) => !c)}>
              ☰
            </Button>
            <Typography.Text strong className="qs-header-title">
              {t('app.title')}
            </Typography.Text>
          </Space>
          <Space size="middle">
            <Tooltip title={t(`live.${live}`)}>
              <Badge status={live === 'open' ? 'success' : live === 'connecting' ? 'processing' : live === 'error' ? 'error' : 'default'} text={<span className="qs-hide-narrow">{t('live.label')}</span>} data-testid="live-state" data-state={live} />
            </Tooltip>
            <NoticeBell />
            <Segmented<Lang>
              size="small"
              data-testid="lang-switch"
              value={lang}
              onChange={(v) => setLang(v)}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
            />
            <Dropdown
              menu={{
                items: [
                  { key: 'who', label: <span>{me.org?.name ?? me.username}</span>, disabled: true },
                  { key: 'roles', label: <span>{me.roles.map((r) => t(`role.${r}`)).join(' · ')}</span>, disabled: true },
                  { type: 'divider' },
                  { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('shell.logout')}</span> },
                ],
                onClick: (i) => {
                  if (i.key === 'logout') void logout().then(() => navigate('/login'));
                },
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                <span className="qs-hide-narrow">{me.displayName || me.username}</span>
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="qs-content">
          <Boundary title={t('shell.failed')} reload={t('shell.reload')} resetKey={location.pathname}>
          <Suspense
            fallback={
              <div className="qs-center">
                <Spin />
              </div>
            }
          >
            <Routes>
              <Route path="/login" element={<AfterLogin home={home} />} />
              {entries.map((e) => (
                <Route key={e.path} path={e.path === '/' ? '/' : `${e.path}/*`} element={PAGES[e.path]!()} />
              ))}
              {!entries.some((e) => e.path === '/') && <Route path="/" element={<Navigate to={home} replace />} />}
              <Route path="*" element={<Result status="404" title="404" subTitle={t('shell.notFound')} extra={<Button onClick={() => navigate(home)}>{t('shell.home')}</Button>} />} />
            </Routes>
          </Suspense>
          </Boundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** Unread notices, kept current by the `notice` event. */
function NoticeBell() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const unread = useFetch<Notice[]>('/api/notices', { unread: 1 }, { live: ['notice'], pollMs: 120_000 });
  const n = unread.data?.length ?? 0;
  return (
    <Tooltip title={t('nav.notices')}>
      <Badge count={n} size="small" offset={[-4, 4]}>
        <Button type="text" icon={<BellOutlined />} aria-label={t('nav.notices')} onClick={() => navigate('/notices')} data-testid="notice-bell" />
      </Badge>
    </Tooltip>
  );
}

/** /login while logged in (just logged in, or a bookmark): on to `next` when it is a path of this site, else home. */
function AfterLogin({ home }: { home: string }) {
  const [params] = useSearchParams();
  const next = params.get('next');
  return <Navigate to={next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : home} replace />;
}
