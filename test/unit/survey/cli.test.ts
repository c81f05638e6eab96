import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXTURES, REPO_ROOT, smallCase } from './cases.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function survey(...args: string[]): Run {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/survey.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function errorOf(run: Run): { code: string; path: string; message: string } {
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stdout, '', 'nothing on stdout for a bad file');
  const parsed = JSON.parse(run.stderr) as { error: { code: string; path: string; message: string } };
  assert.deepEqual(Object.keys(parsed), ['error']);
  assert.deepEqual(Object.keys(parsed.error), ['code', 'path', 'message']);
  return parsed.error;
}

const scratch = mkdtempSync(join(tmpdir(), 'quayside-survey-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run survey -- FILE', () => {
  test('prints one JSON result for the panamax example', () => {
    const run = survey(join(FIXTURES, 'panamax-loading.json'));
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.format, 'quayside.draft-survey-result/1');
    assert.equal(result.rounding, 'form3');
    assert.deepEqual(result.surveys.map((s: { id: string }) => s.id), ['initial', 'final']);
    const [initial, final] = result.surveys;
    assert.equal(initial.values.lbm_m, 207.95);
    assert.equal(initial.values.corr_fwd_m, -0.031);
    assert.equal(initial.values.lcf_m, -2.516); // table from AP (+ forward) reported from midship, + aft
    assert.ok(initial.values.first_trim_corr_t < 0, 'LCF forward, trim by the stern');
    assert.equal(initial.values.true_constant_t, Number((initial.values.net_displacement_t - 10910).toFixed(3)));
    assert.equal(final.values.true_constant_t, undefined);
    assert.equal(result.cargo.length, 1);
    assert.equal(result.cargo[0].cargo_t, Number((final.values.net_displacement_t - initial.values.net_displacement_t).toFixed(3)));
    assert.ok(result.cargo[0].cargo_t > 60000 && result.cargo[0].cargo_t < 80000);
  });

  test('a relative path from the repository root works too, and the capesize discharge is negative cargo', () => {
    const run = survey('test/fixtures/survey/capesize-discharge.json');
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.ok(result.cargo[0].cargo_t < 0);
    assert.deepEqual(result.rounding.net, 1);
  });

  test('the output matches the engine exactly', () => {
    const file = join(scratch, 'small.json');
    writeFileSync(file, JSON.stringify(smallCase()));
    const run = survey(file);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.surveys[0].values.quarter_mean_m, 5.0225);
    assert.equal(result.surveys[1].values.net_displacement_t, 13805);
  });

  const brokenFiles: [string, string, string][] = [
    ['broken-missing-reading.json', 'SURVEY_READING_MISSING', 'surveys[1].readings_m.aft_port'],
    ['broken-qm-outside-table.json', 'SURVEY_QM_OUTSIDE_TABLE', 'surveys[1].readings_m'],
    ['broken-imo-check-digit.json', 'SURVEY_IMO_CHECK_DIGIT', 'vessel.imo'],
    ['broken-unknown-survey.json', 'SURVEY_UNKNOWN_SURVEY', 'cargo[0].to'],
    ['broken-lcf-convention-missing.json', 'SURVEY_LCF_CONVENTION_MISSING', 'vessel.lcf'],
    ['broken-duplicate-id.json', 'SURVEY_DUPLICATE_ID', 'surveys[1].id'],
    ['broken-not-json.json', 'SURVEY_JSON_INVALID', '(root)'],
  ];
  for (const [name, code, path] of brokenFiles) {
    test(`${name} → exit 2, ${code} at ${path} on stderr`, () => {
      const error = errorOf(survey(join(FIXTURES, name)));
      assert.equal(error.code, code);
      assert.equal(error.path, path);
      assert.ok(error.message.length > 0);
    });
  }

  test('an unreadable file', () => {
    const error = errorOf(survey(join(scratch, 'does-not-exist.json')));
    assert.equal(error.code, 'SURVEY_FILE_UNREADABLE');
  });

  test('no file argument', () => {
    assert.equal(errorOf(survey()).code, 'SURVEY_USAGE');
  });
});
