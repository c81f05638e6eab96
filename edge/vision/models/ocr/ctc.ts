/**
 * CTC greedy decoding for the PP-OCR recogniser: arg-max per time step, merge repeats, drop the
 * blank (class 0). The confidence is the mean of the kept steps' probabilities.
 */
import { readFileSync } from 'node:fs';

export interface CtcResult {
  text: string;
  confidence: number;
  /** Per kept character, its probability and time step (for callers that want positions). */
  chars: { ch: string; p: number; t: number }[];
}

/**
 * The recogniser's alphabet: index 0 is the CTC blank, 1..n the dictionary lines in order, and the
 * last index the space (PP-OCR's `use_space_char`).
 */
export function loadDictionary(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines.map((l) => l.replace(/\r$/, '')), ' '];
}

/**
 * Decodes one sequence of `steps` × `classes` probabilities starting at `offset` in `probs`.
 * `allowed` (optional) restricts the arg-max to a subset of class indices (blank always allowed).
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  alphabet: readonly string[],
  allowed?: Uint8Array,
): CtcResult {
  const chars: CtcResult['chars'] = [];
  let prev = -1;
  let sum = 0;
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes;
    let best = 0;
    let bestP = probs[base]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > bestP && (!allowed || allowed[c] === 1)) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      chars.push({ ch: alphabet[best] ?? '', p: bestP, t });
      sum += bestP;
    }
    prev = best;
  }
  return { text: chars.map((c) => c.ch).join(''), confidence: chars.length ? sum / chars.length : 0, chars };
}
