/** Renders docs/errors.md from the error catalogue (shared/errors.ts). `--check` exits 1 when stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS } from '../shared/errors.js';
import { SURVEY_ERROR_CODES } from '../shared/survey/errors.js';
import { VESSEL_ERROR_CODES } from '../shared/vessel/errors.js';

const path = new URL('../docs/errors.md', import.meta.url).pathname;

export function renderErrorsDoc(): string {
  const lines = [
    '# Error codes',
    '',
    '> Generated from `shared/errors.ts` by `npm run docs:errors`. Every code Quayside logs or returns is listed here; search a code from a log line or an API answer.',
    '',
    '| code | meaning | HTTP | retry may help |',
    '|---|---|---|---|',
  ];
  for (const [code, def] of Object.entries(ERRORS)) lines.push(`| \`${code}\` | ${def.message} | ${def.http} | ${def.retryable ? 'yes' : 'no'} |`);
  lines.push('', 'API errors are answered as `{ "error": { "code": "…", "message": "…" } }` with the HTTP status above.', '');
  lines.push('## Draft survey case errors', '', 'Reported by `npm run survey -- FILE` (exit status 2) and the survey API, each with the JSON path of the field at fault. Defined in `shared/survey/errors.ts`.', '', '| code | meaning |', '|---|---|');
  for (const [code, message] of Object.entries(SURVEY_ERROR_CODES)) lines.push(`| \`${code}\` | ${message} |`);
  lines.push('', '## Vessel library errors', '', 'Reported when ship files (particulars, hydrostatics, tank tables; CSV or XLSX) are imported or a tank is read, each with the file, row and column at fault. Defined in `shared/vessel/errors.ts`.', '', '| code | meaning |', '|---|---|');
  for (const [code, message] of Object.entries(VESSEL_ERROR_CODES)) lines.push(`| \`${code}\` | ${message} |`);
  lines.push('');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = renderErrorsDoc();
  let current = '';
  try { current = readFileSync(path, 'utf8'); } catch { /* first run */ }
  if (process.argv.includes('--check')) {
    if (current !== text) { console.error('out of date: docs/errors.md (run npm run docs:errors)'); process.exit(1); }
  } else if (current !== text) {
    writeFileSync(path, text);
    console.log('wrote docs/errors.md');
  }
}
