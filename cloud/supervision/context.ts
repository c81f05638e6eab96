/** What the supervision services share: the store (typed with the console tables), audit, push, notices, ports. */
import type { Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { AccountService } from '../auth/accounts.js';
import type { AuditLog } from '../auth/audit.js';
import type { ConsoleDb } from '../auth/db.js';
import { isEnterprise, type Principal } from '../auth/principal.js';
import type { BrokerLink } from '../broker/port.js';
import type { SupervisionConfig } from '../config/schema.js';
import type { EventHub } from '../events/hub.js';
import type { NoticeService } from '../events/notices.js';
import type { CloudStore } from '../store/cloud-store.js';
import type { TimeSeriesPort } from '../timeseries/port.js';

export interface SupervisionDeps {
  db: ConsoleDb;
  store: CloudStore;
  series: TimeSeriesPort;
  broker: Pick<BrokerLink, 'publish' | 'connectedGateways'>;
  audit: AuditLog;
  hub: EventHub;
  notices: NoticeService;
  accounts: AccountService;
  fieldKey: Buffer;
  config: SupervisionConfig;
  dataDir: string;
  log: Logger;
  now: () => number;
}

/** The enterprise an enterprise user is confined to, or undefined for customs staff (no filter). */
export function enterpriseScope(p: Principal): string | undefined {
  return isEnterprise(p) ? p.enterpriseId! : undefined;
}

/** Checks that an id names an enterprise organisation (customs staff naming one in a body). */
export async function assertEnterprise(d: Pick<SupervisionDeps, 'db'>, id: string): Promise<void> {
  const org = await d.db.selectFrom('orgs').select('kind').where('id', '=', id).executeTakeFirst();
  if (!org || org.kind !== 'enterprise') throw new QuaysideError('CLOUD_AUTH_ORG', `no enterprise ${id}`);
}

export function json<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
