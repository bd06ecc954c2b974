/** verify-job's worker: its own read connection to the store (WAL lets it read while the runtime writes). */
import { ChainStore, SqliteReader } from '../store/index.ts';
import { serveJob } from '../worker-job.ts';
import type { VerifyJob } from './verify-job.ts';
import { verifyChain } from './verify.ts';

serveJob(async (job: VerifyJob, progress) => {
  const store = ChainStore.open(job.db);
  try {
    return await verifyChain(SqliteReader.of(store), { actor: job.actor, onProgress: progress });
  } finally {
    store.close();
  }
});
