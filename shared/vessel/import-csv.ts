/**
 * Importers for the files ships provide, from a Grid (a CSV file or an XLSX sheet):
 *
 *  hydrostatics   header `draft_m,displacement_t,tpc_t_cm,lcf_m[,mtc_tm_cm]`
 *  tank tables    long form, one value per row, self-describing by its header:
 *                   `tank,sounding_m,volume_m3`                       level table
 *                   `tank,sounding_m,trim_m,volume_m3`                kind 1, volume vs sounding × trim
 *                   `tank,sounding_m,list_deg,volume_m3`              kind 1 against list
 *                   `tank[,sounding_m],trim_m|list_deg,correction_mm` kind 2, sounding correction
 *                   `tank[,sounding_m],trim_m|list_deg,correction_m3` kind 3, volume correction
 *                 `ullage_m` may stand for `sounding_m` (converted with the tank's reference height);
 *                 wide form, one column per trim (or list):
 *                   `tank,sounding_m,trim_m=-1,trim_m=0,trim_m=1,…`   volumes (default)
 *                   `tank,sounding_m,correction_mm@trim_m=-1,…`       sounding corrections
 *                   `tank,sounding_m,correction_m3@list_deg=-1,…`     volume corrections
 *                 The `tank` column may be left out when the caller names the tank (one file per tank).
 *  particulars    header `field,value`, one particular per row (see PARTICULAR_FIELDS)
 *  tank list      header `tank,contents[,reference_height_m][,capacity_m3]`
 *
 * Checks, each error naming file, row and column: numbers with a decimal point; plausible ranges;
 * drafts and soundings strictly increasing in the file (per tank and trim); repeated keys;
 * displacement and volumes increasing with draft/sounding; a complete sounding × trim grid.
 */
import { exactDiff } from '../survey/decimal.js';
import type { Outcome, VesselIssue } from './errors.js';
import {
  cellNumber,
  checkRange,
  columnKey,
  csvToGrid,
  headerIndex,
  requiredNumber,
  type Grid,
  type GridRow,
} from './grid.js';
import {
  LIMITS,
  particularsSchema,
  TANK_CONTENTS,
  type AxisTable,
  type HydrostaticRow,
  type LevelTable,
  type Particulars,
  type TankContents,
} from './schema.js';

export type { Grid } from './grid.js';

function outcome<T>(value: T, errors: VesselIssue[], warnings: VesselIssue[]): Outcome<T> {
  return errors.length ? { ok: false, errors, warnings } : { ok: true, value, warnings };
}

function fromCsv<T>(text: string, source: string, parse: (grid: Grid) => Outcome<T>): Outcome<T> {
  const grid = csvToGrid(text, source);
  if (!grid.ok) return { ok: false, errors: [grid.error], warnings: [] };
  return parse(grid.grid);
}

// ------------------------------------------------------------------ hydrostatics

const HYDRO_REQUIRED = ['draft_m', 'displacement_t', 'tpc_t_cm', 'lcf_m'] as const;
const HYDRO_OPTIONAL = ['mtc_tm_cm'] as const;

export interface HydrostaticsOptions {
  /** When known, LCF values are checked against it (|LCF| ≤ LBP). */
  lbp_m?: number;
  /** Relative difference between Δ steps and TPC·100·Δdraft above which a warning is raised (default 0.05). */
  tpcTolerance?: number;
}

export function parseHydrostaticsGrid(grid: Grid, options: HydrostaticsOptions = {}): Outcome<HydrostaticRow[]> {
  const errors: VesselIssue[] = [];
  const warnings: VesselIssue[] = [];
  const index = headerIndex(grid, errors);
  for (const column of HYDRO_REQUIRED) {
    if (!index.has(column)) errors.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, column, message: `required column "${column}" is missing; the header is ${HYDRO_REQUIRED.join(',')}[,mtc_tm_cm]` });
  }
  for (const [key, i] of index) {
    if (!(HYDRO_REQUIRED as readonly string[]).includes(key) && !(HYDRO_OPTIONAL as readonly string[]).includes(key)) {
      warnings.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, column: grid.header[i] ?? key, message: `column "${grid.header[i]}" is not used and is ignored` });
    }
  }
  if (errors.length) return { ok: false, errors, warnings };

  const lcfLimit = options.lbp_m ?? 500;
  const parsed: { row: GridRow; value: HydrostaticRow }[] = [];
  for (const row of grid.rows) {
    const rowErrors: VesselIssue[] = [];
    const draft = requiredNumber(grid, row, index.get('draft_m')!, 'draft_m', rowErrors, LIMITS.draft_m);
    const displacement = requiredNumber(grid, row, index.get('displacement_t')!, 'displacement_t', rowErrors, { ...LIMITS.displacement_t, exclusiveMin: true });
    const tpc = requiredNumber(grid, row, index.get('tpc_t_cm')!, 'tpc_t_cm', rowErrors, { ...LIMITS.tpc_t_cm, exclusiveMin: true });
    const lcf = requiredNumber(grid, row, index.get('lcf_m')!, 'lcf_m', rowErrors, { min: -lcfLimit, max: lcfLimit });
    let mtc: number | undefined;
    const mtcIndex = index.get('mtc_tm_cm');
    if (mtcIndex !== undefined) {
      const cell = cellNumber(grid, row, mtcIndex, 'mtc_tm_cm');
      if (!cell.ok) rowErrors.push(cell.issue);
      else if (cell.value !== undefined) mtc = checkRange(grid, row, 'mtc_tm_cm', cell.value, rowErrors, { ...LIMITS.mtc_tm_cm, exclusiveMin: true });
    }
    errors.push(...rowErrors);
    if (rowErrors.length || draft === undefined || displacement === undefined || tpc === undefined || lcf === undefined) continue;
    const value: HydrostaticRow = { draft_m: draft, displacement_t: displacement, tpc_t_cm: tpc, lcf_m: lcf };
    if (mtc !== undefined) value.mtc_tm_cm = mtc;
    parsed.push({ row, value });
  }

  for (let k = 1; k < parsed.length; k++) {
    const prev = parsed[k - 1]!;
    const cur = parsed[k]!;
    const at = { source: grid.source, row: cur.row.row };
    if (cur.value.draft_m === prev.value.draft_m) {
      const same = JSON.stringify(cur.value) === JSON.stringify(prev.value);
      errors.push({ ...at, code: 'VESSEL_ROW_DUPLICATE', column: 'draft_m', message: `draft ${cur.value.draft_m} m repeats row ${prev.row.row}${same ? ' (the whole row is a duplicate)' : ' with different values'}` });
    } else if (cur.value.draft_m < prev.value.draft_m) {
      errors.push({ ...at, code: 'VESSEL_NOT_MONOTONIC', column: 'draft_m', message: `draft ${cur.value.draft_m} m follows ${prev.value.draft_m} m (row ${prev.row.row}); drafts must be strictly increasing` });
    } else if (!(cur.value.displacement_t > prev.value.displacement_t)) {
      errors.push({ ...at, code: 'VESSEL_DISPLACEMENT_DECREASING', column: 'displacement_t', message: `displacement ${cur.value.displacement_t} t at ${cur.value.draft_m} m is not above ${prev.value.displacement_t} t at ${prev.value.draft_m} m (row ${prev.row.row})` });
    } else {
      // Δ between rows ≈ mean TPC × 100 × Δdraft: a typo in either column shows up here.
      const expected = ((prev.value.tpc_t_cm + cur.value.tpc_t_cm) / 2) * 100 * exactDiff(cur.value.draft_m, prev.value.draft_m);
      const actual = exactDiff(cur.value.displacement_t, prev.value.displacement_t);
      const tolerance = options.tpcTolerance ?? 0.05;
      if (Math.abs(actual - expected) > tolerance * expected) {
        warnings.push({ ...at, code: 'VESSEL_VALUE_IMPLAUSIBLE', column: 'displacement_t', message: `displacement rises ${actual.toFixed(1)} t from row ${prev.row.row}, but the TPC implies about ${expected.toFixed(1)} t; check both columns` });
      }
    }
  }
  if (!errors.length && parsed.length < 2) errors.push({ code: 'VESSEL_TABLE_TOO_SHORT', source: grid.source, message: `a hydrostatic table needs at least two rows, found ${parsed.length}` });
  return outcome(parsed.map((p) => p.value), errors, warnings);
}

export function parseHydrostaticsCsv(text: string, source: string, options: HydrostaticsOptions = {}): Outcome<HydrostaticRow[]> {
  return fromCsv(text, source, (grid) => parseHydrostaticsGrid(grid, options));
}

// ------------------------------------------------------------------ tank tables

type Quantity = 'volume_m3' | 'correction_mm' | 'correction_m3';
type Axis = 'trim_m' | 'list_deg';
type LevelKey = 'sounding_m' | 'ullage_m';

/** One tank's share of a table file: at most one of level / trim / list is set. */
export interface TankTablePart {
  tank: string;
  source: string;
  level?: LevelTable;
  trim?: AxisTable;
  list?: AxisTable;
}

export interface TankTableOptions {
  /** Tank name for files without a `tank` column (one file per tank). */
  tank?: string;
  /** Quantity of wide-form value columns without a `quantity@` prefix (default volume_m3). */
  quantity?: Quantity;
  /** Reference heights (m) for tables indexed by ullage, by tank name. */
  referenceHeights?: Readonly<Record<string, number>>;
}

interface Entry {
  row: number;
  column: string;
  level: number | undefined; // sounding or ullage as in the file; undefined for sounding-independent corrections
  axis: number | undefined; // trim or list; undefined for a level table
  value: number;
}

const QUANTITY_LIMITS: Record<Quantity, { min: number; max: number }> = {
  volume_m3: LIMITS.volume_m3,
  correction_mm: LIMITS.sounding_correction_mm,
  correction_m3: LIMITS.volume_correction_m3,
};
const AXIS_LIMITS: Record<Axis, { min: number; max: number }> = { trim_m: LIMITS.trim_m, list_deg: LIMITS.list_deg };
const WIDE_COLUMN = /^(?:(volume_m3|correction_mm|correction_m3)\s*@\s*)?(trim_m|list_deg)\s*=\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;

export function parseTankTablesGrid(grid: Grid, options: TankTableOptions = {}): Outcome<TankTablePart[]> {
  const errors: VesselIssue[] = [];
  const warnings: VesselIssue[] = [];
  const index = headerIndex(grid, errors);
  const headerIssue = (message: string, column?: string): VesselIssue => ({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, ...(column ? { column } : {}), message });

  const tankCol = index.get('tank');
  if (tankCol === undefined && !options.tank) errors.push(headerIssue('a "tank" column is required (or name the tank when importing a one-tank file)', 'tank'));
  const levelKeys = (['sounding_m', 'ullage_m'] as const).filter((k) => index.has(k));
  if (levelKeys.length > 1) errors.push(headerIssue('give either sounding_m or ullage_m, not both'));
  const levelKey: LevelKey | undefined = levelKeys[0];

  // Wide columns (quantity@axis=value), else long form.
  const wide: { col: number; header: string; quantity: Quantity; axis: Axis; value: number }[] = [];
  grid.header.forEach((cell, col) => {
    const m = WIDE_COLUMN.exec(columnKey(cell));
    if (m) wide.push({ col, header: cell, quantity: (m[1] as Quantity | undefined) ?? options.quantity ?? 'volume_m3', axis: m[2] as Axis, value: Number(m[3]) });
  });
  const quantities = (['volume_m3', 'correction_mm', 'correction_m3'] as const).filter((q) => index.has(q));
  const axesLong = (['trim_m', 'list_deg'] as const).filter((a) => index.has(a));

  let quantity: Quantity | undefined;
  let axis: Axis | undefined;
  if (wide.length) {
    if (quantities.length || axesLong.length) errors.push(headerIssue('mixes wide columns (trim_m=…) with long-form columns (trim_m, volume_m3); use one form per file'));
    const q = new Set(wide.map((w) => w.quantity));
    const a = new Set(wide.map((w) => w.axis));
    if (q.size > 1 || a.size > 1) errors.push(headerIssue('all wide columns of a file must hold one quantity against one axis (trim_m or list_deg)'));
    quantity = wide[0]!.quantity;
    axis = wide[0]!.axis;
    if (wide.length < 2) errors.push(headerIssue('a wide table needs at least two trim (or list) columns'));
    const seen = new Map<number, string>();
    for (const w of wide) {
      const first = seen.get(w.value);
      if (first !== undefined) errors.push(headerIssue(`columns "${first}" and "${w.header}" are the same ${w.axis}`, w.header));
      else seen.set(w.value, w.header);
      if (w.value < AXIS_LIMITS[w.axis].min || w.value > AXIS_LIMITS[w.axis].max) errors.push(headerIssue(`${w.axis} ${w.value} lies outside the plausible range [${AXIS_LIMITS[w.axis].min}, ${AXIS_LIMITS[w.axis].max}]`, w.header));
    }
  } else {
    if (quantities.length !== 1) errors.push(headerIssue(`exactly one value column is required: volume_m3, correction_mm or correction_m3 (or wide columns trim_m=…); found ${quantities.length ? quantities.join(', ') : 'none'}`));
    if (axesLong.length > 1) errors.push(headerIssue('give either trim_m or list_deg, not both'));
    quantity = quantities[0];
    axis = axesLong[0];
  }
  for (const [key, col] of index) {
    const known = ['tank', 'sounding_m', 'ullage_m', 'trim_m', 'list_deg', 'volume_m3', 'correction_mm', 'correction_m3'].includes(key) || wide.some((w) => w.col === col);
    if (!known) warnings.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, column: grid.header[col] ?? key, message: `column "${grid.header[col]}" is not used and is ignored` });
  }
  if (quantity === 'volume_m3' && !levelKey) errors.push(headerIssue('a volume table needs a sounding_m (or ullage_m) column'));
  if (quantity !== undefined && quantity !== 'volume_m3' && !axis) errors.push(headerIssue('a correction table needs a trim_m or list_deg column'));
  if (errors.length || quantity === undefined) return { ok: false, errors, warnings };

  // Rows → entries per tank.
  const byTank = new Map<string, Entry[]>();
  const order: string[] = [];
  for (const row of grid.rows) {
    const tank = tankCol === undefined ? options.tank! : (row.cells[tankCol] ?? '').trim();
    if (tank === '') {
      errors.push({ code: 'VESSEL_CELL_EMPTY', source: grid.source, row: row.row, column: 'tank', message: 'the tank name is empty' });
      continue;
    }
    const rowErrors: VesselIssue[] = [];
    const level = levelKey ? requiredNumber(grid, row, index.get(levelKey)!, levelKey, rowErrors, LIMITS.sounding_m) : undefined;
    const entries: Entry[] = [];
    if (wide.length) {
      for (const w of wide) {
        const cell = cellNumber(grid, row, w.col, w.header);
        if (!cell.ok) rowErrors.push(cell.issue);
        else if (cell.value === undefined) {
          rowErrors.push({ code: 'VESSEL_GRID_INCOMPLETE', source: grid.source, row: row.row, column: w.header, message: `tank ${tank}: no value for ${w.axis} ${w.value} at ${levelKey} ${level ?? '?'}` });
        } else {
          const v = checkRange(grid, row, w.header, cell.value, rowErrors, QUANTITY_LIMITS[quantity]);
          if (v !== undefined) entries.push({ row: row.row, column: w.header, level, axis: w.value, value: v });
        }
      }
    } else {
      const a = axis ? requiredNumber(grid, row, index.get(axis)!, axis, rowErrors, AXIS_LIMITS[axis]) : undefined;
      const v = requiredNumber(grid, row, index.get(quantity)!, quantity, rowErrors, QUANTITY_LIMITS[quantity]);
      if (v !== undefined) entries.push({ row: row.row, column: quantity, level, axis: a, value: v });
    }
    errors.push(...rowErrors);
    if (rowErrors.length) continue;
    if (!byTank.has(tank)) {
      byTank.set(tank, []);
      order.push(tank);
    }
    byTank.get(tank)!.push(...entries);
  }
  if (errors.length) return { ok: false, errors, warnings };

  const parts: TankTablePart[] = [];
  for (const tank of order) {
    const part = buildTankPart(grid, tank, byTank.get(tank)!, { quantity, axis, levelKey }, options, errors);
    if (part) parts.push(part);
  }
  if (!errors.length && parts.length === 0) errors.push({ code: 'VESSEL_TABLE_TOO_SHORT', source: grid.source, message: 'the file has no data rows' });
  return outcome(parts, errors, warnings);
}

function buildTankPart(
  grid: Grid,
  tank: string,
  entries: Entry[],
  shape: { quantity: Quantity; axis: Axis | undefined; levelKey: LevelKey | undefined },
  options: TankTableOptions,
  errors: VesselIssue[],
): TankTablePart | undefined {
  const before = errors.length;
  const src = grid.source;
  const { quantity, axis, levelKey } = shape;
  const axisName = axis === 'list_deg' ? 'list' : 'trim';

  // Duplicates of (level, axis), and the level strictly increasing in the file within each axis value.
  const seen = new Map<string, Entry>();
  const lastByAxis = new Map<number | undefined, Entry>();
  for (const e of entries) {
    const key = `${e.level}|${e.axis}`;
    const first = seen.get(key);
    if (first) {
      const what = [levelKey && `${levelKey} ${e.level}`, axis && `${axis} ${e.axis}`].filter(Boolean).join(', ');
      errors.push({ code: 'VESSEL_ROW_DUPLICATE', source: src, row: e.row, column: e.column, message: `tank ${tank}: ${what} repeats row ${first.row}${first.value === e.value ? '' : ` with a different value (${first.value} vs ${e.value})`}` });
      continue;
    }
    seen.set(key, e);
    const last = lastByAxis.get(e.axis);
    if (last && levelKey && e.level !== undefined && last.level !== undefined && !(e.level > last.level)) {
      errors.push({ code: 'VESSEL_NOT_MONOTONIC', source: src, row: e.row, column: levelKey, message: `tank ${tank}: ${levelKey} ${e.level} follows ${last.level} (row ${last.row})${axis ? ` at ${axis} ${e.axis}` : ''}; it must increase down the file` });
    }
    lastByAxis.set(e.axis, e);
  }
  if (errors.length > before) return undefined;

  // Axes of the grid, and completeness.
  const levels = [...new Set(entries.map((e) => e.level))].filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const axes = [...new Set(entries.map((e) => e.axis))].filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (levelKey && levels.length < 2) {
    errors.push({ code: 'VESSEL_TABLE_TOO_SHORT', source: src, message: `tank ${tank}: a table needs at least two ${levelKey} values, found ${levels.length}` });
    return undefined;
  }
  if (axis && axes.length < 2) {
    errors.push({ code: 'VESSEL_GRID_INCOMPLETE', source: src, column: axis, message: `tank ${tank}: a ${axisName} table needs at least two ${axis} values, found ${axes.length}` });
    return undefined;
  }
  const value = new Map(entries.map((e) => [`${e.level}|${e.axis}`, e]));
  const levelList: (number | undefined)[] = levelKey ? levels : [undefined];
  const axisList: (number | undefined)[] = axis ? axes : [undefined];
  for (const l of levelList) {
    for (const a of axisList) {
      if (!value.has(`${l}|${a}`)) {
        const rowHint = entries.find((e) => e.level === l);
        errors.push({
          code: 'VESSEL_GRID_INCOMPLETE',
          source: src,
          ...(rowHint ? { row: rowHint.row } : {}),
          column: axis ?? levelKey ?? '',
          message: `tank ${tank}: no value at ${[levelKey && `${levelKey} ${l}`, axis && `${axis} ${a}`].filter(Boolean).join(', ')} (missing ${axis ? axisName : 'row'})`,
        });
      }
    }
  }
  if (errors.length > before) return undefined;

  // Volumes must not decrease as the sounding rises (checked in file order = increasing level).
  if (quantity === 'volume_m3') {
    for (const a of axisList) {
      let prev: Entry | undefined;
      for (const l of levels) {
        const e = value.get(`${l}|${a}`)!;
        if (prev) {
          const rising = levelKey === 'ullage_m' ? e.value > prev.value : e.value < prev.value;
          if (rising) {
            errors.push({
              code: 'VESSEL_VOLUME_DECREASING',
              source: src,
              row: e.row,
              column: e.column,
              message: `tank ${tank}: volume ${e.value} m³ at ${levelKey} ${l} ${levelKey === 'ullage_m' ? 'exceeds' : 'is below'} ${prev.value} m³ at ${levelKey} ${prev.level} (row ${prev.row})${axis ? ` (${axis} ${a})` : ''}; volume must not decrease as the sounding rises`,
            });
          }
        }
        prev = e;
      }
    }
  }
  if (errors.length > before) return undefined;

  // Ullage → sounding with the reference height, then order by increasing sounding.
  let soundings: number[] = levels;
  let levelOrder: (number | undefined)[] = levelList;
  if (levelKey === 'ullage_m') {
    const ref = options.referenceHeights?.[tank];
    if (ref === undefined) {
      errors.push({ code: 'TANK_ULLAGE_NO_REFERENCE', source: src, column: 'ullage_m', message: `tank ${tank}: the table is by ullage but the tank list gives no reference_height_m to convert it to soundings` });
      return undefined;
    }
    const tooDeep = levels.find((u) => u > ref);
    if (tooDeep !== undefined) {
      errors.push({ code: 'VESSEL_VALUE_IMPLAUSIBLE', source: src, row: entries.find((e) => e.level === tooDeep)?.row ?? 0, column: 'ullage_m', message: `tank ${tank}: ullage ${tooDeep} m exceeds the reference height ${ref} m` });
      return undefined;
    }
    levelOrder = [...levels].reverse();
    soundings = levelOrder.map((u) => exactDiff(ref, u!));
  }
  const matrix = levelOrder.map((l) => axisList.map((a) => value.get(`${l}|${a}`)!.value));

  const part: TankTablePart = { tank, source: src };
  if (!axis) {
    part.level = { soundings_m: soundings, volumes_m3: matrix.map((r) => r[0]!) };
    return part;
  }
  let table: AxisTable;
  if (quantity === 'volume_m3') table = { kind: 'volume', soundings_m: soundings, axis_values: axes, volumes_m3: matrix };
  else if (quantity === 'correction_mm') table = { kind: 'sounding_correction', axis_values: axes, corrections_mm: matrix, ...(levelKey ? { soundings_m: soundings } : {}) };
  else table = { kind: 'volume_correction', axis_values: axes, corrections_m3: matrix, ...(levelKey ? { soundings_m: soundings } : {}) };
  if (axis === 'trim_m') part.trim = table;
  else part.list = table;
  return part;
}

export function parseTankTablesCsv(text: string, source: string, options: TankTableOptions = {}): Outcome<TankTablePart[]> {
  return fromCsv(text, source, (grid) => parseTankTablesGrid(grid, options));
}

// ------------------------------------------------------------------ particulars

/** Rows of a particulars file: field name → where it goes. */
export const PARTICULAR_FIELDS = {
  name: { kind: 'text', required: true },
  imo: { kind: 'text', required: true },
  call_sign: { kind: 'text', required: false },
  flag: { kind: 'text', required: false },
  lbp_m: { kind: 'number', required: true },
  breadth_m: { kind: 'number', required: false },
  lightship_t: { kind: 'number', required: false },
  keel_plate_m: { kind: 'number', required: false },
  table_density_t_m3: { kind: 'number', required: false },
  lcf_from: { kind: 'text', required: true },
  lcf_positive: { kind: 'text', required: true },
  mark_fwd_distance_m: { kind: 'number', required: true },
  mark_fwd_side: { kind: 'text', required: true },
  mark_mid_distance_m: { kind: 'number', required: true },
  mark_mid_side: { kind: 'text', required: true },
  mark_aft_distance_m: { kind: 'number', required: true },
  mark_aft_side: { kind: 'text', required: true },
} as const;

type ParticularField = keyof typeof PARTICULAR_FIELDS;

function fieldOfPath(path: readonly PropertyKey[]): ParticularField | undefined {
  const [a, b, c] = path.map(String);
  if (a === 'lcf') return b === 'from' ? 'lcf_from' : 'lcf_positive';
  if (a === 'marks' && b) return `mark_${b}_${c === 'side' ? 'side' : 'distance_m'}` as ParticularField;
  return a && a in PARTICULAR_FIELDS ? (a as ParticularField) : undefined;
}

export function parseParticularsGrid(grid: Grid): Outcome<Particulars> {
  const errors: VesselIssue[] = [];
  const warnings: VesselIssue[] = [];
  const index = headerIndex(grid, errors);
  const fieldCol = index.get('field');
  const valueCol = index.get('value');
  if (fieldCol === undefined || valueCol === undefined) {
    errors.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, message: 'the header must be field,value' });
    return { ok: false, errors, warnings };
  }
  const rowOf = new Map<ParticularField, GridRow>();
  const text: Partial<Record<ParticularField, string>> = {};
  const numbers: Partial<Record<ParticularField, number>> = {};
  for (const row of grid.rows) {
    const field = columnKey(row.cells[fieldCol] ?? '');
    if (!(field in PARTICULAR_FIELDS)) {
      errors.push({ code: 'VESSEL_FIELD_UNKNOWN', source: grid.source, row: row.row, column: 'field', message: `unknown field "${row.cells[fieldCol]}"; known: ${Object.keys(PARTICULAR_FIELDS).join(', ')}` });
      continue;
    }
    const key = field as ParticularField;
    const first = rowOf.get(key);
    if (first) {
      errors.push({ code: 'VESSEL_ROW_DUPLICATE', source: grid.source, row: row.row, column: 'field', message: `field ${key} is already given in row ${first.row}` });
      continue;
    }
    rowOf.set(key, row);
    const raw = (row.cells[valueCol] ?? '').trim();
    if (raw === '') {
      if (PARTICULAR_FIELDS[key].required) errors.push({ code: 'VESSEL_CELL_EMPTY', source: grid.source, row: row.row, column: 'value', message: `${key} is required` });
      continue;
    }
    if (PARTICULAR_FIELDS[key].kind === 'number') {
      const cell = cellNumber(grid, row, valueCol, 'value');
      if (!cell.ok) errors.push({ ...cell.issue, message: `${key}: ${cell.issue.message}` });
      else if (cell.value !== undefined) numbers[key] = cell.value;
    } else {
      text[key] = raw;
    }
  }
  for (const [key, def] of Object.entries(PARTICULAR_FIELDS) as [ParticularField, (typeof PARTICULAR_FIELDS)[ParticularField]][]) {
    if (def.required && !rowOf.has(key)) errors.push({ code: 'VESSEL_FIELD_MISSING', source: grid.source, column: 'field', message: `required field ${key} is missing` });
  }
  if (errors.length) return { ok: false, errors, warnings };

  const candidate = {
    name: text.name,
    imo: text.imo,
    call_sign: text.call_sign,
    flag: text.flag,
    lbp_m: numbers.lbp_m,
    breadth_m: numbers.breadth_m,
    lightship_t: numbers.lightship_t,
    keel_plate_m: numbers.keel_plate_m,
    table_density_t_m3: numbers.table_density_t_m3,
    lcf: { from: text.lcf_from?.toLowerCase(), positive: text.lcf_positive?.toLowerCase() },
    marks: {
      fwd: { distance_m: numbers.mark_fwd_distance_m, side: text.mark_fwd_side?.toLowerCase() },
      mid: { distance_m: numbers.mark_mid_distance_m, side: text.mark_mid_side?.toLowerCase() },
      aft: { distance_m: numbers.mark_aft_distance_m, side: text.mark_aft_side?.toLowerCase() },
    },
  };
  const parsed = particularsSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfPath(issue.path);
      const row = field ? rowOf.get(field) : undefined;
      const reason = issue.code === 'custom' ? (issue as { params?: { reason?: string } }).params?.reason : undefined;
      const code = reason === 'format' ? 'VESSEL_IMO_FORMAT' : reason === 'check_digit' ? 'VESSEL_IMO_CHECK_DIGIT' : issue.code === 'too_small' || issue.code === 'too_big' ? 'VESSEL_VALUE_IMPLAUSIBLE' : 'VESSEL_FIELD_INVALID';
      errors.push({ code, source: grid.source, ...(row ? { row: row.row } : {}), column: 'value', message: `${field ?? issue.path.join('.')}: ${issue.message}` });
    }
    return { ok: false, errors, warnings };
  }
  return { ok: true, value: parsed.data, warnings };
}

export function parseParticularsCsv(text: string, source: string): Outcome<Particulars> {
  return fromCsv(text, source, parseParticularsGrid);
}

// ------------------------------------------------------------------ tank list

export interface TankListEntry {
  name: string;
  contents: TankContents;
  reference_height_m?: number;
  capacity_m3?: number;
  row: number;
  source: string;
}

export function parseTankListGrid(grid: Grid): Outcome<TankListEntry[]> {
  const errors: VesselIssue[] = [];
  const warnings: VesselIssue[] = [];
  const index = headerIndex(grid, errors);
  for (const column of ['tank', 'contents']) {
    if (!index.has(column)) errors.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, column, message: `required column "${column}" is missing; the header is tank,contents[,reference_height_m][,capacity_m3]` });
  }
  if (errors.length) return { ok: false, errors, warnings };
  const out: TankListEntry[] = [];
  const seen = new Map<string, number>();
  for (const row of grid.rows) {
    const name = (row.cells[index.get('tank')!] ?? '').trim();
    const contents = columnKey(row.cells[index.get('contents')!] ?? '');
    if (name === '') {
      errors.push({ code: 'VESSEL_CELL_EMPTY', source: grid.source, row: row.row, column: 'tank', message: 'the tank name is empty' });
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      errors.push({ code: 'VESSEL_ROW_DUPLICATE', source: grid.source, row: row.row, column: 'tank', message: `tank ${name} is already listed in row ${first}` });
      continue;
    }
    seen.set(name, row.row);
    if (!(TANK_CONTENTS as readonly string[]).includes(contents)) {
      errors.push({ code: 'VESSEL_FIELD_INVALID', source: grid.source, row: row.row, column: 'contents', message: `"${row.cells[index.get('contents')!]}" is not one of ${TANK_CONTENTS.join(', ')}` });
      continue;
    }
    const entry: TankListEntry = { name, contents: contents as TankContents, row: row.row, source: grid.source };
    for (const [column, limits] of [
      ['reference_height_m', { min: 0, max: LIMITS.sounding_m.max, exclusiveMin: true }],
      ['capacity_m3', { min: 0, max: LIMITS.volume_m3.max, exclusiveMin: true }],
    ] as const) {
      const col = index.get(column);
      if (col === undefined) continue;
      const cell = cellNumber(grid, row, col, column);
      if (!cell.ok) errors.push(cell.issue);
      else if (cell.value !== undefined) {
        const v = checkRange(grid, row, column, cell.value, errors, limits);
        if (v !== undefined) entry[column] = v;
      }
    }
    out.push(entry);
  }
  return outcome(out, errors, warnings);
}

export function parseTankListCsv(text: string, source: string): Outcome<TankListEntry[]> {
  return fromCsv(text, source, parseTankListGrid);
}
