/**
 * Vessel library from and to XLSX workbooks (exceljs). The workbook is handed in as a Buffer and
 * handed back as a Buffer: no file I/O here. Each sheet becomes a Grid and goes through the same
 * parsers as the CSV files (shared/vessel/import-csv.ts), so the rules and error messages are the
 * same; errors name "file.xlsx#sheet", the spreadsheet row and the column header.
 *
 * Workbook layout:
 *   particulars   field,value
 *   hydrostatics  draft_m,displacement_t,tpc_t_cm,lcf_m[,mtc_tm_cm]
 *   tanks         tank,contents[,reference_height_m][,capacity_m3]    (needed when there are tank tables)
 *   any other sheet: a tank table, long or wide form; without a `tank` column the sheet's name is
 *   the tank's name. Sheets whose name starts with "_" or "#" are ignored (notes).
 * Rows that are empty or whose first cell starts with "#" are skipped.
 */
import ExcelJS from 'exceljs';
import { assembleVessel } from '../../shared/vessel/assemble.js';
import type { Outcome, VesselIssue } from '../../shared/vessel/errors.js';
import type { Grid, GridRow } from '../../shared/vessel/grid.js';
import {
  parseHydrostaticsGrid,
  parseParticularsGrid,
  parseTankListGrid,
  parseTankTablesGrid,
  PARTICULAR_FIELDS,
  type TankTablePart,
} from '../../shared/vessel/import-csv.js';
import type { AxisTable, VesselRecord } from '../../shared/vessel/schema.js';

const RESERVED = new Set(['particulars', 'hydrostatics', 'tanks']);

/** A cell's value as the text a CSV would hold; numbers keep their shortest round-trip digits. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('hyperlink' in value) return String((value as ExcelJS.CellHyperlinkValue).text ?? '');
    if ('error' in value) return String((value as ExcelJS.CellErrorValue).error);
  }
  return String(value);
}

export function worksheetToGrid(sheet: ExcelJS.Worksheet, fileName: string): Grid | undefined {
  const source = `${fileName}#${sheet.name}`;
  const rows: GridRow[] = [];
  const width = sheet.columnCount;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value).trim());
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    if (cells.length === 0 || (cells[0] ?? '').startsWith('#')) return;
    rows.push({ row: rowNumber, cells });
  });
  const [header, ...data] = rows;
  if (!header) return undefined;
  return { source, headerRow: header.row, header: header.cells, rows: data };
}

export interface XlsxMeta {
  version: number;
  validFrom: string;
  note?: string;
}

/** Reads a ship's workbook into a validated vessel record; every error of every sheet at once. */
export async function importVesselXlsx(data: Uint8Array | ArrayBuffer, fileName: string, meta: XlsxMeta): Promise<Outcome<VesselRecord>> {
  const workbook = new ExcelJS.Workbook();
  try {
    const bytes = data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (error) {
    return { ok: false, errors: [{ code: 'VESSEL_WORKBOOK_UNREADABLE', source: fileName, message: `not a readable XLSX workbook: ${(error as Error).message}` }], warnings: [] };
  }
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
  const sheetByName = new Map(workbook.worksheets.map((ws) => [ws.name.trim().toLowerCase(), ws]));
  const grid = (name: string, required: boolean): Grid | undefined => {
    const ws = sheetByName.get(name);
    const g = ws ? worksheetToGrid(ws, fileName) : undefined;
    if (!g && required) errors.push({ code: 'VESSEL_SHEET_MISSING', source: fileName, message: `the workbook needs a sheet named "${name}" with a header row` });
    return g;
  };

  const particularsGrid = grid('particulars', true);
  const particulars = particularsGrid ? take(parseParticularsGrid(particularsGrid)) : undefined;
  const hydroGrid = grid('hydrostatics', true);
  const hydrostatics = hydroGrid ? take(parseHydrostaticsGrid(hydroGrid, particulars ? { lbp_m: particulars.lbp_m } : {})) : undefined;
  const tanksGrid = grid('tanks', false);
  const tanks = tanksGrid ? take(parseTankListGrid(tanksGrid)) : [];
  const referenceHeights = Object.fromEntries((tanks ?? []).filter((t) => t.reference_height_m !== undefined).map((t) => [t.name, t.reference_height_m!]));
  const tables: TankTablePart[] = [];
  for (const ws of workbook.worksheets) {
    const name = ws.name.trim();
    if (RESERVED.has(name.toLowerCase()) || name.startsWith('_') || name.startsWith('#')) continue;
    const g = worksheetToGrid(ws, fileName);
    if (!g) continue;
    const parts = take(parseTankTablesGrid(g, { tank: name, referenceHeights }));
    if (parts) tables.push(...parts);
  }
  if (errors.length || !particulars || !hydrostatics || !tanks) return { ok: false, errors, warnings };
  const record = assembleVessel({ ...meta, particulars, hydrostatics, tanks, tables, sourceFiles: [fileName] });
  return { ...record, warnings: [...warnings, ...record.warnings] };
}

// ------------------------------------------------------------------ writing

type Row = (string | number)[];

function particularRows(record: VesselRecord): Row[] {
  const p = record.particulars;
  const values: Record<keyof typeof PARTICULAR_FIELDS, string | number | undefined> = {
    name: p.name,
    imo: p.imo,
    call_sign: p.call_sign,
    flag: p.flag,
    lbp_m: p.lbp_m,
    breadth_m: p.breadth_m,
    lightship_t: p.lightship_t,
    keel_plate_m: p.keel_plate_m,
    table_density_t_m3: p.table_density_t_m3,
    lcf_from: p.lcf.from,
    lcf_positive: p.lcf.positive,
    mark_fwd_distance_m: p.marks.fwd.distance_m,
    mark_fwd_side: p.marks.fwd.side,
    mark_mid_distance_m: p.marks.mid.distance_m,
    mark_mid_side: p.marks.mid.side,
    mark_aft_distance_m: p.marks.aft.distance_m,
    mark_aft_side: p.marks.aft.side,
  };
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, v!]);
}

function axisSheet(tank: string, axis: 'trim_m' | 'list_deg', table: AxisTable): Row[] {
  const [quantity, values] =
    table.kind === 'volume' ? (['volume_m3', table.volumes_m3] as const) : table.kind === 'sounding_correction' ? (['correction_mm', table.corrections_mm] as const) : (['correction_m3', table.corrections_m3] as const);
  if (table.soundings_m === undefined) {
    return [['tank', axis, quantity], ...table.axis_values.map((a, j) => [tank, a, values[0]![j]!])];
  }
  const soundings = table.soundings_m;
  return [['tank', 'sounding_m', ...table.axis_values.map((a) => `${quantity}@${axis}=${a}`)], ...soundings.map((s, i) => [tank, s, ...values[i]!])];
}

/** Writes a record as a workbook in the layout `importVesselXlsx` reads (one sheet per tank table). */
export async function vesselToXlsx(record: VesselRecord): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Quayside';
  const add = (name: string, rows: Row[]): void => {
    const ws = workbook.addWorksheet(name);
    for (const row of rows) ws.addRow(row);
  };
  add('particulars', [['field', 'value'], ...particularRows(record)]);
  add('hydrostatics', [
    ['draft_m', 'displacement_t', 'tpc_t_cm', 'lcf_m', 'mtc_tm_cm'],
    ...record.hydrostatics.map((r) => [r.draft_m, r.displacement_t, r.tpc_t_cm, r.lcf_m, ...(r.mtc_tm_cm !== undefined ? [r.mtc_tm_cm] : [])]),
  ]);
  add('tanks', [['tank', 'contents', 'reference_height_m', 'capacity_m3'], ...record.tanks.map((t) => [t.name, t.contents, t.reference_height_m ?? '', t.capacity_m3 ?? ''])]);
  let n = 0;
  const sheetName = (): string => `table ${String(++n).padStart(3, '0')}`;
  for (const tank of record.tanks) {
    if (tank.level) add(sheetName(), [['tank', 'sounding_m', 'volume_m3'], ...tank.level.soundings_m.map((s, i) => [tank.name, s, tank.level!.volumes_m3[i]!])]);
    if (tank.trim) add(sheetName(), axisSheet(tank.name, 'trim_m', tank.trim));
    if (tank.list) add(sheetName(), axisSheet(tank.name, 'list_deg', tank.list));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
