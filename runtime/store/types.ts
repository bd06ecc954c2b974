/** The store's models. Hashes are Uint8Array (32 bytes); hex only at the edges (CLI, UI). */
import { toHex, type Entry, type Hash } from '../chain/entry.ts';

export interface StoredEntry extends Entry {
  /** Insertion order across the whole store; entries of one actor are appended in order. */
  readonly id: number;
  /** ms since epoch when recorded. Not hashed: replay must not depend on wall-clock time. */
  readonly ts: number;
  /** The branch the entry was appended on. Not hashed: the same entry can be reached from several branches. */
  readonly branch: string;
}

export interface AppendBatch {
  readonly actor: string;
  readonly branch: string;
  /** Consecutive entries: the first one's parent must be the branch head, each next one's parent the previous. */
  readonly entries: readonly (Entry & { readonly ts: number })[];
  /** Every blob the entries reference that may not be stored yet (already stored ones are deduplicated). */
  readonly blobs: readonly { readonly hash: Hash; readonly bytes: Uint8Array }[];
}

/**
 * An actor's status as stored: what its host last reported, or `suspended` (its runtime shut down with it running;
 * the next run on this db resumes it). A status the store does not know (a newer build's) reads as null.
 */
export const STORED_STATUSES = ['starting', 'running', 'stopped', 'failed', 'suspended'] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];

export function storedStatus(s: string | null): StoredStatus | null {
  return STORED_STATUSES.find((x) => x === s) ?? null;
}

export interface ActorRow {
  readonly id: string;
  readonly liveBranch: string;
  /** sha256 hex of the component bytes. */
  readonly component: string | null;
  readonly manifest: string | null;
  readonly status: StoredStatus | null;
  /** The supervising actor that spawned it, if any. */
  readonly parent: string | null;
  readonly created: number;
}

/** Display/ops data about an actor; not hashed. Absent fields are left as they are. */
export interface ActorInfo {
  readonly id: string;
  readonly component?: string;
  readonly manifest?: string;
  readonly status?: StoredStatus;
  readonly parent?: string;
}

export interface BranchRow {
  readonly actor: string;
  readonly name: string;
  /** null until the first entry is appended (a new actor's "main"). */
  readonly head: Hash | null;
  /** The fork point; null for "main". */
  readonly base: Hash | null;
  readonly created: number;
}

export const MAIN_BRANCH = 'main';

/** The first entry of a batch does not continue the branch head: someone else appended, or a stale writer. */
export class ChainConflictError extends Error {
  override readonly name = 'ChainConflictError';
  constructor(
    readonly actor: string,
    readonly branch: string,
    readonly expected: Hash | null,
    readonly got: Hash | null,
  ) {
    super(
      `chain conflict on ${actor}/${branch}: the branch head is ${expected ? toHex(expected) : 'empty'}, ` +
        `but the appended entry's parent is ${got ? toHex(got) : 'none'}`,
    );
  }
}

/** The file exists but cannot be used as a chain store (not SQLite, someone else's db, or too new). */
export class ChainStoreOpenError extends Error {
  override readonly name = 'ChainStoreOpenError';
}

/**
 * better-sqlite3's native binding could not be loaded (not installed, or built for another Node version): the
 * install is broken, whatever file was asked for.
 */
export class SqliteDriverError extends Error {
  override readonly name = 'SqliteDriverError';
  constructor(cause: unknown) {
    const why = (cause instanceof Error ? cause.message : String(cause)).split('\n').join(' ');
    super(
      `the SQLite driver (better-sqlite3's native binding) cannot be loaded by Node ${process.version}: ${why} ` +
        `Rebuild it for this Node with \`npm rebuild better-sqlite3\` (or reinstall: \`npm ci\`).`,
      { cause },
    );
  }
}
