import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, type SplitterDrop } from '../../../edge/devices/serial-line/line-splitter.js';
import { encodeSentence } from '../../../edge/devices/serial-line/sentence.js';

function collect(maxLineBytes?: number): { s: LineSplitter; lines: string[]; drops: SplitterDrop[] } {
  const lines: string[] = [];
  const drops: SplitterDrop[] = [];
  const s = new LineSplitter({ onLine: (l) => lines.push(l.toString('utf8')), onDrop: (d) => drops.push(d), ...(maxLineBytes ? { maxLineBytes } : {}) });
  return { s, lines, drops };
}

const A = encodeSentence('QSACK', ['r1', 'ok']);
const B = encodeSentence('QSDSP', ['r2', '3', 'A017', '请到 3 号窗口']);
const strip = (b: Buffer): string => b.toString('utf8').replace(/\r\n$/, '');

describe('LineSplitter', () => {
  it('splits on LF, drops the CR, and copes with any chunking (byte by byte)', () => {
    const { s, lines, drops } = collect();
    const all = Buffer.concat([A, B, A]);
    for (const byte of all) s.push(Buffer.from([byte]));
    assert.deepEqual(lines, [strip(A), strip(B), strip(A)]);
    assert.deepEqual(drops, []);
    assert.equal(s.stats.lines, 3);
  });

  it('accepts LF-only line ends and ignores blank lines between sentences', () => {
    const { s, lines, drops } = collect();
    s.push(Buffer.from(`\r\n\r\n${strip(A)}\n\n${strip(B)}\r\n`));
    assert.deepEqual(lines, [strip(A), strip(B)]);
    assert.deepEqual(drops, []);
  });

  it('drops garbage before a "$", counting it once per run, and resynchronises', () => {
    const { s, lines, drops } = collect();
    s.push(Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x37]), A.subarray(0, 5)]));
    s.push(Buffer.concat([A.subarray(5), Buffer.from('noise!'), B]));
    assert.deepEqual(lines, [strip(A), strip(B)]);
    assert.deepEqual(drops, [
      { kind: 'garbage', bytes: 4 },
      { kind: 'garbage', bytes: 6 },
    ]);
    assert.equal(s.stats.garbageBytes, 10);
    assert.equal(s.stats.garbageRuns, 2);
  });

  it('reports garbage ended by a line end without waiting for the next "$"', () => {
    const { s, drops } = collect();
    s.push(Buffer.from('hello world\r\n'));
    assert.deepEqual(drops, [{ kind: 'garbage', bytes: 11 }]);
  });

  it('a "$" inside a line means the line was cut off: reported as truncated, the new one kept', () => {
    const { s, lines, drops } = collect();
    s.push(Buffer.concat([A.subarray(0, 7), B]));
    assert.deepEqual(lines, [strip(B)]);
    assert.deepEqual(drops, [{ kind: 'truncated', bytes: 7 }]);
    assert.equal(s.stats.truncated, 1);
  });

  it('drops an overlong line up to its line end (or the next "$") and carries on', () => {
    const { s, lines, drops } = collect(64);
    s.push(Buffer.from(`$QSACK,${'x'.repeat(100)},ok*00\r\n`));
    s.push(A);
    s.push(Buffer.from(`$QSACK,${'y'.repeat(100)}`));
    s.push(A);
    assert.deepEqual(lines, [strip(A), strip(A)]);
    assert.equal(drops.length, 2);
    assert.equal(drops[0]!.kind, 'overlong');
    assert.ok(drops[0]!.bytes > 64);
    assert.equal(drops[1]!.kind, 'overlong');
    assert.equal(s.stats.overlong, 2);
  });

  it('accepts a line of exactly the limit, CR LF included', () => {
    const body = `QSACK,${'z'.repeat(64 - 6 - 9)},ok`; // $ + body + *hh + CRLF = 64
    const line = Buffer.from(`$${body}*00\r\n`);
    assert.equal(line.length, 64);
    const { s, lines, drops } = collect(64);
    s.push(line);
    assert.equal(lines.length, 1);
    assert.deepEqual(drops, []);
  });

  it('flush() reports a pending partial line as truncated', () => {
    const { s, drops } = collect();
    s.push(A.subarray(0, 9));
    assert.equal(s.pending, 9);
    s.flush();
    assert.deepEqual(drops, [{ kind: 'truncated', bytes: 9 }]);
    assert.equal(s.pending, 0);
  });
});
