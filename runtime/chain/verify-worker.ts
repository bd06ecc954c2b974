/** verify-job's worker: its own read connection to the store (WAL lets it read while the runtime writes). */
import { ChainStore } from '../store/index.ts';
import { serveJob } from '../worker-job.ts';
import type { VerifyJob } from './verify-job.ts';
import { verifyChain } from './verify.ts';

serveJob((job: VerifyJob, progress) => {
  const store = ChainStore.openReadOnly(job.db);
  try {
    return verifyChain(store, { actor: job.actor, onProgress: progress });
  } finally {
    store.close();
  }
});
