/**
 * InfluxDB line protocol (1.x, precision ms): `measurement,tag=v,… field=v,… timestamp`.
 *
 * Escaping per the spec: in measurements `,` and space; in tag keys, tag values and field keys `,`, `=`
 * and space; in string field values `"` and `\`. Tag values cannot hold a line break, nor end in `\`
 * (it would escape the separator that follows): such points are refused before encoding (pointProblem in port.ts).
 *
 * Tags: gw, device, point, quality, and unit when not empty (all constant per series, so no extra
 * cardinality). Fields: `value` (float; booleans as 1/0) or `text` (string), or `missing=true` for a
 * null value; plus `reason` and `detail` strings for readings that are not good.
 */
import type { SeriesPoint } from './port.js';

export function escapeMeasurement(s: string): string {
  return s.replace(/[, ]/g, (c) => `\\${c}`);
}

export function escapeTag(s: string): string {
  return s.replace(/[,= ]/g, (c) => `\\${c}`);
}

export function escapeFieldKey(s: string): string {
  return escapeTag(s);
}

export function escapeStringField(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function formatFloat(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`line protocol cannot carry ${n}`);
  return Object.is(n, -0) ? '0' : String(n);
}

export function encodePoint(measurement: string, p: SeriesPoint): string {
  let line = `${escapeMeasurement(measurement)},device=${escapeTag(p.device)},gw=${escapeTag(p.gw)},point=${escapeTag(p.point)},quality=${p.quality}`;
  if (p.unit) line += `,unit=${escapeTag(p.unit)}`;
  const fields: string[] = [];
  if (typeof p.value === 'number') fields.push(`value=${formatFloat(p.value)}`);
  else if (typeof p.value === 'boolean') fields.push(`value=${p.value ? 1 : 0}`);
  else if (typeof p.value === 'string') fields.push(`text=${escapeStringField(p.value)}`);
  else fields.push('missing=true');
  if (p.reason) fields.push(`reason=${escapeStringField(p.reason)}`);
  if (p.detail) fields.push(`detail=${escapeStringField(p.detail)}`);
  return `${line} ${fields.join(',')} ${Math.trunc(p.ts)}`;
}

/** InfluxQL string literal: single quotes, with `\` and `'` escaped. */
export function influxqlString(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** InfluxQL identifier: double quotes, with `\` and `"` escaped. */
export function influxqlIdent(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
