/** Loads and validates the firmware profiles the simulator serves (firmware-profiles/*.json). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuaysideError } from '../../shared/errors.js';
import type { FirmwareProfile } from '../../shared/profile/schema.js';
import { validateProfile } from '../../shared/profile/validate.js';
import { describeFieldErrors } from '../../shared/validation.js';

export const DEFAULT_PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../firmware-profiles');

/** Every profile in `dir`, by model id. Throws PROFILE_INVALID listing every problem of every file at once. */
export async function loadProfiles(dir: string = DEFAULT_PROFILES_DIR): Promise<Map<string, FirmwareProfile>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out = new Map<string, FirmwareProfile>();
  const problems: string[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(full, 'utf8'));
    } catch (e) {
      problems.push(`${file}: not JSON (${(e as Error).message})`);
      continue;
    }
    const r = validateProfile(json);
    if (!r.ok) {
      problems.push(`${file}:\n${describeFieldErrors(r.errors)}`);
      continue;
    }
    if (out.has(r.profile.model)) problems.push(`${file}: model "${r.profile.model}" defined twice`);
    out.set(r.profile.model, r.profile);
  }
  if (problems.length) throw new QuaysideError('PROFILE_INVALID', `\n${problems.join('\n')}`);
  return out;
}
