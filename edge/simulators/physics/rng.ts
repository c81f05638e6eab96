/**
 * Small seeded randomness for the simulators. Two kinds:
 * - `createRng(seed)`: a sequential stream (sfc32), for things that happen in order (button presses);
 * - `valueNoise(seed, key)`: a smooth noise that is a pure function of time, so every device that
 *   samples the same signal at the same instant sees the same value, whatever the call pattern.
 */

/** 32-bit hash of a string (FNV-1a), for turning names into seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one well-scrambled 32-bit value (murmur3 finaliser). */
export function mix32(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h ^= x | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) from integer coordinates (stateless). */
export function hash01(...xs: number[]): number {
  return mix32(...xs) / 4294967296;
}

export type Seed = number | string;

function seedInt(seed: Seed): number {
  return typeof seed === 'number' ? mix32(Math.floor(seed), Math.floor((seed % 1) * 1e9)) : hashString(seed);
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
  pick<T>(items: readonly T[]): T;
  /** An independent stream derived from this seed and a label. */
  fork(label: string): Rng;
}

/** sfc32: a small fast generator with a 128-bit state, good enough for simulation. */
export function createRng(seed: Seed): Rng {
  const base = seedInt(seed);
  let a = mix32(base, 1);
  let b = mix32(base, 2);
  let c = mix32(base, 3);
  let d = 1;
  const raw = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) raw(); // warm up
  let spare: number | undefined;
  const rng: Rng = {
    next: raw,
    uniform: (min, max) => min + (max - min) * raw(),
    int: (n) => Math.floor(raw() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    exponential: (mean) => {
      let u = 0;
      while (u === 0) u = raw();
      return -Math.log(u) * mean;
    },
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(raw() * items.length)]!;
    },
    fork: (label) => createRng(mix32(base, hashString(label))),
  };
  return rng;
}

/**
 * Smooth, zero-mean noise of standard deviation ≈ `sigma`, a pure function of time: random knots
 * every `stepMs`, cosine-interpolated between. Deterministic for a (seed, key).
 */
export function valueNoise(seed: Seed, key: string, stepMs: number, sigma: number): (tMs: number) => number {
  const k = mix32(seedInt(seed), hashString(key));
  // uniform [-1,1) has σ = 1/√3; cosine interpolation between independent knots keeps √0.75 of it
  const gain = (sigma * Math.sqrt(3)) / Math.sqrt(0.75);
  const knot = (i: number): number => (hash01(k, i) * 2 - 1) * gain;
  return (tMs: number) => {
    const x = tMs / stepMs;
    const i = Math.floor(x);
    const f = x - i;
    const w = (1 - Math.cos(Math.PI * f)) / 2;
    return knot(i) * (1 - w) + knot(i + 1) * w;
  };
}

/** White-ish noise: an independent normal-ish value per time slot of `slotMs` (pure function of time). */
export function slotNoise(seed: Seed, key: string, slotMs: number, sigma: number): (tMs: number) => number {
  const k = mix32(seedInt(seed), hashString(key));
  return (tMs: number) => {
    const i = Math.floor(tMs / slotMs);
    // sum of 3 uniforms ≈ normal; variance of each uniform[-1,1) is 1/3
    const s = hash01(k, i, 1) + hash01(k, i, 2) + hash01(k, i, 3) - 1.5;
    return s * 2 * sigma;
  };
}
