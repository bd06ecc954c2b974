/** StoredEntry → the contract's views: small rows for lists, decoded payloads only for the one selected entry. */
import {
  bytesAsJson,
  causalLinks,
  type ChainStore,
  decode,
  fromHex,
  type Hash,
  type StoredEntry,
  summarizeEntry,
  toDisplay,
  toHex,
} from '../../runtime/index.ts';
import type { EntryDetail, EntryView, StateView } from '../contract.ts';
import { badRequest, notFound } from './api-error.ts';

const hx = (h: Hash | null): string | null => (h ? toHex(h) : null);

export function entryView(store: ChainStore, e: StoredEntry, noop: boolean): EntryView {
  return {
    hash: toHex(e.hash),
    parent: hx(e.parent),
    actor: e.actor,
    seq: e.seq,
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    origin: e.origin,
    cause: hx(e.cause),
    state: hx(e.state),
    branch: e.branch,
    ts: e.ts,
    summary: summarizeEntry(e, (h) => store.blob(h)),
    noop,
  };
}

/** A recorded canonical value as display JSON; a missing or undecodable blob says so instead of throwing. */
export function decodedValue(store: ChainStore, h: Hash | null): unknown {
  if (!h) return null;
  const bytes = store.blob(h);
  if (!bytes) return { missing: toHex(h) };
  try {
    return toDisplay(decode(bytes));
  } catch (e) {
    return { undecodable: toHex(h), reason: (e as Error).message };
  }
}

export function entryDetail(store: ChainStore, e: StoredEntry, noop: boolean): EntryDetail {
  return {
    ...entryView(store, e, noop),
    input: decodedValue(store, e.input),
    output: decodedValue(store, e.output),
    ...causalLinksOf(store, e),
  };
}

const link = (x: StoredEntry) => ({ actor: x.actor, hash: toHex(x.hash) });

/**
 * Where this entry's effect went in other actors (a message's call; a child's start, stop or restart; a supervisor's
 * handle-child-error/exit) and what caused it there.
 */
function causalLinksOf(store: ChainStore, e: StoredEntry): Pick<EntryDetail, 'effects' | 'causedBy'> {
  const l = causalLinks(store, e.hash);
  return { effects: l.effects.map(link), causedBy: l.causedBy ? link(l.causedBy) : null };
}

export function stateView(store: ChainStore, state: Hash | null): StateView {
  if (!state) return { hash: null, size: 0 };
  const bytes = store.blob(state);
  if (!bytes) throw notFound(`state blob ${toHex(state)} is not in the store`);
  const json = bytesAsJson(bytes);
  return json !== undefined
    ? { hash: toHex(state), size: bytes.length, json }
    : { hash: toHex(state), size: bytes.length, hex: toHex(bytes) };
}

/** Lower-cased text of an entry's decoded input and output, for the entry list's full-text search. */
export function searchText(store: ChainStore, e: StoredEntry): string {
  const parts = [
    e.iface,
    e.fn,
    JSON.stringify(decodedValue(store, e.input)),
    JSON.stringify(decodedValue(store, e.output)),
  ];
  return parts.join('\n').toLowerCase();
}

export function parseHash(h: string): Hash {
  try {
    return fromHex(h);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

export function entryById(store: ChainStore, actor: string, id: number): StoredEntry | undefined {
  return store.entries({ actor, afterId: id - 1, limit: 1 })[0];
}

export function requireEntry(store: ChainStore, hash: string): StoredEntry {
  const e = store.entry(parseHash(hash));
  if (!e) throw notFound(`no entry ${hash}`);
  return e;
}
