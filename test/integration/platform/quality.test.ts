/**
 * Quality rules (GB/T 36344 indicators) scored on a data set with known defects, on both store
 * dialects: the scores per rule, per indicator and overall equal the values computed by hand below;
 * failures become issues for the data set's owner; a rule that passes again resolves its issue; the
 * history keeps every run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { completeUscc } from '../../../shared/ids/uscc.js';
import { suiteSetup } from '../cloud/helpers.js';
import { openTestPlatform, type Dialect, type TestPlatform } from './helpers.js';

const U1 = completeUscc('91310115MA1K4AB01');
const U2 = completeUscc('91310115MA1K4AB02');
const U3bad = U1.slice(0, 16) + (U1[16] === '3' ? '4' : '3') + U1[17]; // 17th character changed, check character kept: fails
const U4 = completeUscc('91310115MA1K4AB04');
const U6 = completeUscc('91310115MA1K4AB06');
const U7 = completeUscc('91310115MA1K4AB07');
const U9 = completeUscc('91310115MA1K4AB09');
const U10 = completeUscc('91310115MA1K4AB10');

// id, uscc, customs_code, name, ent_type, reg_capital, export_value, total_value, updated_at
const ROWS = [
  ['1', U1, '3122940001', '甲公司', '6', '100', '50', '80', '2026-02-20'],
  ['2', U2, '3122930002', '乙公司', '4', '200', '10', '10', '2026-02-21'],
  ['3', U3bad, '', '丙公司', '6', '50', '5', '4', '2026-02-22'], //        uscc check char; customs code missing; total < export
  ['4', U4, 'ABC1234567', '丁公司', '7', '-10', '1', '2', '2026-02-23'], // customs code format; negative capital
  ['5', '', '3122960005', '', '9', '0', '0', '0', '2026-02-24'], //           name missing (uscc empty: not judged)
  ['6', U6, '3122960006', '甲公司', 'X', '10', '3', '3', '2026-02-25'], //   duplicate name; unknown enterprise type
  ['7', U7, '', '戊公司', '6', '20', '2', '5', '2026-02-26'], //              customs code missing
  ['8', 'ABC', '3122960008', '己公司', '6', '30', '7', '8', '2026-02-27'], //  uscc format
  ['9', U9, '3122960009', '庚公司', '', '', '4', '', '2026-02-28'], //        not in the registry; blanks not judged
  ['10', U10, '3122960010', '辛公司', '3', '40', '6', '9', '2026-03-01'], //   not in the registry
];
const HEADER = 'id,uscc,customs_code,name,ent_type,reg_capital,export_value,total_value,updated_at';
const csv = (rows: string[][]) => [HEADER, ...rows.map((r) => r.join(','))].join('\n');
const REGISTRY = ['uscc,registered', `${U1},yes`, `${U2},yes`, `${U4},yes`, `${U6},yes`, `${U7},yes`].join('\n');

// ── the scores, computed by hand ─────────────────────────────────────────────
// rule (weight): passed / checked
const R = {
  name_present: 9 / 10, //      (1) row 5 empty
  code_present: 8 / 10, //      (2) rows 3, 7 empty
  uscc_valid: 7 / 9, //         (2) 9 non-empty; rows 3 (check), 8 (format) fail
  code_valid: 7 / 8, //         (1) 8 non-empty; row 4 fails
  ent_type_known: 8 / 9, //     (1) 9 non-empty; row 6 "X" fails
  capital_range: 8 / 9, //      (1) 9 non-empty; row 4 negative
  name_unique: 8 / 9, //        (1) 9 names; 甲公司 twice
  total_ge_export: 8 / 9, //    (1) 9 rows with both; row 3 fails
  in_registry: 5 / 9, //        (1) 9 non-empty USCCs; 1, 2, 4, 6, 7 registered
  fresh: 1, //                  (1) newest 2026-03-01, clock 2026-03-11, limit 30 days
  accessible: 1, //             (1) 10 rows ≥ 1
};
const EXPECTED = {
  completeness: (100 * (1 * R.name_present + 2 * R.code_present)) / 3,
  normativity: (100 * (2 * R.uscc_valid + 1 * R.code_valid + 1 * R.ent_type_known)) / 4,
  accuracy: (100 * (R.capital_range + R.name_unique)) / 2,
  consistency: (100 * (R.total_ge_export + R.in_registry)) / 2,
  timeliness: 100,
  accessibility: 100,
};
const OVERALL = (100 * (1 * R.name_present + 2 * R.code_present + 2 * R.uscc_valid + R.code_valid + R.ent_type_known + R.capital_range + R.name_unique + R.total_ge_export + R.in_registry + R.fresh + R.accessible)) / 13;

const DAY = 86_400_000;
const close = (a: number | null | undefined, b: number) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`data quality scores (${dialect})`, () => {
    let t: TestPlatform;
    let now = Date.parse('2026-03-11T00:00:00+08:00');
    let inbox = '';
    suiteSetup(async () => {
      t = await openTestPlatform(dialect, { clock: () => now });
      inbox = path.join(t.dir, 'platform', 'inbox');
      fs.mkdirSync(inbox, { recursive: true });
      const p = t.platform;
      await p.saveDataset({ name: 'customs_registry', title: '海关注册企业', owner: 'registry-desk', fields: [{ name: 'uscc', type: 'text' }, { name: 'registered', type: 'text' }], key: ['uscc'] }, 'tester');
      await p.saveDataset(
        {
          name: 'enterprise_q',
          title: '企业 (质量测试)',
          owner: 'enterprise-desk',
          fields: [
            { name: 'id', type: 'text' },
            { name: 'uscc', type: 'text' },
            { name: 'customs_code', type: 'text' },
            { name: 'name', type: 'text' },
            { name: 'ent_type', type: 'text' },
            { name: 'reg_capital', type: 'number' },
            { name: 'export_value', type: 'number' },
            { name: 'total_value', type: 'number' },
            { name: 'updated_at', type: 'timestamp' },
          ],
          key: ['id'],
          quality: {
            rules: [
              { id: 'name_present', check: 'not_null', field: 'name' },
              { id: 'code_present', check: 'not_null', field: 'customs_code', weight: 2 },
              { id: 'uscc_valid', check: 'uscc', field: 'uscc', weight: 2 },
              { id: 'code_valid', check: 'customs_code', field: 'customs_code' },
              { id: 'ent_type_known', check: 'code_table', field: 'ent_type', table: 'ent-type' },
              { id: 'capital_range', check: 'range', field: 'reg_capital', min: 0 },
              { id: 'name_unique', check: 'unique', fields: ['name'] },
              { id: 'total_ge_export', check: 'cross_field', left: 'total_value', op: '>=', right: 'export_value' },
              { id: 'in_registry', check: 'reference', field: 'uscc', dataset: 'customs_registry', refField: 'uscc' },
              { id: 'fresh', check: 'freshness', field: 'updated_at', maxAgeSeconds: 30 * 86400 },
              { id: 'accessible', check: 'accessible' },
            ],
          },
        },
        'tester',
      );
      await p.saveConnector({ id: 'registry-files', name: '注册企业文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'registry*.csv' }, target: { dataset: 'customs_registry' } }, 'tester');
      await p.saveConnector({ id: 'enterprise-files', name: '企业文件', source: { kind: 'file-inbox', dir: 'inbox', pattern: 'enterprise*.csv' }, target: { dataset: 'enterprise_q' } }, 'tester');
      fs.writeFileSync(path.join(inbox, 'registry.csv'), REGISTRY);
      assert.equal((await p.runConnector('registry-files')).rowsInserted, 5);
    });
    after(async () => {
      await t?.close();
    });

    it('scores each rule, indicator and the data set as computed by hand, right after the load', async () => {
      fs.writeFileSync(path.join(inbox, 'enterprise-1.csv'), csv(ROWS));
      const load = await t.platform.runConnector('enterprise-files');
      assert.equal(load.rowsInserted, 10, load.error ?? '');
      const history = await t.platform.qualityHistory('enterprise_q');
      assert.equal(history.length, 1);
      assert.equal(history[0]!.trigger, 'load');
      assert.equal(history[0]!.loadRunId, load.id);
      const run = (await t.platform.qualityRun(history[0]!.id))!;
      assert.equal(run.rows, 10);
      const byRule = Object.fromEntries(run.results!.map((r) => [r.ruleId, r]));
      for (const [id, rate] of Object.entries(R)) close(byRule[id]!.passed / byRule[id]!.checked, rate);
      assert.deepEqual([byRule['uscc_valid']!.checked, byRule['uscc_valid']!.failed], [9, 2]);
      assert.deepEqual(
        (byRule['uscc_valid']!.sample as { key: { id: string } }[]).map((s) => s.key.id).sort(),
        ['3', '8'],
      );
      for (const [ind, v] of Object.entries(EXPECTED)) close(run.indicators[ind as keyof typeof EXPECTED], v);
      close(run.score, OVERALL);

      // every failing rule is an open issue of the owner
      const issues = await t.platform.issues({ dataset: 'enterprise_q' });
      assert.deepEqual(issues.map((i) => i.ruleId).sort(), ['capital_range', 'code_present', 'code_valid', 'ent_type_known', 'in_registry', 'name_present', 'name_unique', 'total_ge_export', 'uscc_valid']);
      assert.ok(issues.every((i) => i.status === 'open' && i.owner === 'enterprise-desk'));
      assert.equal(issues.find((i) => i.ruleId === 'in_registry')!.failed, 4);
      assert.equal(issues.find((i) => i.ruleId === 'in_registry')!.indicator, 'consistency');
    });

    it('turns stale data into a timeliness issue on a later run, and resolves issues whose rule passes again', async () => {
      now += 25 * DAY; // 2026-04-05: newest row 35 days old
      const stale = await t.platform.runQuality('enterprise_q', { trigger: 'schedule' });
      assert.equal(stale.indicators.timeliness, 0);
      close(stale.score, OVERALL - 100 / 13);
      const fresh = (await t.platform.issues({ dataset: 'enterprise_q' })).find((i) => i.ruleId === 'fresh')!;
      assert.equal(fresh.status, 'open');
      assert.equal(fresh.indicator, 'timeliness');

      const nameIssue = (await t.platform.issues({ dataset: 'enterprise_q' })).find((i) => i.ruleId === 'name_present')!;
      const acked = await t.platform.updateIssue(nameIssue.id, { status: 'acknowledged', note: '已通知企业补录名称' });
      assert.equal(acked.status, 'acknowledged');

      // corrected rows arrive: row 5 gets a name and row 10 is updated today
      const fixed = ROWS.map((r) => [...r]);
      fixed[4]![3] = '壬公司';
      fixed[9]![8] = '2026-04-05';
      fs.writeFileSync(path.join(inbox, 'enterprise-2.csv'), csv(fixed));
      const load = await t.platform.runConnector('enterprise-files');
      assert.equal(load.rowsUpdated, 2);
      const issues = await t.platform.issues({ dataset: 'enterprise_q' });
      const status = Object.fromEntries(issues.map((i) => [i.ruleId, i.status]));
      assert.equal(status['name_present'], 'resolved');
      assert.equal(status['fresh'], 'resolved');
      assert.equal(status['uscc_valid'], 'open');
      const history = await t.platform.qualityHistory('enterprise_q');
      assert.deepEqual(
        history.map((h) => h.trigger),
        ['load', 'schedule', 'load'],
      );
      const latest = history[0]!;
      close(latest.indicators.completeness, (100 * (1 * 1 + 2 * R.code_present)) / 3);
      close(latest.indicators.timeliness, 100);
      await assert.rejects(t.platform.updateIssue(999_999, { status: 'resolved' }), /no quality issue/);

      // a rule taken out of the data set resolves its open issue
      const current = (await t.platform.dataset('enterprise_q'))!.definition;
      await t.platform.saveDataset({ ...current, quality: { ...current.quality, rules: current.quality.rules.filter((r) => r.id !== 'uscc_valid') } }, 'tester');
      await t.platform.runQuality('enterprise_q');
      const gone = (await t.platform.issues({ dataset: 'enterprise_q' })).find((i) => i.ruleId === 'uscc_valid')!;
      assert.deepEqual([gone.status, gone.note], ['resolved', 'rule removed']);
    });
  });
}
