/**
 * The MQTT link to the cloud (mqtt.js): TLS with the cloud's CA, a persistent session (clean: false, a
 * stable client id, QoS 1 subscriptions), so acks and commands published while the gateway is away are
 * queued by the broker and delivered on reconnect. MQTT 3.1.1 by default (the cloud's embedded aedes
 * speaks nothing else); protocolVersion 5 for an external broker that offers it, with a session expiry so
 * the session outlives the connection.
 *
 * Status: the last will is `{state: "offline"}` retained on up/status, and every connect publishes
 * `{state: "online"}` retained, so the cloud knows which gateways are up.
 * Downlink: `down/committed` goes to the sync loop, `down/cmd` to the command handler.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { commandResultSchema, type CommandResult } from '../../shared/contracts/command.js';
import { committedAckSchema, type CommittedAck } from '../../shared/contracts/envelope.js';
import { topics, type GatewayId } from '../../shared/contracts/topics.js';
import type { SyncLink } from './loop.js';

export interface UplinkOptions {
  gw: GatewayId;
  /** Broker URLs, tried in turn (failover). */
  urls: readonly string[];
  /** PEM of the CA that signed the broker certificate (mqtts/wss). */
  ca?: string | undefined;
  username: string;
  password: string;
  clientId: string;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  connectTimeoutMs: number;
  reconnectMs: number;
  sessionExpiryS: number;
  /** Software version reported in the status message. */
  version?: string | undefined;
  log: Logger;
  onConnected(sessionPresent: boolean): void;
  onDisconnected(): void;
  onCommitted(ack: CommittedAck): void;
  onCommand(payload: Buffer): void;
}

export interface UplinkCounters {
  connects_total: number;
  disconnects_total: number;
  connect_errors_total: number;
  bad_acks_total: number;
  messages_in_total: number;
}

function serverOf(u: string): { host: string; port: number; protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss' } {
  const url = new URL(u);
  const protocol = url.protocol.replace(/:$/, '') as 'mqtt' | 'mqtts' | 'ws' | 'wss';
  const port = url.port ? Number(url.port) : protocol === 'mqtts' ? 8883 : protocol === 'mqtt' ? 1883 : protocol === 'wss' ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}

export class Uplink implements SyncLink {
  private client: MqttClient | undefined;
  private isUp = false;
  private lastError = '';
  private errorRepeats = 0;
  readonly counters: UplinkCounters = { connects_total: 0, disconnects_total: 0, connect_errors_total: 0, bad_acks_total: 0, messages_in_total: 0 };
  private readonly t: { committed: string; cmd: string; status: string; ack: string };
  private connectedSince: number | null = null;

  constructor(private readonly o: UplinkOptions) {
    this.t = { committed: topics.down(o.gw, 'committed'), cmd: topics.down(o.gw, 'cmd'), status: topics.up(o.gw, 'status'), ack: topics.up(o.gw, 'ack') };
  }

  get connected(): boolean {
    return this.isUp && this.client?.connected === true;
  }

  get since(): number | null {
    return this.connectedSince;
  }

  get error(): string {
    return this.lastError;
  }

  private status(state: 'online' | 'offline'): Buffer {
    return Buffer.from(JSON.stringify({ state, ts: Date.now(), ...(this.o.version ? { version: this.o.version } : {}) }));
  }

  start(): void {
    const o = this.o;
    const first = serverOf(o.urls[0]!);
    const opts: IClientOptions = {
      protocolVersion: o.protocolVersion,
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      clean: false,
      keepalive: o.keepaliveS,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: o.reconnectMs,
      reconnectOnConnackError: true,
      resubscribe: true,
      queueQoSZero: false,
      will: { topic: this.t.status, payload: this.status('offline'), qos: 1, retain: true },
      ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: o.sessionExpiryS } } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      rejectUnauthorized: true,
      host: first.host,
      port: first.port,
      protocol: first.protocol,
      ...(o.urls.length > 1 ? { servers: o.urls.map(serverOf) } : {}),
    };
    const client = connect(o.urls.length > 1 ? opts : { ...opts, ...(first.protocol.startsWith('ws') ? { path: new URL(o.urls[0]!).pathname } : {}) });
    this.client = client;

    client.on('connect', (connack) => {
      const sessionPresent = connack.sessionPresent === true;
      this.counters.connects_total++;
      this.isUp = true;
      this.connectedSince = Date.now();
      this.lastError = '';
      this.errorRepeats = 0;
      client.options.reconnectPeriod = o.reconnectMs;
      o.log.info({ broker: `${client.options.protocol}://${client.options.host}:${client.options.port}`, sessionPresent }, 'connected to the cloud broker');
      // Subscribing is idempotent; with a session present it only confirms what the broker kept.
      client.subscribe([this.t.committed, this.t.cmd], { qos: 1 }, (err, granted) => {
        if (err) return o.log.warn({ err: err.message }, 'downlink subscription failed');
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length) o.log.error({ topics: refused.map((g) => g.topic) }, 'the broker refused a downlink subscription (ACL?)');
      });
      client.publish(this.t.status, this.status('online'), { qos: 1, retain: true }, (err) => {
        if (err) o.log.debug({ err: err.message }, 'online status not published');
      });
      o.onConnected(sessionPresent);
    });
    client.on('close', () => {
      if (this.isUp) {
        this.counters.disconnects_total++;
        o.log.warn('disconnected from the cloud broker; storing and retrying');
        o.onDisconnected();
      }
      this.isUp = false;
      this.connectedSince = null;
      // The will's timestamp: when we were last seen.
      if (client.options.will) client.options.will.payload = this.status('offline');
    });
    client.on('error', (err) => {
      this.counters.connect_errors_total++;
      const msg = err.message;
      if (msg !== this.lastError || ++this.errorRepeats % 50 === 0) {
        const code = (err as { code?: number | string }).code;
        o.log.warn({ err: msg, code, repeats: this.errorRepeats }, 'cloud broker connection error');
      }
      if (msg !== this.lastError) this.errorRepeats = 0;
      this.lastError = msg;
      // Refused credentials will not fix themselves quickly: retry slowly.
      const code = (err as { code?: number }).code;
      if (code === 4 || code === 5 || code === 134 || code === 135) client.options.reconnectPeriod = Math.max(o.reconnectMs, 30_000);
    });
    client.on('message', (topic, payload) => {
      this.counters.messages_in_total++;
      if (topic === this.t.committed) {
        let ack: CommittedAck;
        try {
          const r = committedAckSchema.safeParse(JSON.parse(payload.toString('utf8')));
          if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
          ack = r.data;
        } catch (e) {
          this.counters.bad_acks_total++;
          o.log.warn({ err: (e as Error).message, payload: payload.toString('utf8').slice(0, 200) }, 'unreadable commit ack ignored');
          return;
        }
        o.onCommitted(ack);
      } else if (topic === this.t.cmd) {
        o.onCommand(payload);
      }
    });
  }

  publish(topic: string, payload: Buffer): Promise<void> {
    const c = this.client;
    if (!c || !this.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }

  publishResult(r: CommandResult): Promise<void> {
    return this.publish(this.t.ack, Buffer.from(JSON.stringify(commandResultSchema.parse(r))));
  }

  /** A clean goodbye: offline status (retained), then disconnect (no last will). */
  async stop(timeoutMs = 2000): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.client = undefined;
    if (c.connected) {
      await Promise.race([
        new Promise<void>((r) => c.publish(this.t.status, this.status('offline'), { qos: 1, retain: true }, () => r())),
        new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    }
    await Promise.race([c.endAsync(false), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]).catch(() => undefined);
    if (!c.disconnected) await c.endAsync(true).catch(() => undefined);
  }
}
