import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { validateConfig } from '../../../edge/config/load.js';
import { buildRegistry } from '../../../edge/devices/registry.js';
import { createLogger, silentLogger } from '../../../edge/logger.js';
import { fakeFactories } from './fakes.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-registry-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function loaded() {
  return validateConfig(
    {
      version: 1,
      gateway: { id: 'gw', name: 'gw' },
      dataDir: dir,
      profilesDir: path.resolve('firmware-profiles'),
      buses: [{ id: 'b1', type: 'rtu', path: '/dev/ttyA' }, { id: 'b2', type: 'rtu', path: '/dev/ttyB' }],
      devices: [
        { id: 'dg-1', profile: 'qs-dg6-rtu', connection: { type: 'rtu', bus: 'b1', unitId: 1 } },
        { id: 'dg-2', profile: 'qs-dg6-rtu', connection: { type: 'rtu', bus: 'b1', unitId: 2 } },
        { id: 'blm-1', profile: 'qs-blm-rtu', connection: { type: 'rtu', bus: 'b2', unitId: 1 } },
        { id: 'sdm-1', profile: 'qs-sdm-tcp', pollIntervalMs: 250, connection: { type: 'tcp', host: 'h', port: 502 } },
        { id: 'sdm-2', profile: 'qs-sdm-tcp', connection: { type: 'tcp', host: 'h', port: 503, unitId: 9 } },
        { id: 'dgs-1', profile: 'qs-dgs-nmea', connection: { type: 'serial', path: '/dev/ttyC' } },
      ],
    },
    { file: path.join(dir, 'gw.json') },
  );
}

describe('registry', () => {
  it('one RTU transport per bus shared by its devices, one TCP transport per device, unit ids and intervals', () => {
    const f = fakeFactories();
    const seen: { id: string; unitId: number }[] = [];
    const modbusDriver = f.modbusDriver;
    f.modbusDriver = (o) => (seen.push({ id: o.deviceId, unitId: o.unitId }), modbusDriver(o));
    const reg = buildRegistry({ loaded: loaded(), factories: f, loggerFor: () => silentLogger() });
    assert.deepEqual(reg.transports.map((t) => `${t.id}=${t.devices.join('+')}`), ['bus:b1=dg-1+dg-2', 'bus:b2=blm-1', 'tcp:sdm-1=sdm-1', 'tcp:sdm-2=sdm-2']);
    assert.deepEqual(seen, [{ id: 'dg-1', unitId: 1 }, { id: 'dg-2', unitId: 2 }, { id: 'blm-1', unitId: 1 }, { id: 'sdm-1', unitId: 1 }, { id: 'sdm-2', unitId: 9 }]);
    assert.equal(reg.devices.get('sdm-1')!.pollIntervalMs, 250);
    assert.equal(reg.devices.get('sdm-2')!.pollIntervalMs, 1000);
    assert.equal(reg.devices.get('dgs-1')!.driver!.mode, 'streaming');
    assert.equal(reg.devices.get('dgs-1')!.silenceTimeoutMs, 3000);
  });

  it('a device whose transport or driver cannot be built is kept without a driver; the others are built', async () => {
    const f = fakeFactories();
    f.rtuTransport = () => {
      throw new Error('cannot open /dev/ttyA');
    };
    const tcp = f.tcpTransport;
    f.tcpTransport = (o) => {
      if (o.port === 503) throw new Error('bad host');
      return tcp(o);
    };
    const reg = buildRegistry({ loaded: loaded(), factories: f, loggerFor: () => silentLogger() });
    for (const id of ['dg-1', 'dg-2', 'blm-1', 'sdm-2']) {
      assert.equal(reg.devices.get(id)!.driver, undefined, id);
      assert.match(reg.devices.get(id)!.buildError!, /cannot open|bad host/);
    }
    assert.ok(reg.devices.get('sdm-1')!.driver);
    assert.ok(reg.devices.get('dgs-1')!.driver);
    await reg.close();
    assert.equal(f.polled.get('sdm-1')!.closed, true);
  });
});

describe('logger', () => {
  it('binds gateway id, module and device; setLevel reaches every child', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(JSON.parse(String(chunk))), cb()) });
    const log = createLogger({ level: 'info', gatewayId: 'gw-9', destination: sink });
    const dev = log.forDevice('modbus', 'density-1');
    dev.info('hello');
    dev.debug('hidden');
    log.setLevel('debug');
    dev.debug('shown');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!['gw'], 'gw-9');
    assert.equal(lines[0]!['mod'], 'edge:modbus:density-1');
    assert.equal(lines[0]!['device'], 'density-1');
    assert.equal(lines[1]!['msg'], 'shown');
  });
});
