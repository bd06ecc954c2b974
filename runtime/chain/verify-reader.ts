/**
 * Verification through a ChainReader, for chains that are not a local SQLite file (a node's chains in a hub:
 * `theater hub verify`, the Studio on a hub). Same checks and answers as verify-sqlite.ts (checkEntry and
 * checkBranches are shared), read a page at a time with an `await` between pages. No checkpoints: a hub keeps its
 * own proof of what it verified (runtime/hub/).
 *
 * Memory stays constant: blobs are hashed in one streaming pass (only corrupt ones are remembered), then entries
 * stream in pages with their references resolved from what was just read — no JS set of all hashes.
 */
import type { ChainReader, LeanEntryRow } from '../reader/chain-reader.ts';
import { HASH_BYTES, sha256, hashEquals, type Hash } from './entry.ts';
import type { BadBlob, BlobHashes } from './verify-blobs.ts';
import { checkEntry } from './verify-entries.ts';
import { checkBranches, failed, type VerifyOptions, type VerifyResult } from './verify-result.ts';

const PAGE = 8192;
const PROGRESS_EVERY = 4096;
/** Above this many blob ids the full hashes are not kept in memory (32 bytes each); blobs are re-read per page. */
const MAX_BLOB_TABLE = 4_000_000;

/**
 * Verifies one snapshot of the chain: what writers commit meanwhile is not seen, not even in part (on a hub, the
 * entry id bound below).
 */
export async function verifyReader(store: ChainReader, opts: VerifyOptions = {}): Promise<VerifyResult> {
  return store.snapshot(() => verifySnapshot(store, opts));
}

async function verifySnapshot(store: ChainReader, opts: VerifyOptions): Promise<VerifyResult> {
  const total = await store.countEntries(opts.actor);
  // Entries up to this id were committed before the blob pass starts, and with them every blob they reference: a
  // writer appending meanwhile (a node shipping to the hub, where there is no snapshot) cannot make one look like
  // it is missing.
  const last = await store.audit.lastEntryId(opts.actor);
  const blobs = await hashBlobs(store);
  let count = 0;
  // Checking a single actor: it must exist, or "ok, 0 entries" would hide a typo.
  if (opts.actor !== undefined && (await store.audit.actorId(opts.actor)) === undefined) {
    return failed(0, null, `no actor ${opts.actor} in ${store.source}`);
  }
  // Entries stream in id order without joins; parents are resolved from the rows just read (normally the previous
  // entry of the same actor), blobs from the hashes computed in the blob pass, names from two tiny tables.
  const actors = await store.audit.actorNames();
  const fns = await store.audit.fnNames();
  const lastOf = new Map<number, ParentInfo>();
  let afterId = 0;
  for (;;) {
    const read = await store.audit.leanEntries(opts.actor, afterId, PAGE);
    const page = read.length > 0 && read[read.length - 1]![0] > last ? read.filter((r) => r[0] <= last) : read;
    await blobs.prepare(page);
    for (const row of page) {
      const [id, hash, parentId, actorId, seq, kind, fnId, inputId, outputId, stateId, cause, origin] = row;
      afterId = id;
      let parent: ParentInfo | undefined;
      if (parentId !== null) {
        const prev = lastOf.get(actorId);
        parent = prev && prev.id === parentId ? prev : await lookupParent(store, parentId);
      }
      const names = fns.get(fnId);
      const reason = checkEntry(
        {
          id,
          hash,
          parentId,
          parent: parent?.hash ?? null,
          parentSeq: parent?.seq ?? null,
          parentActorId: parent?.actorId ?? null,
          actorId,
          actor: actors.get(actorId) ?? null,
          seq,
          kind,
          fnId,
          iface: names?.iface ?? null,
          fn: names?.fn ?? null,
          inputId,
          outputId,
          stateId,
          cause,
          origin,
        },
        blobs,
      );
      if (reason) return failed(count, hash, reason);
      lastOf.set(actorId, { id, hash, seq, actorId });
      count++;
      if (count % PROGRESS_EVERY === 0) opts.onProgress?.(count, total);
    }
    if (page.length < PAGE) break;
  }
  opts.onProgress?.(count, count);
  const branches = await store.audit.branches(opts.actor);
  const owners = blobs.bad.size > 0 ? new Map((await store.actors()).map((a) => [a.component, a.id])) : new Map();
  return checkBranches(branches, [...blobs.bad.values()], () => owners, opts.actor, count, store.audit.sharedBlobs);
}

interface ParentInfo {
  readonly id: number;
  readonly hash: Uint8Array;
  readonly seq: number;
  readonly actorId: number;
}

async function lookupParent(store: ChainReader, id: number): Promise<ParentInfo | undefined> {
  const r = await store.audit.entryById(id);
  return r && { id, ...r };
}

/** BlobHashes whose `full` answers for the blobs of the rows last prepared (past MAX_BLOB_TABLE: read per page). */
interface PagedBlobHashes extends BlobHashes {
  prepare(rows: readonly LeanEntryRow[]): Promise<void>;
}

/**
 * One streaming pass hashes every blob; only the corrupt ones are remembered as such. The actual hashes are kept in
 * one flat table (32 bytes per blob id) so entries need no blob joins; past MAX_BLOB_TABLE they are recomputed
 * per page of entries instead (constant memory, slower).
 */
async function hashBlobs(store: ChainReader): Promise<PagedBlobHashes> {
  const bad = new Map<number, BadBlob>();
  const max = await store.audit.maxBlobId();
  const keep = max <= MAX_BLOB_TABLE;
  const table = keep ? Buffer.alloc((max + 1) * HASH_BYTES) : undefined;
  const present = keep ? new Uint8Array(max + 1) : undefined;
  for await (const page of store.audit.blobs()) {
    for (const b of page) {
      // A small blob stores only a prefix of its hash: compare that many bytes.
      const actual = sha256(b.bytes);
      if (!hashEquals(actual.subarray(0, b.hash.length), b.hash)) bad.set(b.id, { stored: b.hash, actual });
      if (table && present && b.id >= 0 && b.id <= max) {
        table.set(actual, b.id * HASH_BYTES);
        present[b.id] = 1;
      }
    }
  }
  if (table && present) {
    return {
      bad,
      prepare: async () => {},
      full: (id) =>
        id >= 0 && id <= max && present[id] === 1 ? table.subarray(id * HASH_BYTES, (id + 1) * HASH_BYTES) : undefined,
    };
  }
  let page = new Map<number, Hash>();
  return {
    bad,
    prepare: async (rows) => {
      page = new Map();
      for (const r of rows) {
        for (const id of [r[7], r[8], r[9]]) {
          if (id === null || page.has(id)) continue;
          const b = await store.audit.blobById(id);
          if (b) page.set(id, sha256(b.bytes));
        }
      }
    },
    full: (id) => page.get(id),
  };
}
