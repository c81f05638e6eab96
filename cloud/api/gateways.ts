/**
 * Gateways: create (admin) → one-time enrolment token; enrol (the gateway, with its token) → MQTT
 * credentials once; list with online state; revoke; commands down to a gateway.
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { commandSchema, type Command } from '../../shared/contracts/command.js';
import { gatewayIdSchema, topics, toGatewayId } from '../../shared/contracts/topics.js';
import { QuaysideError } from '../../shared/errors.js';
import type { GatewayRow } from '../store/cloud-store.js';
import { requireAdmin } from './auth.js';
import type { ApiContext } from './context.js';
import { handle, parseInput } from './errors.js';

const createBody = z.object({ id: gatewayIdSchema, name: z.string().min(1).max(200).optional() }).strict();
const enrolBody = z.object({ gatewayId: z.string().min(1).max(64), token: z.string().min(1).max(200) }).strict();
const commandBody = z
  .object({
    target: z.string().min(1).max(128),
    op: z.string().min(1).max(64),
    args: z.record(z.string(), z.json()).default({}),
    ttlMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).default(60_000),
  })
  .strict();

function view(ctx: ApiContext, g: GatewayRow) {
  const connected = ctx.broker.connectedGateways();
  const isConnected = connected ? connected.has(g.id) : null;
  const online = g.revokedAt === null && g.status?.state === 'online' && isConnected !== false;
  return { ...g, online, connected: isConnected };
}

async function existing(ctx: ApiContext, id: string): Promise<GatewayRow> {
  const g = await ctx.store.getGateway(id);
  if (!g) throw new QuaysideError('CLOUD_GATEWAY_NOT_FOUND', id);
  return g;
}

/** The public enrolment endpoint: no admin token, the one-time token is the proof. */
export function enrolRouter(ctx: ApiContext): Router {
  const r = Router();
  r.post(
    '/',
    handle(async (req, res) => {
      const body = parseInput(enrolBody, req.body, 'body');
      const cred = await ctx.gateways.enrol(body.gatewayId, body.token);
      const ep = ctx.broker.endpoints();
      const gw = toGatewayId(cred.gatewayId);
      res.status(201).json({
        ...cred,
        mqtt: { tcp: ep.tcp, tls: ep.tls },
        ca: ep.ca,
        topics: {
          telemetry: topics.up(gw, 'telemetry'),
          event: topics.up(gw, 'event'),
          survey: topics.up(gw, 'survey'),
          record: topics.up(gw, 'record'),
          status: topics.up(gw, 'status'),
          ack: topics.up(gw, 'ack'),
          cmd: topics.down(gw, 'cmd'),
          committed: topics.down(gw, 'committed'),
        },
      });
    }),
  );
  return r;
}

export function gatewaysRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireAdmin(ctx.adminToken));

  r.post(
    '/',
    handle(async (req, res) => {
      const body = parseInput(createBody, req.body, 'body');
      res.status(201).json(await ctx.gateways.create(body.id, body.name));
    }),
  );
  r.get(
    '/',
    handle(async (_req, res) => {
      res.json((await ctx.store.listGateways()).map((g) => view(ctx, g)));
    }),
  );
  r.get(
    '/:gw',
    handle(async (req, res) => {
      res.json(view(ctx, await existing(ctx, req.params['gw']!)));
    }),
  );
  r.post(
    '/:gw/enrolment-token',
    handle(async (req, res) => {
      res.status(201).json(await ctx.gateways.reissueToken(req.params['gw']!));
    }),
  );
  r.post(
    '/:gw/revoke',
    handle(async (req, res) => {
      res.json(await ctx.gateways.revoke(req.params['gw']!));
    }),
  );
  r.post(
    '/:gw/commands',
    handle(async (req, res) => {
      const g = await existing(ctx, req.params['gw']!);
      if (g.revokedAt !== null) throw new QuaysideError('CLOUD_GATEWAY_REVOKED', g.id);
      const body = parseInput(commandBody, req.body, 'body');
      const now = Date.now();
      const cmd: Command = commandSchema.parse({ id: crypto.randomUUID(), target: body.target, op: body.op, args: body.args, expiresAt: now + body.ttlMs });
      await ctx.store.insertCommand(g.id, cmd, now);
      await ctx.broker.publish(topics.down(toGatewayId(g.id), 'cmd'), JSON.stringify(cmd), { qos: 1 });
      res.status(202).json(cmd);
    }),
  );
  r.get(
    '/:gw/commands',
    handle(async (req, res) => {
      const g = await existing(ctx, req.params['gw']!);
      res.json(await ctx.store.listCommands(g.id, 200));
    }),
  );
  return r;
}
