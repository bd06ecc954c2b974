/**
 * Streaming verification of a chain store: every entry hash is recomputed from its stored fields, every link and
 * blob is checked, and the first problem (in insertion order) is reported as data. Prints nothing.
 *
 * Memory stays constant: blobs are hashed in one streaming pass (only corrupt ones are remembered), then entries
 * stream with their references already resolved by SQLite joins on primary keys — no JS set of all hashes.
 */
import type { AuditBlobRow, AuditEntryRow, ChainStore } from '../store/index.ts';
import { blobHash, kindName, originName } from '../store/rows.ts';
import { entryHash, hashEquals, sha256, toHex, type EntryBody, type Hash } from './entry.ts';

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

const PROGRESS_EVERY = 4096;
const BLOB_FIELDS = ['input', 'output', 'state'] as const;

/** A short hash for messages: enough to find it with the CLI's prefix lookup. */
function short(h: Uint8Array): string {
  return `${toHex(h).slice(0, 12)}…`;
}

export function verifyChain(store: ChainStore, opts: VerifyOptions = {}): VerifyResult {
  const total = store.countEntries(opts.actor);
  const badBlobs = corruptBlobs(store.audit.blobs());
  let count = 0;
  const fail = (entry: Uint8Array | null, reason: string): VerifyResult => ({
    ok: false,
    count,
    entry: entry && toHex(entry),
    reason,
  });
  // Checking a single actor: it must exist, or "ok, 0 entries" would hide a typo.
  if (opts.actor !== undefined && store.audit.actorId(opts.actor) === undefined) {
    return fail(null, `no actor ${opts.actor} in ${store.path}`);
  }
  const it = store.audit.entries(opts.actor);
  try {
    for (const row of it) {
      const reason = checkEntry(row, badBlobs);
      if (reason !== undefined) return fail(row.hash, reason);
      count++;
      if (count % PROGRESS_EVERY === 0) opts.onProgress?.(count, total);
    }
  } finally {
    it.return?.(); // releases the statement when we stop early
  }
  opts.onProgress?.(count, total);

  const heads: VerifiedHead[] = [];
  for (const b of store.audit.branches(opts.actor)) {
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

interface BadBlob {
  readonly stored: Buffer;
  readonly actual: Hash;
}

/** Only the corrupt blobs are kept: normally none, so this is constant memory. */
function corruptBlobs(blobs: IterableIterator<AuditBlobRow>): Map<number, BadBlob> {
  const bad = new Map<number, BadBlob>();
  for (const b of blobs) {
    // A small blob stores only a prefix of its hash: compare that many bytes.
    const actual = sha256(b.bytes);
    if (!hashEquals(actual.subarray(0, b.hash.length), b.hash)) bad.set(b.id, { stored: b.hash, actual });
  }
  return bad;
}

/** undefined = fine; otherwise what was expected vs found. */
function checkEntry(r: AuditEntryRow, badBlobs: ReadonlyMap<number, BadBlob>): string | undefined {
  if (r.parentId !== null) {
    if (r.parent === null) return `parent (entry #${r.parentId}) not found: deleted or never stored`;
    if (r.parentId >= r.id) return `parent ${short(r.parent)} (#${r.parentId}) was inserted after it (#${r.id})`;
    if (r.parentActorId !== r.actorId) return `its parent ${short(r.parent)} belongs to another actor`;
    if (r.seq !== r.parentSeq! + 1) return `seq ${r.seq} but parent has seq ${r.parentSeq}`;
  } else if (r.seq !== 0) {
    return `seq ${r.seq} but it has no parent (a root entry has seq 0)`;
  }
  if (r.actor === null) return `its actor (#${r.actorId}) not found`;
  if (r.iface === null || r.fn === null) return `its interface/function (#${r.fnId}) not found`;
  const kind = kindName(r.kind);
  if (kind === undefined) return `kind code ${r.kind} is not a known kind`;
  const origin = r.origin === null ? null : originName(r.origin);
  if (origin === undefined) return `origin code ${r.origin} is not a known origin`;
  for (const field of BLOB_FIELDS) {
    const id = r[`${field}Id`];
    if (id === null) continue;
    const hash = r[field];
    if (hash === null) return `blob #${id} (its ${field}) not found`;
    const bad = badBlobs.get(id);
    if (bad) return `blob ${short(bad.stored)} (its ${field}) hashes to ${short(bad.actual)}`;
  }
  const body: EntryBody = {
    actor: r.actor,
    seq: r.seq,
    kind,
    iface: r.iface,
    fn: r.fn,
    input: blobHash(r.input, r.inputSmall),
    output: blobHash(r.output, r.outputSmall),
    state: blobHash(r.state, r.stateSmall),
    cause: r.cause,
    origin,
  };
  const recomputed = entryHash(r.parent, body);
  if (!hashEquals(recomputed, r.hash)) {
    return `stored hash ${short(r.hash)}, recomputed ${short(recomputed)} from its fields`;
  }
  return undefined;
}
