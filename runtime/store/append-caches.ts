/**
 * The write path's in-memory lookups, keyed by numbers read straight from the bytes (append.ts). A string key per
 * blob (one character per hash byte) cost the writer thread ~10 µs per recorded message in allocations and
 * hashing of strings; these cost a few multiplications. Every hit is confirmed against the full bytes, so a key
 * shared by two hashes can only cost a miss, never a wrong id.
 */

/** Recent blob ids by hash: two generations of GENERATION each; when the young one is full it becomes the old. */
const GENERATION = 32_768;

interface BlobSlot {
  readonly hash: Uint8Array;
  readonly id: number;
}

export class BlobCache {
  private young = new Map<number, BlobSlot>();
  private old = new Map<number, BlobSlot>();

  /** The id of the blob whose hash is the 32 bytes of `bytes` at `at`, if cached. */
  get(bytes: Uint8Array, at: number): number | undefined {
    const key = prefix48(bytes, at);
    const y = this.young.get(key);
    if (y && sameBytes(y.hash, 0, bytes, at)) return y.id;
    const o = this.old.get(key);
    if (o && sameBytes(o.hash, 0, bytes, at)) {
      this.put(key, o);
      return o.id;
    }
    return undefined;
  }

  set(bytes: Uint8Array, at: number, id: number): void {
    this.put(prefix48(bytes, at), { hash: bytes.slice(at, at + 32), id });
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  private put(key: number, slot: BlobSlot): void {
    if (this.young.size >= GENERATION) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, slot);
  }
}

/** Ids by a short byte string (the wire form's interface + function names): FNV-1a of the bytes, confirmed. */
export class NameCache {
  private readonly map = new Map<number, { readonly bytes: Uint8Array; readonly id: number }>();

  get(bytes: Uint8Array, from: number, to: number): number | undefined {
    const hit = this.map.get(fnv(bytes, from, to));
    return hit && hit.bytes.length === to - from && sameBytes(hit.bytes, 0, bytes, from, to - from)
      ? hit.id
      : undefined;
  }

  set(bytes: Uint8Array, from: number, to: number, id: number): void {
    if (this.map.size < 4096) this.map.set(fnv(bytes, from, to), { bytes: bytes.slice(from, to), id });
  }

  clear(): void {
    this.map.clear();
  }
}

/** Whether `n` bytes (a hash: 32) of `a` at `aAt` equal those of `b` at `bAt`. */
export function sameBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, n = 32): boolean {
  for (let i = 0; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/** The first 6 bytes as a number (exact: 48 bits). */
function prefix48(b: Uint8Array, at: number): number {
  const low = ((b[at + 2]! << 24) | (b[at + 3]! << 16) | (b[at + 4]! << 8) | b[at + 5]!) >>> 0;
  return b[at]! * 2 ** 40 + b[at + 1]! * 2 ** 32 + low;
}

function fnv(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
