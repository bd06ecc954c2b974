/** The replay worker's body: opens its own connection to the store (SQLite in WAL mode allows it) and folds. */
import { ChainStore } from '../store/index.ts';
import { serveJob } from '../worker-job.ts';
import { replayHere, type ReplayRequest } from './replay.ts';

serveJob(async (req: ReplayRequest, progress) => {
  const store = ChainStore.openReadOnly(req.db);
  try {
    return await replayHere(store, req, progress);
  } finally {
    store.close();
  }
});
