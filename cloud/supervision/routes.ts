/**
 * REST routes of monitoring and supervision work. Every route declares its permission with `permit`;
 * enterprise users are confined to their own enterprise inside the services' queries.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { QuaysideError } from '../../shared/errors.js';
import { handle, parseInput } from '../api/errors.js';
import { permit, requirePrincipal } from '../auth/http.js';
import type { NoticeService } from '../events/notices.js';
import type { AppointmentService } from './appointments.js';
import type { MonitorService } from './monitor.js';
import { opsFigures, type OpsDeps } from './ops.js';
import type { PatrolService } from './patrol.js';
import type { QuarantineService } from './quarantine.js';
import type { QueueService } from './queue.js';
import type { TaskService } from './tasks.js';

export interface SupervisionRouteDeps {
  monitor: MonitorService;
  tasks: TaskService;
  appointments: AppointmentService;
  quarantine: QuarantineService;
  queue: QueueService;
  patrol: PatrolService;
  notices: NoticeService;
  ops: OpsDeps;
  maxPhotoBytes: number;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const ms = z.number().int().min(0).max(8_640_000_000_000);
const qNum = z.string().regex(/^\d+$/).transform(Number);
const limitQ = qNum.pipe(z.number().int().min(1).max(2000)).optional();
const gwId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);
const devId = z.string().min(1).max(128);

const range = z.object({ from: qNum.optional(), to: qNum.optional() });
function period(q: { from?: number | undefined; to?: number | undefined }, now: number, days = 30): { from: number; to: number } {
  const to = q.to ?? now;
  return { from: q.from ?? to - days * 24 * 3600 * 1000, to };
}

const taskBody = z
  .object({
    title: text(200),
    kind: z.enum(['inspection', 'local', 'quarantine']).optional(),
    checklist: z.array(text(200)).max(50).default([]),
    priority: z.boolean().optional(),
    deadlineAt: ms.nullable().optional(),
    enterpriseId: z.string().min(1).max(64).nullable().optional(),
    subject: z.record(z.string(), z.json()).optional(),
    assigneeId: z.string().min(1).max(64).nullable().optional(),
  })
  .strict()
  .refine((t) => !t.priority || (t.deadlineAt !== undefined && t.deadlineAt !== null), { message: 'a priority inspection needs a deadlineAt', path: ['deadlineAt'] });
const evidenceBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reading'), gw: gwId.optional(), device: devId, point: z.string().min(1).max(128), value: z.union([z.number(), z.string().max(200)]).optional(), unit: z.string().max(20).optional() }).strict(),
  z.object({ kind: z.literal('survey'), gw: gwId, surveyId: z.string().min(1).max(64) }).strict(),
  z.object({ kind: z.literal('note'), text: text(2000) }).strict(),
]);
const ruleBody = z
  .object({
    name: text(100),
    match: z.object({ gw: gwId.optional(), device: devId.optional(), point: z.string().max(128).optional(), severity: z.string().max(20).optional() }).strict().default({}),
    task: z.object({ title: text(200), checklist: z.array(text(200)).max(50).default([]), priority: z.boolean().optional(), deadlineMinutes: z.number().int().min(1).max(30 * 24 * 60).optional() }).strict(),
    enabled: z.boolean().default(true),
  })
  .strict();
const bookBody = z.object({ goods: text(500), location: text(300), slotStart: ms, slotEnd: ms, contactPhone: z.string().regex(/^\+?[0-9 -]{5,20}$/).optional(), note: z.string().max(1000).optional() }).strict();
const decisionBody = z
  .object({ decision: z.enum(['accept', 'reschedule', 'reject']), slotStart: ms.optional(), slotEnd: ms.optional(), note: z.string().max(1000).optional(), assigneeId: z.string().min(1).max(64).optional() })
  .strict();
const declareBody = z
  .object({
    vesselName: text(200),
    imo: z.string().min(7).max(12),
    voyage: z.string().max(50).optional(),
    eta: ms,
    lastPorts: z.array(text(100)).max(20),
    crewCount: z.number().int().min(0).max(10_000),
    illCrew: z.number().int().min(0).max(10_000),
    illDetails: z.string().max(2000).optional(),
    enterpriseId: z.string().min(1).max(64).optional(),
  })
  .strict();
const qDecisionBody = z.object({ decision: z.enum(['boarding', 'remote', 'free_pratique']), reasons: z.array(text(500)).min(1).max(20) }).strict();
const ballastBody = z
  .object({
    tank: text(50),
    exchangeClaimed: z.boolean(),
    exchangeMethod: z.string().max(50).optional(),
    exchangePosition: z.string().max(200).optional(),
    densityKgM3: z.number().min(900).max(1100).optional(),
    temperatureC: z.number().min(-5).max(45).optional(),
    fromEdge: z.object({ gw: gwId, device: devId }).strict().optional(),
  })
  .strict();
const ticketBody = z.object({ kind: z.enum(['truck', 'visitor']), plate: z.string().max(20).optional(), name: z.string().max(100).optional(), enterpriseId: z.string().min(1).max(64).optional() }).strict();
const callBody = z.object({ window: z.number().int().min(1).max(999), text: z.string().min(1).max(32).optional() }).strict();
const windowBody = z.object({ gw: gwId, terminal: devId, led: devId.nullable().optional(), label: z.string().max(100).nullable().optional() }).strict();
const cameraBody = z.object({ gw: gwId.nullable().optional(), device: devId.nullable().optional(), name: text(100), hlsUrl: z.string().max(500).nullable().optional() }).strict();

export function monitorRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/gateways',
    permit('devices.read'),
    handle(async (_req, res) => {
      res.json(await d.monitor.gateways());
    }),
  );
  r.get(
    '/gateways/:gw/devices',
    permit('devices.read'),
    handle(async (req, res) => {
      res.json(await d.monitor.devices(req.params['gw']!));
    }),
  );
  r.get(
    '/alarms',
    permit('alarms.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ state: z.enum(['open', 'acked', 'all']).default('open'), gw: z.string().max(64).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.monitor.listAlarms({ state: q.state, gw: q.gw, limit: q.limit ?? 200 }));
    }),
  );
  r.post(
    '/alarms/:gw/:id/ack',
    permit('alarms.ack'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ comment: text(500) }).strict(), req.body, 'body');
      res.json(await d.monitor.ackAlarm(req.params['gw']!, req.params['id']!, body.comment, requirePrincipal(res)));
    }),
  );
  return r;
}

export function tasksRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('tasks.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ status: z.string().max(100).optional(), kind: z.string().max(20).optional(), assignee: z.string().max(64).optional(), priority: z.enum(['0', '1']).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.tasks.list(requirePrincipal(res), { ...q, priority: q.priority === undefined ? undefined : q.priority === '1', limit: q.limit ?? 200 }));
    }),
  );
  r.post(
    '/',
    permit('tasks.create'),
    handle(async (req, res) => {
      const body = parseInput(taskBody, req.body, 'body');
      res.status(201).json(await d.tasks.create(body, requirePrincipal(res)));
    }),
  );
  r.get(
    '/priority/stats',
    permit('tasks.read'),
    handle(async (req, res) => {
      const q = parseInput(range, req.query, 'query');
      const { from, to } = period(q, Date.now());
      res.json(await d.tasks.priorityStats(requirePrincipal(res), from, to));
    }),
  );
  r.get(
    '/:id',
    permit('tasks.read'),
    handle(async (req, res) => {
      res.json(await d.tasks.get(requirePrincipal(res), req.params['id']!));
    }),
  );
  r.post(
    '/:id/assign',
    permit('tasks.assign'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ assigneeId: z.string().min(1).max(64) }).strict(), req.body, 'body');
      res.json(await d.tasks.assign(requirePrincipal(res), req.params['id']!, body.assigneeId));
    }),
  );
  r.post(
    '/:id/cancel',
    permit('tasks.assign'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ reason: text(500) }).strict(), req.body, 'body');
      res.json(await d.tasks.cancel(requirePrincipal(res), req.params['id']!, body.reason));
    }),
  );
  r.post(
    '/:id/start',
    permit('tasks.work'),
    handle(async (req, res) => {
      res.json(await d.tasks.start(requirePrincipal(res), req.params['id']!));
    }),
  );
  r.patch(
    '/:id/checklist/:itemId',
    permit('tasks.work'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ done: z.boolean(), note: z.string().max(1000).nullable().optional() }).strict(), req.body, 'body');
      res.json(await d.tasks.checkItem(requirePrincipal(res), req.params['id']!, req.params['itemId']!, body.done, body.note ?? null));
    }),
  );
  r.post(
    '/:id/evidence',
    permit('tasks.work'),
    handle(async (req, res) => {
      const p = requirePrincipal(res);
      const id = req.params['id']!;
      const body = parseInput(evidenceBody, req.body, 'body');
      const e =
        body.kind === 'reading'
          ? await d.tasks.readingEvidence(p, id, body)
          : body.kind === 'survey'
            ? await d.tasks.surveyEvidence(p, id, body.gw, body.surveyId)
            : await d.tasks.addEvidence(p, id, { kind: 'note', data: { text: body.text } });
      res.status(201).json(e);
    }),
  );
  r.post(
    '/:id/photos',
    permit('tasks.work'),
    express.raw({ type: ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'], limit: d.maxPhotoBytes }),
    handle(async (req, res) => {
      if (!Buffer.isBuffer(req.body)) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', 'send the photo as the raw body with Content-Type image/jpeg, image/png or image/webp');
      const name = typeof req.query['name'] === 'string' ? req.query['name'] : null;
      res.status(201).json(await d.tasks.photoEvidence(requirePrincipal(res), req.params['id']!, req.body, name));
    }),
  );
  r.get(
    '/:id/evidence/:eid/file',
    permit('tasks.read'),
    handle(async (req, res) => {
      const f = await d.tasks.photoFile(requirePrincipal(res), req.params['id']!, Number(req.params['eid']));
      res.set({ 'content-type': f.mime, 'x-sm3': f.sm3, 'cache-control': 'private, max-age=3600' }).send(f.body);
    }),
  );
  r.post(
    '/:id/complete',
    permit('tasks.work'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ result: z.enum(['pass', 'fail', 'anomaly']), note: z.string().max(2000).optional() }).strict(), req.body, 'body');
      res.json(await d.tasks.complete(requirePrincipal(res), req.params['id']!, body.result, body.note ?? null));
    }),
  );
  return r;
}

export function rulesRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('tasks.rules'),
    handle(async (_req, res) => {
      res.json(await d.tasks.listRules());
    }),
  );
  r.post(
    '/',
    permit('tasks.rules'),
    handle(async (req, res) => {
      const body = parseInput(ruleBody, req.body, 'body');
      res.status(201).json(await d.tasks.createRule(requirePrincipal(res), body));
    }),
  );
  return r;
}

export function appointmentsRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('appointments.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ status: z.string().max(100).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.appointments.list(requirePrincipal(res), { status: q.status, limit: q.limit ?? 200 }));
    }),
  );
  r.post(
    '/',
    permit('appointments.book'),
    handle(async (req, res) => {
      const body = parseInput(bookBody, req.body, 'body');
      res.status(201).json(await d.appointments.book(requirePrincipal(res), body));
    }),
  );
  r.get(
    '/:id',
    permit('appointments.read'),
    handle(async (req, res) => {
      res.json(await d.appointments.get(requirePrincipal(res), req.params['id']!));
    }),
  );
  r.post(
    '/:id/decision',
    permit('appointments.decide'),
    handle(async (req, res) => {
      const body = parseInput(decisionBody, req.body, 'body');
      res.json(await d.appointments.decide(requirePrincipal(res), req.params['id']!, body));
    }),
  );
  r.post(
    '/:id/cancel',
    permit('appointments.book'),
    handle(async (req, res) => {
      res.json(await d.appointments.cancel(requirePrincipal(res), req.params['id']!));
    }),
  );
  return r;
}

export function quarantineRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('quarantine.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ status: z.enum(['declared', 'decided']).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.quarantine.list(requirePrincipal(res), { status: q.status, limit: q.limit ?? 200 }));
    }),
  );
  r.post(
    '/',
    permit('quarantine.declare'),
    handle(async (req, res) => {
      const body = parseInput(declareBody, req.body, 'body');
      res.status(201).json(await d.quarantine.declare(requirePrincipal(res), body));
    }),
  );
  r.get(
    '/:id',
    permit('quarantine.read'),
    handle(async (req, res) => {
      res.json(await d.quarantine.get(requirePrincipal(res), req.params['id']!));
    }),
  );
  r.post(
    '/:id/decision',
    permit('quarantine.decide'),
    handle(async (req, res) => {
      const body = parseInput(qDecisionBody, req.body, 'body');
      res.json(await d.quarantine.decide(requirePrincipal(res), req.params['id']!, body));
    }),
  );
  r.post(
    '/:id/ballast',
    permit('quarantine.ballast'),
    handle(async (req, res) => {
      const body = parseInput(ballastBody, req.body, 'body');
      res.status(201).json(await d.quarantine.ballast(requirePrincipal(res), req.params['id']!, body));
    }),
  );
  return r;
}

export function queueRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/tickets',
    permit('queue.read'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ status: z.string().max(100).optional(), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.queue.list(requirePrincipal(res), { status: q.status, day: q.day, limit: q.limit ?? 500 }));
    }),
  );
  r.post(
    '/tickets',
    permit('queue.ticket'),
    handle(async (req, res) => {
      const body = parseInput(ticketBody, req.body, 'body');
      res.status(201).json(await d.queue.issue(requirePrincipal(res), body));
    }),
  );
  r.post(
    '/tickets/:id/call',
    permit('queue.call'),
    handle(async (req, res) => {
      const body = parseInput(callBody, req.body, 'body');
      res.json(await d.queue.call(requirePrincipal(res), req.params['id']!, body.window, body.text));
    }),
  );
  r.post(
    '/tickets/:id/status',
    permit('queue.call'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ status: z.enum(['served', 'no_show', 'cancelled']) }).strict(), req.body, 'body');
      res.json(await d.queue.setStatus(requirePrincipal(res), req.params['id']!, body.status));
    }),
  );
  r.get(
    '/windows',
    permit('queue.read'),
    handle(async (_req, res) => {
      res.json(await d.queue.windows());
    }),
  );
  r.put(
    '/windows/:window',
    permit('queue.manage'),
    handle(async (req, res) => {
      const window = parseInput(qNum.pipe(z.number().int().min(1).max(999)), req.params['window'], 'window');
      const body = parseInput(windowBody, req.body, 'body');
      res.json(await d.queue.putWindow(requirePrincipal(res), { window, gw: body.gw, terminal: body.terminal, led: body.led ?? null, label: body.label ?? null }));
    }),
  );
  return r;
}

export function patrolRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/cameras',
    permit('patrol.view'),
    handle(async (_req, res) => {
      res.json(await d.patrol.cameras());
    }),
  );
  r.put(
    '/cameras/:id',
    permit('patrol.manage'),
    handle(async (req, res) => {
      const id = parseInput(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), req.params['id'], 'id');
      const body = parseInput(cameraBody, req.body, 'body');
      res.json(await d.patrol.putCamera(requirePrincipal(res), { id, gw: body.gw ?? null, device: body.device ?? null, name: body.name, hlsUrl: body.hlsUrl ?? null }));
    }),
  );
  r.post(
    '/sessions',
    permit('patrol.view'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ camera: z.string().min(1).max(64) }).strict(), req.body, 'body');
      res.status(201).json(await d.patrol.start(requirePrincipal(res), body.camera));
    }),
  );
  r.post(
    '/sessions/:id/end',
    permit('patrol.view'),
    handle(async (req, res) => {
      const id = parseInput(qNum, req.params['id'], 'id');
      res.json(await d.patrol.end(requirePrincipal(res), id));
    }),
  );
  r.get(
    '/log',
    permit('patrol.read'),
    handle(async (req, res) => {
      const q = parseInput(range, req.query, 'query');
      const { from, to } = period(q, Date.now());
      res.json(await d.patrol.log(from, to));
    }),
  );
  return r;
}

export function noticesRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/',
    permit('auth.self'),
    handle(async (req, res) => {
      const q = parseInput(z.object({ unread: z.enum(['0', '1']).optional(), limit: limitQ }), req.query, 'query');
      res.json(await d.notices.list(requirePrincipal(res), { unread: q.unread === '1', limit: q.limit ?? 200 }));
    }),
  );
  r.post(
    '/',
    permit('notices.send'),
    handle(async (req, res) => {
      const body = parseInput(z.object({ enterpriseId: z.string().min(1).max(64).optional(), userId: z.string().min(1).max(64).optional(), title: text(200), body: z.string().max(4000) }).strict(), req.body, 'body');
      const p = requirePrincipal(res);
      const n = await d.notices.send({ kind: 'message', ...body });
      await d.ops.d.audit.append({ actorId: p.userId, actor: p.username, ip: p.ip, action: 'notice.send', targetType: 'notice', targetId: String(n.id), enterpriseId: n.enterpriseId, detail: { title: n.title, userId: n.userId } });
      res.status(201).json(n);
    }),
  );
  r.post(
    '/:id/read',
    permit('auth.self'),
    handle(async (req, res) => {
      const id = parseInput(qNum, req.params['id'], 'id');
      res.json(await d.notices.markRead(requirePrincipal(res), id));
    }),
  );
  return r;
}

export function opsRouter(d: SupervisionRouteDeps): Router {
  const r = Router();
  r.get(
    '/figures',
    permit('ops.read'),
    handle(async (req, res) => {
      const q = parseInput(range, req.query, 'query');
      const { from, to } = period(q, Date.now());
      res.json(await opsFigures(d.ops, from, to));
    }),
  );
  return r;
}
