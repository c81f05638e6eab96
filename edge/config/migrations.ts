/**
 * Config migrations: `MIGRATIONS[n]` turns a version-n file into version n+1. Add one whenever
 * CONFIG_VERSION goes up, so gateways in the field keep starting after an upgrade.
 */
export type RawConfig = Record<string, unknown>;
export type Migration = (raw: RawConfig) => RawConfig;

/** None yet: version 1 is the first format. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = Object.freeze({});

export type MigrationOutcome = { ok: true; raw: RawConfig; from: number } | { ok: false; message: string };

/** Brings a parsed file up to `target`; an absent version is read as `target` (and the schema asks for it). */
export function migrate(raw: RawConfig, target: number, migrations: Readonly<Record<number, Migration>> = MIGRATIONS): MigrationOutcome {
  const v = raw['version'];
  if (v === undefined || typeof v !== 'number' || !Number.isInteger(v)) return { ok: true, raw, from: target };
  if (v > target) return { ok: false, message: `version ${v} is newer than this gateway understands (${target}); upgrade the gateway` };
  let out = raw;
  for (let n = v; n < target; n++) {
    const step = migrations[n];
    if (!step) return { ok: false, message: `no migration from config version ${n} to ${n + 1}` };
    out = { ...step(out), version: n + 1 };
  }
  return { ok: true, raw: out, from: v };
}
