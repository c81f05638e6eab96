import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { importVesselXlsx, vesselToXlsx } from '../../../edge/survey/vessel-import-xlsx.js';
import { importVesselCsv } from '../../../shared/vessel/assemble.js';
import { describeIssue } from '../../../shared/vessel/errors.js';
import { tankVolume } from '../../../shared/vessel/tank-table.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/vessel');
const fixture = (name: string) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') });

/** A workbook as a ship's office might send it, written here with exceljs. */
async function shipWorkbook(mutate?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const particulars = wb.addWorksheet('Particulars');
  particulars.addRow(['# M/V XLSX TRADER']);
  particulars.addRow(['field', 'value']);
  for (const row of [
    ['name', 'XLSX TRADER'],
    ['imo', 9176187],
    ['lbp_m', 180],
    ['breadth_m', 30],
    ['lcf_from', 'midship'],
    ['lcf_positive', 'aft'],
    ['mark_fwd_distance_m', 3.2],
    ['mark_fwd_side', 'aft'],
    ['mark_mid_distance_m', 0],
    ['mark_mid_side', 'aft'],
    ['mark_aft_distance_m', 5.1],
    ['mark_aft_side', 'forward'],
  ]) particulars.addRow(row);
  const hydro = wb.addWorksheet('hydrostatics');
  hydro.addRow(['draft_m', 'displacement_t', 'tpc_t_cm', 'lcf_m', 'mtc_tm_cm']);
  hydro.addRow([6.0, 30000, 50.0, -1.2, 600]);
  hydro.addRow([6.5, 32510, 50.4, -1.0, 610]);
  hydro.addRow([7.0, { formula: 'B3+50.6*50', result: 35040 }, 50.8, -0.8, 620]);
  const tanks = wb.addWorksheet('tanks');
  tanks.addRow(['tank', 'contents', 'reference_height_m']);
  tanks.addRow(['No.2 DB P', 'ballast']);
  const wide = wb.addWorksheet('No.2 DB P');
  wide.addRow(['sounding_m', 'trim_m=0', 'trim_m=1', 'trim_m=2']);
  wide.addRow([0, 0, 0, 0]);
  wide.addRow([0.5, 50, 54, 60]);
  wide.addRow([1.0, 110, 116, 124]);
  wb.addWorksheet('_notes').addRow(['anything']);
  mutate?.(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('vessel library from XLSX', () => {
  it('reads a workbook written in the test (comment row, formula, wide sheet named after its tank)', async () => {
    const o = await importVesselXlsx(await shipWorkbook(), 'trader.xlsx', { version: 1, validFrom: '2026-02-01' });
    if (!o.ok) assert.fail(o.errors.map(describeIssue).join('\n'));
    assert.equal(o.value.particulars.imo, '9176187');
    assert.equal(o.value.hydrostatics[2]?.displacement_t, 35040);
    const tank = o.value.tanks[0]!;
    assert.equal(tank.name, 'No.2 DB P');
    const v = tankVolume(tank, { sounding_m: 0.75, trim_m: 0.5 });
    // trim first: 52 at 0.5 m, 113 at 1.0 m; then 52 + 0.5·61 = 82.5 m³.
    assert.ok(v.ok && Math.abs(v.value.volume_m3 - 82.5) < 1e-12);
  });
  it('names workbook#sheet, row and column of a bad cell', async () => {
    const buf = await shipWorkbook((wb) => {
      wb.getWorksheet('hydrostatics')!.getCell('C3').value = 'fifty';
    });
    const o = await importVesselXlsx(buf, 'trader.xlsx', { version: 1, validFrom: '2026-02-01' });
    assert.equal(o.ok, false);
    const e = !o.ok ? o.errors[0] : undefined;
    assert.deepEqual([e?.code, e?.source, e?.row, e?.column], ['VESSEL_NOT_A_NUMBER', 'trader.xlsx#hydrostatics', 3, 'tpc_t_cm']);
  });
  it('reports a missing sheet and an unreadable file', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('hydrostatics').addRow(['draft_m']);
    const o = await importVesselXlsx(Buffer.from(await wb.xlsx.writeBuffer()), 'x.xlsx', { version: 1, validFrom: '2026-02-01' });
    assert.ok(!o.ok && o.errors.some((e) => e.code === 'VESSEL_SHEET_MISSING'));
    const junk = await importVesselXlsx(Buffer.from('not a zip'), 'junk.xlsx', { version: 1, validFrom: '2026-02-01' });
    assert.ok(!junk.ok && junk.errors[0]?.code === 'VESSEL_WORKBOOK_UNREADABLE');
  });
  it('round trip: CSV fixtures → record → XLSX → record is the same record', async () => {
    const fromCsv = importVesselCsv(
      {
        particulars: fixture('particulars.csv'),
        hydrostatics: fixture('hydrostatics.csv'),
        tanks: fixture('tanks.csv'),
        tankTables: ['tank-tables-long.csv', 'tank-tables-wide.csv', 'fw-level.csv', 'fw-trim-correction-mm.csv', 'hfo-ullage.csv', 'hfo-trim-correction-m3.csv', 'hfo-list-correction-m3.csv'].map(fixture),
      },
      { version: 3, validFrom: '2026-01-15' },
    );
    if (!fromCsv.ok) assert.fail(fromCsv.errors.map(describeIssue).join('\n'));
    const xlsx = await vesselToXlsx(fromCsv.value);
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
    const back = await importVesselXlsx(xlsx, 'pioneer.xlsx', { version: 3, validFrom: '2026-01-15' });
    if (!back.ok) assert.fail(back.errors.map(describeIssue).join('\n'));
    const { source: _a, ...left } = fromCsv.value;
    const { source: _b, ...right } = back.value;
    assert.deepEqual(right, left);
  });
});
