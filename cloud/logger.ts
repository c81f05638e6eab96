/**
 * Logging for the cloud daemon: one pino root, a child per module (`mod: "cloud:ingest"`), levels
 * changeable at run time for every child at once. Nothing here runs per reading or per message on the
 * happy path: modules log state changes, refusals and failures (each with its catalogue `code`).
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CloudLogger {
  readonly root: Logger;
  /** A child for a module, e.g. `forModule('ingest')` → mod "cloud:ingest". */
  forModule(module: string): Logger;
  setLevel(level: LogLevel): void;
}

export function createLogger(opts: { level: LogLevel; destination?: DestinationStream }): CloudLogger {
  const root = pino(
    { level: opts.level, base: { svc: 'cloud' }, timestamp: pino.stdTimeFunctions.isoTime },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const children = new Set<Logger>();
  return {
    root,
    forModule(module) {
      const child = root.child({ mod: `cloud:${module}` });
      children.add(child);
      return child;
    },
    setLevel(level) {
      root.level = level;
      for (const c of children) c.level = level;
    },
  };
}
