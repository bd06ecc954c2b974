/**
 * Incremental verify: verify what the store already proved once by checking a *checkpoint* instead of every entry
 * again, then verify fully only what came after it.
 *
 * A checkpoint, written after a successful whole-store verify, says: "every entry up to #N (head H) and every blob up
 * to #B verified, with these actor and function names; what was stored then digests to D", and carries a seal:
 * SHA-256 of its own canonical encoding, so that an edited checkpoint is caught too. D is SHA-256 over the stored
 * rows themselves, read in the same large packed pages a full verify reads (store/packed-pages.ts: every hashed
 * column, hashes and causes, every blob's bytes), but with no per-entry work: no canonical encoding, no SHA-256 per
 * entry or blob, one streaming hash over megabytes. A later verify recomputes D over the rows up to #N and #B:
 * any change to them (a flipped byte, a swapped reference, a deleted row) changes D, and the verify then falls
 * back to a full one, which names the first bad entry. What D does not cover it verifies in full: the entries
 * after #N, the blobs after #B, and every branch head.
 *
 * What a checkpoint cannot do: stop someone who rewrites the rows *and* recomputes D and the seal, any more than
 * entry hashes stop someone who recomputes every hash (docs/reliability.md: only a head kept elsewhere catches
 * that). `theater verify --full` ignores checkpoints.
 */
import { createHash } from 'node:crypto';
import type { AuditBlobRow, ChainStore, CheckpointRow } from '../store/index.ts';
import { PAGE_IDS, type BlobPage, type EntryPage } from '../store/packed-pages.ts';
import { encode } from './canonical.ts';
import { hashEquals, sha256, toHex } from './entry.ts';
import { blobTableBytes, hashBlobs, pageStart, withOldBlobs, type BlobHashes } from './verify-blobs.ts';
import { verifyEntries } from './verify-entries.ts';

/**
 * The digest of what was stored: SHA-256 over the names, then each entry page's digest in page order, then each blob
 * page's. Page digests (one per fixed id range, store/packed-pages.ts PAGE_IDS) can be made on any thread and in any
 * order (verify-parallel.ts); only their combination is ordered.
 */
export class StoreDigest {
  private readonly entries = new Map<number, Uint8Array>();
  private readonly blobs = new Map<number, Uint8Array>();

  constructor(private readonly names: string) {}

  /** An entry page (ids from `lo`), as read. */
  entryPage = (lo: number, p: EntryPage): void => {
    this.entries.set(lo, pageDigest(p.n, p.text, p.hashes, p.causes));
  };

  /** A blob page (ids from `lo`): its small blobs packed, then its large ones. */
  blobPage = (lo: number, p: BlobPage, large: readonly AuditBlobRow[]): void => {
    this.blobs.set(lo, pageDigest(p.n, p.text, p.hashes, p.bytes, large));
  };

  /** Page digests made elsewhere (another thread). */
  add(kind: 'entries' | 'blobs', pages: ReadonlyMap<number, Uint8Array>): void {
    for (const [lo, d] of pages) (kind === 'entries' ? this.entries : this.blobs).set(lo, d);
  }

  clear(): void {
    this.entries.clear();
    this.blobs.clear();
  }

  get pages(): { readonly entries: ReadonlyMap<number, Uint8Array>; readonly blobs: ReadonlyMap<number, Uint8Array> } {
    return { entries: this.entries, blobs: this.blobs };
  }

  digest(): Uint8Array {
    const h = createHash('sha256').update('theater verify checkpoint v1\0').update(this.names);
    for (const pages of [this.entries, this.blobs]) {
      h.update(pages.size === 0 ? 'none' : 'pages');
      for (const lo of [...pages.keys()].sort((x, y) => x - y)) h.update(pages.get(lo)!);
    }
    return new Uint8Array(h.digest());
  }
}

/** A page's values, each preceded by its length, so that no two different pages hash alike. */
function pageDigest(
  n: number,
  text: string,
  a: Uint8Array,
  b: Uint8Array,
  large: readonly AuditBlobRow[] = [],
): Uint8Array {
  const h = createHash('sha256');
  const head = (x: number, y: number, z: number, w: number) => {
    const buf = Buffer.alloc(16);
    [x, y, z, w].forEach((v, i) => buf.writeUInt32LE(v, i * 4));
    h.update(buf);
  };
  head(n, Buffer.byteLength(text), a.length, b.length);
  h.update(text).update(a).update(b);
  for (const r of large) {
    const [hash, bytes] = [toBytes(r.hash), toBytes(r.bytes)];
    head(r.id, 0, hash.length, bytes.length);
    h.update(hash).update(bytes);
  }
  return new Uint8Array(h.digest());
}

/** A blob's hash or bytes as stored (text, where someone stored text, counts as its UTF-8 bytes). */
function toBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

/** SHA-256 of the checkpoint's canonical encoding (everything but its id and the seal itself). */
export function sealOf(cp: Omit<CheckpointRow, 'id' | 'seal'>): Uint8Array {
  return sha256(
    encode({
      v: 1,
      entry: cp.entryId,
      head: cp.head === null ? null : new Uint8Array(cp.head),
      blob: cp.blobId,
      actor: cp.actorId,
      fn: cp.fnId,
      count: cp.count,
      digest: new Uint8Array(cp.digest),
      created: cp.created,
    }),
  );
}

/** What the checkpoint a verify started from said, and how much was verified on top of it. */
export interface FromCheckpoint {
  readonly entryId: number;
  readonly head: string | null;
  readonly created: number;
  /** Entries verified in full this time (those after the checkpoint). */
  readonly verified: number;
}

export type CheckpointCheck =
  /** The checkpoint holds: entries after `entryId` and blobs after `blobId` remain to verify. */
  | { readonly ok: true; readonly cp: CheckpointRow; readonly digest: StoreDigest; readonly names: NamesBound }
  /** It does not: why (the caller verifies in full, which says what is wrong with the chain, if anything). */
  | { readonly ok: false; readonly why: string };

interface NamesBound {
  readonly actorId: number;
  readonly fnId: number;
}

/**
 * Checks `cp` against the store: its seal, its head, and the digest of everything up to it. Fills `next` (the
 * digest of a new checkpoint at `maxEntry`/`maxBlob`) with the pages that lie wholly before the new entries.
 */
export function checkCheckpoint(
  store: ChainStore,
  cp: CheckpointRow,
  bounds: { maxEntry: number; maxBlob: number },
  opts: { digest?: boolean } = {},
): CheckpointCheck {
  const when = new Date(cp.created).toISOString();
  const what = `the verify checkpoint of ${when} (through entries row id ${cp.entryId})`;
  if (!hashEquals(sealOf(cp), cp.seal)) return { ok: false, why: `${what} was altered: its seal does not match` };
  if (bounds.maxEntry < cp.entryId || bounds.maxBlob < cp.blobId) {
    return { ok: false, why: `the store holds fewer rows than ${what} vouched for` };
  }
  if (cp.entryId > 0) {
    const head = store.audit.entryById(cp.entryId);
    if (!head || !cp.head || !hashEquals(head.hash, cp.head)) {
      return {
        ok: false,
        why: `entries row id ${cp.entryId} is no longer the head ${cp.head ? toHex(cp.head) : '(none)'} ${what} recorded`,
      };
    }
  }
  const names = store.checkpoints.maxNameIds();
  // (verify-parallel.ts digests on its threads.)
  if (opts.digest === false) return { ok: true, cp, digest: new StoreDigest(''), names };
  const then = new StoreDigest(store.checkpoints.names(cp.actorId, cp.fnId));
  const now = new StoreDigest(store.checkpoints.names(names.actorId, names.fnId));
  // Pages wholly before the first new row are the same for both digests: read once.
  const entryPage = { n: 0, plain: false, text: '', nums: new Float64Array(0), hashes: EMPTY, causes: EMPTY };
  const firstNewEntryPage = pageStart(cp.entryId + 1);
  for (let lo = 1; lo <= cp.entryId; lo += PAGE_IDS) {
    const p = store.pages.entryRange(lo, Math.min(lo + PAGE_IDS - 1, cp.entryId), entryPage);
    if (!p) return { ok: false, why: `entries before ${what} changed: a page of them no longer reads` };
    then.entryPage(lo, p);
    if (lo < firstNewEntryPage) now.entryPage(lo, p);
  }
  const blobPage = { n: 0, plain: false, text: '', nums: new Float64Array(0), hashes: EMPTY, bytes: EMPTY };
  const firstNewBlobPage = pageStart(cp.blobId + 1);
  for (let lo = 1; lo <= cp.blobId; lo += PAGE_IDS) {
    const hi = Math.min(lo + PAGE_IDS - 1, cp.blobId);
    const p = store.pages.smallBlobRange(lo, hi, blobPage);
    if (!p) return { ok: false, why: `blobs before ${what} changed: a page of them no longer reads` };
    const large = [...store.audit.largeBlobs(lo, hi)];
    then.blobPage(lo, p, large);
    if (lo < firstNewBlobPage) now.blobPage(lo, p, large);
  }
  if (!hashEquals(then.digest(), cp.digest)) {
    return { ok: false, why: `something stored before ${what} changed since (its digest differs)` };
  }
  return { ok: true, cp, digest: now, names };
}

/**
 * Blob hashes for an incremental verify: the new blobs hashed into a table (and checked), older ones — vouched for
 * by the checkpoint's digest — hashed when an entry references them, once each.
 */
export function blobsAfter(store: ChainStore, fromId: number, maxId: number, digest: StoreDigest): BlobHashes {
  const fresh = hashBlobs(
    store,
    { fromId, toId: maxId, maxId },
    new ArrayBuffer(blobTableBytes(maxId)),
    digest.blobPage,
  );
  return withOldBlobs(store, fresh, fromId);
}

/** Verifies the entries after a checked checkpoint; feeds the pages it reads to the next checkpoint's digest. */
export function entriesAfter(
  store: ChainStore,
  blobs: BlobHashes,
  check: Extract<CheckpointCheck, { ok: true }>,
  maxEntry: number,
  onPage?: (count: number) => void,
) {
  return verifyEntries(store, blobs, {
    actorId: null,
    afterId: check.cp.entryId,
    toId: maxEntry,
    onPage,
    sink: check.digest.entryPage,
  });
}

const EMPTY = new Uint8Array(0);
