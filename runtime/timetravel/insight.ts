/**
 * Questions no replay debugger answers directly: which calls changed nothing, which entry last wrote a part of
 * the state, and where a message came from or went. All folds over one path, or index lookups.
 */
import { bytesAsJson } from '../chain/describe.ts';
import { CROSSING_IMPORTS, hashEquals, type Hash } from '../chain/entry.ts';
import type { ChainStore, StoredEntry } from '../store/index.ts';
import { formatPath, valueAt, type PathSegment } from './json-diff.ts';
import { entryOrThrow } from './state.ts';

export interface NoOp {
  readonly call: StoredEntry;
  /** The return (or error) that ended it. */
  readonly end: StoredEntry;
}

/**
 * Export calls that changed nothing anywhere: the state as it was (same state hash before and after) and no message or
 * order to another actor (CROSSING_IMPORTS), in path order: polling requests, rejected messages. `limit` bounds the result; the walk itself streams.
 */
export function noOps(store: ChainStore, head: Hash, opts: { limit?: number; includeErrors?: boolean } = {}): NoOp[] {
  const top = entryOrThrow(store, head);
  const out: NoOp[] = [];
  let call: StoredEntry | undefined;
  let crossed = false;
  const it = store.history.path(top.id);
  try {
    for (const e of it) {
      if (e.kind === 'call') {
        call = e;
        crossed = false;
      } else if (e.kind === 'import' && CROSSING_IMPORTS.has(e.fn)) crossed = true;
      else if ((e.kind === 'return' || (opts.includeErrors && e.kind === 'error')) && call) {
        if (!crossed && hashEquals(call.state, e.state)) out.push({ call: strip(call), end: strip(e) });
        call = undefined;
        if (opts.limit !== undefined && out.length >= opts.limit) break;
      }
    }
  } finally {
    it.return?.();
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
 * the first state whose value there differs. Only entries whose state hash changes are decoded.
 */
export function whoWrote(store: ChainStore, at: Hash, path: readonly PathSegment[]): WhoWrote {
  const top = entryOrThrow(store, at);
  const it = store.history.path(top.id, { descending: true });
  let value: unknown;
  let first = true;
  let writer: StoredEntry | undefined;
  let stateHash: Hash | null | undefined;
  let previous: unknown;
  let call: StoredEntry | undefined;
  let lastWithValue: StoredEntry | undefined;
  try {
    for (const e of it) {
      if (first) {
        value = stateValue(e.stateBytes, path);
        stateHash = e.state;
        lastWithValue = e;
        first = false;
        continue;
      }
      if (writer && e.kind === 'call') {
        call = strip(e);
        break;
      }
      if (writer) continue;
      if (hashEquals(e.state, stateHash ?? null)) {
        lastWithValue = e;
        continue;
      }
      const v = stateValue(e.stateBytes, path);
      stateHash = e.state;
      if (JSON.stringify(v) !== JSON.stringify(value)) {
        writer = strip(lastWithValue!);
        previous = v;
        if (e.kind === 'call') call = strip(e);
        if (call || writer.kind !== 'return') break;
      } else lastWithValue = e;
    }
  } finally {
    it.return?.();
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
export function followMessage(store: ChainStore, hash: Hash): MessageLink {
  const e = entryOrThrow(store, hash);
  if (e.kind === 'import' && SENDS.has(e.fn) && e.parent) {
    const received = store.history.causedBy(e.parent).find((c) => c.kind === 'call');
    return { sent: e, received, answered: received && endOf(store, received) };
  }
  let call: StoredEntry | undefined = e.kind === 'call' ? e : undefined;
  if (e.kind === 'return' || e.kind === 'error') call = callOf(store, e);
  if (!call?.cause) return { sent: undefined, received: call, answered: call && endOf(store, call) };
  const sent = store.history
    .children(entryOrThrow(store, call.cause).id)
    .find((c) => c.kind === 'import' && SENDS.has(c.fn));
  return { sent, received: call, answered: endOf(store, call) };
}

/** The return/error that ends a call (its first such descendant on any branch). */
function endOf(store: ChainStore, call: StoredEntry): StoredEntry | undefined {
  let cur: StoredEntry | undefined = call;
  for (let i = 0; cur && i < 100_000; i++) {
    const kids = store.history.children(cur.id);
    cur = kids[0];
    if (cur && (cur.kind === 'return' || cur.kind === 'error')) return cur;
    if (cur && cur.kind !== 'import') return undefined;
  }
  return undefined;
}

function callOf(store: ChainStore, end: StoredEntry): StoredEntry | undefined {
  let cur: StoredEntry | undefined = end;
  while (cur?.parent) {
    cur = store.entry(cur.parent, cur.actor);
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
export function causalLinks(store: ChainStore, hash: Hash): CausalLinks {
  const e = entryOrThrow(store, hash);
  const crossingChild = (of: StoredEntry) =>
    store.history
      .children(of.id)
      .find((c) => c.actor === of.actor && c.kind === 'import' && CROSSING_IMPORTS.has(c.fn));
  let causedBy: StoredEntry | undefined;
  if (e.cause) {
    const c = store.entry(e.cause);
    if (c && c.actor !== e.actor) causedBy = crossingChild(c) ?? c;
  }
  const elsewhere = (x: StoredEntry) => x.actor !== e.actor;
  let effects: StoredEntry[] = [];
  if (e.kind === 'import' && CROSSING_IMPORTS.has(e.fn)) {
    if (e.parent) effects = store.history.causedBy(e.parent).filter(elsewhere);
  } else if (!crossingChild(e)) {
    // What this entry caused itself (an error or stop its supervisor hears of), unless a crossing import made right
    // after it explains the effects.
    effects = store.history.causedBy(e.hash).filter(elsewhere);
  }
  return { causedBy, effects };
}
