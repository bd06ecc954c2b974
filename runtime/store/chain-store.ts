/**
 * The chain store: entries, blobs, actors and branches in one SQLite file. Synchronous (better-sqlite3): a commit
 * of a few hundred entries takes well under a millisecond of CPU, and the actors run on worker threads anyway.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { hashEquals, sha256, toHex, type Hash } from '../chain/entry.ts';
import { ChainAppender, type AppendResult, type EncodedAppend } from './append.ts';
import { openAudit, type Audit } from './audit.ts';
import { HashIndex, SRC_BLOB, SRC_ENTRY, hashKey, idsWithKey, idsWithKeyBetween } from './hash-index.ts';
import { openHistory, type History } from './history.ts';
import { openPackedPages, type PackedPages } from './packed-pages.ts';
import { openCheckpoints, type Checkpoints } from './checkpoints.ts';
import { ENTRY_COLUMNS, ENTRY_FROM, buf, bytes, toStoredEntry, type EntryRow } from './rows.ts';
import { KEY_BYTES, checkFileHeader, checkReadable, configure, migrate } from './schema.ts';
import {
  ChainStoreOpenError,
  MAIN_BRANCH,
  type ActorInfo,
  type ActorRow,
  type AppendBatch,
  type BranchRow,
  type StoredEntry,
  storedStatus,
} from './types.ts';

const SELECT_ENTRY = `SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM}`;

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
  ) {
    this.stmts = prepare(db);
    this.hashIndex = new HashIndex(db);
    this.appender = new ChainAppender(db, this.hashIndex);
    this.audit = openAudit(db);
    this.history = openHistory(db);
    this.pages = openPackedPages(db);
    this.checkpoints = openCheckpoints(db);
  }

  static open(path: string): ChainStore {
    mkdirSync(dirname(path), { recursive: true });
    checkFileHeader(path);
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      configure(db);
      migrate(db, path);
      return new ChainStore(db, path);
    } catch (e) {
      db?.close();
      if (e instanceof ChainStoreOpenError) throw e;
      throw new ChainStoreOpenError(`${path} is not a Theater chain database: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Opens an existing database for reading only (a debugger or a viewer beside the process that writes it): never
   * creates, migrates or writes the file. Every write method throws (SQLite refuses them).
   */
  static openReadOnly(path: string): ChainStore {
    checkFileHeader(path);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      checkReadable(db, path);
      return new ChainStore(db, path);
    } catch (e) {
      db?.close();
      if (e instanceof ChainStoreOpenError) throw e;
      throw new ChainStoreOpenError(`cannot open ${path} for reading: ${(e as Error).message}`, { cause: e });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Changes whenever another connection commits to the file: a cheap "is there anything new?" for readers that
   *  follow a db someone else writes (SQLite's PRAGMA data_version). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
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

  /** Runs `fn` in one transaction (appends inside it become savepoints): on a throw nothing of it is written. */
  transaction<T>(fn: () => T): T {
    return this.appender.inTransaction(fn);
  }

  /** Creates the actor (with an empty "main" branch) or updates the fields given; absent fields are kept. */
  upsertActor(info: ActorInfo): void {
    this.appender.upsertActor(info);
  }

  actors(): ActorRow[] {
    const rows = this.stmts.actors.all() as (Omit<ActorRow, 'status'> & { status: string | null })[];
    return rows.map((r) => ({ ...r, status: storedStatus(r.status) }));
  }

  branches(actor: string): BranchRow[] {
    const rows = this.stmts.branches.all(actor) as (Omit<BranchRow, 'head' | 'base'> & BranchHashes)[];
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

  blob(hash: Hash): Uint8Array | undefined {
    for (const c of this.stmts.blobCandidates.all({ key: hashKey(hash) }) as { hash: Buffer; bytes: Buffer }[]) {
      const match = c.hash.length === hash.length ? hashEquals(c.hash, hash) : hashEquals(sha256(c.bytes), hash);
      if (match) return bytes(c.bytes);
    }
    return undefined;
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

/** [id, parentId, branchId, kind code, fnId, stateId] */
export type IndexRow = [number, number | null, number, number, number, number | null];
interface BranchHashes {
  head: Buffer | null;
  base: Buffer | null;
}

function prepare(db: Database.Database) {
  return {
    blobCandidates: db.prepare(`SELECT hash, bytes FROM blobs WHERE id IN (${idsWithKey(SRC_BLOB)})`),
    branch: db.prepare('SELECT id, head_id FROM branches WHERE actor_id = ? AND name = ?'),
    insertBranch: db.prepare('INSERT INTO branches (actor_id, name, base_id, created) VALUES (?, ?, ?, ?)'),
    setHead: db.prepare('UPDATE branches SET head_id = ? WHERE id = ?'),
    entryByHash: db.prepare(`${SELECT_ENTRY} WHERE e.id IN (${idsWithKey(SRC_ENTRY)}) AND e.hash = @hash`),
    byPrefix: db.prepare(`${SELECT_ENTRY} WHERE e.id IN (${idsWithKeyBetween(SRC_ENTRY)}) AND hex(e.hash) LIKE @like
      ORDER BY e.id`),
    head: db.prepare(`${SELECT_ENTRY} WHERE e.id = (SELECT b.head_id FROM branches b JOIN actors x
      ON x.id = b.actor_id WHERE x.name = ? AND b.name = ?)`),
    liveBranch: db.prepare('SELECT live_branch FROM actors WHERE name = ?').pluck(),
    setLive: db.prepare(`UPDATE actors SET live_branch = ? WHERE name = ? AND EXISTS
      (SELECT 1 FROM branches b WHERE b.actor_id = actors.id AND b.name = ?)`),
    actors: db.prepare(`SELECT name AS id, live_branch AS liveBranch, component, manifest, status, parent,
      created FROM actors ORDER BY id`),
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
    countActor: db
      .prepare('SELECT count(*) FROM entries WHERE actor_id = (SELECT id FROM actors WHERE name = ?)')
      .pluck(),
  };
}
