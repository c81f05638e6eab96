/**
 * FlowGuard's decision on uncaught errors, in real processes (node:test has its own handlers, so the
 * process must be a separate one): the flows' errors are contained and counted, the gateway's own
 * still end the process with exit code 1, and a storm of flow errors trips the breaker.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../../../scripts/lib/stack.js';

function run(mode: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/integration/flows/guard-child.ts', mode], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('FlowGuard', { timeout: 60_000 }, () => {
  it('contains a throw and an unhandled rejection raised in the flows scope', () => {
    const r = run('scope');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /alive contained=2 tripped=0/);
    assert.match(r.err, /EDGE_FLOWS_UNCAUGHT.*flow (timer throw|rejection)/);
  });

  it('recognises a Function node script by its stack', () => {
    const r = run('stack');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /alive contained=1/);
  });

  it("lets the gateway's own uncaught exception end the process (exit 1)", () => {
    const r = run('core');
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out, /alive/);
    assert.match(r.err, /core bug/);
    assert.match(r.err, /"level":60/, 'logged as fatal');
  });

  it('treats gateway work a flow asked for as the gateway own', () => {
    const r = run('core-after-flow-call');
    assert.equal(r.code, 1);
    assert.match(r.err, /core rejection/);
  });

  it('trips after too many flow errors in a minute', () => {
    const r = run('trip');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /alive contained=4 tripped=1/);
  });
});
