/**
 * Gateway lifecycle: create (with a one-time enrolment token), enrol (token burnt, MQTT credential
 * issued once), revoke (credentials refused, live connections closed), and MQTT authentication for the
 * embedded broker.
 */
import type { Logger } from 'pino';
import { isGatewayId } from '../../shared/contracts/topics.js';
import { QuaysideError } from '../../shared/errors.js';
import type { AuthOutcome, BrokerAuth } from '../broker/port.js';
import type { CloudStore } from '../store/cloud-store.js';
import { hashSecret, randomSecret, safeEqual, sha256Hex, verifySecret } from './secrets.js';

export interface EnrolmentTicket {
  id: string;
  name: string;
  enrolToken: string;
  expiresAt: number;
}

export interface IssuedCredential {
  gatewayId: string;
  username: string;
  password: string;
  clientId: string;
}

export interface GatewayServiceOptions {
  tokenTtlMs: number;
  admin?: { username: string; password: string } | undefined;
  log: Logger;
  now?: () => number;
}

export class GatewayService implements BrokerAuth {
  private disconnect: (gw: string) => number = () => 0;
  private readonly now: () => number;

  constructor(
    private readonly store: CloudStore,
    private readonly opts: GatewayServiceOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Lets revoke close live connections (the broker is built after this service). */
  attachBroker(broker: { disconnectGateway(gw: string): number }): void {
    this.disconnect = (gw) => broker.disconnectGateway(gw);
  }

  async create(id: string, name: string | undefined): Promise<EnrolmentTicket> {
    if (!isGatewayId(id)) throw new QuaysideError('CLOUD_BAD_REQUEST', `invalid gateway id ${JSON.stringify(id)}`);
    if (this.opts.admin && id === this.opts.admin.username) throw new QuaysideError('CLOUD_GATEWAY_EXISTS', id);
    const token = randomSecret(24);
    const now = this.now();
    const expiresAt = now + this.opts.tokenTtlMs;
    const created = await this.store.createGateway({ id, name: name ?? id, tokenHash: sha256Hex(token), tokenExpiresAt: expiresAt, now });
    if (!created) throw new QuaysideError('CLOUD_GATEWAY_EXISTS', id);
    this.opts.log.info({ gw: id, audit: true }, 'gateway created');
    return { id, name: name ?? id, enrolToken: token, expiresAt };
  }

  /** A fresh enrolment token (e.g. a replaced gateway box); enrolling with it replaces the old credential. */
  async reissueToken(id: string): Promise<EnrolmentTicket> {
    const g = await this.store.getGateway(id);
    if (!g) throw new QuaysideError('CLOUD_GATEWAY_NOT_FOUND', id);
    if (g.revokedAt !== null) throw new QuaysideError('CLOUD_GATEWAY_REVOKED', id);
    const token = randomSecret(24);
    const expiresAt = this.now() + this.opts.tokenTtlMs;
    if (!(await this.store.setEnrolToken(id, sha256Hex(token), expiresAt))) throw new QuaysideError('CLOUD_GATEWAY_REVOKED', id);
    this.opts.log.info({ gw: id, audit: true }, 'enrolment token reissued');
    return { id, name: g.name, enrolToken: token, expiresAt };
  }

  /** Burns the token and returns the MQTT password — the only time it exists in clear. */
  async enrol(id: string, token: string): Promise<IssuedCredential> {
    const password = randomSecret(32);
    const ok = isGatewayId(id) && (await this.store.enrol({ id, tokenHash: sha256Hex(token), now: this.now(), username: id, secretHash: await hashSecret(password) }));
    if (!ok) {
      this.opts.log.warn({ gw: id, code: 'CLOUD_ENROL_TOKEN', audit: true }, 'enrolment refused');
      throw new QuaysideError('CLOUD_ENROL_TOKEN', id);
    }
    this.opts.log.info({ gw: id, audit: true }, 'gateway enrolled');
    return { gatewayId: id, username: id, password, clientId: id };
  }

  async revoke(id: string): Promise<{ revoked: boolean; disconnected: number }> {
    const g = await this.store.getGateway(id);
    if (!g) throw new QuaysideError('CLOUD_GATEWAY_NOT_FOUND', id);
    const revoked = await this.store.revokeGateway(id, this.now());
    const disconnected = this.disconnect(id);
    this.opts.log.warn({ gw: id, disconnected, audit: true }, 'gateway revoked');
    return { revoked, disconnected };
  }

  async authenticate(username: string, password: string): Promise<AuthOutcome> {
    const admin = this.opts.admin;
    if (admin && username === admin.username) {
      return safeEqual(password, admin.password) ? { ok: true, principal: { kind: 'admin', username } } : { ok: false, returnCode: 4, reason: 'wrong admin password' };
    }
    const creds = await this.store.credentialsFor(username);
    for (const c of creds) {
      if (!(await verifySecret(password, c.secretHash))) continue;
      if (c.gatewayRevoked) return { ok: false, returnCode: 5, reason: `gateway ${c.gatewayId} is revoked` };
      return { ok: true, principal: { kind: 'gateway', gw: c.gatewayId } };
    }
    return { ok: false, returnCode: 4, reason: creds.length ? 'wrong password' : 'unknown username' };
  }
}
