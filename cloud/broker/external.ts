/**
 * An external broker cluster (Mosquitto, EMQX…), for several cloud replicas (DESIGN §7): every replica
 * joins the shared subscription `$share/{group}/qs/v1/+/up/#`, so each uplink message reaches exactly one
 * replica; idempotent ingest on (gw, seq) makes a redelivery to another replica harmless. Gateway
 * credentials and the ACL are the external broker's job there (provision them with the same rules as
 * shared/contracts/topics.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { topics } from '../../shared/contracts/topics.js';
import { QuaysideError } from '../../shared/errors.js';
import type { ExternalBrokerConfig } from '../config/schema.js';
import type { BrokerEndpoints, BrokerLink, UplinkHandler } from './port.js';

export class ExternalBroker implements BrokerLink {
  readonly mode = 'external';
  private readonly m = { messages_in_total: 0, reconnects_total: 0, connected: 1 };

  private constructor(
    private readonly client: MqttClient,
    private readonly config: ExternalBrokerConfig,
    private readonly ca: string | null,
    private readonly log: Logger,
  ) {
    client.on('reconnect', () => this.m.reconnects_total++);
    client.on('offline', () => {
      this.m.connected = 0;
      this.log.warn({ code: 'CLOUD_BROKER', url: config.url }, 'external broker connection lost');
    });
    client.on('connect', () => {
      if (this.m.connected === 0) this.log.info({ url: config.url }, 'external broker connection back');
      this.m.connected = 1;
    });
    client.on('error', (err) => this.log.warn({ code: 'CLOUD_BROKER', err: err.message }, 'external broker error'));
  }

  static async start(config: ExternalBrokerConfig, log: Logger): Promise<ExternalBroker> {
    const ca = config.caFile ? fs.readFileSync(config.caFile, 'utf8') : null;
    try {
      const client = await connectAsync(config.url, {
        protocolVersion: 4,
        clientId: config.clientId ?? `qs-cloud-${os.hostname().slice(0, 20)}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
        // A clean session: a replica that dies leaves the share group instead of collecting messages
        // nobody will read; what it had not committed, the gateways resend.
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        ...(config.username ? { username: config.username } : {}),
        ...(config.password ? { password: config.password } : {}),
        ...(ca ? { ca } : {}),
      });
      log.info({ url: config.url, group: config.shareGroup }, 'connected to the external broker');
      return new ExternalBroker(client, config, ca, log);
    } catch (e) {
      throw new QuaysideError('CLOUD_BROKER', `${config.url}: ${(e as Error).message}`, { cause: e });
    }
  }

  async consume(handler: UplinkHandler): Promise<void> {
    this.client.on('message', (topic, payload) => {
      this.m.messages_in_total++;
      handler(topic, payload);
    });
    const granted = await this.client.subscribeAsync(topics.sharedUp(this.config.shareGroup), { qos: 1 });
    if (granted.some((g) => g.qos === 128)) throw new QuaysideError('CLOUD_BROKER', `the external broker refused ${topics.sharedUp(this.config.shareGroup)}`);
  }

  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain ?? false });
  }

  disconnectGateway(): number {
    return 0;
  }

  connectedGateways(): null {
    return null;
  }

  endpoints(): BrokerEndpoints {
    return { tcp: this.config.gatewayUrls.tcp ?? null, tls: this.config.gatewayUrls.tls ?? null, mqttPort: null, mqttsPort: null, ca: this.ca };
  }

  metrics(): Record<string, number> {
    return { ...this.m };
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
