/**
 * Validates a parsed profile: the schema first, then the rules a schema cannot express
 * (unique names, no overlapping registers, references that resolve, ranges on writable points).
 */
import {
  DATA_TYPES,
  firmwareProfileSchema,
  isModbusProfile,
  type FirmwareProfile,
  type ModbusPoint,
  type ModbusProfile,
  type SentenceProfile,
} from './schema.js';
import { fieldErrors, type FieldError } from '../validation.js';

export type ProfileValidation =
  | { ok: true; profile: FirmwareProfile }
  | { ok: false; errors: FieldError[] };

export function validateProfile(input: unknown): ProfileValidation {
  const parsed = firmwareProfileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const profile = parsed.data;
  const errors = isModbusProfile(profile) ? checkModbus(profile) : checkSentences(profile);
  checkCommon(profile, errors);
  return errors.length ? { ok: false, errors } : { ok: true, profile };
}

/** Number of 16-bit registers (or bits, for coil/discrete) a point occupies. */
export function registerSpan(p: ModbusPoint): number {
  if (p.type === 'bool') return 1;
  if (p.type === 'string') return p.lengthRegisters;
  return DATA_TYPES[p.type];
}

function checkCommon(profile: FirmwareProfile, errors: FieldError[]): void {
  const names = new Map<string, number>();
  profile.points.forEach((p, i) => {
    if (names.has(p.name)) errors.push({ path: `points[${i}].name`, message: `duplicate point name "${p.name}" (also points[${names.get(p.name)}])` });
    names.set(p.name, i);
  });
  profile.alarms.forEach((a, i) => {
    if (!names.has(a.point)) errors.push({ path: `alarms[${i}].point`, message: `no point named "${a.point}"` });
  });
  for (const [point] of Object.entries(profile.simulation.bindings)) {
    if (!names.has(point)) errors.push({ path: `simulation.bindings.${point}`, message: `no point named "${point}"` });
  }
}

function checkModbus(profile: ModbusProfile): FieldError[] {
  const errors: FieldError[] = [];
  // Registers may be shared only by bool points that pick different bits of the same register.
  const owners = new Map<string, { index: number; bit?: number | undefined }[]>();
  profile.points.forEach((p, i) => {
    const span = registerSpan(p);
    const bitTable = p.table === 'coil' || p.table === 'discrete';
    const space = bitTable ? p.table : p.table; // tables are separate address spaces
    for (let a = p.address; a < p.address + span; a++) {
      const key = `${space}:${a}`;
      const list = owners.get(key) ?? [];
      const bit = p.type === 'bool' ? p.bit : undefined;
      for (const o of list) {
        const bothBits = bit !== undefined && o.bit !== undefined;
        if (!bothBits || o.bit === bit) {
          errors.push({
            path: `points[${i}].address`,
            message: `${p.table} register ${a} overlaps points[${o.index}] ("${profile.points[o.index]?.name}")`,
          });
        }
      }
      list.push({ index: i, bit });
      owners.set(key, list);
    }
    if (p.address + span - 1 > 65535) errors.push({ path: `points[${i}].address`, message: 'point runs past register 65535' });
    if (p.writable && (p.table === 'input' || p.table === 'discrete')) {
      errors.push({ path: `points[${i}].writable`, message: `${p.table} registers are read-only in Modbus` });
    }
    if (p.writable && p.type !== 'bool' && p.type !== 'string' && !p.range) {
      errors.push({ path: `points[${i}].range`, message: 'a writable numeric point needs a range (writes outside it are refused)' });
    }
  });
  return errors;
}

function checkSentences(profile: SentenceProfile): FieldError[] {
  const errors: FieldError[] = [];
  const byId = new Map(profile.sentences.map((s) => [s.id, s]));
  const seen = new Set<string>();
  profile.sentences.forEach((s, i) => {
    if (seen.has(s.id)) errors.push({ path: `sentences[${i}].id`, message: `duplicate sentence id "${s.id}"` });
    seen.add(s.id);
    const fieldNames = new Set<string>();
    s.fields.forEach((f, j) => {
      if (fieldNames.has(f.name)) errors.push({ path: `sentences[${i}].fields[${j}].name`, message: `duplicate field "${f.name}"` });
      fieldNames.add(f.name);
      if (f.type === 'enum' && !f.values?.length) errors.push({ path: `sentences[${i}].fields[${j}].values`, message: 'an enum field needs "values"' });
    });
  });
  profile.points.forEach((p, i) => {
    const s = byId.get(p.sentence);
    if (!s) return errors.push({ path: `points[${i}].sentence`, message: `no sentence "${p.sentence}"` }) && undefined;
    if (s.direction !== 'in') errors.push({ path: `points[${i}].sentence`, message: `"${p.sentence}" is an output sentence; points read input sentences` });
    if (!s.fields.some((f) => f.name === p.field)) errors.push({ path: `points[${i}].field`, message: `sentence "${p.sentence}" has no field "${p.field}"` });
    return undefined;
  });
  profile.commands.forEach((c, i) => {
    const s = byId.get(c.sentence);
    if (!s) errors.push({ path: `commands[${i}].sentence`, message: `no sentence "${c.sentence}"` });
    else if (s.direction !== 'out') errors.push({ path: `commands[${i}].sentence`, message: `"${c.sentence}" is an input sentence; commands send output sentences` });
    if (c.ackSentence && byId.get(c.ackSentence)?.direction !== 'in') {
      errors.push({ path: `commands[${i}].ackSentence`, message: `no input sentence "${c.ackSentence}"` });
    }
  });
  return errors;
}
