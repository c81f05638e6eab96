/**
 * Non-maximum suppression over scored boxes: plain (keep the best, drop overlaps) or weighted
 * (MediaPipe's blending: the kept box is the score-weighted mean of its overlapping cluster,
 * which steadies boxes from frame to frame).
 */
import type { BoxXyxy } from '../../image.js';
import { boxIou } from '../../image.js';

export interface Scored {
  box: BoxXyxy;
  score: number;
  /** Optional key points (x, y pairs) blended like the box. */
  keypoints?: number[];
}

export function nms<T extends Scored>(items: T[], iouThreshold: number, mode: 'plain' | 'weighted' = 'plain'): T[] {
  const rest = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  while (rest.length) {
    const top = rest[0]!;
    const cluster: T[] = [];
    const others: T[] = [];
    for (const r of rest) (boxIou(top.box, r.box) > iouThreshold || r === top ? cluster : others).push(r);
    if (mode === 'plain' || cluster.length === 1) kept.push(top);
    else {
      let wsum = 0;
      const box: BoxXyxy = [0, 0, 0, 0];
      const kp = top.keypoints ? new Array<number>(top.keypoints.length).fill(0) : undefined;
      for (const c of cluster) {
        wsum += c.score;
        for (let i = 0; i < 4; i++) box[i] = box[i]! + c.box[i]! * c.score;
        if (kp && c.keypoints) for (let i = 0; i < kp.length; i++) kp[i] = kp[i]! + (c.keypoints[i] ?? 0) * c.score;
      }
      for (let i = 0; i < 4; i++) box[i] = box[i]! / wsum;
      kept.push({ ...top, box, ...(kp ? { keypoints: kp.map((v) => v / wsum) } : {}) });
    }
    rest.length = 0;
    rest.push(...others);
  }
  return kept;
}
