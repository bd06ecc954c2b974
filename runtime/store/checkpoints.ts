/** The verify checkpoints table (chain/verify-checkpoint.ts says what a checkpoint vouches for); its only SQL. */
import type Database from 'better-sqlite3';
import { hasTable } from './schema.ts';

export interface CheckpointRow {
  readonly id: number;
  /** Every entry with an id up to this one was verified. */
  readonly entryId: number;
  /** That entry's hash (null: no entries yet). */
  readonly head: Uint8Array | null;
  /** Every blob with an id up to this one was hashed and found right. */
  readonly blobId: number;
  /** The actors and interface/function names (up to these ids) that the entries' hashes were computed with. */
  readonly actorId: number;
  readonly fnId: number;
  readonly count: number;
  readonly digest: Uint8Array;
  readonly created: number;
  readonly seal: Uint8Array;
}

export interface Checkpoints {
  /** The newest checkpoint, if any. */
  latest(): CheckpointRow | undefined;
  save(cp: Omit<CheckpointRow, 'id'>): void;
  /** Actors and interface/function names with ids up to these, in id order, as one string (a digest covers it). */
  names(maxActorId: number, maxFnId: number): string;
  /** False on a file older than checkpoints, opened read-only as it is (no table: `latest` is none). */
  readonly available: boolean;
  /** The highest actor and fns ids. */
  maxNameIds(): { actorId: number; fnId: number };
}

export function openCheckpoints(db: Database.Database): Checkpoints {
  // A reader of a file older than checkpoints (schema.ts openChainDb) has none: every verify is a full one.
  const older = !hasTable(db, 'verify_checkpoints');
  const latest = older
    ? undefined
    : db.prepare(`SELECT id, entry_id AS entryId, head, blob_id AS blobId, actor_id AS actorId,
    fn_id AS fnId, count, digest, created, seal FROM verify_checkpoints ORDER BY id DESC LIMIT 1`);
  const insert = older
    ? undefined
    : db.prepare(`INSERT INTO verify_checkpoints (entry_id, head, blob_id, actor_id, fn_id, count, digest,
    created, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // Older ones say nothing the newest does not: one row is kept.
  const prune = older ? undefined : db.prepare('DELETE FROM verify_checkpoints WHERE id < ?');
  const names = db
    .prepare(
      `SELECT json_array((SELECT json_group_array(json_array(id, name)) FROM (SELECT * FROM actors WHERE id <= ?
        ORDER BY id)), (SELECT json_group_array(json_array(id, iface, fn)) FROM (SELECT * FROM fns WHERE id <= ?
        ORDER BY id)))`,
    )
    .pluck();
  const maxIds = db.prepare(`SELECT (SELECT coalesce(max(id), 0) FROM actors) AS actorId,
    (SELECT coalesce(max(id), 0) FROM fns) AS fnId`);
  return {
    available: !older,
    latest: () => latest?.get() as CheckpointRow | undefined,
    names: (maxActorId, maxFnId) => names.get(maxActorId, maxFnId) as string,
    maxNameIds: () => maxIds.get() as { actorId: number; fnId: number },
    save(cp) {
      if (!insert || !prune) throw new Error('this file predates verify checkpoints: a writer migrates it');
      db.transaction(() => {
        const { entryId, head, blobId, actorId, fnId, count, digest, created, seal } = cp;
        const id = insert.run(entryId, head, blobId, actorId, fnId, count, digest, created, seal);
        prune.run(id.lastInsertRowid);
      }).immediate();
    },
  };
}
