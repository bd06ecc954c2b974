/**
 * The store's write path: batches of entries and their blobs into rows, every batch of a call in ONE transaction,
 * each branch head moved by compare-and-set. Two ways in, one core:
 * - `appendEncoded`: batches in the wire form the actor's worker wrote (chain/batch-codec.ts), as the store's
 *   writer thread gets them. Hashes were computed once, where the bytes were made, and are not recomputed here;
 *   blobs are deduplicated against what this writer stored recently, without a lookup per blob.
 * - `appendBatches`: batches as objects (fork, bundle import, tests). Each new blob is checked against its hash and
 *   looked up before insert, since these come from further away.
 * No B-tree write with a random key happens per row: hash lookups go through hash-index.ts, and the check that an
 * entry already exists goes through its parent (an entry's hash commits to its parent, so an existing copy is a
 * child of the same parent row).
 */
import type Database from 'better-sqlite3';
import {
  ENTRY_FIXED,
  ENTRY_HASH_AT,
  F_CAUSE,
  F_INPUT,
  F_OUTPUT,
  F_PARENT,
  F_STATE,
  TAG_BLOB,
  TAG_ENTRY,
  forEachRecord,
} from '../chain/batch-codec.ts';
import { ENTRY_KINDS, ORIGINS, hashEquals, sha256, toHex, type Hash } from '../chain/entry.ts';
import { BlobCache, NameCache, sameBytes } from './append-caches.ts';
import { SRC_BLOB, hashKey, idsWithKey, type HashIndex } from './hash-index.ts';
import { buf } from './rows.ts';
import { KIND_CODES, ORIGIN_CODES, SHORT_HASH, SMALL_BLOB } from './schema.ts';
import { ChainConflictError, MAIN_BRANCH, type ActorInfo, type AppendBatch } from './types.ts';

/** A batch in wire form, as the writer thread receives it: where its records are, and a walk over them. */
export interface EncodedAppend {
  readonly actor: string;
  readonly branch: string;
  readonly bytes: Uint8Array;
  /** Calls `visit` with each record's tag and its start (after the tag) and end in `bytes`, in order. */
  readonly records: (visit: (tag: number, at: number, end: number) => void) => void;
}

/** A standalone buffer of records as an EncodedAppend. */
export function encodedAppend(actor: string, branch: string, bytes: Uint8Array): EncodedAppend {
  return { actor, branch, bytes, records: (visit) => forEachRecord(bytes, visit) };
}

/** What one committed transaction added: the highest entry id (what the hub reads after), per batch errors. */
export interface AppendResult {
  readonly lastEntryId: number;
}

/** An entry as the core of the write path takes it, its references already resolved to row ids. */
interface Row {
  /** The entry's hash (bound as is: better-sqlite3 takes any Uint8Array for a BLOB). */
  hash: Uint8Array;
  /** Its parent's hash: 32 bytes of `parentBytes` at `parentAt`, or none when parentAt < 0. */
  parentBytes: Uint8Array;
  parentAt: number;
  seq: number;
  kind: number;
  fnId: number;
  input: number | null;
  output: number | null;
  state: number | null;
  cause: Uint8Array | null;
  origin: number | null;
  ts: number;
}

interface HeadRow {
  id: number;
  /** Within a transaction, possibly a view into a record ring; copied before it is kept (moveHead). */
  hash: Uint8Array;
  seq: number;
}

/** One branch being appended to within one transaction. */
interface BranchAppend {
  readonly key: string;
  readonly actor: string;
  readonly actorId: number;
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

export class ChainAppender {
  private statements: ReturnType<typeof prepare> | undefined;
  // Name → id caches. Ids of rows inserted by a rolled-back transaction would be wrong, so they are cleared then.
  private readonly actorIds = new Map<string, number>();
  private readonly fnIds = new Map<string, number>();
  /** Function ids by the wire form's name bytes (no UTF-8 decode per entry). */
  private readonly fnNames = new NameCache();
  private readonly blobs = new BlobCache();
  /** Each branch's head as of our last append (we are the only writer of our own appends; the CAS checks it). */
  private readonly heads = new Map<string, { id: number; head: HeadRow | undefined }>();

  /** Rows inserted by object batches since the hash index last caught up (their lookups scan the tail). */
  private sinceCatchUp = 0;

  /** Statements prepared at first use: a reader of an older file (hash-index.ts hasRuns) never appends. */
  constructor(
    private readonly db: Database.Database,
    private readonly index: HashIndex,
  ) {}

  private get s(): ReturnType<typeof prepare> {
    return (this.statements ??= prepare(this.db));
  }

  /** Object batches (fork, import, tests), all in one transaction; see the header comment. */
  appendBatches(batches: readonly AppendBatch[]): AppendResult {
    return this.inTransaction(() => {
      const branches = new Map<string, BranchAppend>();
      let last = 0;
      for (const b of batches) {
        const branch = this.branchAppend(this.actorId(b.actor), b.actor, b.branch, branches);
        // By object first: a batch's entries reference its blobs' own hash arrays.
        const own = new Map<Hash, number>();
        for (const blob of b.blobs) own.set(blob.hash, this.blobId(blob.hash, 0, blob.bytes, false));
        const ref = (h: Hash | null, what: string, e: Hash) =>
          h === null ? null : (own.get(h) ?? this.knownBlob(h, 0, what, e));
        for (const [i, e] of b.entries.entries()) {
          if (e.actor !== b.actor) throw new Error(`batch for ${b.actor} holds an entry of actor ${e.actor}`);
          const row: Row = {
            hash: buf(e.hash),
            parentBytes: e.parent ?? NO_BYTES,
            parentAt: e.parent ? 0 : -1,
            seq: e.seq,
            kind: KIND_CODES[e.kind],
            fnId: this.fnId(e.iface, e.fn),
            input: ref(e.input, 'input', e.hash),
            output: ref(e.output, 'output', e.hash),
            state: ref(e.state, 'state', e.hash),
            cause: buf(e.cause),
            origin: e.origin === null ? null : ORIGIN_CODES[e.origin],
            ts: e.ts,
          };
          last = Math.max(last, this.entry(branch, row, i));
        }
      }
      for (const br of branches.values()) this.moveHead(br);
      return { lastEntryId: last };
    });
  }

  /** Wire-form batches (the writer thread) and actor updates, all in one transaction. */
  appendEncoded(batches: readonly EncodedAppend[], actors: readonly ActorInfo[] = []): AppendResult {
    return this.inTransaction(() => {
      for (const info of actors) this.updateActor(info);
      const branches = new Map<string, BranchAppend>();
      let last = 0;
      for (const b of batches) {
        const branch = this.branchAppend(this.actorId(b.actor), b.actor, b.branch, branches);
        let i = 0;
        const bytes = b.bytes;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        b.records((tag, at, end) => {
          if (tag === TAG_BLOB) this.blobId(bytes, at, bytes.subarray(at + 32, end), true);
          else if (tag === TAG_ENTRY) last = Math.max(last, this.entry(branch, this.row(bytes, view, at), i++));
        });
      }
      for (const br of branches.values()) this.moveHead(br);
      return { lastEntryId: last };
    });
  }

  /** Creates the actor (with an empty "main" branch) or updates the fields given; absent fields are kept. */
  upsertActor(info: ActorInfo): void {
    this.inTransaction(() => this.updateActor(info));
  }

  private updateActor(info: ActorInfo): void {
    const id = this.actorId(info.id);
    const { component = null, manifest = null, status = null, parent = null } = info;
    this.s.updateActor.run(component, manifest, status, parent, id);
  }

  /**
   * Runs `fn` in a transaction (a savepoint inside an enclosing one). Foreign-key checks are off for a transaction
   * of our own (7 primary-key probes per entry, a third of its insert cost): every id written comes from a row this
   * connection read or inserted (actor, fn, blob, the branch head), the id caches are dropped on rollback, and the
   * store never deletes rows. Parent links are checked by hash and seq. Inside an enclosing transaction (bundle
   * import, fork) the pragma cannot change and the checks stay on.
   */
  inTransaction<T>(fn: () => T): T {
    const checksOff = !this.db.inTransaction;
    if (checksOff) this.s.foreignKeysOff.run();
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      this.forgetCaches();
      throw e;
    } finally {
      if (checksOff) this.s.foreignKeysOn.run();
    }
  }

  forgetCaches(): void {
    this.actorIds.clear();
    this.fnIds.clear();
    this.blobs.clear();
    this.fnNames.clear();
    this.heads.clear();
  }

  actorId(name: string): number {
    let id = this.actorIds.get(name);
    if (id === undefined) {
      id = this.s.actorId.get(name) as number | undefined;
      if (id === undefined) {
        const now = Date.now();
        id = Number(this.s.insertActor.run(name, now).lastInsertRowid);
        this.s.insertBranch.run(id, MAIN_BRANCH, null, now);
      }
      this.actorIds.set(name, id);
    }
    return id;
  }

  /** An entry record of the wire form as a Row, read in place; its blobs were stored before it (or earlier). */
  private row(bytes: Uint8Array, view: DataView, at: number): Row {
    const flags = bytes[at]!;
    let p = at + ENTRY_FIXED;
    const next = (bit: number): number => {
      if (!(flags & bit)) return -1;
      p += 32;
      return p - 32;
    };
    const parentAt = next(F_PARENT);
    const inputAt = next(F_INPUT);
    const outputAt = next(F_OUTPUT);
    const stateAt = next(F_STATE);
    const causeAt = next(F_CAUSE);
    const kind = ENTRY_KINDS[bytes[at + 1]!];
    const origin = bytes[at + 2]!;
    if (kind === undefined || (origin !== 255 && ORIGINS[origin] === undefined)) {
      throw new Error(`entry record with kind ${bytes[at + 1]} / origin ${origin}: not this build's wire form`);
    }
    const hashAt = at + ENTRY_HASH_AT;
    const ref = (refAt: number, what: string) =>
      refAt < 0
        ? null
        : (this.blobs.get(bytes, refAt) ?? this.knownBlob(bytes, refAt, what, bytes.subarray(hashAt, hashAt + 32)));
    return {
      hash: bytes.subarray(hashAt, hashAt + 32),
      parentBytes: bytes,
      parentAt,
      seq: view.getFloat64(at + 3, true),
      kind: KIND_CODES[kind],
      fnId: this.encodedFnId(bytes, view, p),
      input: ref(inputAt, 'input'),
      output: ref(outputAt, 'output'),
      state: ref(stateAt, 'state'),
      cause: causeAt < 0 ? null : bytes.subarray(causeAt, causeAt + 32),
      origin: origin === 255 ? null : ORIGIN_CODES[ORIGINS[origin]!],
      ts: view.getFloat64(at + 11, true),
    };
  }

  /** Inserts one entry (or finds it stored already) and moves the branch's head in memory; returns its row id. */
  private entry(branch: BranchAppend, e: Row, i: number): number {
    const head = branch.head;
    const prevSeq = head ? head.seq : -1;
    const parentOk = head ? e.parentAt >= 0 && sameBytes(head.hash, 0, e.parentBytes, e.parentAt) : e.parentAt < 0;
    if (!parentOk) {
      const parent = e.parentAt < 0 ? null : e.parentBytes.slice(e.parentAt, e.parentAt + 32);
      if (i === 0) throw new ChainConflictError(branch.actor, branch.name, head ? head.hash.slice() : null, parent);
      throw new Error(`batch for ${branch.actor}/${branch.name}: entry ${i}'s parent is not entry ${i - 1}`);
    }
    if (e.seq !== prevSeq + 1) throw new Error(`entry ${toHex(e.hash)} has seq ${e.seq}, expected ${prevSeq + 1}`);
    if (i === 0 && branch.firstParent === undefined) {
      branch.firstParent = e.parentAt < 0 ? null : e.parentBytes.slice(e.parentAt, e.parentAt + 32);
    }
    // Identical history on two branches (or a re-imported bundle) hashes identically: the DAG stores each entry
    // once, and the branch head simply moves onto the existing row. Once an entry is new, every later one is too
    // (a hash commits to its parent), so the probe is skipped after the first insert and after an entry this
    // transaction inserted (we hold the write lock: no one else appended its child meanwhile).
    const existing = branch.fresh
      ? undefined
      : (this.s.childWithHash.get(head?.id ?? null, e.hash) as number | undefined);
    let id: number;
    if (existing !== undefined) {
      id = existing;
    } else {
      id = Number(
        this.s.insertEntry.run(
          e.hash,
          head?.id ?? null,
          branch.actorId,
          e.seq,
          e.kind,
          e.fnId,
          e.input,
          e.output,
          e.state,
          e.cause,
          e.origin,
          e.ts,
          branch.id,
        ).lastInsertRowid,
      );
      branch.fresh = true;
    }
    branch.head = { id, hash: e.hash, seq: e.seq };
    return id;
  }

  /** The branch a batch appends to, as this transaction has left it so far. */
  private branchAppend(
    actorId: number,
    actor: string,
    name: string,
    branches: Map<string, BranchAppend>,
  ): BranchAppend {
    const key = `${actorId}\0${name}`;
    let br = branches.get(key);
    if (br) return br;
    let cached = this.heads.get(key);
    if (!cached) {
      const row = this.s.branch.get(actorId, name) as { id: number; head_id: number | null } | undefined;
      const id = row?.id ?? Number(this.s.insertBranch.run(actorId, name, null, Date.now()).lastInsertRowid);
      const headId = row?.head_id ?? null;
      cached = { id, head: headId === null ? undefined : (this.s.headOf.get(headId) as HeadRow) };
    }
    br = {
      key,
      actor,
      actorId,
      name,
      id: cached.id,
      start: cached.head,
      head: cached.head,
      fresh: false,
      firstParent: undefined,
    };
    branches.set(key, br);
    return br;
  }

  /** Compare-and-set, once per branch per transaction: if another connection moved the head since we read it, the
   *  whole transaction rolls back. */
  private moveHead(br: BranchAppend): void {
    if (br.head === br.start) return;
    if (this.s.moveHead.run(br.head!.id, br.id, br.start?.id ?? null).changes !== 1) {
      throw new ChainConflictError(br.actor, br.name, br.start ? br.start.hash.slice() : null, br.firstParent ?? null);
    }
    // The head's hash may be a view into a record ring, which is reused once this commits: keep a copy.
    this.heads.set(br.key, { id: br.id, head: { ...br.head!, hash: br.head!.hash.slice() } });
  }

  private fnId(iface: string, fn: string): number {
    const key = `${iface}\0${fn}`;
    let id = this.fnIds.get(key);
    if (id === undefined) {
      id = this.s.fnId.get(iface, fn) as number | undefined;
      id ??= Number(this.s.insertFn.run(iface, fn).lastInsertRowid);
      this.fnIds.set(key, id);
    }
    return id;
  }

  /** The function id of the names at `at` (u16 length + UTF-8, twice), decoded only the first time. */
  private encodedFnId(bytes: Uint8Array, view: DataView, at: number): number {
    const ifaceLength = view.getUint16(at, true);
    const fnAt = at + 2 + ifaceLength;
    const end = fnAt + 2 + view.getUint16(fnAt, true);
    let id = this.fnNames.get(bytes, at, end);
    if (id === undefined) {
      const text = (from: number, to: number) => utf8.decode(bytes.subarray(from, to));
      id = this.fnId(text(at + 2, fnAt), text(fnAt + 2, end));
      this.fnNames.set(bytes, at, end, id);
    }
    return id;
  }

  /**
   * The row id of the blob whose hash is the 32 bytes of `hash` at `at` and whose bytes are `data`: one this writer
   * stored recently, else (object batches only) one found by hash, else a new row. `trusted`: the hash was
   * computed from these bytes by our own worker a moment ago; otherwise it is checked, the one invariant
   * everything else trusts.
   */
  private blobId(hash: Uint8Array, at: number, data: Uint8Array, trusted: boolean): number {
    let id = this.blobs.get(hash, at);
    if (id !== undefined) return id;
    const h = hash.subarray(at, at + 32);
    if (!trusted) {
      id = this.findBlob(h);
      if (id === undefined && !hashEquals(sha256(data), h))
        throw new Error(`blob ${toHex(h)} does not hash to its key`);
    }
    if (id === undefined) {
      const stored = data.length <= SMALL_BLOB ? h.subarray(0, SHORT_HASH) : h;
      id = Number(this.s.insertBlob.run(buf(stored), buf(data)).lastInsertRowid);
      // Each untrusted blob is looked up by hash, and a lookup scans the index's tail: a big import keeps it short
      // as it goes (runs are made in savepoints of its transaction).
      if (!trusted && ++this.sinceCatchUp >= CATCH_UP_EVERY) {
        this.sinceCatchUp = 0;
        this.index.catchUp();
      }
    }
    this.blobs.set(hash, at, id);
    return id;
  }

  /** A blob referenced but not in the batch (a state recorded by an earlier call): recent, else looked up. */
  private knownBlob(hash: Uint8Array, at: number, what: string, entry: Hash): number {
    let id = this.blobs.get(hash, at);
    if (id === undefined) {
      const h = hash.subarray(at, at + 32);
      id = this.findBlob(h);
      if (id === undefined) throw new Error(`entry ${toHex(entry)} references blob ${toHex(h)} (${what}), not stored`);
      this.blobs.set(hash, at, id);
    }
    return id;
  }

  /** A stored blob's id by hash, through the hash index (small blobs store a prefix: their bytes are hashed). */
  findBlob(hash: Hash): number | undefined {
    for (const c of this.s.blobCandidates.all({ key: hashKey(hash) }) as BlobCandidate[]) {
      if (c.hash.length === hash.length ? hashEquals(c.hash, hash) : hashEquals(sha256(c.small!), hash)) return c.id;
    }
    return undefined;
  }
}

const NO_BYTES = new Uint8Array(0);
const CATCH_UP_EVERY = 512;
const utf8 = new TextDecoder();

interface BlobCandidate {
  id: number;
  hash: Buffer;
  /** The bytes, when the stored hash is a small blob's prefix. */
  small: Buffer | null;
}

function prepare(db: Database.Database) {
  return {
    actorId: db.prepare('SELECT id FROM actors WHERE name = ?').pluck(),
    insertActor: db.prepare('INSERT INTO actors (name, created) VALUES (?, ?)'),
    updateActor: db.prepare(`UPDATE actors SET component = coalesce(?, component), manifest = coalesce(?, manifest),
      status = coalesce(?, status), parent = coalesce(?, parent) WHERE id = ?`),
    fnId: db.prepare('SELECT id FROM fns WHERE iface = ? AND fn = ?').pluck(),
    insertFn: db.prepare('INSERT INTO fns (iface, fn) VALUES (?, ?)'),
    blobCandidates: db.prepare(`SELECT id, hash, CASE WHEN length(hash) < 32 THEN bytes END AS small
      FROM blobs WHERE id IN (${idsWithKey(SRC_BLOB)})`),
    insertBlob: db.prepare('INSERT INTO blobs (hash, bytes) VALUES (?, ?)'),
    branch: db.prepare('SELECT id, head_id FROM branches WHERE actor_id = ? AND name = ?'),
    insertBranch: db.prepare('INSERT INTO branches (actor_id, name, base_id, created) VALUES (?, ?, ?, ?)'),
    moveHead: db.prepare('UPDATE branches SET head_id = ? WHERE id = ? AND head_id IS ?'),
    foreignKeysOff: db.prepare('PRAGMA foreign_keys = OFF'),
    foreignKeysOn: db.prepare('PRAGMA foreign_keys = ON'),
    headOf: db.prepare('SELECT id, hash, seq FROM entries WHERE id = ?'),
    // Through entries_parent (parent ids only grow: appends go to the index's right edge).
    childWithHash: db.prepare('SELECT id FROM entries WHERE parent_id IS ? AND hash = ?').pluck(),
    insertEntry: db.prepare(`INSERT INTO entries (hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id,
      state_id, cause, origin, ts, branch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
}
