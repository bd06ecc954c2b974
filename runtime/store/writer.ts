/**
 * The hot path's writer: batches from many actors are queued and committed together in one transaction on the
 * next turn of the event loop (or as soon as enough entries are queued), then each batch's callback runs, in
 * enqueue order. "Acknowledged = committed": a caller answers its HTTP request only from that callback.
 */
import type { ChainStore } from './chain-store.ts';
import type { AppendBatch } from './types.ts';

/** Called once per batch: without an error after its entries are committed, or with the error that kept them out. */
export type OnCommitted = (error?: Error) => void;

export interface WriterOptions {
  /** Commit synchronously once this many entries are queued (bounds memory and latency under load). */
  readonly maxEntries?: number;
}

interface Pending {
  readonly batch: AppendBatch;
  readonly onCommitted: OnCommitted | undefined;
}

export class StoreWriter {
  private queue: Pending[] = [];
  private queuedEntries = 0;
  private timer: NodeJS.Immediate | undefined;
  private readonly maxEntries: number;

  constructor(
    private readonly store: ChainStore,
    opts: WriterOptions = {},
  ) {
    this.maxEntries = opts.maxEntries ?? 2000;
  }

  get pendingEntries(): number {
    return this.queuedEntries;
  }

  enqueue(batch: AppendBatch, onCommitted?: OnCommitted): void {
    this.queue.push({ batch, onCommitted });
    this.queuedEntries += batch.entries.length;
    if (this.queuedEntries >= this.maxEntries) this.flush();
    else this.timer ??= setImmediate(() => this.flush());
  }

  /** Commits everything queued now (shutdown, Ctrl-C) and runs the callbacks before returning. */
  flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    // Take the queue first: callbacks may enqueue again, which starts a new round.
    const work = this.queue;
    this.queue = [];
    this.queuedEntries = 0;
    if (work.length === 0) return;
    const errors = this.commit(work);
    let thrown: unknown;
    let threw = false;
    work.forEach((p, i) => {
      try {
        p.onCommitted?.(errors[i]);
      } catch (e) {
        // One faulty callback must not keep later batches from hearing that they are committed.
        if (!threw) [thrown, threw] = [e, true];
      }
    });
    if (threw) throw thrown;
  }

  /** Returns the error per batch (undefined = committed). */
  private commit(work: readonly Pending[]): (Error | undefined)[] {
    try {
      this.store.appendBatches(work.map((p) => p.batch));
      return work.map(() => undefined);
    } catch (e) {
      if (work.length === 1) return [asError(e)];
    }
    // The shared transaction rolled back entirely. Retry one batch per transaction so that one actor's conflict
    // does not fail everyone else's acknowledgements; a disk-full error simply fails each of them again.
    return work.map((p) => {
      try {
        this.store.appendBatches([p.batch]);
        return undefined;
      } catch (e) {
        return asError(e);
      }
    });
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
