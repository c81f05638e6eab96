/**
 * Table shapes of the cloud SQL store, as Kysely sees them. The same columns exist on SQLite and
 * PostgreSQL: times are integer milliseconds (bigint), JSON is text, flags are integers, so both
 * dialects return the same JavaScript values (PostgreSQL int8 is parsed to number, see open.ts).
 */
import type { Generated } from 'kysely';

export interface GatewaysTable {
  id: string;
  name: string;
  created_at: number;
  /** SHA-256 (hex) of the current one-time enrolment token; null once used. */
  enrol_token_hash: string | null;
  enrol_expires_at: number | null;
  enrolled_at: number | null;
  revoked_at: number | null;
}

export interface GatewayCredentialsTable {
  id: Generated<number>;
  gateway_id: string;
  username: string;
  /** `scrypt$N$r$p$salt$hash` (base64). */
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface IngestedBatchesTable {
  gw: string;
  seq: number;
  kind: string;
  batch_id: string;
  items: number;
  sent_at: number;
  ingested_at: number;
}

export interface EventsTable {
  gw: string;
  id: string;
  seq: number;
  ts: number;
  device: string | null;
  kind: string;
  /** JSON text of the value. */
  value: string;
  confidence: number | null;
  /** JSON text of the whole item. */
  data: string;
}

export interface SurveysTable {
  gw: string;
  id: string;
  seq: number;
  ts: number;
  vessel: string;
  stage: string;
  status: string;
  data: string;
}

export interface RecordsTable {
  gw: string;
  id: string;
  seq: number;
  ts: number;
  type: string;
  data: string;
}

export interface DeadLettersTable {
  id: Generated<number>;
  gw: string | null;
  topic: string;
  code: string;
  reason: string;
  /** The payload's first bytes as text (UTF-8, lossy), for a person to read. */
  payload: string;
  bytes: number;
  received_at: number;
}

export interface GatewayStatusTable {
  gw: string;
  state: string;
  ts: number;
  version: string | null;
  updated_at: number;
}

export interface CommandsTable {
  id: string;
  gw: string;
  target: string;
  op: string;
  args: string;
  expires_at: number;
  created_at: number;
  /** pending | done | rejected | expired */
  status: string;
}

export interface CommandResultsTable {
  id: string;
  gw: string;
  status: string;
  detail: string;
  received_at: number;
}

export interface CloudDatabase {
  gateways: GatewaysTable;
  gateway_credentials: GatewayCredentialsTable;
  ingested_batches: IngestedBatchesTable;
  events: EventsTable;
  surveys: SurveysTable;
  records: RecordsTable;
  dead_letters: DeadLettersTable;
  gateway_status: GatewayStatusTable;
  commands: CommandsTable;
  command_results: CommandResultsTable;
}

export type SqlDialect = 'sqlite' | 'postgres';
