/**
 * /api/survey: the inspector's draft-survey workflow (edge/survey/service.ts) over REST.
 *
 *   GET    /instruments                          draft gauges, density monitors, ballast level meters
 *   GET    /instruments/:id/live?window_s=10     latest values and mean/min/max/std/n over the window
 *   GET    /vessels                              the library (latest version of each ship)
 *   GET    /vessels/:imo[?version=N]             one record
 *   POST   /vessels/import-csv                   { valid_from, operator, note?, files: { particulars, hydrostatics, tanks?, tank_tables? } }
 *   POST   /vessels/import-xlsx?valid_from&operator&file_name   body: the workbook
 *   GET    /sessions[?case_id=]                  POST /sessions { imo, stage, operator, case_id?, version?, rounding?, id?, note? }
 *   GET    /sessions/:id                         PUT /sessions/:id/note { note, operator }
 *   POST   /sessions/:id/drafts/capture          { device, window_s, mode?: last|next, end_ms?, operator }
 *   PUT    /sessions/:id/drafts/:mark            { value_m, reason, operator }                 (manual / override)
 *   POST   /sessions/:id/density/capture         { device, window_s, mode?, end_ms?, basis?, temperature_scale?, operator }
 *   PUT    /sessions/:id/density/manual          { hydrometer_t_m3, reason, operator }
 *   POST   /sessions/:id/tanks/:tank/capture     { device, window_s, mode?, end_ms?, density_t_m3, density_basis?, probe_offset_m?, operator }
 *   PUT    /sessions/:id/tanks/:tank             { sounding_m | ullage_m, density_t_m3, reason, operator }
 *   DELETE /sessions/:id/tanks/:tank             { reason, operator }
 *   PUT    /sessions/:id/deductibles/:name       { weight_t, reason, operator }   DELETE likewise { reason, operator }
 *   POST   /sessions/:id/photos?caption&operator body: JPEG/PNG/WebP        GET /photos/:id
 *   POST   /sessions/:id/compute                 { operator }
 *   POST   /sessions/:id/sign                    { signer, operator }
 *   GET    /sessions/:id/signed | /verify | /case.json | /result | /report.pdf | /audit
 *   POST   /verify                               { record, signature }
 *   GET    /public-key | /captures/:id | /audit/verify | /uplink (signed surveys the cloud has not committed yet)
 * Every body is validated (zod); a manual entry without a reason is refused (EDGE_SURVEY_REASON_REQUIRED).
 */
import express, { Router, type ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { RecordSignature } from '../../shared/crypto/record-signature.js';
import { QuaysideError } from '../../shared/errors.js';
import { SurveyError } from '../survey/errors.js';
import { MAX_PHOTO_BYTES, type SurveyService } from '../survey/service.js';
import { MAX_WINDOW_S, MIN_WINDOW_S } from '../survey/stats.js';
import { MARKS, ROUNDING_MODES, SURVEY_STAGES, type Mark } from '../survey/types.js';
import { pendingSurveyUplink } from '../survey/uplink.js';
import type { EdgeStore } from '../store/store.js';
import { handle, parseInput } from './errors.js';

const operator = z.string().trim().min(1, 'name the operator (inspector)').max(80);
const reason = z.string().max(500).optional();
const windowFields = {
  window_s: z.number().min(MIN_WINDOW_S).max(MAX_WINDOW_S),
  mode: z.enum(['last', 'next']).default('last'),
  end_ms: z.number().int().positive().optional(),
};
const csvFile = z.object({ name: z.string().min(1).max(200), text: z.string().max(8_000_000) }).strict();

const importCsvBody = z
  .object({
    valid_from: z.string().min(10).max(40),
    operator,
    note: z.string().max(500).optional(),
    files: z
      .object({
        particulars: csvFile,
        hydrostatics: csvFile,
        tanks: csvFile.optional(),
        tank_tables: z.array(csvFile.extend({ tank: z.string().min(1).max(80).optional(), quantity: z.enum(['volume_m3', 'correction_mm', 'correction_m3']).optional() })).max(200).optional(),
      })
      .strict(),
  })
  .strict();

const importXlsxQuery = z.object({ valid_from: z.string().min(10).max(40), operator, file_name: z.string().min(1).max(200).default('vessel.xlsx'), note: z.string().max(500).optional() }).strict();

const createSessionBody = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'a UUID or similar id').optional(),
    imo: z.string().regex(/^\d{7}$/, 'seven digits'),
    version: z.number().int().min(1).optional(),
    stage: z.enum(SURVEY_STAGES),
    operator,
    case_id: z.string().min(1).max(64).optional(),
    rounding: z.enum(ROUNDING_MODES).optional(),
    note: z.string().max(1000).optional(),
  })
  .strict();

const noteBody = z.object({ note: z.string().max(1000), operator }).strict();
const draftsCaptureBody = z.object({ device: z.string().min(1), ...windowFields, operator }).strict();
const draftManualBody = z.object({ value_m: z.number(), reason, operator }).strict();
const densityBasis = z.union([
  z.object({ medium: z.enum(['vacuo', 'air']), temperature: z.literal('in_situ') }).strict(),
  z.object({ medium: z.enum(['vacuo', 'air']), temperature: z.literal('reference'), reference_c: z.number().min(0).max(40) }).strict(),
]);
const densityCaptureBody = z.object({ device: z.string().min(1), ...windowFields, basis: densityBasis.optional(), temperature_scale: z.enum(['ITS-90', 'IPTS-68']).optional(), operator }).strict();
const densityManualBody = z.object({ hydrometer_t_m3: z.number(), reason, operator }).strict();
const tankCaptureBody = z
  .object({
    device: z.string().min(1),
    ...windowFields,
    density_t_m3: z.number().min(0.9).max(1.1),
    density_basis: z.enum(['air', 'vacuo']).optional(),
    probe_offset_m: z.number().min(0).max(5).optional(),
    operator,
  })
  .strict();
const tankManualBody = z
  .object({ sounding_m: z.number().min(0).max(40).optional(), ullage_m: z.number().min(0).max(40).optional(), density_t_m3: z.number().min(0.6).max(1.3), reason, operator })
  .strict()
  .refine((b) => (b.sounding_m === undefined) !== (b.ullage_m === undefined), { message: 'give exactly one of sounding_m and ullage_m', path: ['sounding_m'] });
const removeBody = z.object({ reason, operator }).strict();
const deductibleBody = z.object({ weight_t: z.number().min(0).max(100_000), reason, operator }).strict();
const computeBody = z.object({ operator }).strict();
const signBody = z.object({ signer: z.string().trim().min(1).max(128), operator }).strict();
const photoQuery = z.object({ caption: z.string().max(300).default(''), operator }).strict();
const liveQuery = z.object({ window_s: z.coerce.number().min(MIN_WINDOW_S).max(MAX_WINDOW_S).default(10) }).strict();
const listQuery = z.object({ case_id: z.string().min(1).max(64).optional() }).strict();
const vesselQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
const reportQuery = z.object({ port: z.string().max(200).optional(), inspector: z.string().max(128).optional() }).strict();
const signatureSchema = z
  .object({
    algorithm: z.literal('SM2-SM3'),
    signer: z.string(),
    signed_at: z.string(),
    signer_id: z.string(),
    public_key_hex: z.string(),
    public_key_fingerprint: z.string(),
    payload_sm3: z.string(),
    signature_der_hex: z.string(),
  })
  .strict();
const verifyBody = z.object({ record: z.unknown(), signature: signatureSchema }).strict();

/** SurveyError → `{ error: { code, message, issues } }`; everything else goes to the API's handler. */
const surveyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  if (err instanceof SurveyError) {
    res.status(err.http).json({ error: { code: err.code, message: err.message, issues: err.issues } });
    return;
  }
  next(err);
};

export function surveyRouter(service: SurveyService, store: EdgeStore): Router {
  const r = Router();
  const json = express.json({ limit: '16mb' });
  const raw = express.raw({ type: () => true, limit: MAX_PHOTO_BYTES + 1024 });
  const mark = (m: string | undefined): Mark => {
    if (!(MARKS as readonly string[]).includes(m ?? '')) throw new QuaysideError('EDGE_BAD_REQUEST', `mark "${m}" is not one of ${MARKS.join(', ')}`);
    return m as Mark;
  };
  const id = (p: string | undefined) => p!;

  r.get('/instruments', handle((_req, res) => {
    res.json({ instruments: service.instruments() });
  }));
  r.get('/instruments/:id/live', handle((req, res) => {
    const q = parseInput(liveQuery, req.query, 'query');
    res.json(service.live(id(req.params['id']), q.window_s));
  }));

  r.get('/vessels', handle((_req, res) => {
    res.json({ vessels: service.vessels.list() });
  }));
  r.get('/vessels/:imo', handle((req, res) => {
    const q = parseInput(vesselQuery, req.query, 'query');
    const v = service.vessels.get(id(req.params['imo']), q.version);
    res.json({ summary: v.summary, record: v.record });
  }));
  r.post('/vessels/import-csv', json, handle((req, res) => {
    const b = parseInput(importCsvBody, req.body, 'body');
    const f = b.files;
    const out = service.vessels.importCsv(
      {
        particulars: f.particulars,
        hydrostatics: f.hydrostatics,
        ...(f.tanks ? { tanks: f.tanks } : {}),
        ...(f.tank_tables ? { tankTables: f.tank_tables.map((t) => ({ name: t.name, text: t.text, ...(t.tank ? { tank: t.tank } : {}), ...(t.quantity ? { quantity: t.quantity } : {}) })) } : {}),
      },
      { validFrom: b.valid_from, operator: b.operator, ...(b.note ? { note: b.note } : {}) },
    );
    res.status(out.created ? 201 : 200).json(out);
  }));
  r.post('/vessels/import-xlsx', raw, handle(async (req, res) => {
    const q = parseInput(importXlsxQuery, req.query, 'query');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new QuaysideError('EDGE_BAD_REQUEST', 'send the XLSX workbook as the request body');
    const out = await service.vessels.importXlsx(body, q.file_name, { validFrom: q.valid_from, operator: q.operator, ...(q.note ? { note: q.note } : {}) });
    res.status(out.created ? 201 : 200).json(out);
  }));

  r.get('/sessions', handle((req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ sessions: q.case_id ? service.caseSessions(q.case_id) : service.list() });
  }));
  r.post('/sessions', json, handle((req, res) => {
    const b = parseInput(createSessionBody, req.body, 'body');
    res.status(201).json(service.createSession(b));
  }));
  r.get('/sessions/:id', handle((req, res) => {
    res.json(service.get(id(req.params['id'])));
  }));
  r.put('/sessions/:id/note', json, handle((req, res) => {
    const b = parseInput(noteBody, req.body, 'body');
    res.json(service.setNote(id(req.params['id']), b.note, b.operator));
  }));

  r.post('/sessions/:id/drafts/capture', json, handle(async (req, res) => {
    const b = parseInput(draftsCaptureBody, req.body, 'body');
    res.json(await service.captureDrafts(id(req.params['id']), b));
  }));
  r.put('/sessions/:id/drafts/:mark', json, handle((req, res) => {
    const b = parseInput(draftManualBody, req.body, 'body');
    res.json(service.setDraftManual(id(req.params['id']), mark(req.params['mark']), b));
  }));

  r.post('/sessions/:id/density/capture', json, handle(async (req, res) => {
    const b = parseInput(densityCaptureBody, req.body, 'body');
    res.json(await service.captureDensity(id(req.params['id']), b));
  }));
  r.put('/sessions/:id/density/manual', json, handle((req, res) => {
    const b = parseInput(densityManualBody, req.body, 'body');
    res.json(service.setDensityManual(id(req.params['id']), b));
  }));

  r.post('/sessions/:id/tanks/:tank/capture', json, handle(async (req, res) => {
    const b = parseInput(tankCaptureBody, req.body, 'body');
    res.json(await service.captureTank(id(req.params['id']), id(req.params['tank']), b));
  }));
  r.put('/sessions/:id/tanks/:tank', json, handle((req, res) => {
    const b = parseInput(tankManualBody, req.body, 'body');
    res.json(service.setTankManual(id(req.params['id']), id(req.params['tank']), b));
  }));
  r.delete('/sessions/:id/tanks/:tank', json, handle((req, res) => {
    const b = parseInput(removeBody, req.body, 'body');
    res.json(service.removeTank(id(req.params['id']), id(req.params['tank']), b));
  }));

  r.put('/sessions/:id/deductibles/:name', json, handle((req, res) => {
    const b = parseInput(deductibleBody, req.body, 'body');
    res.json(service.setDeductible(id(req.params['id']), { name: id(req.params['name']), ...b }));
  }));
  r.delete('/sessions/:id/deductibles/:name', json, handle((req, res) => {
    const b = parseInput(removeBody, req.body, 'body');
    res.json(service.removeDeductible(id(req.params['id']), id(req.params['name']), b));
  }));

  r.post('/sessions/:id/photos', raw, handle((req, res) => {
    const q = parseInput(photoQuery, req.query, 'query');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.status(201).json(service.addPhoto(id(req.params['id']), { data: body, caption: q.caption, operator: q.operator }));
  }));
  r.get('/photos/:id', handle((req, res) => {
    const p = service.photoFile(id(req.params['id']));
    res.setHeader('x-content-sm3', p.sm3);
    res.type(p.mime).sendFile(p.file);
  }));

  r.post('/sessions/:id/compute', json, handle((req, res) => {
    const b = parseInput(computeBody, req.body, 'body');
    res.json(service.compute(id(req.params['id']), b.operator));
  }));
  r.post('/sessions/:id/sign', json, handle((req, res) => {
    const b = parseInput(signBody, req.body, 'body');
    res.json(service.sign(id(req.params['id']), b));
  }));
  r.get('/sessions/:id/signed', handle((req, res) => {
    res.json(service.signed(id(req.params['id'])));
  }));
  r.get('/sessions/:id/verify', handle((req, res) => {
    const s = service.signed(id(req.params['id']));
    res.json(service.verify(s.record, s.signature));
  }));
  r.get('/sessions/:id/case.json', handle((req, res) => {
    const session = service.get(id(req.params['id']));
    const file = `${session.vessel.imo}-${session.case_id.slice(0, 8)}-${session.survey_id}.case.json`;
    res.setHeader('content-disposition', `attachment; filename="${file}"`);
    res.type('application/json').send(`${JSON.stringify(service.exportCase(session.id), null, 2)}\n`);
  }));
  r.get('/sessions/:id/result', handle((req, res) => {
    res.json(service.result(id(req.params['id'])));
  }));
  r.get('/sessions/:id/report.pdf', handle(async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    const pdf = await service.report(id(req.params['id']), q);
    res.setHeader('content-disposition', `inline; filename="survey-${id(req.params['id']).slice(0, 8)}.pdf"`);
    res.type('application/pdf').send(pdf);
  }));
  r.get('/sessions/:id/audit', handle((req, res) => {
    res.json({ entries: service.auditOf(id(req.params['id'])) });
  }));

  r.post('/verify', json, handle((req, res) => {
    const b = parseInput(verifyBody, req.body, 'body');
    res.json(service.verify(b.record, b.signature as RecordSignature));
  }));
  r.get('/public-key', handle((_req, res) => {
    res.json(service.publicKey());
  }));
  r.get('/captures/:id', handle((req, res) => {
    res.json(service.capture(id(req.params['id'])));
  }));
  r.get('/audit/verify', handle((_req, res) => {
    res.json(service.audit.verifyChain());
  }));
  r.get('/uplink', handle((_req, res) => {
    res.json({ pending: pendingSurveyUplink(store).map((q) => ({ seq: q.seq, id: q.item.id, created: new Date(q.created).toISOString(), stage: q.item.stage, vessel: q.item.vessel, sent_at: q.sentAt, attempts: q.attempts })) });
  }));

  r.use(surveyErrors);
  return r;
}
