/**
 * The embedded Node-RED: a gateway module with a lifecycle (built before the API, started after the
 * core, stopped before it) that fails softly — if Node-RED cannot start, the module reports `error`
 * with the reason (GET /flows/status, the log) and the gateway runs on without flows.
 *
 *   /flows/admin   editor and admin API (Node-RED's httpAdmin), sign-in required (auth.ts)
 *   /flows/api     the flows' own HTTP endpoints (http in nodes), e.g. /flows/api/weighbridge
 *   /flows/status  the module's state, counters and containment figures (read-only, no secrets)
 *
 * Protection of the core duties (polling, storage, sync), which share this thread:
 *   - node errors are Node-RED's (node.error → Catch nodes), logged through pino;
 *   - uncaught exceptions and unhandled rejections raised by flows are contained by FlowGuard and the
 *     daemon's own fatal errors still end it (guard.ts);
 *   - a Function node is stopped after `functionTimeoutS` (Node-RED's vm timeout): the runtime's
 *     `globalFunctionTimeout`, and every flow that enters (file at start, admin API, cloud deploy,
 *     rollback) has its Function nodes' own timeouts capped to it (flowfile.ts);
 *   - the quay nodes only reach the gateway through the bridge (bridge.ts): writes go through the
 *     scheduler's queue like any other write, records through the outbox.
 *
 * Node-RED can be started once per process (its own rule: RED.stop() is final), so one gateway per
 * process runs flows.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type NodeRedModule from 'node-red';
import { QuaysideError, isQuaysideError } from '../../shared/errors.js';
import type { GatewayView } from '../api/context.js';
import type { GatewayBus } from '../bus.js';
import type { GatewayFlowsConfig } from '../config/schema.js';
import type { LogLevel } from '../logger.js';
import { configAccounts, nodeRedAdminAuth, type AdminAccounts } from './auth.js';
import { createBridge, type QuaysideBridge, type SurveyPort } from './bridge.js';
import { capFunctionTimeouts, loadDefaultFlows, validateFlowFile, type FlowNode } from './flowfile.js';
import { FlowGuard } from './guard.js';
import { FlowManager, flowCommandHandlers, type FlowCommandHandlers, type FlowCommandInput } from './management.js';
import { outboxRecords, type RecordSink } from './records.js';

type NodeRed = typeof NodeRedModule;

/** The quay node palette (a local Node-RED module: package.json + one .js/.html pair per node). */
export const QUAY_NODES_DIR = fileURLToPath(new URL('./nodes', import.meta.url));
export const ADMIN_ROOT = '/flows/admin';
export const NODE_ROOT = '/flows/api';
const FLOW_FILE = 'flows.json';

export type FlowsState = 'disabled' | 'idle' | 'starting' | 'running' | 'stopped' | 'error';

export interface FlowsStatus {
  state: FlowsState;
  message: string | null;
  since: number;
  nodeRed: string | null;
  editor: boolean;
  userDir: string | null;
  defaultsInstalled: boolean;
  records: string | null;
  contained: number;
  lastUncaught: { at: number; message: string } | null;
  tripped: boolean;
  bridge: QuaysideBridge['counters'] | null;
  bus: ReturnType<GatewayBus['stats']>;
}

export interface FlowsModuleOptions {
  /** The config's `flows` section (undefined or enabled:false = disabled). */
  config: GatewayFlowsConfig | undefined;
  dataDir: string;
  gateway: { id: string; name: string };
  view: GatewayView;
  bus: GatewayBus;
  survey?: SurveyPort | undefined;
  logger: Logger;
  logLevel?: LogLevel;
  /** Default: the config's adminUsers. */
  accounts?: AdminAccounts;
  /** Default: the outbox table, written directly (records.ts); app.ts passes the sync's enqueue when sync runs. */
  records?: RecordSink;
  /** Default flows folder (tests). */
  defaultsDir?: string;
  /** Longest wait for flows to start (default 20 s). */
  startTimeoutMs?: number;
}

let startedInThisProcess = false;

export class FlowsModule {
  readonly enabled: boolean;
  readonly userDir: string | null;
  readonly guard: FlowGuard;
  readonly manager: FlowManager | null;
  /** Mount at `/flows` on the gateway's HTTP app (edge/api/server.ts). */
  readonly router: express.Router;
  private red: NodeRed | undefined;
  private bridge: QuaysideBridge | undefined;
  private state: FlowsState;
  private message: string | null = null;
  private since = Date.now();
  private defaultsInstalled = false;
  private records: RecordSink | undefined;
  private readonly log: Logger;
  private readonly audit: Logger;
  private handlers: FlowCommandHandlers | undefined;

  constructor(private readonly o: FlowsModuleOptions) {
    this.enabled = o.config?.enabled === true;
    this.log = o.logger;
    this.audit = o.logger.child({ audit: true });
    this.state = this.enabled ? 'idle' : 'disabled';
    this.userDir = this.enabled ? path.resolve(o.dataDir, o.config!.userDir ?? 'node-red') : null;
    this.guard = new FlowGuard({
      log: o.logger,
      roots: [QUAY_NODES_DIR, path.dirname(requireResolve('node-red/package.json')), path.dirname(path.dirname(requireResolve('@node-red/runtime/package.json'))), ...(this.userDir ? [this.userDir] : [])],
      onTrip: () => {
        this.setState('error', 'flows stopped after repeated uncaught errors; fix and deploy again');
        void this.red?.nodes.stopFlows().catch((e: unknown) => this.log.error({ err: e }, 'stopping flows failed'));
      },
    });
    this.manager =
      this.enabled && this.userDir
        ? new FlowManager({
            userDir: this.userDir,
            functionTimeoutS: o.config!.functionTimeoutS,
            keepVersions: o.config!.keepVersions,
            runtime: {
              getFlows: async () => {
                const r = await this.running().runtime.flows.getFlows({});
                return { flows: (r.flows ?? []) as FlowNode[], rev: r.rev };
              },
              setFlows: async (flows, user) => {
                const red = this.running();
                // Node-RED answers a deploy before the new flows run; the gateway answers once they do.
                const started = new Promise<void>((resolve) => red.events.once('flows:started', () => resolve()));
                const r = await this.guard.run('runtime', () => red.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full', user: { username: user, permissions: '*' } }));
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]).finally(() => clearTimeout(timer));
                return r;
              },
              knownTypes: async () => {
                const sets = await this.running().runtime.nodes.getNodeList({});
                return new Set(sets.filter((s) => s.enabled && !s.err).flatMap((s) => s.types));
              },
            },
          })
        : null;
    this.router = this.buildRouter();
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts Node-RED on the gateway's HTTP server. Never throws: a failure leaves state "error". */
  async start(server: http.Server): Promise<void> {
    if (!this.enabled || this.state !== 'idle') return;
    const cfg = this.o.config!;
    const userDir = this.userDir!;
    this.setState('starting', null);
    const t0 = Date.now();
    try {
      if (startedInThisProcess) throw new QuaysideError('EDGE_FLOWS_START', 'Node-RED runs once per process and was already started here');
      startedInThisProcess = true;
      fs.mkdirSync(userDir, { recursive: true });
      const installed = this.prepareFlowFile(userDir, cfg);
      const sink = this.o.records ?? outboxRecords(this.o.view.store.db);
      this.records = sink;
      this.bridge = createBridge({ gateway: this.o.gateway, bus: this.o.bus, guard: this.guard, view: this.o.view, records: sink, survey: this.o.survey, log: this.log });

      const red = (await import('node-red')).default;
      this.red = red;
      red.init(server, this.settings(cfg, userDir));
      this.addAdminRoutes(red);
      this.guard.install();
      // Flows start, or Node-RED says why they do not (missing node types): either way the editor is up.
      const started = new Promise<string | null>((resolve) => {
        red.events.once('flows:started', () => resolve(null));
        const onState = (ev: RuntimeEvent) => {
          if (ev.id !== 'runtime-state' || !ev.payload?.error) return;
          red.events.off('runtime-event', onState);
          resolve(`flows not started: ${ev.payload.error}${ev.payload.types ? ` (${ev.payload.types.join(', ')})` : ''}; fix them in the editor and deploy`);
        };
        red.events.on('runtime-event', onState);
      });
      await this.guard.run('runtime', () => red.start());
      const limit = this.o.startTimeoutMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const problem = await Promise.race([started, new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`flows did not start within ${limit} ms`), limit)))]).finally(() => clearTimeout(timer));
      this.watchRuntime(red);
      if (installed) this.manager!.recordInstalledDefaults(installed);
      if (problem) {
        this.setState('error', problem);
        this.log.error({ code: 'EDGE_FLOWS_START', userDir }, `EDGE_FLOWS_START: ${problem}`);
        return;
      }
      this.setState('running', null);
      this.log.info({ ms: Date.now() - t0, nodeRed: red.version, userDir, editor: !cfg.disableEditor, admin: ADMIN_ROOT, api: NODE_ROOT, records: sink.kind, defaultsInstalled: installed !== undefined }, 'flows running');
    } catch (e) {
      const msg = isQuaysideError(e) ? e.message : `${(e as Error).message}`;
      this.log.error({ err: e, code: 'EDGE_FLOWS_START' }, `EDGE_FLOWS_START: ${msg} (the gateway runs on without flows)`);
      this.setState('error', msg);
      await this.stopRed();
    }
  }

  /**
   * After start: a deploy that starts the flows clears an earlier trip or start problem; a deploy after a
   * trip (Node-RED then only saves, its flows being stopped) starts them again.
   */
  private watchRuntime(red: NodeRed): void {
    red.events.on('flows:started', () => {
      this.guard.reset();
      if (this.state === 'error') {
        this.setState('running', null);
        this.log.info('flows running again after a deploy');
      }
    });
    red.events.on('runtime-event', (ev: RuntimeEvent) => {
      if (ev.id !== 'runtime-deploy' || !this.guard.stats.tripped || !this.red) return;
      this.guard.reset();
      void this.guard.run('runtime', () => red.nodes.startFlows()).catch((e: unknown) => this.log.error({ err: e }, 'flows could not be started again'));
    });
  }

  /** Stops the flows (before the core stops). Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'disabled' || this.state === 'stopped') return;
    const wasRunning = this.red !== undefined;
    await this.stopRed();
    this.guard.uninstall();
    if (wasRunning || this.state !== 'error') this.setState('stopped', null);
  }

  private async stopRed(): Promise<void> {
    const red = this.red;
    this.red = undefined;
    if (!red) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([red.stop(), new Promise((r) => (timer = setTimeout(r, 5000)))]);
    } catch (e) {
      this.log.warn({ err: e }, 'Node-RED stop failed');
    } finally {
      clearTimeout(timer);
    }
  }

  status(): FlowsStatus {
    return {
      state: this.state,
      message: this.message,
      since: this.since,
      nodeRed: this.red?.version ?? null,
      editor: this.enabled && !this.o.config!.disableEditor,
      userDir: this.userDir,
      defaultsInstalled: this.defaultsInstalled,
      records: this.records?.kind ?? null,
      contained: this.guard.stats.contained,
      lastUncaught: this.guard.stats.lastError,
      tripped: this.guard.stats.tripped,
      bridge: this.bridge ? { ...this.bridge.counters } : null,
      bus: this.o.bus.stats(),
    };
  }

  /** The downlink command handlers (management.ts) for the sync module's dispatcher. */
  commandHandlers(): FlowCommandHandlers {
    if (!this.manager) throw new QuaysideError('EDGE_FLOWS_UNAVAILABLE', 'flows are disabled in the config');
    this.handlers ??= flowCommandHandlers(this.manager, (cmd) => this.dispatch(cmd));
    return this.handlers;
  }

  /** Delivers a command addressed to `flow:<name>` to the flow's quay command in nodes. */
  dispatch(cmd: FlowCommandInput & { flow: string }): string {
    if (this.state !== 'running') throw new QuaysideError('EDGE_FLOWS_UNAVAILABLE', `flows are ${this.state}${this.message ? `: ${this.message}` : ''}`);
    const takers: string[] = [];
    this.o.bus.emit('flow.command', { id: cmd.id, flow: cmd.flow, op: cmd.op, args: cmd.args, expiresAt: cmd.expiresAt, accept: (by) => void takers.push(by) });
    if (!takers.length) throw new QuaysideError('EDGE_FLOWS_NO_LISTENER', `"flow:${cmd.flow}": no deployed quay command in node has that flow name`);
    return `delivered to flow:${cmd.flow} (${takers.length} node${takers.length === 1 ? '' : 's'})`;
  }

  private running(): NodeRed {
    if (!this.red || (this.state !== 'running' && this.state !== 'starting' && this.state !== 'error')) throw new QuaysideError('EDGE_FLOWS_UNAVAILABLE', `flows are ${this.state}`);
    return this.red;
  }

  private setState(state: FlowsState, message: string | null): void {
    this.state = state;
    this.message = message;
    this.since = Date.now();
  }

  // ------------------------------------------------------------------ start-up pieces

  /**
   * First start (no flow file): writes the default flows, returns them. Later starts: caps the Function
   * node timeouts in the existing file (it may have been edited by hand).
   */
  private prepareFlowFile(userDir: string, cfg: GatewayFlowsConfig): FlowNode[] | undefined {
    const file = path.join(userDir, FLOW_FILE);
    if (!fs.existsSync(file)) {
      if (!cfg.installDefaults) return undefined;
      const { flows, files } = loadDefaultFlows(this.o.defaultsDir);
      const capped = capFunctionTimeouts(flows, cfg.functionTimeoutS).flows;
      fs.writeFileSync(file, JSON.stringify(capped, null, 2));
      this.defaultsInstalled = true;
      this.log.info({ files, nodes: capped.length }, 'first start: default flows installed');
      return capped;
    }
    try {
      const current = validateFlowFile(JSON.parse(fs.readFileSync(file, 'utf8')));
      const { flows, capped } = capFunctionTimeouts(current, cfg.functionTimeoutS);
      if (capped) {
        fs.writeFileSync(file, JSON.stringify(flows, null, 2));
        this.log.warn({ capped, functionTimeoutS: cfg.functionTimeoutS }, 'Function node timeouts capped in the flow file');
      }
    } catch (e) {
      // Node-RED reports an unreadable flow file itself and starts without flows.
      this.log.warn({ err: e, file }, 'the flow file could not be checked');
    }
    return undefined;
  }

  private settings(cfg: GatewayFlowsConfig, userDir: string): Record<string, unknown> {
    const accounts = this.o.accounts ?? configAccounts(cfg.adminUsers);
    return {
      userDir,
      flowFile: FLOW_FILE,
      flowFilePretty: true,
      ...(cfg.credentialSecret ? { credentialSecret: cfg.credentialSecret } : {}),
      httpAdminRoot: ADMIN_ROOT,
      httpNodeRoot: NODE_ROOT,
      disableEditor: cfg.disableEditor,
      adminAuth: nodeRedAdminAuth(accounts, {
        sessionExpiryS: cfg.sessionExpiryS,
        onLogin: (username, ok) => (ok ? this.audit.info({ username }, 'flows editor sign-in') : this.audit.warn({ username }, 'flows editor sign-in refused')),
      }),
      apiMaxLength: '5mb',
      nodesDir: [QUAY_NODES_DIR],
      nodesExcludes: cfg.allowExec ? [] : ['90-exec.js'],
      functionGlobalContext: {},
      exportGlobalContextKeys: false,
      functionExternalModules: false,
      // Applies to every run whose node has no timeout of its own; `functionTimeout` is what a new node's form shows.
      globalFunctionTimeout: cfg.functionTimeoutS,
      functionTimeout: cfg.functionTimeoutS,
      externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false, allowUpdate: false }, modules: { allowInstall: false } },
      diagnostics: { enabled: false, ui: false },
      runtimeState: { enabled: false, ui: false },
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: {
        page: { title: 'Quayside · 流程 Flows' },
        header: { title: `Quayside 流程 · ${this.o.gateway.name}` },
        tours: false,
        projects: { enabled: false },
        palette: { catalogues: [], categories: ['quayside', 'common', 'function', 'network', 'sequence', 'parser', 'storage'] },
        codeEditor: { lib: 'monaco' },
      },
      logging: {
        console: { level: 'off', metrics: false, audit: false },
        quayside: { level: this.o.logLevel === 'debug' || this.o.logLevel === 'trace' ? this.o.logLevel : 'info', metrics: false, audit: true, handler: () => (msg: NodeRedLogMsg) => this.onNodeRedLog(msg) },
      },
      /** For the quay nodes: `RED.settings.quayside`. */
      quayside: this.bridge,
    };
  }

  /** Node-RED's log → pino (its levels: 10 fatal, 20 error, 30 warn, 40 info, 50 debug, 60 trace, 98 audit, 99 metric). */
  private onNodeRedLog(m: NodeRedLogMsg): void {
    try {
      if (m.level === 98) {
        const { level: _l, timestamp: _t, ...rest } = m;
        this.audit.info({ nodeRed: rest }, `flows audit: ${String(m.event ?? 'event')}`);
        return;
      }
      if (m.level === 99) return;
      const node = m.id ? { type: m.type, id: m.id, name: m.name || undefined, z: m.z } : undefined;
      const raw = m.msg;
      // Errors made inside a Function node come from another realm: not `instanceof Error`.
      const errLike = raw !== null && typeof raw === 'object' && typeof (raw as { message?: unknown }).message === 'string';
      const err = errLike ? { message: (raw as Error).message, code: (raw as { code?: unknown }).code, stack: (raw as Error).stack } : undefined;
      const text = err ? `${typeof err.code === 'string' ? `${err.code}: ` : ''}${err.message}` : typeof raw === 'string' ? raw : JSON.stringify(raw);
      const obj = { ...(node ? { node } : {}), ...(err ? { err } : {}) };
      const line = node ? `[${m.type}${m.name ? ` "${m.name}"` : ''}] ${text}` : text;
      if (m.level <= 20) this.log.error(obj, line);
      else if (m.level <= 30 && !node && BENIGN_WARNINGS.test(text)) this.log.debug(obj, line);
      else if (m.level <= 30) this.log.warn(obj, line);
      else if (m.level <= 40) (node ? this.log.info(obj, line) : this.log.debug(obj, line));
      else this.log.debug(obj, line);
    } catch {
      /* never let logging break Node-RED */
    }
  }

  /** Quayside admin routes inside Node-RED's admin app (same sign-in and permissions as the editor). */
  private addAdminRoutes(red: NodeRed): void {
    const admin = red.httpAdmin;
    const json = express.json({ limit: '64kb' });
    admin.get('/quayside/devices', red.auth.needsPermission('quayside.read'), (_req: Request, res: Response) => {
      res.json({ devices: this.bridge?.devices() ?? [] });
    });
    admin.get('/quayside/versions', red.auth.needsPermission('flows.read'), (_req: Request, res: Response, next: NextFunction) => {
      this.manager!.list().then((l) => res.json(l), next);
    });
    admin.post('/quayside/restore-defaults', red.auth.needsPermission('flows.write'), json, (req: Request, res: Response, next: NextFunction) => {
      const mode = req.query['mode'] === 'replace' || (req.body as { mode?: string } | undefined)?.mode === 'replace' ? 'replace' : 'merge';
      const user = (req as Request & { user?: { username?: string } }).user?.username ?? 'admin';
      let defaults: FlowNode[];
      try {
        defaults = loadDefaultFlows(this.o.defaultsDir).flows;
      } catch (e) {
        next(e);
        return;
      }
      this.manager!.restoreDefaults(defaults, mode, user).then(
        (r) => {
          this.audit.info({ username: user, mode, version: r.version }, 'default flows restored');
          res.json({ restored: true, mode, ...r });
        },
        (e: unknown) => {
          const q = isQuaysideError(e) ? e : new QuaysideError('EDGE_FLOWS_DEPLOY', (e as Error).message);
          res.status(q.http).json({ error: { code: q.code, message: q.message } });
        },
      );
    });
  }

  // ------------------------------------------------------------------ HTTP

  private buildRouter(): express.Router {
    const r = express.Router();
    const unavailable = (res: Response) => {
      const e = new QuaysideError('EDGE_FLOWS_UNAVAILABLE', `flows are ${this.state}${this.message ? `: ${this.message}` : ''}`);
      res.status(e.http).json({ error: { code: e.code, message: e.message } });
    };
    r.get('/status', (_req, res) => {
      res.json(this.status());
    });
    // Deploys through the admin API: Function node timeouts capped before Node-RED sees the body.
    const capBody = express.json({ limit: '5mb' });
    const cap = (req: Request, _res: Response, next: NextFunction) => {
      const max = this.o.config?.functionTimeoutS ?? 1;
      const b = req.body as unknown;
      if (Array.isArray(b)) req.body = capFunctionTimeouts(b as FlowNode[], max).flows;
      else if (b && typeof b === 'object') {
        const o = b as { flows?: unknown; nodes?: unknown };
        if (Array.isArray(o.flows)) o.flows = capFunctionTimeouts(o.flows as FlowNode[], max).flows;
        if (Array.isArray(o.nodes)) o.nodes = capFunctionTimeouts(o.nodes as FlowNode[], max).flows;
      }
      next();
    };
    // Sign-in: after 5 refused attempts from one address within 10 minutes, that address waits 10 minutes
    // (Node-RED itself also stops a username after 5 attempts in 10 minutes, answering 500).
    const failures = new Map<string, { n: number; first: number; until: number }>();
    r.post('/admin/auth/token', (req, res, next) => {
      const ip = req.socket.remoteAddress ?? 'unknown';
      const now = Date.now();
      const f = failures.get(ip);
      if (f && f.until > now) {
        res.status(429).json({ error: 'too_many_attempts', error_description: `too many refused sign-ins; try again in ${Math.ceil((f.until - now) / 1000)} s` });
        return;
      }
      res.on('finish', () => {
        // A success does not clear the count: a valid low-privilege account must not reset an attack.
        if (res.statusCode < 400 || res.statusCode === 429) return;
        const e = failures.get(ip);
        if (!e || now - e.first > 10 * 60_000) failures.set(ip, { n: 1, first: now, until: 0 });
        else if (++e.n >= 5) {
          e.until = Date.now() + 10 * 60_000;
          this.audit.warn({ ip, attempts: e.n }, 'flows sign-in blocked for 10 minutes after repeated refusals');
        }
        if (failures.size > 10_000) failures.clear();
      });
      next();
    });
    r.post('/admin/flows', capBody, cap);
    r.post('/admin/flow', capBody, cap);
    r.put('/admin/flow/:id', capBody, cap);
    r.use('/admin', (req, res, next) => {
      const red = this.red;
      if (!red || this.state === 'idle' || this.state === 'stopped') return unavailable(res);
      this.guard.run('http:admin', () => red.httpAdmin(req, res, next));
    });
    r.use('/api', (req, res, next) => {
      const red = this.red;
      if (!red || this.state !== 'running') return unavailable(res);
      this.guard.run('http:api', () => red.httpNode(req, res, next));
    });
    // Nothing in Node-RED answered: a 404 here, never the gateway's other routes (the tablet app).
    r.use((req, res) => {
      res.status(404).json({ error: { code: 'API_ROUTE_NOT_FOUND', message: `no flow endpoint ${req.method} ${req.baseUrl}${req.path}` } });
    });
    return r;
  }
}

interface RuntimeEvent {
  id?: string;
  payload?: { error?: string; types?: string[]; state?: string };
}

/** Start-up warnings of Node-RED that say nothing wrong about an embedded gateway. */
const BENIGN_WARNINGS = /^(Projects disabled|Encrypted credentials not found|Communication server error:.*ECONNRESET)/;

interface NodeRedLogMsg {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
  z?: string;
  event?: unknown;
  timestamp?: number;
  [key: string]: unknown;
}

function requireResolve(spec: string): string {
  return fileURLToPath(import.meta.resolve(spec));
}
