/**
 * The few DER (ASN.1) pieces SM2 keys and signatures need: INTEGER, OCTET STRING, BIT STRING,
 * OBJECT IDENTIFIER, SEQUENCE and context tags [0]/[1]. Strict: definite minimal lengths only.
 * Malformed input throws CryptoFormatError.
 */

/** Malformed key, signature or encoding handed to a crypto parser. */
export class CryptoFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CryptoFormatError';
  }
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256);
  return Uint8Array.of(0x80 | out.length, ...out);
}

export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(tag), encodeLength(value.length), value]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

/** A non-negative INTEGER in minimal two's-complement form. */
export function integer(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('negative INTEGER not supported');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let body = Buffer.from(hex, 'hex');
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Uint8Array.of(0), body]);
  return tlv(TAG.INTEGER, body);
}

export function octetString(value: Uint8Array): Buffer {
  return tlv(TAG.OCTET_STRING, value);
}

/** BIT STRING with no unused bits. */
export function bitString(value: Uint8Array): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Uint8Array.of(0), value]));
}

/** OBJECT IDENTIFIER from its dotted form, e.g. "1.2.156.10197.1.301". */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`);
  const body: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [];
    let n = arc;
    do {
      chunk.unshift(Number(n & 0x7fn));
      n >>= 7n;
    } while (n > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = chunk[i]! | 0x80;
    body.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(body));
}

export interface Node {
  tag: number;
  value: Buffer;
  /** Offset just past this element. */
  end: number;
}

/** Reads one element at `offset`. */
export function readNode(der: Buffer, offset: number, what: string): Node {
  const tag = der[offset];
  let lenByte = der[offset + 1];
  if (tag === undefined || lenByte === undefined) throw new CryptoFormatError(`${what}: truncated DER`);
  let pos = offset + 2;
  let length = lenByte;
  if (lenByte & 0x80) {
    const count = lenByte & 0x7f;
    if (count === 0 || count > 4) throw new CryptoFormatError(`${what}: unsupported DER length form`);
    length = 0;
    for (let i = 0; i < count; i++) {
      lenByte = der[pos++];
      if (lenByte === undefined) throw new CryptoFormatError(`${what}: truncated DER length`);
      length = length * 256 + lenByte;
    }
    if (length < 0x80 || (count > 1 && der[offset + 2] === 0)) throw new CryptoFormatError(`${what}: non-minimal DER length`);
  }
  const end = pos + length;
  if (end > der.length) throw new CryptoFormatError(`${what}: DER element runs past the end of the input`);
  return { tag, value: der.subarray(pos, end), end };
}

/** The children of a constructed element's value. */
export function children(value: Buffer, what: string): Node[] {
  const out: Node[] = [];
  let offset = 0;
  while (offset < value.length) {
    const node = readNode(value, offset, what);
    out.push(node);
    offset = node.end;
  }
  return out;
}

export function expectTag(node: Node | undefined, tag: number, what: string): Node {
  if (!node) throw new CryptoFormatError(`${what}: missing element`);
  if (node.tag !== tag) throw new CryptoFormatError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** A strict DER INTEGER value (minimal, non-negative) → bigint. */
export function readUnsignedInteger(node: Node | undefined, what: string): bigint {
  const value = expectTag(node, TAG.INTEGER, what).value;
  if (value.length === 0) throw new CryptoFormatError(`${what}: empty INTEGER`);
  if ((value[0] ?? 0) & 0x80) throw new CryptoFormatError(`${what}: negative INTEGER`);
  if (value.length > 1 && value[0] === 0 && !((value[1] ?? 0) & 0x80)) throw new CryptoFormatError(`${what}: non-minimal INTEGER`);
  return BigInt(`0x${value.toString('hex')}`);
}

/** Wraps DER in PEM armour with 64-character lines. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block, and its label. */
export function fromPem(pem: string): { label: string; der: Buffer } {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) throw new CryptoFormatError('not a PEM block');
  const body = (match[2] ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new CryptoFormatError('PEM body is not base64');
  return { label: match[1] ?? '', der: Buffer.from(body, 'base64') };
}
