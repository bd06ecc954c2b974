/** The replay worker's body: opens its own connection to the store (SQLite in WAL mode allows it) and folds. */
import { ChainStore, SqliteReader } from '../store/index.ts';
import { serveJob } from '../worker-job.ts';
import { replayHere, type ReplayRequest } from './replay.ts';

serveJob(async (req: ReplayRequest, progress) => {
  const store = ChainStore.open(req.db);
  try {
    return await replayHere(SqliteReader.of(store), req, progress);
  } finally {
    store.close();
  }
});
