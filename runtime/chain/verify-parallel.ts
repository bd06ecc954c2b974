/**
 * Verify of a store, or of one actor in it, on several threads: the same passes as verify-sqlite.ts, each split into
 * contiguous ranges of fixed id pages, one range per thread, each thread with its own read connection (WAL: they
 * read while a writer writes). Entries and blobs are independent given the stored parent hashes and the blob table,
 * so the split costs nothing but the threads' start (~50 ms): used from PARALLEL_MIN entries up, where a single
 * thread takes seconds.
 *
 *   1. (whole store, from a checkpoint) page digests of what it vouches for, compared as one digest;
 *   2. blobs hashed into one SharedArrayBuffer table; the corrupt ones gathered;
 *   3. entries (all, or the actor's) verified; the first bad one in id order wins; (whole store) page digests for
 *      the next checkpoint.
 *
 * The answer is exactly verifyChain's: same reasons, same entry named, same count before it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ChainStore } from '../store/index.ts';
import { PAGE_IDS } from '../store/packed-pages.ts';
import { workerScript } from '../worker-script.ts';
import { hashEquals, toHex } from './entry.ts';
import { blobTableBytes, pageStart, MAX_BLOB_TABLE } from './verify-blobs.ts';
import { StoreDigest, checkCheckpoint } from './verify-checkpoint.ts';
import { failed, type VerifyOptions, type VerifyResult } from './verify-result.ts';
import { checkHeads, saveCheckpoint, unknownActor, verifySqlite } from './verify-sqlite.ts';

/** Below this many entries one thread is done before more would have started. */
export const PARALLEL_MIN = 100_000;

export interface ParallelInit {
  readonly db: string;
  readonly table: SharedArrayBuffer;
  readonly maxBlob: number;
}

type Range = { readonly lo: number; readonly hi: number; readonly bound: number };
export type ToVerifyWorker =
  | { readonly t: 'old-pages'; readonly entries: Range; readonly blobs: Range }
  | { readonly t: 'blobs'; readonly range: { fromId: number; toId: number; maxId: number } }
  | {
      readonly t: 'entries';
      /** Only this actor's entries (its id), or null for all. */
      readonly actorId: number | null;
      readonly afterId: number;
      readonly toId: number;
      readonly bad: readonly (readonly [number, Uint8Array, Uint8Array])[];
      readonly oldBelow: number;
    };

type PageDigests = readonly (readonly [number, Uint8Array])[];
export type FromVerifyWorker =
  | {
      readonly t: 'done';
      readonly entries: PageDigests;
      readonly blobs: PageDigests;
      readonly bad?: unknown;
      readonly count?: number;
    }
  | { readonly t: 'progress'; readonly count: number }
  | { readonly t: 'unreadable'; readonly what: string }
  | { readonly t: 'error'; readonly message: string };

export interface ParallelOptions extends VerifyOptions {
  /** Threads to use (default: the machine's cores, at most 4). 1 verifies on the calling thread. */
  readonly threads?: number;
  /** From how many entries threads are used (default PARALLEL_MIN). */
  readonly parallelFrom?: number;
}

/** How many threads a big verify uses by default: the machine's cores, at most 4. */
export function verifyThreads(): number {
  return Math.min(availableParallelism(), 4);
}

/**
 * Verifies the store at `db`, or one actor's chain in it (`opts.actor`), on its own connections. Same answer as
 * verifyChain; faster from PARALLEL_MIN up.
 */
export async function verifyStore(db: string, opts: ParallelOptions = {}): Promise<VerifyResult> {
  const store = ChainStore.openReadOnly(db);
  try {
    const maxEntry = store.audit.maxEntryId();
    const maxBlob = store.audit.maxBlobId();
    const threads = Math.min(opts.threads ?? verifyThreads(), Math.ceil(maxEntry / PAGE_IDS));
    if (threads <= 1 || maxEntry < (opts.parallelFrom ?? PARALLEL_MIN) || maxBlob > MAX_BLOB_TABLE) {
      return verifySqlite(store, opts);
    }
    if (opts.actor !== undefined) return await parallelActor(store, opts.actor, { maxEntry, maxBlob, threads }, opts);
    return await parallel(store, { maxEntry, maxBlob, threads }, opts);
  } finally {
    store.close();
  }
}

async function parallel(
  store: ChainStore,
  at: { maxEntry: number; maxBlob: number; threads: number },
  opts: ParallelOptions,
): Promise<VerifyResult> {
  const { maxEntry, maxBlob, threads } = at;
  const total = store.countEntries();
  const names = store.checkpoints.maxNameIds();
  const digest = new StoreDigest(store.checkpoints.names(names.actorId, names.fnId));
  const pool = startPool(store.path, maxBlob, threads);
  try {
    // 1. A checkpoint, if there is one that checks out: what it vouches for is digested, not verified again.
    let fromEntry = 0;
    let fromBlob = 0;
    let base = 0;
    let refused: string | undefined;
    const cp = opts.incremental === false ? undefined : store.checkpoints.latest();
    if (cp) {
      // Seal and head on this thread; the digest from everyone's pages.
      const sealAndHead = checkCheckpoint(store, cp, { maxEntry, maxBlob }, { digest: false });
      if (!sealAndHead.ok) refused = sealAndHead.why;
      else {
        const then = new StoreDigest(store.checkpoints.names(cp.actorId, cp.fnId));
        const answers = await pool.each((i) => ({
          t: 'old-pages',
          entries: { ...slice(1, cp.entryId, i, threads), bound: cp.entryId },
          blobs: { ...slice(1, cp.blobId, i, threads), bound: cp.blobId },
        }));
        const unreadable = answers.find((a) => a.t === 'unreadable');
        for (const a of answers) if (a.t === 'done') addPages(then, a);
        if (unreadable || !hashEquals(then.digest(), cp.digest)) {
          refused = `something stored before the verify checkpoint of ${new Date(cp.created).toISOString()} (through entries row id ${cp.entryId}) changed since`;
        } else {
          // The pages wholly before the first new row are the new checkpoint's too.
          for (const [lo, d] of then.pages.entries)
            if (lo < pageStart(cp.entryId + 1)) digest.add('entries', new Map([[lo, d]]));
          for (const [lo, d] of then.pages.blobs)
            if (lo < pageStart(cp.blobId + 1)) digest.add('blobs', new Map([[lo, d]]));
          [fromEntry, fromBlob, base] = [cp.entryId, cp.blobId, cp.count];
        }
      }
    }
    // 2. Blobs after the checkpoint's (all of them without one), into the shared table.
    const bad = await blobPass(pool, { fromBlob, maxBlob, threads }, digest);
    // 3. Entries after the checkpoint's.
    const pass = await entryPass(
      pool,
      { actorId: null, fromEntry, maxEntry, threads, bad, oldBelow: fromBlob + 1 },
      {
        base,
        total,
        digest,
        onProgress: opts.onProgress,
      },
    );
    const count = pass.count;
    if (pass.failed) return failed(count, pass.failed.entry, pass.failed.reason);
    const result = checkHeads(store, undefined, count, badBlobs(bad));
    if (!result.ok) return result;
    saveCheckpoint(store, opts, digest, { maxEntry, maxBlob, count, names });
    if (fromEntry > 0 && cp) {
      const head = cp.head && toHex(cp.head);
      return { ...result, from: { entryId: cp.entryId, head, created: cp.created, verified: count - base } };
    }
    return refused ? { ...result, checkpointRefused: refused } : result;
  } finally {
    await pool.close();
  }
}

/** One actor's chain: blobs and entries as above, no checkpoint (a checkpoint covers the whole store). */
async function parallelActor(
  store: ChainStore,
  actor: string,
  at: { maxEntry: number; maxBlob: number; threads: number },
  opts: ParallelOptions,
): Promise<VerifyResult> {
  const actorId = store.audit.actorId(actor);
  if (actorId === undefined) return unknownActor(store, actor);
  const { maxEntry, maxBlob, threads } = at;
  const pool = startPool(store.path, maxBlob, threads);
  try {
    const bad = await blobPass(pool, { fromBlob: 0, maxBlob, threads });
    const total = store.countEntries(actor);
    const pass = await entryPass(
      pool,
      { actorId, fromEntry: 0, maxEntry, threads, bad, oldBelow: 1 },
      {
        base: 0,
        total,
        onProgress: opts.onProgress,
      },
    );
    if (pass.failed) return failed(pass.count, pass.failed.entry, pass.failed.reason);
    return checkHeads(store, actor, pass.count, badBlobs(bad));
  } finally {
    await pool.close();
  }
}

type BadBlobRows = (readonly [id: number, stored: Uint8Array, actual: Uint8Array])[];

const badBlobs = (rows: BadBlobRows) => rows.map(([, stored, actual]) => ({ stored, actual }));

/** Pass 2: the blobs after `fromBlob` hashed into the shared table, a range per thread; the corrupt ones. */
async function blobPass(
  pool: Pool,
  o: { fromBlob: number; maxBlob: number; threads: number },
  digest?: StoreDigest,
): Promise<BadBlobRows> {
  const answers = await pool.each((i) => ({
    t: 'blobs',
    range: { ...idSlice(pageStart(o.fromBlob + 1), o.maxBlob, i, o.threads, o.fromBlob + 1), maxId: o.maxBlob },
  }));
  const bad: BadBlobRows = [];
  for (const a of answers) {
    if (a.t !== 'done') throw new Error(`a verify thread could not read: ${a.t === 'unreadable' ? a.what : ''}`);
    if (digest) addPages(digest, a);
    bad.push(...((a.bad as BadBlobRows | undefined) ?? []));
  }
  return bad;
}

/**
 * Pass 3: the entries (all, or one actor's) after `fromEntry`, a contiguous range per thread. Counted from `base`;
 * the first bad one in id order wins, with the count before it.
 */
async function entryPass(
  pool: Pool,
  o: {
    actorId: number | null;
    fromEntry: number;
    maxEntry: number;
    threads: number;
    bad: BadBlobRows;
    oldBelow: number;
  },
  report: { base: number; total: number; digest?: StoreDigest; onProgress?: VerifyOptions['onProgress'] },
): Promise<{ count: number; failed?: { entry: Uint8Array; reason: string } }> {
  let progress = 0;
  const counts = new Array<number>(o.threads).fill(0);
  const answers = await pool.each(
    (i) => {
      const r = idSlice(pageStart(o.fromEntry + 1), o.maxEntry, i, o.threads, o.fromEntry + 1);
      return {
        t: 'entries',
        actorId: o.actorId,
        afterId: r.fromId - 1,
        toId: r.toId,
        bad: o.bad,
        oldBelow: o.oldBelow,
      };
    },
    (i, count) => {
      counts[i] = count;
      const now = report.base + counts.reduce((a, b) => a + b, 0);
      if (now - progress >= 4096) report.onProgress?.((progress = now), report.total);
    },
  );
  let count = report.base;
  for (const a of answers) {
    if (a.t !== 'done') throw new Error('a verify thread failed');
    if (report.digest) addPages(report.digest, a);
    const bad = a.bad as { entry: Uint8Array; reason: string } | undefined;
    count += a.count ?? 0;
    if (bad) {
      report.onProgress?.(count, report.total);
      return { count, failed: bad };
    }
  }
  report.onProgress?.(count, report.total);
  return { count };
}

function addPages(d: StoreDigest, a: FromVerifyWorker): void {
  if (a.t !== 'done') return;
  d.add('entries', new Map(a.entries));
  d.add('blobs', new Map(a.blobs));
}

/** The i-th of n contiguous page ranges over ids from..to: page starts lo..hi (empty when lo > hi). */
function slice(from: number, to: number, i: number, n: number): { lo: number; hi: number } {
  const pages = Math.max(0, Math.ceil((to - from + 1) / PAGE_IDS));
  const per = Math.ceil(pages / n);
  const lo = from + i * per * PAGE_IDS;
  return { lo, hi: Math.min(lo + (per - 1) * PAGE_IDS, to) };
}

/** The i-th of n contiguous id ranges over page-aligned `start`..to, never below `min`. */
function idSlice(start: number, to: number, i: number, n: number, min: number): { fromId: number; toId: number } {
  const { lo, hi } = slice(start, to, i, n);
  return { fromId: Math.max(lo, min), toId: Math.min(hi + PAGE_IDS - 1, to) };
}

interface Pool {
  /** Sends each thread its message; resolves with their answers in thread order. */
  each(
    message: (i: number) => ToVerifyWorker,
    onProgress?: (i: number, count: number) => void,
  ): Promise<FromVerifyWorker[]>;
  close(): Promise<void>;
}

/** `n` verify threads on the store at `db`, sharing one blob table for ids up to `maxBlob`. */
function startPool(db: string, maxBlob: number, n: number): Pool {
  const init: ParallelInit = { db, table: new SharedArrayBuffer(blobTableBytes(maxBlob)), maxBlob };
  const script = workerScript(import.meta.url, 'verify-parallel-worker');
  const workers = Array.from({ length: n }, () => new Worker(script, { name: 'verify', workerData: init }));
  return {
    each(message, onProgress) {
      return Promise.all(
        workers.map(
          (w, i) =>
            new Promise<FromVerifyWorker>((resolve, reject) => {
              const onMessage = (m: FromVerifyWorker) => {
                if (m.t === 'progress') return onProgress?.(i, m.count);
                w.off('message', onMessage);
                w.off('error', reject);
                if (m.t === 'error') reject(new Error(m.message));
                else resolve(m);
              };
              w.on('message', onMessage);
              w.once('error', reject);
              w.postMessage(message(i));
            }),
        ),
      );
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
