/**
 * The chain store: entries, blobs, actors and branches in one SQLite file. Synchronous (better-sqlite3): a commit
 * of a few hundred entries takes well under a millisecond of CPU, and the actors run on worker threads anyway.
 *
 * Two kinds of connection: `open` is a writer's (the process must hold the db's writer lease, see
 * writer-lease.ts), `openReadOnly` a read-only one that any number of processes and threads may hold beside it.
 */
import type Database from 'better-sqlite3';
import { blobMatches, toHex, type Hash } from '../chain/entry.ts';
import type { ChainHead } from '../chain/builder.ts';
import { ChainAppender, type AppendResult, type EncodedAppend } from './append.ts';
import type { EntryInput, IndexRow, PathEntry } from '../reader/chain-reader.ts';
import { openAudit, type Audit } from './audit.ts';
import {
  HashIndex,
  type HashIndexLimits,
  SRC_BLOB,
  SRC_ENTRY,
  hasRuns,
  hashKey,
  idsWithKey,
  idsWithKeyBetween,
} from './hash-index.ts';
import { openHistory, type History } from './history.ts';
import { openPackedPages, type PackedPages } from './packed-pages.ts';
import { openCheckpoints, type Checkpoints } from './checkpoints.ts';
import { ENTRY_COLUMNS, ENTRY_FROM, blobHash, blobRef, buf, bytes, toStoredEntry, type EntryRow } from './rows.ts';
import { KEY_BYTES, openChainDb } from './schema.ts';
import {
  MAIN_BRANCH,
  type ActorInfo,
  type ActorRow,
  type AppendBatch,
  type BranchRow,
  type StoredEntry,
  storedStatus,
} from './types.ts';
import {
  WriterLease,
  checkClaim,
  readListeners,
  readWriterStatus,
  type LeaseClaim,
  type ListenerRow,
  type WriterStatus,
} from './writer-lease.ts';

const SELECT_ENTRY = `SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM}`;
const ACTOR_COLUMNS = 'name AS id, live_branch AS liveBranch, component, manifest, status, parent, created';

export class ChainStore {
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly queryCache = new Map<string, Database.Statement>();
  private readonly appender: ChainAppender;
  /** The runs that hash lookups probe; kept up to date by whoever writes (hash-index.ts). */
  readonly hashIndex: HashIndex;
  /** Diagnostics for verify; same connection, same file. */
  readonly audit: Audit;
  /** Path walks and causal lookups for time travel; same connection. */
  readonly history: History;
  /** The chain in large packed pages, read in order (verify); same connection. */
  readonly pages: PackedPages;
  /** What an earlier verify vouched for (incremental verify). */
  readonly checkpoints: Checkpoints;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    /** false: a read-only connection (SQLite refuses every write on it). */
    readonly writable: boolean,
    /** A lease this store took for itself (see `open`), released when it closes. */
    private readonly ownLease: WriterLease | undefined,
    indexLimits?: HashIndexLimits,
  ) {
    // A writer's file is always current; a reader may be looking at an older one (see hasRuns).
    const older = !writable && !hasRuns(db);
    this.stmts = prepare(db, older);
    this.hashIndex = new HashIndex(db, indexLimits);
    this.appender = new ChainAppender(db, this.hashIndex);
    this.audit = openAudit(db);
    this.history = openHistory(db, older);
    this.pages = openPackedPages(db);
    this.checkpoints = openCheckpoints(db);
  }

  /**
   * A writer's connection: created and migrated if needed. Under `lease`, the db's writer lease this process holds
   * (an ActorSystem holds one for its lifetime); without one, the store takes the lease itself for as long as it is
   * open (one-shot writers: `theater fork`, `import`). Throws WriterBusyError, naming the holder, if another process
   * or another part of this one writes the db.
   */
  static open(
    path: string,
    opts: {
      readonly lease?: WriterLease;
      readonly claim?: LeaseClaim;
      /** The hash index's thresholds (tests: smaller ones, to reach every step on a small store). */
      readonly indexLimits?: HashIndexLimits;
    } = {},
  ): ChainStore {
    if (opts.lease && !opts.lease.covers(path))
      throw new Error(
        `the writer lease given is for ${opts.lease.db}, not ${path}${opts.lease.held ? '' : ' (released)'}`,
      );
    // `claim`: another thread of this process holds the lease (the store's writer thread opens with it).
    if (opts.claim) checkClaim(path, opts.claim);
    const own = opts.lease || opts.claim ? undefined : WriterLease.acquire(path);
    try {
      return new ChainStore(openChainDb(path, 'write'), path, true, own, opts.indexLimits);
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
   * All batches in ONE transaction: either every entry is committed and every head moved, or nothing is (append.ts).
   * For one-off writers (fork, bundle import, tests); a running system appends through its writer thread.
   * Afterwards the hash index catches up (hash-index.ts): lookups by hash scan what is not in it yet.
   */
  appendBatches(batches: readonly AppendBatch[]): AppendResult {
    const result = this.appender.appendBatches(batches);
    this.hashIndex.catchUp();
    return result;
  }

  /** Wire-form batches and actor updates in one transaction: the writer thread's path (append.ts). */
  appendEncoded(batches: readonly EncodedAppend[], actors: readonly ActorInfo[] = []): AppendResult {
    return this.appender.appendEncoded(batches, actors);
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
    return this.appender.inTransaction(fn);
  }

  /** Creates the actor (with an empty "main" branch) or updates the fields given; absent fields are kept. */
  upsertActor(info: ActorInfo): void {
    this.appender.upsertActor(info);
  }

  actors(): ActorRow[] {
    return actorRows(this.stmts.actors.all());
  }

  /** The actors started under `parent` (a resumed supervisor's children), by name. */
  children(parent: string): ActorRow[] {
    return actorRows(this.stmts.children.all(parent));
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

  /**
   * What a start resumes from: the actor's live branch, its head (hash, seq, state hash), and the actor's state
   * bytes at the head, in one read of four rows (the state blob by row id, not looked up by hash). No head: an
   * actor the store does not know, or whose live branch has no entry yet (a second read then names the branch).
   */
  liveHead(actor: string): { branch: string; head?: ChainHead; state: Uint8Array | null } {
    type Row = Pick<EntryRow, 'hash' | 'seq' | 'state' | 'stateSmall'> & {
      liveBranch: string;
      stateBytes: Buffer | null;
    };
    const row = this.stmts.liveHead.get(actor) as Row | undefined;
    if (!row) return { branch: this.liveBranch(actor), state: null };
    const head = { hash: bytes(row.hash), seq: row.seq, state: blobHash(row.state, row.stateSmall) };
    return { branch: row.liveBranch, head, state: bytes(row.stateBytes) };
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
    this.transaction(() => {
      const actorId = this.appender.actorId(actor);
      if (this.stmts.branch.get(actorId, name)) throw new Error(`branch ${actor}/${name} already exists`);
      const id = Number(this.stmts.insertBranch.run(actorId, name, base.id, Date.now()).lastInsertRowid);
      this.stmts.setHead.run(base.id, id);
    });
  }

  entry(hash: Hash, actor?: string): StoredEntry | undefined {
    const row = this.stmts.entryByHash.get({ key: hashKey(hash), hash: buf(hash) }) as EntryRow | undefined;
    if (!row || (actor !== undefined && row.actor !== actor)) return undefined;
    return toStoredEntry(row);
  }

  /** An entry by its row id, undefined when there is none. */
  entryById(id: number): StoredEntry | undefined {
    const row = this.stmts.entryById.get(id) as EntryRow | undefined;
    return row && toStoredEntry(row);
  }

  /**
   * Entries' hash, ts, function and input bytes by row id, in the order asked (undefined where there is none): one
   * statement, the input blob joined by its id (no hash-index probe, no entry joins it does not need).
   */
  entryInputs(ids: readonly number[]): (EntryInput | undefined)[] {
    if (ids.length === 0) return [];
    const rows = this.stmts.entryInputs.all(JSON.stringify(ids)) as EntryInputRow[];
    const byId = new Map(
      rows.map(([id, hash, ts, iface, fn, input]) => [
        id,
        { id, hash: bytes(hash), ts, iface, fn, input: bytes(input) },
      ]),
    );
    return ids.map((id) => byId.get(id));
  }

  /**
   * The bytes whose hash is `hash` (a full SHA-256, or the 8-byte prefix a short blob is known by), checked: bytes
   * changed since they were stored are not returned, so no reader shows them as what the chain recorded.
   */
  blob(hash: Hash): Uint8Array | undefined {
    for (const c of this.stmts.blobCandidates.all({ key: hashKey(hash) }) as { bytes: Buffer }[]) {
      if (blobMatches(hash, c.bytes)) return bytes(c.bytes);
    }
    return undefined;
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
    const digits = 2 * KEY_BYTES;
    const lo = Buffer.from(p.slice(0, digits).padEnd(digits, '0'), 'hex');
    const hi = Buffer.from(p.slice(0, digits).padEnd(digits, 'f'), 'hex');
    const rows = this.stmts.byPrefix.all({ lo, hi, like: `${p.toUpperCase()}%` }) as EntryRow[];
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

export type { IndexRow };
/** A row of `entryInputs` as SQLite returns it (raw): the input's bytes, NULL where it has none. */
type EntryInputRow = [id: number, hash: Buffer, ts: number, iface: string, fn: string, input: Buffer | null];

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

function prepare(db: Database.Database, older: boolean) {
  return {
    blobCandidates: db.prepare(`SELECT bytes FROM blobs WHERE id IN (${idsWithKey(SRC_BLOB, older)})`),
    branch: db.prepare('SELECT id, head_id FROM branches WHERE actor_id = ? AND name = ?'),
    insertBranch: db.prepare('INSERT INTO branches (actor_id, name, base_id, created) VALUES (?, ?, ?, ?)'),
    setHead: db.prepare('UPDATE branches SET head_id = ? WHERE id = ?'),
    entryByHash: db.prepare(`${SELECT_ENTRY} WHERE e.id IN (${idsWithKey(SRC_ENTRY, older)}) AND e.hash = @hash`),
    entryById: db.prepare(`${SELECT_ENTRY} WHERE e.id = ?`),
    entryInputs: db
      .prepare(
        `SELECT e.id, e.hash, e.ts, f.iface, f.fn, bi.bytes FROM entries e JOIN fns f ON f.id = e.fn_id
        LEFT JOIN blobs bi ON bi.id = e.input_id WHERE e.id IN (SELECT value FROM json_each(?))`,
      )
      .raw(),
    byPrefix:
      db.prepare(`${SELECT_ENTRY} WHERE e.id IN (${idsWithKeyBetween(SRC_ENTRY, older)}) AND hex(e.hash) LIKE @like
      ORDER BY e.id`),
    head: db.prepare(`${SELECT_ENTRY} WHERE e.id = (SELECT b.head_id FROM branches b JOIN actors x
      ON x.id = b.actor_id WHERE x.name = ? AND b.name = ?)`),
    liveHead: db.prepare(`SELECT x.live_branch AS liveBranch, e.hash, e.seq, ${blobRef('bs', 'state')},
      bs.bytes AS stateBytes FROM actors x JOIN branches lb ON lb.actor_id = x.id AND lb.name = x.live_branch
      JOIN entries e ON e.id = lb.head_id LEFT JOIN blobs bs ON bs.id = e.state_id WHERE x.name = ?`),
    liveBranch: db.prepare('SELECT live_branch FROM actors WHERE name = ?').pluck(),
    setLive: db.prepare(`UPDATE actors SET live_branch = ? WHERE name = ? AND EXISTS
      (SELECT 1 FROM branches b WHERE b.actor_id = actors.id AND b.name = ?)`),
    actors: db.prepare(`SELECT ${ACTOR_COLUMNS} FROM actors ORDER BY id`),
    children: db.prepare(`SELECT ${ACTOR_COLUMNS} FROM actors WHERE parent = ? ORDER BY id`),
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

function actorRows(rows: unknown[]): ActorRow[] {
  const stored = rows as (Omit<ActorRow, 'status'> & { status: string | null })[];
  return stored.map((r) => ({ ...r, status: storedStatus(r.status) }));
}
