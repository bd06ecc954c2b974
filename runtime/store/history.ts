/**
 * Read paths for time travel (runtime/timetravel): a branch is not a set of rows but the path from the root to its
 * head through parents, so these walk parents with a recursive CTE instead of filtering on branch_id (an entry
 * shared by two branches is stored once, on the branch that first appended it).
 * Rows carry their blobs' bytes so a fold over a million entries needs no per-entry lookups.
 */
import type Database from 'better-sqlite3';
import {
  ENTRY_COLUMNS,
  ENTRY_FROM,
  blobHash,
  bytes,
  kindName,
  originName,
  toStoredEntry,
  type EntryRow,
} from './rows.ts';
import type { PathEntry, PathOptions } from '../reader/chain-reader.ts';
import type { StoredEntry } from './types.ts';
import { SRC_CAUSE, hashKey, idsWithKey } from './hash-index.ts';

export type { PathEntry };

export interface History {
  /** The entries from the root (or from `fromSeq`) to the entry with row id `headId`, root first; streamed. */
  path(headId: number, opts?: PathOptions): IterableIterator<PathEntry>;
  /** The same walk, a chunk of entries at a time. */
  pathPages(headId: number, opts?: PathOptions): IterableIterator<PathEntry[]>;
  /** Entries whose `cause` is `hash` (calls made by a message sent when the sender's head was `hash`). */
  causedBy(hash: Uint8Array): StoredEntry[];
  /** Entries whose parent is the entry with row id `id` (more than one where branches fork). */
  children(id: number): StoredEntry[];
  /**
   * Up to `limit` entries committed after row id `afterId`, in id order (every actor and branch), with their blobs'
   * bytes: what a shipper copies to a hub. Parents before children, as they were appended.
   */
  since(afterId: number, limit: number): PathEntry[];
}

/**
 * A path is read in two steps: its row ids (a recursive CTE over parent_id, integers only), then the rows in id
 * chunks with `.raw().all()` — several times faster than iterating row objects through eight joins, which is what
 * bounds replay and export on a million entries. Names (actor, interface/function, branch) come from small
 * per-call maps instead of joins. Blobs come per chunk, each distinct one once (a state is referenced by every
 * entry until it changes), with a small blob's full hash computed once; parents are the previous entry's hash.
 */
const PATH_IDS = `
  WITH RECURSIVE path(id, pid, seq) AS (
    SELECT id, parent_id, seq FROM entries WHERE id = ?
    UNION ALL
    SELECT e.id, e.parent_id, e.seq FROM entries e JOIN path ON e.id = path.pid WHERE path.seq > ?)
  SELECT id FROM path WHERE seq >= ?`;

/**
 * A chunk's rows packed by SQLite into three values (as verify reads them, store/audit.ts): a JSON array of rows
 * holding the numbers and the byte lengths of hash and cause, and the hashes and causes concatenated. Three values
 * instead of fourteen per row, so a path costs fewer crossings into better-sqlite3. A blob stored where a number
 * belongs reads as none.
 */
const CHUNK_ROWS = `
  SELECT json_group_array(json_array(${[
    'id',
    'parent_id',
    'actor_id',
    'seq',
    'kind',
    'fn_id',
    'origin',
    'ts',
    'branch_id',
    'input_id',
    'output_id',
    'state_id',
  ]
    .map((c) => `iif(typeof(${c}) = 'blob', NULL, ${c})`)
    .join(', ')}, octet_length(hash), octet_length(cause))),
    CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(cause, '') AS BLOB)
  FROM (SELECT * FROM entries WHERE id BETWEEN ? AND ? ORDER BY id)`;

/** The same packing for the entries committed after an id, in id order (a shipper's page). */
const SINCE_ROWS = CHUNK_ROWS.replace('WHERE id BETWEEN ? AND ?', 'WHERE id > ?').replace(
  'ORDER BY id)',
  'ORDER BY id LIMIT ?)',
);

/** The blobs a chunk references, packed the same way: [id, hash length, bytes length] rows, hashes, bytes. */
const CHUNK_BLOBS = `
  SELECT json_group_array(json_array(id, octet_length(hash), octet_length(bytes))),
    CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(bytes, '') AS BLOB)
  FROM blobs WHERE id IN (SELECT value FROM json_each(?))`;

const CHUNK = 4096;

/** A row of a chunk: its numbers, then its hash and cause (views into the chunk's concatenations). */
type Raw = [
  id: number,
  parentId: number | null,
  actorId: number,
  seq: number,
  kind: number,
  fnId: number,
  origin: number | null,
  ts: number,
  branchId: number,
  inputId: number | null,
  outputId: number | null,
  stateId: number | null,
  hash: Buffer,
  cause: Buffer | null,
];

/** A referenced blob: its full hash and its bytes. */
type BlobRef = readonly [hash: Uint8Array, bytes: Uint8Array];

export function openHistory(db: Database.Database, older = false): History {
  const ids = db.prepare(PATH_IDS).pluck();
  const chunk = db.prepare(CHUNK_ROWS).raw();
  const sinceRows = db.prepare(SINCE_ROWS).raw();
  const chunkBlobs = db.prepare(CHUNK_BLOBS).raw();
  const hashById = db.prepare('SELECT hash FROM entries WHERE id = ?').pluck();
  const names = {
    actors: db.prepare('SELECT id, name FROM actors').raw(),
    fns: db.prepare('SELECT id, iface, fn FROM fns').raw(),
    branches: db.prepare('SELECT id, name FROM branches').raw(),
  };
  const causedBy = db.prepare(
    `SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM} WHERE e.id IN (${idsWithKey(SRC_CAUSE, older)}) AND e.cause = @cause ORDER BY e.id`,
  );
  const children = db.prepare(`SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM} WHERE e.parent_id = ? ORDER BY e.id`);
  return {
    *path(headId, opts = {}) {
      for (const page of pathPages(headId, opts)) yield* page;
    },
    pathPages,
    since(afterId, limit) {
      const rows = unpack(sinceRows.get(afterId, limit) as [string, Buffer | null, Buffer | null]);
      const { actors, fns, branches } = readNames();
      const blobs = readBlobs(rows);
      // Parents are mostly rows of this page; the others (an actor's first entry in this page) are looked up.
      const hashes = new Map<number, Buffer>(rows.map((r) => [r[0], r[12]]));
      return rows.map((r) => {
        const pid = r[1];
        const parent = pid === null ? null : (hashes.get(pid) ?? (hashById.get(pid) as Buffer | undefined) ?? null);
        return toPathEntry(r, parent, blobs, actors, fns, branches);
      });
    },
    causedBy: (hash) =>
      (causedBy.all({ key: hashKey(hash), cause: Buffer.from(hash) }) as EntryRow[]).map(toStoredEntry),
    children: (id) => (children.all(id) as EntryRow[]).map(toStoredEntry),
  };

  function* pathPages(headId: number, opts: PathOptions = {}): IterableIterator<PathEntry[]> {
    const fromSeq = opts.fromSeq ?? 0;
    const want = (ids.all(headId, fromSeq, fromSeq) as number[]).reverse(); // root first
    const actors = new Map(names.actors.all() as [number, string][]);
    const fns = new Map(
      (names.fns.all() as [number, string, string][]).map(([id, iface, fn]) => [id, [iface, fn] as const]),
    );
    const branches = new Map(names.branches.all() as [number, string][]);
    const chunks: number[][] = [];
    for (let i = 0; i < want.length; i += CHUNK) chunks.push(want.slice(i, i + CHUNK));
    if (opts.descending) chunks.reverse();
    for (const c of chunks) {
      const rows = unpack(chunk.get(c[0], c[c.length - 1]) as [string, Buffer | null, Buffer | null]);
      // Other actors' and branches' entries can sit between path ids: keep only the path's (both sorted).
      const keep: Raw[] = [];
      let j = 0;
      for (const r of rows) {
        while (j < c.length && c[j]! < r[0]) j++;
        if (c[j] === r[0]) keep.push(r);
      }
      const blobs = readBlobs(keep);
      // Ascending, each entry's parent is the one before it; the chunk's first looks its parent up.
      const first = keep[0]?.[1];
      let parent = first === null || first === undefined ? null : ((hashById.get(first) as Buffer | undefined) ?? null);
      const out = keep.map((r) => {
        const e = toPathEntry(r, parent, blobs, actors, fns, branches);
        parent = r[12];
        return e;
      });
      if (opts.descending) out.reverse();
      if (out.length > 0) yield out;
    }
  }

  function readNames() {
    return {
      actors: new Map(names.actors.all() as [number, string][]),
      fns: new Map(
        (names.fns.all() as [number, string, string][]).map(([id, iface, fn]) => [id, [iface, fn] as const]),
      ),
      branches: new Map(names.branches.all() as [number, string][]),
    };
  }

  function readBlobs(rows: readonly Raw[]): Map<number, BlobRef> {
    const want = new Set<number>();
    for (const r of rows) for (const id of [r[9], r[10], r[11]]) if (id !== null) want.add(id);
    const out = new Map<number, BlobRef>();
    const [json, hashes, all] = chunkBlobs.get(JSON.stringify([...want])) as [string, Buffer | null, Buffer | null];
    let h = 0;
    let b = 0;
    for (const [id, hashLength, length] of JSON.parse(json) as [number, number, number][]) {
      const hash = (hashes ?? EMPTY).subarray(h, (h += hashLength));
      const data = (all ?? EMPTY).subarray(b, (b += length)); // all is NULL when every blob is empty
      // A small blob stores a hash prefix: its full hash is recomputed from the bytes (rows.ts, blobHash).
      out.set(id, [blobHash(hash, hash.length < 32 ? data : null)!, bytes(data)]);
    }
    return out;
  }
}

function toPathEntry(
  r: Raw,
  parent: Buffer | null,
  blobs: ReadonlyMap<number, BlobRef>,
  actors: ReadonlyMap<number, string>,
  fns: ReadonlyMap<number, readonly [string, string]>,
  branches: ReadonlyMap<number, string>,
): PathEntry {
  const [id, , actorId, seq, kindCode, fnId, originCode, ts, branchId, inputId, outputId, stateId, hash, cause] = r;
  const kind = kindName(kindCode);
  if (kind === undefined) throw new Error(`entry #${id} has an unknown kind code ${kindCode}; run verify`);
  const origin = originCode === null ? null : (originName(originCode) ?? null);
  const [iface, fn] = fns.get(fnId) ?? ['?', '?'];
  // A missing blob reads as none, as the LEFT JOIN this replaces did.
  const [input, inputBytes] = (inputId !== null && blobs.get(inputId)) || NO_BLOB;
  const [output, outputBytes] = (outputId !== null && blobs.get(outputId)) || NO_BLOB;
  const [state, stateBytes] = (stateId !== null && blobs.get(stateId)) || NO_BLOB;
  return {
    id,
    hash: bytes(hash),
    parent: bytes(parent),
    actor: actors.get(actorId) ?? `#${actorId}`,
    seq,
    kind,
    iface,
    fn,
    input,
    output,
    state,
    cause: bytes(cause),
    origin,
    ts,
    branch: branches.get(branchId) ?? `#${branchId}`,
    inputBytes,
    outputBytes,
    stateBytes,
  };
}

const NO_BLOB = [null, null] as const;
const EMPTY = Buffer.alloc(0);

function unpack([json, hashes, causes]: [string, Buffer | null, Buffer | null]): Raw[] {
  const rows = JSON.parse(json) as (number | null)[][];
  let h = 0;
  let c = 0;
  for (const r of rows) {
    const [hashLength, causeLength] = [r[12]!, r[13] ?? null];
    r[12] = (hashes ?? EMPTY).subarray(h, (h += hashLength)) as never;
    r[13] = causeLength === null ? null : ((causes ?? EMPTY).subarray(c, (c += causeLength)) as never);
  }
  // SQLite aggregates in the subquery's order in practice but does not promise it; the path filter needs id order.
  return (rows as unknown as Raw[]).sort((a, b) => a[0] - b[0]);
}
