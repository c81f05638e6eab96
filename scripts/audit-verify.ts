/**
 * Verifies the console's SM3-chained audit log (cloud/auth/audit.ts) straight from the store, without
 * starting the cloud and without writing anything (SQLite is opened read-only).
 *
 *   npm run audit:verify -- --db data/cloud/cloud.db
 *   npm run audit:verify -- --pg postgres://user@host:5432/quayside
 *   npm run audit:verify -- --config /etc/quayside/cloud.json      (the store the cloud uses)
 *
 * Prints one JSON object — {ok:true,count,head} or {ok:false,count,brokenAt,reason} — and exits 0 when
 * the chain is intact, 1 when it is broken, 2 when the store cannot be read.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { verifyAuditChain } from '../cloud/auth/audit.js';
import type { ConsoleDatabase } from '../cloud/auth/db.js';
import { loadCloudConfig } from '../cloud/config/load.js';

function usage(msg: string): never {
  console.error(`${msg}\nusage: npm run audit:verify -- (--db FILE.db | --pg postgres://… | --config cloud.json)`);
  process.exit(2);
}

function open(args: string[]): Kysely<ConsoleDatabase> {
  const val = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? (args[i + 1] ?? usage(`${flag} needs a value`)) : undefined;
  };
  let file = val('--db');
  let url = val('--pg');
  const config = val('--config') ?? (!file && !url ? process.env['QS_CLOUD_CONFIG'] : undefined);
  if (config) {
    const c = loadCloudConfig(config);
    if (c.store.driver === 'sqlite') file = path.resolve(c.dataDir, c.store.file);
    else url = c.store.url;
  }
  if (file) {
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    return new Kysely<ConsoleDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    return new Kysely<ConsoleDatabase>({ dialect: new PostgresDialect({ pool }) });
  }
  return usage('no store given');
}

async function main(): Promise<void> {
  let db: Kysely<ConsoleDatabase>;
  try {
    db = open(process.argv.slice(2));
  } catch (e) {
    console.error(`cannot open the store: ${(e as Error).message}`);
    process.exit(2);
  }
  try {
    const verdict = await verifyAuditChain(db);
    console.log(JSON.stringify(verdict));
    process.exitCode = verdict.ok ? 0 : 1;
  } catch (e) {
    console.error(`cannot read the audit log: ${(e as Error).message}`);
    process.exitCode = 2;
  } finally {
    await db.destroy();
  }
}

void main();
