/**
 * Flow management from the cloud, end to end: the cloud's REST API → its broker → the gateway's sync
 * command dispatcher → the flows module, answers back on up/ack and stored by the cloud. `flows.list`
 * is answered with the running flows; a command for a flow nobody listens to is refused with the reason;
 * an op neither the gateway nor its flows know is refused and names what is known.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startGateway, type Gateway } from '../../../edge/app.js';
import { startSimulator, waitFor, type Simulator } from '../../../scripts/lib/stack.js';
import { adminApi, createGateway, startTestCloud, type TestCloud } from '../sync/helpers.js';
import { SIM, flowsGatewayConfig, writeConfig } from './helpers.js';

const GW = 'gw-flows';
let dir: string;
let cloud: TestCloud;
let sim: Simulator;
let gw: Gateway | undefined;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-flows-cmd-'));
  cloud = await startTestCloud(path.join(dir, 'cloud'));
  sim = await startSimulator(dir, SIM);
});

after(async () => {
  await gw?.stop();
  await sim?.stop();
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answered {
  id: string;
  status: string;
  result: { detail: string } | null;
}

async function send(target: string, op: string, args: Record<string, unknown>): Promise<{ status: string; detail: string }> {
  const sent = await adminApi(cloud.url, `/api/gateways/${GW}/commands`, { target, op, args });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  const id = (sent.body as { id: string }).id;
  const c = await waitFor(
    `answer to ${op}`,
    async () => {
      const list = (await adminApi(cloud.url, `/api/gateways/${GW}/commands`)).body as Answered[];
      const c = list.find((x) => x.id === id);
      return c && c.status !== 'pending' && c.result ? c : undefined;
    },
    20_000,
    100,
  );
  return { status: c.status, detail: c.result!.detail };
}

describe('flows: managed from the cloud through downlink commands', { timeout: 120_000 }, () => {
  it('lists the flows, refuses a flow nobody listens to, and names the known ops for an unknown one', async () => {
    const token = await createGateway(cloud.url, GW);
    const cfg = { ...(await flowsGatewayConfig(sim.endpoints, dir)), cloud: { enrolment: { url: cloud.url, token } } };
    gw = await startGateway({ configPath: writeConfig(dir, cfg), logDestination: pino.destination({ dest: path.join(dir, 'gateway.log'), sync: true }) });
    await waitFor('online', () => gw!.sync!.metrics().state === 'online', 20_000);
    await waitFor('flows running', () => gw!.flows.status().state === 'running', 30_000);

    const listed = await send('gateway', 'flows.list', {});
    assert.equal(listed.status, 'done', listed.detail);
    const body = JSON.parse(listed.detail) as { current: string; flows: Array<{ label: string; nodes: number }> };
    assert.ok(body.flows.length >= 1, listed.detail);
    assert.ok(body.flows.every((f) => typeof f.label === 'string' && f.nodes > 0));

    const nobody = await send('flow:no-such-flow', 'hello', { n: 1 });
    assert.equal(nobody.status, 'rejected');
    assert.match(nobody.detail, /no-such-flow/);

    const unknown = await send('gateway', 'coffee.make', {});
    assert.equal(unknown.status, 'rejected');
    assert.match(unknown.detail, /unknown op "coffee\.make".*flows\.list/);
  });
});
