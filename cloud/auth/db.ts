/**
 * Table shapes of the console's 4A tables (migration 0002_auth_4a in cloud/store/migrations.ts), as
 * Kysely sees them. Like the rest of the store: times are integer ms, JSON is text, flags are integers.
 */
import type { Generated, Kysely, Transaction } from 'kysely';
import type { CloudStore } from '../store/cloud-store.js';
import type { CloudDatabase } from '../store/types.js';
import type { SupervisionTables } from '../supervision/db.js';

export interface OrgsTable {
  id: string;
  /** customs | enterprise */
  kind: string;
  name: string;
  uscc: string | null;
  created_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /** Lower case; used to map an OIDC login by e-mail when configured. */
  email: string | null;
  /** SM4-sealed (shared/crypto/sm4.ts), associated data `users/<id>/phone`. */
  phone_sealed: string | null;
  org_id: string | null;
  /** active | pending | disabled */
  status: string;
  /** `scrypt$N$r$p$salt$hash` (base64); null for an account that only logs in through OIDC. */
  password_hash: string | null;
  password_changed_at: number | null;
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface UserIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  email: string | null;
  linked_at: number;
}

export interface SessionsTable {
  /** HMAC-SM3 of the cookie value under the session secret: the database never holds a usable session id. */
  id_hash: string;
  user_id: string;
  csrf: string;
  /** password | oidc */
  via: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry. */
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  revoked_at: number | null;
}

export interface OidcPendingTable {
  state: string;
  verifier: string;
  nonce: string;
  return_to: string;
  link_user_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  seq: number;
  ts: number;
  actor_id: string | null;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  enterprise_id: string | null;
  ip: string | null;
  /** Canonical JSON text of the detail object. */
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface NoticesTable {
  id: Generated<number>;
  enterprise_id: string | null;
  user_id: string | null;
  kind: string;
  title: string;
  body: string;
  created_at: number;
  read_at: number | null;
}

export type AuthTables = {
  orgs: OrgsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  user_identities: UserIdentitiesTable;
  sessions: SessionsTable;
  oidc_pending: OidcPendingTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  notices: NoticesTable;
};

/** Every table of the cloud store: ingest's, 4A's and supervision's. */
export type ConsoleDatabase = CloudDatabase & AuthTables & SupervisionTables;
export type ConsoleDb = Kysely<ConsoleDatabase>;
export type ConsoleTrx = Transaction<ConsoleDatabase>;

/** The store's Kysely instance, typed with the console tables too (same connection, same transactions). */
export function consoleDb(store: CloudStore): ConsoleDb {
  return store.db.withTables<AuthTables & SupervisionTables>();
}
