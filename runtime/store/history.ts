/**
 * Read paths for time travel (runtime/timetravel): a branch is not a set of rows but the path from the root to its
 * head through parents, so these walk parents with a recursive CTE instead of filtering on branch_id (an entry
 * shared by two branches is stored once, on the branch that first appended it).
 * Rows carry their blobs' bytes so a fold over a million entries needs no per-entry lookups.
 */
import type Database from 'better-sqlite3';
import { ENTRY_COLUMNS, ENTRY_FROM, bytes, toStoredEntry, type EntryRow } from './rows.ts';
import type { StoredEntry } from './types.ts';

export interface PathEntry extends StoredEntry {
  readonly inputBytes: Uint8Array | null;
  readonly outputBytes: Uint8Array | null;
  readonly stateBytes: Uint8Array | null;
}

export interface History {
  /** The entries from the root (or from `fromSeq`) to the entry with row id `headId`, root first; streamed. */
  path(headId: number, opts?: { fromSeq?: number; descending?: boolean }): IterableIterator<PathEntry>;
  /** Entries whose `cause` is `hash` (calls made by a message sent when the sender's head was `hash`). */
  causedBy(hash: Uint8Array): StoredEntry[];
  /** Entries whose parent is the entry with row id `id` (more than one where branches fork). */
  children(id: number): StoredEntry[];
}

type PathRow = EntryRow & { inputBytes: Buffer | null; outputBytes: Buffer | null; stateBytes: Buffer | null };

const PATH = (order: 'ASC' | 'DESC') => `
  WITH RECURSIVE path(id) AS (
    SELECT ? UNION ALL
    SELECT e.parent_id FROM entries e JOIN path ON e.id = path.id WHERE e.parent_id IS NOT NULL)
  SELECT ${ENTRY_COLUMNS}, bi.bytes AS inputBytes, bo.bytes AS outputBytes, bs.bytes AS stateBytes
  ${ENTRY_FROM} WHERE e.id IN path AND e.seq >= ? ORDER BY e.id ${order}`;

export function openHistory(db: Database.Database): History {
  const asc = db.prepare(PATH('ASC'));
  const desc = db.prepare(PATH('DESC'));
  const causedBy = db.prepare(`SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM} WHERE e.cause = ? ORDER BY e.id`);
  const children = db.prepare(`SELECT ${ENTRY_COLUMNS} ${ENTRY_FROM} WHERE e.parent_id = ? ORDER BY e.id`);
  return {
    *path(headId, opts = {}) {
      const stmt = opts.descending ? desc : asc;
      for (const r of stmt.iterate(headId, opts.fromSeq ?? 0) as IterableIterator<PathRow>) {
        yield {
          ...toStoredEntry(r),
          inputBytes: bytes(r.inputBytes),
          outputBytes: bytes(r.outputBytes),
          stateBytes: bytes(r.stateBytes),
        };
      }
    },
    causedBy: (hash) => (causedBy.all(Buffer.from(hash)) as EntryRow[]).map(toStoredEntry),
    children: (id) => (children.all(id) as EntryRow[]).map(toStoredEntry),
  };
}
