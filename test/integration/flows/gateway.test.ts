/**
 * The gateway in-process with Node-RED enabled, against the simulator (a process): the default flows
 * driven by what the other modules hand them — a queue call from the cloud (the command handlers the
 * sync dispatcher calls), a plate detection on the bus (what edge/vision's event sink emits) with a
 * weighbridge weight posted to the flow's HTTP endpoint — and flow management (list, deploy, rollback).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { recordItemSchema } from '../../../shared/contracts/envelope.js';
import { isQuaysideError } from '../../../shared/errors.js';
import { startGateway, type Gateway } from '../../../edge/app.js';
import type { FlowCommandHandlers } from '../../../edge/flows/management.js';
import { startSimulator, waitFor, type Simulator } from '../../../scripts/lib/stack.js';
import { SIM, flowsGatewayConfig, tab, writeConfig } from './helpers.js';

let dir: string;
let sim: Simulator;
let gw: Gateway;
let handlers: FlowCommandHandlers;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-flows-gw-'));
  sim = await startSimulator(dir, SIM);
  const configPath = writeConfig(dir, await flowsGatewayConfig(sim.endpoints, dir));
  gw = await startGateway({ configPath, logDestination: pino.destination({ dest: path.join(dir, 'gateway.log'), sync: true }) });
  handlers = gw.flows.commandHandlers();
});

after(async () => {
  await gw?.stop();
  await sim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let cmdSeq = 0;
const command = (target: string, op: string, args: Record<string, unknown>) => ({ id: `test-${++cmdSeq}`, target, op, args, expiresAt: Date.now() + 60_000 });
const rejection = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await p;
  } catch (e) {
    assert.ok(isQuaysideError(e), String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a rejection');
};
const records = () =>
  (gw.store.db.prepare("SELECT seq, payload FROM outbox WHERE kind = 'record' ORDER BY seq").all() as { seq: number; payload: string }[]).flatMap((r) =>
    (JSON.parse(r.payload) as unknown[]).map((it) => recordItemSchema.parse(it)),
  );
const api = async (method: string, p: string, body?: unknown) => {
  const r = await fetch(`${gw.url}/flows/api${p}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: r.status, body: parsed as any };
};
const plate = (value: string, ts = Date.now()) => ({
  id: `det-${ts}-${value}`,
  ts,
  camera: 'gate-cam',
  kind: 'plate',
  value,
  confidence: 0.93,
  box: [120, 300, 420, 380],
  snapshotPath: `snapshots/gate-cam/2026-11-27/${ts}.jpg`,
  snapshotSm3: 'ab'.repeat(32),
});

describe('flows in the gateway', { timeout: 110_000 }, () => {
  it('starts after the core with the default flows and the quay palette', async () => {
    const s = gw.flows.status();
    assert.equal(s.state, 'running', s.message ?? '');
    assert.equal(s.records, 'outbox', 'records go to the sync outbox');
    const list = await gw.flows.manager!.list();
    assert.deepEqual(list.flows.map((f) => f.label).sort(), ['Density alarm 港水密度报警', 'Gate weighing 卡口过磅', 'Queue calls 叫号']);
  });

  it('shows a queue call from the cloud on the LED and the queue terminal (default flow b)', async () => {
    assert.ok(handlers.handles({ target: 'flow:queue-calls', op: 'queue.call' }));
    const detail = await handlers.run(command('flow:queue-calls', 'queue.call', { window: 3, ticket: 'A017' }));
    assert.equal(detail, 'delivered to flow:queue-calls (1 node)');
    await waitFor('LED line 1 shows the call', async () => (await sim.device('led-1')).values['line1'] === '请 A017 到 3 号窗口', 10_000, 100);
    await waitFor('the terminal shows the ticket', async () => {
      const d = (await sim.device('qt-1')) as unknown as { lastReceived: Record<string, { fields: Record<string, unknown> }> };
      return d.lastReceived['QSDSP']?.fields['ticket'] === 'A017' && d.lastReceived['QSDSP']?.fields['text'] === '请 A017 到 3 号窗口';
    }, 10_000, 100);
    const none = await rejection(handlers.run(command('flow:nobody-home', 'queue.call', { window: 1, ticket: 'B001' })));
    assert.equal(none.code, 'EDGE_FLOWS_NO_LISTENER');
    const bad = await rejection(handlers.run(command('flow:bad name!', 'x', {})));
    assert.equal(bad.code, 'EDGE_BAD_REQUEST');
  });

  it('pairs a plate at the gate with a weighbridge weight into one uplinked record (default flow c)', async () => {
    const before = records().length;
    // Plate first, then the weight.
    gw.bus.emit('vision.detection', plate('沪A12345'));
    const r1 = await api('POST', '/weighbridge', { weight_kg: 35210, bridge: 'wb-1', ticket: 'T0192' });
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.equal(r1.body.correlated, true);
    assert.equal(r1.body.plate, '沪A12345');
    // Weight first, then the plate.
    const r2 = await api('POST', '/weighbridge', { weight_kg: 18000 });
    assert.equal(r2.status, 202, JSON.stringify(r2.body));
    assert.equal(r2.body.correlated, false);
    gw.bus.emit('vision.detection', plate('粤B7788X'));
    const got = await waitFor('two gate.weighing records in the outbox', () => {
      const r = records().slice(before).filter((x) => x.type === 'gate.weighing');
      return r.length >= 2 ? r : undefined;
    }, 10_000, 100);
    const a = got.find((x) => x.data['plate'] === '沪A12345')!;
    assert.ok(a, JSON.stringify(got));
    assert.equal(a.data['weight_kg'], 35210);
    assert.equal(a.data['weighbridge'], 'wb-1');
    assert.equal(a.data['ticket'], 'T0192');
    assert.equal(a.data['camera'], 'gate-cam');
    assert.equal(a.data['snapshot_sm3'], 'ab'.repeat(32));
    assert.equal(r1.body.record, a.id);
    assert.equal(got.find((x) => x.data['plate'] === '粤B7788X')?.data['weight_kg'], 18000);
    // A weight that makes no sense is refused at the endpoint, and nothing is queued.
    const bad = await api('POST', '/weighbridge', { weight_kg: -3 });
    assert.equal(bad.status, 400);
    assert.equal(records().length, before + 2);
  });

  it('lists, deploys and rolls back flow versions through the downlink command handlers', async () => {
    const probe = (answer: string) =>
      tab('probe_tab', 'probe', [
        { id: 'probe_in', type: 'http in', url: '/probe', method: 'get', upload: false, swaggerDoc: '', wires: [['probe_fn']] },
        { id: 'probe_fn', type: 'function', func: `msg.payload = { version: ${JSON.stringify(answer)} }; return msg;`, outputs: 1, timeout: 30, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['probe_out']] },
        { id: 'probe_out', type: 'http response', statusCode: '', headers: {} },
      ]);
    const defaults = (await gw.flows.manager!.list()).current;
    assert.equal(defaults.version, 'defaults');
    const running = (await gw.flows.manager!.list()).flows.length;

    const list0 = JSON.parse(await handlers.run(command('gateway', 'flows.list', {}))) as { current: string; modified: boolean; flows: { label: string }[] };
    assert.equal(list0.current, 'defaults');
    assert.equal(list0.flows.length, running);

    const d1 = await handlers.run(command('gateway', 'flows.deploy', { version: 'v1', flows: probe('v1'), note: 'reviewed in the console' }));
    assert.match(d1, /^deployed version v1 \(4 nodes, rev [0-9a-f]+, 1 Function node timeout\(s\) capped\)$/);
    assert.deepEqual((await api('GET', '/probe')).body, { version: 'v1' });
    const d2 = await handlers.run(command('flows', 'flows.deploy', { version: 'v2', flows: probe('v2') }));
    assert.match(d2, /^deployed version v2/);
    assert.deepEqual((await api('GET', '/probe')).body, { version: 'v2' });
    assert.match(await handlers.run(command('gateway', 'flows.deploy', { version: 'v2', flows: probe('v2') })), /already running/);

    const list = JSON.parse(await handlers.run(command('gateway', 'flows.list', {}))) as { current: string; versions: string[]; modified: boolean };
    assert.equal(list.current, 'v2');
    assert.equal(list.modified, false);
    assert.deepEqual(list.versions, ['defaults', 'v1', 'v2']);
    for (const v of ['defaults', 'v1', 'v2']) assert.ok(fs.existsSync(path.join(dir, 'data', 'node-red', 'quayside-versions', `${v}.json`)), `${v} kept in the userDir`);

    assert.match(await handlers.run(command('gateway', 'flows.rollback', {})), /^rolled back from v2 to version v1 \(rev [0-9a-f]+\)$/);
    assert.deepEqual((await api('GET', '/probe')).body, { version: 'v1' });

    // Refused: unknown node types, a version name reused for other content, bad args, a wrong target.
    const unknownType = await rejection(handlers.run(command('gateway', 'flows.deploy', { version: 'v3', flows: tab('t3', 't3', [{ id: 'x1', type: 'no-such-node' }]) })));
    assert.equal(unknownType.code, 'EDGE_FLOWS_INVALID');
    assert.match(unknownType.message, /no-such-node/);
    const reused = await rejection(handlers.run(command('gateway', 'flows.deploy', { version: 'v1', flows: probe('changed') })));
    assert.equal(reused.code, 'EDGE_FLOWS_INVALID');
    assert.match(reused.message, /exists with other content/);
    assert.equal((await rejection(handlers.run(command('gateway', 'flows.deploy', { version: 'bad version', flows: probe('x') })))).code, 'EDGE_BAD_REQUEST');
    assert.equal((await rejection(handlers.run(command('led-1', 'flows.list', {})))).code, 'EDGE_BAD_REQUEST');
    assert.deepEqual((await api('GET', '/probe')).body, { version: 'v1' }, 'a refused deploy changes nothing');

    // Back to a named version: the defaults (no probe endpoint, the shipped tabs).
    assert.match(await handlers.run(command('gateway', 'flows.rollback', { version: 'defaults' })), /^rolled back from v1 to version defaults/);
    assert.equal((await api('GET', '/probe')).status, 404);
    assert.equal((await gw.flows.manager!.list()).flows.length, 3);
    // Nothing before the first version: refused, and the running version stays.
    assert.equal((await rejection(handlers.run(command('gateway', 'flows.rollback', {})))).code, 'EDGE_FLOWS_VERSION');
    assert.equal((await gw.flows.manager!.list()).current.version, 'defaults');
  });

  it('reads live readings and surveys through the quay nodes', async () => {
    const flows = [
      ...tab('read_tab', 'readers', [
        { id: 'rd_in', type: 'quay device in', device: 'sdm-1', kind: '', points: 'density, salinity', quality: 'any', output: 'point', wires: [['rd_keep']] },
        { id: 'rd_keep', type: 'function', func: 'flow.set(msg.point, { value: msg.payload, unit: msg.unit, quality: msg.quality, device: msg.device, ts: msg.ts }); return null;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [[]] },
        { id: 'rd_http', type: 'http in', url: '/density', method: 'get', upload: false, swaggerDoc: '', wires: [['rd_get']] },
        { id: 'rd_get', type: 'function', func: 'msg.payload = flow.get("density") || null; return msg;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['rd_out']] },
        { id: 'rd_out', type: 'http response', statusCode: '', headers: {} },
        { id: 'sv_http', type: 'http in', url: '/surveys', method: 'get', upload: false, swaggerDoc: '', wires: [['sv_list']] },
        { id: 'sv_list', type: 'quay survey', action: 'list', limit: 10, imo: '', stage: 'initial', wires: [['sv_out']] },
        { id: 'sv_out', type: 'http response', statusCode: '', headers: {} },
      ]),
    ];
    await gw.flows.manager!.deploy(flows, 'readers-1', { user: 'test' });
    const reading = await waitFor('a density reading through quay device in', async () => {
      const r = await api('GET', '/density');
      return r.status === 200 && r.body ? r.body : undefined;
    }, 10_000, 200);
    assert.equal(reading.device, 'sdm-1');
    assert.equal(reading.unit, 'kg/m3');
    assert.equal(reading.quality, 'good');
    const simDensity = (await sim.device('sdm-1')).values['density'] as number;
    assert.ok(Math.abs(reading.value - simDensity) < 1, `${reading.value} vs simulator ${simDensity}`);
    const surveys = await api('GET', '/surveys');
    assert.equal(surveys.status, 200);
    assert.deepEqual(surveys.body, [], 'no draft survey on this gateway yet');
  });
});
