/**
 * Questions no replay debugger answers directly: which calls changed nothing, which entry last wrote a part of
 * the state, and where a message came from or went. All folds over one path, or index lookups.
 */
import { bytesAsJson } from '../chain/describe.ts';
import { CROSSING_IMPORTS, hashEquals, type Hash } from '../chain/entry.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import type { StoredEntry } from '../store/index.ts';
import { formatPath, valueAt, type PathSegment } from './json-diff.ts';
import { checkedBlob, readEntry } from './state.ts';

export interface NoOp {
  readonly call: StoredEntry;
  /** The return (or error) that ended it. */
  readonly end: StoredEntry;
}

/**
 * Export calls that changed nothing anywhere: the state as it was (same state hash before and after) and no message or
 * order to another actor (CROSSING_IMPORTS), in path order: polling requests, rejected messages. `limit` bounds the result; the walk itself streams.
 */
export async function noOps(
  store: ChainReader,
  head: Hash,
  opts: { limit?: number; includeErrors?: boolean } = {},
): Promise<NoOp[]> {
  const top = await readEntry(store, head);
  const out: NoOp[] = [];
  let call: StoredEntry | undefined;
  let crossed = false;
  walk: for await (const page of store.path(top.id)) {
    for (const e of page) {
      if (e.kind === 'call') {
        call = e;
        crossed = false;
      } else if (e.kind === 'import' && CROSSING_IMPORTS.has(e.fn)) crossed = true;
      else if ((e.kind === 'return' || (opts.includeErrors && e.kind === 'error')) && call) {
        if (!crossed && hashEquals(call.state, e.state)) out.push({ call: strip(call), end: strip(e) });
        call = undefined;
        if (opts.limit !== undefined && out.length >= opts.limit) break walk;
      }
    }
  }
  return out;
}

function strip<T extends StoredEntry>(e: T): StoredEntry {
  const { inputBytes: _i, outputBytes: _o, stateBytes: _s, ...rest } = e as T & Record<string, unknown>;
  return rest as StoredEntry;
}

export interface WhoWrote {
  readonly path: string;
  /** The value at the path in the state at the asked entry (undefined: absent). */
  readonly value: unknown;
  /** The entry whose state first had this value (the return of the call that wrote it); undefined if never set. */
  readonly writer: StoredEntry | undefined;
  /** The call that wrote it, when the writer is a return. */
  readonly call: StoredEntry | undefined;
  /** The value before that write. */
  readonly previous: unknown;
}

/**
 * For a JSON path in the state at entry `at`, the entry that last changed it: walk back along the path and stop at
 * the first state whose value there differs. Only entries whose state hash changes are decoded, and each of those
 * states is checked against its hash first (the walk's bytes are read by row id): a changed one is a
 * DamagedChainError naming its entry, never an answer.
 */
export async function whoWrote(store: ChainReader, at: Hash, path: readonly PathSegment[]): Promise<WhoWrote> {
  const top = await readEntry(store, at);
  let value: unknown;
  let first = true;
  let writer: StoredEntry | undefined;
  let stateHash: Hash | null | undefined;
  let previous: unknown;
  let call: StoredEntry | undefined;
  let lastWithValue: StoredEntry | undefined;
  walk: for await (const page of store.path(top.id, { descending: true })) {
    for (const e of page) {
      if (first) {
        value = stateValue(checkedBlob(e, 'state', e.stateBytes), path);
        stateHash = e.state;
        lastWithValue = e;
        first = false;
        continue;
      }
      if (writer && e.kind === 'call') {
        call = strip(e);
        break walk;
      }
      if (writer) continue;
      if (hashEquals(e.state, stateHash ?? null)) {
        lastWithValue = e;
        continue;
      }
      const v = stateValue(checkedBlob(e, 'state', e.stateBytes), path);
      stateHash = e.state;
      if (JSON.stringify(v) !== JSON.stringify(value)) {
        writer = strip(lastWithValue!);
        previous = v;
        if (e.kind === 'call') call = strip(e);
        if (call || writer.kind !== 'return') break walk;
      } else lastWithValue = e;
    }
  }
  // Reached the root with the value unchanged: the root itself (start event / init state) wrote it.
  if (!writer && value !== undefined) writer = lastWithValue && strip(lastWithValue);
  return { path: formatPath(path), value, writer, call, previous };
}

function stateValue(bytes: Uint8Array | null, path: readonly PathSegment[]): unknown {
  if (!bytes) return undefined;
  const json = bytesAsJson(bytes);
  return json === undefined ? undefined : valueAt(json, path);
}

export interface MessageLink {
  /** The sender's send/request import. */
  readonly sent: StoredEntry | undefined;
  /** The receiver's handle-send/handle-request call. */
  readonly received: StoredEntry | undefined;
  /** The receiver's return/error for that call (for a request: the reply the sender's import got). */
  readonly answered: StoredEntry | undefined;
}

const SENDS = new Set(['send', 'request']);

/**
 * Follows a message both ways. Give the sender's send/request import, the receiver's call, or that call's
 * return: the link is `cause` on the receiver's call = the sender's chain head when it sent, whose child on the
 * sender's chain is the import.
 */
export async function followMessage(store: ChainReader, hash: Hash): Promise<MessageLink> {
  const e = await readEntry(store, hash);
  return followFrom(store, e);
}

/**
 * followMessage from an entry already read. `other` answers the far side when it is not in `store`: the hub passes
 * its lookups across nodes, so that a message that crossed nodes through a message-server port links both chains.
 */
export async function followFrom(store: ChainReader, e: StoredEntry, other?: FarSide): Promise<MessageLink> {
  if (e.kind === 'import' && SENDS.has(e.fn) && e.parent) {
    const here = (await store.causedBy(e.parent)).find((c) => c.kind === 'call');
    const received = here ?? (await other?.receivedBy(e.parent));
    return {
      sent: e,
      received,
      answered: received && (here ? await endOf(store, here) : await other?.endOf(received)),
    };
  }
  let call: StoredEntry | undefined = e.kind === 'call' ? e : undefined;
  if (e.kind === 'return' || e.kind === 'error') call = await callOf(store, e);
  if (!call?.cause) return { sent: undefined, received: call, answered: call && (await endOf(store, call)) };
  const cause = await store.entry(call.cause);
  const sent = cause
    ? (await store.children(cause.id)).find((c) => c.kind === 'import' && SENDS.has(c.fn))
    : await other?.sentAt(call.cause);
  return { sent, received: call, answered: await endOf(store, call) };
}

/** An entry of another chain than the one followed: `node` names whose, in a hub. */
export type FarEntry = StoredEntry & { readonly node?: string };

/** Lookups on other chains than the one being followed (another node's, in a hub). */
export interface FarSide {
  /** The call another chain received from a message sent when the sender's head was `senderHead`. */
  receivedBy(senderHead: Hash): Promise<FarEntry | undefined>;
  /** The return/error that ended such a call. */
  endOf(call: FarEntry): Promise<FarEntry | undefined>;
  /** The send/request import that followed entry `cause` on the sender's chain. */
  sentAt(cause: Hash): Promise<FarEntry | undefined>;
}

/** The return/error that ends a call (its first such descendant on any branch). */
export async function endOf(store: ChainReader, call: StoredEntry): Promise<StoredEntry | undefined> {
  let cur: StoredEntry | undefined = call;
  for (let i = 0; cur && i < 100_000; i++) {
    const kids = await store.children(cur.id);
    cur = kids[0];
    if (cur && (cur.kind === 'return' || cur.kind === 'error')) return cur;
    if (cur && cur.kind !== 'import') return undefined;
  }
  return undefined;
}

async function callOf(store: ChainReader, end: StoredEntry): Promise<StoredEntry | undefined> {
  let cur: StoredEntry | undefined = end;
  while (cur?.parent) {
    cur = await store.entry(cur.parent, cur.actor);
    if (cur?.kind === 'call') return cur;
    if (cur && cur.kind !== 'import') return undefined;
  }
  return undefined;
}

export interface CausalLinks {
  /** The entry in another actor that made this one happen (a send/request/spawn/…-child import, a child's error or
   * stop event), if any. */
  readonly causedBy: StoredEntry | undefined;
  /** The entries in other actors this one made happen: the call a message started, a child's start, stop or restart
   * event, a supervisor's handle-child-error / handle-child-exit call. */
  readonly effects: readonly StoredEntry[];
}

/**
 * An entry's links across actors, both ways, for every kind of crossing (messages and supervision). `cause` on the
 * receiving entry is either the sender's head before a crossing import (then the import is the cause's child) or
 * an entry itself (a child's error or stop event, which its supervisor hears of).
 */
export async function causalLinks(store: ChainReader, e: StoredEntry): Promise<CausalLinks> {
  const crossingChild = async (of: StoredEntry) =>
    (await store.children(of.id)).find(
      (c) => c.actor === of.actor && c.kind === 'import' && CROSSING_IMPORTS.has(c.fn),
    );
  let causedBy: StoredEntry | undefined;
  if (e.cause) {
    const c = await store.entry(e.cause);
    if (c && c.actor !== e.actor) causedBy = (await crossingChild(c)) ?? c;
  }
  const elsewhere = (x: StoredEntry) => x.actor !== e.actor;
  let effects: StoredEntry[] = [];
  if (e.kind === 'import' && CROSSING_IMPORTS.has(e.fn)) {
    if (e.parent) effects = (await store.causedBy(e.parent)).filter(elsewhere);
  } else if (!(await crossingChild(e))) {
    // What this entry caused itself (an error or stop its supervisor hears of), unless a crossing import made right
    // after it explains the effects.
    effects = (await store.causedBy(e.hash)).filter(elsewhere);
  }
  return { causedBy, effects };
}
