/**
 * The edge daemon with Node-RED enabled, as a process against the simulator: default flows installed
 * on first start, the admin API closed to anonymous callers, the density flow driving the simulated
 * LED and storing an alarm for the cloud, and the defaults restored through the admin API.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../../../scripts/lib/stack.js';
import { ADMIN, SIM, VIEWER, adminClient, flowsGatewayConfig, openStore, writeConfig, type AdminClient } from './helpers.js';

let dir: string;
let sim: Simulator;
let gw: Daemon;
let admin: AdminClient;
let db: Database.Database;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-flows-daemon-'));
  sim = await startSimulator(dir, SIM);
  gw = await startDaemon(writeConfig(dir, await flowsGatewayConfig(sim.endpoints, dir)));
  admin = await adminClient(gw.url);
  db = openStore(dir);
});

after(async () => {
  db?.close();
  await gw?.stop();
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ledLine = async (line: string) => (await sim.device('led-1')).values[line] as string;
const flowAlarms = () =>
  (db.prepare("SELECT id, ts, device, point, severity, message, data FROM events WHERE kind = 'alarm' ORDER BY id").all() as { device: string; point: string; severity: string; message: string; data: string }[])
    .map((e) => ({ ...e, data: JSON.parse(e.data) as { action: string; source: string; value: number; message: { zh: string; en: string } } }))
    .filter((e) => e.data.source?.startsWith('flow:'));

/** Redeploys the running flows with the density tab's thresholds changed. */
async function setDensityRange(min: number, max: number): Promise<void> {
  const { rev, flows } = await admin.flows();
  const t = flows.find((n) => n.id === 'qs_density_tab');
  assert.ok(t, 'the density tab is deployed');
  t.env = t.env.map((e: { name: string }) => (e.name === 'DENSITY_MIN' ? { ...e, value: String(min) } : e.name === 'DENSITY_MAX' ? { ...e, value: String(max) } : e));
  const r = await admin.deploy(flows, rev);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

describe('Node-RED in the edge daemon', { timeout: 110_000 }, () => {
  it('installs the default flows on first start and records them as version "defaults"', async () => {
    const file = path.join(dir, 'data', 'node-red', 'flows.json');
    assert.ok(fs.existsSync(file), 'the userDir has a flows file');
    const installed = JSON.parse(fs.readFileSync(file, 'utf8')) as { id: string; type: string }[];
    assert.deepEqual(installed.filter((n) => n.type === 'tab').map((n) => n.id).sort(), ['qs_density_tab', 'qs_gate_tab', 'qs_queue_tab']);

    const status = await gw.get('/flows/status');
    assert.equal(status.state, 'running', JSON.stringify(status));
    assert.equal(status.defaultsInstalled, true);
    assert.equal(status.editor, true);

    const { flows } = await admin.flows();
    const types = new Set(flows.map((n) => n.type));
    for (const t of ['quay device in', 'quay device out', 'quay uplink', 'quay command in', 'quay event in', 'http in']) assert.ok(types.has(t), `default flows use ${t}`);
    const versions = await admin.get('/quayside/versions');
    assert.equal(versions.status, 200);
    assert.equal(versions.body.current.version, 'defaults');
    assert.equal(versions.body.current.modified, false);
    // Every Function node is capped at the config's functionTimeoutS.
    for (const f of flows.filter((n) => n.type === 'function')) assert.equal(f.timeout, 0.5, f.id);
  });

  it('refuses anonymous callers, wrong passwords and read-only deploys', async () => {
    const root = `${gw.url}/flows/admin`;
    for (const [method, p] of [['GET', '/flows'], ['POST', '/flows'], ['GET', '/quayside/devices'], ['GET', '/quayside/versions'], ['POST', '/quayside/restore-defaults'], ['GET', '/settings/user']] as const) {
      const r = await fetch(root + p, { method, headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' }, ...(method === 'POST' ? { body: '[]' } : {}) });
      assert.equal(r.status, 401, `${method} ${p} without a token`);
    }
    const bad = await fetch(`${root}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: ADMIN.username, password: 'not-the-password' }).toString(),
    });
    assert.ok(bad.status === 401 || bad.status === 403, `wrong password → ${bad.status}`);
    const forged = await fetch(`${root}/flows`, { headers: { authorization: 'Bearer forged-token' } });
    assert.equal(forged.status, 401);

    const viewer = await adminClient(gw.url, VIEWER);
    const { rev, flows } = await viewer.flows();
    assert.ok(flows.length > 0, 'a read-only admin sees the flows');
    const denied = await viewer.deploy(flows, rev);
    assert.ok(denied.status === 401 || denied.status === 403, `read-only deploy → ${denied.status}`);
    const restore = await viewer.post('/quayside/restore-defaults', {});
    assert.ok(restore.status === 401 || restore.status === 403, `read-only restore → ${restore.status}`);
  });

  it('density out of range: the LED shows a warning and an alarm is stored for the cloud; back in range clears both', async () => {
    const live = (await sim.device('sdm-1')).values['density'] as number;
    assert.ok(live > 900 && live < 1100, `simulated density ${live}`);
    // A threshold below the live value puts it "above" the range.
    await setDensityRange(0, Math.floor(live - 50));
    const warning = await waitFor('LED line 2 shows the density warning', async () => {
      const t = await ledLine('line2');
      return t.startsWith('密度偏高') ? t : undefined;
    }, 15_000, 200);
    assert.match(warning, /^密度偏高 \d{3,4}\.\d kg\/m³$/);
    const raised = await waitFor('a raised alarm from the flow', () => flowAlarms().find((a) => a.data.action === 'raised'), 10_000, 200);
    assert.equal(raised.device, 'sdm-1');
    assert.equal(raised.point, 'density');
    assert.equal(raised.severity, 'warning');
    assert.equal(raised.data.source, 'flow:Density alarm 港水密度报警');
    assert.match(raised.data.message.en, /^Dock-water density above \d+ kg\/m³: \d+\.\d$/);
    assert.match(raised.data.message.zh, /^港水密度高于/);
    assert.ok(Math.abs(raised.data.value - live) < 10);

    await setDensityRange(0, 5000);
    await waitFor('LED line 2 back to normal', async () => (await ledLine('line2')).startsWith('密度正常'), 15_000, 200);
    const cleared = await waitFor('a cleared alarm from the flow', () => flowAlarms().find((a) => a.data.action === 'cleared'), 10_000, 200);
    assert.equal(cleared.severity, 'info');
    const status = await gw.get('/flows/status');
    assert.ok(status.bridge.writes >= 2 && status.bridge.alarms >= 2, JSON.stringify(status.bridge));
  });

  it('restores the default flows through the admin API (signed-in admins only)', async () => {
    const before = await admin.flows();
    assert.equal(before.flows.find((n) => n.id === 'qs_density_tab').env.find((e: { name: string }) => e.name === 'DENSITY_MAX').value, '5000');
    const r = await admin.post('/quayside/restore-defaults', { mode: 'merge' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.restored, true);
    assert.equal(r.body.version, 'defaults', 'the same content as the first-start defaults is that version again');
    const after = await admin.flows();
    assert.equal(after.flows.find((n) => n.id === 'qs_density_tab').env.find((e: { name: string }) => e.name === 'DENSITY_MAX').value, '1030');
    const versions = (await admin.get('/quayside/versions')).body;
    assert.equal(versions.current.version, 'defaults');
    assert.equal(versions.current.modified, false);
    assert.ok(versions.versions.some((v: { version: string; source: string }) => v.source === 'snapshot'), 'the edited flows were kept as a version before the restore');
  });

  it('blocks an address after repeated refused sign-ins (last: it blocks this test address)', async () => {
    const signIn = (password: string) =>
      fetch(`${gw.url}/flows/admin/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: ADMIN.username, password }).toString(),
      });
    // One refusal happened in an earlier test; at most five in all before the address is blocked.
    const statuses: number[] = [];
    for (let i = 0; i < 5 && !statuses.includes(429); i++) statuses.push((await signIn(`guess-${i}`)).status);
    assert.equal(statuses[statuses.length - 1], 429, statuses.join(','));
    assert.ok(statuses.slice(0, -1).every((x) => x === 401 || x === 403), statuses.join(','));
    const blocked = await signIn(ADMIN.password);
    assert.equal(blocked.status, 429, 'even the right password waits');
    // A session signed in before keeps working.
    assert.equal((await admin.get('/quayside/devices')).status, 200);
    assert.match(gw.output(), /flows sign-in blocked/);
  });
});
