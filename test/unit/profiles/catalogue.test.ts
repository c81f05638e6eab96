// Walks every shipped firmware profile and checks the catalogue rules, and that the docs pages match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateProfile } from '../../../shared/profile/validate.js';
import { isModbusProfile, UNITS } from '../../../shared/profile/schema.js';
import { renderAll } from '../../../scripts/profile-docs.js';

const root = new URL('../../../', import.meta.url).pathname;
const files = readdirSync(join(root, 'firmware-profiles')).filter((f) => f.endsWith('.json')).sort();

test('ships at least the six required device models', () => {
  const kinds = new Set(files.map((f) => JSON.parse(readFileSync(join(root, 'firmware-profiles', f), 'utf8')).kind));
  for (const k of ['draft-gauge', 'ballast-level-meter', 'density-monitor', 'queue-terminal', 'led-display']) assert.ok(kinds.has(k), `no profile of kind ${k}`);
  const transports = files.map((f) => JSON.parse(readFileSync(join(root, 'firmware-profiles', f), 'utf8')).transport.type);
  for (const t of ['modbus-rtu', 'modbus-tcp', 'serial-line']) assert.ok(transports.includes(t), `no profile on ${t}`);
});

for (const file of files) {
  test(`profile ${file} follows the catalogue rules`, () => {
    const raw = JSON.parse(readFileSync(join(root, 'firmware-profiles', file), 'utf8'));
    const result = validateProfile(raw);
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors, null, 2));
    const p = result.profile;
    assert.equal(`${p.model}.json`, file, 'file name must be the model id');
    for (const pt of p.points) {
      assert.ok((UNITS as readonly string[]).includes(pt.unit), `${pt.name}: unit ${pt.unit} not in the allowed list`);
      assert.notEqual(pt.label.zh, pt.label.en, `${pt.name}: Chinese and English labels should both be written`);
      const numeric = pt.type !== 'bool' && pt.type !== 'string' && pt.type !== 'text' && pt.type !== 'enum';
      if (numeric && pt.unit !== '' && pt.unit !== 's') assert.ok(pt.range, `${pt.name}: a measured value needs a valid range`);
    }
    for (const a of p.alarms) {
      const pt = p.points.find((x) => x.name === a.point)!;
      if (pt.range && a.above !== undefined) assert.ok(a.above <= pt.range.max, `alarm on ${a.point} above the point's range`);
      if (pt.range && a.below !== undefined) assert.ok(a.below >= pt.range.min, `alarm on ${a.point} below the point's range`);
    }
    if (isModbusProfile(p)) {
      for (const pt of p.points) if (pt.writable) assert.equal(pt.table === 'holding' || pt.table === 'coil', true);
    }
  });
}

test('docs/profiles pages are generated from the current profiles', () => {
  for (const [name, text] of renderAll()) {
    const committed = readFileSync(join(root, 'docs', 'profiles', name), 'utf8');
    assert.equal(committed, text, `docs/profiles/${name} is stale: run npm run docs:profiles`);
  }
});
