import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateCase } from '../../../shared/survey/case-schema.js';
import { computeCase, evaluateCase } from '../../../shared/survey/engine.js';
import { importVesselCsv } from '../../../shared/vessel/assemble.js';
import { describeIssue } from '../../../shared/vessel/errors.js';
import { nextVersion, validateVesselRecord, versionValidAt } from '../../../shared/vessel/record.js';
import type { VesselRecord } from '../../../shared/vessel/schema.js';
import { tanksToCase, vesselToCase } from '../../../shared/vessel/to-case.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/vessel');
const fixture = (name: string) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') });

function loadRecord(): VesselRecord {
  const o = importVesselCsv(
    {
      particulars: fixture('particulars.csv'),
      hydrostatics: fixture('hydrostatics.csv'),
      tanks: fixture('tanks.csv'),
      tankTables: ['tank-tables-long.csv', 'tank-tables-wide.csv', 'fw-level.csv', 'fw-trim-correction-mm.csv', 'hfo-ullage.csv', 'hfo-trim-correction-m3.csv', 'hfo-list-correction-m3.csv'].map(fixture),
    },
    { version: 1, validFrom: '2026-01-15' },
  );
  if (!o.ok) assert.fail(o.errors.map(describeIssue).join('\n'));
  return o.value;
}

describe('vessel record', () => {
  it('survives a JSON round trip through the validator', () => {
    const record = loadRecord();
    const again = validateVesselRecord(JSON.parse(JSON.stringify(record)));
    assert.ok(again.ok);
    assert.deepEqual(again.value, record);
  });
  it('reports IMO check-digit failures with their path', () => {
    const record = JSON.parse(JSON.stringify(loadRecord()));
    record.particulars.imo = '9074728';
    const o = validateVesselRecord(record);
    assert.equal(o.ok, false);
    assert.deepEqual(!o.ok && o.errors.map((e) => [e.code, e.path]), [['VESSEL_IMO_CHECK_DIGIT', 'particulars.imo']]);
  });
  it('refuses unsorted hydrostatics and repeated tank names', () => {
    const record = JSON.parse(JSON.stringify(loadRecord()));
    record.hydrostatics[3].draft_m = 4.2;
    record.tanks[1].name = 'FPT';
    const o = validateVesselRecord(record);
    assert.equal(o.ok, false);
    const paths = !o.ok ? o.errors.map((e) => e.path) : [];
    assert.ok(paths.includes('hydrostatics[3].draft_m'));
    assert.ok(paths.includes('tanks[1].name'));
  });
  it('versions: the next version keeps the IMO and starts later; the right version is picked by date', () => {
    const v1 = loadRecord();
    const { version: _v, format: _f, ...rest } = v1;
    const v2 = nextVersion(v1, { ...rest, validFrom: '2026-06-01', particulars: { ...v1.particulars, lightship_t: 9870 } });
    assert.ok(v2.ok);
    assert.equal(v2.value.version, 2);
    assert.equal(nextVersion(v1, { ...rest, validFrom: '2026-01-01' }).ok, false);
    assert.equal(nextVersion(v1, { ...rest, validFrom: '2026-07-01', particulars: { ...v1.particulars, imo: '9176187' } }).ok, false);
    const versions = [v1, v2.value];
    assert.equal(versionValidAt(versions, '2026-03-10')?.version, 1);
    assert.equal(versionValidAt(versions, '2026-06-01T08:00:00Z')?.version, 2);
    assert.equal(versionValidAt(versions, '2025-12-31'), undefined);
  });
});

describe('vessel record → case file', () => {
  it('produces a vessel object the case validator accepts, and the engine computes with it', () => {
    const record = loadRecord();
    const vessel = vesselToCase(record);
    assert.equal(vessel.imo, '9074729');
    assert.deepEqual(vessel.lcf, { from: 'ap', positive: 'forward' });
    assert.equal(vessel.hydrostatics?.length, 21);
    const tanks = tanksToCase(
      record,
      {
        FPT: { sounding_m: 1.2, density_t_m3: 1.018 },
        'FW P': { ullage_m: 4.8, density_t_m3: 1.0 },
        'HFO 1C': { ullage_m: 12.5, list_deg: 1, density_t_m3: 0.95 },
      },
      { trim_m: 0.5 },
    );
    if (!tanks.ok) assert.fail(tanks.errors.map(describeIssue).join('\n'));
    assert.equal(tanks.value.ballast_tanks.length, 1);
    assert.ok(Math.abs(tanks.value.ballast_tanks[0]!.volume_m3 - 129.4) < 1e-9);
    // FW P: trim 0.5 → −12.5 mm → s = 1.1875 m → 40 + 0.1875·42 = 47.875 m³ × 1.000 t/m³.
    assert.ok(Math.abs(tanks.value.deductibles_t.fresh_water! - 47.875) < 1e-9);
    assert.ok(Math.abs(tanks.value.deductibles_t.fuel_oil! - 519.8 * 0.95) < 1e-9);

    const raw = {
      format: 'quayside.draft-survey-case/1',
      vessel,
      surveys: [
        {
          id: 'initial',
          readings_m: { fwd_port: 6.1, fwd_stbd: 6.12, mid_port: 6.4, mid_stbd: 6.42, aft_port: 6.7, aft_stbd: 6.72 },
          dock_density_t_m3: 1.0185,
          deductibles_t: tanks.value.deductibles_t,
          ballast_tanks: tanks.value.ballast_tanks,
        },
      ],
    };
    const validation = validateCase(raw);
    if (!validation.ok) assert.fail(JSON.stringify(validation.errors));
    const result = computeCase(validation.case);
    assert.ok(result.surveys[0]!.values.net_displacement_t > 30000);
    assert.ok(evaluateCase(raw).ok);
  });
  it('tank readings name unknown tanks and missing densities', () => {
    const record = loadRecord();
    const o = tanksToCase(record, { GHOST: { sounding_m: 1, density_t_m3: 1 }, FPT: { sounding_m: 1, trim_m: 0 } });
    assert.equal(o.ok, false);
    assert.deepEqual(!o.ok && o.errors.map((e) => e.code).sort(), ['TANK_DENSITY_INVALID', 'VESSEL_TANK_UNKNOWN']);
  });
});
