/** verify-job's worker: its own read connection to the store (WAL lets it read while the runtime writes) or hub. */
import { openReader } from '../reader/open-reader.ts';
import { serveJob } from '../worker-job.ts';
import type { VerifyJob } from './verify-job.ts';
import { verifyChain } from './verify.ts';

serveJob(async (job: VerifyJob, progress) => {
  const { reader, close } = await openReader(job);
  try {
    return await verifyChain(reader, { actor: job.actor, onProgress: progress });
  } finally {
    await close();
  }
});
