/** A reading as it is stored at the edge and sent upstream (../shared/DESIGN.md §3). */
import { z } from 'zod';

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export const qualitySchema = z.enum(QUALITIES);
export type Quality = z.infer<typeof qualitySchema>;

/**
 * Why a reading is not good. Stable tokens: dashboards and alerts key on them.
 * - timeout: the device did not answer in time
 * - crc: a frame failed its CRC (Modbus RTU) or checksum (line protocol)
 * - exception: the device answered with a Modbus exception (detail carries the code)
 * - frame: a malformed, short, long or unexpected frame (wrong unit id, wrong function)
 * - disconnected: the link to the device is down
 * - out_of_range: the value lies outside the profile's valid range
 * - stale: the value has not changed for longer than the profile allows (stuck sensor), or a streaming device fell silent
 * - decode: the raw value cannot be a number (NaN/Infinity float)
 */
export const QUALITY_REASONS = ['timeout', 'crc', 'exception', 'frame', 'disconnected', 'out_of_range', 'stale', 'decode'] as const;
export const qualityReasonSchema = z.enum(QUALITY_REASONS);
export type QualityReason = z.infer<typeof qualityReasonSchema>;

export const readingValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type ReadingValue = z.infer<typeof readingValueSchema>;

export const readingSchema = z
  .object({
    device: z.string().min(1),
    point: z.string().min(1),
    /** Milliseconds since the Unix epoch, when the value was read. */
    ts: z.number().int().nonnegative(),
    value: readingValueSchema,
    unit: z.string(),
    quality: qualitySchema,
    reason: qualityReasonSchema.optional(),
    /** Human detail for a non-good reading, e.g. "exception 0x02 illegal data address". */
    detail: z.string().max(200).optional(),
  })
  .strict()
  .refine((r) => (r.quality === 'good') === (r.reason === undefined), {
    message: 'a reading carries a reason exactly when its quality is not good',
    path: ['reason'],
  });
export type Reading = z.infer<typeof readingSchema>;

export const HEALTH_STATES = ['online', 'degraded', 'offline'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];
