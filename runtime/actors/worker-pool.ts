/**
 * Actor workers started ahead of need. Booting a worker thread and loading the runtime into it takes tens of
 * milliseconds, and instantiating a component in it several more; an actor start instead takes a worker that has
 * done all of that and sends it its WorkerInit (worker-instance.ts is the worker's side).
 *
 * Each refill prepares its worker for the component most recently started, the one a supervisor spawning children
 * is likely to start again. The pool holds at most `size` idle workers, refills only after a start has had time to
 * finish, never keeps the process alive, and never takes a worker back: every start and restart gets a fresh one.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { ringBuffer } from '../chain/record-ring.ts';
import type { PoolMessage, Preparation, WorkerChannel } from './protocol.ts';
import { workerEntry } from '../actor-worker/worker-entry.ts';

export interface WorkerPoolOptions {
  /** Idle workers kept booted. Each is a thread with its own heap and a component instance: keep it small. */
  readonly size: number;
  /** Heap limit of every worker; an actor that allocates past it is terminated and recorded. */
  readonly maxHeapMb: number;
}

/** A worker taken for an actor, with the runtime's ends of its channel (protocol.ts WorkerChannel). */
export interface TakenWorker {
  readonly worker: Worker;
  readonly channel: Omit<WorkerChannel, 'rpcPort'> & { readonly rpcPort: MessagePort };
  /** It was prepared for the component asked for (it needs no modules in its init). */
  readonly prepared: boolean;
}

interface Booted {
  readonly worker: Worker;
  /** The runtime's ends: the other port went to the worker. */
  readonly channel: TakenWorker['channel'];
}

interface Idle extends Booted {
  readonly componentDir: string;
  /** Booted, runtime loaded, component instantiated (or failed to: the start will say why). */
  ready: boolean;
  /** Where the worker says it is ready. */
  readonly readyPort: MessagePort;
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
   * A worker for an actor of this component: one prepared for it, else one ready, else one still booting (it
   * queues the init). Send it `{ t: 'init' }` next. From now on it keeps the process alive, as an actor's worker
   * always has.
   */
  take(component: Preparation): TakenWorker {
    if (this.closed) throw new Error('the actor system is closed');
    this.latest = component;
    const rank = (w: Idle) => (w.ready ? 2 : 0) + (w.componentDir === component.componentDir ? 1 : 0);
    const best = this.idle.reduce<Idle | undefined>((b, w) => (!b || rank(w) > rank(b) ? w : b), undefined);
    this.idle = this.idle.filter((w) => w !== best);
    best?.readyPort.close();
    const { worker, channel } = best ?? this.boot();
    worker.removeAllListeners();
    worker.ref();
    this.scheduleRefill();
    return { worker, channel, prepared: best?.componentDir === component.componentDir };
  }

  /** Terminates the idle workers; a take after this throws. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refill);
    const idle = this.idle.splice(0);
    for (const w of idle) w.readyPort.close();
    for (const w of idle) w.channel.rpcPort.close();
    await Promise.all(idle.map((w) => w.worker.terminate()));
  }

  /** A new worker, told its channel at once (it has nothing to do with any actor yet). */
  private boot(): Booted {
    const worker = new Worker(workerEntry(), {
      name: 'actor',
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    const { port1, port2 } = new MessageChannel();
    const shared = {
      rpcSignal: new SharedArrayBuffer(4),
      busySince: new SharedArrayBuffer(8),
      ring: ringBuffer(),
    };
    worker.postMessage({ t: 'channel', channel: { ...shared, rpcPort: port2 } } satisfies PoolMessage, [port2]);
    port1.unref();
    return { worker, channel: { ...shared, rpcPort: port1 } };
  }

  private scheduleRefill(): void {
    this.refill ??= setTimeout(() => {
      this.refill = undefined;
      this.fill();
    }, REFILL_DELAY_MS).unref();
  }

  /**
   * Boots the missing workers together. One at a time makes the first ready sooner on an idle machine, but on our
   * loaded shared one the pool then ran dry more often in `npm run bench -- --only spawn` (two booting threads get a
   * bigger share of the cores than one).
   */
  private fill(): void {
    const prep = this.latest;
    while (!this.closed && prep && this.idle.length < this.opts.size) {
      const { worker, channel } = this.boot();
      worker.unref();
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ t: 'prepare', ...prep, ready: port2 } satisfies PoolMessage, [port2]);
      const entry: Idle = { worker, channel, componentDir: prep.componentDir, ready: false, readyPort: port1 };
      port1.once('message', () => {
        entry.ready = true;
        port1.close();
      });
      port1.unref();
      // An idle worker that dies (it could not load the runtime) is dropped; the next take refills.
      const drop = () => {
        this.idle = this.idle.filter((w) => w !== entry);
        port1.close();
        channel.rpcPort.close();
      };
      worker.on('error', drop);
      worker.on('exit', drop);
      this.idle.push(entry);
    }
  }
}
