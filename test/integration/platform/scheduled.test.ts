/**
 * The scheduler inside the service: a connector on an interval picks up files without being asked,
 * a data set's quality rules run on their own schedule, and close() stops both.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../cloud/helpers.js';
import { openTestPlatform, type TestPlatform } from './helpers.js';

describe('scheduled runs', () => {
  let t: TestPlatform;
  before(async () => {
    t = await openTestPlatform('sqlite', { schedule: true });
  });
  after(async () => {
    await t?.close();
  });

  it('runs connectors and quality rules on their intervals', async () => {
    const p = t.platform;
    await p.saveDataset(
      {
        name: 'tide',
        title: '潮位',
        owner: 'harbour-master',
        fields: [
          { name: 'station', type: 'text' },
          { name: 'ts', type: 'timestamp' },
          { name: 'level_m', type: 'number', unit: 'm' },
        ],
        key: ['station', 'ts'],
        quality: { rules: [{ id: 'level_range', check: 'range', field: 'level_m', min: -2, max: 8 }], schedule: { type: 'interval', everySeconds: 1 } },
      },
      'tester',
    );
    await p.saveConnector({ id: 'tide-files', name: '潮位文件', source: { kind: 'file-inbox', dir: 'tide' }, schedule: { type: 'interval', everySeconds: 1 }, target: { dataset: 'tide' } }, 'tester');
    assert.deepEqual(p.scheduledJobs().sort(), ['connector:tide-files', 'quality:tide']);
    const dir = path.join(t.dir, 'platform', 'tide');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 't.csv'), 'station,ts,level_m\nWGQ,2026-03-01T00:00:00Z,3.2\nWGQ,2026-03-01T01:00:00Z,9.9\n');
    const run = await waitFor('a scheduled run that loads the file', async () => (await p.runs({ connectorId: 'tide-files' })).items.find((r) => r.status === 'succeeded' && r.rowsIn === 2), 8000, 100);
    assert.equal(run.trigger, 'schedule');
    assert.equal(run.rowsInserted, 2);
    const q = await waitFor('a scheduled quality run', async () => (await p.qualityHistory('tide')).find((h) => h.trigger === 'schedule' && h.rows === 2), 8000, 100);
    assert.equal(q.score, 50);
    // a disabled connector leaves the schedule
    await p.saveConnector({ id: 'tide-files', name: '潮位文件', enabled: false, source: { kind: 'file-inbox', dir: 'tide' }, schedule: { type: 'interval', everySeconds: 1 }, target: { dataset: 'tide' } }, 'tester');
    assert.deepEqual(p.scheduledJobs(), ['quality:tide']);
  });
});
