/**
 * A complete draft survey through the edge API, from simulated instruments, as processes: the
 * simulator (draft gauge, density monitor, four ballast level meters on RS-485/TCP) and the gateway
 * daemon. The simulated bulk carrier idles light for 25 s, loads for 60 s, then idles loaded; the
 * initial survey averages a window of the light phase (kept in the store), the final one the loaded
 * phase. Checks: the stored result equals the engine's result of the exported case file (in process
 * and through `npm run survey -- FILE`), the SM2 signature verifies and fails after tampering, the
 * PDF renders, bad input is refused with its documented error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { gatewayConfig, ROOT, startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../../../scripts/lib/stack.js';
import { validateCase } from '../../../shared/survey/case-schema.js';
import { computeCase, type CaseResult } from '../../../shared/survey/engine.js';
import type { SessionView } from '../../../edge/survey/types.js';

const FIX = path.join(ROOT, 'test/fixtures/edge-survey');
const IMO = '9412347';
const OP = '张检验员';
const LIGHT_S = 25;
const LOADING_S = 60;
const TANKS = { DB1P: 'ballast-db1p', DB1S: 'ballast-db1s', DB2P: 'ballast-db2p', DB2S: 'ballast-db2s' } as const;

let dir: string;
let sim: Simulator;
let gw: Daemon;
let origin: number;

const file = (name: string) => ({ name, text: fs.readFileSync(path.join(FIX, name), 'utf8') });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}/api/survey${p}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
}
async function ok(method: string, p: string, body?: unknown): Promise<any> {
  const r = await api(method, p, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p} → ${r.status} ${JSON.stringify(r.body).slice(0, 600)}`);
  return r.body;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-survey-it-'));
  origin = Date.now();
  const op = LOADING_S / 3600;
  const hold = 60 / 3600;
  const simConfig = {
    version: 1,
    // Cycle: load (60 s), hold, discharge, hold. Start LIGHT_S before the end of the last hold: light and idle.
    world: { seed: 11, origin, vessel: { draftStartM: 6.2, draftEndM: 13.9, operationHours: op, holdHours: hold, cycle: true, startAtH: 2 * op + 2 * hold - LIGHT_S / 3600, waveAmplitudeM: 0.05, wavePeriodS: 7 } },
    logLevel: 'warn',
    buses: [{ name: 'rs485-drafts' }, { name: 'rs485-ballast' }],
    devices: [
      { id: 'draft-gauge', profile: 'qs-dg6-rtu', transport: { type: 'rtu', bus: 'rs485-drafts', unitId: 1 } },
      ...Object.entries(TANKS).map(([tank, id], i) => ({ id, profile: 'qs-blm-rtu', transport: { type: 'rtu', bus: 'rs485-ballast', unitId: i + 1 }, params: { tank } })),
      { id: 'density', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
    ],
  };
  sim = await startSimulator(dir, simConfig);
  const cfgFile = path.join(dir, 'gateway.json');
  fs.writeFileSync(cfgFile, JSON.stringify(gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), pollIntervalMs: 500, batchMs: 200 })));
  gw = await startDaemon(cfgFile);
});

after(async () => {
  await gw?.stop();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Everything one survey needs, from the instruments (window given by `win`) and by hand. */
async function survey(id: string, win: { window_s: number; end_ms?: number; mode?: 'last' }): Promise<SessionView> {
  const drafts: SessionView = await ok('POST', `/sessions/${id}/drafts/capture`, { device: 'draft-gauge', ...win, operator: OP });
  for (const e of Object.values(drafts.data.drafts)) {
    assert.ok(e!.stats!.n >= 8, `n = ${e!.stats!.n}`);
    assert.ok(e!.stats!.spread > 0.02, 'the waves show in the spread');
  }
  await ok('POST', `/sessions/${id}/density/capture`, { device: 'density', ...win, operator: OP });
  for (const [tank, device] of Object.entries(TANKS)) {
    await ok('POST', `/sessions/${id}/tanks/${tank}/capture`, { device, ...win, density_t_m3: 1.025, density_basis: 'air', operator: OP });
  }
  await ok('PUT', `/sessions/${id}/tanks/FPT`, { sounding_m: 0.35, density_t_m3: 1.025, reason: '前尖舱人工测深（无液位计）', operator: OP });
  await ok('PUT', `/sessions/${id}/tanks/FW`, { sounding_m: 4.6, density_t_m3: 1.0, reason: '淡水舱人工测深', operator: OP });
  await ok('PUT', `/sessions/${id}/deductibles/fuel_oil`, { weight_t: 612.4, reason: '轮机长报表', operator: OP });
  return ok('PUT', `/sessions/${id}/deductibles/others`, { weight_t: 35, reason: '约定常量（伙食、备件）', operator: OP });
}

test('initial and final survey from simulated instruments: engine-equal, signed, verifiable, printable', { timeout: 170_000 }, async () => {
  // Bad vessel files are refused with each issue's file, row and column.
  const bad = await api('POST', '/vessels/import-csv', { valid_from: '2026-01-01', operator: OP, files: { particulars: file('particulars.csv'), hydrostatics: file('hydrostatics-bad.csv') } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, 'EDGE_SURVEY_VESSEL_INVALID');
  assert.deepEqual(bad.body.error.issues.map((i: any) => [i.code, i.source, i.row, i.column]), [['VESSEL_NOT_A_NUMBER', 'hydrostatics-bad.csv', 3, 'displacement_t']]);

  const imported = await api('POST', '/vessels/import-csv', {
    valid_from: '2026-01-01',
    operator: OP,
    files: { particulars: file('particulars.csv'), hydrostatics: file('hydrostatics.csv'), tanks: file('tanks.csv'), tank_tables: [file('tank-tables.csv'), file('fpt-level.csv'), file('fw-level.csv')] },
  });
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  assert.equal(imported.body.vessel.version, 1);
  const instruments = (await ok('GET', '/instruments')).instruments.map((i: any) => `${i.id}:${i.kind}`).sort();
  assert.deepEqual(instruments, ['ballast-db1p:ballast-level-meter', 'ballast-db1s:ballast-level-meter', 'ballast-db2p:ballast-level-meter', 'ballast-db2s:ballast-level-meter', 'density:density-monitor', 'draft-gauge:draft-gauge']);

  // ---- initial survey: a window of the light, idle phase
  const initial: SessionView = await ok('POST', '/sessions', { imo: IMO, stage: 'initial', operator: OP });
  const lightEnd = origin + (LIGHT_S - 3) * 1000;
  await waitFor('light-phase samples in the store', () => Date.now() > lightEnd + 1500, 40_000, 200);
  const world0 = (await (await fetch(`${sim.control}/world`)).json()) as { vessel: { progress: number; meanDraftM: number; operation: string } };
  const win0 = { window_s: 8, end_ms: lightEnd };
  const live = await ok('GET', '/instruments/draft-gauge/live?window_s=5');
  assert.equal(live.points.length, 6);
  await survey(initial.id, win0);

  // An override without a reason is refused; with one it is taken and logged.
  const refused = await api('PUT', `/sessions/${initial.id}/drafts/mid_port`, { value_m: 6.2, operator: OP });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, 'EDGE_SURVEY_REASON_REQUIRED');
  const noReasonDensity = await api('PUT', `/sessions/${initial.id}/density/manual`, { hydrometer_t_m3: 1.01, reason: '  ', operator: OP });
  assert.equal(noReasonDensity.body.error.code, 'EDGE_SURVEY_REASON_REQUIRED');
  const sign0 = await api('POST', `/sessions/${initial.id}/sign`, { signer: OP, operator: OP });
  assert.equal(sign0.body.error.code, 'EDGE_SURVEY_NOT_COMPUTED');

  const computed0: SessionView = await ok('POST', `/sessions/${initial.id}/compute`, { operator: OP });
  assert.equal(computed0.status, 'computed');
  assert.deepEqual(computed0.missing, []);
  await ok('POST', `/sessions/${initial.id}/sign`, { signer: OP, operator: OP });

  // ---- final survey: after loading, the loaded, idle phase
  const final0: SessionView = await ok('POST', '/sessions', { imo: IMO, stage: 'final', case_id: initial.case_id, operator: OP });
  assert.equal(final0.survey_id, 'final');
  const loadedFrom = origin + (LIGHT_S + LOADING_S) * 1000;
  await waitFor('the loaded phase', () => Date.now() > loadedFrom + 9500, 120_000, 500);
  const world1 = (await (await fetch(`${sim.control}/world`)).json()) as { vessel: { progress: number; meanDraftM: number; operation: string } };
  assert.equal(world1.vessel.progress, 1);
  assert.equal(world1.vessel.operation, 'idle');
  await survey(final0.id, { window_s: 8, mode: 'last' });
  const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer();
  const photo = await fetch(`${gw.url}/api/survey/sessions/${final0.id}/photos?caption=${encodeURIComponent('艏左水尺')}&operator=${encodeURIComponent(OP)}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
  assert.equal(photo.status, 201);
  const bogus = await fetch(`${gw.url}/api/survey/sessions/${final0.id}/photos?operator=x`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: 'not an image' });
  assert.equal(((await bogus.json()) as any).error.code, 'EDGE_SURVEY_PHOTO');

  const final: SessionView = await ok('POST', `/sessions/${final0.id}/compute`, { operator: OP });
  const stored: CaseResult = await ok('GET', `/sessions/${final.id}/result`);
  const exported = await ok('GET', `/sessions/${final.id}/case.json`);
  const caseText = JSON.stringify(exported);
  const caseBytes = (await api('GET', `/sessions/${final.id}/case.json`)).body;
  assert.deepEqual(JSON.parse(Buffer.isBuffer(caseBytes) ? caseBytes.toString() : JSON.stringify(caseBytes)), exported);

  // The stored result is the engine's, in process …
  const v = validateCase(exported);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  assert.deepEqual(stored, computeCase(v.case));
  assert.deepEqual(exported.surveys.map((s: any) => s.id), ['initial', 'final']);
  assert.deepEqual(stored.cargo.map((c) => [c.from, c.to]), [['initial', 'final']]);
  // … and through the command line, from the exported file.
  const caseFile = path.join(dir, 'exported.case.json');
  fs.writeFileSync(caseFile, caseText);
  const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/survey.ts', caseFile], { cwd: ROOT, maxBuffer: 8 << 20 });
  assert.deepEqual(JSON.parse(cli.stdout), JSON.parse(JSON.stringify(stored)));

  // The survey makes physical sense: loaded ~7.7 m of draft, the ballast pumped out.
  const [s0, s1] = stored.surveys;
  assert.ok(s0 && s1);
  const cargo = stored.cargo[0]!.cargo_t;
  assert.ok(s1.values.quarter_mean_m - s0.values.quarter_mean_m > 7.3 && s1.values.quarter_mean_m - s0.values.quarter_mean_m < 8.1, `QM ${s0.values.quarter_mean_m} → ${s1.values.quarter_mean_m}`);
  assert.ok(cargo > 45_000 && cargo < 56_000, `cargo ${cargo}`);
  assert.ok(s0.values.total_deductibles_t > s1.values.total_deductibles_t + 1000, 'ballast pumped out while loading');
  assert.ok(s1.values.trim_true_m < s0.values.trim_true_m, 'trim reduced by loading');
  const fig = (v: typeof s0.values) =>
    `QM ${v.quarter_mean_m} m, density-corrected displacement ${v.displacement_density_corrected_t} t, deductibles ${v.total_deductibles_t} t, net ${v.net_displacement_t} t`;
  process.stdout.write(`# survey from simulated instruments: initial ${fig(s0.values)}; final ${fig(s1.values)}; cargo ${cargo} t\n`);

  // ---- sign, verify, tamper
  const signed: SessionView = await ok('POST', `/sessions/${final.id}/sign`, { signer: OP, operator: OP });
  assert.equal(signed.status, 'signed');
  const key = await ok('GET', '/public-key');
  assert.equal(signed.signature!.public_key_hex, key.public_key_hex);
  assert.deepEqual(await ok('GET', `/sessions/${final.id}/verify`), { ok: true, gateway_key: true });
  const { record, signature } = await ok('GET', `/sessions/${final.id}/signed`);
  assert.deepEqual(record.result, stored);
  assert.equal(record.photos.length, 1);
  assert.match(record.captures[0].samples_sm3, /^[0-9a-f]{64}$/);
  assert.deepEqual(await ok('POST', '/verify', { record, signature }), { ok: true, gateway_key: true });
  const tampered = structuredClone(record);
  tampered.result.cargo[0].cargo_t += 1;
  const t1 = await ok('POST', '/verify', { record: tampered, signature });
  assert.equal(t1.ok, false);
  assert.equal(t1.reason, 'hash_mismatch');
  const forged = { ...signature, payload_sm3: (await ok('GET', `/sessions/${initial.id}/signed`)).signature.payload_sm3 };
  assert.equal((await ok('POST', '/verify', { record, signature: forged })).ok, false);
  const late = await api('PUT', `/sessions/${final.id}/deductibles/others`, { weight_t: 1, reason: 'late', operator: OP });
  assert.equal(late.body.error.code, 'EDGE_SURVEY_LOCKED');

  // ---- report, audit, uplink queue
  const pdf = await api('GET', `/sessions/${final.id}/report.pdf`);
  assert.equal(pdf.status, 200);
  assert.ok(Buffer.isBuffer(pdf.body) && pdf.body.subarray(0, 5).toString() === '%PDF-' && pdf.body.length > 20_000, `pdf ${pdf.body.length} bytes`);
  const audit = (await ok('GET', `/sessions/${initial.id}/audit`)).entries.map((e: any) => e.action);
  assert.ok(audit.includes('drafts.capture') && audit.includes('tank.manual') && audit.includes('sign'), audit.join(','));
  assert.ok(!audit.includes('drafts.override'), 'the refused override left no trace');
  assert.deepEqual(await ok('GET', '/audit/verify'), { ok: true, entries: (await ok('GET', '/audit/verify')).entries });
  const uplink = (await ok('GET', '/uplink')).pending.map((p: any) => p.stage);
  assert.deepEqual(uplink, ['initial', 'final']);

  // The full survey, for the record (read by the report of this work).
  const summary = {
    vessel: exported.vessel.name,
    world: { light: { progress: world0.vessel.progress, meanDraftM: world0.vessel.meanDraftM }, loaded: { progress: world1.vessel.progress, meanDraftM: world1.vessel.meanDraftM } },
    surveys: stored.surveys.map((s) => ({
      id: s.id,
      readings_m: exported.surveys.find((x: any) => x.id === s.id).readings_m,
      dock_density_t_m3: exported.surveys.find((x: any) => x.id === s.id).dock_density_t_m3,
      quarter_mean_m: s.values.quarter_mean_m,
      trim_true_m: s.values.trim_true_m,
      displacement_table_t: s.values.displacement_table_t,
      first_trim_corr_t: s.values.first_trim_corr_t,
      second_trim_corr_t: s.values.second_trim_corr_t,
      displacement_density_corrected_t: s.values.displacement_density_corrected_t,
      total_deductibles_t: s.values.total_deductibles_t,
      net_displacement_t: s.values.net_displacement_t,
      warnings: s.warnings,
    })),
    cargo_t: cargo,
    signature: { payload_sm3: signed.signature!.payload_sm3, key: signed.signature!.public_key_fingerprint },
  };
  fs.mkdirSync(path.join(ROOT, '.tmp/edge-survey'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.tmp/edge-survey/survey-flow-result.json'), `${JSON.stringify({ summary, case: exported, result: stored }, null, 2)}\n`);
  fs.writeFileSync(path.join(ROOT, '.tmp/edge-survey/final-report.pdf'), pdf.body);
  await sleep(0);
});
