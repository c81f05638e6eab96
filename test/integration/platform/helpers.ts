/**
 * Shared by the platform integration tests: a PlatformService over a real cloud SQL store on either
 * dialect (SQLite in a temp folder, or a throwaway PostgreSQL database from scripts/services.sh).
 */
import path from 'node:path';
import { openStore } from '../../../cloud/store/open.js';
import { PlatformService, type PlatformOptions } from '../../../cloud/platform/service.js';
import type { CloudStore } from '../../../cloud/store/cloud-store.js';
import { freshPgDatabase, services, tmpDir } from '../cloud/helpers.js';

export type Dialect = 'sqlite' | 'postgres';

export interface TestPlatform {
  platform: PlatformService;
  store: CloudStore;
  dir: string;
  close(): Promise<void>;
}

export async function openTestPlatform(dialect: Dialect, opts: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const dir = tmpDir(`platform-${dialect}`);
  let drop: (() => Promise<void>) | null = null;
  let store: CloudStore;
  if (dialect === 'sqlite') store = await openStore({ driver: 'sqlite', file: 'cloud.db' }, dir);
  else {
    const { pgUrl } = await services();
    const db = await freshPgDatabase(pgUrl);
    drop = db.drop;
    store = await openStore({ driver: 'postgres', url: db.url, poolSize: 4 }, dir);
  }
  const platform = await PlatformService.open({ db: store.db, dialect: store.dialect, baseDir: path.join(dir, 'platform'), schedule: false, ...opts });
  return {
    platform,
    store,
    dir,
    async close() {
      await platform.close();
      await store.close();
      if (drop) await drop();
    },
  };
}
