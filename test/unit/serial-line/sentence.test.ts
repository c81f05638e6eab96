import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isQuaysideError } from '../../../shared/errors.js';
import { sentenceProfileSchema, type SentenceDef } from '../../../shared/profile/schema.js';
import {
  MAX_SENTENCE_BYTES,
  decodeSentence,
  encodeFields,
  encodeSentence,
  parseFrame,
  xorChecksum,
  type DecodeResult,
} from '../../../edge/devices/serial-line/sentence.js';

const qt = sentenceProfileSchema.parse(JSON.parse(readFileSync(new URL('../../../firmware-profiles/qs-qt-serial.json', import.meta.url), 'utf8')));
const dgs = sentenceProfileSchema.parse(JSON.parse(readFileSync(new URL('../../../firmware-profiles/qs-dgs-nmea.json', import.meta.url), 'utf8')));
const defs = new Map<string, SentenceDef>([...qt.sentences, ...dgs.sentences].map((s) => [s.id, s]));
const def = (id: string): SentenceDef => defs.get(id)!;

/** A sentence with a correct checksum over exactly these bytes (for building malformed-but-checksummed lines). */
function withChecksum(body: string): string {
  const x = xorChecksum(Buffer.from(body, 'utf8'));
  return `$${body}*${x.toString(16).toUpperCase().padStart(2, '0')}\r\n`;
}

function rejected(r: DecodeResult, code: string, reason: string, detail: RegExp): void {
  assert.equal(r.ok, false, 'expected a rejection');
  if (r.ok) return;
  assert.equal(r.code, code);
  assert.equal(r.reason, reason);
  assert.match(r.detail, detail);
}

describe('sentence checksum and framing', () => {
  it('matches the classic NMEA-0183 GGA example (*47)', () => {
    const line = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47';
    const r = parseFrame(line);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.frame.id, 'GPGGA');
      assert.equal(r.frame.fields.length, 14);
      assert.equal(r.frame.fields[13], '');
    }
  });

  it('encodes $ID,fields*HH CR LF with upper-case hex', () => {
    const b = encodeSentence('QSDFT', ['4.976', '4.947', '6.092', '6.106', '7.517', '7.495', '14.4', '7']);
    const s = b.toString('latin1');
    assert.match(s, /^\$QSDFT,4\.976,4\.947,6\.092,6\.106,7\.517,7\.495,14\.4,7\*[0-9A-F]{2}\r\n$/);
    assert.equal(s, '$QSDFT,4.976,4.947,6.092,6.106,7.517,7.495,14.4,7*79\r\n');
  });

  it('computes the checksum of Chinese text over its UTF-8 bytes, and round-trips it', () => {
    const text = '请 A017 到 3 号窗口办理';
    const b = encodeSentence('QSDSP', ['r1', '3', 'A017', text]);
    const body = Buffer.from(`QSDSP,r1,3,A017,${text}`, 'utf8');
    const expected = xorChecksum(body).toString(16).toUpperCase().padStart(2, '0');
    assert.equal(b.subarray(b.length - 4, b.length - 2).toString('latin1'), expected);
    // …which is not what XOR over UTF-16 code units would give
    let utf16 = 0;
    for (const ch of `QSDSP,r1,3,A017,${text}`) utf16 ^= ch.charCodeAt(0) & 0xff;
    assert.notEqual(utf16.toString(16).toUpperCase().padStart(2, '0'), expected);
    const r = decodeSentence(b, defs);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.sentence.fields, { ref: 'r1', window: 3, ticket: 'A017', text });
  });

  it('accepts lines with or without CR LF, and lower-case hex on input', () => {
    const good = withChecksum('QSACK,r1,ok');
    assert.ok(decodeSentence(good, defs).ok);
    assert.ok(decodeSentence(good.trimEnd(), defs).ok);
    assert.ok(decodeSentence(good.trimEnd().toLowerCase().replace('qsack', 'QSACK'), defs).ok);
  });

  it('decodes typed fields: number, integer, enum, text, empty number → null', () => {
    const r = decodeSentence(withChecksum('QSDFT,4.976,-0.5,6,+6.1,7.5e0,,14.4,7'), defs);
    assert.ok(r.ok);
    if (r.ok) {
      assert.deepEqual(r.sentence.fields, { fwd_port: 4.976, fwd_stbd: -0.5, mid_port: 6, mid_stbd: 6.1, aft_port: 7.5, aft_stbd: null, temp: 14.4, status: 7 });
    }
    const b = decodeSentence(withChecksum('QSBTN,2,transfer,B101'), defs);
    assert.ok(b.ok);
    if (b.ok) assert.deepEqual(b.sentence.fields, { window: 2, button: 'transfer', ticket: 'B101' });
  });
});

describe('sentence rejections (each with its specific code and reason)', () => {
  it('checksum mismatch → EDGE_SENTENCE_CHECKSUM / crc', () => {
    const good = encodeSentence('QSACK', ['r1', 'ok']).toString('utf8');
    const bad = good.replace(/\*([0-9A-F])([0-9A-F])/, (_m, h: string, l: string) => `*${h}${l === '0' ? '1' : '0'}`);
    rejected(decodeSentence(bad, defs), 'EDGE_SENTENCE_CHECKSUM', 'crc', /checksum .. received, .. computed/);
    // a corrupted payload byte with the old checksum reads the same way
    rejected(decodeSentence(good.replace('r1', 'r2'), defs), 'EDGE_SENTENCE_CHECKSUM', 'crc', /checksum/);
  });

  it('no "$" → malformed / frame', () => {
    rejected(decodeSentence('QSACK,r1,ok*00', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /no "\$"/);
  });

  it('no "*" (truncated) → malformed / frame', () => {
    rejected(decodeSentence('$QSACK,r1,o', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /no "\*"/);
  });

  it('bad hex or wrong checksum length → malformed / frame', () => {
    rejected(decodeSentence('$QSACK,r1,ok*G1', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /not hexadecimal/);
    rejected(decodeSentence('$QSACK,r1,ok*1', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /2 hex digits/);
    rejected(decodeSentence('$QSACK,r1,ok*123', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /2 hex digits/);
  });

  it('unknown sentence id → malformed / frame', () => {
    rejected(decodeSentence(withChecksum('QSXYZ,1,2'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /unknown sentence id "QSXYZ"/);
    rejected(decodeSentence(withChecksum('qsack,r1,ok'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /bad sentence id/);
  });

  it('wrong field count → malformed / frame', () => {
    rejected(decodeSentence(withChecksum('QSACK,r1'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /has 1 fields, expected 2/);
    rejected(decodeSentence(withChecksum('QSACK,r1,ok,extra'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /has 3 fields, expected 2/);
  });

  it('non-numeric number field, non-integer integer field → malformed / frame', () => {
    rejected(decodeSentence(withChecksum('QSDFT,4.9x,4.9,6.1,6.1,7.5,7.5,14.4,7'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /fwd_port: "4\.9x" is not a number/);
    rejected(decodeSentence(withChecksum('QSDFT,4.9,4.9,6.1,6.1,7.5,7.5,14.4,7.5'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /status: "7\.5" is not an integer/);
    rejected(decodeSentence(withChecksum('QSDFT,NaN,4.9,6.1,6.1,7.5,7.5,14.4,7'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /not a number/);
  });

  it('enum outside its values, text over maxLength → malformed / frame', () => {
    rejected(decodeSentence(withChecksum('QSBTN,1,explode,A001'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /button: "explode" is not one of/);
    rejected(decodeSentence(withChecksum('QSBTN,1,call,A000000001'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /longer than 8/);
  });

  it('invalid UTF-8 → malformed / frame', () => {
    const body = Buffer.concat([Buffer.from('QSACK,'), Buffer.from([0xc3, 0x28]), Buffer.from(',ok')]);
    const line = Buffer.concat([Buffer.from('$'), body, Buffer.from(`*${xorChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`)]);
    rejected(decodeSentence(line, defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /UTF-8/);
  });

  it(`lines longer than ${MAX_SENTENCE_BYTES} bytes → malformed / frame`, () => {
    rejected(decodeSentence(withChecksum(`QSACK,${'x'.repeat(MAX_SENTENCE_BYTES)},ok`), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /exceeds 512/);
    assert.throws(() => encodeSentence('QSDSP', ['r', '1', 'A', '长'.repeat(200)]), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
  });

  it('empty line and "$" inside the sentence → malformed / frame', () => {
    rejected(decodeSentence('', defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /empty/);
    rejected(decodeSentence(withChecksum('QSACK,r$1,ok'), defs), 'EDGE_SENTENCE_MALFORMED', 'frame', /inside the sentence/);
  });
});

describe('encodeFields (command arguments)', () => {
  it('formats arguments in field order', () => {
    assert.deepEqual(encodeFields(def('QSDSP'), { ref: 'r9', window: 3, ticket: 'A017', text: '请到 3 号窗口' }), ['r9', '3', 'A017', '请到 3 号窗口']);
    assert.deepEqual(encodeFields(def('QSDSP'), { ref: 'r9', window: '3', ticket: 'A017', text: '' }), ['r9', '3', 'A017', '']);
  });

  it('rejects missing, unknown, mistyped and delimiter-carrying arguments with EDGE_SENTENCE_MALFORMED', () => {
    const bad: Record<string, unknown>[] = [
      { ref: 'r', window: 3, ticket: 'A1' },
      { ref: 'r', window: 3, ticket: 'A1', text: 'x', colour: 'red' },
      { ref: 'r', window: 'three', ticket: 'A1', text: 'x' },
      { ref: 'r', window: 3.5, ticket: 'A1', text: 'x' },
      { ref: 'r', window: 3, ticket: 'A1', text: 'a,b' },
      { ref: 'r', window: 3, ticket: 'A1', text: 'a*b' },
      { ref: 'r', window: 3, ticket: 'A1', text: '长'.repeat(33) },
    ];
    for (const args of bad) {
      assert.throws(() => encodeFields(def('QSDSP'), args as never), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'), JSON.stringify(args));
    }
    assert.throws(() => encodeFields(def('QSACK'), { ref: 'r', status: 'maybe' }), (e) => isQuaysideError(e, 'EDGE_SENTENCE_MALFORMED'));
  });
});
