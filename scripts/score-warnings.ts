/**
 * Scores the early-warning detectors against the anomalies the generator planted.
 *   npm run score:warnings -- --gen DIR [--data DIR] [--detectors surge,stop,...]
 * --gen: a directory written by gen:trade (answers.json); --data: the trade data dir (default: a new
 * one under the OS temp dir, loaded from --gen). Prints one JSON object: precision and recall per
 * planted type, warnings per detector, and the time taken.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readAnswers } from '../cloud/trade/generator/index.js';
import { TradeService } from '../cloud/trade/service.js';
import { DETECTORS, scoreWarnings, type Detector } from '../cloud/trade/warnings.js';

const { values } = parseArgs({ options: { gen: { type: 'string' }, data: { type: 'string' }, detectors: { type: 'string' } } });
if (!values.gen) throw new Error('--gen DIR is required (a directory written by gen:trade)');
const answers = readAnswers(values.gen);
const dataDir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'trade-score-'));
const trade = await TradeService.open({ dataDir });
try {
  const loaded = await trade.loadDirectory(values.gen);
  const detectors = values.detectors ? (values.detectors.split(',') as Detector[]) : [...DETECTORS];
  const run = await trade.warnings.run({ detectors });
  const scores = scoreWarnings(answers.anomalies, run.warnings);
  console.log(JSON.stringify({ rows: answers.rows, enterprises: answers.enterprises, years: answers.years, loaded, window: run.window, found: run.found, scores, warnings_ms: run.ms, cores: os.availableParallelism() }, null, 2));
} finally {
  await trade.close();
  if (!values.data) fs.rmSync(dataDir, { recursive: true, force: true });
}
