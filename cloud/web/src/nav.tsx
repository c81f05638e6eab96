/**
 * The menu: one entry per page with the permissions that show it. This only shapes the menu — the server
 * refuses what a role may not do whatever the browser shows.
 */
import {
  AimOutlined,
  AlertOutlined,
  AuditOutlined,
  BellOutlined,
  BarChartOutlined,
  CalendarOutlined,
  DatabaseOutlined,
  ClusterOutlined,
  DashboardOutlined,
  MedicineBoxOutlined,
  NumberOutlined,
  ProfileOutlined,
  TeamOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Permission } from './api/types.js';
import type { MessageKey } from './i18n/index.js';

export interface NavEntry {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Shown when the user has any of these permissions (docs/console-api.md §2). */
  perms: readonly Permission[];
}

export const NAV: readonly NavEntry[] = [
  { path: '/', label: 'nav.dashboard', icon: <DashboardOutlined />, perms: ['ops.read'] },
  { path: '/command', label: 'nav.command', icon: <AimOutlined />, perms: ['devices.read'] },
  { path: '/gateways', label: 'nav.gateways', icon: <ClusterOutlined />, perms: ['devices.read', 'gateways.manage'] },
  { path: '/alarms', label: 'nav.alarms', icon: <AlertOutlined />, perms: ['alarms.read'] },
  { path: '/tasks', label: 'nav.tasks', icon: <ProfileOutlined />, perms: ['tasks.read'] },
  { path: '/appointments', label: 'nav.appointments', icon: <CalendarOutlined />, perms: ['appointments.read'] },
  { path: '/quarantine', label: 'nav.quarantine', icon: <MedicineBoxOutlined />, perms: ['quarantine.read'] },
  { path: '/queue', label: 'nav.queue', icon: <NumberOutlined />, perms: ['queue.read'] },
  { path: '/video', label: 'nav.video', icon: <VideoCameraOutlined />, perms: ['patrol.view', 'patrol.read', 'patrol.manage'] },
  { path: '/trade', label: 'nav.trade', icon: <BarChartOutlined />, perms: ['trade.read', 'trade.load'] },
  { path: '/platform', label: 'nav.platform', icon: <DatabaseOutlined />, perms: ['platform.read'] },
  { path: '/notices', label: 'nav.notices', icon: <BellOutlined />, perms: ['auth.self'] },
  { path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, perms: ['audit.read', 'audit.verify'] },
  { path: '/users', label: 'nav.users', icon: <TeamOutlined />, perms: ['users.read'] },
];

export function navFor(perms: readonly Permission[]): NavEntry[] {
  return NAV.filter((n) => n.perms.some((p) => perms.includes(p)));
}

/** Where a user lands after login: enterprise users at their bookings, everyone else at the first page they may see. */
export function homeFor(perms: readonly Permission[]): string {
  if (perms.includes('appointments.book')) return '/appointments';
  return navFor(perms)[0]?.path ?? '/notices';
}
