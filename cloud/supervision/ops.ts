/**
 * Operations monitoring (业务运行监控): the figures the customs office reports, computed from the store
 * for a period. Rates are fractions 0…1, null when there is nothing to divide by.
 */
import type { AccountService } from '../auth/accounts.js';
import type { SessionService } from '../auth/sessions.js';
import type { EventHub } from '../events/hub.js';
import type { AppointmentService } from './appointments.js';
import type { SupervisionDeps } from './context.js';
import type { MonitorService } from './monitor.js';
import type { PatrolService } from './patrol.js';
import type { QuarantineService } from './quarantine.js';
import type { QueueService } from './queue.js';
import type { TaskService } from './tasks.js';
import { SYSTEM } from '../auth/principal.js';

export interface OpsDeps {
  d: SupervisionDeps;
  accounts: AccountService;
  sessions: SessionService;
  hub: EventHub;
  monitor: MonitorService;
  tasks: TaskService;
  appointments: AppointmentService;
  quarantine: QuarantineService;
  queue: QueueService;
  patrol: PatrolService;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export async function opsFigures(o: OpsDeps, from: number, to: number) {
  const [users, gateways, patrol, local, enterprises, quarantine, priority, clearance, onlineUsers, queueWindows] = await Promise.all([
    o.accounts.counts(),
    o.monitor.gateways(),
    o.patrol.usage(from, to),
    o.appointments.usage(from, to),
    o.d.db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'enterprise').executeTakeFirstOrThrow(),
    o.quarantine.usage(from, to),
    o.tasks.priorityStats(SYSTEM, from, to),
    o.tasks.clearance(from, to),
    o.sessions.onlineUsers(5 * 60_000),
    o.queue.count(),
  ]);
  const live = gateways.filter((g) => g.revokedAt === null);
  const devices = live.reduce((n, g) => n + g.devices, 0);
  const enterpriseCount = Number(enterprises.n);
  return {
    from,
    to,
    users,
    dataSources: { gateways: live.length, gatewaysOnline: live.filter((g) => g.online).length, devices, cameras: patrol.cameras, queueWindows, total: live.length + devices + patrol.cameras },
    patrol,
    localInspection: { enterprises: enterpriseCount, using: local.enterprises, share: ratio(local.enterprises, enterpriseCount), appointments: local.appointments },
    quarantine: { ...quarantine, usageRate: ratio(quarantine.decided, quarantine.declarations) },
    priority,
    clearance,
    onlineUsers,
    sseClients: o.hub.clients,
  };
}
