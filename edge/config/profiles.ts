/**
 * Loads every firmware profile (`*.json`) of a folder through the shared validator. Mistakes are
 * reported all at once, each prefixed with its file name, as PROFILE_INVALID.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import { validateProfile } from '../../shared/profile/validate.js';
import type { FirmwareProfile } from '../../shared/profile/schema.js';
import { describeFieldErrors, type FieldError } from '../../shared/validation.js';
import { deepFreeze } from './freeze.js';

export interface ProfileCatalog {
  readonly dir: string;
  get(model: string): FirmwareProfile | undefined;
  /** Model ids, sorted. */
  models(): string[];
  all(): FirmwareProfile[];
}

export interface ProfileScan {
  catalog: ProfileCatalog;
  errors: FieldError[];
  /** Models whose file exists but failed validation (so references to them are not "unknown"). */
  invalidModels: Set<string>;
}

/** Reads and validates; never throws for bad files (see `errors`). A missing folder is one error. */
export function scanProfiles(dir: string): ProfileScan {
  const errors: FieldError[] = [];
  const invalidModels = new Set<string>();
  const byModel = new Map<string, FirmwareProfile>();
  const fileOf = new Map<string, string>();
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    errors.push({ path: dir, message: `cannot read the profiles folder (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (e) {
      errors.push({ path: file, message: `not readable JSON: ${(e as Error).message}` });
      continue;
    }
    const rawModel = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['model'] : undefined;
    const result = validateProfile(raw);
    if (!result.ok) {
      for (const err of result.errors) errors.push({ path: `${file}: ${err.path}`, message: err.message });
      if (typeof rawModel === 'string') invalidModels.add(rawModel);
      continue;
    }
    const p = result.profile;
    const expected = `${p.model}.json`;
    if (file !== expected) {
      errors.push({ path: `${file}: model`, message: `model "${p.model}" must live in a file named ${expected}` });
      invalidModels.add(p.model);
      continue;
    }
    const other = fileOf.get(p.model);
    if (other) {
      errors.push({ path: `${file}: model`, message: `model "${p.model}" is also defined in ${other}` });
      continue;
    }
    fileOf.set(p.model, file);
    byModel.set(p.model, deepFreeze(p));
  }
  const models = [...byModel.keys()].sort();
  const catalog: ProfileCatalog = Object.freeze({
    dir,
    get: (model: string) => byModel.get(model),
    models: () => [...models],
    all: () => models.map((m) => byModel.get(m)!),
  });
  return { catalog, errors, invalidModels };
}

/** Loads a profiles folder or throws PROFILE_INVALID listing every mistake. */
export function loadProfiles(dir: string): ProfileCatalog {
  const scan = scanProfiles(dir);
  if (scan.errors.length) throw new ProfileInvalidError(dir, scan.errors);
  return scan.catalog;
}

export class ProfileInvalidError extends QuaysideError {
  constructor(
    readonly dir: string,
    readonly errors: FieldError[],
  ) {
    super('PROFILE_INVALID', `${dir}: ${errors.length} mistake${errors.length === 1 ? '' : 's'}\n${describeFieldErrors(errors)}`);
  }
}
