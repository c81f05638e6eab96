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
  };
}

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect)) };
}
