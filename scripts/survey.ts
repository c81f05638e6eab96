/**
 * `npm run survey -- FILE`: computes a draft-survey case file and prints one JSON result to stdout.
 * A bad file prints `{ "error": { "code", "path", "message" } }` to stderr and exits with status 2.
 * Format: /work/shared/domain/draft-survey-format.md and docs/draft-survey.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { evaluateCase, type SurveyIssue } from '../shared/survey/index.js';

const EXIT_BAD_INPUT = 2;
const EXIT_INTERNAL = 1;

function fail(issue: SurveyIssue, status: number): never {
  process.stderr.write(`${JSON.stringify({ error: issue })}\n`);
  process.exit(status);
}

/** `npm run` runs in the package root; a relative path is also tried from where npm was started. */
function locate(file: string): string {
  if (isAbsolute(file) || existsSync(file)) return file;
  const initCwd = process.env['INIT_CWD'];
  if (initCwd) {
    const fromInit = resolve(initCwd, file);
    if (existsSync(fromInit)) return fromInit;
  }
  return file;
}

function main(argv: readonly string[]): void {
  const file = argv[0];
  if (file === undefined || argv.length !== 1) {
    fail({ code: 'SURVEY_USAGE', path: '(args)', message: 'usage: npm run survey -- FILE (one draft-survey case file, JSON)' }, EXIT_BAD_INPUT);
  }

  let text: string;
  try {
    text = readFileSync(locate(file), 'utf8');
  } catch (error) {
    fail({ code: 'SURVEY_FILE_UNREADABLE', path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }, EXIT_BAD_INPUT);
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    fail({ code: 'SURVEY_JSON_INVALID', path: '(root)', message: `${file} is not valid JSON: ${(error as Error).message}` }, EXIT_BAD_INPUT);
  }

  const evaluation = evaluateCase(raw);
  if (!evaluation.ok) fail(evaluation.errors[0]!, EXIT_BAD_INPUT);
  process.stdout.write(`${JSON.stringify(evaluation.result, null, 2)}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  fail({ code: 'SURVEY_INTERNAL', path: '(root)', message: error instanceof Error ? error.message : String(error) }, EXIT_INTERNAL);
}
