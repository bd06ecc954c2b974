/**
 * The chain store: entries, blobs, actors and branches in one SQLite file. Synchronous (better-sqlite3): a commit
 * of a few hundred entries takes well under a millisecond of CPU, and the actors run on worker threads anyway.
 *
 * Two kinds of connection: `open` is a writer's (the process must hold the db's writer lease, see
 * writer-lease.ts), `openReadOnly` a read-only one that any number of processes and threads may hold beside it.
 */
import type Database from 'better-sqlite3';
import { hashEquals, sha256, toHex, type Hash } from '../chain/entry.ts';
import type { IndexRow, PathEntry } from '../reader/chain-reader.ts';
import { openAudit, type Audit } from './audit.ts';
import { openHistory, type History } from './history.ts';
import { ENTRY_COLUMNS, ENTRY_FROM, buf, bytes, indexKey, toStoredEntry, type EntryRow } from './rows.ts';
import { KIND_CODES, ORIGIN_CODES, SHORT_HASH, SMALL_BLOB, openChainDb } from './schema.ts';
import {
  ChainConflictError,
  MAIN_BRANCH,
  type ActorInfo,
  type ActorRow,
  type AppendBatch,
  type BranchRow,
  type StoredEntry,
  storedStatus,
} from './types.ts';
import { WriterLease, readListeners, readWriterStatus, type ListenerRow, type WriterStatus } from './writer-lease.ts';

const SELECT_ENTRY = `SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM}`;
/** Enough to hold every blob a busy second of recording touches; cleared whole when full (cheap, good enough). */
const BLOB_ID_CACHE = 50_000;

export class ChainStore {
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly queryCache = new Map<string, Database.Statement>();
  // Name → id caches. Ids of rows inserted by a rolled-back transaction would be wrong, so they are cleared then.
  private readonly actorIds = new Map<string, number>();
  private readonly fnIds = new Map<string, number>();
  /**
   * Hot-path caches, also cleared on rollback: recently stored blob ids by hash (states and log results repeat call
   * after call), and each branch's head as of our last append (we are the only writer of our own appends).
   */
  private readonly blobIds = new Map<string, number>();
  private readonly heads = new Map<string, { id: number; head: HeadRow | undefined }>();
  /** Diagnostics for verify; same connection, same file. */
  readonly audit: Audit;
  /** Path walks and causal lookups for time travel; same connection. */
  readonly history: History;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    /** false: a read-only connection (SQLite refuses every write on it). */
    readonly writable: boolean,
    /** A lease this store took for itself (see `open`), released when it closes. */
    private readonly ownLease: WriterLease | undefined,
  ) {
    this.stmts = prepare(db);
    this.audit = openAudit(db);
    this.history = openHistory(db);
  }

  /**
   * A writer's connection: created and migrated if needed. Under `lease`, the db's writer lease this process holds
   * (an ActorSystem holds one for its lifetime); without one, the store takes the lease itself for as long as it is
   * open (one-shot writers: `theater fork`, `import`). Throws WriterBusyError, naming the holder, if another process
   * or another part of this one writes the db.
   */
  static open(path: string, opts: { readonly lease?: WriterLease } = {}): ChainStore {
    if (opts.lease && !opts.lease.covers(path))
      throw new Error(
        `the writer lease given is for ${opts.lease.db}, not ${path}${opts.lease.held ? '' : ' (released)'}`,
      );
    const own = opts.lease ? undefined : WriterLease.acquire(path);
    try {
      return new ChainStore(openChainDb(path, 'write'), path, true, own);
    } catch (e) {
      own?.release();
      throw e;
    }
  }

  /** A read-only connection to an existing db: never blocks or is blocked by the writer (WAL), never migrates. */
  static openReadOnly(path: string): ChainStore {
    return new ChainStore(openChainDb(path, 'read'), path, false, undefined);
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.ownLease?.release();
  }

  /** Who writes this db (see writer-lease.ts): the announced holder, and whether the lease is held right now. */
  writer(): WriterStatus {
    return readWriterStatus(this.db, this.path);
  }

  /** Where the writer's actors listen, as it announced (meaningful while `writer().live`). */
  listeners(): ListenerRow[] {
    return readListeners(this.db);
  }

  /**
   * Changes whenever another connection (any process, or another connection of this one) commits to the db: a
   * cheap way for a reader to notice new entries (PRAGMA data_version, one read of the WAL index).
   */
  dataVersion(): number {
    return this.stmts.dataVersion.get() as number;
  }

  /**
   * All batches in ONE transaction: either every entry is committed and every head moved, or nothing is.
   *
   * Foreign-key checks are off for this transaction (7 primary-key probes per entry, a third of its insert cost):
   * every id written here comes from a row this connection read or inserted (actorId, fnId, blobId, the branch
   * head), the id caches are dropped on rollback, and the store never deletes rows. Parent links are checked
   * below by hash and seq. Inside an enclosing transaction (bundle import, fork) the pragma cannot change and the
   * checks stay on.
   */
  appendBatches(batches: readonly AppendBatch[]): void {
    const checksOff = !this.db.inTransaction;
    if (checksOff) this.stmts.foreignKeysOff.run();
    try {
      this.db
        .transaction(() => {
          const branches = new Map<string, BranchAppend>();
          for (const b of batches) this.appendOne(b, branches);
          for (const br of branches.values()) this.moveHead(br);
        })
        .immediate();
    } catch (e) {
      this.forgetCaches();
      throw e;
    } finally {
      if (checksOff) this.stmts.foreignKeysOn.run();
    }
  }

  private forgetCaches(): void {
    this.actorIds.clear();
    this.fnIds.clear();
    this.blobIds.clear();
    this.heads.clear();
  }

  /**
   * Runs `fn` on one snapshot: every read in it sees the db as of its first read, whatever other connections
   * commit meanwhile. For a reader's work that spans many queries and must be consistent across them (verify
   * hashes every blob first, then walks the entries: an entry committed in between would reference a blob it never
   * read). A long snapshot only delays checkpoints; writers are never blocked by it (WAL).
   */
  snapshot<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn).deferred();
  }

  /**
   * `snapshot` for a reader whose work awaits between reads (ChainReader.snapshot): opens a read transaction and
   * takes its snapshot now (the first read does), and returns what ends it. Inside a transaction already, ends
   * nothing. Only for a connection nothing writes through meanwhile (a reader's own, read-only one).
   */
  beginSnapshot(): () => void {
    if (this.db.inTransaction) return () => {};
    this.db.exec('BEGIN DEFERRED');
    try {
      this.db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    return () => {
      if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
    };
  }

  /** Runs `fn` in one transaction (appends inside it become savepoints): on a throw nothing of it is written. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      this.forgetCaches();
      throw e;
    }
  }

  /** The branch a batch appends to, as this transaction has left it so far. */
  private branchAppend(actorId: number, b: AppendBatch, branches: Map<string, BranchAppend>): BranchAppend {
    const key = `${actorId}\0${b.branch}`;
    let br = branches.get(key);
    if (br) return br;
    let cached = this.heads.get(key);
    if (!cached) {
      const s = this.stmts;
      const row = s.branch.get(actorId, b.branch) as { id: number; head_id: number | null } | undefined;
      const id = row?.id ?? Number(s.insertBranch.run(actorId, b.branch, null, Date.now()).lastInsertRowid);
      const headId = row?.head_id ?? null;
      cached = { id, head: headId === null ? undefined : (s.headOf.get(headId) as HeadRow) };
    }
    br = {
      key,
      actor: b.actor,
      name: b.branch,
      id: cached.id,
      start: cached.head,
      head: cached.head,
      fresh: false,
      firstParent: undefined,
    };
    branches.set(key, br);
    return br;
  }

  /** Compare-and-set, once per branch per transaction: if another process moved the head since we read it, the
   *  whole transaction rolls back. */
  private moveHead(br: BranchAppend): void {
    if (br.head === br.start) return;
    if (this.stmts.moveHead.run(br.head!.id, br.id, br.start?.id ?? null).changes !== 1) {
      throw new ChainConflictError(br.actor, br.name, br.start ? bytes(br.start.hash) : null, br.firstParent ?? null);
    }
    this.heads.set(br.key, { id: br.id, head: br.head });
  }

  private appendOne(b: AppendBatch, branches: Map<string, BranchAppend>): void {
    const s = this.stmts;
    const actorId = this.actorId(b.actor);
    const branch = this.branchAppend(actorId, b, branches);
    // By object first: a batch's entries reference its blobs' own hash arrays (structured clone keeps that).
    const own = new Map<Hash, number>();
    for (const blob of b.blobs) own.set(blob.hash, this.blobId(blob.hash, blob.bytes));
    const ref = (h: Hash | null, what: string, entry: Hash): number | null => {
      if (h === null) return null;
      const id = own.get(h) ?? this.blobIds.get(blobKey(h)) ?? this.findBlob(h)?.id;
      if (id === undefined) throw new Error(`entry ${toHex(entry)} references blob ${toHex(h)} (${what}), not stored`);
      return id;
    };
    const head = branch.head;
    let prevHash: Hash | null = head ? bytes(head.hash) : null;
    let prevSeq = head ? head.seq : -1;
    let prevId: number | null = head ? head.id : null;
    // Once one entry is new, every later one is too: an entry's hash commits to its parent, so an existing entry
    // always has an existing parent. Likewise after an entry this transaction inserted: no one else can have
    // appended its child meanwhile (we hold the write lock), so the probe is skipped.
    let inserting = branch.fresh;
    for (const [i, e] of b.entries.entries()) {
      if (!hashEquals(e.parent, prevHash)) {
        if (i === 0) throw new ChainConflictError(b.actor, b.branch, prevHash, e.parent);
        throw new Error(`batch for ${b.actor}/${b.branch}: entry ${i}'s parent is not entry ${i - 1}`);
      }
      if (e.actor !== b.actor) throw new Error(`batch for ${b.actor} holds an entry of actor ${e.actor}`);
      if (e.seq !== prevSeq + 1) throw new Error(`entry ${toHex(e.hash)} has seq ${e.seq}, expected ${prevSeq + 1}`);
      // Identical history on two branches (or a re-imported bundle) hashes identically: the DAG stores each entry
      // once, and the branch head simply moves onto the existing row.
      const existing = inserting ? undefined : (s.entryId.get(indexKey(e.hash), buf(e.hash)) as number | undefined);
      if (existing !== undefined) {
        [prevId, prevHash, prevSeq] = [existing, e.hash, e.seq];
        continue;
      }
      const origin = e.origin === null ? null : ORIGIN_CODES[e.origin];
      prevId = Number(
        s.insertEntry.run(
          buf(e.hash),
          prevId,
          actorId,
          e.seq,
          KIND_CODES[e.kind],
          this.fnId(e.iface, e.fn),
          ref(e.input, 'input', e.hash),
          ref(e.output, 'output', e.hash),
          ref(e.state, 'state', e.hash),
          buf(e.cause),
          origin,
          e.ts,
          branch.id,
        ).lastInsertRowid,
      );
      prevHash = e.hash;
      prevSeq = e.seq;
      inserting = true;
    }
    if (b.entries.length === 0) return;
    branch.firstParent ??= b.entries[0]!.parent;
    branch.head = { id: prevId!, hash: buf(prevHash!), seq: prevSeq };
    branch.fresh = inserting;
  }

  private actorId(name: string): number {
    let id = this.actorIds.get(name);
    if (id === undefined) {
      id = this.stmts.actorId.get(name) as number | undefined;
      if (id === undefined) {
        const now = Date.now();
        id = Number(this.stmts.insertActor.run(name, now).lastInsertRowid);
        this.stmts.insertBranch.run(id, MAIN_BRANCH, null, now);
      }
      this.actorIds.set(name, id);
    }
    return id;
  }

  private fnId(iface: string, fn: string): number {
    const key = `${iface}\0${fn}`;
    let id = this.fnIds.get(key);
    if (id === undefined) {
      id = this.stmts.fnId.get(iface, fn) as number | undefined;
      id ??= Number(this.stmts.insertFn.run(iface, fn).lastInsertRowid);
      this.fnIds.set(key, id);
    }
    return id;
  }

  /** Rows whose index prefix matches, filtered to the one whose full hash is `hash`. */
  private findBlob(hash: Hash, withBytes = false): BlobCandidate | undefined {
    const stmt = withBytes ? this.stmts.blobCandidatesWithBytes : this.stmts.blobCandidates;
    for (const c of stmt.all(indexKey(hash)) as BlobCandidate[]) {
      if (c.hash.length === hash.length ? hashEquals(c.hash, hash) : hashEquals(sha256(c.small!), hash)) return c;
    }
    return undefined;
  }

  private blobId(hash: Hash, data: Uint8Array): number {
    const key = blobKey(hash);
    const cached = this.blobIds.get(key);
    if (cached !== undefined) return cached;
    let id = this.findBlob(hash)?.id;
    if (id === undefined) {
      // The one invariant everything else trusts: a blob's key is the SHA-256 of its bytes.
      if (!hashEquals(sha256(data), hash)) throw new Error(`blob ${toHex(hash)} does not hash to its key`);
      const stored = data.length <= SMALL_BLOB ? hash.subarray(0, SHORT_HASH) : hash;
      id = Number(this.stmts.insertBlob.run(buf(stored), buf(data)).lastInsertRowid);
    }
    if (this.blobIds.size >= BLOB_ID_CACHE) this.blobIds.clear();
    this.blobIds.set(key, id);
    return id;
  }

  /** Creates the actor (with an empty "main" branch) or updates the fields given; absent fields are kept. */
  upsertActor(info: ActorInfo): void {
    this.db
      .transaction(() => {
        const id = this.actorId(info.id);
        const { component = null, manifest = null, status = null, parent = null } = info;
        this.stmts.updateActor.run(component, manifest, status, parent, id);
      })
      .immediate();
  }

  actors(): ActorRow[] {
    const rows = this.stmts.actors.all() as (Omit<ActorRow, 'status'> & { status: string | null })[];
    return rows.map((r) => ({ ...r, status: storedStatus(r.status) }));
  }

  branches(actor: string): BranchRow[] {
    const rows = this.stmts.branches.all(actor) as (Omit<BranchRow, 'head' | 'base'> & BranchHashes)[];
    return rows.map((r) => ({ ...r, head: bytes(r.head), base: bytes(r.base) }));
  }

  /** Every branch of every actor with its head's row id and seq (a shipper moves a hub's heads with these). */
  branchHeads(): BranchHead[] {
    const rows = this.stmts.branchHeads.all() as (Omit<BranchHead, 'head' | 'base'> & BranchHashes)[];
    return rows.map((r) => ({ ...r, head: bytes(r.head), base: bytes(r.base) }));
  }

  /** The live branch's head unless a branch is named. */
  head(actor: string, branch?: string): StoredEntry | undefined {
    const row = this.stmts.head.get(actor, branch ?? this.liveBranch(actor)) as EntryRow | undefined;
    return row && toStoredEntry(row);
  }

  liveBranch(actor: string): string {
    return (this.stmts.liveBranch.get(actor) as string | undefined) ?? MAIN_BRANCH;
  }

  setLiveBranch(actor: string, branch: string): void {
    const r = this.stmts.setLive.run(branch, actor, branch);
    if (r.changes === 0) throw new Error(`actor ${actor} has no branch ${branch}`);
  }

  /** A fork: the new branch starts with its head at `baseHash`, an entry of the same actor. */
  createBranch(actor: string, name: string, baseHash: Hash): void {
    const base = this.entry(baseHash, actor);
    if (!base) throw new Error(`cannot create branch ${actor}/${name}: no entry ${toHex(baseHash)} of that actor`);
    this.db
      .transaction(() => {
        const actorId = this.actorId(actor);
        if (this.stmts.branch.get(actorId, name)) throw new Error(`branch ${actor}/${name} already exists`);
        const id = Number(this.stmts.insertBranch.run(actorId, name, base.id, Date.now()).lastInsertRowid);
        this.stmts.setHead.run(base.id, id);
      })
      .immediate();
  }

  entry(hash: Hash, actor?: string): StoredEntry | undefined {
    const row = this.stmts.entryByHash.get(indexKey(hash), buf(hash)) as EntryRow | undefined;
    if (!row || (actor !== undefined && row.actor !== actor)) return undefined;
    return toStoredEntry(row);
  }

  /** An entry by its row id, undefined when there is none. */
  entryById(id: number): StoredEntry | undefined {
    const row = this.stmts.entryById.get(id) as EntryRow | undefined;
    return row && toStoredEntry(row);
  }

  blob(hash: Hash): Uint8Array | undefined {
    const found = this.findBlob(hash, true);
    return found && bytes(found.small!);
  }

  /**
   * Committed entries after row id `afterId`, in id order, with their blobs' bytes (up to `limit`): what a shipper
   * reads to copy the chain elsewhere (runtime/hub/shipper.ts). Reads only: commits are not delayed by it beyond
   * SQLite's own locking, and it may run on its own connection in another thread.
   */
  committedSince(afterId: number, limit: number): PathEntry[] {
    return this.history.since(afterId, limit);
  }

  /** Entries whose hex hash starts with `hexPrefix` (≥ 4 hex digits), in insertion order. */
  entriesByPrefix(hexPrefix: string, actor?: string): StoredEntry[] {
    const p = hexPrefix.toLowerCase();
    if (!/^[0-9a-f]{4,64}$/.test(p)) throw new Error(`not a hash prefix (4 to 64 hex digits): ${hexPrefix}`);
    const lo = Buffer.from(p.slice(0, 8).padEnd(8, '0'), 'hex');
    const hi = Buffer.from(p.slice(0, 8).padEnd(8, 'f'), 'hex');
    const rows = this.stmts.byPrefix.all(lo, hi, `${p.toUpperCase()}%`) as EntryRow[];
    return rows.filter((r) => actor === undefined || r.actor === actor).map(toStoredEntry);
  }

  /** Insertion order. `branch` only narrows `actor`'s entries to those appended on that branch. */
  entries(opts: { actor?: string; branch?: string; afterId?: number; limit?: number }): StoredEntry[] {
    return this.entryQuery(opts, true)
      .all(...entryParams(opts, true))
      .map((r) => toStoredEntry(r as EntryRow));
  }

  /** Streams (one row in memory at a time). Don't call other store methods until the iterator is done. */
  *iterateEntries(opts: { actor?: string } = {}): IterableIterator<StoredEntry> {
    for (const r of this.entryQuery(opts, false).iterate(...entryParams(opts, false)))
      yield toStoredEntry(r as EntryRow);
  }

  private entryQuery(opts: { actor?: string; branch?: string; limit?: number }, paged: boolean): Database.Statement {
    const where = ['e.id > ?'];
    if (opts.actor !== undefined) where.push('a.name = ?');
    if (opts.branch !== undefined) where.push('br.name = ?');
    const sql = `${SELECT_ENTRY} WHERE ${where.join(' AND ')} ORDER BY e.id${paged ? ' LIMIT ?' : ''}`;
    let stmt = this.queryCache.get(sql);
    if (!stmt) this.queryCache.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  /**
   * An actor's entries after `afterId` as bare integers, no joins and no hashes: what an index over a million
   * entries needs, ~20x cheaper per row than `entries()`. Rows: [id, parentId, branchId, kind code, fnId, stateId].
   */
  indexRows(actor: string, afterId: number, limit: number): IndexRow[] {
    return this.stmts.indexRows.all(actor, afterId, limit) as IndexRow[];
  }

  /**
   * Up to `count` index rows walking parent links back from entry `id` (that entry first, then its parent, ...):
   * the newest stretch of a branch path, crossing fork points, without reading the rest of the chain.
   */
  ancestorRows(id: number, count: number): IndexRow[] {
    return this.stmts.ancestorRows.all(id, count) as IndexRow[];
  }

  /** Interface and function of every fns id (a handful of rows). */
  fnNames(): Map<number, { iface: string; fn: string }> {
    const out = new Map<number, { iface: string; fn: string }>();
    for (const r of this.stmts.fnNames.all() as { id: number; iface: string; fn: string }[]) out.set(r.id, r);
    return out;
  }

  /** Branch names of an actor by branch id. */
  branchNames(actor: string): Map<number, string> {
    return new Map((this.stmts.branchNames.all(actor) as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  }

  /** An entry's hash by id (the graph draws thousands: no joins, no payloads), undefined when there is none. */
  hashOf(entryId: number): Hash | undefined {
    const h = this.stmts.hashOf.get(entryId) as Buffer | undefined;
    return h && bytes(h);
  }

  /** The state blob id of an entry (null: no state), undefined when there is no such entry. */
  stateIdOf(entryId: number): number | null | undefined {
    const r = this.stmts.stateIdOf.get(entryId) as { state_id: number | null } | undefined;
    return r === undefined ? undefined : r.state_id;
  }

  countEntries(actor?: string): number {
    return (actor === undefined ? this.stmts.countAll.get() : this.stmts.countActor.get(actor)) as number;
  }

  /** The database's logical size (pages in use, including those still in the WAL). */
  dbSizeBytes(): number {
    return (
      (this.db.pragma('page_count', { simple: true }) as number) *
      (this.db.pragma('page_size', { simple: true }) as number)
    );
  }

  /** Moves the WAL into the main file (e.g. before measuring or copying the file). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/** The blob id cache's key: one character per hash byte (half the length of hex, and cheaper to make). */
function blobKey(h: Hash): string {
  return String.fromCharCode.apply(null, h as unknown as number[]);
}

function entryParams(
  opts: { actor?: string; branch?: string; afterId?: number; limit?: number },
  paged: boolean,
): unknown[] {
  const params: unknown[] = [opts.afterId ?? 0];
  if (opts.actor !== undefined) params.push(opts.actor);
  if (opts.branch !== undefined) params.push(opts.branch);
  if (paged) params.push(opts.limit ?? -1); // LIMIT -1: no limit
  return params;
}

interface BlobCandidate {
  id: number;
  hash: Buffer;
  /** The bytes, when the stored hash is a small blob's prefix (or when asked for). */
  small: Buffer | null;
}
export type { IndexRow };
interface HeadRow {
  id: number;
  hash: Buffer;
  seq: number;
}
/** One branch being appended to within one appendBatches transaction. */
interface BranchAppend {
  readonly key: string;
  readonly actor: string;
  readonly name: string;
  readonly id: number;
  /** The head when the transaction started (undefined: empty branch): what the compare-and-set expects. */
  readonly start: HeadRow | undefined;
  /** The head after the batches appended so far. */
  head: HeadRow | undefined;
  /** The first appended entry's parent (what a conflict error reports). */
  firstParent: Hash | null | undefined;
  /** The head is an entry this transaction inserted, so it has no children yet. */
  fresh: boolean;
}
export interface BranchHead {
  readonly actor: string;
  readonly branch: string;
  /** Row id of the head entry; null for a branch with no entries. */
  readonly headId: number | null;
  readonly head: Hash | null;
  /** The head's seq (null with no head). */
  readonly seq: number | null;
  readonly base: Hash | null;
}
interface BranchHashes {
  head: Buffer | null;
  base: Buffer | null;
}

function prepare(db: Database.Database) {
  const byHash = (alias: string) => `substr(${alias}.hash, 1, 4) = ? AND ${alias}.hash = ?`;
  return {
    actorId: db.prepare('SELECT id FROM actors WHERE name = ?').pluck(),
    insertActor: db.prepare('INSERT INTO actors (name, created) VALUES (?, ?)'),
    updateActor: db.prepare(`UPDATE actors SET component = coalesce(?, component), manifest = coalesce(?, manifest),
      status = coalesce(?, status), parent = coalesce(?, parent) WHERE id = ?`),
    fnId: db.prepare('SELECT id FROM fns WHERE iface = ? AND fn = ?').pluck(),
    insertFn: db.prepare('INSERT INTO fns (iface, fn) VALUES (?, ?)'),
    blobCandidates: db.prepare(`SELECT id, hash, CASE WHEN length(hash) < 32 THEN bytes END AS small
      FROM blobs WHERE substr(hash, 1, 4) = ?`),
    blobCandidatesWithBytes: db.prepare('SELECT id, hash, bytes AS small FROM blobs WHERE substr(hash, 1, 4) = ?'),
    insertBlob: db.prepare('INSERT INTO blobs (hash, bytes) VALUES (?, ?)'),
    branch: db.prepare('SELECT id, head_id FROM branches WHERE actor_id = ? AND name = ?'),
    insertBranch: db.prepare('INSERT INTO branches (actor_id, name, base_id, created) VALUES (?, ?, ?, ?)'),
    setHead: db.prepare('UPDATE branches SET head_id = ? WHERE id = ?'),
    moveHead: db.prepare('UPDATE branches SET head_id = ? WHERE id = ? AND head_id IS ?'),
    foreignKeysOff: db.prepare('PRAGMA foreign_keys = OFF'),
    foreignKeysOn: db.prepare('PRAGMA foreign_keys = ON'),
    headOf: db.prepare('SELECT id, hash, seq FROM entries WHERE id = ?'),
    insertEntry: db.prepare(`INSERT INTO entries (hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id,
      state_id, cause, origin, ts, branch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    entryByHash: db.prepare(`${SELECT_ENTRY} WHERE ${byHash('e')}`),
    entryId: db.prepare(`SELECT id FROM entries e WHERE ${byHash('e')}`).pluck(),
    entryById: db.prepare(`${SELECT_ENTRY} WHERE e.id = ?`),
    byPrefix: db.prepare(`${SELECT_ENTRY} WHERE substr(e.hash, 1, 4) BETWEEN ? AND ? AND hex(e.hash) LIKE ?
      ORDER BY e.id`),
    head: db.prepare(`${SELECT_ENTRY} WHERE e.id = (SELECT b.head_id FROM branches b JOIN actors x
      ON x.id = b.actor_id WHERE x.name = ? AND b.name = ?)`),
    liveBranch: db.prepare('SELECT live_branch FROM actors WHERE name = ?').pluck(),
    setLive: db.prepare(`UPDATE actors SET live_branch = ? WHERE name = ? AND EXISTS
      (SELECT 1 FROM branches b WHERE b.actor_id = actors.id AND b.name = ?)`),
    actors: db.prepare(`SELECT name AS id, live_branch AS liveBranch, component, manifest, status, parent,
      created FROM actors ORDER BY id`),
    branchHeads: db.prepare(`SELECT a.name AS actor, b.name AS branch, b.head_id AS headId, h.hash AS head,
      h.seq AS seq, bs.hash AS base FROM branches b JOIN actors a ON a.id = b.actor_id
      LEFT JOIN entries h ON h.id = b.head_id LEFT JOIN entries bs ON bs.id = b.base_id ORDER BY b.id`),
    branches: db.prepare(`SELECT a.name AS actor, b.name, h.hash AS head, bs.hash AS base, b.created
      FROM branches b JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id
      LEFT JOIN entries bs ON bs.id = b.base_id WHERE a.name = ? ORDER BY b.id`),
    indexRows: db
      .prepare(
        `SELECT id, parent_id, branch_id, kind, fn_id, state_id FROM entries
        WHERE actor_id = (SELECT id FROM actors WHERE name = ?) AND id > ? ORDER BY id LIMIT ?`,
      )
      .raw(),
    // The queue of a recursive CTE is FIFO, so rows come out in walk order (head first).
    ancestorRows: db
      .prepare(
        `WITH RECURSIVE up(id, parent_id, branch_id, kind, fn_id, state_id, n) AS (
          SELECT id, parent_id, branch_id, kind, fn_id, state_id, 1 FROM entries WHERE id = ?
          UNION ALL SELECT e.id, e.parent_id, e.branch_id, e.kind, e.fn_id, e.state_id, up.n + 1
            FROM up JOIN entries e ON e.id = up.parent_id WHERE up.n < ?)
        SELECT id, parent_id, branch_id, kind, fn_id, state_id FROM up`,
      )
      .raw(),
    fnNames: db.prepare('SELECT id, iface, fn FROM fns'),
    branchNames: db.prepare('SELECT b.id, b.name FROM branches b JOIN actors a ON a.id = b.actor_id WHERE a.name = ?'),
    stateIdOf: db.prepare('SELECT state_id FROM entries WHERE id = ?'),
    hashOf: db.prepare('SELECT hash FROM entries WHERE id = ?').pluck(),
    countAll: db.prepare('SELECT count(*) FROM entries').pluck(),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    countActor: db
      .prepare('SELECT count(*) FROM entries WHERE actor_id = (SELECT id FROM actors WHERE name = ?)')
      .pluck(),
  };
}
