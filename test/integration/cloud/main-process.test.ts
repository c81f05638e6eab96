// The daemon as operators run it: `tsx cloud/main.ts CONFIG.json`, default adapters, then SIGTERM stops
// the modules in reverse order of their start and the process exits 0. A bad config exits 1 listing
// every mistake with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, run, spawnChild, tmpDir, waitFor } from './helpers.js';


test('start from a config file, serve, stop on SIGTERM in reverse order', async () => {
  const dir = tmpDir('main');
  const cfg = path.join(dir, 'cloud.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      version: 1,
      dataDir: 'data',
      log: { level: 'debug' },
      api: { host: '127.0.0.1', port: 0 },
      admin: { token: 'main-process-token-0123' },
      broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: 0 },
    }),
  );
  const proc = spawnChild(process.execPath, ['--import', 'tsx', path.join(REPO, 'cloud/main.ts'), cfg]);
  try {
    const started = await waitFor(
      'cloud started',
      () => proc.output().split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } }).find((l) => l?.['msg'] === 'cloud started'),
      30_000,
      100,
    );
    const health = (await fetch(`${started['api'] as string}/api/health`).then((r) => r.json())) as Record<string, unknown>;
    assert.deepEqual({ store: health['store'], timeseries: health['timeseries'], broker: health['broker'] }, { store: 'sqlite', timeseries: 'embedded', broker: 'embedded' });
    assert.ok(fs.existsSync(path.join(dir, 'data/cloud.db')), 'SQLite under dataDir (relative to the config file)');
    assert.ok(fs.existsSync(path.join(dir, 'data/tls/server.crt')), 'self-signed certificate generated under dataDir');
    proc.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (proc.child.exitCode !== null ? r(proc.child.exitCode) : proc.child.once('exit', (c) => r(c))));
    assert.equal(code, 0, proc.output().slice(-2000));
    const stopped = proc
      .output()
      .split('\n')
      .filter((l) => l.includes('"module stopped"'))
      .map((l) => (JSON.parse(l) as { module: string }).module);
    assert.deepEqual(stopped, ['api', 'platform', 'trade', 'ingest', 'broker', 'timeseries', 'store']);
  } finally {
    await proc.stop('SIGKILL');
  }
});

test('a bad config file exits 1 and names every mistake', async () => {
  const dir = tmpDir('main');
  const cfg = path.join(dir, 'cloud.json');
  fs.writeFileSync(cfg, JSON.stringify({ admin: { token: 'short' }, store: { driver: 'oracle' }, api: { port: -1 } }));
  const res = await run(process.execPath, ['--import', 'tsx', path.join(REPO, 'cloud/main.ts'), cfg], { timeoutMs: 30_000 });
  assert.equal(res.code, 1);
  for (const p of ['admin.token', 'store.driver', 'api.port']) assert.match(res.stderr, new RegExp(`- ${p.replace('.', '\\.')}:`));
});
