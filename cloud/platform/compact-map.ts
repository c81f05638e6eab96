/**
 * An exact map from text keys to text values whose entries live outside the JavaScript heap: UTF-8
 * bytes in one growing buffer, found through an open-addressing index in a typed array. A run keeps
 * one entry per distinct key (dedupe's keys, the landing's keys) for its whole length; as a Map those
 * would be millions of small heap objects that the garbage collector must walk again and again and
 * lets the heap grow to a multiple of. Here they are a few large buffers, about the size of the text.
 */
export class CompactStringMap {
  private data = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** entry offset + 1 in data; 0 empty */
  private slots = new Int32Array(1 << 12);
  private count = 0;
  private scratch = Buffer.allocUnsafe(1024);

  get size(): number {
    return this.count;
  }

  // The key last looked up, its length in scratch and its slot: a set right after a get of the same
  // key (the usual pattern) skips encoding and probing again.
  private lastKey: string | null = null;
  private lastLen = 0;
  private lastSlot = 0;

  get(key: string): string | undefined {
    const e = this.slots[this.lookup(key)]!;
    if (e === 0) return undefined;
    const off = e - 1;
    const start = off + 8 + this.data.readUInt32LE(off);
    return this.data.toString('utf8', start, start + this.data.readUInt32LE(off + 4));
  }

  has(key: string): boolean {
    return this.slots[this.lookup(key)] !== 0;
  }

  set(key: string, value: string): void {
    const at = this.lookup(key);
    const len = this.lastLen;
    this.lastKey = null; // the slots may move (grow)
    const fresh = this.slots[at] === 0;
    // an entry is [key length][value length][key][value]; a new value for a key is a new entry
    const vlen = Buffer.byteLength(value, 'utf8');
    const need = this.used + 8 + len + vlen;
    if (need > this.data.length) {
      if (need >= 2 ** 31) throw new Error('CompactStringMap: more than 2 GiB of keys and values');
      const bigger = Buffer.allocUnsafe(Math.min(2 ** 31, Math.max(need, this.data.length * 2)));
      this.data.copy(bigger, 0, 0, this.used);
      this.data = bigger;
    }
    const off = this.used;
    this.data.writeUInt32LE(len, off);
    this.data.writeUInt32LE(vlen, off + 4);
    this.scratch.copy(this.data, off + 8, 0, len);
    if (vlen) this.data.write(value, off + 8 + len, vlen, 'utf8');
    this.used = need;
    this.slots[at] = off + 1;
    if (fresh && ++this.count * 2 > this.slots.length) this.grow();
  }

  /** The key's slot (see find), its bytes left in scratch. */
  private lookup(key: string): number {
    if (key !== this.lastKey) {
      this.lastLen = this.encode(key);
      this.lastSlot = this.find(this.lastLen);
      this.lastKey = key;
    }
    return this.lastSlot;
  }

  /** Writes the key's UTF-8 bytes to scratch; their length. */
  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  /** The slot of the key in scratch: its entry's, or the empty one where it would go. */
  private find(len: number): number {
    const mask = this.slots.length - 1;
    const s = this.scratch;
    const d = this.data;
    for (let i = hashBytes(s, 0, len) & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i]!;
      if (e === 0) return i;
      const off = e - 1;
      if (d.readUInt32LE(off) !== len) continue;
      let j = 0;
      const k = off + 8;
      while (j < len && d[k + j] === s[j]) j++;
      if (j === len) return i;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const e of old) {
      if (e === 0) continue;
      const off = e - 1;
      let i = hashBytes(this.data, off + 8, this.data.readUInt32LE(off)) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = e;
    }
  }
}

/** FNV-1a over bytes. */
function hashBytes(b: Buffer, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + len; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
