/**
 * NMEA-0183-style sentences: `$` + id + `,` + fields + `*hh` + CR LF, where hh is the XOR of every
 * byte between `$` and `*`, in upper-case hex. Text fields may carry UTF-8 (a queue terminal's
 * Chinese text); the checksum is computed over the UTF-8 bytes.
 *
 * Two layers, both pure:
 * - `parseFrame` checks the framing (start, checksum, length, UTF-8) and splits id + fields;
 * - `decodeSentence` checks the fields against the profile's sentence definition and types them.
 * Failures are values, not exceptions: each carries the catalogue code and the quality reason
 * (`crc` for a checksum mismatch, `frame` for everything else) with a detail that names the fault.
 */
import { QuaysideError, type ErrorCode } from '../../../shared/errors.js';
import type { QualityReason, ReadingValue } from '../../../shared/contracts/reading.js';
import type { SentenceDef } from '../../../shared/profile/schema.js';

/** Longest accepted sentence, `$` to LF inclusive (NMEA-0183 itself allows 82; our terminals send UTF-8 text). */
export const MAX_SENTENCE_BYTES = 512;

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

export interface Frame {
  id: string;
  /** Raw field tokens, in order (may be empty strings). */
  fields: string[];
}

export interface SentenceRejection {
  ok: false;
  code: Extract<ErrorCode, 'EDGE_SENTENCE_CHECKSUM' | 'EDGE_SENTENCE_MALFORMED'>;
  reason: Extract<QualityReason, 'crc' | 'frame'>;
  detail: string;
}

export type FrameResult = { ok: true; frame: Frame } | SentenceRejection;

export interface DecodedSentence {
  id: string;
  def: SentenceDef;
  /** Field name → typed value: number/integer → number (null when empty), text/enum → string. */
  fields: Record<string, ReadingValue>;
}

export type DecodeResult = { ok: true; sentence: DecodedSentence } | SentenceRejection;

function malformed(detail: string): SentenceRejection {
  return { ok: false, code: 'EDGE_SENTENCE_MALFORMED', reason: 'frame', detail };
}

/** XOR of the bytes. */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

const FORBIDDEN_IN_FIELD = /[$*,\r\n]/;

/**
 * Builds one sentence, CR LF included. Throws EDGE_SENTENCE_MALFORMED when a field holds a
 * delimiter (`$ * , CR LF`) or the sentence would exceed MAX_SENTENCE_BYTES.
 */
export function encodeSentence(id: string, fields: readonly string[]): Buffer {
  if (!/^[A-Z][A-Z0-9]{2,7}$/.test(id)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `bad sentence id "${id}"`);
  fields.forEach((f, i) => {
    if (FORBIDDEN_IN_FIELD.test(f)) {
      throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `field ${i + 1} of ${id} contains a delimiter ($ * , CR LF)`);
    }
  });
  const body = Buffer.from(`${id},${fields.join(',')}`, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 6);
  out[0] = DOLLAR;
  body.copy(out, 1);
  out[body.length + 1] = STAR;
  out.write(hex2(xorChecksum(body)), body.length + 2, 'latin1');
  out[body.length + 4] = CR;
  out[body.length + 5] = LF;
  if (out.length > MAX_SENTENCE_BYTES) {
    throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${id} would be ${out.length} bytes (max ${MAX_SENTENCE_BYTES})`);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10; // tolerate lower case on input
  return -1;
}

/**
 * Checks the framing of one line (`$…*hh`, with or without the trailing CR LF) and splits it.
 * The checksum is compared before the body is decoded, so a corrupted byte reads as `crc`.
 */
export function parseFrame(line: Uint8Array | string): FrameResult {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  let end = bytes.length;
  if (end > MAX_SENTENCE_BYTES) return malformed(`line of ${end} bytes exceeds ${MAX_SENTENCE_BYTES}`);
  if (end > 0 && bytes[end - 1] === LF) end--;
  if (end > 0 && bytes[end - 1] === CR) end--;
  if (end === 0) return malformed('empty line');
  if (bytes[0] !== DOLLAR) return malformed('no "$" at the start of the sentence');
  let star = -1;
  for (let i = end - 1; i > 0; i--) {
    if (bytes[i] === STAR) {
      star = i;
      break;
    }
  }
  if (star === -1) return malformed('no "*" checksum delimiter (truncated sentence?)');
  if (end - star - 1 !== 2) return malformed(`checksum must be 2 hex digits, got ${end - star - 1} characters`);
  const h = hexValue(bytes[star + 1]!);
  const l = hexValue(bytes[star + 2]!);
  if (h < 0 || l < 0) return malformed('checksum is not hexadecimal');
  const expected = (h << 4) | l;
  const actual = xorChecksum(bytes, 1, star);
  if (expected !== actual) {
    return { ok: false, code: 'EDGE_SENTENCE_CHECKSUM', reason: 'crc', detail: `checksum ${hex2(expected)} received, ${hex2(actual)} computed` };
  }
  for (let i = 1; i < star; i++) {
    if (bytes[i] === DOLLAR || bytes[i] === CR || bytes[i] === LF) return malformed('"$", CR or LF inside the sentence');
  }
  let body: string;
  try {
    body = utf8.decode(bytes.subarray(1, star));
  } catch {
    return malformed('sentence is not valid UTF-8');
  }
  const parts = body.split(',');
  const id = parts.shift() ?? '';
  if (!/^[A-Z][A-Z0-9]{2,7}$/.test(id)) return malformed(`bad sentence id "${id.slice(0, 16)}"`);
  return { ok: true, frame: { id, fields: parts } };
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER_RE = /^[-+]?\d+$/;

/** Types a frame's fields against its definition (looked up by id in `defs`). */
export function decodeFrame(frame: Frame, defs: ReadonlyMap<string, SentenceDef>): DecodeResult {
  const def = defs.get(frame.id);
  if (!def) return malformed(`unknown sentence id "${frame.id}"`);
  if (frame.fields.length !== def.fields.length) {
    return malformed(`${frame.id} has ${frame.fields.length} fields, expected ${def.fields.length}`);
  }
  const fields: Record<string, ReadingValue> = {};
  for (let i = 0; i < def.fields.length; i++) {
    const f = def.fields[i]!;
    const token = frame.fields[i]!;
    switch (f.type) {
      case 'number':
      case 'integer': {
        if (token === '') {
          fields[f.name] = null; // NMEA: an empty field means "no value"
          break;
        }
        if (!(f.type === 'integer' ? INTEGER_RE : NUMBER_RE).test(token)) {
          return malformed(`${frame.id}.${f.name}: "${token.slice(0, 20)}" is not ${f.type === 'integer' ? 'an integer' : 'a number'}`);
        }
        fields[f.name] = Number(token);
        break;
      }
      case 'enum':
        if (!f.values?.includes(token)) return malformed(`${frame.id}.${f.name}: "${token.slice(0, 20)}" is not one of ${f.values?.join('|')}`);
        fields[f.name] = token;
        break;
      case 'text':
        if (f.maxLength !== undefined && [...token].length > f.maxLength) {
          return malformed(`${frame.id}.${f.name}: text longer than ${f.maxLength} characters`);
        }
        fields[f.name] = token;
        break;
    }
  }
  return { ok: true, sentence: { id: frame.id, def, fields } };
}

/** `parseFrame` then `decodeFrame`. */
export function decodeSentence(line: Uint8Array | string, defs: ReadonlyMap<string, SentenceDef>): DecodeResult {
  const r = parseFrame(line);
  return r.ok ? decodeFrame(r.frame, defs) : r;
}

/** Shortest decimal text for a number field (no exponent for ordinary magnitudes). */
export function formatNumber(v: number, decimals?: number): string {
  if (decimals !== undefined) return v.toFixed(decimals);
  const s = String(v);
  return /e/i.test(s) ? v.toFixed(12).replace(/\.?0+$/, '') : s;
}

/**
 * Field tokens for a sentence from named values, checked against the definition. Throws
 * EDGE_SENTENCE_MALFORMED naming the first bad or missing field (and unknown names).
 */
export function encodeFields(def: SentenceDef, values: Readonly<Record<string, ReadingValue | undefined>>): string[] {
  const known = new Set(def.fields.map((f) => f.name));
  for (const k of Object.keys(values)) {
    if (!known.has(k)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id} has no field "${k}"`);
  }
  return def.fields.map((f) => {
    const v = values[f.name];
    if (v === undefined) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} is missing`);
    if (v === null) return '';
    switch (f.type) {
      case 'number':
      case 'integer': {
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} must be a number`);
        if (f.type === 'integer' && !Number.isInteger(n)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} must be an integer`);
        return formatNumber(n);
      }
      case 'enum': {
        const s = String(v);
        if (!f.values?.includes(s)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} must be one of ${f.values?.join('|')}`);
        return s;
      }
      case 'text': {
        const s = String(v);
        if (FORBIDDEN_IN_FIELD.test(s)) throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} must not contain $ * , CR or LF`);
        if (f.maxLength !== undefined && [...s].length > f.maxLength) {
          throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id}.${f.name} is longer than ${f.maxLength} characters`);
        }
        return s;
      }
    }
  });
}
