/**
 * State at an entry and diffs between entries or branches. All lookups: every entry carries the hash of the state
 * as of it and states are content-addressed blobs, so nothing is re-executed.
 */
import { bytesAsJson } from '../chain/describe.ts';
import { blobMatches, hashEquals, toHex, type Hash } from '../chain/entry.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import type { ChainStore, StoredEntry } from '../store/index.ts';
import { diffStates, type StateDiff } from './json-diff.ts';

export interface StateAt {
  readonly entry: StoredEntry;
  /** null: the actor had no state yet at that entry. */
  readonly bytes: Uint8Array | null;
  /** The state as JSON when it is UTF-8 JSON (Theater's convention), else undefined. */
  readonly json: unknown;
}

export class TimeTravelError extends Error {
  override readonly name = 'TimeTravelError';
}

/** What the chain names is not in the store as it was recorded (a blob missing or changed): the chain says no. */
export class DamagedChainError extends Error {
  override readonly name = 'DamagedChainError';
}

/** For the write side (fork, import), which works on the SQLite store itself. */
export function entryOrThrow(store: ChainStore, hash: Hash, actor?: string): StoredEntry {
  const e = store.entry(hash, actor);
  if (!e) throw noEntry(hash, actor, store.path);
  return e;
}

export async function readEntry(store: ChainReader, hash: Hash, actor?: string): Promise<StoredEntry> {
  const e = await store.entry(hash, actor);
  if (!e) throw noEntry(hash, actor, store.source);
  return e;
}

function noEntry(hash: Hash, actor: string | undefined, source: string): TimeTravelError {
  return new TimeTravelError(`no entry ${toHex(hash)}${actor ? ` of actor ${actor}` : ''} in ${source}`);
}

/** The actor's state as of an entry, on whatever branch the entry lies. */
export async function stateAt(store: ChainReader, hash: Hash): Promise<StateAt> {
  const entry = await readEntry(store, hash);
  if (entry.state === null) return { entry, bytes: null, json: undefined };
  const bytes = checkedBlob(entry, 'state', await store.blob(entry.state))!;
  return { entry, bytes, json: bytesAsJson(bytes) };
}

export type BlobRole = 'state' | 'input' | 'output';

/**
 * The blob an entry names as its state, input or output, as a read returned it (a lookup by hash; a walk's bytes,
 * joined by row id and never hashed by the store): returned only when the bytes hash to the name. Missing or
 * changed bytes throw DamagedChainError naming the entry and the blob, so that no reader shows them as recorded.
 * null: the entry names none.
 */
export function checkedBlob(
  entry: StoredEntry,
  role: BlobRole,
  bytes: Uint8Array | null | undefined,
): Uint8Array | null {
  const hash = entry[role];
  if (hash === null) return null;
  if (bytes && blobMatches(hash, bytes)) return bytes;
  throw new DamagedChainError(
    `entry ${toHex(entry.hash)} (#${entry.seq} of ${entry.actor}): its ${role} blob ${toHex(hash)} is missing, or ` +
      'its bytes no longer hash to it; `theater verify` names the first bad entry',
  );
}

export interface EntryDiff {
  readonly a: StoredEntry;
  readonly b: StoredEntry;
  readonly diff: StateDiff;
}

/** The state diff between two entries (of one actor or of two; any branches). */
export async function diffEntries(store: ChainReader, a: Hash, b: Hash): Promise<EntryDiff> {
  const sa = await stateAt(store, a);
  const sb = await stateAt(store, b);
  return { a: sa.entry, b: sb.entry, diff: diffStates(sa.bytes, sb.bytes) };
}

/**
 * The nearest common ancestor of two entries of one actor, by walking parents: the higher one down to the lower
 * one's height, then both together. Linear in the distance to the fork point, not in the chain's length.
 */
export async function mergeBase(store: ChainReader, a: Hash, b: Hash): Promise<StoredEntry | undefined> {
  let x: StoredEntry | undefined = await readEntry(store, a);
  let y: StoredEntry | undefined = await readEntry(store, b);
  if (x.actor !== y.actor) return undefined;
  // Walks parent links in pages of index rows (one read per page, not per entry: the hub is a round trip away),
  // down to the lower one's height, then both together.
  const up = async (e: StoredEntry, steps: number) => {
    if (steps === 0) return e;
    const rows = await store.ancestorRows(e.id, steps + 1);
    const target = rows[steps];
    return target === undefined ? undefined : (await store.entriesByIds([target[0]]))[0];
  };
  if (x.seq > y.seq) x = await up(x, x.seq - y.seq);
  if (x && y.seq > x.seq) y = await up(y, y.seq - x.seq);
  while (x && y && !hashEquals(x.hash, y.hash)) {
    // Same height from here: compare the two walks a page at a time.
    const [ra, rb] = await Promise.all([store.ancestorRows(x.id, WALK_PAGE), store.ancestorRows(y.id, WALK_PAGE)]);
    const n = Math.min(ra.length, rb.length);
    let i = 0;
    while (i < n && ra[i]![0] !== rb[i]![0]) i++;
    if (i < n) return (await store.entriesByIds([ra[i]![0]]))[0];
    if (n < WALK_PAGE) return undefined; // a root reached without meeting: unrelated histories
    [x, y] = await store.entriesByIds([ra[n - 1]![0], rb[n - 1]![0]]);
  }
  return x && y ? x : undefined;
}

const WALK_PAGE = 4096;

export interface BranchDiff {
  readonly actor: string;
  readonly base: StoredEntry | undefined;
  readonly a: { readonly branch: string; readonly head: StoredEntry; readonly sinceBase: StateDiff };
  readonly b: { readonly branch: string; readonly head: StoredEntry; readonly sinceBase: StateDiff };
  /** Head against head. */
  readonly diff: StateDiff;
}

/** Two branches of an actor: where they split, and what each changed since. */
export async function diffBranches(
  store: ChainReader,
  actor: string,
  branchA: string,
  branchB: string,
): Promise<BranchDiff> {
  const head = async (name: string) => {
    const h = await store.head(actor, name);
    if (!h) throw new TimeTravelError(`actor ${actor} has no branch ${name} (or it is empty)`);
    return h;
  };
  const ha = await head(branchA);
  const hb = await head(branchB);
  const base = await mergeBase(store, ha.hash, hb.hash);
  const baseState = base ? (await stateAt(store, base.hash)).bytes : null;
  const sa = (await stateAt(store, ha.hash)).bytes;
  const sb = (await stateAt(store, hb.hash)).bytes;
  return {
    actor,
    base,
    a: { branch: branchA, head: ha, sinceBase: diffStates(baseState, sa) },
    b: { branch: branchB, head: hb, sinceBase: diffStates(baseState, sb) },
    diff: diffStates(sa, sb),
  };
}
