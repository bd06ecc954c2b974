/**
 * Streaming verification of a chain: every entry hash is recomputed from its stored fields, every link and blob is
 * checked, and the first problem (in insertion order) is reported as data. Prints nothing. The same code verifies a
 * SQLite store (`theater verify`) and a node's chains in a hub (`theater hub verify`): it reads through ChainReader.
 *
 * Memory stays constant: blobs are hashed in one streaming pass (only corrupt ones are remembered), then entries
 * stream in pages with their references resolved from what was just read — no JS set of all hashes.
 */
import type { ChainReader, LeanEntryRow } from '../reader/chain-reader.ts';
import { kindName, originName } from '../reader/codes.ts';
import { HASH_BYTES, entryHash, hashEquals, sha256, toHex, type EntryBody, type Hash } from './entry.ts';

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

/**
 * Verifies one snapshot of the chain: what writers commit meanwhile is not seen, not even in part. On SQLite that
 * is one read transaction held for the whole verify (ChainReader.snapshot); on a hub, the id bound below.
 */
export async function verifyChain(store: ChainReader, opts: VerifyOptions = {}): Promise<VerifyResult> {
  return store.snapshot(() => verifySnapshot(store, opts));
}

async function verifySnapshot(store: ChainReader, opts: VerifyOptions): Promise<VerifyResult> {
  const total = await store.countEntries(opts.actor);
  // Entries up to this id were committed before the blob pass starts, and with them every blob they reference: a
  // writer appending meanwhile (a node shipping to the hub, where there is no snapshot) cannot make one look like
  // it is missing. Inside a SQLite snapshot nothing is appended meanwhile and this is the last entry.
  const last = await store.audit.lastEntryId(opts.actor);
  const blobs = await hashBlobs(store);
  let count = 0;
  const fail = (entry: Uint8Array | null, reason: string): VerifyResult => ({
    ok: false,
    count,
    entry: entry && toHex(entry),
    reason,
  });
  // Checking a single actor: it must exist, or "ok, 0 entries" would hide a typo.
  if (opts.actor !== undefined && (await store.audit.actorId(opts.actor)) === undefined) {
    return fail(null, `no actor ${opts.actor} in ${store.source}`);
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
        const last = lastOf.get(actorId);
        parent = last && last.id === parentId ? last : await lookupParent(store, parentId);
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
      if (reason !== undefined) return fail(hash, reason);
      lastOf.set(actorId, { id, hash, seq, actorId });
      count++;
      if (count % PROGRESS_EVERY === 0) opts.onProgress?.(count, total);
    }
    if (page.length < PAGE) break;
  }
  opts.onProgress?.(count, count);

  const heads: VerifiedHead[] = [];
  for (const b of await store.audit.branches(opts.actor)) {
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
  const unreferenced = await badUnreferencedBlob(store, blobs, opts.actor);
  if (unreferenced) return fail(null, unreferenced);
  return { ok: true, count, heads };
}

/**
 * A corrupt blob no entry references (a bad referenced one already failed at its entry): an embedded component
 * (replay loads the recorded component from it), or a stray row. Checking one actor, only its component counts.
 */
async function badUnreferencedBlob(
  store: ChainReader,
  blobs: BlobHashes,
  actor: string | undefined,
): Promise<string | undefined> {
  if (blobs.bad.size === 0) return undefined;
  const components = new Map((await store.actors()).map((a) => [a.component, a.id]));
  for (const b of blobs.bad.values()) {
    const owner = components.get(toHex(b.stored));
    if (actor !== undefined && owner !== actor) continue;
    const what = owner === undefined ? 'referenced by no entry' : `the embedded component of actor ${owner}`;
    return `blob ${short(b.stored)} (${what}) hashes to ${short(b.actual)}`;
  }
  return undefined;
}

const PAGE = 8192;
/** Above this many blob ids the full hashes are not kept in memory (32 bytes each); blobs are re-read per entry. */
const MAX_BLOB_TABLE = 4_000_000;

interface ParentInfo {
  readonly id: number;
  readonly hash: Buffer;
  readonly seq: number;
  readonly actorId: number;
}

async function lookupParent(store: ChainReader, id: number): Promise<ParentInfo | undefined> {
  const r = await store.audit.entryById(id);
  return r && { id, ...r };
}

interface BadBlob {
  readonly stored: Buffer;
  readonly actual: Hash;
}

/** Every blob's actual SHA-256, by id: `full(id)` (undefined = no such blob) and the corrupt ones. */
interface BlobHashes {
  /** Makes `full` answer for the blobs these rows reference (past MAX_BLOB_TABLE they are read per page). */
  prepare(rows: readonly LeanEntryRow[]): Promise<void>;
  full(id: number): Hash | undefined;
  readonly bad: ReadonlyMap<number, BadBlob>;
}

/**
 * One streaming pass hashes every blob; only the corrupt ones are remembered as such. The actual hashes are kept in
 * one flat table (32 bytes per blob id) so entries need no blob joins; past MAX_BLOB_TABLE they are recomputed
 * per reference instead (constant memory, slower).
 */
async function hashBlobs(store: ChainReader): Promise<BlobHashes> {
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

interface CheckRow {
  readonly id: number;
  readonly hash: Buffer;
  readonly parentId: number | null;
  readonly parent: Buffer | null;
  readonly parentSeq: number | null;
  readonly parentActorId: number | null;
  readonly actorId: number;
  readonly actor: string | null;
  readonly seq: number;
  readonly kind: number;
  readonly fnId: number;
  readonly iface: string | null;
  readonly fn: string | null;
  readonly inputId: number | null;
  readonly outputId: number | null;
  readonly stateId: number | null;
  readonly cause: Buffer | null;
  readonly origin: number | null;
}

/** undefined = fine; otherwise what was expected vs found. */
function checkEntry(r: CheckRow, blobs: BlobHashes): string | undefined {
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
  const hashes: Record<(typeof BLOB_FIELDS)[number], Hash | null> = { input: null, output: null, state: null };
  for (const field of BLOB_FIELDS) {
    const id = r[`${field}Id`];
    if (id === null) continue;
    const full = blobs.full(id);
    if (full === undefined) return `blob #${id} (its ${field}) not found`;
    const bad = blobs.bad.get(id);
    if (bad) return `blob ${short(bad.stored)} (its ${field}) hashes to ${short(bad.actual)}`;
    hashes[field] = full;
  }
  const body: EntryBody = {
    actor: r.actor,
    seq: r.seq,
    kind,
    iface: r.iface,
    fn: r.fn,
    input: hashes.input,
    output: hashes.output,
    state: hashes.state,
    cause: r.cause,
    origin,
  };
  const recomputed = entryHash(r.parent, body);
  if (!hashEquals(recomputed, r.hash)) {
    return `stored hash ${short(r.hash)}, recomputed ${short(recomputed)} from its fields`;
  }
  return undefined;
}
