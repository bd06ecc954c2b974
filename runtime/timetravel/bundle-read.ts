/**
 * Reading a bundle with every check done as the records go by — blob bytes against their hashes, each entry's hash
 * recomputed from its fields, each parent link and seq, the promised count and the end digest — so that import
 * (which writes into a store) and a chain test (which replays a bundle without any store) trust exactly the same
 * things. A record is only handed on once it passed; the end record's checks run before the generator returns.
 */
import {
  ENTRY_KINDS,
  ORIGINS,
  entryHash,
  hashEquals,
  sha256,
  toHex,
  type Entry,
  type EntryKind,
  type Hash,
  type Origin,
} from '../chain/entry.ts';
import type { PathEntry } from '../reader/chain-reader.ts';
import { BUNDLE_FORMAT, BundleError, BundleReader, type BundleRecord } from './bundle-format.ts';

export type TimedEntry = Entry & { readonly ts: number };

export interface BundleHeader {
  readonly actor: string;
  readonly branch: string;
  /** The parent of the first entry: null when the bundle starts at the root, else the entry a range continues. */
  readonly base: Hash | null;
  readonly entries: number;
  /** sha256 hex of the component that recorded the chain, when known. */
  readonly component: string | null;
}

export type VerifiedRecord =
  | { readonly t: 'blob'; readonly hash: Hash; readonly bytes: Uint8Array }
  | { readonly t: 'component'; readonly hash: Hash; readonly bytes: Uint8Array }
  | { readonly t: 'entry'; readonly entry: TimedEntry; readonly count: number };

export function readHeader(r: BundleReader): BundleHeader {
  const header = r.next();
  if (!header || header.t !== 'header') throw new BundleError('the bundle has no header record');
  if (header.format !== BUNDLE_FORMAT)
    throw new BundleError(`bundle format ${String(header.format)}; this build reads ${BUNDLE_FORMAT}`);
  const component = header.component;
  if (component !== null && component !== undefined && typeof component !== 'string')
    throw new BundleError('header.component is not a string');
  return {
    actor: str(header.actor, 'header.actor'),
    branch: str(header.branch, 'header.branch'),
    base: hashOrNull(header.base, 'header.base'),
    entries: Number(header.entries),
    component: component ?? null,
  };
}

/** The records after the header, each checked; returns once the end record checked out (and nothing follows it). */
export function* verifiedRecords(r: BundleReader, header: BundleHeader): Generator<VerifiedRecord, void> {
  const promised = header.entries;
  let prev: Hash | null = header.base;
  let prevSeq: number | null = null;
  let lastGood: string | null = null;
  let count = 0;
  for (;;) {
    let rec: BundleRecord | undefined;
    try {
      rec = r.next();
    } catch (e) {
      throw new BundleError(
        `${(e as Error).message}; last good entry ${lastGood ?? 'none'} (#${count} of ${promised})`,
        nextEntryName(lastGood),
      );
    }
    if (!rec)
      throw new BundleError(
        `truncated: the file ends after ${count} of ${promised} entries, with no end record`,
        nextEntryName(lastGood),
      );
    if (rec.t === 'component' || rec.t === 'blob') {
      const bytes = rec.bytes;
      if (!(bytes instanceof Uint8Array)) throw new BundleError(`${rec.t} record #${r.records} has no bytes`);
      const hash = sha256(bytes);
      if (rec.t === 'component' && header.component !== null && toHex(hash) !== header.component) {
        throw new BundleError(
          `the embedded component hashes to ${toHex(hash)}, the header says ${String(header.component)}`,
        );
      }
      yield { t: rec.t, hash, bytes };
      continue;
    }
    if (rec.t === 'end') {
      if (count !== promised || Number(rec.entries) !== count) {
        throw new BundleError(
          `the bundle holds ${count} entries; its header says ${promised}, its end record ${String(rec.entries)}`,
        );
      }
      if (!(rec.digest instanceof Uint8Array) || !hashEquals(rec.digest, r.digestSoFar())) {
        throw new BundleError("the end record's digest does not match the bytes before it: the file was altered");
      }
      if (r.next() !== undefined) throw new BundleError('bytes after the end record');
      return;
    }
    if (rec.t !== 'entry') throw new BundleError(`unknown record type ${JSON.stringify(rec.t)} at #${r.records}`);
    const e = toEntry(rec, header.actor);
    const name = toHex(e.hash);
    if (!hashEquals(e.parent, prev)) throw new BundleError(`entry ${name}: its parent is not the previous entry`, name);
    if (prevSeq !== null && e.seq !== prevSeq + 1)
      throw new BundleError(`entry ${name}: seq ${e.seq} after ${prevSeq}`, name);
    if (prevSeq === null && header.base === null && e.seq !== 0)
      throw new BundleError(`entry ${name}: a root entry must have seq 0`, name);
    const recomputed = entryHash(e.parent, e);
    if (!hashEquals(recomputed, e.hash)) {
      throw new BundleError(
        `entry ${name} (#${count}): its fields hash to ${toHex(recomputed)}, not to its hash — tampered`,
        name,
      );
    }
    count++;
    [prev, prevSeq, lastGood] = [e.hash, e.seq, name];
    yield { t: 'entry', entry: e, count };
  }
}

/** A bundle read whole and checked: its entries with their payloads, in path order, ready to fold. */
export interface LoadedBundle {
  readonly header: BundleHeader;
  readonly entries: readonly PathEntry[];
  /** The embedded component's bytes, when the bundle carries them. */
  readonly component: Uint8Array | null;
  readonly bytes: number;
}

/**
 * Reads and verifies a whole bundle into memory (a chain test's bundle is a range of a few hundred entries; the
 * limit keeps a mistaken path to a huge file from eating the machine). Nothing is returned unless every check
 * passed: a test never replays half of an altered file.
 */
export function loadBundle(file: string, maxBytes = 256 * 1024 * 1024): LoadedBundle {
  const r = new BundleReader(file, maxBytes);
  try {
    const header = readHeader(r);
    const blobs = new Map<string, Uint8Array>();
    const entries: PathEntry[] = [];
    let component: Uint8Array | null = null;
    const bytesOf = (h: Hash | null, what: string, entry: string): Uint8Array | null => {
      if (!h) return null;
      const b = blobs.get(blobKey(h));
      if (!b) throw new BundleError(`entry ${entry}: its ${what} blob ${toHex(h)} is not in the bundle`, entry);
      return b;
    };
    for (const rec of verifiedRecords(r, header)) {
      if (rec.t === 'blob') blobs.set(blobKey(rec.hash), rec.bytes);
      else if (rec.t === 'component') component = rec.bytes;
      else {
        const e = rec.entry;
        const name = toHex(e.hash);
        entries.push({
          ...e,
          id: rec.count,
          branch: header.branch,
          inputBytes: bytesOf(e.input, 'input', name),
          outputBytes: bytesOf(e.output, 'output', name),
          stateBytes: bytesOf(e.state, 'state', name),
        });
      }
    }
    return { header, entries, component, bytes: r.size };
  } finally {
    r.close();
  }
}

function blobKey(h: Hash): string {
  return Buffer.from(h).toString('latin1');
}

function nextEntryName(lastGood: string | null): string | null {
  return lastGood === null ? '(the first entry)' : `(the entry after ${lastGood})`;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new BundleError(`${what} is not a string`);
  return v;
}

function hashOrNull(v: unknown, what: string): Hash | null {
  if (v === null || v === undefined) return null;
  if (!(v instanceof Uint8Array) || v.length !== 32) throw new BundleError(`${what} is not a 32-byte hash`);
  return v;
}

function toEntry(rec: BundleRecord, actor: string): TimedEntry {
  const hash = hashOrNull(rec.hash, 'entry.hash');
  if (!hash) throw new BundleError(`entry record #? has no hash`);
  const name = toHex(hash);
  const bad = (why: string) => new BundleError(`entry ${name}: ${why}`, name);
  if (rec.actor !== actor) throw bad(`belongs to actor ${String(rec.actor)}, the bundle is ${actor}'s`);
  if (!ENTRY_KINDS.includes(rec.kind as EntryKind)) throw bad(`unknown kind ${String(rec.kind)}`);
  if (rec.origin !== null && !ORIGINS.includes(rec.origin as Origin)) throw bad(`unknown origin ${String(rec.origin)}`);
  if (typeof rec.seq !== 'number' || typeof rec.iface !== 'string' || typeof rec.fn !== 'string')
    throw bad('malformed fields');
  return {
    hash,
    parent: hashOrNull(rec.parent, 'entry.parent'),
    actor,
    seq: rec.seq,
    kind: rec.kind as EntryKind,
    iface: rec.iface,
    fn: rec.fn,
    input: hashOrNull(rec.input, 'entry.input'),
    output: hashOrNull(rec.output, 'entry.output'),
    state: hashOrNull(rec.state, 'entry.state'),
    cause: hashOrNull(rec.cause, 'entry.cause'),
    origin: (rec.origin ?? null) as Origin | null,
    ts: typeof rec.ts === 'number' ? rec.ts : 0,
  };
}
