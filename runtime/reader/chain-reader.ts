/**
 * The one read interface of a chain, whatever holds it: the embedded SQLite store (store/sqlite-reader.ts) or one
 * node's chains in a PostgreSQL hub (store-pg/node-reader.ts). Verify, time travel (state, diff, who-wrote,
 * replay, export), the path index and the Studio read through this and nothing else, so they behave the same on
 * either.
 *
 * Why async: PostgreSQL's client is, and a read must never block the thread that serves the Studio while a
 * network round trip is under way. SQLite answers synchronously, so its implementation just returns settled
 * promises; to keep that cheap, everything that touches many rows is paged (an `await` per page, never per row):
 * verify reads lean pages, the path index reads integer pages, walks and blob passes come as arrays.
 *
 * Entry ids are the backend's own (SQLite rowids, hub bigserials): insertion order within one reader, a parent
 * always before its child. They are meaningful only to the reader that returned them.
 */
import type { Hash } from '../chain/entry.ts';
import type { ActorRow, BranchRow, StoredEntry } from '../store/types.ts';

/** [id, parentId, branchId, kind code, fnId, stateId]: what an index over a million entries keeps. */
export type IndexRow = [number, number | null, number, number, number, number | null];

/** An entry on a walked path, with its blobs' bytes (a fold needs them all; reading them per entry is too slow). */
export interface PathEntry extends StoredEntry {
  readonly inputBytes: Uint8Array | null;
  readonly outputBytes: Uint8Array | null;
  readonly stateBytes: Uint8Array | null;
}

export interface PathOptions {
  /** Start at this seq instead of the root. */
  readonly fromSeq?: number;
  /** Head first instead of root first. */
  readonly descending?: boolean;
}

export interface FnName {
  readonly iface: string;
  readonly fn: string;
}

/** An entry's hash, time and function with its input's bytes: what reading a log back needs, and nothing else. */
export interface EntryInput {
  readonly id: number;
  readonly hash: Hash;
  readonly ts: number;
  readonly iface: string;
  readonly fn: string;
  /** null: no input, or its blob is missing (verify names that). */
  readonly input: Uint8Array | null;
}

export interface EntryRange {
  readonly actor?: string;
  /** Narrows `actor`'s entries to those appended on that branch. */
  readonly branch?: string;
  readonly afterId?: number;
  readonly limit?: number;
}

export interface ChainReader {
  /** Where the chain is, for messages: a db file, or a hub node. */
  readonly source: string;

  actors(): Promise<ActorRow[]>;
  branches(actor: string): Promise<BranchRow[]>;
  liveBranch(actor: string): Promise<string>;
  /** The live branch's head unless a branch is named. */
  head(actor: string, branch?: string): Promise<StoredEntry | undefined>;
  entry(hash: Hash, actor?: string): Promise<StoredEntry | undefined>;
  /** Entries by id, in the order asked (undefined where there is none). */
  entriesByIds(ids: readonly number[]): Promise<(StoredEntry | undefined)[]>;
  /**
   * Entries' hash, ts, function and input bytes by id, in the order asked (undefined where there is none): one read
   * joining the input blob by its id, no lookup by hash (the log of a million entries reads its inputs this way).
   */
  entryInputs(ids: readonly number[]): Promise<(EntryInput | undefined)[]>;
  /** Entries whose hex hash starts with `hexPrefix` (4 to 64 hex digits), in insertion order. */
  entriesByPrefix(hexPrefix: string, actor?: string): Promise<StoredEntry[]>;
  /** Insertion order, paged by id. */
  entries(range: EntryRange): Promise<StoredEntry[]>;
  countEntries(actor?: string): Promise<number>;
  blob(hash: Hash): Promise<Uint8Array | undefined>;
  /** Several blobs in one read; the map's keys are hex hashes. Missing ones are absent. */
  blobs(hashes: readonly Hash[]): Promise<Map<string, Uint8Array>>;

  /** An actor's entries after `afterId` as bare integer rows, in id order (the path index). */
  indexRows(actor: string, afterId: number, limit: number): Promise<IndexRow[]>;
  /** Up to `count` index rows walking parent links back from entry `id`, that entry first. */
  ancestorRows(id: number, count: number): Promise<IndexRow[]>;
  fnNames(): Promise<Map<number, FnName>>;
  /** Branch names of an actor by branch id. */
  branchNames(actor: string): Promise<Map<number, string>>;
  /** Entry hashes by id, in the order asked (the graph draws thousands: no joins, no payloads). */
  hashesOf(ids: readonly number[]): Promise<(Hash | undefined)[]>;
  /** The state blob id of an entry (null: no state), undefined when there is no such entry. */
  stateIdOf(entryId: number): Promise<number | null | undefined>;

  /** The path from the root (or `fromSeq`) to entry `headId`, in pages; `break` out of it freely. */
  path(headId: number, opts?: PathOptions): AsyncIterable<readonly PathEntry[]>;
  /** Entries whose `cause` is `hash` (calls made by a message sent when the sender's head was `hash`). */
  causedBy(hash: Hash): Promise<StoredEntry[]>;
  /** Entries whose parent is entry `id` (more than one where branches fork). */
  children(id: number): Promise<StoredEntry[]>;

  /** Raw rows for verify. */
  readonly audit: AuditReader;

  /**
   * Runs `fn` with every read of this reader seeing one snapshot of the chain (SQLite: one read transaction held
   * until `fn` settles). A hub reader has none and just runs `fn`: its verify bounds what it reads by entry id.
   */
  snapshot<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Raw, unvalidated views for chain/verify.ts: references are integer ids resolved by the caller, so a deleted or
 * dangling row shows up as data instead of silently dropping the entry. Pages keep memory constant.
 */
export interface AuditReader {
  /** Entries in id order without joins. Fewer than `limit` rows only at the end. */
  leanEntries(actor: string | undefined, afterId: number, limit: number): Promise<LeanEntryRow[]>;
  /** One entry's hash, seq and actor by id (a parent not among the rows just read). */
  entryById(id: number): Promise<{ hash: Buffer; seq: number; actorId: number } | undefined>;
  blobById(id: number): Promise<AuditBlobRow | undefined>;
  /** Highest entry id now (0 when none): verify checks entries up to it, whose blobs were all committed before. */
  lastEntryId(actor?: string): Promise<number>;
  /** Highest blob id (0 when none). */
  maxBlobId(): Promise<number>;
  actorNames(): Promise<Map<number, string>>;
  fnNames(): Promise<Map<number, FnName>>;
  /** Every blob the chain may reference, in pages. */
  blobs(): AsyncIterable<readonly AuditBlobRow[]>;
  /**
   * True when blobs() also lists blobs of other chains (a hub node: blobs are shared by content address across
   * nodes). A corrupt blob then counts against this chain only when one of its entries references it (that entry
   * fails) or it is the component of one of its actors; another one is not this chain's.
   */
  readonly sharedBlobs?: boolean;
  branches(actor?: string): Promise<AuditBranchRow[]>;
  actorId(actor: string): Promise<number | undefined>;
}

export interface AuditBlobRow {
  readonly id: number;
  /** The full hash, or a prefix of it (SQLite keeps 8 bytes for a small blob). */
  readonly hash: Buffer;
  readonly bytes: Buffer;
}

export interface AuditBranchRow {
  readonly actor: string | null;
  readonly branch: string;
  readonly headId: number | null;
  /** NULL when headId points at no row. */
  readonly head: Buffer | null;
  readonly headActorId: number | null;
  readonly actorId: number;
  /** For a branch without a head only: whether any entry was appended on it, or it has a fork base (1/0). */
  readonly headless: number | null;
}

/** An entry row without joins (verify's fast path): [id, hash, parentId, actorId, seq, kind, fnId, inputId,
 *  outputId, stateId, cause, origin]. */
export type LeanEntryRow = [
  number,
  Buffer,
  number | null,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  Buffer | null,
  number | null,
];

/** Flattens a paged walk (for callers that want one entry at a time). */
export async function* eachEntry<T>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}
