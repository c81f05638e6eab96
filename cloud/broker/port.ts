/**
 * The broker port: how ingest receives every gateway's uplink and how the cloud publishes downlink
 * (commit acks, commands). Two adapters: the embedded aedes broker (embedded.ts) and an external broker
 * cluster consumed through a shared subscription (external.ts).
 *
 * Delivery contract: `consume`'s handler is called once per message, synchronously, and is not awaited;
 * the broker has acknowledged the message to the gateway by then (PUBACK). That acknowledgement only
 * means "the broker has it": the gateway keeps the batch until the cloud says `down/committed`.
 */
export type UplinkHandler = (topic: string, payload: Buffer) => void;

export interface BrokerEndpoints {
  /** URLs a gateway is told at enrolment. */
  tcp: string | null;
  tls: string | null;
  /** Ports actually bound (embedded), else null. */
  mqttPort: number | null;
  mqttsPort: number | null;
  /** PEM a gateway should trust for `tls`, when the cloud knows it. */
  ca: string | null;
}

export interface BrokerLink {
  readonly mode: 'embedded' | 'external';
  consume(handler: UplinkHandler): Promise<void>;
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** Closes every live connection of a gateway; how many (always 0 where the broker is external). */
  disconnectGateway(gw: string): number;
  /** Gateways with a live connection, or null where this link cannot know (external broker). */
  connectedGateways(): ReadonlySet<string> | null;
  endpoints(): BrokerEndpoints;
  metrics(): Record<string, number>;
  close(): Promise<void>;
}

/** Who a connected MQTT client is, once authenticated. */
export type Principal = { kind: 'gateway'; gw: string } | { kind: 'admin'; username: string };

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; returnCode: 4 | 5; reason: string };

/** How the broker checks a username and password (implemented by the gateway service over the SQL store). */
export interface BrokerAuth {
  authenticate(username: string, password: string): Promise<AuthOutcome>;
}
