/**
 * MQTT topics (the edge's own data, or any broker): subscribe for a bounded window (or until
 * maxMessages arrived) and take each JSON payload as a row (an array payload as several rows).
 * Payloads that are not JSON objects are rejected with parse_error. No cursor: a window is a window.
 * The window is read when the pull starts and handed over as one piece.
 */
import crypto from 'node:crypto';
import mqtt from 'mqtt';
import type { ConnectorSource } from '../definitions.js';
import type { Reject, SourceRow } from '../pipeline.js';
import { ConnectorError, inHand, type PullContext, type PullResult } from './types.js';

type MqttSource = Extract<ConnectorSource, { kind: 'mqtt' }>;

export async function pullMqtt(src: MqttSource, ctx: PullContext): Promise<PullResult> {
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(src.url, {
      clientId: `qs-platform-${ctx.definition.id}-${crypto.randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(src.username ? { username: ctx.secret(src.username) } : {}),
      ...(src.password ? { password: ctx.secret(src.password) } : {}),
    });
  } catch (e) {
    const msg = (e as Error).message;
    throw new ConnectorError(`cannot connect to ${new URL(src.url).host}: ${msg}`, !/not authori[sz]ed|bad user/i.test(msg), { cause: e });
  }
  const rows: SourceRow[] = [];
  const rejects: Reject[] = [];
  let n = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(finish, src.windowMs);
      const onAbort = () => finish();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      function finish() {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        resolve();
      }
      client.on('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectorError(`MQTT: ${e.message}`, true, { cause: e }));
      });
      client.on('message', (topic, payload) => {
        if (n >= src.maxMessages) return;
        n += 1;
        const ref = `${topic} #${n}`;
        let v: unknown;
        try {
          v = JSON.parse(payload.toString('utf8'));
        } catch (e) {
          rejects.push({ ref, step: -1, op: 'parse', reason: 'parse_error', field: null, detail: `payload is not JSON: ${(e as Error).message}`, raw: { _topic: topic, _payload: payload.toString('utf8').slice(0, 2000) } });
          if (n >= src.maxMessages) finish();
          return;
        }
        const items = Array.isArray(v) ? v : [v];
        items.forEach((item, i) => {
          const r = items.length > 1 ? `${ref}.${i + 1}` : ref;
          if (item && typeof item === 'object' && !Array.isArray(item)) {
            const data = { ...(item as Record<string, unknown>) };
            if (src.topicField) data[src.topicField] = topic;
            rows.push({ ref: r, data });
          } else rejects.push({ ref: r, step: -1, op: 'parse', reason: 'parse_error', field: null, detail: 'payload is not a JSON object', raw: { _topic: topic, _value: item as unknown } });
        });
        if (n >= src.maxMessages) finish();
      });
      client
        .subscribeAsync(src.topics, { qos: 1 })
        .then((granted) => {
          const refused = granted.filter((g) => g.qos === 128);
          if (refused.length) {
            clearTimeout(timer);
            reject(new ConnectorError(`broker refused the subscription to ${refused.map((g) => g.topic).join(', ')}`, false));
          }
        })
        .catch((e: Error) => {
          clearTimeout(timer);
          reject(new ConnectorError(`MQTT subscribe failed: ${e.message}`, true, { cause: e }));
        });
    });
  } finally {
    await client.endAsync().catch(() => undefined);
  }
  // a window's messages are few by nature: one piece
  return { slices: inHand(rows, rejects), cursor: null };
}
