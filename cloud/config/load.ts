/**
 * Loads the cloud config: read → schema (every mistake with its path, all at once) → resolve paths
 * against the file's folder → freeze.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import { describeFieldErrors, fieldErrors, type FieldError } from '../../shared/validation.js';
import { cloudConfigSchema, type CloudConfig } from './schema.js';

export class CloudConfigInvalidError extends QuaysideError {
  constructor(
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super('CONFIG_INVALID', `${source}: ${errors.length} mistake${errors.length === 1 ? '' : 's'}\n${describeFieldErrors(errors)}`);
  }
}

/** Validates a config object; relative paths (dataDir, TLS files) resolve against `baseDir`. */
export function parseCloudConfig(raw: unknown, opts: { source?: string; baseDir?: string } = {}): CloudConfig {
  const source = opts.source ?? 'cloud config';
  const baseDir = opts.baseDir ?? process.cwd();
  const r = cloudConfigSchema.safeParse(raw);
  if (!r.success) throw new CloudConfigInvalidError(source, fieldErrors(r.error));
  const c = r.data;
  const abs = (p: string) => path.resolve(baseDir, p);
  const broker =
    c.broker.mode === 'embedded' && c.broker.tls
      ? {
          ...c.broker,
          tls: { certFile: abs(c.broker.tls.certFile), keyFile: abs(c.broker.tls.keyFile), ...(c.broker.tls.caFile ? { caFile: abs(c.broker.tls.caFile) } : {}) },
        }
      : c.broker.mode === 'external' && c.broker.caFile
        ? { ...c.broker, caFile: abs(c.broker.caFile) }
        : c.broker;
  return deepFreeze({ ...c, dataDir: abs(c.dataDir), broker });
}

export function loadCloudConfig(file: string): CloudConfig {
  const abs = path.resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new QuaysideError('CONFIG_UNREADABLE', `${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return parseCloudConfig(raw, { source: abs, baseDir: path.dirname(abs) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
