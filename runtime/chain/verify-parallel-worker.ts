/**
 * One thread of a parallel verify (verify-parallel.ts): its own read connection to the store, and a slice of the
 * work of each pass — page digests of what a checkpoint vouches for, blobs hashed into the shared table, entries
 * verified — as the main thread asks, one message per pass.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChainStore } from '../store/index.ts';
import { PAGE_IDS, type BlobPage, type EntryPage } from '../store/packed-pages.ts';
import { hashBlobs, tableView, withOldBlobs, type BlobHashes } from './verify-blobs.ts';
import { StoreDigest } from './verify-checkpoint.ts';
import { verifyEntries } from './verify-entries.ts';
import type { ParallelInit, ToVerifyWorker, FromVerifyWorker } from './verify-parallel.ts';

const port = parentPort!;
const init = workerData as ParallelInit;
const store = ChainStore.openReadOnly(init.db);
/** Page digests collected during the job, sent with each pass's answer. */
const digest = new StoreDigest('');
let blobs: BlobHashes | undefined;

const reply = (m: FromVerifyWorker) => port.postMessage(m);

port.on('message', (m: ToVerifyWorker) => {
  try {
    reply(handle(m));
  } catch (e) {
    reply({ t: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});

function handle(m: ToVerifyWorker): FromVerifyWorker {
  switch (m.t) {
    case 'old-pages': {
      // Pages of what the checkpoint vouches for, each bounded as it was then.
      const e: EntryPage = { n: 0, plain: false, text: '', nums: new Float64Array(0), hashes: EMPTY, causes: EMPTY };
      for (let lo = m.entries.lo; lo <= m.entries.hi; lo += PAGE_IDS) {
        const p = store.pages.entryRange(lo, Math.min(lo + PAGE_IDS - 1, m.entries.bound), e);
        if (!p) return { t: 'unreadable', what: `entries ${lo}…` };
        digest.entryPage(lo, p);
      }
      const b: BlobPage = { n: 0, plain: false, text: '', nums: new Float64Array(0), hashes: EMPTY, bytes: EMPTY };
      for (let lo = m.blobs.lo; lo <= m.blobs.hi; lo += PAGE_IDS) {
        const hi = Math.min(lo + PAGE_IDS - 1, m.blobs.bound);
        const p = store.pages.smallBlobRange(lo, hi, b);
        if (!p) return { t: 'unreadable', what: `blobs ${lo}…` };
        digest.blobPage(lo, p, [...store.audit.largeBlobs(lo, hi)]);
      }
      return take();
    }
    case 'blobs': {
      const h = hashBlobs(store, m.range, init.table, digest.blobPage);
      return { ...take(), bad: [...h.bad].map(([id, b]) => [id, b.stored, b.actual] as const) };
    }
    case 'entries': {
      const bad = new Map(m.bad.map(([id, stored, actual]) => [id, { stored, actual }]));
      // The shared table (filled by every thread's blob pass) with the corrupt blobs all threads found.
      blobs = withOldBlobs(store, tableView(init.table, init.maxBlob, bad), m.oldBelow);
      const pass = verifyEntries(store, blobs, {
        actorId: m.actorId,
        afterId: m.afterId,
        toId: m.toId,
        // The digest covers whole-store pages; one actor's pages are not those.
        sink: m.actorId === null ? digest.entryPage : undefined,
        onPage: (count) => reply({ t: 'progress', count }),
      });
      return { ...take(), count: pass.count, bad: pass.bad };
    }
  }
}

/** The digests made since the last answer. */
function take(): FromVerifyWorker & { t: 'done' } {
  const { entries, blobs } = digest.pages;
  const out = { t: 'done' as const, entries: [...entries], blobs: [...blobs] };
  digest.clear();
  return out;
}

const EMPTY = new Uint8Array(0);
