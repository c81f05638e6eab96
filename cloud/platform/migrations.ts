/**
 * The data platform's own tables (prefix `pf_`) in the cloud SQL store, migrated by their own Kysely
 * Migrator with its own ledger (`qs_platform_migrations`), so they never collide with
 * cloud/store/migrations.ts. Landed data sets are separate tables `ds_<name>` created from their
 * definitions (datasets.ts). Times are integer milliseconds, JSON is text, as in the rest of the store.
 */
import { Migrator, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { SqlDialect } from '../store/types.js';

type Db = Kysely<unknown>;

function autoId(dialect: SqlDialect): [string, 'integer' | 'bigserial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'postgres' ? ['id', 'bigserial', (c) => c.primaryKey()] : ['id', 'integer', (c) => c.primaryKey().autoIncrement()];
}

function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    'platform_0001_connectors_runs': {
      async up(db: Db) {
        for (const t of ['pf_connectors', 'pf_pipelines', 'pf_datasets']) {
          await db.schema
            .createTable(t)
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('version', 'integer', (c) => c.notNull())
            .addColumn('definition', 'text', (c) => c.notNull())
            .addColumn('created_at', 'bigint', (c) => c.notNull())
            .addColumn('created_by', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint(`${t}_pk`, ['id', 'version'])
            .execute();
        }

        await db.schema
          .createTable('pf_runs')
          .addColumn(...autoId(dialect))
          .addColumn('connector_id', 'text', (c) => c.notNull())
          .addColumn('connector_version', 'integer', (c) => c.notNull())
          .addColumn('pipeline_id', 'text')
          .addColumn('pipeline_version', 'integer')
          .addColumn('dataset', 'text', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          /** running | succeeded | failed */
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('finished_at', 'bigint')
          .addColumn('duration_ms', 'bigint')
          .addColumn('rows_in', 'integer', (c) => c.notNull())
          .addColumn('rows_out', 'integer', (c) => c.notNull())
          .addColumn('rows_rejected', 'integer', (c) => c.notNull())
          .addColumn('rows_inserted', 'integer', (c) => c.notNull())
          .addColumn('rows_updated', 'integer', (c) => c.notNull())
          .addColumn('rows_unchanged', 'integer', (c) => c.notNull())
          .addColumn('cursor_before', 'text')
          .addColumn('cursor_after', 'text')
          .addColumn('error', 'text')
          .execute();
        await db.schema.createIndex('pf_runs_connector').on('pf_runs').columns(['connector_id', 'started_at']).execute();

        await db.schema
          .createTable('pf_cursors')
          .addColumn('connector_id', 'text', (c) => c.primaryKey())
          .addColumn('cursor', 'text')
          .addColumn('run_id', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('pf_rejects')
          .addColumn(...autoId(dialect))
          .addColumn('connector_id', 'text', (c) => c.notNull())
          .addColumn('dataset', 'text', (c) => c.notNull())
          /** SM3/SHA-256 of (reason, field, raw row): the same bad row rejected again is one row here. */
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('ref', 'text', (c) => c.notNull())
          .addColumn('step', 'integer', (c) => c.notNull())
          .addColumn('op', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('field', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('raw', 'text', (c) => c.notNull())
          .addColumn('first_run_id', 'bigint', (c) => c.notNull())
          .addColumn('last_run_id', 'bigint', (c) => c.notNull())
          .addColumn('times', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('pf_rejects_fingerprint', ['connector_id', 'fingerprint'])
          .execute();
        await db.schema.createIndex('pf_rejects_dataset').on('pf_rejects').columns(['dataset', 'reason']).execute();

        await db.schema
          .createTable('pf_lineage')
          /** node ids: "connector:<id>", "pipeline:<id>", "dataset:<name>" */
          .addColumn('from_node', 'text', (c) => c.notNull())
          .addColumn('to_node', 'text', (c) => c.notNull())
          .addColumn('run_id', 'bigint', (c) => c.notNull())
          .addColumn('first_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pf_lineage_pk', ['from_node', 'to_node'])
          .execute();
      },
      async down(db: Db) {
        for (const t of ['pf_lineage', 'pf_rejects', 'pf_cursors', 'pf_runs', 'pf_datasets', 'pf_pipelines', 'pf_connectors']) await db.schema.dropTable(t).ifExists().execute();
      },
    },
    'platform_0002_quality': {
      async up(db: Db) {
        await db.schema
          .createTable('pf_quality_runs')
          .addColumn(...autoId(dialect))
          .addColumn('dataset', 'text', (c) => c.notNull())
          .addColumn('dataset_version', 'integer', (c) => c.notNull())
          /** load | schedule | manual */
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('load_run_id', 'bigint')
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .addColumn('rows', 'integer', (c) => c.notNull())
          /** 0–100, or null when the data set has no rules */
          .addColumn('score', 'double precision')
          /** JSON: indicator → score (0–100) for indicators with rules */
          .addColumn('indicators', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('pf_quality_runs_dataset').on('pf_quality_runs').columns(['dataset', 'started_at']).execute();

        await db.schema
          .createTable('pf_quality_results')
          .addColumn('run_id', 'bigint', (c) => c.notNull())
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('indicator', 'text', (c) => c.notNull())
          .addColumn('check_kind', 'text', (c) => c.notNull())
          .addColumn('weight', 'double precision', (c) => c.notNull())
          .addColumn('checked', 'integer', (c) => c.notNull())
          .addColumn('passed', 'integer', (c) => c.notNull())
          .addColumn('failed', 'integer', (c) => c.notNull())
          /** JSON: a few failing rows' keys and values */
          .addColumn('sample', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pf_quality_results_pk', ['run_id', 'rule_id'])
          .execute();

        await db.schema
          .createTable('pf_quality_issues')
          .addColumn(...autoId(dialect))
          .addColumn('dataset', 'text', (c) => c.notNull())
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('indicator', 'text', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull())
          /** open | acknowledged | resolved | ignored */
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('failed', 'integer', (c) => c.notNull())
          .addColumn('checked', 'integer', (c) => c.notNull())
          .addColumn('sample', 'text', (c) => c.notNull())
          .addColumn('first_run_id', 'bigint', (c) => c.notNull())
          .addColumn('last_run_id', 'bigint', (c) => c.notNull())
          .addColumn('opened_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('resolved_at', 'bigint')
          .addColumn('note', 'text', (c) => c.notNull())
          .addUniqueConstraint('pf_quality_issues_rule', ['dataset', 'rule_id'])
          .execute();
      },
      async down(db: Db) {
        for (const t of ['pf_quality_issues', 'pf_quality_results', 'pf_quality_runs']) await db.schema.dropTable(t).ifExists().execute();
      },
    },
    'platform_0003_metadata_catalogue': {
      async up(db: Db) {
        await db.schema
          .createTable('pf_meta_annotations')
          /** asset ids: "dataset:<name>", "field:<dataset>.<field>", "table:<name>", "column:<table>.<column>", "connector:<id>", "pipeline:<id>" */
          .addColumn('asset', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text')
          .addColumn('owner', 'text')
          /** JSON array of strings, or null when not edited */
          .addColumn('tags', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('pf_catalogue')
          /** 信息资源代码: classification code + "/" + sequence */
          .addColumn('code', 'text', (c) => c.primaryKey())
          .addColumn('class_code', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('dataset', 'text')
          /** draft | published | withdrawn */
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          /** JSON: the whole entry (catalogue.ts) */
          .addColumn('entry', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addColumn('published_at', 'bigint')
          .addUniqueConstraint('pf_catalogue_class_seq', ['class_code', 'seq'])
          .execute();

        await db.schema
          .createTable('pf_access_requests')
          .addColumn(...autoId(dialect))
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('requester', 'text', (c) => c.notNull())
          .addColumn('organisation', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          /** who decides: the linked data set's owner, else the provider */
          .addColumn('owner', 'text', (c) => c.notNull())
          /** pending | approved | rejected | withdrawn */
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('decided_by', 'text')
          .addColumn('decided_at', 'bigint')
          .addColumn('note', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('pf_access_requests_code').on('pf_access_requests').columns(['code', 'status']).execute();

        await db.schema
          .createTable('pf_catalogue_log')
          .addColumn(...autoId(dialect))
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('request_id', 'bigint')
          /** created | updated | published | withdrawn | requested | approved | rejected */
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('pf_catalogue_log_code').on('pf_catalogue_log').columns(['code', 'at']).execute();
      },
      async down(db: Db) {
        for (const t of ['pf_catalogue_log', 'pf_access_requests', 'pf_catalogue', 'pf_meta_annotations']) await db.schema.dropTable(t).ifExists().execute();
      },
    },
    'platform_0004_exchange': {
      async up(db: Db) {
        // Exchange partners and outbound exchanges (数据交换实施): latest definition per (kind, id).
        await db.schema
          .createTable('pf_exchange_defs')
          /** partner | outbound */
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pf_exchange_defs_pk', ['kind', 'id'])
          .execute();

        await db.schema
          .createTable('pf_exchange_log')
          .addColumn(...autoId(dialect))
          /** outbound | inbound */
          .addColumn('direction', 'text', (c) => c.notNull())
          .addColumn('partner', 'text', (c) => c.notNull())
          .addColumn('exchange_id', 'text')
          .addColumn('package_id', 'text')
          .addColumn('rows', 'integer')
          .addColumn('bytes', 'integer')
          /** SM3 of the package's plaintext data, hex */
          .addColumn('data_sm3', 'text')
          .addColumn('encrypted', 'integer', (c) => c.notNull())
          /** delivered | failed (outbound); accepted | refused (inbound) */
          .addColumn('result', 'text', (c) => c.notNull())
          /** why a package was refused or a delivery failed (exchange.ts REFUSAL_REASONS, delivery_failed, …) */
          .addColumn('reason', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          /** sftp | http | inbox */
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('pf_exchange_log_at').on('pf_exchange_log').columns(['at']).execute();
        await db.schema.createIndex('pf_exchange_log_partner').on('pf_exchange_log').columns(['partner', 'at']).execute();

        // Package ids accepted per sender: a second package with the same id is a replay.
        await db.schema
          .createTable('pf_exchange_received')
          .addColumn('partner', 'text', (c) => c.notNull())
          .addColumn('package_id', 'text', (c) => c.notNull())
          .addColumn('data_sm3', 'text', (c) => c.notNull())
          .addColumn('accepted_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pf_exchange_received_pk', ['partner', 'package_id'])
          .execute();
      },
      async down(db: Db) {
        for (const t of ['pf_exchange_received', 'pf_exchange_log', 'pf_exchange_defs']) await db.schema.dropTable(t).ifExists().execute();
      },
    },
  };
}

export function platformMigrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect)) };
}

export async function migratePlatform(db: Kysely<any>, dialect: SqlDialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: platformMigrationProvider(dialect), migrationTableName: 'qs_platform_migrations', migrationLockTableName: 'qs_platform_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
