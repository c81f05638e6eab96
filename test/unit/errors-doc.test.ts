// docs/errors.md lists every catalogue code, so operators can search a code from a log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderErrorsDoc } from '../../scripts/errors-doc.js';
import { ERRORS, QuaysideError } from '../../shared/errors.js';

test('docs/errors.md is in step with shared/errors.ts', () => {
  const committed = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(committed, renderErrorsDoc(), 'run npm run docs:errors');
});

test('every code has an HTTP status in the 4xx/5xx range and a message', () => {
  for (const [code, def] of Object.entries(ERRORS)) {
    assert.ok(def.http >= 400 && def.http < 600, code);
    assert.ok(def.message.length > 5, code);
  }
});

test('QuaysideError carries its code, status and detail', () => {
  const e = new QuaysideError('EDGE_MODBUS_TIMEOUT', 'unit 3 after 300 ms');
  assert.equal(e.code, 'EDGE_MODBUS_TIMEOUT');
  assert.equal(e.http, 504);
  assert.equal(e.retryable, true);
  assert.match(e.message, /did not answer in time: unit 3 after 300 ms/);
});
