/**
 * Camera configuration (one entry per camera in the edge config): where frames come from, how
 * often they are sampled, at what size, which analyses run on them and over which region.
 */
import { z } from 'zod';

export const ANALYSES = ['plate', 'container', 'ocr', 'face', 'draft'] as const;
export type Analysis = (typeof ANALYSES)[number];

export const RoiSchema = z
  .object({ x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().positive(), height: z.number().int().positive() })
  .strict();

export const CameraConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
    /** rtsp:// (or rtsps://) URL, or a local video file path. */
    url: z.string().refine((u) => /^rtsps?:\/\//.test(u) || u.startsWith('/') || u.startsWith('./') || u.startsWith('file:'), 'rtsp:// URL or file path'),
    /** Frames per second handed to analysis (ffmpeg's fps filter). */
    fps: z.number().positive().max(60).default(2),
    width: z.number().int().min(16).max(7680).default(1280),
    height: z.number().int().min(16).max(4320).default(720),
    analyses: z.array(z.enum(ANALYSES)).min(1),
    /** Region of interest in output-frame pixels; analyses look only here. */
    roi: RoiSchema.optional(),
    /** Frames waiting for analysis before the oldest is dropped. */
    queue: z.number().int().min(1).max(64).default(4),
    /** Read a file at its native rate, like a live camera (ignored for RTSP). */
    realtime: z.boolean().default(true),
    /** Loop a file source forever. */
    loop: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.roi && (c.roi.x + c.roi.width > c.width || c.roi.y + c.roi.height > c.height))
      ctx.addIssue({ code: 'custom', path: ['roi'], message: 'roi must lie inside the frame' });
  });

export type CameraConfig = z.output<typeof CameraConfigSchema>;
export type CameraConfigInput = z.input<typeof CameraConfigSchema>;
