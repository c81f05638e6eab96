/**
 * The console module: 4A (accounts, sessions, OIDC, permissions, audit), push (events hub, notices,
 * store poller) and supervision work, built over the store and the ports main.ts already made. It
 * returns the middleware that identifies each caller and a `mount` that adds the console routes to the
 * API; `stop` ends its timers. Called once from cloud/main.ts.
 */
import type express from 'express';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AccountService } from '../auth/accounts.js';
import { AuditLog } from '../auth/audit.js';
import { consoleDb } from '../auth/db.js';
import { authenticate } from '../auth/http.js';
import { loadConsoleKeys } from '../auth/keys.js';
import { OidcLogin } from '../auth/oidc.js';
import { SlidingWindowLimiter } from '../auth/rate-limit.js';
import { auditRouter, authRouter, orgsRouter, usersRouter, type AuthRouteDeps } from '../auth/routes.js';
import { SessionService } from '../auth/sessions.js';
import type { BrokerLink } from '../broker/port.js';
import type { CloudConfig } from '../config/schema.js';
import { EventHub } from '../events/hub.js';
import { LogChannel, NoticeService, type NoticeChannel } from '../events/notices.js';
import { StorePoller } from '../events/poller.js';
import { eventsRouter } from '../events/sse.js';
import type { CloudStore } from '../store/cloud-store.js';
import type { TimeSeriesPort } from '../timeseries/port.js';
import { AppointmentService } from './appointments.js';
import type { SupervisionDeps } from './context.js';
import { MonitorService } from './monitor.js';
import { PatrolService } from './patrol.js';
import { QuarantineService } from './quarantine.js';
import { QueueService } from './queue.js';
import { appointmentsRouter, monitorRouter, noticesRouter, opsRouter, patrolRouter, quarantineRouter, queueRouter, rulesRouter, tasksRouter, type SupervisionRouteDeps } from './routes.js';
import { TaskService } from './tasks.js';

export interface ConsoleModuleDeps {
  config: CloudConfig;
  store: CloudStore;
  series: TimeSeriesPort;
  broker: BrokerLink;
  log: (module: string) => Logger;
  /** Extra notice channels besides the in-app list and the log. */
  channels?: NoticeChannel[];
  now?: () => number;
}

export interface ConsoleModule {
  /** Resolves the caller of every request (session cookie or admin token) and checks CSRF. */
  authenticate: RequestHandler;
  /** Express "trust proxy" for req.ip / req.secure. */
  trustProxy: boolean | number;
  /** Adds the console routes (before the admin routers). */
  mount(app: express.Express): void;
  accounts: AccountService;
  audit: AuditLog;
  sessions: SessionService;
  hub: EventHub;
  notices: NoticeService;
  tasks: TaskService;
  poller: StorePoller;
  stop(): Promise<void>;
}

export async function startConsole(d: ConsoleModuleDeps): Promise<ConsoleModule> {
  const { config, store } = d;
  const auth = config.auth;
  const now = d.now ?? Date.now;
  const db = consoleDb(store);
  const keys = loadConsoleKeys({ dataDir: config.dataDir, sessionSecret: auth.sessionSecret, fieldKey: auth.fieldKey });
  const audit = new AuditLog(db, store.dialect, now);
  const accounts = new AccountService({
    db,
    audit,
    fieldKey: keys.fieldKey,
    rules: { minLength: auth.password.minLength, minClasses: auth.password.minClasses },
    scrypt: auth.password.scrypt,
    lockout: { maxFailures: auth.lockout.maxFailures, lockMs: auth.lockout.lockMinutes * 60_000 },
    now,
  });
  const sessions = new SessionService(db, keys.sessionSecret, { idleMs: auth.session.idleMinutes * 60_000, absoluteMs: auth.session.absoluteHours * 3600_000 }, now);
  const limiter = new SlidingWindowLimiter(auth.loginRateLimit.max, auth.loginRateLimit.windowSeconds * 1000, now);
  const oidc = auth.oidc ? new OidcLogin(auth.oidc, db, d.log('oidc'), now) : null;
  const hub = new EventHub();
  const log = d.log('console');
  const notices = new NoticeService(db, hub, d.log('notices'), now);
  notices.addChannel(new LogChannel(d.log('notices')));
  for (const c of d.channels ?? []) notices.addChannel(c);

  if (auth.bootstrapAdmin && (await accounts.bootstrapAdmin(auth.bootstrapAdmin.username, auth.bootstrapAdmin.password))) {
    log.warn({ username: auth.bootstrapAdmin.username, audit: true }, 'bootstrap system administrator created');
  }

  const sd: SupervisionDeps = { db, store, series: d.series, broker: d.broker, audit, hub, notices, accounts, fieldKey: keys.fieldKey, config: config.supervision, dataDir: config.dataDir, log, now };
  const monitor = new MonitorService(sd);
  const tasks = new TaskService(sd);
  const appointments = new AppointmentService(sd, tasks);
  const quarantine = new QuarantineService(sd, tasks);
  const queue = new QueueService(sd);
  const patrol = new PatrolService(sd);

  // Rows other writers put in the store, pushed to the console once each.
  const poller = new StorePoller(config.supervision.pollMs, d.log('console-feed'), now);
  poller.add({
    name: 'alarms',
    read: (since) => monitor.alarmsIngestedSince(since),
    key: (a) => `${a.gw}/${a.id}`,
    emit: async (a) => {
      hub.publish('alarm', a, { permission: 'alarms.read', enterpriseId: null });
      await tasks.applyRules(a);
    },
  });
  poller.add({
    name: 'gateway-status',
    read: (since) => monitor.statusChangesSince(since),
    key: (s) => `${s.gw}:${s.updatedAt}:${s.state}`,
    emit: (s) => void hub.publish('gateway', { gw: s.gw, state: s.state, ts: s.ts }, { permission: 'devices.read', enterpriseId: null }),
  });
  poller.add({
    name: 'queue-answers',
    read: (since) => queue.commandAnswersSince(since),
    key: (t) => `${t.id}:${t.command?.id ?? ''}:${t.command?.status ?? ''}`,
    emit: (t) => queue.announceTicket(t),
  });
  poller.start();
  const sweeper = setInterval(() => void sessions.sweep().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'session sweep failed')), 10 * 60_000);
  sweeper.unref();

  const authDeps: AuthRouteDeps = { db, accounts, sessions, audit, limiter, oidc, cookies: auth.session, log: d.log('auth') };
  const supDeps: SupervisionRouteDeps = {
    monitor,
    tasks,
    appointments,
    quarantine,
    queue,
    patrol,
    notices,
    ops: { d: sd, accounts, sessions, hub, monitor, tasks, appointments, quarantine, queue, patrol },
    maxPhotoBytes: config.supervision.maxPhotoBytes,
  };

  return {
    authenticate: authenticate({ accounts, sessions, adminToken: config.admin.token, cookies: auth.session }),
    trustProxy: auth.trustProxy,
    mount(app) {
      app.use('/api/auth', authRouter(authDeps));
      app.use('/api/users', usersRouter(authDeps));
      app.use('/api/orgs', orgsRouter(authDeps));
      app.use('/api/audit', auditRouter(authDeps));
      app.use('/api/monitor', monitorRouter(supDeps));
      app.use('/api/tasks', tasksRouter(supDeps));
      app.use('/api/task-rules', rulesRouter(supDeps));
      app.use('/api/appointments', appointmentsRouter(supDeps));
      app.use('/api/quarantine', quarantineRouter(supDeps));
      app.use('/api/queue', queueRouter(supDeps));
      app.use('/api/patrol', patrolRouter(supDeps));
      app.use('/api/notices', noticesRouter(supDeps));
      app.use('/api/ops', opsRouter(supDeps));
      app.use('/api/events', eventsRouter(hub));
    },
    accounts,
    audit,
    sessions,
    hub,
    notices,
    tasks,
    poller,
    async stop() {
      clearInterval(sweeper);
      await poller.stop();
      await sessions.close();
    },
  };
}
