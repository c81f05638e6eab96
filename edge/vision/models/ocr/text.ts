/**
 * Line-level post-processing of recognised text that the CTC decoder cannot do one time step at a
 * time: letter case of look-alike glyphs, decided by the rest of the word, and cutting a line where
 * the recogniser read nothing over a long stretch.
 */

/**
 * Latin letters whose lower and upper case differ only in size (c/C, o/O, s/S, u/U, v/V, w/W, x/X,
 * z/Z). Within one crop the recogniser sees them at one scale, so its case choice for them is a
 * guess; the other letters of the same word carry the real evidence.
 */
const CASE_AMBIGUOUS = new Set('cosuvwxzCOSUVWXZ');

/**
 * Makes the case of look-alike letters agree with the word they are in. A word is a run of ASCII
 * letters. When at least two letters of the word are not look-alikes and all of those are upper
 * case, a lower-case look-alike followed later in the word by such an upper-case letter becomes
 * upper case ("LouVRE" → "LOUVRE"; a trailing one stays, as in "PDFs" or "MHz"). Nothing is
 * lowered: the recogniser often runs words together without a space, so an upper-case look-alike
 * after lower-case letters may well start the next word ("preparationforComponent"). Words with
 * lower-case letters that are not look-alikes ("iPhone", "LogiSticS") stay as read.
 */
export function harmoniseCase(text: string): string {
  return text.replace(/[A-Za-z]{3,}/g, (word) => {
    const w = [...word];
    const firm = w.map((c) => !CASE_AMBIGUOUS.has(c));
    const isUpper = (c: string): boolean => c === c.toUpperCase();
    const firmUpper = w.filter((c, i) => firm[i] && isUpper(c)).length;
    const firmLower = w.filter((c, i) => firm[i] && !isUpper(c)).length;
    if (firmUpper >= 2 && firmLower === 0) {
      let seenFirm = false;
      for (let i = w.length - 1; i >= 0; i--) {
        if (firm[i]) seenFirm = true;
        else if (seenFirm) w[i] = w[i]!.toUpperCase();
      }
      return w.join('');
    }
    return word;
  });
}

/**
 * Where to cut one recognised line: the index ranges [start, end) of `chars` separated by a
 * stretch of at least `minGapSteps` time steps between two neighbouring non-space characters
 * (text the recogniser cannot read, or empty space, several line heights long). A range starts
 * and ends on a non-space character, so spaces at the cut are dropped.
 */
export function gapSegments(chars: readonly { ch: string; t: number }[], minGapSteps: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  let last = -1;
  chars.forEach((c, i) => {
    if (c.ch === ' ') return;
    if (start < 0) start = i;
    else if (c.t - chars[last]!.t >= minGapSteps) {
      out.push([start, last + 1]);
      start = i;
    }
    last = i;
  });
  if (start >= 0) out.push([start, last + 1]);
  return out;
}
