/**
 * The server's shapes as the console reads them (docs/console-api.md and cloud/api/*.ts). Kept in one
 * place so that a change on the server is a change here.
 */

export type Role = 'sysadmin' | 'command' | 'inspector' | 'enterprise' | 'auditor';
export const ROLES: readonly Role[] = ['sysadmin', 'command', 'inspector', 'enterprise', 'auditor'];

/** docs/console-api.md §2. */
export type Permission =
  | 'auth.self'
  | 'users.read'
  | 'users.manage'
  | 'orgs.manage'
  | 'orgs.read'
  | 'gateways.manage'
  | 'devices.read'
  | 'alarms.read'
  | 'alarms.ack'
  | 'tasks.read'
  | 'tasks.create'
  | 'tasks.assign'
  | 'tasks.rules'
  | 'tasks.work'
  | 'appointments.read'
  | 'appointments.book'
  | 'appointments.decide'
  | 'quarantine.read'
  | 'quarantine.declare'
  | 'quarantine.decide'
  | 'quarantine.ballast'
  | 'queue.read'
  | 'queue.ticket'
  | 'queue.call'
  | 'queue.manage'
  | 'patrol.view'
  | 'patrol.read'
  | 'patrol.manage'
  | 'notices.send'
  | 'ops.read'
  | 'audit.read'
  | 'audit.verify'
  | 'trade.read'
  | 'trade.load'
  | 'trade.manage'
  | 'platform.read'
  | 'platform.manage';

export interface Org {
  id: string;
  kind: 'customs' | 'enterprise';
  name: string;
  uscc: string | null;
  createdAt?: number;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  email?: string | null;
  phone?: string | null;
  status: 'active' | 'pending' | 'disabled';
  roles: Role[];
  permissions: Permission[];
  org: Org | null;
  identities?: Array<{ issuer: string; subject: string }>;
  lockedUntil?: number | null;
  lastLoginAt?: number | null;
}

export interface SessionInfo {
  via: string;
  createdAt: number;
  expiresAt: number;
  idleExpiresAt: number;
}

export interface MeResponse {
  user: User;
  csrfToken: string;
  session?: SessionInfo;
}

export interface AuthConfig {
  oidc: { enabled: boolean; label?: string | null };
  password: { minLength: number; minClasses: number };
}

export const ENDPOINTS = {
  config: '/api/auth/config',
  me: '/api/auth/me',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  oidcStart: '/api/auth/oidc/start',
  events: '/api/events/stream',
} as const;

// ── gateways and telemetry (cloud/api/gateways.ts, history.ts; §6) ──

export interface Gateway {
  id: string;
  name: string;
  createdAt: number;
  enrolledAt: number | null;
  revokedAt: number | null;
  enrolPending: boolean;
  status: { state: 'online' | 'offline'; ts: number; version: string | null; updatedAt: number } | null;
  online: boolean;
  connected: boolean | null;
  devices?: number;
  openAlarms?: number;
  lastSeen?: number | null;
}

export interface EnrolmentTicket {
  id: string;
  name: string;
  enrolToken: string;
  expiresAt: number;
}

export type Quality = 'good' | 'uncertain' | 'bad';

export interface SeriesRow {
  device: string;
  point: string;
  ts: number;
  value: number | string | null;
  unit: string;
  quality: Quality;
  reason?: string;
  detail?: string;
}

export interface HistoryResponse {
  rows: SeriesRow[];
}

export type DeviceHealth = 'ok' | 'degraded' | 'fault' | 'stale';

export interface DeviceState {
  device: string;
  health: DeviceHealth;
  lastTs: number | null;
  openAlarms: number;
  points: Array<{ point: string; value: number | string | null; unit: string; quality: Quality; reason?: string; ts: number }>;
}

export interface Alarm {
  gw: string;
  id: string;
  ts: number;
  device: string | null;
  point: string | null;
  severity: string;
  action: string;
  message: string;
  ack: { by: string; byName: string; at: number; comment: string } | null;
}

export type CommandState = 'pending' | 'done' | 'rejected' | 'expired';

export interface CommandRow {
  id: string;
  gw: string;
  target: string;
  op: string;
  args: Record<string, unknown>;
  expiresAt: number;
  createdAt: number;
  status: CommandState;
  result: { detail: string; receivedAt: number } | null;
}

export interface Health {
  status: string;
  uptimeS: number;
  store: string;
  timeseries: string;
  broker: string;
}

// ── supervision (§7) ──

export type TaskStatus = 'open' | 'assigned' | 'in_progress' | 'done' | 'cancelled';
export type TaskResult = 'pass' | 'fail' | 'anomaly';

export interface Evidence {
  id: string | number;
  taskId: string;
  kind: 'photo' | 'reading' | 'survey' | 'note';
  data: Record<string, unknown>;
  sm3: string | null;
  createdBy: string;
  createdAt: number;
}

export interface ChecklistItem {
  id: string;
  label: string;
  done: boolean;
  note: string | null;
}

export interface Task {
  id: string;
  kind: 'inspection' | 'local' | 'quarantine';
  title: string;
  source: 'manual' | 'rule' | 'appointment' | 'quarantine';
  ruleId: string | null;
  priority: boolean;
  deadlineAt: number | null;
  enterpriseId: string | null;
  subject: Record<string, unknown> | null;
  checklist: ChecklistItem[];
  status: TaskStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  result: TaskResult | null;
  resultNote: string | null;
  createdBy: string | null;
  createdAt: number;
  assignedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  updatedAt: number;
  onTime: boolean | null;
  appointmentId: string | null;
  quarantineId: string | null;
  evidence?: Evidence[];
}

export interface PriorityStats {
  total: number;
  onTime: number;
  late: number;
  overdueOpen: number;
  open: number;
  rate: number | null;
  target: number;
}

export type AppointmentStatus = 'requested' | 'accepted' | 'rescheduled' | 'rejected' | 'cancelled' | 'done';

export interface Appointment {
  id: string;
  enterpriseId: string;
  enterpriseName: string;
  requestedBy: string;
  goods: string;
  location: string;
  slotStart: number;
  slotEnd: number;
  contactPhone: string | null;
  note: string | null;
  status: AppointmentStatus;
  decisionNote: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  taskId: string | null;
  createdAt: number;
  updatedAt: number;
}

export type QuarantineDecision = 'boarding' | 'remote' | 'free_pratique';

export interface BallastReport {
  id: string | number;
  tank: string;
  exchangeClaimed: boolean;
  exchangeMethod?: string | null;
  exchangePosition?: string | null;
  densityKgM3: number | null;
  temperatureC: number | null;
  salinityPsu: number | null;
  flag: boolean;
  note: string | null;
  source: 'edge' | 'manual';
  sourceRef: Record<string, unknown> | string | null;
  createdAt?: number;
}

export interface Declaration {
  id: string;
  enterpriseId: string | null;
  vesselName: string;
  imo: string;
  voyage: string | null;
  eta: number;
  lastPorts: string[];
  crewCount: number;
  illCrew: number;
  illDetails: string | null;
  status: 'declared' | 'decided';
  decision: QuarantineDecision | null;
  reasons: string[];
  suggestion: { decision: QuarantineDecision; reasons: string[] } | null;
  decidedBy: string | null;
  decidedAt: number | null;
  taskId: string | null;
  ballast?: BallastReport[];
  createdAt: number;
  updatedAt: number;
}

export type TicketStatus = 'waiting' | 'called' | 'served' | 'no_show' | 'cancelled';

export interface Ticket {
  id: string;
  number: string;
  kind: 'truck' | 'visitor';
  enterpriseId: string | null;
  plate: string | null;
  name: string | null;
  status: TicketStatus;
  window: number | null;
  calledAt: number | null;
  calledBy: string | null;
  servedAt: number | null;
  createdAt: number;
  command: { id: string; gw?: string; status: CommandState; detail: string | null } | null;
}

export interface QueueWindow {
  window: number;
  gw: string;
  terminal: string;
  led: string | null;
  label: string | null;
}

export interface Camera {
  id: string;
  gw: string | null;
  device: string | null;
  name: string;
  hlsUrl: string | null;
}

export interface PatrolLog {
  entries: Array<{ id: string; camera: string; userId: string; userName: string; startedAt: number; endedAt: number | null; durationMs: number | null }>;
  usage: { cameras: number; watched: number; rate: number | null; minutes: number };
}

export interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  enterpriseId: string | null;
  userId: string | null;
  createdAt: number;
  readAt: number | null;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  actorId: string | null;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  enterpriseId: string | null;
  ip: string | null;
  detail: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
}

export type AuditVerify = { ok: true; count: number; head: { seq: number; hash: string } | null } | { ok: false; count: number; brokenAt: number; reason: string };

export interface OpsFigures {
  from: number;
  to: number;
  users: { customs: number; enterprise: number; pending: number };
  dataSources: { gateways: number; gatewaysOnline: number; devices: number; cameras: number; queueWindows: number; total: number };
  patrol: { cameras: number; watched: number; rate: number | null; minutes: number };
  localInspection: { enterprises: number; using: number; share: number | null; appointments: number };
  quarantine: { declarations: number; decided: number; usageRate: number | null; boarding: number; remote: number; freePratique: number; ballastFlags: number };
  priority: { total: number; onTime: number; late: number; overdueOpen: number; rate: number | null; target: number };
  clearance: { tasks: number; meanMinutes: number | null; p50Minutes: number | null; p90Minutes: number | null };
  onlineUsers: number;
  sseClients: number;
}
