/**
 * ONE migration set for both dialects, given to Kysely's Migrator in code (no files to ship). The only
 * dialect difference is how an auto-numbered id column is spelt.
 */
import { type Kysely, type Migration, type MigrationProvider, type ColumnDefinitionBuilder } from 'kysely';
import type { SqlDialect } from './types.js';

type Db = Kysely<unknown>;

function autoId(dialect: SqlDialect): [string, 'integer' | 'bigserial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'postgres' ? ['id', 'bigserial', (c) => c.primaryKey()] : ['id', 'integer', (c) => c.primaryKey().autoIncrement()];
}

function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Db) {
        await db.schema
          .createTable('gateways')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('enrol_token_hash', 'text')
          .addColumn('enrol_expires_at', 'bigint')
          .addColumn('enrolled_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .execute();

        await db.schema
          .createTable('gateway_credentials')
          .addColumn(...autoId(dialect))
          .addColumn('gateway_id', 'text', (c) => c.notNull().references('gateways.id'))
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema.createIndex('gateway_credentials_username').on('gateway_credentials').column('username').execute();

        await db.schema
          .createTable('ingested_batches')
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('batch_id', 'text', (c) => c.notNull())
          .addColumn('items', 'integer', (c) => c.notNull())
          .addColumn('sent_at', 'bigint', (c) => c.notNull())
          .addColumn('ingested_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('ingested_batches_pk', ['gw', 'seq'])
          .execute();

        await db.schema
          .createTable('events')
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('device', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('confidence', 'real')
          .addColumn('data', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('events_pk', ['gw', 'id'])
          .execute();
        await db.schema.createIndex('events_gw_ts').on('events').columns(['gw', 'ts']).execute();

        await db.schema
          .createTable('surveys')
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('vessel', 'text', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('surveys_pk', ['gw', 'id'])
          .execute();

        await db.schema
          .createTable('records')
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('records_pk', ['gw', 'id'])
          .execute();

        await db.schema
          .createTable('dead_letters')
          .addColumn(...autoId(dialect))
          .addColumn('gw', 'text')
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('bytes', 'integer', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('dead_letters_gw').on('dead_letters').columns(['gw', 'received_at']).execute();

        await db.schema
          .createTable('gateway_status')
          .addColumn('gw', 'text', (c) => c.primaryKey())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('version', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('commands')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('op', 'text', (c) => c.notNull())
          .addColumn('args', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('commands_gw').on('commands').columns(['gw', 'created_at']).execute();

        await db.schema
          .createTable('command_results')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .execute();
      },
      async down(db: Db) {
        for (const t of ['command_results', 'commands', 'gateway_status', 'dead_letters', 'records', 'surveys', 'events', 'ingested_batches', 'gateway_credentials', 'gateways']) {
          await db.schema.dropTable(t).ifExists().execute();
        }
      },
    },
    // Console 4A: organisations, users and roles, OIDC identities, sessions, pending OIDC logins, the
    // SM3-chained audit log (with its head row, which also serialises appends), notices.
    '0002_auth_4a': {
      async up(db: Db) {
        await db.schema
          .createTable('orgs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('uscc', 'text', (c) => c.unique())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('phone_sealed', 'text')
          .addColumn('org_id', 'text', (c) => c.references('orgs.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('password_changed_at', 'bigint')
          .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'bigint')
          .addColumn('last_login_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('users_email').on('users').column('email').execute();
        await db.schema.createIndex('users_org').on('users').column('org_id').execute();

        await db.schema
          .createTable('user_roles')
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
          .execute();

        await db.schema
          .createTable('user_identities')
          .addColumn('issuer', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('email', 'text')
          .addColumn('linked_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('user_identities_pk', ['issuer', 'subject'])
          .execute();
        await db.schema.createIndex('user_identities_user').on('user_identities').column('user_id').execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('csrf', 'text', (c) => c.notNull())
          .addColumn('via', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema.createIndex('sessions_last_seen').on('sessions').column('last_seen_at').execute();

        await db.schema
          .createTable('oidc_pending')
          .addColumn('state', 'text', (c) => c.primaryKey())
          .addColumn('verifier', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('return_to', 'text', (c) => c.notNull())
          .addColumn('link_user_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('actor_id', 'text')
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target_type', 'text')
          .addColumn('target_id', 'text')
          .addColumn('enterprise_id', 'text')
          .addColumn('ip', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_ts').on('audit_log').column('ts').execute();
        await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();

        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('audit_head' as never).values({ id: 1, seq: 0, hash: '0'.repeat(64) } as never).execute();

        await db.schema
          .createTable('notices')
          .addColumn(...autoId(dialect))
          .addColumn('enterprise_id', 'text')
          .addColumn('user_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('read_at', 'bigint')
          .execute();
        await db.schema.createIndex('notices_enterprise').on('notices').columns(['enterprise_id', 'created_at']).execute();
        await db.schema.createIndex('notices_user').on('notices').columns(['user_id', 'created_at']).execute();
      },
      async down(db: Db) {
        for (const t of ['notices', 'audit_head', 'audit_log', 'oidc_pending', 'sessions', 'user_identities', 'user_roles', 'users', 'orgs']) {
          await db.schema.dropTable(t).ifExists().execute();
        }
      },
    },
    // Console supervision: alarm acknowledgements, inspection tasks with evidence and rules, local
    // inspection appointments, ship health quarantine with ballast reports, queue tickets and windows,
    // cameras and the video patrol log.
    '0003_supervision': {
      async up(db: Db) {
        await db.schema
          .createTable('alarm_acks')
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('acked_by', 'text', (c) => c.notNull())
          .addColumn('acked_at', 'bigint', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('alarm_acks_pk', ['gw', 'event_id'])
          .execute();
        await db.schema.createIndex('events_kind_ts').on('events').columns(['kind', 'ts']).execute();

        await db.schema
          .createTable('task_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('match', 'text', (c) => c.notNull())
          .addColumn('task', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('tasks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('source_ref', 'text', (c) => c.unique())
          .addColumn('rule_id', 'text')
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('deadline_at', 'bigint')
          .addColumn('enterprise_id', 'text')
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('checklist', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('assignee_id', 'text')
          .addColumn('result', 'text')
          .addColumn('result_note', 'text')
          .addColumn('appointment_id', 'text')
          .addColumn('quarantine_id', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('assigned_at', 'bigint')
          .addColumn('started_at', 'bigint')
          .addColumn('completed_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('tasks_status').on('tasks').columns(['status', 'created_at']).execute();
        await db.schema.createIndex('tasks_assignee').on('tasks').columns(['assignee_id', 'status']).execute();
        await db.schema.createIndex('tasks_enterprise').on('tasks').columns(['enterprise_id', 'created_at']).execute();

        await db.schema
          .createTable('task_evidence')
          .addColumn(...autoId(dialect))
          .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('sm3', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('task_evidence_task').on('task_evidence').column('task_id').execute();

        await db.schema
          .createTable('appointments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('enterprise_id', 'text', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('goods', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('slot_start', 'bigint', (c) => c.notNull())
          .addColumn('slot_end', 'bigint', (c) => c.notNull())
          .addColumn('contact_phone_sealed', 'text')
          .addColumn('note', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('decision_note', 'text')
          .addColumn('decided_by', 'text')
          .addColumn('decided_at', 'bigint')
          .addColumn('task_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('appointments_enterprise').on('appointments').columns(['enterprise_id', 'created_at']).execute();

        await db.schema
          .createTable('quarantine_declarations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('enterprise_id', 'text')
          .addColumn('vessel_name', 'text', (c) => c.notNull())
          .addColumn('imo', 'text', (c) => c.notNull())
          .addColumn('voyage', 'text')
          .addColumn('eta', 'bigint', (c) => c.notNull())
          .addColumn('last_ports', 'text', (c) => c.notNull())
          .addColumn('crew_count', 'integer', (c) => c.notNull())
          .addColumn('ill_crew', 'integer', (c) => c.notNull())
          .addColumn('ill_details', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('decision', 'text')
          .addColumn('reasons', 'text')
          .addColumn('decided_by', 'text')
          .addColumn('decided_at', 'bigint')
          .addColumn('task_id', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('quarantine_enterprise').on('quarantine_declarations').columns(['enterprise_id', 'created_at']).execute();

        await db.schema
          .createTable('ballast_reports')
          .addColumn(...autoId(dialect))
          .addColumn('declaration_id', 'text', (c) => c.notNull().references('quarantine_declarations.id'))
          .addColumn('tank', 'text', (c) => c.notNull())
          .addColumn('exchange_claimed', 'integer', (c) => c.notNull())
          .addColumn('exchange_method', 'text')
          .addColumn('exchange_position', 'text')
          .addColumn('density_kg_m3', 'real', (c) => c.notNull())
          .addColumn('temperature_c', 'real', (c) => c.notNull())
          .addColumn('salinity_psu', 'real', (c) => c.notNull())
          .addColumn('flag', 'integer', (c) => c.notNull())
          .addColumn('note', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('source_ref', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('ballast_declaration').on('ballast_reports').column('declaration_id').execute();

        await db.schema
          .createTable('queue_windows')
          .addColumn('window', 'integer', (c) => c.primaryKey())
          .addColumn('gw', 'text', (c) => c.notNull())
          .addColumn('terminal', 'text', (c) => c.notNull())
          .addColumn('led', 'text')
          .addColumn('label', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('queue_tickets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('number', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('enterprise_id', 'text')
          .addColumn('plate', 'text')
          .addColumn('name', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('window', 'integer')
          .addColumn('command_id', 'text')
          .addColumn('command_gw', 'text')
          .addColumn('called_by', 'text')
          .addColumn('called_at', 'bigint')
          .addColumn('served_at', 'bigint')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('queue_tickets_number', ['day', 'number'])
          .execute();
        await db.schema.createIndex('queue_tickets_status').on('queue_tickets').columns(['status', 'created_at']).execute();

        await db.schema
          .createTable('cameras')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('gw', 'text')
          .addColumn('device', 'text')
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('hls_url', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('patrol_log')
          .addColumn(...autoId(dialect))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('camera', 'text', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint')
          .execute();
        await db.schema.createIndex('patrol_log_started').on('patrol_log').column('started_at').execute();
      },
      async down(db: Db) {
        for (const t of ['patrol_log', 'cameras', 'queue_tickets', 'queue_windows', 'ballast_reports', 'quarantine_declarations', 'appointments', 'task_evidence', 'tasks', 'task_rules', 'alarm_acks']) {
          await db.schema.dropTable(t).ifExists().execute();
        }
        await db.schema.dropIndex('events_kind_ts').ifExists().execute();
      },
    },
  };
}

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect)) };
}
