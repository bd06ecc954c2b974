/**
 * Verify's first pass: every blob hashed once, in id order, its actual SHA-256 kept in one flat table (32 bytes per
 * blob id) so that entries need no blob reads; blobs whose bytes do not match their stored key are remembered as
 * such. Small blobs come in packed pages (store/packed-pages.ts), large ones one by one. The table can live in a
 * SharedArrayBuffer, so that several threads fill disjoint id ranges of it (verify-parallel.ts).
 */
import type { AuditBlobRow, ChainStore } from '../store/index.ts';
import { PAGE_IDS, blobPage, type BlobPage } from '../store/packed-pages.ts';
import { HASH_BYTES, hashEquals, sha256, sha256Into, type Hash } from './entry.ts';

/** Above this many blob ids the full hashes are not kept in memory (32 bytes each); blobs are re-read per entry. */
export const MAX_BLOB_TABLE = 4_000_000;

/** Sees every page of blobs as read (ids from `lo`), with the page's large blobs (a checkpoint's digest). */
export type BlobPageSink = (lo: number, small: BlobPage, large: readonly AuditBlobRow[]) => void;

export interface BadBlob {
  readonly stored: Uint8Array;
  readonly actual: Hash;
}

/** Every blob's actual SHA-256 by id. */
export interface BlobHashes {
  /** Undefined when there is no blob with that id. */
  full(id: number): Hash | undefined;
  /** When kept in memory: the table (32 bytes per id) and which ids are present, for copying without a view. */
  readonly table?: Uint8Array;
  readonly present?: Uint8Array;
  readonly bad: ReadonlyMap<number, BadBlob>;
}

/** The memory a blob table over ids 0..maxId takes (table + presence flags). */
export function blobTableBytes(maxId: number): number {
  return (maxId + 1) * (HASH_BYTES + 1);
}

/**
 * Hashes the blobs with ids in [fromId, toId] into `memory` (blobTableBytes(maxId) bytes, zeroed, possibly
 * shared), or, past MAX_BLOB_TABLE, only checks them and leaves `full` to re-read. Returns the corrupt ones.
 */
export function hashBlobs(
  store: ChainStore,
  range: { fromId: number; toId: number; maxId: number },
  memory?: ArrayBufferLike,
  sink?: BlobPageSink,
): BlobHashes {
  const bad = new Map<number, BadBlob>();
  const { fromId, toId, maxId } = range;
  const keep = maxId <= MAX_BLOB_TABLE;
  const buffer = keep ? (memory ?? new ArrayBuffer(blobTableBytes(maxId))) : undefined;
  const table = buffer && new Uint8Array(buffer, 0, (maxId + 1) * HASH_BYTES);
  const present = buffer && new Uint8Array(buffer, (maxId + 1) * HASH_BYTES, maxId + 1);
  const check = (id: number, stored: Uint8Array, bytes: Uint8Array) => {
    if (id < fromId || id > toId) return;
    if (table && present && id >= 0 && id <= maxId) {
      sha256Into(bytes, table, id * HASH_BYTES);
      present[id] = 1;
      // A small blob stores only a prefix of its hash: compare that many bytes.
      const actual = table.subarray(id * HASH_BYTES, id * HASH_BYTES + stored.length);
      if (!hashEquals(actual, stored))
        bad.set(id, { stored, actual: table.slice(id * HASH_BYTES, (id + 1) * HASH_BYTES) });
      return;
    }
    const actual = sha256(bytes);
    if (!hashEquals(actual.subarray(0, stored.length), stored)) bad.set(id, { stored, actual });
  };
  const page = blobPage(PAGE_IDS);
  // Fixed id-range pages (see PAGE_IDS): small blobs packed, then the large ones of the same range one by one.
  for (let lo = pageStart(fromId); lo <= toId; lo += PAGE_IDS) {
    const hi = Math.min(lo + PAGE_IDS - 1, toId);
    const packed = store.pages.smallBlobRange(lo, hi, page);
    const large = [...store.audit.largeBlobs(lo, hi)];
    if (packed) sink?.(lo, packed, large);
    if (packed?.plain) {
      const { n, nums } = packed;
      let h = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        const [id, hashLength, length] = [nums[i * 3]!, nums[i * 3 + 1]!, nums[i * 3 + 2]!];
        check(id, packed.hashes.subarray(h, (h += hashLength)), packed.bytes.subarray(b, (b += length)));
      }
    } else {
      // A page holding something odd: row by row, as stored.
      for (const r of store.audit.smallBlobRows(lo - 1, PAGE_IDS)) if (r.id <= hi) check(r.id, r.hash, r.bytes);
    }
    for (const r of large) check(r.id, r.hash, r.bytes);
  }
  if (table && present) {
    return {
      bad,
      table,
      present,
      full: (id) =>
        id >= 0 && id <= maxId && present[id] === 1
          ? table.subarray(id * HASH_BYTES, (id + 1) * HASH_BYTES)
          : undefined,
    };
  }
  return {
    bad,
    full: (id) => {
      const b = store.audit.blobById(id);
      return b && sha256(b.bytes);
    },
  };
}

/** Blob hashes over a table already filled (by this thread or others: a shared one), with the corrupt blobs. */
export function tableView(memory: ArrayBufferLike, maxId: number, bad: ReadonlyMap<number, BadBlob>): BlobHashes {
  const table = new Uint8Array(memory, 0, (maxId + 1) * HASH_BYTES);
  const present = new Uint8Array(memory, (maxId + 1) * HASH_BYTES, maxId + 1);
  return {
    bad,
    table,
    present,
    full: (id) =>
      id >= 0 && id <= maxId && present[id] === 1 ? table.subarray(id * HASH_BYTES, (id + 1) * HASH_BYTES) : undefined,
  };
}

/** The first id of the id-range page that holds `id`. */
export function pageStart(id: number): number {
  return Math.floor(Math.max(id - 1, 0) / PAGE_IDS) * PAGE_IDS + 1;
}

/**
 * `table` for blobs from `fromId` up; below it (an incremental verify: blobs a checkpoint vouches for, not in the
 * table) a blob's hash is computed from its bytes when an entry references it, once each.
 */
export function withOldBlobs(store: ChainStore, table: BlobHashes, fromId: number): BlobHashes {
  const old = new Map<number, Hash | undefined>();
  return {
    bad: table.bad,
    table: table.table,
    present: table.present,
    full(id) {
      if (id >= fromId) return table.full(id);
      if (!old.has(id)) {
        const b = store.audit.blobById(id);
        // Text, where someone stored text, counts as its UTF-8 bytes.
        old.set(id, b && sha256(typeof b.bytes === 'string' ? Buffer.from(b.bytes) : b.bytes));
      }
      return old.get(id);
    },
  };
}
