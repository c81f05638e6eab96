/**
 * Putting the imported parts together into one validated vessel record: particulars, hydrostatic
 * rows, the tank list and any number of tank-table files (each giving the level table, the trim
 * table or the list table of some tanks).
 */
import type { Outcome, VesselIssue } from './errors.js';
import { parseHydrostaticsCsv, parseParticularsCsv, parseTankListCsv, parseTankTablesCsv, type TankListEntry, type TankTablePart } from './import-csv.js';
import { validateVesselRecord } from './record.js';
import { VESSEL_FORMAT, type HydrostaticRow, type Particulars, type Tank, type VesselRecord } from './schema.js';

export interface VesselParts {
  version: number;
  validFrom: string;
  particulars: Particulars;
  hydrostatics: HydrostaticRow[];
  tanks?: TankListEntry[];
  tables?: TankTablePart[];
  sourceFiles?: string[];
  note?: string;
}

export function assembleVessel(parts: VesselParts): Outcome<VesselRecord> {
  const errors: VesselIssue[] = [];
  const tanks = new Map<string, Tank & { sources: Partial<Record<'level' | 'trim' | 'list', string>> }>();
  for (const entry of parts.tanks ?? []) {
    const tank: Tank & { sources: Partial<Record<'level' | 'trim' | 'list', string>> } = { name: entry.name, contents: entry.contents, sources: {} };
    if (entry.reference_height_m !== undefined) tank.reference_height_m = entry.reference_height_m;
    if (entry.capacity_m3 !== undefined) tank.capacity_m3 = entry.capacity_m3;
    tanks.set(entry.name, tank);
  }
  for (const part of parts.tables ?? []) {
    const tank = tanks.get(part.tank);
    if (!tank) {
      errors.push({ code: 'VESSEL_TANK_UNKNOWN', source: part.source, tank: part.tank, message: `tank ${part.tank} has a table but is not in the tank list` });
      continue;
    }
    for (const slot of ['level', 'trim', 'list'] as const) {
      const table = part[slot];
      if (!table) continue;
      const earlier = tank.sources[slot];
      if (earlier) {
        errors.push({ code: 'VESSEL_TANK_DEFINED_TWICE', source: part.source, tank: part.tank, message: `tank ${part.tank}: its ${slot} table is already given by ${earlier}` });
        continue;
      }
      tank.sources[slot] = part.source;
      if (slot === 'level') tank.level = part.level!;
      else tank[slot] = part[slot]!;
    }
  }
  for (const [name, tank] of tanks) {
    if (!tank.level && tank.trim?.kind !== 'volume' && tank.list?.kind !== 'volume') {
      const entry = parts.tanks?.find((t) => t.name === name);
      errors.push({ code: 'VESSEL_TANK_NO_TABLE', ...(entry ? { source: entry.source, row: entry.row } : {}), tank: name, message: `tank ${name} has no volume table (a level table or a volume grid against trim or list)` });
    }
  }
  if (errors.length) return { ok: false, errors, warnings: [] };

  const record = {
    format: VESSEL_FORMAT,
    version: parts.version,
    validFrom: parts.validFrom,
    particulars: parts.particulars,
    hydrostatics: parts.hydrostatics,
    tanks: [...tanks.values()].map(({ sources: _sources, ...tank }) => tank),
    source: { files: parts.sourceFiles ?? [], ...(parts.note ? { note: parts.note } : {}) },
  };
  return validateVesselRecord(record);
}

export interface CsvFile {
  name: string;
  text: string;
}

export interface TankTableFile extends CsvFile {
  /** For a one-tank file without a `tank` column. */
  tank?: string;
  quantity?: 'volume_m3' | 'correction_mm' | 'correction_m3';
}

export interface VesselCsvFiles {
  particulars: CsvFile;
  hydrostatics: CsvFile;
  /** `tank,contents[,reference_height_m][,capacity_m3]`; required when there are tank tables. */
  tanks?: CsvFile;
  tankTables?: TankTableFile[];
}

/** Parses every file (reporting the errors of all of them at once) and assembles the record. */
export function importVesselCsv(files: VesselCsvFiles, meta: { version: number; validFrom: string; note?: string }): Outcome<VesselRecord> {
  const errors: VesselIssue[] = [];
  const warnings: VesselIssue[] = [];
  const take = <T>(o: Outcome<T>): T | undefined => {
    warnings.push(...o.warnings);
    if (!o.ok) {
      errors.push(...o.errors);
      return undefined;
    }
    return o.value;
  };
  const particulars = take(parseParticularsCsv(files.particulars.text, files.particulars.name));
  const hydrostatics = take(parseHydrostaticsCsv(files.hydrostatics.text, files.hydrostatics.name, particulars ? { lbp_m: particulars.lbp_m } : {}));
  const tanks = files.tanks ? take(parseTankListCsv(files.tanks.text, files.tanks.name)) : [];
  const referenceHeights = Object.fromEntries((tanks ?? []).filter((t) => t.reference_height_m !== undefined).map((t) => [t.name, t.reference_height_m!]));
  const tables: TankTablePart[] = [];
  for (const file of files.tankTables ?? []) {
    const parts = take(
      parseTankTablesCsv(file.text, file.name, {
        referenceHeights,
        ...(file.tank ? { tank: file.tank } : {}),
        ...(file.quantity ? { quantity: file.quantity } : {}),
      }),
    );
    if (parts) tables.push(...parts);
  }
  if (errors.length || !particulars || !hydrostatics || !tanks) return { ok: false, errors, warnings };
  const names = [files.particulars, files.hydrostatics, ...(files.tanks ? [files.tanks] : []), ...(files.tankTables ?? [])].map((f) => f.name);
  const record = assembleVessel({ ...meta, particulars, hydrostatics, tanks, tables, sourceFiles: names });
  return record.ok ? { ...record, warnings: [...warnings, ...record.warnings] } : { ...record, warnings: [...warnings, ...record.warnings] };
}
