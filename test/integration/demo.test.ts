/**
 * The README's demo command, as a user runs it (scripts/demo.ts; `npm run demo` builds the web apps
 * first, which the test command has done): cloud, gateway, simulators, Node-RED and the gate camera come
 * up, every simulated device is online, the cloud has live values, and the camera has read the plate.
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
