/**
 * What a verify answers, whatever it read (verify-sqlite.ts: a SQLite store; verify-reader.ts: any ChainReader,
 * a hub node), and the check both end with: every branch head exists and is an entry of its actor, and no corrupt
 * blob is left that no entry failed on.
 */
import type { AuditBranchRow } from '../reader/chain-reader.ts';
import { toHex } from './entry.ts';
import type { BadBlob } from './verify-blobs.ts';
import type { FromCheckpoint } from './verify-checkpoint.ts';
import { short } from './verify-entries.ts';

export interface VerifyOptions {
  readonly actor?: string;
  /** Called every few thousand entries and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * SQLite, whole store only: start from the last checkpoint when it checks out (verify-checkpoint.ts), verifying
   * in full only what came after it. Default true; false verifies everything.
   */
  readonly incremental?: boolean;
  /** SQLite, whole store only: after a verify that passes, record a checkpoint (default true). Best effort. */
  readonly checkpoint?: boolean;
}

export interface VerifiedHead {
  readonly actor: string;
  readonly branch: string;
  /** null for a branch with no entries yet. */
  readonly hash: string | null;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly count: number;
      readonly heads: readonly VerifiedHead[];
      /** Set when the verify started from a checkpoint. */
      readonly from?: FromCheckpoint;
      /** Why a checkpoint there was could not be used (the verify was then a full one). */
      readonly checkpointRefused?: string;
    }
  | {
      readonly ok: false;
      /** Entries verified before the problem was found. */
      readonly count: number;
      /** Hex hash of the first bad entry in insertion order; null when the problem is not an entry (a branch head). */
      readonly entry: string | null;
      readonly reason: string;
    };

export function failed(count: number, entry: Uint8Array | null, reason: string): VerifyResult {
  return { ok: false, count, entry: entry && toHex(entry), reason };
}

/**
 * The end of every verify, after `count` good entries: the branches' heads, and the corrupt blobs (`bad`, from
 * the blob pass) no entry failed on — an embedded component (replay loads the recorded component from it), or a
 * stray row. Checking one actor, only its component counts; with `sharedBlobs` (a hub node, whose blob pass read
 * every node's blobs), only its actors' components count. `components`: component hash (hex) → actor.
 */
export function checkBranches(
  branches: readonly AuditBranchRow[],
  bad: readonly BadBlob[],
  components: () => ReadonlyMap<string | null, string>,
  actor: string | undefined,
  count: number,
  sharedBlobs = false,
): VerifyResult {
  const heads: VerifiedHead[] = [];
  for (const b of branches) {
    const name = `${b.actor ?? `#${b.actorId}`}/${b.branch}`;
    if (b.actor === null) return failed(count, null, `branch ${name}: its actor #${b.actorId} not found`);
    if (b.headId !== null && b.head === null) {
      // Its row id, not a seq (#n is a seq everywhere else): the row is gone, and its seq with it.
      return failed(count, null, `branch ${name}: its head is missing (it points at entries row id ${b.headId})`);
    }
    if (b.headId === null && b.headless === 1) {
      return failed(count, null, `branch ${name} has entries (or a fork base) but no head: its head was removed`);
    }
    if (b.head !== null && b.headActorId !== b.actorId) {
      return failed(count, b.head, `branch ${name} head ${short(b.head)} is an entry of another actor`);
    }
    heads.push({ actor: b.actor, branch: b.branch, hash: b.head && toHex(b.head) });
  }
  if (bad.length > 0) {
    const owners = components();
    for (const b of bad) {
      const owner = owners.get(toHex(b.stored));
      if (actor !== undefined ? owner !== actor : sharedBlobs && owner === undefined) continue;
      const what = owner === undefined ? 'referenced by no entry' : `the embedded component of actor ${owner}`;
      return failed(count, null, `blob ${short(b.stored)} (${what}) hashes to ${short(b.actual)}`);
    }
  }
  return { ok: true, count, heads };
}
