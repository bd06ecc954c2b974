/**
 * Verify's entry pass: entries in id order, each one's hash recomputed from its stored fields and compared, its
 * links checked. Plain pages (store/packed-pages.ts) go through a loop that allocates nothing per entry: fields are
 * read from typed arrays, the body is encoded into a reused scratch buffer and hashed into a string compared byte
 * for byte. When that loop finds anything wrong it hands the row to `checkEntry`, which says what, so that both
 * paths report exactly the same reasons; a page that is not plain is read and checked row by row.
 */
import type { ChainStore } from '../store/index.ts';
import {
  E_ACTOR,
  E_COLS,
  E_FN,
  E_HAS_CAUSE,
  E_ID,
  E_INPUT,
  E_KIND,
  E_ORIGIN,
  E_OUTPUT,
  E_PARENT,
  E_SEQ,
  E_STATE,
  PAGE_IDS,
  entryPage,
  type EntryPage,
} from '../store/packed-pages.ts';
import { kindName, originName } from '../store/rows.ts';
import type { Value } from './canonical.ts';
import { BODY_ORDER, FORMAT_VERSION, HASH_BYTES, bodyHashMatches, entryHash, hashEquals, toHex } from './entry.ts';
import type { EntryBody, Hash } from './entry.ts';
import { pageStart, type BlobHashes } from './verify-blobs.ts';

const BLOB_FIELDS = ['input', 'output', 'state'] as const;

export interface EntryPassOptions {
  /** Only this actor's entries (its id), or null for all. */
  readonly actorId: number | null;
  /** Entries with ids in (afterId, toId]. Those up to afterId are taken as verified already (a checkpoint's). */
  readonly afterId: number;
  readonly toId: number;
  /** Called after each page with the entries verified so far. */
  readonly onPage?: (count: number) => void;
  /** All entries: sees each page as read, whole (ids from `lo`), in id order (a checkpoint's digest). */
  readonly sink?: (lo: number, page: EntryPage) => void;
}

export interface EntryPassResult {
  readonly count: number;
  /** The first bad entry in id order and what is wrong with it. */
  readonly bad?: { readonly entry: Uint8Array; readonly reason: string };
}

interface ParentInfo {
  readonly id: number;
  readonly hash: Uint8Array;
  readonly seq: number;
  readonly actorId: number;
}

/** A short hash for messages: enough to find it with the CLI's prefix lookup. */
export function short(h: Uint8Array): string {
  return `${toHex(h).slice(0, 12)}…`;
}

export function verifyEntries(store: ChainStore, blobs: BlobHashes, o: EntryPassOptions): EntryPassResult {
  const actors = store.audit.actorNames();
  const fns = store.audit.fnNames();
  const kinds = new Map<number, string>();
  const origins = new Map<number, string>();
  /** The last entry verified of each actor, carried from page to page (normally the next one's parent). */
  const lastOf = new Map<number, ParentInfo>();
  /** Within the page being checked: each actor's last row so far. */
  const lastRow = new Map<number, number>();
  const page = entryPage(PAGE_IDS);
  // Scratch for the body's values and the hashes in it: filled in place for every entry.
  const values: Value[] = new Array(BODY_ORDER.length).fill(null);
  const V = Object.fromEntries(BODY_ORDER.map((k, i) => [k, i])) as Record<string, number>;
  values[V.v!] = FORMAT_VERSION;
  const scratch = { input: new Uint8Array(32), output: new Uint8Array(32), state: new Uint8Array(32) };
  const causeBuf = new Uint8Array(32);
  const parentBuf = new Uint8Array(32);
  let count = 0;
  let afterId = o.afterId;

  /**
   * Checks one page row by row, exactly as stored (a page that is not plain, or one where the fast loop found
   * something wrong: this says what, with the stored values themselves). Undefined: the page is fine, go on.
   */
  const rowPage = (after: number, lastId: number, limit: number): EntryPassResult | 'done' | undefined => {
    const rows = store.audit.leanEntries(o.actorId, after, limit);
    for (const r of rows) {
      const [id, hash, parentId, actorId, seq, kind, fnId, inputId, outputId, stateId, cause, origin] = r;
      if (id > lastId) return id > o.toId ? 'done' : undefined;
      if (id > o.afterId) {
        const row = { id, hash, parentId, actorId, seq, kind, fnId, inputId, outputId, stateId, cause, origin };
        const reason = checkEntry(resolve(store, row, actors, fns, lastOf), blobs);
        if (reason !== undefined) return { count, bad: { entry: Buffer.from(hash), reason } };
        count++;
      }
      lastOf.set(actorId, { id, hash, seq, actorId });
      afterId = id;
    }
    return rows.length < limit ? 'done' : undefined;
  };

  // All entries: fixed id-range pages (PAGE_IDS), from the one holding the first entry to check. One actor's:
  // pages of its entries in id order.
  const toId = o.actorId === null ? Math.min(o.toId, store.audit.maxEntryId()) : o.toId;
  let lo = pageStart(o.afterId + 1);
  for (;;) {
    const start = { afterId, count };
    let packed: EntryPage | undefined;
    let hi = toId;
    if (o.actorId === null) {
      if (lo > toId) return { count };
      hi = Math.min(lo + PAGE_IDS - 1, toId);
      packed = store.pages.entryRange(lo, hi, page);
      if (packed) o.sink?.(lo, packed);
    } else packed = store.pages.actorEntries(o.actorId, afterId, PAGE_IDS, page);
    const fast = packed?.plain ? fastPage(packed, hi) : 'bad';
    if (fast === 'done') return { count };
    if (fast === 'bad') {
      // Not plain, or something is wrong in it: again, row by row.
      [afterId, count] = [start.afterId, start.count];
      const r = o.actorId === null ? rowPage(lo - 1, hi, PAGE_IDS) : rowPage(afterId, toId, PAGE_IDS);
      if (r === 'done') return { count };
      if (r) return r;
    }
    if (o.actorId === null) lo += PAGE_IDS;
    o.onPage?.(count);
  }

  /** The fast loop over a plain page: 'next' (all fine, more may follow), 'done', or 'bad' (look closer). */
  function fastPage(p: EntryPage, hi: number): 'next' | 'done' | 'bad' {
    const { n, nums, hashes, causes } = p;
    // Hashes and causes are concatenated: any of the wrong length would shift all after it.
    let withCause = 0;
    for (let i = 0; i < n; i++) withCause += nums[i * E_COLS + E_HAS_CAUSE]!;
    if (hashes.length !== n * HASH_BYTES || causes.length !== withCause * HASH_BYTES) return 'bad';
    lastRow.clear();
    let c = 0;
    for (let i = 0; i < n; i++) {
      const b = i * E_COLS;
      const id = nums[b + E_ID]!;
      if (id > o.toId) return 'done';
      const parentId = nums[b + E_PARENT]!;
      const actorId = nums[b + E_ACTOR]!;
      const seq = nums[b + E_SEQ]!;
      const hasCause = nums[b + E_HAS_CAUSE] === 1;
      const causeAt = hasCause ? c++ * HASH_BYTES : -1;
      if (id <= o.afterId) {
        // Verified before (a checkpoint's digest vouches for it): only a parent for what follows.
        lastRow.set(actorId, i);
        continue;
      }
      // The parent: this page's last row of the actor, else the last one before the page, else looked up (a
      // fork's first entry, or the first one of a range).
      let parent = false;
      if (parentId >= 0) {
        if (parentId >= id) return 'bad';
        const j = lastRow.get(actorId);
        const last = j === undefined ? lastOf.get(actorId) : undefined;
        if (j !== undefined && nums[j * E_COLS + E_ID] === parentId) {
          if (seq !== nums[j * E_COLS + E_SEQ]! + 1) return 'bad';
          copy(hashes, j * HASH_BYTES, parentBuf);
        } else if (last && last.id === parentId) {
          if (seq !== last.seq + 1) return 'bad';
          parentBuf.set(last.hash);
        } else {
          const p = store.audit.entryById(parentId);
          if (!p || p.actorId !== actorId || seq !== p.seq + 1) return 'bad';
          parentBuf.set(p.hash);
        }
        parent = true;
      } else if (seq !== 0) return 'bad';
      const actor = actors.get(actorId);
      const names = fns.get(nums[b + E_FN]!);
      const kind = name(kinds, nums[b + E_KIND]!, kindName);
      const originCode = nums[b + E_ORIGIN]!;
      const origin = originCode < 0 ? null : name(origins, originCode, originName);
      if (actor === undefined || names === undefined || kind === undefined || origin === undefined) return 'bad';
      for (const [field, col] of BLOB_COLUMNS) {
        const blobId = nums[b + col]!;
        if (blobId < 0) {
          values[V[field]!] = null;
          continue;
        }
        if (blobs.bad.has(blobId)) return 'bad';
        if (blobs.table && blobs.present?.[blobId] === 1) copy(blobs.table, blobId * HASH_BYTES, scratch[field]);
        else {
          const full = blobs.full(blobId);
          if (full === undefined) return 'bad';
          scratch[field].set(full);
        }
        values[V[field]!] = scratch[field];
      }
      if (hasCause) copy(causes, causeAt, causeBuf);
      values[V.actor!] = actor;
      values[V.cause!] = hasCause ? causeBuf : null;
      values[V.fn!] = names.fn;
      values[V.iface!] = names.iface;
      values[V.kind!] = kind;
      values[V.origin!] = origin;
      values[V.seq!] = seq;
      if (!bodyHashMatches(values, parent ? parentBuf : null, hashes, i * HASH_BYTES)) return 'bad';
      lastRow.set(actorId, i);
      count++;
    }
    // Carry each actor's last row over to the next page.
    for (const [actorId, j] of lastRow) {
      lastOf.set(actorId, {
        id: nums[j * E_COLS + E_ID]!,
        hash: hashes.slice(j * HASH_BYTES, (j + 1) * HASH_BYTES),
        seq: nums[j * E_COLS + E_SEQ]!,
        actorId,
      });
    }
    if (n > 0) afterId = nums[(n - 1) * E_COLS + E_ID]!;
    if (o.actorId !== null) return n < PAGE_IDS ? 'done' : 'next';
    return hi >= toId ? 'done' : 'next';
  }
}

const BLOB_COLUMNS = [
  ['input', E_INPUT],
  ['output', E_OUTPUT],
  ['state', E_STATE],
] as const;

function copy(from: Uint8Array, at: number, to: Uint8Array): void {
  for (let i = 0; i < HASH_BYTES; i++) to[i] = from[at + i]!;
}

function name<T extends string>(cache: Map<number, string>, code: number, lookup: (c: number) => T | undefined) {
  let s = cache.get(code);
  if (s === undefined) {
    s = lookup(code);
    if (s !== undefined) cache.set(code, s);
  }
  return s;
}

/** An entry row as stored, references unresolved. */
export interface RowSource {
  readonly id: number;
  readonly hash: Uint8Array;
  readonly parentId: number | null;
  readonly actorId: number;
  readonly seq: number;
  readonly kind: number;
  readonly fnId: number;
  readonly inputId: number | null;
  readonly outputId: number | null;
  readonly stateId: number | null;
  readonly cause: Uint8Array | null;
  readonly origin: number | null;
}

export interface CheckRow extends RowSource {
  readonly parent: Uint8Array | null;
  readonly parentSeq: number | null;
  readonly parentActorId: number | null;
  readonly actor: string | null;
  readonly iface: string | null;
  readonly fn: string | null;
}

function resolve(
  store: ChainStore,
  r: RowSource,
  actors: ReadonlyMap<number, string>,
  fns: ReadonlyMap<number, { iface: string; fn: string }>,
  lastOf: ReadonlyMap<number, ParentInfo>,
): CheckRow {
  let parent: ParentInfo | undefined;
  if (r.parentId !== null) {
    const last = lastOf.get(r.actorId);
    if (last && last.id === r.parentId) parent = last;
    else {
      const p = store.audit.entryById(r.parentId);
      parent = p && { id: r.parentId, ...p };
    }
  }
  const names = fns.get(r.fnId);
  return {
    ...r,
    parent: parent?.hash ?? null,
    parentSeq: parent?.seq ?? null,
    parentActorId: parent?.actorId ?? null,
    actor: actors.get(r.actorId) ?? null,
    iface: names?.iface ?? null,
    fn: names?.fn ?? null,
  };
}

/** undefined = fine; otherwise what was expected vs found. */
export function checkEntry(r: CheckRow, blobs: BlobHashes): string | undefined {
  if (r.parentId !== null) {
    if (r.parent === null) return `parent (entries row id ${r.parentId}) not found: deleted or never stored`;
    if (r.parentId >= r.id) return `parent ${short(r.parent)} (#${r.parentId}) was inserted after it (#${r.id})`;
    if (r.parentActorId !== r.actorId) return `its parent ${short(r.parent)} belongs to another actor`;
    if (r.seq !== r.parentSeq! + 1) return `seq ${r.seq} but parent has seq ${r.parentSeq}`;
  } else if (r.seq !== 0) {
    return `seq ${r.seq} but it has no parent (a root entry has seq 0)`;
  }
  if (r.actor === null) return `its actor (#${r.actorId}) not found`;
  if (r.iface === null || r.fn === null) return `its interface/function (#${r.fnId}) not found`;
  const kind = kindName(r.kind);
  if (kind === undefined) return `kind code ${r.kind} is not a known kind`;
  const origin = r.origin === null ? null : originName(r.origin);
  if (origin === undefined) return `origin code ${r.origin} is not a known origin`;
  const hashes: Record<(typeof BLOB_FIELDS)[number], Hash | null> = { input: null, output: null, state: null };
  for (const field of BLOB_FIELDS) {
    const id = r[`${field}Id`];
    if (id === null) continue;
    const full = blobs.full(id);
    if (full === undefined) return `blob #${id} (its ${field}) not found`;
    const bad = blobs.bad.get(id);
    if (bad) return `blob ${short(bad.stored)} (its ${field}) hashes to ${short(bad.actual)}`;
    hashes[field] = full;
  }
  const body: EntryBody = {
    actor: r.actor,
    seq: r.seq,
    kind,
    iface: r.iface,
    fn: r.fn,
    input: hashes.input,
    output: hashes.output,
    state: hashes.state,
    cause: r.cause,
    origin,
  };
  const recomputed = entryHash(r.parent, body);
  if (!hashEquals(recomputed, r.hash)) {
    return `stored hash ${short(r.hash)}, recomputed ${short(recomputed)} from its fields`;
  }
  return undefined;
}
