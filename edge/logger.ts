/**
 * Logging: one pino root per daemon with the gateway id bound, and a child per module or device
 * (`mod: "edge:devices:dg-1"`, `device: "dg-1"`). Levels can be changed at run time for every child at once.
 * Nothing here runs per reading: callers log state changes, never samples.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GatewayLogger {
  readonly root: Logger;
  /** A child for a module, e.g. `forModule('store')` → mod "edge:store". */
  forModule(module: string): Logger;
  /** A child for a device inside a module, e.g. `forDevice('devices', 'dg-1')` → mod "edge:devices:dg-1". */
  forDevice(module: string, deviceId: string): Logger;
  /** Changes the level of the root and of every child made so far. */
  setLevel(level: LogLevel): void;
}

export function createLogger(opts: { level: LogLevel; gatewayId: string; destination?: DestinationStream }): GatewayLogger {
  const root = pino(
    { level: opts.level, base: { gw: opts.gatewayId }, timestamp: pino.stdTimeFunctions.isoTime },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const children = new Set<Logger>();
  const make = (bindings: Record<string, string>): Logger => {
    const child = root.child(bindings);
    children.add(child);
    return child;
  };
  return {
    root,
    forModule: (module) => make({ mod: `edge:${module}` }),
    forDevice: (module, deviceId) => make({ mod: `edge:${module}:${deviceId}`, device: deviceId }),
    setLevel(level) {
      root.level = level;
      for (const c of children) c.level = level;
    },
  };
}

/** A logger that drops everything (unit tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
