// The cloud config: defaults, and every mistake reported at once with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CloudConfigInvalidError, parseCloudConfig } from '../../../cloud/config/load.js';

test('the smallest config gets defaults: SQLite, embedded series, embedded broker', () => {
  const c = parseCloudConfig({ admin: { token: 'x'.repeat(16) } }, { baseDir: '/srv/qs' });
  assert.equal(c.dataDir, '/srv/qs/data/cloud');
  assert.equal(c.store.driver, 'sqlite');
  assert.equal(c.timeseries.driver, 'embedded');
  assert.equal(c.broker.mode, 'embedded');
  assert.ok(Object.isFrozen(c.broker));
});

test('every mistake is listed with its path', () => {
  try {
    parseCloudConfig({
      admin: { token: 'short' },
      store: { driver: 'postgres', url: 'mysql://x' },
      timeseries: { driver: 'influx', url: 'http://127.0.0.1:8086', database: 'bad name', batchSize: 0 },
      broker: { mode: 'embedded', tlsPort: 70000, admin: { username: 'ops-admin', password: 'p'.repeat(16) } },
      api: { port: 8080, colour: 'red' },
    });
    assert.fail('expected CONFIG_INVALID');
  } catch (e) {
    assert.ok(e instanceof CloudConfigInvalidError);
    const paths = e.errors.map((x) => x.path);
    for (const p of ['admin.token', 'store.url', 'timeseries.database', 'timeseries.batchSize', 'broker.tlsPort', 'broker.admin.username', 'api']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    assert.equal(e.code, 'CONFIG_INVALID');
  }
});

test('TLS file paths resolve against the config folder', () => {
  const c = parseCloudConfig({ admin: { token: 'x'.repeat(16) }, broker: { mode: 'embedded', tls: { certFile: 'tls/c.pem', keyFile: 'tls/k.pem' } } }, { baseDir: '/etc/qs' });
  assert.equal(c.broker.mode === 'embedded' ? c.broker.tls?.certFile : null, path.join('/etc/qs', 'tls/c.pem'));
});
