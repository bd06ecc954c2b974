/**
 * Verification of a SQLite chain store: every entry hash is recomputed from its stored fields, every link and blob is
 * checked, and the first problem (in insertion order) is reported as data. Prints nothing.
 *
 * Two passes, both reading the tables sequentially in large packed pages: every blob hashed once into a flat table
 * (verify-blobs.ts), then every entry checked against it (verify-entries.ts). Memory stays bounded: the table is 33
 * bytes per blob id (past MAX_BLOB_TABLE ids blobs are re-read per entry instead), pages are reused.
 * verify-parallel.ts runs the same passes on several threads; verify-checkpoint.ts verifies only what is new since
 * a checked checkpoint.
 */
import { ChainStore } from '../store/index.ts';
import { probeLease } from '../store/writer-lease.ts';
import { toHex } from './entry.ts';
import { hashBlobs, type BadBlob } from './verify-blobs.ts';
import { StoreDigest, blobsAfter, checkCheckpoint, entriesAfter, sealOf } from './verify-checkpoint.ts';
import { verifyEntries } from './verify-entries.ts';
import { checkBranches, failed, type VerifyOptions, type VerifyResult } from './verify-result.ts';

/**
 * Verifies one snapshot of a SQLite store (one read transaction): what writers commit meanwhile is not seen, not
 * even in part. Synchronous: callers that must stay responsive run it on a worker (verify-job.ts).
 */
export function verifySqlite(store: ChainStore, opts: VerifyOptions = {}): VerifyResult {
  return store.snapshot(() => verifySnapshot(store, opts));
}

function verifySnapshot(store: ChainStore, opts: VerifyOptions): VerifyResult {
  if (opts.actor !== undefined) return verifyActor(store, opts.actor, opts);
  // The bounds first, entries before blobs: a blob is committed with (or before) the entries that reference it.
  const maxEntry = store.audit.maxEntryId();
  const maxBlob = store.audit.maxBlobId();
  const total = store.countEntries();
  const progress = opts.onProgress && ((n: number) => opts.onProgress!(n, total));
  const cp = opts.incremental === false ? undefined : store.checkpoints.latest();
  let refused: string | undefined;
  if (cp) {
    const check = checkCheckpoint(store, cp, { maxEntry, maxBlob });
    if (check.ok) {
      const blobs = blobsAfter(store, cp.blobId + 1, maxBlob, check.digest);
      const pass = entriesAfter(store, blobs, check, maxEntry, progress && ((n) => progress(cp.count + n)));
      opts.onProgress?.(cp.count + pass.count, total);
      if (pass.bad) return fail(cp.count + pass.count, pass.bad);
      const result = checkHeads(store, undefined, cp.count + pass.count, blobs.bad.values());
      if (!result.ok) return result;
      const from = { entryId: cp.entryId, head: cp.head && toHex(cp.head), created: cp.created, verified: pass.count };
      saveCheckpoint(store, opts, check.digest, { maxEntry, maxBlob, count: result.count, names: check.names });
      return { ...result, from };
    }
    refused = check.why;
  }
  const names = store.checkpoints.maxNameIds();
  const digest = new StoreDigest(store.checkpoints.names(names.actorId, names.fnId));
  const blobs = hashBlobs(store, { fromId: 0, toId: maxBlob, maxId: maxBlob }, undefined, digest.blobPage);
  const pass = verifyEntries(store, blobs, {
    actorId: null,
    afterId: 0,
    toId: maxEntry,
    onPage: progress,
    sink: digest.entryPage,
  });
  opts.onProgress?.(pass.count, total);
  if (pass.bad) return fail(pass.count, pass.bad);
  const result = checkHeads(store, undefined, pass.count, blobs.bad.values());
  if (!result.ok) return result;
  saveCheckpoint(store, opts, digest, { maxEntry, maxBlob, count: pass.count, names });
  return refused ? { ...result, checkpointRefused: refused } : result;
}

/** One actor's chain (no checkpoint: a checkpoint covers the whole store). */
function verifyActor(store: ChainStore, actor: string, opts: VerifyOptions): VerifyResult {
  const actorId = store.audit.actorId(actor);
  if (actorId === undefined) return unknownActor(store, actor);
  const total = store.countEntries(actor);
  const maxEntry = store.audit.maxEntryId();
  const maxBlob = store.audit.maxBlobId();
  const blobs = hashBlobs(store, { fromId: 0, toId: maxBlob, maxId: maxBlob });
  const pass = verifyEntries(store, blobs, {
    actorId,
    afterId: 0,
    toId: maxEntry,
    onPage: opts.onProgress && ((n) => opts.onProgress!(n, total)),
  });
  opts.onProgress?.(pass.count, total);
  if (pass.bad) return fail(pass.count, pass.bad);
  return checkHeads(store, actor, pass.count, blobs.bad.values());
}

/** An actor the store does not have fails the verify: "ok, 0 entries" would hide a typo. */
export function unknownActor(store: ChainStore, actor: string): VerifyResult {
  return { ok: false, count: 0, entry: null, reason: `no actor ${actor} in ${store.path}` };
}

function fail(count: number, bad: { entry: Uint8Array; reason: string }): VerifyResult {
  return failed(count, bad.entry, bad.reason);
}

/** Records a checkpoint for what was just verified; a store this process may not write to simply gets none. */
export function saveCheckpoint(
  store: ChainStore,
  opts: VerifyOptions,
  digest: StoreDigest,
  at: { maxEntry: number; maxBlob: number; count: number; names: { actorId: number; fnId: number } },
): void {
  if (opts.checkpoint === false) return;
  try {
    const head = at.maxEntry > 0 ? (store.audit.entryById(at.maxEntry)?.hash ?? null) : null;
    const cp = {
      entryId: at.maxEntry,
      head: head && new Uint8Array(head),
      blobId: at.maxBlob,
      actorId: at.names.actorId,
      fnId: at.names.fnId,
      count: at.count,
      digest: digest.digest(),
      created: Date.now(),
    };
    const row = { ...cp, seal: sealOf(cp) };
    if (store.writable) store.checkpoints.save(row);
    else if (store.checkpoints.available && !probeLease(store.path)) {
      // A reader (theater verify, the Studio's verify worker) on a db nobody writes: it takes the writer lease
      // for the moment it takes to save the row. While someone writes, no checkpoint: readers never wait for one.
      const writer = ChainStore.open(store.path);
      try {
        writer.checkpoints.save(row);
      } finally {
        writer.close();
      }
    }
  } catch {
    // read-only file, busy writer, another process's lease: the verify stands; the next one starts from further back
  }
}

/** The end of a verify over the store (verify-result.ts checkBranches). */
export function checkHeads(
  store: ChainStore,
  actor: string | undefined,
  count: number,
  bad: Iterable<BadBlob> = [],
): VerifyResult {
  const components = () => new Map(store.actors().map((a) => [a.component, a.id]));
  return checkBranches(store.audit.branches(actor), [...bad], components, actor, count);
}
