/** The replay worker's body: opens its own connection to the store (SQLite in WAL mode allows it) or hub, and folds. */
import { openReader } from '../reader/open-reader.ts';
import { serveJob } from '../worker-job.ts';
import { replayHere, type ReplayRequest } from './replay.ts';

serveJob(async (req: ReplayRequest, progress) => {
  const { reader, close } = await openReader(req);
  try {
    return await replayHere(reader, req, progress);
  } finally {
    await close();
  }
});
