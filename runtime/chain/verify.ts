/**
 * Verification of a chain store: every entry hash is recomputed from its stored fields, every link and blob is
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
import { hashBlobs, type BadBlob, type BlobHashes } from './verify-blobs.ts';
import {
  StoreDigest,
  blobsAfter,
  checkCheckpoint,
  entriesAfter,
  sealOf,
  type FromCheckpoint,
} from './verify-checkpoint.ts';
import { short, verifyEntries } from './verify-entries.ts';

export interface VerifyOptions {
  readonly actor?: string;
  /** Called every few thousand entries and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Whole store only: start from the last checkpoint when it checks out (verify-checkpoint.ts), verifying in full
   * only what came after it. Default true; false verifies everything.
   */
  readonly incremental?: boolean;
  /** Whole store only: after a verify that passes, record a checkpoint (default true). Best effort. */
  readonly checkpoint?: boolean;
}

export interface VerifiedHead {
  readonly actor: string;
  readonly branch: string;
  /** null for a branch with no entries yet. */
  readonly hash: string | null;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly count: number;
      readonly heads: readonly VerifiedHead[];
      /** Set when the verify started from a checkpoint: what it vouched for, and what was verified on top. */
      readonly from?: FromCheckpoint;
      /** Why a checkpoint there was could not be used (the verify was then a full one). */
      readonly checkpointRefused?: string;
    }
  | {
      readonly ok: false;
      /** Entries verified before the problem was found. */
      readonly count: number;
      /** Hex hash of the first bad entry in insertion order; null when the problem is not an entry (a branch head). */
      readonly entry: string | null;
      readonly reason: string;
    };

/** Verifies one snapshot of the store: what writers commit meanwhile is not seen, not even in part. */
export function verifyChain(store: ChainStore, opts: VerifyOptions = {}): VerifyResult {
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
  // It must exist, or "ok, 0 entries" would hide a typo.
  const actorId = store.audit.actorId(actor);
  if (actorId === undefined) return { ok: false, count: 0, entry: null, reason: `no actor ${actor} in ${store.path}` };
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

function fail(count: number, bad: { entry: Uint8Array; reason: string }): VerifyResult {
  return { ok: false, count, entry: toHex(bad.entry), reason: bad.reason };
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

/**
 * Every branch head exists and is an entry of its actor; and no corrupt blob (`bad`, from the blob pass) is left
 * that no entry failed on: an embedded component, or a stray row.
 */
export function checkHeads(
  store: ChainStore,
  actor: string | undefined,
  count: number,
  bad: Iterable<BadBlob> = [],
): VerifyResult {
  const heads: VerifiedHead[] = [];
  const fail = (entry: Uint8Array | null, reason: string): VerifyResult => ({
    ok: false,
    count,
    entry: entry && toHex(entry),
    reason,
  });
  for (const b of store.audit.branches(actor)) {
    const name = `${b.actor ?? `#${b.actorId}`}/${b.branch}`;
    if (b.actor === null) return fail(null, `branch ${name}: its actor #${b.actorId} not found`);
    if (b.headId !== null && b.head === null) return fail(null, `branch ${name} head (entry #${b.headId}) not found`);
    if (b.headId === null && b.headless === 1)
      return fail(null, `branch ${name} has entries (or a fork base) but no head: its head was removed`);
    if (b.head !== null && b.headActorId !== b.actorId) {
      return fail(b.head, `branch ${name} head ${short(b.head)} is an entry of another actor`);
    }
    heads.push({ actor: b.actor, branch: b.branch, hash: b.head && toHex(b.head) });
  }
  const unreferenced = badUnreferencedBlob(store, bad, actor);
  if (unreferenced) return fail(null, unreferenced);
  return { ok: true, count, heads };
}

export type { BlobHashes };

/**
 * A corrupt blob no entry references (a bad referenced one already failed at its entry): an embedded component
 * (replay loads the recorded component from it), or a stray row. Checking one actor, only its component counts.
 */
function badUnreferencedBlob(store: ChainStore, bad: Iterable<BadBlob>, actor: string | undefined): string | undefined {
  const list = [...bad];
  if (list.length === 0) return undefined;
  const components = new Map(store.actors().map((a) => [a.component, a.id]));
  for (const b of list) {
    const owner = components.get(toHex(b.stored));
    if (actor !== undefined && owner !== actor) continue;
    const what = owner === undefined ? 'referenced by no entry' : `the embedded component of actor ${owner}`;
    return `blob ${short(b.stored)} (${what}) hashes to ${short(b.actual)}`;
  }
  return undefined;
}
