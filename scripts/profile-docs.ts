/**
 * Renders one Markdown page per firmware profile into docs/profiles/ (and an index).
 * `npm run docs:profiles` writes them; `--check` exits 1 when a committed page is out of date.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateProfile } from '../shared/profile/validate.js';
import { isModbusProfile, type FirmwareProfile } from '../shared/profile/schema.js';
import { describeFieldErrors } from '../shared/validation.js';

const root = new URL('..', import.meta.url).pathname;
const profilesDir = join(root, 'firmware-profiles');
const docsDir = join(root, 'docs', 'profiles');

export function loadAllProfiles(dir = profilesDir): FirmwareProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const result = validateProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!result.ok) throw new Error(`${f} is invalid:\n${describeFieldErrors(result.errors)}`);
      return result.profile;
    });
}

const cell = (v: unknown): string => (v === undefined || v === '' ? '—' : String(v).replace(/\|/g, '\\|'));

export function renderProfilePage(p: FirmwareProfile): string {
  const out: string[] = [];
  out.push(`# ${p.name.en} — \`${p.model}\``, '');
  out.push(`> Generated from \`firmware-profiles/${p.model}.json\` (profile version ${p.version}) by \`npm run docs:profiles\`. Edit the profile, not this page.`, '');
  out.push(`**${p.name.zh}**`, '', p.description.en, '', p.description.zh, '');
  out.push('| | |', '|---|---|');
  out.push(`| kind | ${p.kind} |`, `| manufacturer | ${p.manufacturer} |`, `| poll interval | ${p.pollIntervalMs} ms |`);
  const t = p.transport;
  if (t.type === 'modbus-tcp') out.push(`| transport | Modbus TCP, default port ${t.defaultPort}, unit id ${t.defaultUnitId} |`);
  else if (t.type === 'modbus-rtu') out.push(`| transport | Modbus RTU, default unit id ${t.defaultUnitId} |`);
  else out.push(`| transport | serial line, NMEA-0183-style sentences, silent > ${t.silenceTimeoutMs} ms ⇒ stale |`);
  if (t.type !== 'modbus-tcp') {
    const s = t.serial;
    out.push(`| serial | ${s.baudRate} baud, ${s.dataBits}${s.parity[0]!.toUpperCase()}${s.stopBits} |`);
  }
  if (t.type !== 'serial-line') out.push(`| timeout / retries | ${t.responseTimeoutMs} ms / ${t.retries} |`);
  out.push('');

  if (isModbusProfile(p)) {
    out.push('## Points', '', '| name | label | table | address | type | order (byte/word) | scale | offset | unit | range | access |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const pt of p.points) {
      const type = pt.type === 'bool' ? (pt.bit !== undefined ? `bool (bit ${pt.bit})` : 'bool') : pt.type === 'string' ? `string ${pt.encoding} × ${pt.lengthRegisters}` : pt.type;
      const order = pt.type === 'bool' || pt.type === 'string' ? '—' : `${pt.byteOrder}/${pt.wordOrder}`;
      const scale = pt.type === 'bool' || pt.type === 'string' ? '—' : pt.scale;
      const offset = pt.type === 'bool' || pt.type === 'string' ? '—' : pt.offset;
      const range = pt.range ? `${pt.range.min} … ${pt.range.max}` : '—';
      out.push(`| \`${pt.name}\` | ${pt.label.en} / ${pt.label.zh} | ${pt.table} | ${pt.address} | ${type} | ${order} | ${scale} | ${offset} | ${cell(pt.unit)} | ${range} | ${pt.writable ? 'read/write' : 'read'} |`);
    }
    out.push('', 'Addresses are 0-based protocol addresses (mbpoll and many tools number them from 1).', '');
  } else {
    out.push('## Sentences', '');
    for (const s of p.sentences) {
      out.push(`### \`$${s.id}\` (${s.direction === 'in' ? 'device → gateway' : 'gateway → device'}) — ${s.description.en} / ${s.description.zh}`, '');
      out.push('`$' + s.id + ',' + s.fields.map((f) => `<${f.name}>`).join(',') + '*hh`', '');
      out.push('| field | type | values / max length |', '|---|---|---|');
      for (const f of s.fields) out.push(`| \`${f.name}\` | ${f.type} | ${f.values ? f.values.join(', ') : cell(f.maxLength)} |`);
      out.push('');
    }
    if (p.points.length) {
      out.push('## Points', '', '| name | label | sentence.field | scale | unit | range |', '|---|---|---|---|---|---|');
      for (const pt of p.points) out.push(`| \`${pt.name}\` | ${pt.label.en} / ${pt.label.zh} | ${pt.sentence}.${pt.field} | ${pt.scale} | ${cell(pt.unit)} | ${pt.range ? `${pt.range.min} … ${pt.range.max}` : '—'} |`);
      out.push('');
    }
    if (p.commands.length) {
      out.push('## Commands', '', '| name | label | sentence | acknowledged by |', '|---|---|---|---|');
      for (const c of p.commands) out.push(`| \`${c.name}\` | ${c.label.en} / ${c.label.zh} | $${c.sentence} | ${c.ackSentence ? `$${c.ackSentence} within ${c.ackTimeoutMs} ms` : '—'} |`);
      out.push('');
    }
  }
  if (p.alarms.length) {
    out.push('## Alarms', '', '| point | condition | hysteresis | severity | message |', '|---|---|---|---|---|');
    for (const a of p.alarms) {
      const cond = [a.above !== undefined ? `> ${a.above}` : '', a.below !== undefined ? `< ${a.below}` : ''].filter(Boolean).join(' or ');
      out.push(`| \`${a.point}\` | ${cond} | ${a.hysteresis} | ${a.severity} | ${a.message.en} / ${a.message.zh} |`);
    }
    out.push('');
  }
  out.push('## Simulator', '', `Physics model \`${p.simulation.model}\`.`, '');
  const params = Object.entries(p.simulation.params);
  if (params.length) out.push('Parameters: ' + params.map(([k, v]) => `\`${k}\` = ${v}`).join(', ') + '.', '');
  const bindings = Object.entries(p.simulation.bindings);
  if (bindings.length) out.push('Signals: ' + bindings.map(([pt, sig]) => `\`${pt}\` ← ${sig}`).join(', ') + '.', '');
  return out.join('\n');
}

export function renderIndex(profiles: FirmwareProfile[]): string {
  const lines = ['# Firmware profiles', '', '> Generated by `npm run docs:profiles`. One page per device model; the JSON files in `firmware-profiles/` are the source.', '', '| model | kind | name | transport |', '|---|---|---|---|'];
  for (const p of profiles) lines.push(`| [\`${p.model}\`](${p.model}.md) | ${p.kind} | ${p.name.en} / ${p.name.zh} | ${p.transport.type} |`);
  lines.push('', 'To add a device model, see [../adding-a-device.md](../adding-a-device.md).', '');
  return lines.join('\n');
}

export function renderAll(profiles = loadAllProfiles()): Map<string, string> {
  const pages = new Map<string, string>();
  for (const p of profiles) pages.set(`${p.model}.md`, renderProfilePage(p));
  pages.set('README.md', renderIndex(profiles));
  return pages;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const pages = renderAll();
  mkdirSync(docsDir, { recursive: true });
  let stale = 0;
  for (const [name, text] of pages) {
    const path = join(docsDir, name);
    let current = '';
    try { current = readFileSync(path, 'utf8'); } catch { /* new page */ }
    if (current === text) continue;
    if (check) { console.error(`out of date: docs/profiles/${name}`); stale++; }
    else { writeFileSync(path, text); console.log(`wrote docs/profiles/${name}`); }
  }
  if (stale) process.exit(1);
}
