/**
 * Opens the cloud SQL store on one of its two dialects and brings its schema up to date:
 * SQLite through better-sqlite3 (the zero-set-up default, a file under dataDir) or PostgreSQL through a
 * pg Pool (production, several replicas).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config/schema.js';
import { CloudStore } from './cloud-store.js';
import { migrationProvider } from './migrations.js';
import type { CloudDatabase, SqlDialect } from './types.js';

/** int8 (bigint, count(*)) and numeric come back from pg as strings; our values fit in a double. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return format ? pg.types.getTypeParser(oid, format) : pg.types.getTypeParser(oid);
  }) as typeof pg.types.getTypeParser,
};

export async function openStore(config: StoreConfig, dataDir: string): Promise<CloudStore> {
  let db: Kysely<CloudDatabase>;
  let dialect: SqlDialect;
  let where: string;
  if (config.driver === 'sqlite') {
    const file = path.resolve(dataDir, config.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a committed batch survives power loss, which the commit ack promises.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<CloudDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
    where = file;
  } else {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize, types: pgTypes });
    db = new Kysely<CloudDatabase>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
    where = config.url.replace(/\/\/[^@/]*@/, '//***@');
  }
  try {
    await migrate(db, dialect);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return new CloudStore(db, dialect, where);
}

export async function migrate(db: Kysely<CloudDatabase>, dialect: SqlDialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableName: 'qs_migrations', migrationLockTableName: 'qs_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
