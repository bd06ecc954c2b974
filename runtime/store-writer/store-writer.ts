/**
 * The main thread's handle on the store's writer thread (writer-thread.ts). Batches are queued here in wire form,
 * posted to the thread once per event-loop turn (many per message, their buffers transferred, not copied), and
 * each one's callback runs, in enqueue order, when the thread says its transaction committed — or with the error
 * that kept it out. "Acknowledged = committed": a caller answers its HTTP request only from that callback.
 *
 * `flush()` is synchronous (Atomics.wait on the thread's commit counter), for the few places that must read what
 * was just recorded through another connection (a fork, a verify worker); everything else stays asynchronous.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { RingRange } from '../chain/record-ring.ts';
import type { ActorInfo } from '../store/types.ts';
import { workerScript } from '../worker-script.ts';
import {
  COMMITTED,
  CONTROL_SLOTS,
  POSTED,
  STATE,
  STATE_FAILED,
  after,
  type FromWriter,
  type ToWriter,
  type WriteRequest,
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

/** How long a synchronous flush waits between checks that the thread is still alive. */
const FLUSH_POLL_MS = 200;

export class StoreWriter extends EventEmitter<StoreWriterEvents> {
  private readonly control: Int32Array;
  private readonly requests: MessagePort;
  private readonly notices: MessagePort;
  private readonly worker: Worker;
  private outbox: WriteRequest[] = [];
  private transfer: ArrayBuffer[] = [];
  private waiting: Waiting[] = [];
  private head = 0;
  private nextNo = 1;
  private queuedEntries = 0;
  /** Record rings the writer thread knows, by the number it knows them by. */
  private readonly rings = new Map<SharedArrayBuffer, number>();
  private nextRing = 1;
  private scheduled: NodeJS.Immediate | undefined;
  private failure: Error | undefined;
  private exited: Promise<void>;

  private constructor(db: string) {
    super();
    const shared = new SharedArrayBuffer(CONTROL_SLOTS * 4);
    this.control = new Int32Array(shared);
    const requests = new MessageChannel();
    const notices = new MessageChannel();
    this.requests = requests.port1;
    this.notices = notices.port1;
    const init: WriterInit = { db, control: shared, requests: requests.port2, notices: notices.port2 };
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
        if (this.pending > 0 || code !== 0) this.fail(new Error(`the store's writer thread exited (code ${code})`));
        resolve();
      }),
    );
    this.idle();
  }

  /** Starts the writer thread on the database at `db` (already created and migrated by the caller's ChainStore). */
  static start(db: string): StoreWriter {
    return new StoreWriter(db);
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
      const no = this.request({ t: 'append', no: this.nextNo, actor, branch, bytes, entries }, entries, onCommitted);
      if (no !== undefined) this.transfer.push(bytes);
      return;
    }
    let ring = this.rings.get(batch.ring);
    if (ring === undefined) {
      ring = this.nextRing++;
      this.rings.set(batch.ring, ring);
      this.request({ t: 'ring', no: this.nextNo, ring, buffer: batch.ring }, 0, undefined);
    }
    const { from, to, entries } = batch.range;
    this.request({ t: 'ring-append', no: this.nextNo, actor, branch, ring, from, to, entries }, entries, onCommitted);
  }

  /** No batch queued after this names `ring`: the writer thread lets go of it once those before are committed. */
  release(ring: SharedArrayBuffer): void {
    const id = this.rings.get(ring);
    if (id === undefined) return;
    this.rings.delete(ring);
    this.request({ t: 'forget', no: this.nextNo, ring: id }, 0, undefined);
  }

  /** Creates the actor or updates the fields given, in order with the batches queued around it. */
  upsertActor(info: ActorInfo, onCommitted?: OnCommitted): void {
    this.request({ t: 'actor', no: this.nextNo, info }, 0, onCommitted);
  }

  /** Resolves once everything queued so far is committed (rejects with the first error among it). */
  committed(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (e?: Error) => (e ? reject(e) : resolve());
      if (this.pending === 0) done(this.failure);
      else this.request({ t: 'barrier', no: this.nextNo }, 0, done);
    });
  }

  /** Commits everything queued now (shutdown, before another connection reads) and runs the callbacks. */
  flush(): void {
    this.post();
    const target = this.nextNo - 1;
    while (this.pending > 0 && !this.failure) {
      const done = Atomics.load(this.control, COMMITTED);
      if (!after(target, done)) break;
      if (Atomics.load(this.control, STATE) === STATE_FAILED) break;
      Atomics.wait(this.control, COMMITTED, done, FLUSH_POLL_MS);
    }
    for (let m = receiveMessageOnPort(this.notices); m; m = receiveMessageOnPort(this.notices)) {
      this.onNotice(m.message as FromWriter);
    }
  }

  /** Commits what is queued, then stops the thread (its connection closes with it). */
  async close(): Promise<void> {
    if (!this.failure) this.flush();
    this.send({ t: 'close' });
    this.worker.ref(); // until it has exited
    await this.exited;
    this.notices.close();
    this.requests.close();
  }

  private request(item: WriteRequest, entries: number, onCommitted: OnCommitted | undefined): number | undefined {
    if (this.failure) {
      onCommitted?.(this.failure);
      return undefined;
    }
    const no = this.nextNo;
    this.nextNo = (this.nextNo + 1) | 0;
    if (this.pending === 0) this.busy();
    this.waiting.push({ no, entries, onCommitted });
    this.queuedEntries += entries;
    this.outbox.push(item);
    this.scheduled ??= setImmediate(() => this.post());
    return no;
  }

  private post(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.outbox.length === 0) return;
    const items = this.outbox;
    const transfer = this.transfer;
    this.outbox = [];
    this.transfer = [];
    this.send({ t: 'requests', items }, transfer);
  }

  private send(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.requests.postMessage(m, transfer);
    Atomics.add(this.control, POSTED, 1);
    Atomics.notify(this.control, POSTED);
  }

  private onNotice(m: FromWriter): void {
    if (m.t === 'failed') return this.fail(new Error(`the store's writer thread could not start: ${m.message}`));
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
    this.outbox = [];
    this.transfer = [];
    this.settle(done, () => error);
  }

  /** Waiting requests keep the process alive (their callers must hear); an idle writer does not. */
  private busy(): void {
    this.worker.ref();
    this.notices.ref();
  }

  private idle(): void {
    this.worker.unref();
    this.notices.unref();
  }
}
