/**
 * Verify's first pass: every blob hashed once, in id order, its actual SHA-256 kept in one flat table (32 bytes per
 * blob id) so that entries need no blob reads; blobs whose bytes do not match their stored key are remembered as
 * such. Small blobs come in packed pages (store/packed-pages.ts), large ones one by one. The table can live in a
 * SharedArrayBuffer, so that several threads fill disjoint id ranges of it (verify-parallel.ts).
 */
import type { ChainStore } from '../store/index.ts';
import { blobPage } from '../store/packed-pages.ts';
import { HASH_BYTES, hashEquals, sha256, sha256Into, type Hash } from './entry.ts';

/** Above this many blob ids the full hashes are not kept in memory (32 bytes each); blobs are re-read per entry. */
export const MAX_BLOB_TABLE = 4_000_000;
const PAGE = 8192;

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
  const page = blobPage(PAGE);
  for (let afterId = fromId - 1; ;) {
    const packed = store.pages.smallBlobs(afterId, PAGE, page);
    if (packed) {
      const { n, nums } = packed;
      let h = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        const [id, hashLength, length] = [nums[i * 3]!, nums[i * 3 + 1]!, nums[i * 3 + 2]!];
        check(id, packed.hashes.subarray(h, (h += hashLength)), packed.bytes.subarray(b, (b += length)));
        afterId = id;
      }
      if (n < PAGE || afterId >= toId) break;
    } else {
      // A page holding something odd: row by row, as stored.
      const rows = [...store.audit.smallBlobRows(afterId, PAGE)];
      for (const r of rows) {
        check(r.id, r.hash, r.bytes);
        afterId = r.id;
      }
      if (rows.length < PAGE || afterId >= toId) break;
    }
  }
  for (const r of store.audit.largeBlobs(fromId, toId)) check(r.id, r.hash, r.bytes);
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
