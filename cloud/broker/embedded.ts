/**
 * The embedded MQTT broker: aedes over TCP and TLS, with per-gateway credentials and the topic ACL of
 * shared/contracts/topics.ts. MQTT 3.1.1 (aedes 1.2 refuses v5).
 *
 * - authenticate: username/password against the gateway store (scrypt), or the configured admin client.
 *   Unknown or wrong → CONNACK 4, revoked gateway → 5, client id not the gateway's own → 2.
 * - authorizePublish: a gateway publishes only under qs/v1/{its id}/up/…, and retains only up/status
 *   (its last will is checked the same way). A refusal closes the connection (3.1.1 has no PUBACK error).
 * - authorizeSubscribe: a gateway subscribes only to qs/v1/{its id}/down/…; a refusal answers SUBACK 0x80.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { clientIdDenial, isGatewayId, publishDenial, subscribeDenial, topics } from '../../shared/contracts/topics.js';
import type { EmbeddedBrokerConfig } from '../config/schema.js';
import type { BrokerAuth, BrokerEndpoints, BrokerLink, Principal, UplinkHandler } from './port.js';
import type { TlsMaterial } from './tls.js';

/** CONNACK return codes of MQTT 3.1.1 the broker answers with. */
type ReturnCode = 2 | 3 | 4 | 5; // identifier rejected | server unavailable | bad username or password | not authorised
const authError = (returnCode: ReturnCode, message: string): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

export class EmbeddedBroker implements BrokerLink {
  readonly mode = 'embedded';
  private readonly principals = new WeakMap<Client, Principal>();
  private readonly byGateway = new Map<string, Set<Client>>();
  private readonly m = { auth_failures_total: 0, acl_denials_total: 0, connections_total: 0, messages_in_total: 0 };
  private tcpServer: net.Server | null = null;
  private tlsServer: tls.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly broker: Aedes,
    private readonly config: EmbeddedBrokerConfig,
    private readonly tlsMaterial: TlsMaterial,
    private readonly log: Logger,
  ) {}

  static async start(opts: { config: EmbeddedBrokerConfig; tls: TlsMaterial; auth: BrokerAuth; log: Logger }): Promise<EmbeddedBroker> {
    const { config, auth, log } = opts;
    let self: EmbeddedBroker | undefined;
    const broker = await Aedes.createBroker({
      id: 'qs-cloud',
      authenticate: (client, username, password, done) => {
        if (!username || !password) {
          self?.authFailed(client, username, 'no username or password');
          return done(authError(4, 'username and password required'), false);
        }
        auth.authenticate(username, password.toString('utf8')).then(
          (outcome) => {
            if (!outcome.ok) {
              self?.authFailed(client, username, outcome.reason);
              return done(authError(outcome.returnCode, outcome.reason), false);
            }
            if (outcome.principal.kind === 'gateway' && isGatewayId(outcome.principal.gw)) {
              const denial = clientIdDenial(outcome.principal.gw, client.id);
              if (denial) {
                self?.authFailed(client, username, denial);
                return done(authError(2, denial), false);
              }
            }
            self?.principals.set(client, outcome.principal);
            done(null, true);
          },
          (e: unknown) => {
            log.error({ err: e, code: 'CLOUD_BROKER' }, 'authentication failed with an error');
            done(authError(3, 'server unavailable'), false);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null); // the cloud's own publishes
        const p = self?.principals.get(client);
        if (p?.kind === 'admin') return done(null);
        const denial = p && isGatewayId(p.gw) ? publishDenial(p.gw, packet.topic, { retain: packet.retain }) : 'not authenticated';
        if (!denial) return done(null);
        self?.aclDenied(client, p, 'publish', packet.topic, denial);
        done(new Error(denial));
      },
      authorizeSubscribe: (client, sub, done) => {
        const p = self?.principals.get(client);
        if (p?.kind === 'admin') return done(null, sub);
        const denial = p && isGatewayId(p.gw) ? subscribeDenial(p.gw, sub.topic) : 'not authenticated';
        if (!denial) return done(null, sub);
        self?.aclDenied(client, p, 'subscribe', sub.topic, denial);
        done(null, null); // SUBACK 0x80, the connection stays
      },
    });
    self = new EmbeddedBroker(broker, config, opts.tls, log);
    broker.on('clientReady', (client) => self.clientReady(client));
    broker.on('clientDisconnect', (client) => self.clientGone(client));
    broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
    await self.listen();
    return self;
  }

  private async listen(): Promise<void> {
    const { host, port, tlsPort } = this.config;
    const track = (s: net.Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    };
    if (port !== null) {
      this.tcpServer = net.createServer((s) => {
        track(s);
        this.broker.handle(s);
      });
      await listen(this.tcpServer, port, host);
    }
    this.tlsServer = tls.createServer({ key: this.tlsMaterial.key, cert: this.tlsMaterial.cert, minVersion: 'TLSv1.2' }, (s) => {
      track(s);
      this.broker.handle(s);
    });
    this.tlsServer.on('tlsClientError', (err) => this.log.debug({ err: err.message }, 'TLS handshake failed'));
    await listen(this.tlsServer, tlsPort, host);
    this.log.info({ mqtt: this.boundPort(this.tcpServer), mqtts: this.boundPort(this.tlsServer) }, 'embedded MQTT broker listening');
  }

  private boundPort(s: net.Server | null): number | null {
    const a = s?.address();
    return a && typeof a === 'object' ? (a as AddressInfo).port : null;
  }

  private authFailed(client: Client, username: string | undefined, reason: string): void {
    this.m.auth_failures_total++;
    this.log.info({ code: 'CLOUD_MQTT_AUTH', clientId: client.id, username, reason }, 'MQTT connection refused');
  }

  private aclDenied(client: Client, p: Principal | undefined, action: 'publish' | 'subscribe', topic: string, reason: string): void {
    this.m.acl_denials_total++;
    this.log.warn({ code: 'CLOUD_MQTT_ACL', clientId: client.id, gw: p?.kind === 'gateway' ? p.gw : undefined, action, topic, reason }, `MQTT ${action} refused`);
  }

  private clientReady(client: Client): void {
    this.m.connections_total++;
    const p = this.principals.get(client);
    if (p?.kind !== 'gateway') return;
    let set = this.byGateway.get(p.gw);
    if (!set) this.byGateway.set(p.gw, (set = new Set()));
    set.add(client);
  }

  private clientGone(client: Client): void {
    const p = this.principals.get(client);
    if (p?.kind !== 'gateway') return;
    const set = this.byGateway.get(p.gw);
    set?.delete(client);
    if (set && set.size === 0) this.byGateway.delete(p.gw);
  }

  consume(handler: UplinkHandler): Promise<void> {
    return new Promise((resolve) => {
      this.broker.subscribe(
        topics.allUp(),
        (packet, cb) => {
          cb(); // never hold the broker's delivery queue: ingest queues on its own
          this.m.messages_in_total++;
          handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        },
        resolve,
      );
    });
  }

  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: opts.qos, retain: opts.retain ?? false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  disconnectGateway(gw: string): number {
    const clients = [...(this.byGateway.get(gw) ?? [])];
    for (const c of clients) c.close();
    return clients.length;
  }

  connectedGateways(): ReadonlySet<string> {
    return new Set(this.byGateway.keys());
  }

  endpoints(): BrokerEndpoints {
    const mqttPort = this.boundPort(this.tcpServer);
    const mqttsPort = this.boundPort(this.tlsServer);
    const host = this.config.publicHost ?? (this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host);
    const h = host.includes(':') ? `[${host}]` : host;
    return {
      tcp: mqttPort !== null ? `mqtt://${h}:${mqttPort}` : null,
      tls: mqttsPort !== null ? `mqtts://${h}:${mqttsPort}` : null,
      mqttPort,
      mqttsPort,
      ca: this.tlsMaterial.ca,
    };
  }

  metrics(): Record<string, number> {
    let gateways = 0;
    for (const s of this.byGateway.values()) gateways += s.size;
    return { ...this.m, connected_clients: this.broker.connectedClients, connected_gateway_clients: gateways };
  }

  async close(): Promise<void> {
    const closing = [this.tcpServer, this.tlsServer].filter((s): s is net.Server => s !== null).map((s) => new Promise<void>((r) => s.close(() => r())));
    await new Promise<void>((r) => this.broker.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
  }
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
