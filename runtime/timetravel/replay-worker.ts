/** The replay worker's body: opens its own connection to the store (SQLite in WAL mode allows it) and folds. */
import { parentPort, workerData } from 'node:worker_threads';
import { ChainStore } from '../store/index.ts';
import { replayHere, type ReplayRequest } from './replay.ts';

const req = workerData as ReplayRequest;
const port = parentPort!;
const store = ChainStore.open(req.db);
let last = 0;
replayHere(store, req, (done, total) => {
  // At most ~20 messages a second: a progress bar needs no more, and posting is not free.
  const now = Date.now();
  if (now - last < 50 && done < total) return;
  last = now;
  port.postMessage({ t: 'progress', done, total });
})
  .then(
    (report) => port.postMessage({ t: 'done', report }),
    (e: unknown) => port.postMessage({ t: 'error', message: (e as Error)?.message ?? String(e) }),
  )
  .finally(() => store.close());
