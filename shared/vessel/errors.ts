/**
 * Errors of the vessel library: importing ship files, validating the record, reading tanks.
 * Every issue says where: the file (or workbook sheet), the row as the person sees it in an editor
 * or spreadsheet (1-based, header included), and the column name — or the JSON path for records.
 */
export const VESSEL_ERROR_CODES = {
  VESSEL_CSV_SYNTAX: 'the CSV text is malformed (unterminated quote, stray quote)',
  VESSEL_HEADER: 'the header row lacks a required column, has an unknown or repeated one',
  VESSEL_NOT_A_NUMBER: 'a cell that must hold a number does not (decimal point, not comma)',
  VESSEL_CELL_EMPTY: 'a required cell is empty',
  VESSEL_ROW_DUPLICATE: 'a row repeats the key (draft, sounding and trim/list, or field) of an earlier row',
  VESSEL_NOT_MONOTONIC: 'drafts or soundings are not strictly increasing',
  VESSEL_VOLUME_DECREASING: 'a tank volume decreases as the sounding increases',
  VESSEL_DISPLACEMENT_DECREASING: 'displacement does not increase with draft',
  VESSEL_VALUE_IMPLAUSIBLE: 'a value lies outside its plausible range',
  VESSEL_GRID_INCOMPLETE: 'a tank table lacks a trim (or list) value at some sounding, or a sounding at some trim',
  VESSEL_TABLE_TOO_SHORT: 'a table has fewer than two rows',
  VESSEL_FIELD_MISSING: 'a required particular is missing',
  VESSEL_FIELD_UNKNOWN: 'a particulars row names an unknown field',
  VESSEL_FIELD_INVALID: 'a particular has a value of the wrong kind',
  VESSEL_IMO_FORMAT: 'the IMO number is not seven digits',
  VESSEL_IMO_CHECK_DIGIT: 'the IMO number fails its check digit',
  VESSEL_TANK_UNKNOWN: 'a table or reading names a tank that is not in the tank list',
  VESSEL_TANK_DEFINED_TWICE: 'two files give the same table (level, trim or list) for one tank',
  VESSEL_TANK_NO_TABLE: 'a tank has no volume table (neither a level table nor a volume grid)',
  VESSEL_RECORD_INVALID: 'the vessel record does not satisfy its schema',
  VESSEL_SHEET_MISSING: 'a workbook lacks a required sheet',
  VESSEL_WORKBOOK_UNREADABLE: 'the workbook cannot be read as XLSX',
  // reading tanks
  TANK_SOUNDING_OUT_OF_TABLE: 'the (corrected) sounding lies outside the tank table; never extrapolated',
  TANK_TRIM_OUT_OF_TABLE: 'the trim lies outside the tank’s trim correction table; never extrapolated',
  TANK_LIST_OUT_OF_TABLE: 'the list lies outside the tank’s list correction table; never extrapolated',
  TANK_TRIM_REQUIRED: 'the tank has a trim table but no trim was given',
  TANK_LIST_REQUIRED: 'the tank has a list table but no list was given',
  TANK_READING_INVALID: 'give exactly one of sounding and ullage, as a finite number ≥ 0',
  TANK_ULLAGE_NO_REFERENCE: 'an ullage was given but the tank has no reference height',
  TANK_ULLAGE_TOO_LARGE: 'the ullage exceeds the tank’s reference height',
  TANK_DENSITY_INVALID: 'the measured density is missing or implausible',
  // instruments
  LEVEL_PRESSURE_INVALID: 'the level meter pressure is not a finite number ≥ 0',
  LEVEL_DENSITY_INVALID: 'the assumed ballast density is not plausible',
  DENSITY_READING_INVALID: 'the density monitor reading is not plausible',
  DENSITY_MANUAL_REASON_MISSING: 'a manual hydrometer value replaces the monitor only with a reason',
  DENSITY_EOS80_RANGE: 'salinity or temperature lies outside EOS-80 (S 0–42, t 0–40 °C)',
} as const;

export type VesselErrorCode = keyof typeof VESSEL_ERROR_CODES;

export interface VesselIssue {
  code: VesselErrorCode;
  /** File name, or "workbook.xlsx#sheet". */
  source?: string;
  /** 1-based row as shown in an editor or spreadsheet (the header is row 1 when it is the first line). */
  row?: number;
  /** Column name from the header (or the spreadsheet letter when there is no name). */
  column?: string;
  /** JSON path inside a record, e.g. `tanks[2].trim.axis_values[1]`. */
  path?: string;
  /** Tank concerned, for tank readings. */
  tank?: string;
  message: string;
}

/** "hydrostatics.csv row 14, column tpc_t_cm: …" */
export function describeIssue(issue: VesselIssue): string {
  const where: string[] = [];
  if (issue.source) where.push(issue.source);
  if (issue.row !== undefined) where.push(`row ${issue.row}`);
  if (issue.column) where.push(`column ${issue.column}`);
  if (issue.path) where.push(issue.path);
  if (issue.tank && !issue.message.includes(issue.tank)) where.push(`tank ${issue.tank}`);
  const place = where.length ? `${where.join(', ')}: ` : '';
  return `${issue.code} ${place}${issue.message}`;
}

export type Outcome<T> = { ok: true; value: T; warnings: VesselIssue[] } | { ok: false; errors: VesselIssue[]; warnings: VesselIssue[] };

export type Result<T> = { ok: true; value: T } | { ok: false; error: VesselIssue };
