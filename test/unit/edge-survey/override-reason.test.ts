/**
 * Every manual entry or override needs a reason and is audit-logged with operator and time; the
 * audit chain shows an edit; a signed survey no longer changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftPoints, IMO, rig, vesselFiles } from './helpers.js';
import type { SurveyUpdate } from '../../../edge/survey/service.js';
import { pendingSurveyUplink } from '../../../edge/survey/uplink.js';
import { surveyItemSchema } from '../../../shared/contracts/envelope.js';

const T0 = 1_800_000_000_000;

async function started(onUpdate?: (u: SurveyUpdate) => void) {
  let now = T0 + 30_000;
  const r = rig({ now: () => now, ...(onUpdate ? { onUpdate } : {}) });
  r.service.vessels.importCsv(vesselFiles(), { validFrom: '2026-01-01', operator: '王工' });
  const s = r.service.createSession({ imo: IMO, stage: 'initial', operator: '王工' });
  r.write('dg', draftPoints(5.1, 6.3, 7.6), T0, T0 + 30_000, 500);
  await r.service.captureDrafts(s.id, { device: 'dg', window_s: 20, operator: '王工' });
  return { r, id: s.id, tick: (ms: number) => (now += ms) };
}

test('a manual draft, density, tank or deductible without a reason is refused', async () => {
  const { r, id } = await started();
  try {
    for (const reason of [undefined, '', '   ']) {
      assert.throws(() => r.service.setDraftManual(id, 'mid_port', { value_m: 6.31, reason, operator: '王工' }), { code: 'EDGE_SURVEY_REASON_REQUIRED' });
    }
    assert.throws(() => r.service.setDensityManual(id, { hydrometer_t_m3: 1.012, operator: '王工' }), { code: 'EDGE_SURVEY_REASON_REQUIRED' });
    assert.throws(() => r.service.setTankManual(id, 'FPT', { sounding_m: 2, density_t_m3: 1.02, operator: '王工' }), { code: 'EDGE_SURVEY_REASON_REQUIRED' });
    assert.throws(() => r.service.setDeductible(id, { name: 'fresh_water', weight_t: 210, reason: ' ', operator: '王工' }), { code: 'EDGE_SURVEY_REASON_REQUIRED' });
    // Nothing changed, nothing was logged beyond the capture.
    const s = r.service.get(id);
    assert.equal(s.data.drafts.mid_port!.source, 'gauge');
    assert.equal(s.data.density, undefined);
    assert.deepEqual(Object.keys(s.data.tanks), []);
    assert.deepEqual(r.service.auditOf(id).map((e) => e.action), ['session.create', 'drafts.capture']);
  } finally {
    r.close();
  }
});

test('an override with a reason replaces the value, keeps the old one and is audit-logged with operator and time', async () => {
  const { r, id, tick } = await started();
  try {
    const gauge = r.service.get(id).data.drafts.mid_port!.value_m;
    tick(5000);
    const s = r.service.setDraftManual(id, 'mid_port', { value_m: 6.318, reason: '目测复核：传感器结露', operator: '李工' });
    const e = s.data.drafts.mid_port!;
    assert.deepEqual({ value: e.value_m, source: e.source, reason: e.reason, replaced: e.replaced_m, operator: e.operator, ts: e.ts }, { value: 6.318, source: 'manual', reason: '目测复核：传感器结露', replaced: gauge, operator: '李工', ts: T0 + 35_000 });
    r.service.setDensityManual(id, { hydrometer_t_m3: 1.0125, reason: '监测仪清洗中，改用比重计', operator: '李工' });
    r.service.setDeductible(id, { name: 'fresh_water', weight_t: 212.4, reason: '轮机长报表', operator: '李工' });
    r.service.setTankManual(id, 'FPT', { sounding_m: 2, density_t_m3: 1.021, reason: '人工测深', operator: '李工' });
    const log = r.service.auditOf(id);
    const override = log.find((x) => x.action === 'drafts.override')!;
    assert.equal(override.operator, '李工');
    assert.equal(override.ts, new Date(T0 + 35_000).toISOString());
    assert.equal(override.target, 'mid_port');
    assert.equal(override.reason, '目测复核：传感器结露');
    assert.deepEqual(override.before, { value_m: gauge, source: 'gauge' });
    assert.deepEqual(override.after, { value_m: 6.318 });
    assert.deepEqual(log.map((x) => x.action), ['session.create', 'drafts.capture', 'drafts.override', 'density.manual', 'deductible.set', 'tank.manual']);
    assert.ok(log.every((x) => /^[0-9a-f]{64}$/.test(x.hash)));
    assert.deepEqual(r.service.audit.verifyChain(), { ok: true, entries: 7 }); // + the vessel import
    // Editing one row breaks the chain from there.
    r.store.db.prepare("UPDATE survey_audit SET reason = 'changed later' WHERE action = 'drafts.override'").run();
    const broken = r.service.audit.verifyChain();
    assert.equal(broken.ok, false);
  } finally {
    r.close();
  }
});

test('an input change sends a computed survey back to draft; a signed survey is locked and queued for the cloud', async () => {
  const updates: SurveyUpdate[] = [];
  const { r, id } = await started((u) => updates.push(u));
  try {
    r.service.setDensityManual(id, { hydrometer_t_m3: 1.0125, reason: '比重计', operator: '王工' });
    assert.equal(r.service.compute(id, '王工').status, 'computed');
    assert.equal(r.service.setDeductible(id, { name: 'others', weight_t: 12, reason: '约定常量', operator: '王工' }).status, 'draft');
    assert.throws(() => r.service.sign(id, { signer: '王工', operator: '王工' }), { code: 'EDGE_SURVEY_NOT_COMPUTED' });
    r.service.compute(id, '王工');
    assert.equal(r.service.sign(id, { signer: '王工', operator: '王工' }).status, 'signed');
    assert.throws(() => r.service.setDraftManual(id, 'fwd_port', { value_m: 5.2, reason: 'late', operator: '王工' }), { code: 'EDGE_SURVEY_LOCKED' });
    assert.throws(() => r.service.compute(id, '王工'), { code: 'EDGE_SURVEY_LOCKED' });
    // One outbox row of kind "survey", a valid item of the shared contract, carrying the signed record.
    const queued = pendingSurveyUplink(r.store);
    assert.equal(queued.length, 1);
    const item = surveyItemSchema.parse(queued[0]!.item);
    assert.deepEqual([item.id, item.stage, item.status, item.surveyor, item.vessel.imo], [id, 'initial', 'signed', '王工', IMO]);
    assert.deepEqual((item.report as { signature: unknown }).signature, r.service.signed(id).signature);
    assert.equal(Buffer.from(item.signature!, 'base64').toString('hex'), r.service.signed(id).signature.signature_der_hex);
    // Every change was announced (flows listen).
    assert.deepEqual(updates.map((u) => u.status), ['draft', 'draft', 'draft', 'computed', 'draft', 'computed', 'signed']);
  } finally {
    r.close();
  }
});
