/**
 * Lookups by hash (an entry or a blob by its hash, the calls a message caused) without a B-tree index on the hash.
 *
 * Such an index takes a random key per row, so each commit dirtied pages all over it: with two of them the store
 * wrote ~6 random pages per recorded message, its largest cost on the hot path. Here the keys (the first KEY_BYTES
 * bytes of a hash, and the row id) of rows already committed are copied into *runs*: sorted slices of one table,
 * `hash_keys (run, key, id)`, whose primary key starts with the run number, so a new run is written at the
 * B-tree's right edge, page after page, once. A lookup probes each run (one B-tree descent each) and scans the
 * *tail*, the rows committed after the last run, by id. The store's writer thread sorts the tail into a run when
 * it has been idle for a moment (tail of IDLE_RUN rows or more), and under load once the tail reaches TAIL_MAX (a
 * longer tail would slow lookups). Small runs made while idle (level 0) are merged once there are SMALL_RUNS_MAX
 * of them or they hold TAIL_MAX rows together. Under sustained load each key is written once, at ~2 µs (against
 * ~60 µs per row for the random-key index it replaces, docs/record-path.md).
 *
 * Runs of level 1 and up are merged FANOUT at a time into one run a level up, so that a lookup probes a number of
 * runs that grows with the log of the store's size (1M entries: ~12 runs per source instead of ~60). Such a merge
 * only happens while the writer is idle, and a slice at a time (about SLICE_ROWS keys, one key range, one short
 * transaction), so that a batch arriving meanwhile waits for one slice, never for a whole merge. The run being
 * built is not probed until its last slice (hash_runs.src = source + BUILDING; its parts are marked by level =
 * -its id); then, in one transaction, it replaces its parts, whose keys are deleted a slice at a time after that
 * (src = source + DROPPED, no longer probed). Every step is its own transaction: a writer killed in the middle
 * leaves a merge the next one carries on.
 * Every query compares the full hash afterwards: a key shared by two hashes costs one more row read, never a wrong
 * answer.
 *
 * Nothing here is part of the chain: a verifier ignores these tables, and losing them loses speed, not data.
 */
import type Database from 'better-sqlite3';
import { KEY_BYTES, hasTable } from './schema.ts';

/** What a run's keys come from. Stored as numbers in hash_runs.src: never renumber. */
export const SOURCES = [
  { table: 'entries', column: 'hash' },
  { table: 'blobs', column: 'hash' },
  { table: 'entries', column: 'cause' },
] as const;
export type Source = 0 | 1 | 2;
export const SRC_ENTRY: Source = 0;
export const SRC_BLOB: Source = 1;
export const SRC_CAUSE: Source = 2;

/** An idle writer sorts a tail of this many rows or more into a (small, level 0) run. */
const IDLE_RUN = 256;
/** Past this the writer makes a run even while batches are waiting: it bounds what a lookup scans. Runs this big
 *  (level 1) are final; small ones are merged into one when together they are this big. */
export const TAIL_MAX = 16_384;
/** Small runs are merged once there are this many (each lookup probes every run). */
const SMALL_RUNS_MAX = 8;
/** Runs of one level (1 and up) merged into one of the next level. */
const FANOUT = 8;
/** About this many keys are moved (or deleted) per unit of a tiered merge's work. */
const SLICE_ROWS = 4096;
/** hash_runs.src of a run being built by a tiered merge, and of merged runs whose keys are being deleted. */
const BUILDING = 10;
const DROPPED = 20;
/** Keys are sliced by their first two bytes (hashes: uniform). */
const PREFIXES = 65536;
/** Level of the one run an older file's migration made (schema.ts): never merged. */
const LEVEL_FINAL = 99;

/** The thresholds above; a test passes smaller ones to see every step on a small store. */
export interface HashIndexLimits {
  readonly tailMax: number;
  readonly fanout: number;
  readonly sliceRows: number;
}
const LIMITS: HashIndexLimits = { tailMax: TAIL_MAX, fanout: FANOUT, sliceRows: SLICE_ROWS };

const key = (src: Source) => `substr(${SOURCES[src].column}, 1, ${KEY_BYTES})`;
const through = (src: Source) => `(SELECT coalesce(max(hi), 0) FROM hash_runs WHERE src = ${src})`;
const runs = (src: Source) => `(SELECT id FROM hash_runs WHERE src = ${src})`;

/**
 * SQL for the ids of `src`'s rows whose key is `@key` (the first KEY_BYTES bytes of the hash, a Buffer): each run
 * probed, then the tail scanned. The caller compares full hashes (a small blob stores only a prefix of its own).
 */
export function idsWithKey(src: Source, older = false): string {
  const { table } = SOURCES[src];
  if (older) return `SELECT id FROM ${table} WHERE ${key(src)} = @key`;
  return `SELECT id FROM hash_keys WHERE run IN ${runs(src)} AND key = @key
    UNION ALL SELECT id FROM ${table} WHERE id > ${through(src)} AND ${key(src)} = @key`;
}

/** The same for every key between `@lo` and `@hi` (a hash prefix search). */
export function idsWithKeyBetween(src: Source, older = false): string {
  const { table } = SOURCES[src];
  if (older) return `SELECT id FROM ${table} WHERE ${key(src)} BETWEEN @lo AND @hi`;
  return `SELECT id FROM hash_keys WHERE run IN ${runs(src)} AND key BETWEEN @lo AND @hi
    UNION ALL SELECT id FROM ${table} WHERE id > ${through(src)} AND ${key(src)} BETWEEN @lo AND @hi`;
}

/**
 * Whether the db has the runs at all. A reader opens an older file as it is (schema.ts openChainDb): without them
 * (`older`, in the two functions above) a lookup scans the table, slow on a big file but right; the next writer to
 * open it migrates it.
 */
export function hasRuns(db: Database.Database): boolean {
  return hasTable(db, 'hash_runs');
}

/** The key of a hash, as the queries above bind it. */
export function hashKey(hash: Uint8Array): Buffer {
  return Buffer.from(hash.buffer, hash.byteOffset, Math.min(KEY_BYTES, hash.byteLength));
}

/** Keeps the runs up to date; run by whoever writes (the writer thread, or a one-off writer such as an import). */
export class HashIndex {
  private statements: ReturnType<typeof prepare> | undefined;

  /** Statements prepared at first use: a reader of an older file (see hasRuns) never uses them. */
  constructor(
    private readonly db: Database.Database,
    private readonly limits: HashIndexLimits = LIMITS,
  ) {}

  private get s(): ReturnType<typeof prepare> {
    return (this.statements ??= prepare(this.db));
  }

  /** Rows of each source not in a run yet. */
  tails(): number[] {
    return SOURCES.map((_, src) => this.tail(src as Source));
  }

  /**
   * One unit of upkeep in its own transaction: a run made from a source's tail, small runs merged, or a slice of a
   * tiered merge. `busy`: batches are waiting, so only a tail of TAIL_MAX rows is worth the pause. `tiered` false:
   * no step of a tiered merge (a writer closing). Returns whether it did anything.
   */
  work(busy = false, runFrom = busy ? this.limits.tailMax : IDLE_RUN, tiered = true): boolean {
    const { tailMax, fanout } = this.limits;
    for (const src of [SRC_ENTRY, SRC_BLOB, SRC_CAUSE]) {
      const rows = this.tail(src);
      if (rows >= runFrom) {
        this.db.transaction(() => this.makeRun(src)).immediate();
        return true;
      }
    }
    if (busy) return false;
    for (const src of [SRC_ENTRY, SRC_BLOB, SRC_CAUSE]) {
      const small = this.s.smallRuns.all(src) as { id: number; lo: number; hi: number; n: number }[];
      const rows = small.reduce((n, r) => n + r.n, 0);
      if (small.length >= SMALL_RUNS_MAX || (small.length > 1 && rows >= tailMax)) {
        this.db.transaction(() => this.merge(src, small, rows >= tailMax ? 1 : 0)).immediate();
        return true;
      }
    }
    if (!tiered) return false;
    const dropped = this.s.droppedRun.get() as number | undefined;
    if (dropped !== undefined) {
      this.db.transaction(() => this.dropSlice(dropped)).immediate();
      return true;
    }
    const building = this.s.buildingRun.get() as BuildingRun | undefined;
    if (building) {
      this.db.transaction(() => this.mergeSlice(building)).immediate();
      return true;
    }
    const due = this.s.fullLevel.get(LEVEL_FINAL, fanout) as { src: number; level: number } | undefined;
    if (due) {
      this.db.transaction(() => this.startTieredMerge(due.src as Source, due.level)).immediate();
      return true;
    }
    return false;
  }

  /** After a one-off writer appended (fork, import): runs until every tail is short, and one merge if due. */
  catchUp(): void {
    // A one-off writer's lookups (a bundle import dedupes each blob by hash) scan the tail: keep it short, even
    // inside its transaction (runs are then made in savepoints), and merge the small runs as it goes.
    while (this.tails().some((n) => n >= IDLE_RUN)) this.work(true, IDLE_RUN);
    this.work(false, Infinity);
  }

  private tail(src: Source): number {
    const { max, hi } = this.s.tail[src]!.get() as { max: number | null; hi: number };
    return (max ?? 0) - hi;
  }

  private makeRun(src: Source): void {
    const { max, hi } = this.s.tail[src]!.get() as { max: number | null; hi: number };
    if (max === null || max <= hi) return;
    const level = max - hi >= this.limits.tailMax ? 1 : 0;
    const run = Number(this.s.insertRun.run(src, level, hi + 1, max).lastInsertRowid);
    this.s.fillRun[src]!.run(run, hi, max);
  }

  private merge(src: Source, parts: readonly { id: number; lo: number; hi: number }[], level: number): void {
    const ids = JSON.stringify(parts.map((p) => p.id));
    const lo = Math.min(...parts.map((p) => p.lo));
    const hi = Math.max(...parts.map((p) => p.hi));
    const run = Number(this.s.insertRun.run(src, level, lo, hi).lastInsertRowid);
    this.s.mergeKeys.run(run, ids);
    this.s.dropKeys.run(ids);
    this.s.dropRuns.run(ids);
  }
  /** Marks the oldest FANOUT runs of `level` as the parts of a new run one level up, and moves its first slice. */
  private startTieredMerge(src: Source, level: number): void {
    const parts = this.s.levelRuns.all(src, level, this.limits.fanout) as { id: number; lo: number; hi: number }[];
    const hi = Math.max(...parts.map((p) => p.hi));
    // While it is built, `lo` is the next key prefix to move; set to the parts' lowest row id when it is done.
    const run = Number(this.s.insertRun.run(src + BUILDING, level + 1, 0, hi).lastInsertRowid);
    this.s.markParts.run(-run, JSON.stringify(parts.map((p) => p.id)));
    this.mergeSlice({ id: run, src: src + BUILDING, lo: 0 });
  }

  /** Copies the parts' keys of one prefix range into the run being built; after the last, it replaces them. */
  private mergeSlice(b: BuildingRun): void {
    const parts = this.s.parts.all(-b.id) as { id: number; lo: number; hi: number }[];
    // The slice width follows from the parts alone, so a merge carried on by another writer slices the same way.
    const rows = parts.reduce((n, p) => n + p.hi - p.lo + 1, 0);
    const step = Math.max(1, Math.floor((PREFIXES * this.limits.sliceRows) / Math.max(rows, 1)));
    const from = b.lo;
    const to = Math.min(PREFIXES, from + step);
    this.s.copySlice.run({ run: b.id, part: -b.id, lo: prefix(from), hi: to >= PREFIXES ? PAST_ALL_KEYS : prefix(to) });
    if (to < PREFIXES) {
      this.s.setLo.run(to, b.id);
      return;
    }
    // Done: the new run is probed from now on, its parts no longer (their keys go a slice at a time).
    this.s.finishRun.run(b.src - BUILDING, Math.min(...parts.map((p) => p.lo)), b.id);
    this.s.dropParts.run(DROPPED, -b.id);
  }

  /** Deletes a slice of a replaced run's keys; the run's row goes with its last key. */
  private dropSlice(run: number): void {
    const bound = this.s.nthKey.get(run, this.limits.sliceRows) as { key: Buffer; id: number } | undefined;
    if (bound === undefined) {
      this.s.dropKeys.run(JSON.stringify([run]));
      this.s.dropRuns.run(JSON.stringify([run]));
    } else this.s.dropBelow.run(run, bound.key, bound.id);
  }
}

interface BuildingRun {
  readonly id: number;
  readonly src: number;
  /** The next key prefix to move. */
  readonly lo: number;
}

/** The first two bytes of a key, as a key bound (a shorter blob sorts before every longer one it begins). */
function prefix(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}
/** Sorts after every key (KEY_BYTES bytes). */
const PAST_ALL_KEYS = Buffer.alloc(KEY_BYTES + 1, 0xff);

function prepare(db: Database.Database) {
  const fill = (src: Source) => {
    const { table, column } = SOURCES[src];
    const where = src === SRC_CAUSE ? ` AND ${column} IS NOT NULL` : '';
    return db.prepare(
      `INSERT INTO hash_keys (run, key, id) SELECT ?, ${key(src)}, id FROM ${table}
       WHERE id > ? AND id <= ?${where} ORDER BY 2, 3`,
    );
  };
  const tail = (src: Source) =>
    db.prepare(`SELECT (SELECT max(id) FROM ${SOURCES[src].table}) AS max, ${through(src)} AS hi`);
  return {
    tail: [tail(0), tail(1), tail(2)],
    fillRun: [fill(0), fill(1), fill(2)],
    insertRun: db.prepare('INSERT INTO hash_runs (src, level, lo, hi) VALUES (?, ?, ?, ?)'),
    // A run's row count is not stored: hi - lo + 1 bounds it (exact for hashes; causes are sparser).
    smallRuns: db.prepare('SELECT id, lo, hi, hi - lo + 1 AS n FROM hash_runs WHERE src = ? AND level = 0 ORDER BY id'),
    mergeKeys: db.prepare(
      `INSERT INTO hash_keys (run, key, id) SELECT ?, key, id FROM hash_keys
       WHERE run IN (SELECT value FROM json_each(?)) ORDER BY 2, 3`,
    ),
    dropKeys: db.prepare('DELETE FROM hash_keys WHERE run IN (SELECT value FROM json_each(?))'),
    dropRuns: db.prepare('DELETE FROM hash_runs WHERE id IN (SELECT value FROM json_each(?))'),
    // Tiered merges (see the top of this file).
    fullLevel: db.prepare(`SELECT src, level FROM hash_runs WHERE src < ${BUILDING} AND level BETWEEN 1 AND ? - 1
      GROUP BY src, level HAVING count(*) >= ? ORDER BY level, src LIMIT 1`),
    levelRuns: db.prepare('SELECT id, lo, hi FROM hash_runs WHERE src = ? AND level = ? ORDER BY id LIMIT ?'),
    markParts: db.prepare('UPDATE hash_runs SET level = ? WHERE id IN (SELECT value FROM json_each(?))'),
    buildingRun: db.prepare(`SELECT id, src, lo FROM hash_runs WHERE src >= ${BUILDING} AND src < ${DROPPED} LIMIT 1`),
    parts: db.prepare('SELECT id, lo, hi FROM hash_runs WHERE level = ?'),
    copySlice: db.prepare(
      `INSERT INTO hash_keys (run, key, id) SELECT @run, key, id FROM hash_keys
       WHERE run IN (SELECT id FROM hash_runs WHERE level = @part) AND key >= @lo AND key < @hi ORDER BY 2, 3`,
    ),
    setLo: db.prepare('UPDATE hash_runs SET lo = ? WHERE id = ?'),
    finishRun: db.prepare('UPDATE hash_runs SET src = ?, lo = ? WHERE id = ?'),
    dropParts: db.prepare('UPDATE hash_runs SET src = src + ?, level = 0 WHERE level = ?'),
    droppedRun: db.prepare(`SELECT id FROM hash_runs WHERE src >= ${DROPPED} LIMIT 1`).pluck(),
    nthKey: db.prepare('SELECT key, id FROM hash_keys WHERE run = ? ORDER BY key, id LIMIT 1 OFFSET ?'),
    dropBelow: db.prepare('DELETE FROM hash_keys WHERE run = ? AND (key, id) < (?, ?)'),
  };
}
