/**
 * Raw, unvalidated views of the tables for chain/verify.ts. Everything is LEFT JOINed so that a deleted or
 * dangling row shows up as data (a NULL beside a non-NULL id) instead of silently dropping the entry.
 * All three are streams or tiny: memory stays constant however long the chain is.
 */
import type Database from 'better-sqlite3';
import { blobRef } from './rows.ts';

export interface AuditEntryRow {
  readonly id: number;
  readonly hash: Buffer;
  readonly parentId: number | null;
  /** NULL when parentId points at no row. */
  readonly parent: Buffer | null;
  readonly parentSeq: number | null;
  readonly parentActorId: number | null;
  readonly actorId: number;
  readonly actor: string | null;
  readonly seq: number;
  readonly kind: number;
  readonly fnId: number;
  readonly iface: string | null;
  readonly fn: string | null;
  /** Blob references: the id, the stored hash (NULL if no such row) and a small blob's bytes (see rows.ts). */
  readonly inputId: number | null;
  readonly input: Buffer | null;
  readonly inputSmall: Buffer | null;
  readonly outputId: number | null;
  readonly output: Buffer | null;
  readonly outputSmall: Buffer | null;
  readonly stateId: number | null;
  readonly state: Buffer | null;
  readonly stateSmall: Buffer | null;
  readonly cause: Buffer | null;
  readonly origin: number | null;
}

export interface AuditBlobRow {
  readonly id: number;
  /** The full hash, or the first 8 bytes of it for a small blob. */
  readonly hash: Buffer;
  readonly bytes: Buffer;
}

export interface AuditBranchRow {
  readonly actor: string | null;
  readonly branch: string;
  readonly headId: number | null;
  /** NULL when headId points at no row. */
  readonly head: Buffer | null;
  readonly headActorId: number | null;
  readonly actorId: number;
}

/** An entry row without joins (verify's fast path): [id, hash, parentId, actorId, seq, kind, fnId, inputId,
 *  outputId, stateId, cause, origin]. */
export type LeanEntryRow = [
  number, Buffer, number | null, number, number, number, number, number | null, number | null, number | null, Buffer | null, number | null,
];

export interface Audit {
  /** Entries in insertion order without joins; references are resolved by the caller. */
  leanEntries(actor: string | undefined, afterId: number, limit: number): LeanEntryRow[];
  /** One entry's hash, seq and actor by id (a parent not among the rows just read). */
  entryById(id: number): { hash: Buffer; seq: number; actorId: number } | undefined;
  /** One blob by id. */
  blobById(id: number): AuditBlobRow | undefined;
  /** Highest blob id (0 when none). */
  maxBlobId(): number;
  actorNames(): Map<number, string>;
  fnNames(): Map<number, { iface: string; fn: string }>;
  /** Every entry (or one actor's), in insertion order, with what its integer references resolve to. */
  entries(actor?: string): IterableIterator<AuditEntryRow>;
  blobs(): IterableIterator<AuditBlobRow>;
  branches(actor?: string): AuditBranchRow[];
  actorId(actor: string): number | undefined;
}

const ENTRIES = `
  SELECT e.id, e.hash, e.parent_id AS parentId, p.hash AS parent, p.seq AS parentSeq, p.actor_id AS parentActorId,
    e.actor_id AS actorId, a.name AS actor, e.seq, e.kind, e.fn_id AS fnId, f.iface, f.fn,
    e.input_id AS inputId, ${blobRef('bi', 'input')}, e.output_id AS outputId, ${blobRef('bo', 'output')},
    e.state_id AS stateId, ${blobRef('bs', 'state')}, e.cause, e.origin
  FROM entries e
  LEFT JOIN entries p ON p.id = e.parent_id
  LEFT JOIN actors a ON a.id = e.actor_id
  LEFT JOIN fns f ON f.id = e.fn_id
  LEFT JOIN blobs bi ON bi.id = e.input_id
  LEFT JOIN blobs bo ON bo.id = e.output_id
  LEFT JOIN blobs bs ON bs.id = e.state_id`;

const BRANCHES = `
  SELECT a.name AS actor, b.name AS branch, b.head_id AS headId, h.hash AS head, h.actor_id AS headActorId,
    b.actor_id AS actorId
  FROM branches b LEFT JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id`;

export function openAudit(db: Database.Database): Audit {
  const all = db.prepare(`${ENTRIES} ORDER BY e.id`);
  // INDEXED BY: the planner must walk the actor index in rowid order, never sort a million rows.
  const ofActor = db.prepare(`${ENTRIES.replace('FROM entries e', 'FROM entries e INDEXED BY entries_actor')}
    WHERE e.actor_id = ? ORDER BY e.id`);
  const blobs = db.prepare('SELECT id, hash, bytes FROM blobs ORDER BY id');
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
  const actorsAll = db.prepare('SELECT id, name FROM actors');
  const fnsAll = db.prepare('SELECT id, iface, fn FROM fns');
  return {
    leanEntries(actor, afterId, limit) {
      if (actor === undefined) return leanAll.all(afterId, limit) as LeanEntryRow[];
      return leanOf.all((actorId.get(actor) as number | undefined) ?? -1, afterId, limit) as LeanEntryRow[];
    },
    entryById: (id) => byId.get(id) as { hash: Buffer; seq: number; actorId: number } | undefined,
    blobById: (id) => blobById.get(id) as AuditBlobRow | undefined,
    maxBlobId: () => maxBlob.get() as number,
    actorNames: () => new Map((actorsAll.all() as { id: number; name: string }[]).map((r) => [r.id, r.name])),
    fnNames: () => new Map((fnsAll.all() as { id: number; iface: string; fn: string }[]).map((r) => [r.id, { iface: r.iface, fn: r.fn }])),
    entries(actor) {
      if (actor === undefined) return all.iterate() as IterableIterator<AuditEntryRow>;
      const id = actorId.get(actor) as number | undefined;
      return ofActor.iterate(id ?? -1) as IterableIterator<AuditEntryRow>;
    },
    blobs: () => blobs.iterate() as IterableIterator<AuditBlobRow>,
    branches(actor) {
      if (actor === undefined) return branches.all() as AuditBranchRow[];
      return branchesOf.all(actorId.get(actor) ?? -1) as AuditBranchRow[];
    },
    actorId: (actor) => actorId.get(actor) as number | undefined,
  };
}
