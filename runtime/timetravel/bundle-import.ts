/**
 * Imports a bundle. Every record is checked as it is read — blob bytes against their hashes, each entry's hash
 * recomputed from its fields, each parent link, the count and the end digest — and everything is written inside
 * ONE store transaction that is rolled back on the first problem: other readers never see a partial import, and
 * a refused bundle leaves the database exactly as it was. Entries keep their hashes, so permalinks survive.
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
import type { ChainStore } from '../store/index.ts';
import { BUNDLE_FORMAT, BundleError, BundleReader, type BundleRecord } from './bundle-format.ts';

export interface ImportOptions {
  /** Import onto this branch name instead of the bundle's. */
  readonly as?: string;
  /** Refuse files larger than this (default 16 GiB). */
  readonly maxBytes?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Branches a running actor appends to (ActorSystem.importBundle passes its own): importing onto one would move
   * its head under the running actor and orphan the actor's next entries. A bundle for such a branch lands on a
   * branch of its own (`<branch>-import-N`); one imported `as` such a branch is refused.
   */
  readonly live?: (actor: string, branch: string) => boolean;
}

export interface ImportResult {
  readonly actor: string;
  readonly branch: string;
  readonly entries: number;
  /** Entries that were already in the database (identical history). */
  readonly existing: number;
  readonly blobs: number;
  readonly head: string;
  readonly bytes: number;
}

const BATCH = 4096;

type TimedEntry = Entry & { readonly ts: number };

export function importBundle(store: ChainStore, file: string, o: ImportOptions = {}): ImportResult {
  const r = new BundleReader(file, o.maxBytes ?? 16 * 1024 ** 3);
  try {
    return store.transaction(() => readInto(store, r, o));
  } finally {
    r.close();
  }
}

function readInto(store: ChainStore, r: BundleReader, o: ImportOptions): ImportResult {
  const header = r.next();
  if (!header || header.t !== 'header') throw new BundleError('the bundle has no header record');
  if (header.format !== BUNDLE_FORMAT)
    throw new BundleError(`bundle format ${String(header.format)}; this build reads ${BUNDLE_FORMAT}`);
  const actor = str(header.actor, 'header.actor');
  let branch = o.as ?? str(header.branch, 'header.branch');
  if (o.live?.(actor, branch)) {
    if (o.as !== undefined)
      throw new BundleError(
        `${actor} is running on branch ${branch}: importing onto it would move the branch under the running actor. ` +
          'Import under another name, or stop the actor first.',
      );
    branch = freeBranchName(store, actor, `${branch}-import`);
  }
  const promised = Number(header.entries);
  const base = hashOrNull(header.base, 'header.base');

  let prev: Hash | null = base;
  let prevSeq: number | null = null;
  let lastGood: string | null = null;
  let count = 0;
  let existing = 0;
  let started = false;
  let blobs: { hash: Hash; bytes: Uint8Array }[] = [];
  let entries: TimedEntry[] = [];
  let blobCount = 0;
  let component: { hash: Hash; bytes: Uint8Array } | undefined;
  const flush = () => {
    if (entries.length === 0) return;
    if (!started) startBranch(store, actor, branch, entries[0]!.parent);
    started = true;
    store.appendBatches([{ actor, branch, entries, blobs }]);
    [entries, blobs] = [[], []];
  };

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
      if (rec.t === 'component') {
        if (header.component !== null && toHex(hash) !== header.component) {
          throw new BundleError(
            `the embedded component hashes to ${toHex(hash)}, the header says ${String(header.component)}`,
          );
        }
        component = { hash, bytes };
      } else blobs.push({ hash, bytes });
      blobCount++;
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
      break;
    }
    if (rec.t !== 'entry') throw new BundleError(`unknown record type ${JSON.stringify(rec.t)} at #${r.records}`);
    const e = toEntry(rec, actor);
    const name = toHex(e.hash);
    if (!hashEquals(e.parent, prev)) throw new BundleError(`entry ${name}: its parent is not the previous entry`, name);
    if (prevSeq !== null && e.seq !== prevSeq + 1)
      throw new BundleError(`entry ${name}: seq ${e.seq} after ${prevSeq}`, name);
    if (prevSeq === null && base === null && e.seq !== 0)
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
    if (!started && entries.length === 0 && store.entry(e.hash, actor)) {
      existing++; // identical history already here: nothing to write, the branch will just point further on
      blobs = []; // its blobs are here too
      continue;
    }
    entries.push(e);
    if (entries.length >= BATCH) flush();
    if (count % BATCH === 0) o.onProgress?.(count, promised);
  }
  // The digest is checked before the last batch is written, so a damaged tail cannot slip in.
  flush();
  if (!started && prev) startBranch(store, actor, branch, prev);
  // The component is stored as a blob keyed by its SHA-256, which is exactly how replay looks it up.
  if (component) store.appendBatches([{ actor, branch, entries: [], blobs: [component] }]);
  if (header.component) store.upsertActor({ id: actor, component: String(header.component) });
  o.onProgress?.(count, promised);
  return { actor, branch, entries: count, existing, blobs: blobCount, head: prev ? toHex(prev) : '', bytes: r.size };
}

/** Where the bundle's new entries attach: an existing branch must end exactly there; a new one is created there. */
function startBranch(store: ChainStore, actor: string, branch: string, at: Hash | null): void {
  const row = store.branches(actor).find((b) => b.name === branch);
  if (row) {
    if (!hashEquals(row.head, at)) {
      throw new BundleError(
        `branch ${actor}/${branch} here has head ${row.head ? toHex(row.head).slice(0, 16) : 'none'}, but the bundle continues ` +
          `${at ? toHex(at).slice(0, 16) : 'the root'}: they diverged. Import it under another name (--as <branch>).`,
      );
    }
    return;
  }
  if (at === null) return; // appending creates the branch
  if (!store.entry(at, actor)) {
    throw new BundleError(
      `the bundle continues entry ${toHex(at)}, which this database does not have; import the earlier part first`,
    );
  }
  store.createBranch(actor, branch, at);
}

function freeBranchName(store: ChainStore, actor: string, base: string): string {
  const taken = new Set(store.branches(actor).map((b) => b.name));
  let n = 1;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
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
