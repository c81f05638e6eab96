/**
 * Canonical JSON for signing: object keys sorted by UTF-16 code units (as Array.prototype.sort
 * compares strings), no whitespace, strings and numbers exactly as JSON.stringify prints them
 * (shortest round-trip digits, -0 as 0). For the JSON values a survey record holds this matches
 * RFC 8785 (JCS). Two parties who hold the same data produce the same bytes, so an SM3 hash or an
 * SM2 signature over them can be checked later.
 *
 * Refused, because they have no faithful JSON form: non-finite numbers, BigInt, functions,
 * symbols, undefined inside arrays, and cycles. Properties whose value is undefined are left out
 * (as JSON.stringify does); objects with toJSON (Date) are replaced by what it returns.
 */

export class CanonicalJsonError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

/** UTF-8 bytes of the canonical JSON: what is hashed and signed. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function write(value: unknown, path: string, stack: Set<object>): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (stack.has(value)) throw new CanonicalJsonError(path, 'cyclic structure');
      stack.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((item, i) => {
          if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined inside an array');
          return write(item, `${path}[${i}]`, stack);
        }).join(',')}]`;
      } else {
        const entries = Object.keys(value)
          .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key], `${path}.${key}`, stack)}`);
        out = `{${entries.join(',')}}`;
      }
      stack.delete(value);
      return out;
    }
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} has no JSON form`);
  }
}
