/**
 * The README's demo command, as a user runs it (scripts/demo.ts; `npm run demo` builds the web apps
 * first, which the test command has done): cloud, gateway, simulators, Node-RED and the gate camera come
 * up, every simulated device is online, the cloud has live values, and the camera has read the plate.
 * The data platform has the demo's configured sources (cloud/platform/demo-sources) and at least 20 of
 * them are connected and healthy: their last run, against the inbox files, the simulated services,
 * the MQTT broker, the cloud's own API and the exchange, succeeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('npm run demo: cloud + gateway + simulators + flows + camera, on any free ports', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-demo-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts'), '--seconds', '45', '--port', '0', '--cloud-port', '0', '--dir', dir], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out.slice(-3000));
    assert.match(out, /Quayside demo is running\./);
    assert.match(out, /Cloud console\s+http:\/\/127\.0\.0\.1:\d+\//);
    const devices = JSON.parse(/edge devices: (.*)/.exec(out)![1]!) as string[];
    assert.equal(devices.length, 9);
    assert.deepEqual(devices.filter((d) => !d.endsWith(':online')), [], 'every simulated device online');
    const points = Number(/cloud latest values: (\d+) points/.exec(out)![1]);
    assert.ok(points >= 50, `${points} live points in the cloud`);
    assert.match(/gate camera plates: (.*)/.exec(out)![1]!, /沪AF2345/);
    const shipped = fs
      .readdirSync(path.join(ROOT, 'cloud/platform/demo-sources'))
      .filter((n) => n.endsWith('.json'))
      .reduce((n, f) => n + ((JSON.parse(fs.readFileSync(path.join(ROOT, 'cloud/platform/demo-sources', f), 'utf8')) as { connectors?: unknown[] }).connectors?.length ?? 0), 0);
    const lines = [...out.matchAll(/data sources: (\d+) configured, (\d+) healthy(.*)/g)];
    assert.ok(lines.length >= 2, 'the source count is printed at start and at the end');
    const [, configured, healthy, sick] = lines[lines.length - 1]!;
    assert.equal(Number(configured), shipped, 'every shipped definition is configured');
    assert.ok(Number(healthy) >= 20, `${healthy} healthy sources${sick}`);
    assert.equal(Number(healthy), Number(configured), `every source healthy${sick}`);
    // the catalogue: an entry per topic data set, and the access request its owner (logged in) may decide
    assert.match(out, /catalogue: 6 published; qian\.qi \(企业管理科\) can decide 1 of 1 pending access requests\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
