import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importVesselCsv, type VesselCsvFiles } from '../../../shared/vessel/assemble.js';
import type { Outcome, VesselIssue } from '../../../shared/vessel/errors.js';
import { describeIssue } from '../../../shared/vessel/errors.js';
import { tokenizeCsv } from '../../../shared/vessel/grid.js';
import {
  parseHydrostaticsCsv,
  parseParticularsCsv,
  parseTankListCsv,
  parseTankTablesCsv,
} from '../../../shared/vessel/import-csv.js';
import { tankVolume } from '../../../shared/vessel/tank-table.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/vessel');
const fixture = (name: string) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') });

function errorsOf<T>(o: Outcome<T>): VesselIssue[] {
  assert.equal(o.ok, false, 'expected errors');
  return (o as { errors: VesselIssue[] }).errors;
}
function valueOf<T>(o: Outcome<T>): T {
  if (!o.ok) assert.fail(o.errors.map(describeIssue).join('\n'));
  return o.value;
}

const HYDRO_HEADER = 'draft_m,displacement_t,tpc_t_cm,lcf_m,mtc_tm_cm';

describe('CSV tokenizer', () => {
  it('handles quotes, doubled quotes, CRLF, BOM, comments and blank lines, keeping line numbers', () => {
    const t = tokenizeCsv('\ufeff# note\r\na,"b,c","say ""hi"""\r\n\r\n1,2,3\n', 'x.csv');
    assert.ok(t.ok);
    assert.deepEqual(t.records, [
      { row: 2, cells: ['a', 'b,c', 'say "hi"'] },
      { row: 4, cells: ['1', '2', '3'] },
    ]);
  });
  it('reports an unterminated quote with its row', () => {
    const t = tokenizeCsv('a,b\n1,"2\n', 'x.csv');
    assert.equal(t.ok, false);
    assert.equal((t as { error: VesselIssue }).error.row, 2);
  });
});

describe('hydrostatic table CSV', () => {
  it('reads the fixture (comment lines, optional MTC)', () => {
    const rows = valueOf(parseHydrostaticsCsv(fixture('hydrostatics.csv').text, 'hydrostatics.csv', { lbp_m: 217 }));
    assert.equal(rows.length, 21);
    assert.deepEqual(rows[0], { draft_m: 4, displacement_t: 24500, tpc_t_cm: 62, lcf_m: 112.4, mtc_tm_cm: 820 });
  });
  it('names file, row and column of a comma decimal', () => {
    const text = `${HYDRO_HEADER}\n8.0,50000,65.0,110.0,900\n8.5,"53260,5",65.2,109.8,910\n`;
    const [e] = errorsOf(parseHydrostaticsCsv(text, 'hydro.csv'));
    assert.equal(e?.code, 'VESSEL_NOT_A_NUMBER');
    assert.equal(e?.source, 'hydro.csv');
    assert.equal(e?.row, 3);
    assert.equal(e?.column, 'displacement_t');
    assert.match(describeIssue(e!), /hydro\.csv, row 3, column displacement_t: .*decimal separator/);
  });
  it('refuses duplicate and decreasing drafts, and displacement that does not rise', () => {
    const dup = `${HYDRO_HEADER}\n8.0,50000,65.0,110.0,900\n8.0,50000,65.0,110.0,900\n`;
    const [d] = errorsOf(parseHydrostaticsCsv(dup, 'h.csv'));
    assert.equal(d?.code, 'VESSEL_ROW_DUPLICATE');
    assert.equal(d?.row, 3);
    assert.match(d!.message, /whole row/);
    const back = `${HYDRO_HEADER}\n8.0,50000,65.0,110.0,900\n8.5,53260,65.2,109.8,910\n8.2,51000,65.1,109.9,905\n`;
    const [b] = errorsOf(parseHydrostaticsCsv(back, 'h.csv'));
    assert.equal(b?.code, 'VESSEL_NOT_MONOTONIC');
    assert.equal(b?.row, 4);
    assert.equal(b?.column, 'draft_m');
    const flat = `${HYDRO_HEADER}\n8.0,50000,65.0,110.0,900\n8.5,49000,65.2,109.8,910\n`;
    assert.equal(errorsOf(parseHydrostaticsCsv(flat, 'h.csv'))[0]?.code, 'VESSEL_DISPLACEMENT_DECREASING');
  });
  it('refuses implausible values and a missing column; warns on Δ inconsistent with TPC', () => {
    const bad = `${HYDRO_HEADER}\n8.0,50000,650.0,110.0,900\n8.5,53260,65.2,109.8,910\n`;
    const [e] = errorsOf(parseHydrostaticsCsv(bad, 'h.csv'));
    assert.equal(e?.code, 'VESSEL_VALUE_IMPLAUSIBLE');
    assert.equal(e?.column, 'tpc_t_cm');
    const missing = 'draft_m,displacement_t,lcf_m\n8,50000,110\n';
    const m = errorsOf(parseHydrostaticsCsv(missing, 'h.csv'));
    assert.equal(m[0]?.code, 'VESSEL_HEADER');
    assert.equal(m[0]?.column, 'tpc_t_cm');
    const typo = `${HYDRO_HEADER}\n8.0,50000,65.0,110.0,900\n8.5,58260,65.2,109.8,910\n`;
    const o = parseHydrostaticsCsv(typo, 'h.csv');
    assert.ok(o.ok);
    assert.equal(o.warnings[0]?.row, 3);
    assert.match(o.warnings[0]!.message, /TPC implies/);
  });
  it('refuses LCF beyond the LBP when the LBP is known', () => {
    const text = `${HYDRO_HEADER}\n8.0,50000,65.0,310.0,900\n8.5,53260,65.2,109.8,910\n`;
    const [e] = errorsOf(parseHydrostaticsCsv(text, 'h.csv', { lbp_m: 217 }));
    assert.equal(e?.column, 'lcf_m');
    assert.equal(e?.row, 2);
  });
});

describe('tank table CSV, long and wide', () => {
  it('reads the long form (kind 1 for two tanks)', () => {
    const parts = valueOf(parseTankTablesCsv(fixture('tank-tables-long.csv').text, 'tank-tables-long.csv'));
    assert.deepEqual(parts.map((p) => p.tank), ['FPT', 'No.1 WBT P']);
    const fpt = parts[0]!.trim!;
    assert.equal(fpt.kind, 'volume');
    assert.deepEqual(fpt.axis_values, [0, 1, 2]);
    assert.deepEqual(fpt.kind === 'volume' && fpt.volumes_m3[1], [100, 110, 124]);
  });
  it('reads the wide form, one column per trim', () => {
    const [apt] = valueOf(parseTankTablesCsv(fixture('tank-tables-wide.csv').text, 'tank-tables-wide.csv'));
    assert.equal(apt?.tank, 'APT');
    assert.equal(apt?.trim?.kind, 'volume');
    assert.deepEqual(apt?.trim?.axis_values, [-0.5, 0, 0.5, 1, 2]);
  });
  it('long and wide forms of the same table give the same tank', () => {
    const wide = 'tank,sounding_m,trim_m=0,trim_m=1\nT,0,0,0\nT,1,10,12\n';
    const long = 'tank,sounding_m,trim_m,volume_m3\nT,0,0,0\nT,0,1,0\nT,1,0,10\nT,1,1,12\n';
    assert.deepEqual(valueOf(parseTankTablesCsv(wide, 'w.csv'))[0]?.trim, valueOf(parseTankTablesCsv(long, 'l.csv'))[0]?.trim);
  });
  it('reads sounding and volume correction tables, and ullage tables with reference heights', () => {
    const [fw] = valueOf(parseTankTablesCsv(fixture('fw-trim-correction-mm.csv').text, 'fw.csv'));
    assert.deepEqual(fw?.trim, { kind: 'sounding_correction', axis_values: [-1, 0, 1, 2, 3], corrections_mm: [[30, 0, -25, -50, -80]] });
    const [hfo] = valueOf(parseTankTablesCsv(fixture('hfo-ullage.csv').text, 'hfo.csv', { referenceHeights: { 'HFO 1C': 18.5 } }));
    assert.deepEqual(hfo?.level, { soundings_m: [0, 4, 8, 12, 16, 18], volumes_m3: [0, 360, 680, 1000, 1320, 1480] });
    const noRef = errorsOf(parseTankTablesCsv(fixture('hfo-ullage.csv').text, 'hfo.csv'));
    assert.equal(noRef[0]?.code, 'TANK_ULLAGE_NO_REFERENCE');
    const [corr] = valueOf(parseTankTablesCsv(fixture('hfo-trim-correction-m3.csv').text, 'c.csv'));
    assert.equal(corr?.trim?.kind, 'volume_correction');
  });
  it('names the missing trim of a long table', () => {
    const text = 'tank,sounding_m,trim_m,volume_m3\nT,0,0,0\nT,0,1,0\nT,1,0,10\n';
    const [e] = errorsOf(parseTankTablesCsv(text, 't.csv'));
    assert.equal(e?.code, 'VESSEL_GRID_INCOMPLETE');
    assert.match(e!.message, /tank T: no value at sounding_m 1, trim_m 1 \(missing trim\)/);
  });
  it('names row and column of an empty wide cell', () => {
    const text = 'tank,sounding_m,trim_m=0,trim_m=1\nT,0,0,0\nT,1,10,\n';
    const [e] = errorsOf(parseTankTablesCsv(text, 'w.csv'));
    assert.equal(e?.code, 'VESSEL_GRID_INCOMPLETE');
    assert.equal(e?.row, 3);
    assert.equal(e?.column, 'trim_m=1');
  });
  it('refuses duplicate rows, soundings out of order and volumes that fall', () => {
    const dup = 'tank,sounding_m,trim_m,volume_m3\nT,0,0,0\nT,0,1,0\nT,1,0,10\nT,1,1,12\nT,1,1,12\n';
    const [d] = errorsOf(parseTankTablesCsv(dup, 't.csv'));
    assert.equal(d?.code, 'VESSEL_ROW_DUPLICATE');
    assert.equal(d?.row, 6);
    assert.match(d!.message, /repeats row 5/);
    const order = 'tank,sounding_m,volume_m3\nT,0,0\nT,2,20\nT,1,10\n';
    const [o] = errorsOf(parseTankTablesCsv(order, 't.csv'));
    assert.equal(o?.code, 'VESSEL_NOT_MONOTONIC');
    assert.equal(o?.row, 4);
    assert.equal(o?.column, 'sounding_m');
    const fall = 'tank,sounding_m,volume_m3\nT,0,0\nT,1,10\nT,2,9\n';
    const [f] = errorsOf(parseTankTablesCsv(fall, 't.csv'));
    assert.equal(f?.code, 'VESSEL_VOLUME_DECREASING');
    assert.equal(f?.row, 4);
    assert.equal(f?.column, 'volume_m3');
  });
  it('refuses implausible values, a missing value column and a missing tank name', () => {
    const neg = 'tank,sounding_m,volume_m3\nT,0,-5\nT,1,10\n';
    const [n] = errorsOf(parseTankTablesCsv(neg, 't.csv'));
    assert.equal(n?.code, 'VESSEL_VALUE_IMPLAUSIBLE');
    assert.equal(n?.row, 2);
    assert.equal(errorsOf(parseTankTablesCsv('tank,sounding_m\nT,0\n', 't.csv'))[0]?.code, 'VESSEL_HEADER');
    assert.equal(errorsOf(parseTankTablesCsv('tank,sounding_m,volume_m3\n,0,0\n', 't.csv'))[0]?.code, 'VESSEL_CELL_EMPTY');
  });
  it('a one-tank file without a tank column takes the name from the caller', () => {
    const [p] = valueOf(parseTankTablesCsv('sounding_m,volume_m3\n0,0\n1,10\n', 'fpt.csv', { tank: 'FPT' }));
    assert.equal(p?.tank, 'FPT');
  });
});

describe('particulars and tank list CSV', () => {
  it('reads the fixture', () => {
    const p = valueOf(parseParticularsCsv(fixture('particulars.csv').text, 'particulars.csv'));
    assert.equal(p.name, 'QUAYSIDE PIONEER');
    assert.equal(p.imo, '9074729');
    assert.deepEqual(p.lcf, { from: 'ap', positive: 'forward' });
    assert.deepEqual(p.marks.aft, { distance_m: 6.2, side: 'forward' });
  });
  it('names the row of an IMO failing its check digit, and reports missing and unknown fields', () => {
    const text = fixture('particulars.csv').text.replace('imo,9074729', 'imo,9074728').replace('lcf_positive,forward\n', '') + 'draught_m,9\n';
    const errors = errorsOf(parseParticularsCsv(text, 'p.csv'));
    const unknown = errors.find((e) => e.code === 'VESSEL_FIELD_UNKNOWN');
    assert.ok(unknown);
    const missing = errors.find((e) => e.code === 'VESSEL_FIELD_MISSING');
    assert.match(missing!.message, /lcf_positive/);
    const fixed = text.replace('draught_m,9\n', '') + 'lcf_positive,forward\n';
    const [imo] = errorsOf(parseParticularsCsv(fixed, 'p.csv'));
    assert.equal(imo?.code, 'VESSEL_IMO_CHECK_DIGIT');
    assert.equal(imo?.row, 3);
  });
  it('refuses a mark at or beyond half the LBP', () => {
    const text = fixture('particulars.csv').text.replace('mark_mid_distance_m,0.6', 'mark_mid_distance_m,120');
    const [e] = errorsOf(parseParticularsCsv(text, 'p.csv'));
    assert.match(e!.message, /mark_mid_distance_m/);
    assert.equal(e?.row, 15);
  });
  it('reads the tank list and refuses unknown contents', () => {
    const tanks = valueOf(parseTankListCsv(fixture('tanks.csv').text, 'tanks.csv'));
    assert.equal(tanks.length, 5);
    assert.equal(tanks.find((t) => t.name === 'HFO 1C')?.reference_height_m, 18.5);
    const [e] = errorsOf(parseTankListCsv('tank,contents\nX,sludge_oil\n', 't.csv'));
    assert.equal(e?.code, 'VESSEL_FIELD_INVALID');
    assert.equal(e?.column, 'contents');
  });
});

const allFiles = (): VesselCsvFiles => ({
  particulars: fixture('particulars.csv'),
  hydrostatics: fixture('hydrostatics.csv'),
  tanks: fixture('tanks.csv'),
  tankTables: [
    fixture('tank-tables-long.csv'),
    fixture('tank-tables-wide.csv'),
    fixture('fw-level.csv'),
    fixture('fw-trim-correction-mm.csv'),
    fixture('hfo-ullage.csv'),
    fixture('hfo-trim-correction-m3.csv'),
    fixture('hfo-list-correction-m3.csv'),
  ],
});

describe('a whole vessel from CSV files', () => {
  it('assembles a validated, versioned record from the fixtures', () => {
    const record = valueOf(importVesselCsv(allFiles(), { version: 1, validFrom: '2026-01-15' }));
    assert.equal(record.version, 1);
    assert.equal(record.tanks.length, 5);
    assert.equal(record.source?.files.length, 10);
    const hfo = record.tanks.find((t) => t.name === 'HFO 1C')!;
    const c = tankVolume(hfo, { ullage_m: 12.5, trim_m: 0.5, list_deg: 1 });
    assert.ok(c.ok);
    assert.ok(Math.abs(c.value.volume_m3 - 519.8) < 1e-9);
  });
  it('reports errors of every file at once, and tables for tanks that are not listed', () => {
    const files = allFiles();
    files.hydrostatics = { name: 'bad-hydro.csv', text: `${HYDRO_HEADER}\n8,50000,65,110,900\n8,50000,65,110,900\n` };
    files.tankTables!.push({ name: 'extra.csv', text: 'tank,sounding_m,volume_m3\nGHOST,0,0\nGHOST,1,5\n' });
    files.tankTables!.push({ name: 'again.csv', text: 'tank,sounding_m,volume_m3\nFW P,0,0\nFW P,1,40\n' });
    const errors = errorsOf(importVesselCsv(files, { version: 1, validFrom: '2026-01-15' }));
    assert.ok(errors.some((e) => e.source === 'bad-hydro.csv' && e.code === 'VESSEL_ROW_DUPLICATE'));
    const fixed = allFiles();
    fixed.tankTables!.push({ name: 'extra.csv', text: 'tank,sounding_m,volume_m3\nGHOST,0,0\nGHOST,1,5\n' });
    fixed.tankTables!.push({ name: 'again.csv', text: 'tank,sounding_m,volume_m3\nFW P,0,0\nFW P,1,40\n' });
    const assembled = errorsOf(importVesselCsv(fixed, { version: 1, validFrom: '2026-01-15' }));
    assert.ok(assembled.some((e) => e.code === 'VESSEL_TANK_UNKNOWN' && e.source === 'extra.csv'));
    assert.ok(assembled.some((e) => e.code === 'VESSEL_TANK_DEFINED_TWICE' && e.source === 'again.csv' && /fw-level\.csv/.test(e.message)));
  });
});
