/** SELECT fragments and row → model mapping shared by the store's read paths and its audit queries. */
import { hashEquals, sha256, type Hash, type Origin } from '../chain/entry.ts';
import { kindName, originName } from '../reader/codes.ts';
import type { StoredEntry } from './types.ts';

export { kindName, originName };

/** Joins that turn integer references back into the hashed values. LEFT JOIN blobs/parent: absent refs are NULL. */
export const ENTRY_FROM = `
  FROM entries e
  JOIN actors a ON a.id = e.actor_id
  JOIN fns f ON f.id = e.fn_id
  JOIN branches br ON br.id = e.branch_id
  LEFT JOIN entries p ON p.id = e.parent_id
  LEFT JOIN blobs bi ON bi.id = e.input_id
  LEFT JOIN blobs bo ON bo.id = e.output_id
  LEFT JOIN blobs bs ON bs.id = e.state_id`;

/** A blob reference's stored hash, plus its bytes when that hash is only the 8-byte prefix of a small blob. */
export const blobRef = (alias: string, name: string) =>
  `${alias}.hash AS ${name}, CASE WHEN length(${alias}.hash) < 32 THEN ${alias}.bytes END AS ${name}Small`;

export const ENTRY_COLUMNS = `e.id, e.hash, p.hash AS parent, a.name AS actor, e.seq, e.kind, f.iface, f.fn,
  ${blobRef('bi', 'input')}, ${blobRef('bo', 'output')}, ${blobRef('bs', 'state')},
  e.cause, e.origin, e.ts, br.name AS branch`;

export interface EntryRow {
  readonly id: number;
  readonly hash: Buffer;
  readonly parent: Buffer | null;
  readonly actor: string;
  readonly seq: number;
  readonly kind: number;
  readonly iface: string;
  readonly fn: string;
  readonly input: Buffer | null;
  readonly inputSmall: Buffer | null;
  readonly output: Buffer | null;
  readonly outputSmall: Buffer | null;
  readonly state: Buffer | null;
  readonly stateSmall: Buffer | null;
  readonly cause: Buffer | null;
  readonly origin: number | null;
  readonly ts: number;
  readonly branch: string;
}

/** A plain Uint8Array view (no copy): models compare equal to hashes built elsewhere, Buffer or not. */
export function bytes(b: Buffer): Uint8Array;
export function bytes(b: Buffer | null): Uint8Array | null;
export function bytes(b: Buffer | null): Uint8Array | null {
  return b === null ? null : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** SQLite wants Buffers for BLOB parameters. */
export function buf(h: Uint8Array): Buffer;
export function buf(h: Uint8Array | null): Buffer | null;
export function buf(h: Uint8Array | null): Buffer | null {
  if (h === null) return null;
  return Buffer.isBuffer(h) ? h : Buffer.from(h.buffer, h.byteOffset, h.byteLength);
}

export function toStoredEntry(r: EntryRow): StoredEntry {
  const kind = kindName(r.kind);
  if (kind === undefined) throw new Error(`entry #${r.id} has an unknown kind code ${r.kind}; run verify`);
  let origin: Origin | null = null;
  if (r.origin !== null) {
    origin = originName(r.origin) ?? null;
    if (origin === null) throw new Error(`entry #${r.id} has an unknown origin code ${r.origin}; run verify`);
  }
  return {
    id: r.id,
    hash: bytes(r.hash),
    parent: bytes(r.parent),
    actor: r.actor,
    seq: r.seq,
    kind,
    iface: r.iface,
    fn: r.fn,
    input: blobHash(r.input, r.inputSmall),
    output: blobHash(r.output, r.outputSmall),
    state: blobHash(r.state, r.stateSmall),
    cause: bytes(r.cause),
    origin,
    ts: r.ts,
    branch: r.branch,
  };
}

/** The full hash of a referenced blob: stored, or recomputed from a small blob's bytes. */
export function blobHash(stored: Buffer | null, small: Buffer | null): Hash | null {
  if (stored === null) return null;
  if (small === null) return bytes(stored);
  const h = sha256(small);
  // The full hash of a short blob is its bytes' hash only while they still hash to the prefix stored: changed bytes
  // would otherwise vouch for themselves. Then the prefix is all there is, and no read by hash finds the bytes.
  if (!hashEquals(h.subarray(0, stored.length), stored)) return bytes(stored);
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}
