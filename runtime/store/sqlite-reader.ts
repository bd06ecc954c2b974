/**
 * The SQLite store behind the ChainReader interface (reader/chain-reader.ts): each method answers synchronously
 * from the store and returns a settled promise, so reading a local chain costs an `await` per page on top of what
 * it cost before. Walks and blob passes come a page at a time, with no statement left open between pages.
 */
import { toHex, type Hash } from '../chain/entry.ts';
import type {
  AuditReader,
  ChainReader,
  EntryInput,
  EntryRange,
  FnName,
  IndexRow,
  PathEntry,
  PathOptions,
} from '../reader/chain-reader.ts';
import type { ChainStore } from './chain-store.ts';
import type { ActorRow, BranchRow, StoredEntry } from './types.ts';

const readers = new WeakMap<ChainStore, SqliteReader>();

export class SqliteReader implements ChainReader {
  readonly audit: AuditReader;

  private constructor(readonly store: ChainStore) {
    const a = store.audit;
    this.audit = {
      leanEntries: async (actor, afterId, limit) =>
        a.leanEntries(actor === undefined ? null : (a.actorId(actor) ?? -1), afterId, limit),
      entryById: async (id) => a.entryById(id),
      blobById: async (id) => a.blobById(id),
      maxBlobId: async () => a.maxBlobId(),
      lastEntryId: async (actor) => a.lastEntryId(actor),
      actorNames: async () => a.actorNames(),
      fnNames: async () => a.fnNames(),
      blobs: () => pages(a.blobPages()),
      branches: async (actor) => a.branches(actor),
      actorId: async (actor) => a.actorId(actor),
    };
  }

  /** The reader of an open store (one per store). */
  static of(store: ChainStore): SqliteReader {
    let r = readers.get(store);
    if (!r) readers.set(store, (r = new SqliteReader(store)));
    return r;
  }

  get source(): string {
    return this.store.path;
  }

  async actors(): Promise<ActorRow[]> {
    return this.store.actors();
  }

  async branches(actor: string): Promise<BranchRow[]> {
    return this.store.branches(actor);
  }

  async liveBranch(actor: string): Promise<string> {
    return this.store.liveBranch(actor);
  }

  async head(actor: string, branch?: string): Promise<StoredEntry | undefined> {
    return this.store.head(actor, branch);
  }

  async entry(hash: Hash, actor?: string): Promise<StoredEntry | undefined> {
    return this.store.entry(hash, actor);
  }

  async entriesByIds(ids: readonly number[]): Promise<(StoredEntry | undefined)[]> {
    return ids.map((id) => this.store.entryById(id));
  }

  async entryInputs(ids: readonly number[]): Promise<(EntryInput | undefined)[]> {
    return this.store.entryInputs(ids);
  }

  async entriesByPrefix(hexPrefix: string, actor?: string): Promise<StoredEntry[]> {
    return this.store.entriesByPrefix(hexPrefix, actor);
  }

  async entries(range: EntryRange): Promise<StoredEntry[]> {
    return this.store.entries(range);
  }

  async countEntries(actor?: string): Promise<number> {
    return this.store.countEntries(actor);
  }

  async blob(hash: Hash): Promise<Uint8Array | undefined> {
    return this.store.blob(hash);
  }

  async blobs(hashes: readonly Hash[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const h of hashes) {
      const key = toHex(h);
      if (out.has(key)) continue;
      const b = this.store.blob(h);
      if (b) out.set(key, b);
    }
    return out;
  }

  async indexRows(actor: string, afterId: number, limit: number): Promise<IndexRow[]> {
    return this.store.indexRows(actor, afterId, limit);
  }

  async ancestorRows(id: number, count: number): Promise<IndexRow[]> {
    return this.store.ancestorRows(id, count);
  }

  async fnNames(): Promise<Map<number, FnName>> {
    return this.store.fnNames();
  }

  async branchNames(actor: string): Promise<Map<number, string>> {
    return this.store.branchNames(actor);
  }

  async hashesOf(ids: readonly number[]): Promise<(Hash | undefined)[]> {
    return ids.map((id) => this.store.hashOf(id));
  }

  async stateIdOf(entryId: number): Promise<number | null | undefined> {
    return this.store.stateIdOf(entryId);
  }

  path(headId: number, opts?: PathOptions): AsyncIterable<readonly PathEntry[]> {
    return pages(this.store.history.pathPages(headId, opts));
  }

  async causedBy(hash: Hash): Promise<StoredEntry[]> {
    return this.store.history.causedBy(hash);
  }

  async children(id: number): Promise<StoredEntry[]> {
    return this.store.history.children(id);
  }

  /** One read transaction for all of `fn` (a verify: its blob pass and its entry walk see the same db). */
  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    const end = this.store.beginSnapshot();
    try {
      return await fn();
    } finally {
      end();
    }
  }
}

/** A synchronous page generator as an async one; `break` in the consumer closes the underlying one too. */
async function* pages<T>(it: IterableIterator<T[]>): AsyncGenerator<readonly T[]> {
  yield* it;
}
