/** The optional `cloud` section of the gateway config: defaults, resolved paths, and clear errors. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigInvalidError, loadConfig } from '../../../edge/config/load.js';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-cloudcfg-'));
  fs.mkdirSync(path.join(dir, 'profiles'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const base = (cloud: unknown, id = 'gw-quay3') => ({ version: 1, gateway: { id, name: 'Quay 3' }, dataDir: 'data', profilesDir: 'profiles', ...(cloud === undefined ? {} : { cloud }) });

function load(obj: unknown) {
  const file = path.join(dir, 'gw.json');
  fs.writeFileSync(file, JSON.stringify(obj));
  return loadConfig(file);
}

function mistakes(obj: unknown): string[] {
  try {
    load(obj);
  } catch (e) {
    assert.ok(e instanceof ConfigInvalidError, String(e));
    return e.errors.map((x) => `${x.path}: ${x.message}`);
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('config: cloud section', () => {
  it('is optional: without it sync is off', () => {
    assert.equal(load(base(undefined)).config.cloud, undefined);
  });

  it('fills defaults and resolves the CA file against the config folder', () => {
    const c = load(base({ broker: { urls: ['mqtts://cloud.example:8883'], caFile: 'ca.pem' }, credentials: { username: 'gw-quay3', password: 'secret' } })).config.cloud!;
    assert.equal(c.broker.protocolVersion, 4);
    assert.equal(c.broker.caFile, path.join(dir, 'ca.pem'));
    assert.deepEqual(c.sync, { maxItems: 1000, maxBytes: 256 * 1024, window: 16, ackTimeoutMs: 15_000, stopGraceMs: 2000 });
    assert.equal(c.retention.budgetMB, 2048);
    assert.ok(Object.isFrozen(c.broker));
  });

  it('accepts an enrolment alone (the broker URLs come with its answer)', () => {
    const c = load(base({ enrolment: { url: 'http://127.0.0.1:8080', token: 't0k3n' } })).config.cloud!;
    assert.equal(c.broker.urls, undefined);
    assert.equal(c.enrolment?.token, 't0k3n');
  });

  it('reports every mistake with its path', () => {
    const errs = mistakes(
      base(
        {
          broker: { urls: ['http://nope'], protocolVersion: 3, keepAlive: 10 },
          sync: { maxItems: 5000, window: 4, liveSlots: 4 },
          retention: { budgetMB: -1 },
        },
        'GW_Quay3',
      ),
    );
    const text = errs.join('\n');
    assert.match(text, /cloud\.broker\.urls\[0\]: a broker URL is mqtt:\/\/HOST:PORT or mqtts:\/\/HOST:PORT/);
    assert.match(text, /cloud\.broker\.protocolVersion: protocolVersion must be 4 \(MQTT 3\.1\.1\) or 5 \(MQTT 5\)/);
    assert.match(text, /cloud\.broker: unknown key "keepAlive" \(did you mean "keepaliveS"\?\)/);
    assert.match(text, /cloud\.sync\.maxItems: maxItems must be at most 1000/);
    assert.match(text, /cloud\.retention\.budgetMB: /);
    // cross-field checks run once the fields parse
    const more = mistakes(base({ broker: { urls: ['mqtt://h:1883'] }, sync: { window: 4, liveSlots: 4 } }, 'GW_Quay3')).join('\n');
    assert.match(more, /cloud\.credentials: give "credentials" \{username, password\} or an "enrolment" \{url, token\}/);
    assert.match(more, /cloud\.sync\.liveSlots: liveSlots must be smaller than the window \(4\)/);
    assert.match(more, /gateway\.id: with "cloud" set, the gateway id is its identity in MQTT topics/);
  });

  it('needs broker URLs when there is no enrolment to name them', () => {
    assert.match(mistakes(base({ credentials: { username: 'u', password: 'p' } })).join('\n'), /cloud\.broker\.urls: list the broker URLs/);
  });
});
