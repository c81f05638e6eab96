/**
 * A complete sample survey for the report tests: the fixture vessel (test/fixtures/vessel), an
 * initial and a final survey computed by the engine, densities from the monitor, tank
 * calculations, photos written to a temporary folder, and an SM2 signature over the result.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { SurveyReportInput } from '../../../edge/survey/report/index.js';
import { signRecord } from '../../../shared/crypto/record-signature.js';
import { generateKeyPair, type Sm2PrivateKey } from '../../../shared/crypto/sm2.js';
import { validateCase } from '../../../shared/survey/case-schema.js';
import { computeCase } from '../../../shared/survey/engine.js';
import { importVesselCsv } from '../../../shared/vessel/assemble.js';
import { surveyDensityFromMonitor, type DensityConversion } from '../../../shared/vessel/density-basis.js';
import { tanksToCase, vesselToCase } from '../../../shared/vessel/to-case.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/vessel');
const fixture = (name: string) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') });

function must<T>(o: { ok: true; value: T } | { ok: false; errors?: unknown; error?: unknown }): T {
  if (!o.ok) throw new Error(JSON.stringify('errors' in o ? o.errors : o.error));
  return o.value;
}

export async function samplePhotos(dir: string): Promise<string[]> {
  const a = join(dir, 'draft-fwd-port.jpg');
  const b = join(dir, 'hydrometer.png');
  await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .composite([{ input: Buffer.from('<svg width="640" height="480"><rect x="300" y="0" width="40" height="480" fill="white"/><text x="350" y="200" font-size="60" fill="white">6.1</text></svg>'), top: 0, left: 0 }])
    .jpeg()
    .toFile(a);
  await sharp({ create: { width: 300, height: 400, channels: 3, background: { r: 200, g: 200, b: 190 } } }).png().toFile(b);
  return [a, b];
}

export interface Sample {
  input: SurveyReportInput;
  key: Sm2PrivateKey;
  netInitial: number;
  netFinal: number;
}

export async function buildSample(): Promise<Sample> {
  const record = must(
    importVesselCsv(
      {
        particulars: fixture('particulars.csv'),
        hydrostatics: fixture('hydrostatics.csv'),
        tanks: fixture('tanks.csv'),
        tankTables: ['tank-tables-long.csv', 'tank-tables-wide.csv', 'fw-level.csv', 'fw-trim-correction-mm.csv', 'hfo-ullage.csv', 'hfo-trim-correction-m3.csv', 'hfo-list-correction-m3.csv'].map(fixture),
      },
      { version: 1, validFrom: '2026-01-15' },
    ),
  );

  const densInitial = must(surveyDensityFromMonitor({ density_kg_m3: 1019.6, basis: { medium: 'vacuo', temperature: 'in_situ' }, temperature_c: 18.2 }));
  const densFinal = must(surveyDensityFromMonitor({ density_kg_m3: 1020.1, basis: { medium: 'vacuo', temperature: 'in_situ' }, temperature_c: 18.6 }));

  const tanksInitial = must(
    tanksToCase(
      record,
      {
        FPT: { sounding_m: 1.85, density_t_m3: 1.021 },
        'No.1 WBT P': { sounding_m: 1.6, density_t_m3: 1.0195 },
        APT: { sounding_m: 3.1, density_t_m3: 1.0205 },
        'FW P': { ullage_m: 2.35, density_t_m3: 1.0 },
        'HFO 1C': { ullage_m: 6.9, list_deg: 0.2, density_t_m3: 0.962 },
      },
      { trim_m: 0.62 },
    ),
  );
  const tanksFinal = must(
    tanksToCase(
      record,
      {
        FPT: { sounding_m: 0.1, density_t_m3: 1.021 },
        'No.1 WBT P': { sounding_m: 0.55, trim_m: -0.1, density_t_m3: 1.0195 },
        APT: { sounding_m: 0.3, density_t_m3: 1.0205 },
        'FW P': { ullage_m: 2.9, density_t_m3: 1.0 },
        'HFO 1C': { ullage_m: 7.4, list_deg: -0.3, density_t_m3: 0.962 },
      },
      { trim_m: 0.08 },
    ),
  );

  const raw = {
    format: 'quayside.draft-survey-case/1',
    vessel: vesselToCase(record),
    rounding: 'none',
    surveys: [
      {
        id: 'initial',
        readings_m: { fwd_port: 6.105, fwd_stbd: 6.115, mid_port: 6.44, mid_stbd: 6.45, aft_port: 6.72, aft_stbd: 6.73 },
        dock_density_t_m3: densInitial.survey_density_t_m3,
        deductibles_t: { ...tanksInitial.deductibles_t, lube_oil: 18.2, ballast: 26_950, others: 120 },
        ballast_tanks: tanksInitial.ballast_tanks,
      },
      {
        id: 'final',
        readings_m: { fwd_port: 12.41, fwd_stbd: 12.43, mid_port: 12.52, mid_stbd: 12.53, aft_port: 12.5, aft_stbd: 12.52 },
        dock_density_t_m3: densFinal.survey_density_t_m3,
        deductibles_t: { ...tanksFinal.deductibles_t, lube_oil: 17.9, ballast: 310, others: 120 },
        ballast_tanks: tanksFinal.ballast_tanks,
      },
    ],
  };
  const validation = validateCase(raw);
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
  const result = computeCase(validation.case);

  const dir = mkdtempSync(join(tmpdir(), 'quayside-report-'));
  const photos = await samplePhotos(dir);
  const key = generateKeyPair();
  const signedRecord = { case: raw, result };
  const signature = signRecord(signedRecord, key, { signer: '李明 Li Ming (0042)', signedAt: '2026-03-02T16:40:00+08:00' });
  const density: Record<string, DensityConversion> = { initial: densInitial, final: densFinal };

  return {
    key,
    netInitial: result.surveys[0]!.values.net_displacement_t,
    netFinal: result.surveys[1]!.values.net_displacement_t,
    input: {
      case: validation.case,
      result,
      meta: {
        reportId: 'QS-DS-2026-000317',
        port: '上海港 Shanghai',
        berth: '罗泾 5# Luojing 5',
        inspector: '李明 Li Ming',
        inspectorId: '0042',
        organisation: '示例海关 技术中心 · Example Customs Technical Centre',
        cargo: { description: '铁矿石 Iron ore fines', bl_t: 66_480 },
        vessel: { call_sign: 'BQPX', flag: 'CN' },
        surveys: {
          initial: { kind: 'initial', started_at: '2026-03-01T08:10:00+08:00', completed_at: '2026-03-01T09:05:00+08:00' },
          final: { kind: 'final', started_at: '2026-03-02T15:20:00+08:00', completed_at: '2026-03-02T16:30:00+08:00' },
        },
        generatedAt: '2026-03-02T16:45:00+08:00',
      },
      density,
      tanks: { initial: tanksInitial.calculations, final: tanksFinal.calculations },
      photos: [
        { path: photos[0]!, caption: '首左水尺 fwd port marks', survey: 'initial' },
        { path: photos[1]!, caption: '比重计 hydrometer', survey: 'final' },
        { path: join(dir, 'missing.jpg'), caption: 'lost file' },
      ],
      signature: { signature, record: signedRecord },
    },
  };
}

