/**
 * The write path's in-memory lookups, keyed by numbers read straight from the bytes (append.ts). A string key per
 * blob (one character per hash byte) cost the writer thread ~10 µs per recorded message in allocations and
 * hashing of strings; these cost a few operations. Every hit is confirmed against the full bytes, so two hashes
 * that share a slot can only cost a miss, never a wrong id.
 */

/**
 * Recent blob ids by hash: a direct-mapped table in typed arrays (a slot per key, the newest blob wins it). Being
 * allocation-free matters: a Map of objects holding tens of thousands of blobs that turn over constantly fed the
 * old generation garbage, and the collector's threads cost more than the cache saved.
 */
const SLOTS = 1 << 15;

export class BlobCache {
  private readonly hashes = new Uint8Array(SLOTS * 32);
  /** Row id per slot; 0: empty (row ids start at 1). */
  private readonly ids = new Float64Array(SLOTS);

  /** The id of the blob whose hash is the 32 bytes of `bytes` at `at`, if cached. */
  get(bytes: Uint8Array, at: number): number | undefined {
    const slot = slotOf(bytes, at);
    const id = this.ids[slot]!;
    return id !== 0 && sameBytes(this.hashes, slot * 32, bytes, at) ? id : undefined;
  }

  set(bytes: Uint8Array, at: number, id: number): void {
    const slot = slotOf(bytes, at);
    this.hashes.set(bytes.subarray(at, at + 32), slot * 32);
    this.ids[slot] = id;
  }

  clear(): void {
    this.ids.fill(0);
  }
}

/** A hash's slot: its first bytes are already uniformly distributed. */
function slotOf(b: Uint8Array, at: number): number {
  return ((b[at]! << 8) | b[at + 1]!) & (SLOTS - 1);
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

function fnv(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
