/**
 * Firmware profile schema: what a device model *is* (transport, points, alarms, simulator physics).
 * One JSON file per model lives in `firmware-profiles/`; drivers, simulators, the UI and the docs
 * all read the same file through this schema. Which device sits on which port is gateway config,
 * never profile data.
 */
import { z } from 'zod';

export const PROFILE_FORMAT = 'quayside.firmware-profile/1';

/** Units a profile may use. Extend deliberately: the catalogue check rejects anything else. */
export const UNITS = [
  'm', 'mm', 'cm', 'degC', 'kPa', 'Pa', 'bar', 'kg/m3', 't/m3', 'PSU', 'mS/cm', 'V', '%', 's', 'ms', 'count', '',
] as const;
export const unitSchema = z.enum(UNITS);

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case: a letter, then letters, digits or _');
const modelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-kebab-case, e.g. "qs-dg200-rtu"');

export const localizedText = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

export const serialSettingsSchema = z
  .object({
    baudRate: z.number().int().positive(),
    dataBits: z.union([z.literal(7), z.literal(8)]),
    parity: z.enum(['none', 'even', 'odd']),
    stopBits: z.union([z.literal(1), z.literal(2)]),
  })
  .strict();
export type SerialSettings = z.infer<typeof serialSettingsSchema>;

export const rangeSchema = z
  .object({ min: z.number(), max: z.number() })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'range.min must not exceed range.max' });

/** Modbus register tables, by the function code that reads them. */
export const REGISTER_TABLES = {
  coil: { read: 1, writeSingle: 5, writeMultiple: 15, bits: true },
  discrete: { read: 2, bits: true },
  holding: { read: 3, writeSingle: 6, writeMultiple: 16, bits: false },
  input: { read: 4, bits: false },
} as const;
export type RegisterTable = keyof typeof REGISTER_TABLES;

/** Numeric data types with their size in 16-bit registers. */
export const DATA_TYPES = { int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2 } as const;
export type NumericDataType = keyof typeof DATA_TYPES;

const pointCommon = {
  name: identifier,
  label: localizedText,
  unit: unitSchema,
  description: localizedText.optional(),
  /** Valid engineering range; a value outside it is stored with quality `bad`, reason `out_of_range`. */
  range: rangeSchema.optional(),
  /** Readings that do not change for this long are flagged `uncertain`, reason `stale` (a stuck sensor). */
  stuckAfterS: z.number().positive().optional(),
  /** Decimals worth showing in the UI (and the resolution the sensor really has). */
  decimals: z.number().int().min(0).max(9).optional(),
};

/** A numeric Modbus point: raw register value × scale + offset = engineering value. */
export const modbusNumericPointSchema = z
  .object({
    ...pointCommon,
    table: z.enum(['holding', 'input']),
    address: z.number().int().min(0).max(65535),
    type: z.enum(['int16', 'uint16', 'int32', 'uint32', 'float32']),
    /** Byte order inside each 16-bit register ("big" = Modbus standard, high byte first). */
    byteOrder: z.enum(['big', 'little']).default('big'),
    /** For 32-bit types: "big" = the register at `address` holds the high word. */
    wordOrder: z.enum(['big', 'little']).default('big'),
    scale: z.number().refine((s) => s !== 0, 'scale must not be 0').default(1),
    offset: z.number().default(0),
    writable: z.boolean().default(false),
    /** Read the register back after a write and compare (confirmation). */
    readBack: z.boolean().default(true),
  })
  .strict();

/** One bit of a register or a coil/discrete input; `bit` selects a bit of a holding/input register. */
export const modbusBitPointSchema = z
  .object({
    ...pointCommon,
    table: z.enum(['coil', 'discrete', 'holding', 'input']),
    address: z.number().int().min(0).max(65535),
    type: z.literal('bool'),
    bit: z.number().int().min(0).max(15).optional(),
    writable: z.boolean().default(false),
    readBack: z.boolean().default(true),
  })
  .strict()
  .refine((p) => (p.table === 'holding' || p.table === 'input' ? p.bit !== undefined : p.bit === undefined), {
    message: 'a bool point on a register table needs "bit"; on coil/discrete it must not have one',
    path: ['bit'],
  });

/** Text packed into consecutive holding registers (LED lines, terminal text). */
export const modbusStringPointSchema = z
  .object({
    ...pointCommon,
    table: z.literal('holding'),
    address: z.number().int().min(0).max(65535),
    type: z.literal('string'),
    /** utf16be: one UTF-16 code unit per register (CJK-safe); ascii: two bytes per register. */
    encoding: z.enum(['utf16be', 'ascii']),
    lengthRegisters: z.number().int().min(1).max(123),
    writable: z.boolean().default(false),
    readBack: z.boolean().default(true),
  })
  .strict();

/**
 * A Modbus point, chosen by its `type` so that a mistake is reported on the field at fault
 * (a plain union would only say "invalid input" for the whole point).
 */
export const modbusPointSchema = z.custom<unknown>().transform((input, ctx) => {
  const type = (input as { type?: unknown } | null)?.type;
  const schema = type === 'bool' ? modbusBitPointSchema : type === 'string' ? modbusStringPointSchema : modbusNumericPointSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return parsed.data as ModbusNumericPoint | ModbusBitPoint | ModbusStringPoint;
});
export type ModbusNumericPoint = z.infer<typeof modbusNumericPointSchema>;
export type ModbusBitPoint = z.infer<typeof modbusBitPointSchema>;
export type ModbusStringPoint = z.infer<typeof modbusStringPointSchema>;
export type ModbusPoint = ModbusNumericPoint | ModbusBitPoint | ModbusStringPoint;

/**
 * Line-protocol sentences (NMEA-0183 style): `$` + talker+id + `,` + fields + `*hh` + CR LF, where hh is
 * the XOR of every byte between `$` and `*`, in upper-case hex.
 */
export const sentenceFieldSchema = z
  .object({
    name: identifier,
    type: z.enum(['number', 'integer', 'text', 'enum']),
    /** For enum fields: the allowed tokens. */
    values: z.array(z.string().min(1)).optional(),
    /** For text fields: maximum length in characters. */
    maxLength: z.number().int().positive().optional(),
  })
  .strict();

export const sentenceSchema = z
  .object({
    /** Sentence identifier after `$`, e.g. "QSDFT". */
    id: z.string().regex(/^[A-Z][A-Z0-9]{2,7}$/, 'sentence ids are 3–8 upper-case letters/digits'),
    direction: z.enum(['in', 'out']),
    description: localizedText,
    fields: z.array(sentenceFieldSchema).min(1),
  })
  .strict();
export type SentenceDef = z.infer<typeof sentenceSchema>;

/** A numeric point carried by an incoming sentence field. */
export const sentencePointSchema = z
  .object({
    ...pointCommon,
    sentence: z.string(),
    field: identifier,
    type: z.enum(['number', 'integer', 'text', 'enum']),
    scale: z.number().refine((s) => s !== 0, 'scale must not be 0').default(1),
    offset: z.number().default(0),
  })
  .strict();
export type SentencePoint = z.infer<typeof sentencePointSchema>;

/** An output command of a line-protocol device: fills an outgoing sentence's fields from arguments. */
export const sentenceCommandSchema = z
  .object({
    name: identifier,
    label: localizedText,
    sentence: z.string(),
    /** Sentence id the device answers with to confirm (optional). */
    ackSentence: z.string().optional(),
    ackTimeoutMs: z.number().int().positive().default(1000),
  })
  .strict();
export type SentenceCommand = z.infer<typeof sentenceCommandSchema>;

const modbusCommon = {
  defaultUnitId: z.number().int().min(1).max(247).default(1),
  responseTimeoutMs: z.number().int().min(10).max(10000).default(500),
  retries: z.number().int().min(0).max(5).default(2),
  /** Largest register block one read request may cover (Modbus allows 125). */
  maxBlockRegisters: z.number().int().min(1).max(125).default(125),
};

export const modbusRtuTransportSchema = z
  .object({ type: z.literal('modbus-rtu'), serial: serialSettingsSchema, ...modbusCommon })
  .strict();
export const modbusTcpTransportSchema = z
  .object({ type: z.literal('modbus-tcp'), defaultPort: z.number().int().min(1).max(65535).default(502), ...modbusCommon })
  .strict();
export const serialLineTransportSchema = z
  .object({
    type: z.literal('serial-line'),
    serial: serialSettingsSchema,
    framing: z.literal('nmea0183'),
    /** A device that streams: no sentence for this long marks it offline. */
    silenceTimeoutMs: z.number().int().positive().default(3000),
  })
  .strict();

export const alarmSchema = z
  .object({
    point: identifier,
    above: z.number().optional(),
    below: z.number().optional(),
    /** Value must come back inside by this margin before the alarm clears. */
    hysteresis: z.number().min(0).default(0),
    severity: z.enum(['info', 'warning', 'critical']),
    message: localizedText,
  })
  .strict()
  .refine((a) => a.above !== undefined || a.below !== undefined, { message: 'an alarm needs "above" or "below"' });
export type AlarmDef = z.infer<typeof alarmSchema>;

/**
 * The physics a simulator follows: a model name implemented in edge/simulators/physics, its
 * parameters, and which model signal feeds each point.
 */
export const simulationSchema = z
  .object({
    model: z.enum(['vessel-drafts', 'ballast-tank', 'seawater', 'queue-terminal', 'led-display']),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
    /** point name → model signal name */
    bindings: z.record(z.string(), z.string()).default({}),
    /** Streaming devices: seconds between sentences. */
    periodS: z.number().positive().optional(),
  })
  .strict();
export type SimulationDef = z.infer<typeof simulationSchema>;

const profileCommon = {
  format: z.literal(PROFILE_FORMAT),
  /** Version of this profile file; bump on any change a gateway must notice. */
  version: z.number().int().min(1),
  model: modelId,
  manufacturer: z.string().min(1),
  kind: z.enum(['draft-gauge', 'ballast-level-meter', 'density-monitor', 'queue-terminal', 'led-display']),
  name: localizedText,
  description: localizedText,
  pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
  alarms: z.array(alarmSchema).default([]),
  simulation: simulationSchema,
};

export const modbusProfileSchema = z
  .object({
    ...profileCommon,
    transport: z.union([modbusRtuTransportSchema, modbusTcpTransportSchema]),
    points: z.array(modbusPointSchema).min(1),
  })
  .strict();

export const sentenceProfileSchema = z
  .object({
    ...profileCommon,
    transport: serialLineTransportSchema,
    sentences: z.array(sentenceSchema).min(1),
    points: z.array(sentencePointSchema).default([]),
    commands: z.array(sentenceCommandSchema).default([]),
  })
  .strict();

/** A profile, chosen by `transport.type` so that errors name the field at fault. */
export const firmwareProfileSchema = z.custom<unknown>().transform((input, ctx) => {
  const type = (input as { transport?: { type?: unknown } } | null)?.transport?.type;
  if (type !== 'modbus-rtu' && type !== 'modbus-tcp' && type !== 'serial-line') {
    ctx.addIssue({ code: 'custom', path: ['transport', 'type'], message: 'transport.type must be "modbus-rtu", "modbus-tcp" or "serial-line"' });
    return z.NEVER;
  }
  const schema = type === 'serial-line' ? sentenceProfileSchema : modbusProfileSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return parsed.data as ModbusProfile | SentenceProfile;
});
export type ModbusProfile = z.infer<typeof modbusProfileSchema>;
export type SentenceProfile = z.infer<typeof sentenceProfileSchema>;
export type FirmwareProfile = ModbusProfile | SentenceProfile;
export type ModbusTransportDef = ModbusProfile['transport'];

export function isModbusProfile(p: FirmwareProfile): p is ModbusProfile {
  return p.transport.type === 'modbus-rtu' || p.transport.type === 'modbus-tcp';
}
