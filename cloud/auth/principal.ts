/** Who is calling: a person with a session, or a machine client with the admin token. */
import { QuaysideError } from '../../shared/errors.js';
import { ROLE_PERMISSIONS, permissionsOf, type Permission, type Role } from './permissions.js';

export interface Principal {
  kind: 'user' | 'token';
  /** null for the admin token. */
  userId: string | null;
  username: string;
  displayName: string;
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
  orgId: string | null;
  /** Set for enterprise users: every query they cause is filtered to this enterprise. */
  enterpriseId: string | null;
  ip: string | null;
}

export function userPrincipal(u: { id: string; username: string; displayName: string; roles: readonly Role[]; orgId: string | null }, ip: string | null): Principal {
  return {
    kind: 'user',
    userId: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    permissions: new Set(permissionsOf(u.roles)),
    orgId: u.orgId,
    enterpriseId: u.roles.includes('enterprise') ? u.orgId : null,
    ip,
  };
}

/** The admin token acts as a system administrator (machine clients: gateway admin tools, scripts). */
export function tokenPrincipal(ip: string | null): Principal {
  return { kind: 'token', userId: null, username: 'admin-token', displayName: 'admin token', roles: ['sysadmin'], permissions: new Set(ROLE_PERMISSIONS.sysadmin), orgId: null, enterpriseId: null, ip };
}

/** A principal for work the service does on its own (rules, pollers). */
export const SYSTEM: Principal = { kind: 'token', userId: null, username: 'system', displayName: 'system', roles: [], permissions: new Set(), orgId: null, enterpriseId: null, ip: null };

export function isEnterprise(p: Principal): boolean {
  return p.enterpriseId !== null;
}

/** Audit actor fields of a principal. */
export function actorOf(p: Principal): { actorId: string | null; actor: string; ip: string | null } {
  return { actorId: p.userId, actor: p.username, ip: p.ip };
}

export function assertPermission(p: Principal, permission: Permission): void {
  if (!p.permissions.has(permission)) throw new QuaysideError('CLOUD_AUTH_FORBIDDEN', `needs ${permission}`);
}
