/**
 * Whole-store verify on several threads: the same passes as verify.ts, each split into contiguous ranges of fixed
 * id pages, one range per thread, each thread with its own read connection (WAL: they read while a writer writes).
 * Entries and blobs are independent given the stored parent hashes and the blob table, so the split costs nothing
 * but the threads' start (~50 ms): used from PARALLEL_MIN entries up, where a single thread takes seconds.
 *
 *   1. (from a checkpoint) page digests of what it vouches for, compared as one digest;
 *   2. blobs hashed into one SharedArrayBuffer table; the corrupt ones gathered;
 *   3. entries verified; the first bad one in id order wins; page digests for the next checkpoint.
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
import type { VerifyOptions, VerifyResult } from './verify-result.ts';
import { checkHeads, saveCheckpoint, verifySqlite } from './verify-sqlite.ts';

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

export interface ParallelOptions extends Omit<VerifyOptions, 'actor'> {
  /** Threads to use (default: the machine's cores, at most 4). 1 verifies on the calling thread. */
  readonly threads?: number;
  /** From how many entries threads are used (default PARALLEL_MIN). */
  readonly parallelFrom?: number;
}

/** Verifies the whole store at `db` (its own connection). Same answer as verifyChain; faster from PARALLEL_MIN up. */
export async function verifyStore(db: string, opts: ParallelOptions = {}): Promise<VerifyResult> {
  const store = ChainStore.openReadOnly(db);
  try {
    const maxEntry = store.audit.maxEntryId();
    const maxBlob = store.audit.maxBlobId();
    const threads = Math.min(opts.threads ?? Math.min(availableParallelism(), 4), Math.ceil(maxEntry / PAGE_IDS));
    if (threads <= 1 || maxEntry < (opts.parallelFrom ?? PARALLEL_MIN) || maxBlob > MAX_BLOB_TABLE) {
      return verifySqlite(store, opts);
    }
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
  const table = new SharedArrayBuffer(blobTableBytes(maxBlob));
  const pool = startPool(store.path, { db: store.path, table, maxBlob }, threads);
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
          refused = `something stored before the verify checkpoint of ${new Date(cp.created).toISOString()} (through entry #${cp.entryId}) changed since`;
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
    const blobAnswers = await pool.each((i) => ({
      t: 'blobs',
      range: { ...idSlice(pageStart(fromBlob + 1), maxBlob, i, threads, fromBlob + 1), maxId: maxBlob },
    }));
    const bad: (readonly [number, Uint8Array, Uint8Array])[] = [];
    for (const a of blobAnswers) {
      if (a.t !== 'done') throw new Error(`a verify thread could not read: ${a.t === 'unreadable' ? a.what : ''}`);
      addPages(digest, a);
      bad.push(...((a.bad as (readonly [number, Uint8Array, Uint8Array])[]) ?? []));
    }
    // 3. Entries after the checkpoint's: each thread a contiguous range; the first bad one in id order wins.
    let progress = 0;
    const counts = new Array<number>(threads).fill(0);
    const entryAnswers = await pool.each(
      (i) => {
        const r = idSlice(pageStart(fromEntry + 1), maxEntry, i, threads, fromEntry + 1);
        return { t: 'entries', afterId: r.fromId - 1, toId: r.toId, bad, oldBelow: fromBlob + 1 };
      },
      (i, count) => {
        counts[i] = count;
        const now = base + counts.reduce((a, b) => a + b, 0);
        if (now - progress >= 4096) opts.onProgress?.((progress = now), total);
      },
    );
    let count = base;
    for (const a of entryAnswers) {
      if (a.t !== 'done') throw new Error('a verify thread failed');
      addPages(digest, a);
      const failed = a.bad as { entry: Uint8Array; reason: string } | undefined;
      if (failed) {
        opts.onProgress?.(count + (a.count ?? 0), total);
        return { ok: false, count: count + (a.count ?? 0), entry: toHex(failed.entry), reason: failed.reason };
      }
      count += a.count ?? 0;
    }
    opts.onProgress?.(count, total);
    const result = checkHeads(
      store,
      undefined,
      count,
      bad.map(([, stored, actual]) => ({ stored, actual })),
    );
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

function startPool(_db: string, init: ParallelInit, n: number): Pool {
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
