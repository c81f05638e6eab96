/**
 * A broken flow cannot stop the gateway's core duties: with flows that throw, reject promises nobody
 * handles and loop forever, deployed through the real admin API into the daemon (a process, against
 * the simulator), readings keep being stored, the daemon stays up and says what it contained.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { sleep, startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../../../scripts/lib/stack.js';
import { SIM, adminClient, flowsGatewayConfig, openStore, tab, writeConfig, type AdminClient } from './helpers.js';

let dir: string;
let sim: Simulator;
let gw: Daemon;
let admin: AdminClient;
let db: Database.Database;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-flows-robust-'));
  sim = await startSimulator(dir, SIM);
  // No default flows: this gateway runs only the broken ones.
  gw = await startDaemon(writeConfig(dir, await flowsGatewayConfig(sim.endpoints, dir, { installDefaults: false }, { pollIntervalMs: 250 })));
  admin = await adminClient(gw.url);
  db = openStore(dir);
});

after(async () => {
  db?.close();
  await gw?.stop();
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = () => db.prepare('SELECT count(*) FROM readings').pluck().get() as number;

/** Readings stored per second over `ms`. */
async function rate(ms: number): Promise<number> {
  const a = count();
  const t = Date.now();
  await sleep(ms);
  return ((count() - a) * 1000) / (Date.now() - t);
}

const inject = (id: string, everyS: number, wires: string[]) => ({ id, type: 'inject', name: '', props: [{ p: 'payload' }], repeat: String(everyS), crontab: '', once: true, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [wires] });
const fn = (id: string, name: string, func: string, timeout = 0) => ({ id, type: 'function', name, func, outputs: 1, timeout, noerr: 0, initialize: '', finalize: '', libs: [] });

describe('a broken flow does not stop polling and storage', { timeout: 110_000 }, () => {
  it('keeps storing readings while flows throw, reject and loop forever', async (t) => {
    await waitFor('readings stored', () => count() > 20, 20_000, 200);
    const baseline = await rate(3000);
    assert.ok(baseline > 3, `baseline ${baseline.toFixed(1)} readings/s`);

    const broken = [
      ...tab('broken_throw', 'throws 抛异常', [
        inject('bt_inject', 1, ['bt_sync', 'bt_reject', 'bt_timer']),
        fn('bt_sync', 'throws', 'throw new Error("flow test: sync throw")'),
        fn('bt_reject', 'rejects', 'Promise.reject(new Error("flow test: unhandled rejection")); return msg;'),
        fn('bt_timer', 'throws later', 'setTimeout(() => { throw new Error("flow test: throw in a timer") }, 10); return msg;'),
      ]),
      // timeout 3600 s asked for: capped to the gateway's functionTimeoutS (0.5 s).
      ...tab('broken_loop', 'endless loop 死循环', [inject('bl_inject', 2, ['bl_loop']), fn('bl_loop', 'loops forever', 'while (true) {}', 3600)]),
      // A reading-driven flow that throws on every reading: quay device in → function.
      ...tab('broken_reading', 'throws per reading', [
        { id: 'br_in', type: 'quay device in', device: 'sdm-1', kind: '', points: 'density', quality: 'any', output: 'point', wires: [['br_throw']] },
        fn('br_throw', 'throws per reading', 'Promise.reject(new Error("flow test: rejection per reading")); throw new Error("flow test: per reading")'),
      ]),
    ];
    const { rev } = await admin.flows();
    const r = await admin.deploy(broken, rev);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const deployed = await admin.flows();
    assert.equal(deployed.flows.find((n) => n.id === 'bl_loop').timeout, 0.5, 'the runaway Function node is capped at functionTimeoutS');

    // Three windows in a row: the count grows in each, at a rate the core can live with.
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = count();
      rates.push(await rate(2500));
      assert.ok(count() > before, `window ${i}: readings still stored`);
    }
    const during = rates.reduce((a, b) => a + b, 0) / rates.length;
    t.diagnostic(`readings/s: ${baseline.toFixed(1)} before, ${rates.map((x) => x.toFixed(1)).join(' / ')} with the broken flows`);
    assert.ok(during > baseline * 0.25, `stored ${during.toFixed(1)}/s while the flows misbehave vs ${baseline.toFixed(1)}/s before`);

    // The daemon is up, healthy and says what it contained.
    assert.equal(gw.child.exitCode, null, 'the daemon is still running');
    const health = await gw.get('/api/health');
    assert.ok(Array.isArray(health.devices));
    const latest = await gw.get('/api/devices/sdm-1/latest');
    const density = latest.readings.find((x: { point: string }) => x.point === 'density');
    assert.ok(Date.now() - density.ts < 3000, 'the density monitor is still polled');
    const status = await gw.get('/flows/status');
    assert.equal(status.state, 'running');
    assert.ok(status.contained >= 3, `contained ${status.contained}`);
    assert.match(status.lastUncaught.message, /flow test: (unhandled rejection|rejection per reading)/);
    const out = gw.output();
    assert.match(out, /EDGE_FLOWS_UNCAUGHT/);
    assert.match(out, /ERR_SCRIPT_EXECUTION_TIMEOUT|Script execution timed out/);
    assert.match(out, /flow test: sync throw/, 'a node error is logged');
    assert.match(out, /flow test: throw in a timer/, 'a throw in a Function node timer is logged');
  });

  it('stops the flows after a storm of uncaught errors, and starts them again on the next deploy', async () => {
    const storm = tab('storm', 'storm 风暴', [inject('st_inject', 0.05, ['st_reject']), fn('st_reject', 'rejects fast', 'Promise.reject(new Error("flow test: storm")); return null;')]);
    let { rev } = await admin.flows();
    assert.equal((await admin.deploy(storm, rev)).status, 200);
    const tripped = await waitFor('the breaker trips', async () => {
      const s = await gw.get('/flows/status');
      return s.tripped ? s : undefined;
    }, 20_000, 200);
    assert.equal(tripped.state, 'error');
    assert.match(tripped.message, /stopped after repeated uncaught errors/);
    const contained = tripped.contained;
    assert.ok((await rate(2000)) > 3, 'readings go on while the flows are stopped');
    assert.ok((await gw.get('/flows/status')).contained - contained <= 5, 'the stopped flows raise nothing more');

    // The admin fixes it: the deploy starts the flows again.
    const calm = tab('calm', 'calm', [
      { id: 'calm_in', type: 'http in', url: '/calm', method: 'get', upload: false, swaggerDoc: '', wires: [['calm_fn']] },
      fn('calm_fn', 'answers', 'msg.payload = "calm"; return msg;'),
      { id: 'calm_out', type: 'http response', statusCode: '', headers: {} },
    ]);
    (calm[2] as { wires: string[][] }).wires = [['calm_out']];
    ({ rev } = await admin.flows());
    assert.equal((await admin.deploy(calm, rev)).status, 200);
    const running = await waitFor('flows running again', async () => {
      const s = await gw.get('/flows/status');
      return s.state === 'running' ? s : undefined;
    }, 10_000, 200);
    assert.equal(running.tripped, false);
    const answer = await waitFor('the new flow answers', async () => {
      const r = await fetch(`${gw.url}/flows/api/calm`);
      return r.status === 200 ? r.text() : undefined;
    }, 10_000, 200);
    assert.equal(answer, 'calm');
  });
});
