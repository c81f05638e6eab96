/**
 * Authorization: five roles, a permission table, and the permission each route of the older admin
 * routers (gateways, history, dead letters) needs. Checked on the server for every route
 * (cloud/auth/http.ts); a test walks the router and fails on any route without a declared permission.
 */

export const ROLES = ['sysadmin', 'command', 'inspector', 'enterprise', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'auth.self',
  'users.read',
  'users.manage',
  'orgs.read',
  'orgs.manage',
  'gateways.manage',
  'devices.read',
  'alarms.read',
  'alarms.ack',
  'tasks.read',
  'tasks.create',
  'tasks.assign',
  'tasks.rules',
  'tasks.work',
  'appointments.read',
  'appointments.book',
  'appointments.decide',
  'quarantine.read',
  'quarantine.declare',
  'quarantine.decide',
  'quarantine.ballast',
  'queue.read',
  'queue.ticket',
  'queue.call',
  'queue.manage',
  'patrol.view',
  'patrol.read',
  'patrol.manage',
  'notices.send',
  'ops.read',
  'audit.read',
  'audit.verify',
  'trade.read',
  'trade.load',
  'trade.manage',
  'platform.read',
  'platform.manage',
  /** Decide access requests to catalogue resources; only for the data set's owner (checked per request). */
  'platform.decide',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a route may declare: a permission, or `public` (no login: health, login, enrolment). */
export type RouteAccess = Permission | 'public';

/**
 * The table. Separation of duties (三员分立): the system administrator manages accounts and devices
 * but cannot read the audit log; the auditor reads it but changes nothing.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  sysadmin: ['auth.self', 'users.read', 'users.manage', 'orgs.read', 'orgs.manage', 'gateways.manage', 'devices.read', 'alarms.read', 'queue.manage', 'patrol.manage', 'ops.read', 'audit.verify', 'trade.load', 'platform.read', 'platform.manage'],
  command: [
    'auth.self', 'orgs.read', 'devices.read', 'alarms.read', 'alarms.ack',
    'tasks.read', 'tasks.create', 'tasks.assign', 'tasks.rules',
    'appointments.read', 'appointments.decide',
    'quarantine.read', 'quarantine.declare', 'quarantine.decide',
    'queue.read', 'queue.ticket', 'queue.call', 'queue.manage',
    'patrol.view', 'patrol.read', 'notices.send', 'ops.read',
    'trade.read', 'trade.manage', 'platform.read', 'platform.decide',
  ],
  inspector: [
    'auth.self', 'orgs.read', 'devices.read', 'alarms.read', 'alarms.ack',
    'tasks.read', 'tasks.work', 'appointments.read',
    'quarantine.read', 'quarantine.decide', 'quarantine.ballast',
    'queue.read', 'queue.call', 'patrol.view',
  ],
  enterprise: ['auth.self', 'orgs.read', 'tasks.read', 'appointments.read', 'appointments.book', 'quarantine.read', 'quarantine.declare', 'quarantine.ballast', 'queue.read', 'queue.ticket'],
  auditor: ['auth.self', 'orgs.read', 'tasks.read', 'appointments.read', 'quarantine.read', 'patrol.read', 'ops.read', 'audit.read', 'audit.verify', 'trade.read', 'platform.read'],
};

/** Roles of customs staff (may be combined); `enterprise` stands alone and needs an enterprise. */
export const CUSTOMS_ROLES: readonly Role[] = ['sysadmin', 'command', 'inspector', 'auditor'];

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

export function isPermission(s: unknown): s is Permission {
  return typeof s === 'string' && (PERMISSIONS as readonly string[]).includes(s);
}

/** The union of the roles' permissions, sorted. */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return PERMISSIONS.filter((p) => out.has(p));
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}

/** Why a role set cannot be given to a user, or null. */
export function roleSetProblem(roles: readonly string[], org: { kind: string } | null): string | null {
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length) return `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${ROLES.join(', ')})`;
  if (roles.includes('enterprise')) {
    if (roles.length > 1) return 'the enterprise role cannot be combined with customs roles';
    if (!org || org.kind !== 'enterprise') return 'an enterprise user must belong to an enterprise organisation';
  } else if (org && org.kind === 'enterprise') {
    return 'a member of an enterprise can only have the enterprise role';
  }
  return null;
}

/**
 * Permissions of the routes in cloud/api/gateways.ts, history.ts and dead-letters.ts, which guard
 * themselves with `requireAdmin` (cloud/api/auth.ts). `METHOD /full/path` with `:param` segments.
 * A route added there without a line here is refused for every session (fail closed) and fails the
 * route-walk test; the admin token still passes (machine clients).
 */
export const LEGACY_ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'POST /api/gateways': 'gateways.manage',
  'GET /api/gateways': 'devices.read',
  'GET /api/gateways/:gw': 'devices.read',
  'POST /api/gateways/:gw/enrolment-token': 'gateways.manage',
  'POST /api/gateways/:gw/revoke': 'gateways.manage',
  'POST /api/gateways/:gw/commands': 'gateways.manage',
  'GET /api/gateways/:gw/commands': 'devices.read',
  'GET /api/gateways/:gw/devices/:device/history': 'devices.read',
  'GET /api/gateways/:gw/latest': 'devices.read',
  'GET /api/dead-letters': 'gateways.manage',
};

interface CompiledLegacy {
  method: string;
  re: RegExp;
  permission: Permission;
}
const compiled: CompiledLegacy[] = Object.entries(LEGACY_ROUTE_PERMISSIONS).map(([key, permission]) => {
  const [method, path] = key.split(' ') as [string, string];
  const re = new RegExp(`^${path.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
  return { method, re, permission };
});

/** The permission a legacy admin route needs, by method and full path; undefined when unlisted. */
export function legacyPermission(method: string, fullPath: string): Permission | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((c) => c.method === m && c.re.test(fullPath))?.permission;
}
