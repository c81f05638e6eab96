/**
 * Containment of flow failures. Node-RED runs in the gateway's own thread, so a flow's exception that
 * nobody catches would reach `process` and, by Node's default, end the daemon with polling and storage.
 * Node-RED already catches what a node throws while handling a message (`node.error` → Catch nodes);
 * what escapes is asynchronous: an unhandled promise rejection in a Function node, a throw in a
 * third-party node's socket or timer callback.
 *
 * While flows run, this guard owns `process.on('uncaughtException')` and decides per error:
 *   - it belongs to flows when it was raised inside the flows' async context (Node-RED is started, and
 *     every bus delivery and HTTP request into it is run, inside an AsyncLocalStorage scope), or when its
 *     stack runs through Node-RED, the quay nodes, the userDir or a Function node's script;
 *     → logged as EDGE_FLOWS_UNCAUGHT, counted, the gateway runs on. Past `tripAfter` such errors in a
 *       minute the guard calls `onTrip` (the runtime then stops the flows and reports it).
 *   - anything else is the daemon's own fatal error: logged as fatal and the process exits 1, exactly
 *     what Node would have done without a handler (a supervisor restarts it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type { Logger } from 'pino';

export interface FlowScope {
  /** What entered the flows: "runtime", "bus:readings", "http", … */
  via: string;
}

export interface GuardStats {
  contained: number;
  lastError: { at: number; message: string } | null;
  tripped: boolean;
}

export interface FlowGuardOptions {
  log: Logger;
  /** Folders whose frames in a stack mark an error as the flows' (Node-RED's packages are added). */
  roots: string[];
  tripAfter?: number;
  onTrip?: () => void;
  /** What an error that is not the flows' does (default: log fatal, exit 1). */
  onFatal?: (err: unknown, origin: string) => void;
}

export class FlowGuard {
  private readonly als = new AsyncLocalStorage<FlowScope>();
  private readonly roots: string[];
  private installed = false;
  private window: { minute: number; n: number } = { minute: 0, n: 0 };
  readonly stats: GuardStats = { contained: 0, lastError: null, tripped: false };

  constructor(private readonly o: FlowGuardOptions) {
    this.roots = o.roots.map((r) => path.resolve(r) + path.sep);
  }

  /** Runs `fn` inside the flows' async scope: whatever it schedules is the flows' too. */
  run<T>(via: string, fn: () => T): T {
    return this.als.run({ via }, fn);
  }

  /** Wraps a callback so each call runs inside the flows' scope. */
  wrap<A extends unknown[], R>(via: string, fn: (...args: A) => R): (...args: A) => R {
    return (...args: A) => this.als.run({ via }, () => fn(...args));
  }

  /** Runs `fn` outside the flows' scope (gateway work a node asks for: its timers and promises are the core's). */
  outside<T>(fn: () => T): T {
    return this.als.exit(fn);
  }

  get inFlows(): boolean {
    return this.als.getStore() !== undefined;
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on('uncaughtException', this.onUncaught);
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    process.off('uncaughtException', this.onUncaught);
  }

  /** True when the error came from flows (scope or stack). */
  belongsToFlows(err: unknown): boolean {
    if (this.als.getStore() !== undefined) return true;
    // Errors made in a Function node come from another realm (not `instanceof Error`).
    const stack = err !== null && typeof err === 'object' && typeof (err as { stack?: unknown }).stack === 'string' ? (err as { stack: string }).stack : '';
    if (!stack) return false;
    // Function nodes run as vm scripts named "Function node:<id>" (Node-RED's createVMOpt).
    if (/\bat .*Function node:|\(Function node:|^\s+at Function node:/m.test(stack)) return true;
    for (const line of stack.split('\n').slice(1)) {
      const file = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line)?.[1]?.replace(/^file:\/\//, '');
      if (file && this.roots.some((r) => file.startsWith(r))) return true;
    }
    return false;
  }

  private readonly onUncaught = (err: unknown, origin: string): void => {
    if (!this.belongsToFlows(err)) {
      (this.o.onFatal ?? defaultFatal(this.o.log))(err, origin);
      return;
    }
    this.stats.contained++;
    const message = err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : String(err);
    this.stats.lastError = { at: Date.now(), message: message.slice(0, 500) };
    const minute = Math.floor(Date.now() / 60_000);
    if (this.window.minute !== minute) this.window = { minute, n: 0 };
    this.window.n++;
    if (this.window.n <= 20) {
      this.o.log.error({ err, origin, code: 'EDGE_FLOWS_UNCAUGHT', contained: this.stats.contained, scope: this.als.getStore()?.via ?? 'stack' }, `EDGE_FLOWS_UNCAUGHT: a flow raised an uncaught ${origin === 'unhandledRejection' ? 'promise rejection' : 'exception'} (contained; polling and storage go on): ${message}`);
    }
    const limit = this.o.tripAfter ?? 50;
    if (!this.stats.tripped && this.window.n >= limit) {
      this.stats.tripped = true;
      this.o.log.error({ code: 'EDGE_FLOWS_UNCAUGHT', inMinute: this.window.n }, `${this.window.n} uncaught flow errors within a minute: the flows are stopped until an admin deploys again`);
      try {
        this.o.onTrip?.();
      } catch (e) {
        this.o.log.error({ err: e }, 'stopping the flows failed');
      }
    }
  };

  /** A deploy starts afresh. */
  reset(): void {
    this.stats.tripped = false;
    this.window = { minute: 0, n: 0 };
  }
}

function defaultFatal(log: Logger) {
  return (err: unknown, origin: string): void => {
    try {
      log.fatal({ err, origin }, `uncaught ${origin === 'unhandledRejection' ? 'promise rejection' : 'exception'} in the gateway (not a flow): exiting`);
      log.flush?.();
    } catch {
      /* logging must not stop the exit */
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  };
}
