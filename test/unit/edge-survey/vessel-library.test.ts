/** The vessel library on the edge: CSV and XLSX imports, versions, every file error at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vesselToXlsx } from '../../../edge/survey/vessel-import-xlsx.js';
import { fixture, IMO, rig, vesselFiles } from './helpers.js';

test('a CSV set imports as version 1; the same content again changes nothing', () => {
  const r = rig();
  try {
    const first = r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    assert.equal(first.created, true);
    assert.deepEqual([first.vessel.imo, first.vessel.version, first.vessel.name], [IMO, 1, 'CHANGJIANG PIONEER']);
    assert.deepEqual(first.vessel.tanks.map((t) => t.name), ['DB1P', 'DB1S', 'DB2P', 'DB2S', 'FPT', 'FW']);
    assert.deepEqual(first.vessel.hydrostatics_range_m, [3, 15]);
    const again = r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-02-01', operator: '王工' });
    assert.equal(again.created, false);
    assert.equal(again.vessel.version, 1);
  } finally {
    r.close();
  }
});

test('changed documents become the next version, valid from a later date; surveys keep theirs', () => {
  const r = rig();
  try {
    r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    const s = r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' });
    const files = vesselFiles();
    files.particulars = { name: 'particulars.csv', text: files.particulars.text.replace('keel_plate_m,0.0', 'keel_plate_m,0.02') };
    assert.throws(() => r.service.vessels.importCsv(files, { validFrom: '2026-01-01', operator: '王工' }), { code: 'EDGE_SURVEY_VESSEL_VERSION' });
    const v2 = r.service.vessels.importCsv(files, { validFrom: '2026-06-01', operator: '王工' });
    assert.deepEqual([v2.created, v2.vessel.version, v2.vessel.versions], [true, 2, [1, 2]]);
    assert.equal(r.service.vessels.get(IMO).record.particulars.keel_plate_m, 0.02);
    assert.equal(r.service.vessels.get(IMO, 1).record.particulars.keel_plate_m, 0);
    assert.equal(r.service.get(s.id).vessel.version, 1);
    // A later survey of the same case stays on the case's version.
    const fin = r.service.createSession({ imo: IMO, stage: 'final', case_id: s.case_id, operator: '王工' });
    assert.equal(fin.vessel.version, 1);
    assert.throws(() => r.service.createSession({ imo: IMO, stage: 'final', case_id: s.case_id, operator: '王工' }), { code: 'EDGE_SURVEY_CASE_MISMATCH' });
    assert.throws(() => r.service.createSession({ imo: IMO, stage: 'intermediate', case_id: s.case_id, version: 2, operator: '王工' }), { code: 'EDGE_SURVEY_CASE_MISMATCH' });
    assert.equal(r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' }).vessel.version, 2);
  } finally {
    r.close();
  }
});

test('every error of every file is reported with file, row and column', () => {
  const r = rig();
  try {
    const files = vesselFiles();
    files.hydrostatics = fixture('hydrostatics-bad.csv');
    files.particulars = { name: 'particulars.csv', text: files.particulars.text.replace('imo,9412347', 'imo,9412346') };
    assert.throws(
      () => r.service.vessels.importCsv(files, { validFrom: '2026-01-01', operator: '王工' }),
      (e: Error & { code?: string; issues?: { code: string; source?: string; row?: number; column?: string; text: string }[] }) => {
        assert.equal(e.code, 'EDGE_SURVEY_VESSEL_INVALID');
        const found = e.issues!.map((i) => [i.code, i.source, i.row, i.column]);
        assert.deepEqual(found, [
          ['VESSEL_IMO_CHECK_DIGIT', 'particulars.csv', 3, 'value'],
          ['VESSEL_NOT_A_NUMBER', 'hydrostatics-bad.csv', 3, 'displacement_t'],
        ]);
        assert.match(e.issues![1]!.text, /^VESSEL_NOT_A_NUMBER hydrostatics-bad\.csv, row 3, column displacement_t: /);
        return true;
      },
    );
    assert.deepEqual(r.service.vessels.list(), []);
  } finally {
    r.close();
  }
});

test('an XLSX workbook of the same ship imports to the same record', async () => {
  const r = rig();
  try {
    const csv = r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
    const workbook = await vesselToXlsx(r.service.vessels.get(IMO).record);
    const same = await r.service.vessels.importXlsx(workbook, 'pioneer.xlsx', { validFrom: '2026-03-01', operator: '王工' });
    assert.deepEqual([same.created, same.vessel.version], [false, csv.vessel.version]);
    await assert.rejects(r.service.vessels.importXlsx(Buffer.from('not a workbook'), 'bad.xlsx', { validFrom: '2026-03-01', operator: '王工' }), (e: Error & { code?: string; issues?: { code: string }[] }) => e.code === 'EDGE_SURVEY_VESSEL_INVALID' && e.issues![0]!.code === 'VESSEL_WORKBOOK_UNREADABLE');
  } finally {
    r.close();
  }
});
