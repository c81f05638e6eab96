/**
 * A small test gateway speaking the cloud contract with mqtt.js (MQTT 3.1.1): it enrols through the
 * REST API, connects with its own client id, a retained `online` status and an `offline` last will,
 * publishes envelopes on up/{kind} and waits for their seqs on down/committed. It is the reference for
 * what the edge sync loop must do.
 */
import crypto from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { committedAckSchema, committedSeqs, type Envelope, type EnvelopeOf } from '../../../shared/contracts/envelope.js';
import type { Reading } from '../../../shared/contracts/reading.js';
import { topics, toGatewayId, type EnvelopeKind, type GatewayId } from '../../../shared/contracts/topics.js';
import { ADMIN_TOKEN } from './helpers.js';

export interface Enrolment {
  gatewayId: string;
  username: string;
  password: string;
  clientId: string;
  mqtt: { tcp: string | null; tls: string | null };
  ca: string | null;
}

/** Creates a gateway (admin API) and enrols it with its one-time token. */
export async function enrolGateway(cloudUrl: string, id: string): Promise<Enrolment> {
  const created = await fetch(`${cloudUrl}/api/gateways`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, name: `test ${id}` }),
  });
  if (created.status !== 201) throw new Error(`create gateway ${id}: HTTP ${created.status} ${await created.text()}`);
  const { enrolToken } = (await created.json()) as { enrolToken: string };
  const enrolled = await fetch(`${cloudUrl}/api/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gatewayId: id, token: enrolToken }) });
  if (enrolled.status !== 201) throw new Error(`enrol ${id}: HTTP ${enrolled.status} ${await enrolled.text()}`);
  return (await enrolled.json()) as Enrolment;
}

export function readings(n: number, opts: { device?: string; point?: string; start?: number; stepMs?: number; value?: (i: number) => Reading['value'] } = {}): Reading[] {
  const start = opts.start ?? 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => ({
    device: opts.device ?? 'density-1',
    point: opts.point ?? 'density',
    ts: start + i * (opts.stepMs ?? 1000),
    value: opts.value ? opts.value(i) : 1.025 + i / 10_000,
    unit: 'g/cm3',
    quality: 'good' as const,
  }));
}

export class TestGateway {
  readonly gw: GatewayId;
  private client: MqttClient | null = null;
  private seq = 0;
  /** Every seq the cloud committed, and those it rejected (seq → code). */
  readonly committed = new Set<number>();
  readonly rejected = new Map<number, string>();
  readonly commands: unknown[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly enrolment: Enrolment) {
    this.gw = toGatewayId(enrolment.gatewayId);
  }

  static async enrol(cloudUrl: string, id: string): Promise<TestGateway> {
    return new TestGateway(await enrolGateway(cloudUrl, id));
  }

  get mqtt(): MqttClient {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  async connect(opts: { tls?: boolean; clean?: boolean; version?: string } = {}): Promise<void> {
    const url = opts.tls ? this.enrolment.mqtt.tls : this.enrolment.mqtt.tcp;
    if (!url) throw new Error('no broker URL in the enrolment');
    const options: IClientOptions = {
      protocolVersion: 4,
      clientId: this.enrolment.clientId,
      username: this.enrolment.username,
      password: this.enrolment.password,
      clean: opts.clean ?? false,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: topics.up(this.gw, 'status'), payload: Buffer.from(JSON.stringify({ state: 'offline', ts: Date.now() })), qos: 1, retain: true },
      ...(opts.tls && this.enrolment.ca ? { ca: this.enrolment.ca } : {}),
    };
    this.client = await connectAsync(url, options);
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await this.client.subscribeAsync([topics.down(this.gw, 'committed'), topics.down(this.gw, 'cmd')], { qos: 1 });
    await this.client.publishAsync(topics.up(this.gw, 'status'), JSON.stringify({ state: 'online', ts: Date.now(), ...(opts.version ? { version: opts.version } : {}) }), { qos: 1, retain: true });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === topics.down(this.gw, 'committed')) {
      const ack = committedAckSchema.parse(JSON.parse(payload.toString('utf8')));
      for (const s of committedSeqs(ack)) this.committed.add(s);
      for (const r of ack.rejected ?? []) this.rejected.set(r.seq, r.code);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    } else if (topic === topics.down(this.gw, 'cmd')) {
      this.commands.push(JSON.parse(payload.toString('utf8')));
    }
  }

  /** Builds an envelope with the next seq (or the one given). */
  envelope<K extends EnvelopeKind>(kind: K, items: EnvelopeOf<K>['items'], seq?: number): EnvelopeOf<K> {
    const s = seq ?? ++this.seq;
    if (seq !== undefined) this.seq = Math.max(this.seq, seq);
    return { v: 1, gw: this.gw, seq: s, id: crypto.randomUUID(), sentAt: Date.now(), kind, items } as unknown as EnvelopeOf<K>;
  }

  async publish(env: Envelope): Promise<number> {
    await this.mqtt.publishAsync(topics.up(this.gw, env.kind), JSON.stringify(env), { qos: 1 });
    return env.seq;
  }

  async publishRaw(topic: string, payload: string | Buffer, opts: { retain?: boolean } = {}): Promise<void> {
    await this.mqtt.publishAsync(topic, payload, { qos: 1, retain: opts.retain ?? false });
  }

  /** Resolves when every seq is committed or rejected. */
  async waitSettled(seqs: Iterable<number>, timeoutMs = 10_000): Promise<void> {
    const want = [...seqs];
    const until = Date.now() + timeoutMs;
    while (!want.every((s) => this.committed.has(s) || this.rejected.has(s))) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`${this.gw}: seqs not committed after ${timeoutMs} ms: ${want.filter((s) => !this.committed.has(s) && !this.rejected.has(s)).slice(0, 20).join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async waitCommitted(seqs: Iterable<number>, timeoutMs = 10_000): Promise<void> {
    const want = [...seqs];
    await this.waitSettled(want, timeoutMs);
    const bad = want.filter((s) => this.rejected.has(s));
    if (bad.length) throw new Error(`${this.gw}: seqs rejected: ${bad.map((s) => `${s}:${this.rejected.get(s)}`).join(', ')}`);
  }

  /** A clean goodbye: offline status first, then disconnect (no last will). */
  async close(): Promise<void> {
    if (!this.client) return;
    if (this.client.connected) {
      await this.client.publishAsync(topics.up(this.gw, 'status'), JSON.stringify({ state: 'offline', ts: Date.now() }), { qos: 1, retain: true }).catch(() => undefined);
    }
    await this.client.endAsync().catch(() => undefined);
    this.client = null;
  }

  /** Drops the connection without a goodbye (the broker publishes the last will). */
  kill(): void {
    this.client?.stream.destroy();
    this.client?.end(true);
    this.client = null;
  }
}
