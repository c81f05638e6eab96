/** The generator's calendar (Spring Festival), determinism and planted anomalies. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dayNumber, dayWeight, lunarNewYear } from '../../../cloud/trade/generator/calendar.js';
import { generateTradeData, readAnswers } from '../../../cloud/trade/generator/index.js';
import { isValidUscc } from '../../../shared/ids/uscc.js';

describe('trade generator', () => {
  it('knows the real Spring Festival dates and dips around them', () => {
    assert.equal(lunarNewYear(2024), '2024-02-10');
    assert.equal(lunarNewYear(2025), '2025-01-29');
    const fest = dayNumber('2025-01-30'); // a Thursday in the holiday
    const ordinary = dayNumber('2025-03-13'); // a Thursday in March
    assert.ok(dayWeight(fest) < 0.2 * dayWeight(ordinary));
    assert.ok(dayWeight(dayNumber('2025-01-21')) > dayWeight(dayNumber('2025-03-11')), 'pre-holiday rush');
    assert.throws(() => lunarNewYear(2099), RangeError);
  });

  it('writes the same files for a seed whatever the worker count, with valid identifiers and planted anomalies', async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-b-'));
    try {
      const ma = await generateTradeData({ rows: 30000, enterprises: 200, years: 2, seed: 5, out: a, workers: 0 });
      await generateTradeData({ rows: 30000, enterprises: 200, years: 2, seed: 5, out: b, workers: 2 });
      assert.equal(ma.rowsWritten, 30000);
      assert.equal(ma.files.length, 24);
      for (const f of ['decl-202501.csv', 'enterprises.csv', 'answers.json']) assert.equal(fs.readFileSync(path.join(a, f), 'utf8'), fs.readFileSync(path.join(b, f), 'utf8'), f);
      const ents = fs.readFileSync(path.join(a, 'enterprises.csv'), 'utf8').trim().split('\n').slice(1);
      assert.equal(ents.length, 200);
      for (const l of ents) assert.ok(isValidUscc(l.split(',')[0]), l);
      const answers = readAnswers(a);
      const types = new Set(answers.anomalies.map((x) => x.type));
      for (const t of ['surge', 'stop', 'unit_value', 'concentration', 'chapter_break']) assert.ok(types.has(t as never), t);
      // the Spring Festival month of 2024 (February) has fewer rows than March
      const rows = (m: string) => ma.files.find((f) => f.month === m)!.rows;
      assert.ok(rows('2024-02') < rows('2024-03'));
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});
