/** Verification on a worker thread, for callers that must stay responsive (the Studio); progress comes back here. */
import type { ReaderSpec } from '../reader/open-reader.ts';
import { runJob } from '../worker-job.ts';
import { workerScript } from '../worker-script.ts';
import type { VerifyResult } from './verify.ts';

/** A db file or a hub node, and optionally one actor. */
export type VerifyJob = ReaderSpec & { readonly actor?: string };

export function verifyOffThread(
  job: VerifyJob,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyResult> {
  return runJob<VerifyResult>(workerScript(import.meta.url, 'verify-worker'), job, onProgress);
}
