/**
 * Actor workers started ahead of need. Booting a worker thread and loading the runtime into it takes tens of
 * milliseconds, and instantiating a component in it several more; an actor start instead takes a worker that has
 * done all of that and sends it its WorkerInit (worker-instance.ts is the worker's side).
 *
 * Each refill prepares its worker for the component most recently started, the one a supervisor spawning children
 * is likely to start again. The pool holds at most `size` idle workers, refills only after a start has had time to
 * finish, never keeps the process alive, and never takes a worker back: every start and restart gets a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { PoolMessage, WorkerInit } from './protocol.ts';
import { workerEntry } from './worker-entry.ts';

export interface WorkerPoolOptions {
  /** Idle workers kept booted. Each is a thread with its own heap and a component instance: keep it small. */
  readonly size: number;
  /** Heap limit of every worker; an actor that allocates past it is terminated and recorded. */
  readonly maxHeapMb: number;
}

/** What a worker can be prepared with: the component's folder and its compiled core modules. */
export interface Preparation {
  readonly componentDir: string;
  readonly modules: WorkerInit['modules'];
}

interface Idle {
  readonly worker: Worker;
  readonly componentDir: string | undefined;
}

/**
 * How long a refill waits after a take. Starting a thread blocks the main thread for about a millisecond and keeps
 * a core busy for tens; the start that took the worker needs about a millisecond more and should not share them.
 */
const REFILL_DELAY_MS = 20;

export class WorkerPool {
  private idle: Idle[] = [];
  private latest: Preparation | undefined;
  private refill: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions) {}

  /**
   * A worker for an actor of this component, preferably one prepared for it. Send it `{ t: 'init' }` next (a
   * worker still booting queues it). From now on it keeps the process alive, as an actor's worker always has.
   */
  take(component: Preparation): Worker {
    if (this.closed) throw new Error('the actor system is closed');
    this.latest = component;
    const i = this.idle.findIndex((w) => w.componentDir === component.componentDir);
    const [taken] = i >= 0 ? this.idle.splice(i, 1) : this.idle.splice(0, 1);
    const worker = taken?.worker ?? this.boot();
    worker.removeAllListeners();
    worker.ref();
    this.refill ??= setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return worker;
  }

  /** Terminates the idle workers; a take after this throws. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refill);
    await Promise.all(this.idle.splice(0).map((w) => w.worker.terminate()));
  }

  private boot(): Worker {
    return new Worker(workerEntry(), {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb },
      stdout: false,
      stderr: false,
    });
  }

  private fill(): void {
    this.refill = undefined;
    while (!this.closed && this.idle.length < this.opts.size) {
      const worker = this.boot();
      worker.unref();
      const prep = this.latest;
      if (prep) worker.postMessage({ t: 'prepare', ...prep } satisfies PoolMessage);
      const entry: Idle = { worker, componentDir: prep?.componentDir };
      // An idle worker that dies (it could not load the runtime) is dropped; a take then boots a fresh one.
      const drop = () => (this.idle = this.idle.filter((w) => w !== entry));
      worker.on('error', drop);
      worker.on('exit', drop);
      this.idle.push(entry);
    }
  }
}
