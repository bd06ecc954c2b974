/**
 * StoredEntry → the contract's views: small rows for lists, decoded payloads only for the one selected entry.
 * Payload blobs are read a page at a time (`payloads`), never one read per row: on a hub each read is a round trip.
 */
import {
  bytesAsJson,
  type ChainReader,
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

/** Blobs by hex hash, read beforehand for a page of entries. */
export type Blobs = ReadonlyMap<string, Uint8Array>;

/** The contract's name for an actor of this reader (a hub qualifies it with its node). */
export type ActorName = (actor: string) => string;
export const sameName: ActorName = (a) => a;

/** The input and output blobs of a page of entries, in one read: what their summaries and searches decode. */
export function payloads(reader: ChainReader, entries: readonly StoredEntry[]): Promise<Map<string, Uint8Array>> {
  const hashes: Hash[] = [];
  for (const e of entries) {
    if (e.input) hashes.push(e.input);
    if (e.output) hashes.push(e.output);
  }
  return reader.blobs(hashes);
}

export function entryView(e: StoredEntry, noop: boolean, blobs: Blobs, name: ActorName = sameName): EntryView {
  return {
    hash: toHex(e.hash),
    parent: hx(e.parent),
    actor: name(e.actor),
    seq: e.seq,
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    origin: e.origin,
    cause: hx(e.cause),
    state: hx(e.state),
    branch: e.branch,
    ts: e.ts,
    summary: summarizeEntry(e, (h) => blobs.get(toHex(h))),
    noop,
  };
}

/** A recorded canonical value as display JSON; a missing or undecodable blob says so instead of throwing. */
export function decodedValue(blobs: Blobs, h: Hash | null): unknown {
  if (!h) return null;
  const bytes = blobs.get(toHex(h));
  if (!bytes) return { missing: toHex(h) };
  try {
    return toDisplay(decode(bytes));
  } catch (e) {
    return { undecodable: toHex(h), reason: (e as Error).message };
  }
}

/** Where a message went (from a send/request import) or came from (from a call another actor caused). */
export interface CausalLinks {
  readonly effects: EntryDetail['effects'];
  readonly causedBy: EntryDetail['causedBy'];
}

export async function entryDetail(
  reader: ChainReader,
  e: StoredEntry,
  noop: boolean,
  links: CausalLinks,
  name: ActorName = sameName,
): Promise<EntryDetail> {
  const blobs = await payloads(reader, [e]);
  return {
    ...entryView(e, noop, blobs, name),
    input: decodedValue(blobs, e.input),
    output: decodedValue(blobs, e.output),
    ...links,
  };
}

export async function stateView(reader: ChainReader, state: Hash | null): Promise<StateView> {
  if (!state) return { hash: null, size: 0 };
  const bytes = await reader.blob(state);
  if (!bytes) throw notFound(`state blob ${toHex(state)} is not in the store`);
  const json = bytesAsJson(bytes);
  return json !== undefined
    ? { hash: toHex(state), size: bytes.length, json }
    : { hash: toHex(state), size: bytes.length, hex: toHex(bytes) };
}

/** Lower-cased text of an entry's decoded input and output, for the entry list's full-text search. */
export function searchText(e: StoredEntry, blobs: Blobs): string {
  const parts = [
    e.iface,
    e.fn,
    JSON.stringify(decodedValue(blobs, e.input)),
    JSON.stringify(decodedValue(blobs, e.output)),
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

export async function requireEntry(reader: ChainReader, hash: string, actor?: string): Promise<StoredEntry> {
  const e = await reader.entry(parseHash(hash), actor);
  if (!e) throw notFound(`no entry ${hash}`);
  return e;
}
