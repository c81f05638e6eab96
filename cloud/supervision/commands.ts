/**
 * Commands down to a gateway from supervision work (queue calls, LED text): the same path as
 * `POST /api/gateways/:gw/commands` — stored in `commands`, published on qs/v1/{gw}/down/cmd at QoS 1 —
 * so the edge's answer on up/ack is recorded by ingest and shows in the gateway's command list.
 */
import crypto from 'node:crypto';
import { commandSchema, type Command } from '../../shared/contracts/command.js';
import { topics, toGatewayId } from '../../shared/contracts/topics.js';
import { QuaysideError } from '../../shared/errors.js';
import type { SupervisionDeps } from './context.js';

export async function sendCommand(d: Pick<SupervisionDeps, 'store' | 'broker' | 'now'>, gw: string, c: { target: string; op: string; args: Command['args']; ttlMs: number }): Promise<Command> {
  const g = await d.store.getGateway(gw);
  if (!g) throw new QuaysideError('CLOUD_GATEWAY_NOT_FOUND', gw);
  if (g.revokedAt !== null) throw new QuaysideError('CLOUD_GATEWAY_REVOKED', gw);
  const now = d.now();
  const cmd = commandSchema.parse({ id: crypto.randomUUID(), target: c.target, op: c.op, args: c.args, expiresAt: now + c.ttlMs });
  await d.store.insertCommand(g.id, cmd, now);
  await d.broker.publish(topics.down(toGatewayId(g.id), 'cmd'), JSON.stringify(cmd), { qos: 1 });
  return cmd;
}
