/**
 * Raw, unvalidated views of the tables for chain/verify.ts. Everything is LEFT JOINed so that a deleted or
 * dangling row shows up as data (a NULL beside a non-NULL id) instead of silently dropping the entry.
 * All three are streams or tiny: memory stays constant however long the chain is.
 */
import type Database from 'better-sqlite3';
import { HASH_BYTES } from '../chain/entry.ts';
import type { AuditBlobRow, AuditBranchRow, LeanEntryRow } from '../reader/chain-reader.ts';
import { SMALL_BLOB } from './schema.ts';

export type { AuditBlobRow, AuditBranchRow, LeanEntryRow };

export interface Audit {
  /** Entries in insertion order without joins; references are resolved by the caller. Returns fewer than `limit`
   *  rows only at the end. */
  leanEntries(actor: string | undefined, afterId: number, limit: number): LeanEntryRow[];
  /** One entry's hash, seq and actor by id (a parent not among the rows just read). */
  entryById(id: number): { hash: Buffer; seq: number; actorId: number } | undefined;
  /** One blob by id. */
  blobById(id: number): AuditBlobRow | undefined;
  /** Highest entry id (0 when none), of one actor or all. */
  lastEntryId(actor?: string): number;
  /** Highest blob id (0 when none). */
  maxBlobId(): number;
  actorNames(): Map<number, string>;
  fnNames(): Map<number, { iface: string; fn: string }>;
  /** Every blob in pages: small ones packed by the page, large ones a few at a time. */
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
  const largeBlobs = db.prepare(
    `SELECT id, hash, bytes FROM blobs WHERE NOT (${SMALL}) AND id > ? ORDER BY id LIMIT ${LARGE_PAGE}`,
  );
  const smallBlobs = db.prepare(
    `SELECT id, hash, bytes FROM blobs WHERE ${SMALL} AND id > ? ORDER BY id LIMIT ${PAGE}`,
  );
  const packedSmallBlobs = db
    .prepare(
      `
    SELECT min(typeof(hash) = 'blob' AND typeof(bytes) = 'blob'), json_group_array(json_array(id, length(hash), length(bytes))),
      CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(bytes, '') AS BLOB)
    FROM (SELECT * FROM blobs WHERE ${SMALL} AND id > ? ORDER BY id LIMIT ${PAGE})`,
    )
    .raw();
  const branches = db.prepare(`${BRANCHES} ORDER BY b.id`);
  const branchesOf = db.prepare(`${BRANCHES} WHERE b.actor_id = ? ORDER BY b.id`);
  const actorId = db.prepare('SELECT id FROM actors WHERE name = ?').pluck();
  const LEAN = `SELECT id, hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id, state_id, cause, origin
    FROM entries`;
  // Paged, not iterated: between pages the caller may run other statements (an iterator keeps the connection busy).
  const leanAll = db.prepare(`${LEAN} WHERE id > ? ORDER BY id LIMIT ?`).raw();
  const leanOf = db.prepare(`${LEAN} INDEXED BY entries_actor WHERE actor_id = ? AND id > ? ORDER BY id LIMIT ?`).raw();
  const packedAll = db.prepare(packedPage('WHERE id > ?')).raw();
  const packedOf = db.prepare(packedPage('INDEXED BY entries_actor WHERE actor_id = ? AND id > ?')).raw();
  const byId = db.prepare('SELECT hash, seq, actor_id AS actorId FROM entries WHERE id = ?');
  const blobById = db.prepare('SELECT id, hash, bytes FROM blobs WHERE id = ?');
  const maxBlob = db.prepare('SELECT coalesce(max(id), 0) FROM blobs').pluck();
  const lastEntry = db.prepare('SELECT coalesce(max(id), 0) FROM entries').pluck();
  const lastEntryOf = db.prepare('SELECT coalesce(max(id), 0) FROM entries WHERE actor_id = ?').pluck();
  const actorsAll = db.prepare('SELECT id, name FROM actors');
  const fnsAll = db.prepare('SELECT id, iface, fn FROM fns');
  return {
    leanEntries(actor, afterId, limit) {
      const id = actor === undefined ? null : ((actorId.get(actor) as number | undefined) ?? -1);
      const packed = unpack(
        (id === null ? packedAll.get(afterId, limit) : packedOf.get(id, afterId, limit)) as unknown[],
      );
      if (packed) return packed;
      if (id === null) return leanAll.all(afterId, limit) as LeanEntryRow[];
      return leanOf.all(id, afterId, limit) as LeanEntryRow[];
    },
    entryById: (id) => byId.get(id) as { hash: Buffer; seq: number; actorId: number } | undefined,
    blobById: (id) => blobById.get(id) as AuditBlobRow | undefined,
    maxBlobId: () => maxBlob.get() as number,
    lastEntryId: (actor) =>
      (actor === undefined ? lastEntry.get() : lastEntryOf.get(actorId.get(actor) ?? -1)) as number,
    actorNames: () => new Map((actorsAll.all() as { id: number; name: string }[]).map((r) => [r.id, r.name])),
    fnNames: () =>
      new Map(
        (fnsAll.all() as { id: number; iface: string; fn: string }[]).map((r) => [r.id, { iface: r.iface, fn: r.fn }]),
      ),
    *blobPages() {
      // Small blobs (most of them) come packed by the page like entries; large ones a few at a time, so that a
      // page never holds more than PAGE × SMALL_BLOB bytes or a few large blobs. Paged, never iterated: the
      // caller may await between pages, and an open iterator would keep the connection busy meanwhile.
      for (let afterId = 0; ;) {
        const page =
          unpackBlobs(packedSmallBlobs.get(afterId) as unknown[]) ?? (smallBlobs.all(afterId) as AuditBlobRow[]);
        if (page.length > 0) yield page;
        if (page.length < PAGE) break;
        afterId = page[page.length - 1]!.id;
      }
      for (let afterId = 0; ;) {
        const page = largeBlobs.all(afterId) as AuditBlobRow[];
        if (page.length > 0) yield page;
        if (page.length < LARGE_PAGE) break;
        afterId = page[page.length - 1]!.id;
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
const LARGE_PAGE = 16;
const SMALL = `length(bytes) <= ${SMALL_BLOB}`;

/** The number columns of a lean row, in order after id and hash (cause sits between state_id and origin). */
const NUMBERS = ['parent_id', 'actor_id', 'seq', 'kind', 'fn_id', 'input_id', 'output_id', 'state_id'];

/**
 * The lean rows of one page packed by SQLite into three values: a JSON array of rows holding the numbers, the
 * entries' 32-byte hashes concatenated, and the causes of those that have one. better-sqlite3 spends about as
 * long handing over one column of one row as a SHA-256 of a whole entry takes; this hands over three per page.
 * `plain` is false when a page holds a value of an unexpected type (a hash or cause that is not a 32-byte blob, a
 * blob where a number belongs — JSON functions would read it as JSONB): such a page is read row by row, so that
 * verify sees exactly what is stored. The iif() only keeps json_array from choking on that blob meanwhile.
 */
function packedPage(where: string): string {
  const num = (c: string) => `iif(typeof(${c}) = 'blob', NULL, ${c})`;
  return `
    SELECT min(typeof(hash) = 'blob' AND length(hash) = 32 AND (cause IS NULL OR (typeof(cause) = 'blob' AND length(cause) = 32))
        AND ${[...NUMBERS, 'origin'].map((c) => `typeof(${c}) != 'blob'`).join(' AND ')}),
      json_group_array(json_array(id, NULL, ${NUMBERS.map(num).join(', ')}, cause IS NOT NULL, ${num('origin')})),
      CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(cause, '') AS BLOB)
    FROM (SELECT * FROM entries ${where} ORDER BY id LIMIT ?)`;
}

/** A packed page as lean rows (hashes and causes are views into the page's blobs); undefined when not plain. */
function unpack(page: unknown[]): LeanEntryRow[] | undefined {
  const [plain, json, hashes, causes] = page as [number | null, string, Buffer | null, Buffer | null];
  if (plain === null) return []; // no rows: min() of nothing
  if (plain !== 1) return undefined;
  const rows = JSON.parse(json) as LeanEntryRow[];
  let c = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    // SQLite aggregates in the subquery's order in practice, but does not promise it: never trust a page that isn't.
    if (i > 0 && row[0] <= rows[i - 1]![0]) return undefined;
    row[1] = hashes!.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
    row[10] = row[10] ? causes!.subarray(c * HASH_BYTES, ++c * HASH_BYTES) : null;
  }
  return rows;
}

/** A packed page of blobs as rows (views into the page); undefined when a hash or the bytes are not blobs. */
function unpackBlobs(page: unknown[]): AuditBlobRow[] | undefined {
  const [plain, json, hashes, bytes] = page as [number | null, string, Buffer | null, Buffer | null];
  if (plain === null) return [];
  if (plain !== 1) return undefined;
  const rows = JSON.parse(json) as [number, number, number][];
  const out: AuditBlobRow[] = new Array(rows.length);
  let h = 0;
  let b = 0;
  for (let i = 0; i < rows.length; i++) {
    const [id, hashLength, length] = rows[i]!;
    if (i > 0 && id <= out[i - 1]!.id) return undefined; // as for entries
    // group_concat of nothing but empty blobs is NULL.
    out[i] = {
      id,
      hash: (hashes ?? EMPTY).subarray(h, (h += hashLength)),
      bytes: (bytes ?? EMPTY).subarray(b, (b += length)),
    };
  }
  return out;
}

const EMPTY = Buffer.alloc(0);
