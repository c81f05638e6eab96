/**
 * What a gateway sends up and what the cloud answers (../shared/DESIGN.md §3).
 *
 * An envelope is one outbox batch: `{ v: 1, gw, seq, id, sentAt, kind, items }`. `(gw, seq)` is unique,
 * so a redelivered batch is recognised and acknowledged without being stored twice. The cloud answers on
 * `down/committed` once the batch is durable (time-series and SQL); only then may the edge mark it acked.
 */
import { z } from 'zod';
import { readingSchema } from './reading.js';
import { gatewayIdSchema, type EnvelopeKind } from './topics.js';

export const ENVELOPE_VERSION = 1;
/** Most items one envelope may carry. */
export const MAX_ENVELOPE_ITEMS = 1000;
/** Largest MQTT payload the cloud accepts on an uplink topic, in bytes (UTF-8 JSON). */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

const tsSchema = z.number().int().nonnegative().max(8_640_000_000_000_000);
/** Identifiers and names: no control characters (they end up as SQL text and in logs). */
const name = (max: number) => z.string().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const idSchema = name(64);
const shortText = z.string().max(200);

/** A vision or rule event: a plate read, a container number, a face, a draft line, an alarm. */
export const eventItemSchema = z
  .object({
    id: idSchema,
    ts: tsSchema,
    device: name(128).optional(),
    /** e.g. "plate", "container", "face", "draft", "alarm". */
    kind: name(64),
    value: z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
    confidence: z.number().min(0).max(1).optional(),
    /** Snapshot kept at the edge, with its SM3 hash (hex) for integrity. */
    snapshot: z.object({ path: z.string().min(1).max(500), sm3: z.string().regex(/^[0-9a-f]{64}$/) }).strict().optional(),
    /** Small flat attributes (lane, direction, bbox as text…). */
    attrs: z.record(z.string().max(64), z.union([shortText, z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict();
export type EventItem = z.infer<typeof eventItemSchema>;

/** A draft survey as the inspector saved it; the report body is checked by the survey module. */
export const surveyItemSchema = z
  .object({
    id: idSchema,
    ts: tsSchema,
    vessel: z.object({ name: name(200), imo: z.string().regex(/^\d{7}$/).optional() }).strict(),
    stage: z.enum(['initial', 'intermediate', 'final']),
    status: z.enum(['draft', 'completed', 'signed']),
    surveyor: name(128).optional(),
    report: z.record(z.string(), z.json()),
    /** SM2 signature over the canonical report, base64. */
    signature: z.string().min(1).max(512).optional(),
  })
  .strict();
export type SurveyItem = z.infer<typeof surveyItemSchema>;

/** A business record kept by the gateway (queue call, inspection, LED text shown…). */
export const recordItemSchema = z
  .object({
    id: idSchema,
    ts: tsSchema,
    type: name(64),
    data: z.record(z.string(), z.json()),
  })
  .strict();
export type RecordItem = z.infer<typeof recordItemSchema>;

const envelopeBase = {
  v: z.literal(ENVELOPE_VERSION),
  gw: gatewayIdSchema,
  /** The gateway's outbox sequence number: positive, increasing, never reused. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** A unique id of this batch (UUID), for logs. */
  id: idSchema,
  sentAt: tsSchema,
};

const uniqueIds = (items: ReadonlyArray<{ id: string }>, ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.id)) ctx.addIssue({ code: 'custom', message: `duplicate item id ${JSON.stringify(it.id)}`, path: ['items', i, 'id'] });
    seen.add(it.id);
  });
};

const items = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_ENVELOPE_ITEMS);

export const telemetryEnvelopeSchema = z.object({ ...envelopeBase, kind: z.literal('telemetry'), items: items(readingSchema) }).strict();
export const eventEnvelopeSchema = z
  .object({ ...envelopeBase, kind: z.literal('event'), items: items(eventItemSchema) })
  .strict()
  .superRefine((e, ctx) => uniqueIds(e.items, ctx));
export const surveyEnvelopeSchema = z
  .object({ ...envelopeBase, kind: z.literal('survey'), items: items(surveyItemSchema) })
  .strict()
  .superRefine((e, ctx) => uniqueIds(e.items, ctx));
export const recordEnvelopeSchema = z
  .object({ ...envelopeBase, kind: z.literal('record'), items: items(recordItemSchema) })
  .strict()
  .superRefine((e, ctx) => uniqueIds(e.items, ctx));

export const envelopeSchema = z.discriminatedUnion('kind', [telemetryEnvelopeSchema, eventEnvelopeSchema, surveyEnvelopeSchema, recordEnvelopeSchema]);
export type Envelope = z.infer<typeof envelopeSchema>;
export type TelemetryEnvelope = z.infer<typeof telemetryEnvelopeSchema>;
export type EnvelopeOf<K extends EnvelopeKind> = Extract<Envelope, { kind: K }>;
export type ItemOf<K extends EnvelopeKind> = EnvelopeOf<K>['items'][number];

/** Retained on `up/status`; the gateway's last will carries `offline`. */
export const gatewayStatusSchema = z
  .object({
    state: z.enum(['online', 'offline']),
    ts: tsSchema,
    /** Software version of the gateway. */
    version: z.string().min(1).max(64).optional(),
  })
  .strict();
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;

const seqSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * The cloud's answer on `down/committed`: `seqs` (and/or inclusive `ranges`) are durably stored; the edge
 * marks them acknowledged. `rejected` lists batches the cloud will never accept (bad schema, refused by
 * the time-series store): they are kept in the cloud's dead letters and the edge should stop resending them.
 */
export const committedAckSchema = z
  .object({
    seqs: z.array(seqSchema).max(10_000),
    ranges: z
      .array(z.tuple([seqSchema, seqSchema]).refine(([a, b]) => a <= b, 'a range is [first, last] with first ≤ last'))
      .max(1000)
      .optional(),
    rejected: z.array(z.object({ seq: seqSchema, code: z.string().min(1).max(64), reason: z.string().max(500) }).strict()).max(1000).optional(),
  })
  .strict();
export type CommittedAck = z.infer<typeof committedAckSchema>;

/** Every sequence number an ack commits (seqs plus expanded ranges), ascending and without repeats. */
export function committedSeqs(ack: CommittedAck): number[] {
  const out = new Set(ack.seqs);
  for (const [a, b] of ack.ranges ?? []) for (let s = a; s <= b; s++) out.add(s);
  return [...out].sort((x, y) => x - y);
}

/** Sorted sequence numbers compressed into inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function toRanges(seqs: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
