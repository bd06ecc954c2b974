/**
 * Raw, unvalidated views of the tables for chain/verify.ts, row by row: what verify reads where a packed page
 * (packed-pages.ts) holds something the store never writes, so that it reports exactly what is stored. Everything
 * is LEFT JOINed so that a deleted or dangling row shows up as data (a NULL beside a non-NULL id) instead of
 * silently dropping the entry. All are pages, streams or tiny: memory stays constant however long the chain is.
 */
import type Database from 'better-sqlite3';
import type { AuditBlobRow, AuditBranchRow, LeanEntryRow } from '../reader/chain-reader.ts';
import { SMALL_BLOB } from './schema.ts';

export type { AuditBlobRow, AuditBranchRow, LeanEntryRow };

export interface Audit {
  /** Entries in insertion order without joins; references are resolved by the caller. Returns fewer than `limit`
   *  rows only at the end. `actor`: an actor id, or null for all. */
  leanEntries(actor: number | null, afterId: number, limit: number): LeanEntryRow[];
  /** One entry's hash, seq and actor by id (a parent not among the rows just read). */
  entryById(id: number): { hash: Buffer; seq: number; actorId: number } | undefined;
  /** One blob by id. */
  blobById(id: number): AuditBlobRow | undefined;
  /** Highest entry id (0 when none), of one actor or all. */
  lastEntryId(actor?: string): number;
  /** Highest blob id (0 when none). */
  maxBlobId(): number;
  /** Highest entry id (0 when none). */
  maxEntryId(): number;
  actorNames(): Map<number, string>;
  fnNames(): Map<number, { iface: string; fn: string }>;
  /** Small blobs (bytes ≤ SMALL_BLOB) after `afterId`, up to `limit`, in id order. */
  smallBlobRows(afterId: number, limit: number): AuditBlobRow[];
  /** Large blobs with ids in [fromId, toId], in id order (streamed). */
  largeBlobs(fromId: number, toId: number): IterableIterator<AuditBlobRow>;
  /** Every blob in pages of rows, small ones first (the ChainReader's blob pass; verify reads packed pages). */
  blobPages(): IterableIterator<AuditBlobRow[]>;
  branches(actor?: string): AuditBranchRow[];
  actorId(actor: string): number | undefined;
}

// A branch gets a head with its first entry (a fork: at creation), so a NULL head is fine only on a branch that
// never had one. The EXISTS scans entries, but only for headless branches (an actor registered with no entries yet).
const BRANCHES = `
  SELECT a.name AS actor, b.name AS branch, b.head_id AS headId, h.hash AS head, h.actor_id AS headActorId,
    b.actor_id AS actorId,
    CASE WHEN b.head_id IS NULL THEN b.base_id IS NOT NULL OR EXISTS (SELECT 1 FROM entries e WHERE e.branch_id = b.id)
    END AS headless
  FROM branches b LEFT JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id`;

export function openAudit(db: Database.Database): Audit {
  const largeBlobs = db.prepare(`SELECT id, hash, bytes FROM blobs WHERE NOT (${SMALL}) AND id BETWEEN ? AND ?
    ORDER BY id`);
  const smallBlobs = db.prepare(`SELECT id, hash, bytes FROM blobs WHERE ${SMALL} AND id > ? ORDER BY id LIMIT ?`);
  const branches = db.prepare(`${BRANCHES} ORDER BY b.id`);
  const branchesOf = db.prepare(`${BRANCHES} WHERE b.actor_id = ? ORDER BY b.id`);
  const actorId = db.prepare('SELECT id FROM actors WHERE name = ?').pluck();
  const LEAN = `SELECT id, hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id, state_id, cause, origin
    FROM entries`;
  // Paged, not iterated: between pages the caller may run other statements (an iterator keeps the connection busy).
  const leanAll = db.prepare(`${LEAN} WHERE id > ? ORDER BY id LIMIT ?`).raw();
  const leanOf = db.prepare(`${LEAN} INDEXED BY entries_actor WHERE actor_id = ? AND id > ? ORDER BY id LIMIT ?`).raw();
  const byId = db.prepare('SELECT hash, seq, actor_id AS actorId FROM entries WHERE id = ?');
  const blobById = db.prepare('SELECT id, hash, bytes FROM blobs WHERE id = ?');
  const maxBlob = db.prepare('SELECT coalesce(max(id), 0) FROM blobs').pluck();
  const maxEntry = db.prepare('SELECT coalesce(max(id), 0) FROM entries').pluck();
  const lastEntryOf = db.prepare('SELECT coalesce(max(id), 0) FROM entries WHERE actor_id = ?').pluck();
  const actorsAll = db.prepare('SELECT id, name FROM actors');
  const fnsAll = db.prepare('SELECT id, iface, fn FROM fns');
  return {
    leanEntries(actor, afterId, limit) {
      if (actor === null) return leanAll.all(afterId, limit) as LeanEntryRow[];
      return leanOf.all(actor, afterId, limit) as LeanEntryRow[];
    },
    entryById: (id) => byId.get(id) as { hash: Buffer; seq: number; actorId: number } | undefined,
    blobById: (id) => blobById.get(id) as AuditBlobRow | undefined,
    maxBlobId: () => maxBlob.get() as number,
    maxEntryId: () => maxEntry.get() as number,
    lastEntryId: (actor) =>
      (actor === undefined ? maxEntry.get() : lastEntryOf.get(actorId.get(actor) ?? -1)) as number,
    actorNames: () => new Map((actorsAll.all() as { id: number; name: string }[]).map((r) => [r.id, r.name])),
    fnNames: () =>
      new Map(
        (fnsAll.all() as { id: number; iface: string; fn: string }[]).map((r) => [r.id, { iface: r.iface, fn: r.fn }]),
      ),
    smallBlobRows: (afterId, limit) => smallBlobs.all(afterId, limit) as AuditBlobRow[],
    largeBlobs: (fromId, toId) => largeBlobs.iterate(fromId, toId) as IterableIterator<AuditBlobRow>,
    *blobPages() {
      // Paged, never iterated: the caller may await between pages, and an open iterator would keep the connection
      // busy meanwhile.
      for (let afterId = 0; ;) {
        const page = smallBlobs.all(afterId, PAGE) as AuditBlobRow[];
        if (page.length > 0) yield page;
        if (page.length < PAGE) break;
        afterId = page[page.length - 1]!.id;
      }
      const max = maxBlob.get() as number;
      for (let lo = 1; lo <= max; lo += LARGE_PAGE_IDS) {
        const page = largeBlobs.all(lo, lo + LARGE_PAGE_IDS - 1) as AuditBlobRow[];
        if (page.length > 0) yield page;
      }
    },
    branches(actor) {
      if (actor === undefined) return branches.all() as AuditBranchRow[];
      return branchesOf.all(actorId.get(actor) ?? -1) as AuditBranchRow[];
    },
    actorId: (actor) => actorId.get(actor) as number | undefined,
  };
}

const PAGE = 4096;
/** Large blobs are read by id range, this many ids at a time. */
const LARGE_PAGE_IDS = 4096;
const SMALL = `length(bytes) <= ${SMALL_BLOB}`;
