/**
 * State at an entry and diffs between entries or branches. All lookups: every entry carries the hash of the state
 * as of it and states are content-addressed blobs, so nothing is re-executed.
 */
import { bytesAsJson } from '../chain/describe.ts';
import { hashEquals, toHex, type Hash } from '../chain/entry.ts';
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

export function entryOrThrow(store: ChainStore, hash: Hash, actor?: string): StoredEntry {
  const e = store.entry(hash, actor);
  if (!e) throw new TimeTravelError(`no entry ${toHex(hash)}${actor ? ` of actor ${actor}` : ''} in ${store.path}`);
  return e;
}

/** The actor's state as of an entry, on whatever branch the entry lies. */
export function stateAt(store: ChainStore, hash: Hash): StateAt {
  const entry = entryOrThrow(store, hash);
  if (entry.state === null) return { entry, bytes: null, json: undefined };
  const bytes = store.blob(entry.state);
  if (!bytes)
    throw new TimeTravelError(`entry ${toHex(hash)}: its state blob ${toHex(entry.state)} is missing; run verify`);
  return { entry, bytes, json: bytesAsJson(bytes) };
}

export interface EntryDiff {
  readonly a: StoredEntry;
  readonly b: StoredEntry;
  readonly diff: StateDiff;
}

/** The state diff between two entries (of one actor or of two; any branches). */
export function diffEntries(store: ChainStore, a: Hash, b: Hash): EntryDiff {
  const sa = stateAt(store, a);
  const sb = stateAt(store, b);
  return { a: sa.entry, b: sb.entry, diff: diffStates(sa.bytes, sb.bytes) };
}

/**
 * The nearest common ancestor of two entries of one actor, by walking parents: the higher one down to the lower
 * one's height, then both together. Linear in the distance to the fork point, not in the chain's length.
 */
export function mergeBase(store: ChainStore, a: Hash, b: Hash): StoredEntry | undefined {
  let x: StoredEntry | undefined = entryOrThrow(store, a);
  let y: StoredEntry | undefined = entryOrThrow(store, b);
  if (x.actor !== y.actor) return undefined;
  const up = (e: StoredEntry) => (e.parent ? store.entry(e.parent, e.actor) : undefined);
  while (x && y && x.seq > y.seq) x = up(x);
  while (x && y && y.seq > x.seq) y = up(y);
  while (x && y && !hashEquals(x.hash, y.hash)) [x, y] = [up(x), up(y)];
  return x && y ? x : undefined;
}

export interface BranchDiff {
  readonly actor: string;
  readonly base: StoredEntry | undefined;
  readonly a: { readonly branch: string; readonly head: StoredEntry; readonly sinceBase: StateDiff };
  readonly b: { readonly branch: string; readonly head: StoredEntry; readonly sinceBase: StateDiff };
  /** Head against head. */
  readonly diff: StateDiff;
}

/** Two branches of an actor: where they split, and what each changed since. */
export function diffBranches(store: ChainStore, actor: string, branchA: string, branchB: string): BranchDiff {
  const head = (name: string) => {
    const h = store.head(actor, name);
    if (!h) throw new TimeTravelError(`actor ${actor} has no branch ${name} (or it is empty)`);
    return h;
  };
  const ha = head(branchA);
  const hb = head(branchB);
  const base = mergeBase(store, ha.hash, hb.hash);
  const baseState = base ? stateAt(store, base.hash).bytes : null;
  const sa = stateAt(store, ha.hash).bytes;
  const sb = stateAt(store, hb.hash).bytes;
  return {
    actor,
    base,
    a: { branch: branchA, head: ha, sinceBase: diffStates(baseState, sa) },
    b: { branch: branchB, head: hb, sinceBase: diffStates(baseState, sb) },
    diff: diffStates(sa, sb),
  };
}
