/**
 * The shipped topic data sets (数据主题) import on both store dialects, in dependency order and
 * idempotently, and their identifier rules (IMO and container check digits, plates) score rows
 * pulled from an inbox as expected.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { TOPICS_DIR } from '../../../cloud/platform/service.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`topic data sets (${dialect})`, () => {
    let t: TestPlatform;
    const now = Date.parse('2026-03-02T12:00:00+08:00');
    suiteSetup(async () => {
      t = await openTestPlatform(dialect, { clock: () => now });
    });
    after(async () => {
      await t?.close();
    });

    it('imports the six topics with owners, schemas and schedules, and a second import changes nothing', async () => {
      const first = await t.platform.importDefinitions(TOPICS_DIR, 'installer');
      const ids = first.map((r) => r.id);
      assert.deepEqual([...ids].sort(), ['topic_declaration', 'topic_enterprise', 'topic_goods', 'topic_inspection', 'topic_vehicle', 'topic_vessel']);
      // referenced data sets come before the ones whose rules name them
      assert.ok(ids.indexOf('topic_enterprise') < ids.indexOf('topic_declaration'));
      assert.ok(ids.indexOf('topic_declaration') < ids.indexOf('topic_inspection'));
      assert.ok(first.every((r) => r.created && r.version === 1));
      const topics = await t.platform.list('dataset');
      assert.deepEqual(
        topics.map((d) => d.definition.topic).sort(),
        ['declaration', 'enterprise', 'goods', 'inspection', 'vehicle', 'vessel'],
      );
      assert.ok(topics.every((d) => d.definition.owner && d.definition.updateCycle && d.definition.quality.schedule.type === 'interval'));
      const second = await t.platform.importDefinitions(TOPICS_DIR, 'installer');
      assert.ok(second.every((r) => !r.created && r.version === 1));
    });

    it('scores identifier rules with their check digits', async () => {
      const inbox = path.join(t.dir, 'platform', 'inbox');
      fs.mkdirSync(inbox, { recursive: true });
      await t.platform.saveConnector({ id: 'vessels', name: '船舶登记', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'vessel*.csv' }, target: { dataset: 'topic_vessel' } }, 'tester');
      await t.platform.saveConnector({ id: 'inspections', name: '查验记录', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'insp*.json' }, target: { dataset: 'topic_inspection' } }, 'tester');
      fs.writeFileSync(
        path.join(inbox, 'vessels.csv'),
        [
          'imo,mmsi,name,flag,vessel_type,gross_tonnage,deadweight,length_m,updated_at',
          '9074729,413000001,ORIENT STAR,PAN,bulk,40000,76000,225,2026-03-01',
          '9074728,413000002,BAD CHECK,CHN,bulk,30000,52000,190,2026-03-01', //  IMO check digit
          '9321483,41300003,SHORT MMSI,HKG,container,90000,100000,330,2026-03-01', // MMSI 8 digits
        ].join('\n'),
      );
      const v = await t.platform.runConnector('vessels');
      assert.equal(v.rowsInserted, 3, v.error ?? '');
      const vq = (await t.platform.qualityRun((await t.platform.qualityHistory('topic_vessel'))[0]!.id))!;
      const vr = Object.fromEntries(vq.results!.map((r) => [r.ruleId, [r.passed, r.checked]]));
      assert.deepEqual(vr['imo_valid'], [2, 3]);
      assert.deepEqual(vr['mmsi_format'], [2, 3]);
      assert.deepEqual(vr['flag_known'], [3, 3]);
      assert.deepEqual(vr['fresh'], [1, 1]);

      fs.writeFileSync(
        path.join(inbox, 'insp.json'),
        JSON.stringify([
          { inspection_id: 'I1', container_no: 'CSQU3054383', result: '正常', inspector: '王', inspected_at: '2026-03-02T09:00:00+08:00' },
          { inspection_id: 'I2', container_no: 'CSQU3054384', result: '异常', inspector: '李', inspected_at: '2026-03-02T10:00:00+08:00' },
          { inspection_id: 'I3', container_no: 'csqu 305438 3', result: '未知', inspector: '', inspected_at: '2026-03-02T11:00:00+08:00' },
        ]),
      );
      const i = await t.platform.runConnector('inspections');
      assert.equal(i.rowsInserted, 3, i.error ?? '');
      const iq = (await t.platform.qualityRun((await t.platform.qualityHistory('topic_inspection'))[0]!.id))!;
      const ir = Object.fromEntries(iq.results!.map((r) => [r.ruleId, [r.passed, r.checked]]));
      assert.deepEqual(ir['container_valid'], [2, 3]);
      assert.deepEqual(ir['result_known'], [2, 3]);
      assert.deepEqual(ir['inspector_present'], [2, 3]);
      assert.deepEqual(ir['declaration_known'], [0, 0]);
      // weighted: container 2/3 ×2, result present 3/3 ×2, result known 2/3, inspector 2/3, fresh 1, accessible 1 (entry-id rules checked nothing)
      const expected = (100 * ((2 * 2) / 3 + 2 * 1 + 2 / 3 + 2 / 3 + 1 + 1)) / 8;
      assert.ok(Math.abs(iq.score! - expected) < 1e-9, `${iq.score} ≠ ${expected}`);
    });
  });
}
