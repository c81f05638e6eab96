/**
 * MQTT topics between a gateway and the cloud (../shared/DESIGN.md §3), their parser, and the broker ACL
 * as pure decisions so every broker adapter (and its tests) applies the same rules.
 *
 *   qs/v1/{gw}/up/{telemetry|event|survey|record}   envelopes, QoS 1
 *   qs/v1/{gw}/up/status                            retained {state,ts,version?}; the gateway's last will says offline
 *   qs/v1/{gw}/up/ack                               command results
 *   qs/v1/{gw}/down/cmd                             commands
 *   qs/v1/{gw}/down/committed                       which sequence numbers the cloud has durably stored
 */
import { z } from 'zod';

export const TOPIC_ROOT = 'qs/v1';

/** Lower-case letters, digits and '-', 2–63 characters, starting with a letter or digit. */
export const GATEWAY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const gatewayIdSchema = z
  .string()
  .regex(GATEWAY_ID_PATTERN, 'a gateway id is 2–63 characters of a-z, 0-9 and "-", starting with a letter or digit')
  .brand<'GatewayId'>();
export type GatewayId = z.infer<typeof gatewayIdSchema>;

export function isGatewayId(s: unknown): s is GatewayId {
  return typeof s === 'string' && GATEWAY_ID_PATTERN.test(s);
}

/** Checks and brands a gateway id; throws a plain Error naming the bad value. */
export function toGatewayId(s: string): GatewayId {
  if (!isGatewayId(s)) throw new Error(`invalid gateway id ${JSON.stringify(s)}`);
  return s;
}

export const ENVELOPE_KINDS = ['telemetry', 'event', 'survey', 'record'] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];
export const UP_KINDS = [...ENVELOPE_KINDS, 'status', 'ack'] as const;
export type UpKind = (typeof UP_KINDS)[number];
export const DOWN_KINDS = ['cmd', 'committed'] as const;
export type DownKind = (typeof DOWN_KINDS)[number];

export function isEnvelopeKind(k: string): k is EnvelopeKind {
  return (ENVELOPE_KINDS as readonly string[]).includes(k);
}

export const topics = {
  up: (gw: GatewayId, kind: UpKind): string => `${TOPIC_ROOT}/${gw}/up/${kind}`,
  down: (gw: GatewayId, kind: DownKind): string => `${TOPIC_ROOT}/${gw}/down/${kind}`,
  /** Everything a gateway may subscribe to. */
  downAll: (gw: GatewayId): string => `${TOPIC_ROOT}/${gw}/down/#`,
  /** Every gateway's uplink: what the embedded ingest consumes. */
  allUp: (): string => `${TOPIC_ROOT}/+/up/#`,
  /** Every gateway's uplink as a shared subscription, for cloud replicas on an external broker (DESIGN §7). */
  sharedUp: (group = 'ingest'): string => `$share/${group}/${TOPIC_ROOT}/+/up/#`,
  /** Every gateway's retained status (admin tools, console). */
  allStatus: (): string => `${TOPIC_ROOT}/+/up/status`,
} as const;

export type ParsedTopic = { dir: 'up'; gw: GatewayId; kind: UpKind } | { dir: 'down'; gw: GatewayId; kind: DownKind };

/** Parses a concrete topic (no wildcards); null for anything that is not a Quayside v1 topic. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const [, , gw, dir, kind] = parts as [string, string, string, string, string];
  if (!isGatewayId(gw)) return null;
  if (dir === 'up' && (UP_KINDS as readonly string[]).includes(kind)) return { dir, gw, kind: kind as UpKind };
  if (dir === 'down' && (DOWN_KINDS as readonly string[]).includes(kind)) return { dir, gw, kind: kind as DownKind };
  return null;
}

/** Why an ACL check said no, for logs; null when allowed. */
export type AclDenial = string | null;

/**
 * May gateway `gw` publish `topic`? Only its own uplink, and only the status topic may be retained
 * (the last will is checked the same way when the broker publishes it).
 */
export function publishDenial(gw: GatewayId, topic: string, opts: { retain?: boolean } = {}): AclDenial {
  const t = parseTopic(topic);
  if (!t) return `not a ${TOPIC_ROOT} topic`;
  if (t.gw !== gw) return `gateway ${gw} may not publish for gateway ${t.gw}`;
  if (t.dir !== 'up') return `gateway ${gw} may not publish on its downlink`;
  if (opts.retain && t.kind !== 'status') return `only up/status may be retained`;
  return null;
}

/** May gateway `gw` subscribe to `filter`? Only its own downlink: `down/#`, `down/+`, `down/cmd`, `down/committed`. */
export function subscribeDenial(gw: GatewayId, filter: string): AclDenial {
  const prefix = `${TOPIC_ROOT}/${gw}/down/`;
  if (!filter.startsWith(prefix)) return `gateway ${gw} may subscribe only under ${prefix}`;
  const rest = filter.slice(prefix.length);
  if (rest === '#' || rest === '+' || (DOWN_KINDS as readonly string[]).includes(rest)) return null;
  return `unknown downlink topic ${JSON.stringify(rest)}`;
}

/**
 * A gateway connects with client id `{gw}` (or `{gw}.{suffix}` for a second tool on the same gateway),
 * so no gateway can take over another's session by reusing its client id.
 */
export function clientIdDenial(gw: GatewayId, clientId: string): AclDenial {
  if (clientId === gw || (clientId.startsWith(`${gw}.`) && clientId.length > gw.length + 1)) return null;
  return `gateway ${gw} must connect with client id "${gw}" or "${gw}.<suffix>", not ${JSON.stringify(clientId)}`;
}
