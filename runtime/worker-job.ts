/**
 * One-shot jobs (replay, verify) that run on a worker thread with progress reported back — long CPU work must never
 * stall the thread that serves the Studio. Where a worker's code is: worker-script.ts.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

type JobMessage<R> =
  | { readonly t: 'progress'; readonly done: number; readonly total: number }
  | { readonly t: 'done'; readonly result: R }
  | { readonly t: 'error'; readonly message: string };

/** Runs a job (a module that calls `serveJob`) on a fresh worker; resolves with its result. */
export function runJob<R>(
  script: URL,
  data: unknown,
  onProgress?: (done: number, total: number) => void,
  toError: (message: string) => Error = (m) => new Error(m),
): Promise<R> {
  const worker = new Worker(script, { workerData: data, stdout: false, stderr: false });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: JobMessage<R>) => {
      if (m.t === 'progress') return onProgress?.(m.done, m.total);
      if (m.t === 'done') resolve(m.result);
      else reject(toError(m.message));
      void worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`worker exited (code ${code}) without a result`)));
  });
}

/** The worker side: runs `fn` on the job's data, posting progress at most ~20 times a second. */
export function serveJob<D, R>(fn: (data: D, progress: (done: number, total: number) => void) => Promise<R> | R): void {
  const port = parentPort!;
  let last = 0;
  const progress = (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 50 && done < total) return; // a progress bar needs no more, and posting is not free
    last = now;
    port.postMessage({ t: 'progress', done, total } satisfies JobMessage<R>);
  };
  Promise.resolve()
    .then(() => fn(workerData as D, progress))
    .then(
      (result) => port.postMessage({ t: 'done', result } satisfies JobMessage<R>),
      (e: unknown) =>
        port.postMessage({ t: 'error', message: (e as Error)?.message ?? String(e) } satisfies JobMessage<R>),
    );
}
