/**
 * The main thread's handle on the store's writer thread (writer-thread.ts). A batch to commit is a range of an
 * actor instance's record ring: queuing it writes eight integers into a shared descriptor queue (protocol.ts) and
 * wakes the thread if it sleeps. Each request's callback runs, in enqueue order, when the thread says its
 * transaction committed — or with the error that kept it out. "Acknowledged = committed": a caller answers its
 * HTTP request only from that callback.
 *
 * `flush()` is synchronous (Atomics.wait on the thread's commit counter), for the few places that must read what
 * was just recorded through another connection (a fork, a verify worker); everything else stays asynchronous.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { RingRange } from '../chain/record-ring.ts';
import type { ActorInfo } from '../store/types.ts';
import type { LeaseClaim, WriterLease } from '../store/writer-lease.ts';
import { workerScript } from '../worker-script.ts';
import {
  COMMITTED,
  CONTROL_SLOTS,
  KIND_MESSAGE,
  KIND_RING_APPEND,
  POSTED,
  QUEUE_SLOTS,
  SLEEPING,
  SLOT_INTS,
  STATE,
  STATE_FAILED,
  TAKEN,
  after,
  type FromWriter,
  type MessageRequest,
  type WriterInit,
} from './protocol.ts';

/** Called once per request: without an error after it is committed, or with the error that kept it out. */
export type OnCommitted = (error?: Error) => void;

/**
 * A batch for the writer, for one actor's branch, in wire form (chain/batch-codec.ts): a range of a record ring
 * (chain/record-ring.ts), or a buffer of its own.
 */
export type WriteBatch = { readonly actor: string; readonly branch: string } & (
  | { readonly ring: SharedArrayBuffer; readonly range: RingRange }
  | { readonly bytes: ArrayBuffer; readonly entries: number }
);

export interface StoreWriterEvents {
  /** A transaction committed; `lastEntryId` is the highest entry id in the store after it (0: it held no entry). */
  committed: [lastEntryId: number];
}

interface Waiting {
  readonly no: number;
  readonly entries: number;
  readonly onCommitted: OnCommitted | undefined;
}

/** A descriptor that found the queue full, kept in order until the thread has taken some. */
type Overflow = readonly [kind: number, no: number, target: number, ring: number, from: number, to: number, n: number];

/** How long a synchronous flush waits between checks that the thread is still alive. */
const FLUSH_POLL_MS = 200;

export class StoreWriter extends EventEmitter<StoreWriterEvents> {
  private readonly control: Int32Array;
  private readonly queue: Int32Array;
  private readonly requests: MessagePort;
  private readonly notices: MessagePort;
  private readonly worker: Worker;
  private waiting: Waiting[] = [];
  private head = 0;
  private nextNo = 1;
  private posted = 0;
  private overflow: Overflow[] = [];
  private queuedEntries = 0;
  /** Record rings and actor branches the writer thread knows, by the numbers it knows them by. */
  private readonly rings = new Map<SharedArrayBuffer, number>();
  private readonly targets = new Map<string, number>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing = false;
  private exited: Promise<void>;

  private constructor(db: string, claim: LeaseClaim) {
    super();
    const control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
    const queue = new SharedArrayBuffer(QUEUE_SLOTS * SLOT_INTS * 4);
    this.control = new Int32Array(control);
    this.queue = new Int32Array(queue);
    const requests = new MessageChannel();
    const notices = new MessageChannel();
    this.requests = requests.port1;
    this.notices = notices.port1;
    const init: WriterInit = { db, claim, control, queue, requests: requests.port2, notices: notices.port2 };
    this.worker = new Worker(workerScript(import.meta.url, 'writer-thread'), {
      name: 'store-writer',
      workerData: init,
      transferList: [requests.port2, notices.port2],
      stdout: false,
      stderr: false,
    });
    this.notices.on('message', (m: FromWriter) => this.onNotice(m));
    this.worker.on('error', (e) => this.fail(new Error(`the store's writer thread failed: ${e.message}`)));
    this.exited = new Promise((resolve) =>
      this.worker.on('exit', (code) => {
        if (!this.closing && (this.pending > 0 || code !== 0)) {
          this.fail(new Error(`the store's writer thread exited (code ${code})`));
        }
        resolve();
      }),
    );
    this.idle();
  }

  /**
   * Starts the writer thread on the database at `db` (already created and migrated by the caller's ChainStore),
   * under the writer lease this process holds on it: the thread checks that the lease is held before it opens.
   */
  static start(db: string, lease: WriterLease): StoreWriter {
    return new StoreWriter(db, lease.claim());
  }

  /** Entries queued and not yet committed. */
  get pendingEntries(): number {
    return this.queuedEntries;
  }

  private get pending(): number {
    return this.waiting.length - this.head;
  }

  enqueue(batch: WriteBatch, onCommitted?: OnCommitted): void {
    const { actor, branch } = batch;
    if ('bytes' in batch) {
      const { bytes, entries } = batch;
      this.message({ t: 'append', no: this.nextNo, actor, branch, bytes, entries }, entries, onCommitted, [bytes]);
      return;
    }
    let ring = this.rings.get(batch.ring);
    if (ring === undefined) {
      ring = this.nextId++;
      this.rings.set(batch.ring, ring);
      this.message({ t: 'ring', no: this.nextNo, ring, buffer: batch.ring }, 0, undefined);
    }
    const key = `${actor}\0${branch}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      target = this.nextId++;
      this.targets.set(key, target);
      this.message({ t: 'target', no: this.nextNo, target, actor, branch }, 0, undefined);
    }
    const { from, to, entries } = batch.range;
    const no = this.expect(entries, onCommitted);
    if (no !== undefined) this.push([KIND_RING_APPEND, no, target, ring, from, to, entries]);
  }

  /** No batch queued after this names `ring`: the writer thread lets go of it once those before are committed. */
  release(ring: SharedArrayBuffer): void {
    const id = this.rings.get(ring);
    if (id === undefined) return;
    this.rings.delete(ring);
    this.message({ t: 'forget', no: this.nextNo, ring: id }, 0, undefined);
  }

  /** Creates the actor or updates the fields given, in order with the batches queued around it. */
  upsertActor(info: ActorInfo, onCommitted?: OnCommitted): void {
    this.message({ t: 'actor', no: this.nextNo, info }, 0, onCommitted);
  }

  /** Resolves once everything queued so far has been committed (or refused: each caller hears which). */
  committed(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (e?: Error) => (e ? reject(e) : resolve());
      if (this.pending === 0) done(this.failure);
      else this.message({ t: 'barrier', no: this.nextNo }, 0, done);
    });
  }

  /** Commits everything queued now (shutdown, before another connection reads) and runs the callbacks. */
  flush(): void {
    const target = (this.nextNo - 1) | 0;
    while (this.pending > 0 && !this.failure) {
      const done = Atomics.load(this.control, COMMITTED);
      if (!after(target, done)) break;
      if (Atomics.load(this.control, STATE) === STATE_FAILED) break;
      Atomics.wait(this.control, COMMITTED, done, FLUSH_POLL_MS);
      for (let m = receiveMessageOnPort(this.notices); m; m = receiveMessageOnPort(this.notices)) {
        this.onNotice(m.message as FromWriter);
      }
    }
    for (let m = receiveMessageOnPort(this.notices); m; m = receiveMessageOnPort(this.notices)) {
      this.onNotice(m.message as FromWriter);
    }
  }

  /** Commits what is queued, then stops the thread (its connection closes with it). */
  async close(): Promise<void> {
    if (!this.failure) this.flush();
    this.closing = true;
    this.message({ t: 'close', no: this.nextNo }, 0, undefined);
    this.worker.ref(); // until it has exited
    await this.exited;
    this.notices.close();
    this.requests.close();
  }

  /** Takes the next request number for a request whose callback waits (undefined: the writer has failed). */
  private expect(entries: number, onCommitted: OnCommitted | undefined): number | undefined {
    if (this.failure) {
      onCommitted?.(this.failure);
      return undefined;
    }
    const no = this.nextNo;
    this.nextNo = (this.nextNo + 1) | 0;
    if (this.pending === 0) this.busy();
    this.waiting.push({ no, entries, onCommitted });
    this.queuedEntries += entries;
    return no;
  }

  /** A request that travels as a message; its descriptor keeps its place in the queue. */
  private message(
    req: MessageRequest,
    entries: number,
    onCommitted: OnCommitted | undefined,
    transfer: ArrayBuffer[] = [],
  ): void {
    const no = this.expect(entries, onCommitted);
    if (no === undefined) return;
    this.requests.postMessage({ ...req, no }, transfer);
    this.push([KIND_MESSAGE, no, 0, 0, 0, 0, 0]);
  }

  private push(d: Overflow): void {
    if (this.overflow.length > 0 || !this.write(d)) {
      this.overflow.push(d);
      return;
    }
    this.wake();
  }

  /** Writes a descriptor into the queue; false when it is full. */
  private write(d: Overflow): boolean {
    const taken = Atomics.load(this.control, TAKEN);
    if ((this.posted - taken) >>> 0 >= QUEUE_SLOTS) return false;
    const at = (this.posted & (QUEUE_SLOTS - 1)) * SLOT_INTS;
    for (let i = 0; i < d.length; i++) this.queue[at + i] = d[i]!;
    this.posted = (this.posted + 1) | 0;
    Atomics.store(this.control, POSTED, this.posted);
    return true;
  }

  private wake(): void {
    if (Atomics.load(this.control, SLEEPING) !== 0) Atomics.notify(this.control, POSTED);
  }

  private onNotice(m: FromWriter): void {
    if (m.t === 'failed') return this.fail(new Error(`the store's writer thread could not start: ${m.message}`));
    // The thread took descriptors: what waited for room goes in now, in order.
    while (this.overflow.length > 0 && this.write(this.overflow[0]!)) this.overflow.shift();
    if (this.overflow.length === 0) this.wake();
    const errors = new Map(m.errors.map((e) => [e.no, e]));
    const done: Waiting[] = [];
    while (this.head < this.waiting.length && !after(this.waiting[this.head]!.no, m.through)) {
      done.push(this.waiting[this.head++]!);
    }
    this.compact();
    this.emit('committed', m.lastEntryId);
    this.settle(done, (w) => {
      const e = errors.get(w.no);
      return e && Object.assign(new Error(e.message), { name: e.name });
    });
  }

  /** Runs callbacks in order; one that throws must not keep later ones from hearing. */
  private settle(done: readonly Waiting[], errorOf: (w: Waiting) => Error | undefined): void {
    let thrown: unknown;
    let threw = false;
    for (const w of done) {
      this.queuedEntries -= w.entries;
      try {
        w.onCommitted?.(errorOf(w));
      } catch (e) {
        if (!threw) [thrown, threw] = [e, true];
      }
    }
    if (this.pending === 0) this.idle();
    if (threw) throw thrown;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }

  /** Every request still waiting (and every later one) fails with `error`. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const done = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    this.overflow = [];
    this.settle(done, () => error);
  }

  /** Waiting requests keep the process alive (their callers must hear); an idle writer does not. */
  private busy(): void {
    this.worker.ref();
    this.notices.ref();
  }

  private idle(): void {
    if (this.closing) return; // close() waits for the thread to exit
    this.worker.unref();
    this.notices.unref();
  }
}
