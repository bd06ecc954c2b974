/**
 * Imports a bundle. Every record is checked as it is read — blob bytes against their hashes, each entry's hash
 * recomputed from its fields, each parent link, the count and the end digest — and everything is written inside
 * ONE store transaction that is rolled back on the first problem: other readers never see a partial import, and
 * a refused bundle leaves the database exactly as it was. Entries keep their hashes, so permalinks survive.
 */
import { hashEquals, toHex, type Hash } from '../chain/entry.ts';
import type { ChainStore } from '../store/index.ts';
import { BundleError, BundleReader } from './bundle-format.ts';
import { readHeader, verifiedRecords, type TimedEntry } from './bundle-read.ts';

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
  /**
   * The branch the entries went to; when the bundle's branch is live here and every entry was here already, the
   * branch its head was recorded on (no branch is created for nothing new).
   */
  readonly branch: string;
  readonly entries: number;
  /** Entries that were already in the database (identical history). */
  readonly existing: number;
  readonly blobs: number;
  readonly head: string;
  readonly bytes: number;
}

const BATCH = 4096;

export function importBundle(store: ChainStore, file: string, o: ImportOptions = {}): ImportResult {
  const r = new BundleReader(file, o.maxBytes ?? 16 * 1024 ** 3);
  try {
    return store.transaction(() => readInto(store, r, o));
  } finally {
    r.close();
  }
}

function readInto(store: ChainStore, r: BundleReader, o: ImportOptions): ImportResult {
  const header = readHeader(r);
  const { actor } = header;
  let branch = o.as ?? header.branch;
  /** Whether `branch` is a name made up here (the bundle's own branch is live): worth creating only for new entries. */
  let ownBranch = false;
  if (o.live?.(actor, branch)) {
    if (o.as !== undefined)
      throw new BundleError(
        `${actor} is running on branch ${branch}: importing onto it would move the branch under the running actor. ` +
          'Import under another name, or stop the actor first.',
      );
    branch = freeBranchName(store, actor, `${branch}-import`);
    ownBranch = true;
  }
  const promised = header.entries;
  /** An actor this db has never seen: its live branch is the one imported (else it would name an empty `main`). */
  const newHere = store.branches(actor).length === 0;

  let prev: Hash | null = header.base;
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

  for (const rec of verifiedRecords(r, header)) {
    if (rec.t === 'component' || rec.t === 'blob') {
      if (rec.t === 'component') component = { hash: rec.hash, bytes: rec.bytes };
      else blobs.push({ hash: rec.hash, bytes: rec.bytes });
      blobCount++;
      continue;
    }
    const e = rec.entry;
    count = rec.count;
    prev = e.hash;
    if (!started && entries.length === 0 && store.entry(e.hash, actor)) {
      existing++; // identical history already here: nothing to write, the branch will just point further on
      blobs = []; // its blobs are here too
      continue;
    }
    entries.push(e);
    if (entries.length >= BATCH) flush();
    if (count % BATCH === 0) o.onProgress?.(count, promised);
  }
  // The digest is checked (by verifiedRecords, before it returns) before the last batch is written, so a damaged
  // tail cannot slip in.
  flush();
  // Nothing new: a branch of its own would only be an empty lane at an entry already here. The result names the
  // branch that entry was recorded on instead.
  const here = !started && ownBranch && prev ? store.entry(prev, actor) : undefined;
  if (here) branch = here.branch;
  else if (!started && prev) startBranch(store, actor, branch, prev);
  // The component is stored as a blob keyed by its SHA-256, which is exactly how replay looks it up.
  if (component) store.appendBatches([{ actor, branch, entries: [], blobs: [component] }]);
  if (header.component) store.upsertActor({ id: actor, component: header.component });
  if (newHere && prev) store.setLiveBranch(actor, branch);
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
