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
import type { ChainStore } from '../store/index.ts';
import { toHex } from './entry.ts';
import { hashBlobs, type BlobHashes } from './verify-blobs.ts';
import { short, verifyEntries } from './verify-entries.ts';

export interface VerifyOptions {
  readonly actor?: string;
  /** Called every few thousand entries and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface VerifiedHead {
  readonly actor: string;
  readonly branch: string;
  /** null for a branch with no entries yet. */
  readonly hash: string | null;
}

export type VerifyResult =
  | { readonly ok: true; readonly count: number; readonly heads: readonly VerifiedHead[] }
  | {
      readonly ok: false;
      /** Entries verified before the problem was found. */
      readonly count: number;
      /** Hex hash of the first bad entry in insertion order; null when the problem is not an entry (a branch head). */
      readonly entry: string | null;
      readonly reason: string;
    };

export function verifyChain(store: ChainStore, opts: VerifyOptions = {}): VerifyResult {
  const total = store.countEntries(opts.actor);
  // Checking a single actor: it must exist, or "ok, 0 entries" would hide a typo.
  const actorId = opts.actor === undefined ? null : store.audit.actorId(opts.actor);
  if (actorId === undefined)
    return { ok: false, count: 0, entry: null, reason: `no actor ${opts.actor} in ${store.path}` };
  const maxBlob = store.audit.maxBlobId();
  const blobs = hashBlobs(store, { fromId: 0, toId: maxBlob, maxId: maxBlob });
  const pass = verifyEntries(store, blobs, {
    actorId,
    afterId: 0,
    toId: Number.MAX_SAFE_INTEGER,
    onPage: opts.onProgress && ((n) => opts.onProgress!(n, total)),
  });
  opts.onProgress?.(pass.count, total);
  if (pass.bad) return { ok: false, count: pass.count, entry: toHex(pass.bad.entry), reason: pass.bad.reason };
  return checkHeads(store, opts.actor, pass.count);
}

/** Every branch head exists and is an entry of its actor. */
export function checkHeads(store: ChainStore, actor: string | undefined, count: number): VerifyResult {
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
    if (b.head !== null && b.headActorId !== b.actorId) {
      return fail(b.head, `branch ${name} head ${short(b.head)} is an entry of another actor`);
    }
    heads.push({ actor: b.actor, branch: b.branch, hash: b.head && toHex(b.head) });
  }
  return { ok: true, count, heads };
}

export type { BlobHashes };
