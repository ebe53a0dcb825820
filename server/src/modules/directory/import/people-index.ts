/**
 * Compact building blocks of the grouped import's first-pass index (partition.ts): an académie has millions of
 * people, so the index keeps numbers in typed arrays instead of an object, a string and a map entry per person
 * (314 bytes each before, 34 now; see docs/PERFORMANCE.md "The import at académie scale").
 */

/** A growable array of 32-bit integers. */
export class IntList {
  private a: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.a = new Int32Array(capacity);
  }
  push(v: number): number {
    if (this.length === this.a.length) this.a = grown(this.a, this.length + 1);
    this.a[this.length] = v;
    return this.length++;
  }
  get(i: number): number {
    return this.a[i]!;
  }
  /** The values, in a buffer of their exact size. */
  trim(): Int32Array {
    this.a = this.a.slice(0, this.length);
    return this.a;
  }
}

/** A copy of `a`, large enough for `need` elements (by half again: less slack than doubling). */
export function grown<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, Math.ceil(a.length * 1.5), 16));
  b.set(a);
  return b;
}

/** FNV-1a over bytes. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 16777619);
  return h >>> 0;
}

/**
 * Strings interned as numbers 0…size-1, in order of first sight: their UTF-8 bytes end to end in one buffer,
 * found through an open-addressed table of numbers. About 10 bytes per string plus the string's own bytes
 * (a JavaScript `Map<string, …>` costs 60 to 100 per entry).
 */
export class KeyTable {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** Where each key's bytes start; the next one's start is its end. */
  private starts = new Uint32Array(1025);
  /** Index + 1 of the key in each slot, 0 when the slot is free; a power of two, at most 3/4 full. */
  private slots = new Int32Array(2048);
  private scratch = Buffer.allocUnsafe(256);
  size = 0;

  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  private same(i: number, len: number): boolean {
    const start = this.starts[i]!;
    if (this.starts[i + 1]! - start !== len) return false;
    const b = this.bytes;
    const s = this.scratch;
    for (let j = 0; j < len; j++) if (b[start + j] !== s[j]) return false;
    return true;
  }

  /** The slot of the key just encoded (`len` bytes in scratch): its own, or the free one where it would go. */
  private slot(len: number): number {
    const mask = this.slots.length - 1;
    let at = hashBytes(this.scratch, 0, len) & mask;
    for (;;) {
      const v = this.slots[at]!;
      if (v === 0 || this.same(v - 1, len)) return at;
      at = (at + 1) & mask;
    }
  }

  /** The key's number, or -1. */
  find(key: string): number {
    return this.slots[this.slot(this.encode(key))]! - 1;
  }

  /** The key's number, given on first sight. */
  intern(key: string): number {
    const len = this.encode(key);
    const at = this.slot(len);
    const known = this.slots[at]!;
    if (known) return known - 1;
    const i = this.size++;
    if (this.used + len > this.bytes.length) {
      const b = Buffer.allocUnsafe(Math.max(this.used + len, Math.ceil(this.bytes.length * 1.5)));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.scratch.copy(this.bytes, this.used, 0, len);
    this.used += len;
    if (i + 2 > this.starts.length) this.starts = grown(this.starts, i + 2);
    this.starts[i + 1] = this.used;
    // The new key is in `starts`: a rehash places it with the others.
    if (this.size * 4 > this.slots.length * 3) this.rehash();
    else this.slots[at] = i + 1;
    return i;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.size; i++) {
      let at = hashBytes(this.bytes, this.starts[i]!, this.starts[i + 1]!) & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = i + 1;
    }
    this.slots = slots;
  }

  key(i: number): string {
    return this.bytes.toString('utf8', this.starts[i]!, this.starts[i + 1]!);
  }

  /** Drops the slack of the buffers once every key is in (lookups keep working). */
  trim(): void {
    const b = Buffer.allocUnsafe(this.used);
    this.bytes.copy(b, 0, 0, this.used);
    this.bytes = b;
    this.starts = this.starts.slice(0, this.size + 1);
  }
}
