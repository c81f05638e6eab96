import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuaysideError } from '../../../shared/errors.js';
import { ConfigInvalidError, loadConfig } from '../../../edge/config/load.js';
import { loadProfiles, ProfileInvalidError } from '../../../edge/config/profiles.js';
import { modbusProfile, sentenceProfile } from './fakes.js';

let dir: string;
const serial = (baudRate: number, parity: 'none' | 'even') => ({ baudRate, dataBits: 8, parity, stopBits: 1 });

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-config-'));
  const profiles = path.join(dir, 'profiles');
  fs.mkdirSync(profiles);
  const write = (p: { model: string }) => fs.writeFileSync(path.join(profiles, `${p.model}.json`), JSON.stringify(p));
  write(modbusProfile({ model: 'test-tcp' }));
  write(modbusProfile({ model: 'test-rtu', transport: { type: 'modbus-rtu', serial: serial(9600, 'none') } }));
  write(modbusProfile({ model: 'test-rtu-fast', transport: { type: 'modbus-rtu', serial: serial(19200, 'even') } }));
  write(sentenceProfile({ model: 'test-nmea' }));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function base(over: Record<string, unknown> = {}) {
  return {
    version: 1,
    gateway: { id: 'gw-1', name: 'Quay 3' },
    dataDir: 'data',
    profilesDir: 'profiles',
    buses: [{ id: 'rs485-1', type: 'rtu', path: '/dev/ttyUSB0' }],
    devices: [
      { id: 'dg-1', profile: 'test-rtu', connection: { type: 'rtu', bus: 'rs485-1', unitId: 1 } },
      { id: 'sdm-1', profile: 'test-tcp', connection: { type: 'tcp', host: '10.0.0.5', port: 502 }, pollIntervalMs: 500 },
      { id: 'qt-1', profile: 'test-nmea', connection: { type: 'serial', path: '/dev/ttyS1' } },
    ],
    ...over,
  };
}

function writeConfig(obj: unknown, name = 'gw.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return file;
}

function mistakes(obj: unknown): { path: string; message: string }[] {
  try {
    loadConfig(writeConfig(obj));
  } catch (e) {
    assert.ok(e instanceof ConfigInvalidError, String(e));
    assert.equal(e.code, 'CONFIG_INVALID');
    return e.errors;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('config: a valid file', () => {
  it('loads with defaults, resolved paths, bus line settings from the profile, and frozen', () => {
    const loaded = loadConfig(writeConfig(base()));
    const c = loaded.config;
    assert.equal(c.version, 1);
    assert.equal(c.dataDir, path.join(dir, 'data'));
    assert.equal(c.profilesDir, path.join(dir, 'profiles'));
    assert.deepEqual(c.api, { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(c.store, { batchMs: 200, batchRows: 5000, retentionDays: 30 });
    assert.equal(c.log.level, 'info');
    assert.equal(c.devices[0]!.enabled, true);
    assert.deepEqual(loaded.busSerial.get('rs485-1'), serial(9600, 'none'));
    assert.deepEqual(loaded.profiles.models(), ['test-nmea', 'test-rtu', 'test-rtu-fast', 'test-tcp']);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.devices) && Object.isFrozen(c.devices[0]!.connection));
    assert.throws(() => {
      (c as { dataDir: string }).dataDir = '/tmp';
    }, TypeError);
  });

  it('lets a bus set its own line settings over disagreeing profiles', () => {
    const cfg = base({ buses: [{ id: 'rs485-1', type: 'rtu', path: '/dev/ttyUSB0', serial: serial(38400, 'none') }] });
    cfg.devices.push({ id: 'dg-2', profile: 'test-rtu-fast', connection: { type: 'rtu', bus: 'rs485-1', unitId: 2 } });
    assert.equal(loadConfig(writeConfig(cfg)).busSerial.get('rs485-1')!.baudRate, 38400);
  });
});

describe('config: mistakes', () => {
  it('reports every mistake at once, each with its path and a hint', () => {
    const cfg = base({
      api: { port: 70000 },
      buses: [
        { id: 'rs485-1', type: 'rtu', path: '/dev/ttyUSB0' },
        { id: 'rs485-1', type: 'rtu', path: '/dev/ttyUSB1' },
      ],
    }) as ReturnType<typeof base> & { devices: Record<string, unknown>[] };
    cfg.devices.push(
      { id: 'dg-1', profile: 'test-rtu', connection: { type: 'rtu', bus: 'rs485-1', unitId: 1 } }, // [3] duplicate id + unit id
      { id: 'x-1', profile: 'qs-xx', connection: { type: 'rtu', bus: 'rs485-9', unitId: 3 } }, // [4] unknown profile + bus
      { id: 'sdm-2', profile: 'test-tcp', connection: { type: 'tcp', host: 'h', port: 70000 } }, // [5] port out of range
      { id: 'qt-2', profile: 'test-nmea', connection: { type: 'tcp', host: 'h', port: 1 }, pollIntervalMS: 5 }, // [6] typo + wrong connection
      { id: 'sdm-3', profile: 'test-tcp', connection: { type: 'tcp', host: '10.0.0.5', port: 502 } }, // [7] same endpoint as sdm-1
    );
    const errs = mistakes(cfg);
    const byPath = (p: string) => errs.filter((e) => e.path === p).map((e) => e.message);
    assert.match(byPath('api.port')[0]!, /0–65535/);
    assert.match(byPath('buses[1].id')[0]!, /duplicate bus id "rs485-1" \(also buses\[0\]\)/);
    assert.match(byPath('devices[3].id')[0]!, /duplicate device id "dg-1" \(also devices\[0\]\)/);
    assert.match(byPath('devices[3].connection.unitId')[0]!, /unit id 1 is already used on bus "rs485-1" by devices\[0\] \("dg-1"\)/);
    assert.match(byPath('devices[4].profile')[0]!, /no firmware profile "qs-xx" \(known: test-nmea, test-rtu, test-rtu-fast, test-tcp\)/);
    assert.match(byPath('devices[4].connection.bus')[0]!, /no bus "rs485-9" \(defined: rs485-1\)/);
    assert.match(byPath('devices[5].connection.port')[0]!, /1–65535/);
    assert.match(byPath('devices[6]')[0]!, /unknown key "pollIntervalMS" \(did you mean "pollIntervalMs"\?\)/);
    assert.match(byPath('devices[6].connection.type')[0]!, /line-protocol .* connect it with "serial"/);
    assert.match(byPath('devices[7].connection')[0]!, /10\.0\.0\.5:502 unit 1 is already devices\[1\] \("sdm-1"\)/);
    assert.equal(errs.length, 10, errs.map((e) => `${e.path}: ${e.message}`).join('\n'));
    // The message a person reads names each of them.
    try {
      loadConfig(writeConfig(cfg));
    } catch (e) {
      assert.match((e as Error).message, /10 mistakes/);
      assert.match((e as Error).message, /- devices\[4\]\.profile: no firmware profile "qs-xx"/);
    }
  });

  it('lists mistakes in file order', () => {
    const cfg = base();
    (cfg.devices[2] as Record<string, unknown>)['profile'] = 'nope';
    (cfg.gateway as Record<string, unknown>)['id'] = '';
    const errs = mistakes(cfg);
    assert.deepEqual(errs.map((e) => e.path), ['devices[2].profile', 'gateway.id']);
  });

  it('catches missing fields, wrong types and Modbus profiles on a serial connection', () => {
    const errs = mistakes({
      version: 1,
      gateway: { id: 'gw' },
      profilesDir: 'profiles',
      devices: [{ id: 'a', profile: 'test-tcp', connection: { type: 'serial', path: '/dev/x' } }, { id: 'b', profile: 'test-tcp', connection: { type: 'udp' } }],
    });
    const paths = errs.map((e) => e.path);
    assert.ok(paths.includes('gateway.name'), paths.join());
    assert.ok(paths.includes('dataDir'), paths.join());
    assert.ok(paths.includes('devices[0].connection.type'), paths.join());
    assert.ok(paths.includes('devices[1].connection.type'), paths.join());
  });

  it('refuses a bus whose devices disagree on line settings unless the bus sets them', () => {
    const cfg = base();
    cfg.devices.push({ id: 'dg-2', profile: 'test-rtu-fast', connection: { type: 'rtu', bus: 'rs485-1', unitId: 2 } });
    const errs = mistakes(cfg);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.path, 'buses[0].serial');
    assert.match(errs[0]!.message, /baudRate: 9600 \(dg-1\) vs 19200 \(dg-2\)/);
  });

  it('refuses a line-protocol device on a bus port and two on one port', () => {
    const cfg = base();
    cfg.devices.push({ id: 'qt-2', profile: 'test-nmea', connection: { type: 'serial', path: '/dev/ttyUSB0' } });
    cfg.devices.push({ id: 'qt-3', profile: 'test-nmea', connection: { type: 'serial', path: '/dev/ttyS1' } });
    const errs = mistakes(cfg);
    assert.deepEqual(errs.map((e) => e.path), ['devices[3].connection.path', 'devices[4].connection.path']);
  });

  it('an unreadable or non-JSON file is CONFIG_UNREADABLE', () => {
    assert.throws(() => loadConfig(path.join(dir, 'missing.json')), (e) => e instanceof QuaysideError && e.code === 'CONFIG_UNREADABLE');
    assert.throws(() => loadConfig(writeConfig('{ "version": 1,', 'broken.json')), (e) => e instanceof QuaysideError && e.code === 'CONFIG_UNREADABLE' && /not JSON/.test(e.message));
  });
});

describe('config: versions and migrations', () => {
  it('migrates an older file through the hook', () => {
    const old = { ...base(), version: 0, gateway: undefined, gatewayId: 'gw-old' };
    const migrations = {
      0: ({ gatewayId, ...rest }: Record<string, unknown>) => ({ ...rest, gateway: { id: gatewayId, name: 'migrated' } }),
    };
    const loaded = loadConfig(writeConfig(old), { migrations });
    assert.equal(loaded.migratedFrom, 0);
    assert.equal(loaded.config.version, 1);
    assert.deepEqual(loaded.config.gateway, { id: 'gw-old', name: 'migrated' });
  });

  it('refuses a newer version, and an old one without a migration', () => {
    assert.match(mistakes({ ...base(), version: 2 })[0]!.message, /newer than this gateway/);
    assert.match(mistakes({ ...base(), version: 0 })[0]!.message, /no migration from config version 0 to 1/);
  });
});

describe('profiles loader', () => {
  it('loads every profile of the repository', () => {
    const catalog = loadProfiles(path.resolve('firmware-profiles'));
    assert.ok(catalog.models().length >= 6, catalog.models().join());
    for (const m of ['qs-dg6-rtu', 'qs-dgs-nmea', 'qs-blm-rtu', 'qs-sdm-tcp', 'qs-qt-serial', 'qs-led-tcp']) assert.ok(catalog.get(m), m);
    assert.ok(Object.isFrozen(catalog.get('qs-dg6-rtu')!.points));
  });

  it('names the file of each mistake (PROFILE_INVALID), and a bad profile shows in the config errors', () => {
    const pdir = fs.mkdtempSync(path.join(dir, 'badprofiles-'));
    fs.writeFileSync(path.join(pdir, 'good-one.json'), JSON.stringify(modbusProfile({ model: 'good-one' })));
    const bad = JSON.parse(JSON.stringify(modbusProfile({ model: 'bad-one' })));
    bad.points[1].address = 0; // overlaps p0
    bad.points[2].unit = 'furlong';
    fs.writeFileSync(path.join(pdir, 'bad-one.json'), JSON.stringify(bad));
    fs.writeFileSync(path.join(pdir, 'misnamed.json'), JSON.stringify(modbusProfile({ model: 'other-name' })));
    fs.writeFileSync(path.join(pdir, 'broken.json'), '{');
    assert.throws(
      () => loadProfiles(pdir),
      (e) => {
        assert.ok(e instanceof ProfileInvalidError);
        assert.equal(e.code, 'PROFILE_INVALID');
        const paths = e.errors.map((x) => x.path);
        assert.ok(paths.includes('bad-one.json: points[2].unit'), paths.join(' | '));
        assert.ok(paths.includes('broken.json'), paths.join(' | '));
        assert.ok(paths.includes('misnamed.json: model'), paths.join(' | '));
        return true;
      },
    );
    const cfg = base({ profilesDir: path.basename(pdir), buses: [] });
    cfg.devices = [{ id: 'b', profile: 'bad-one', connection: { type: 'tcp', host: 'h', port: 1 } } as never];
    const errs = mistakes(cfg);
    assert.ok(errs.some((e) => e.path === `${path.basename(pdir)}/bad-one.json: points[2].unit`), errs.map((e) => e.path).join(' | '));
    assert.match(errs.find((e) => e.path === 'devices[0].profile')!.message, /"bad-one" is invalid/);
  });
});

describe('config: the shipped example', () => {
  it('edge/config/example.gateway.json is valid against the repository profiles', () => {
    const loaded = loadConfig(path.resolve('edge/config/example.gateway.json'));
    assert.equal(loaded.config.devices.length, 7);
    assert.deepEqual(loaded.busSerial.get('rs485-1'), { baudRate: 19200, dataBits: 8, parity: 'even', stopBits: 1 });
    assert.deepEqual(loaded.busSerial.get('rs485-2'), { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
  });
});
