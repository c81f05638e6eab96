/**
 * SSD anchors as MediaPipe's BlazeFace graphs generate them: layers that share a stride are merged,
 * each layer adds two anchors per cell (aspect ratio 1 and the interpolated scale), and with
 * `fixed_anchor_size` every anchor is 1 × 1 so the regressor's output is the box size itself.
 * Front model (128 px): strides [8, 16, 16, 16] → 16×16×2 + 8×8×6 = 896 anchors.
 * Back model (256 px): strides [16, 32, 32, 32] → 16×16×2 + 8×8×6 = 896 anchors.
 */
export interface Anchor {
  /** centre, in [0, 1] of the network input */
  x: number;
  y: number;
}

export function generateAnchors(inputSize: number, strides: readonly number[]): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer]!;
    let perCell = 0;
    let last = layer;
    while (last < strides.length && strides[last] === stride) {
      perCell += 2;
      last++;
    }
    const fm = Math.ceil(inputSize / stride);
    for (let y = 0; y < fm; y++)
      for (let x = 0; x < fm; x++)
        for (let k = 0; k < perCell; k++) anchors.push({ x: (x + 0.5) / fm, y: (y + 0.5) / fm });
    layer = last;
  }
  return anchors;
}

export const FRONT_STRIDES = [8, 16, 16, 16] as const;
export const BACK_STRIDES = [16, 32, 32, 32] as const;
