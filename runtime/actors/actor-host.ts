/**
 * The main thread's handle on one running actor: owns its worker, feeds it calls in order, commits what it records
 * and answers each call only once its entries are committed. A call that runs past the time limit gets the worker
 * terminated; the runtime records the timeout and starts a fresh instance from the last committed state.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { Value } from '../chain/canonical.ts';
import { decodeBatch, encodeBatch } from '../chain/batch-codec.ts';
import { ChainBuilder, type Batch, type ChainHead } from '../chain/builder.ts';
import { RUNTIME_EVENTS, hashEquals, type Hash, type Origin } from '../chain/entry.ts';
import type { ActorErrorInfo, CallOutcome } from '../chain/recorder.ts';
import { RingReader, type RingRange } from '../chain/record-ring.ts';
import type { ComponentInfo } from '../component/loader.ts';
import type { StoredStatus } from '../store/index.ts';
import type { FromWorker, PoolMessage, PostedBatch, RpcReply, RpcRequest, ToWorker, WorkerInit } from './protocol.ts';
import { compiledModules, compiledModulesNow } from '../actor-worker/worker-entry.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Where a batch to commit is: a range of an instance's record ring, or a buffer of its own (wire form). */
export type SinkBatch =
  | { readonly ring: SharedArrayBuffer; readonly range: RingRange }
  | { readonly bytes: ArrayBuffer; readonly entries: number };

export interface ChainSink {
  /** Queue a batch for commit; `onCommitted` runs after it is durable (or with the error if it could not be). */
  append(actor: string, batch: SinkBatch, onCommitted?: (err?: Error) => void): void;
  /** An instance is gone: no batch appended after this names its ring. */
  release(ring: SharedArrayBuffer): void;
}

/** One instance's record ring, and where the batches it posted so far end (its in-flight records start there). */
interface InstanceRing {
  readonly sab: SharedArrayBuffer;
  readonly reader: RingReader;
  pos: number;
}

/** What the main thread keeps of a batch: the first entry's parent and the head after the last one. */
interface Summary {
  readonly parent: Hash | null;
  readonly head: ChainHead;
}

export interface ActorHostOptions {
  readonly id: string;
  readonly component: ComponentInfo;
  readonly head: ChainHead;
  readonly state: Uint8Array | null;
  readonly callTimeoutMs: number;
  /** The manifest's `[env]` and `args` (wasi:cli/environment). */
  readonly env: readonly (readonly [string, string])[];
  readonly args: readonly string[];
  readonly sink: ChainSink;
  /** Answers the actor's blocking host calls (send, request, spawn, ...). */
  readonly hostCall: (req: RpcRequest) => Promise<RpcReply>;
  /** Where each instance's worker comes from (a fresh one for every start and restart). */
  readonly workers: WorkerPool;
  /** BENCHMARK ONLY (see RuntimeOptions.unrecordedForBenchmark): false = the worker records nothing. */
  readonly record?: boolean;
  /**
   * Whether the runtime itself starts a fresh instance after a trap or timeout. False for a child whose supervisor
   * handles failures: the child waits, failed, for its supervisor's restart-child.
   */
  readonly autoRestart: () => boolean;
}

/** More automatic restarts than this within the window means the actor cannot run: it is marked failed. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 10_000;

/** A running actor host's status (the store adds `suspended` for actors whose runtime shut down). */
export const ACTOR_STATUSES = ['starting', 'running', 'stopped', 'failed'] as const satisfies readonly StoredStatus[];
export type ActorStatus = (typeof ACTOR_STATUSES)[number];

interface PendingCall {
  readonly req: ToWorker;
  readonly resolve: (o: CallOutcome) => void;
}

export interface ActorHostEvents {
  log: [msg: string];
  /** `count` entries were committed; `head` is the chain's head after them. */
  entries: [count: number, head: ChainHead];
  /** A call ended in an error of any kind (recorded). */
  failure: [error: ActorErrorInfo];
  shutdown: [data: Uint8Array | null];
  status: [status: ActorStatus];
}

const WATCHDOG_MS = 25;

export class ActorHost extends EventEmitter<ActorHostEvents> {
  readonly id: string;
  private worker: Worker | undefined;
  private readonly chain: ChainBuilder;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private watchdog: NodeJS.Timeout | undefined;
  private busySince = new BigInt64Array(new SharedArrayBuffer(8));
  /** The current instance's record ring: read when it dies mid-call. */
  private ring: InstanceRing | undefined;
  /** The in-flight call's `call` entry already reached us (posted before a blocking host call, or read from the
   *  in-flight log when the worker died). */
  private inflightRecorded = false;
  /** Hashes of the entries the call in progress has recorded so far (calls run one at a time per instance). */
  private callEntries: Hash[] = [];
  /** Resolved when no call is pending: see `idle()`. */
  private idleWaiters: (() => void)[] = [];
  private _status: ActorStatus = 'starting';
  private restarts: number[] = [];
  /** The head as of the last batch handed to the sink: the parent of the next one this thread commits. */
  private committedHead: ChainHead;
  /** This instance asked to stop (runtime.shutdown, or WASI exit): the system stops the actor once it is idle. */
  private shutdownRequested = false;

  constructor(private readonly opts: ActorHostOptions) {
    super();
    this.id = opts.id;
    this.chain = new ChainBuilder(opts.id, opts.head, opts.state);
    this.committedHead = opts.head;
  }

  get status(): ActorStatus {
    return this._status;
  }

  get head(): ChainHead {
    return this.chain.head;
  }

  get state(): Uint8Array | null {
    return this.chain.state;
  }

  get component(): ComponentInfo {
    return this.opts.component;
  }

  /**
   * Records a runtime event (start, resume, restart, stop) on the actor's chain; `cause` links it to the supervisor's
   * entry that asked for it (docs/chain-format.md §5).
   */
  recordEvent(name: string, details: Value, cause: Hash | null = null, onCommitted?: (err?: Error) => void): void {
    this.appendEvent(name, details, cause);
    this.commitOwn(onCommitted);
  }

  /**
   * Appends a runtime event without committing it yet: a start appends its start event, posts the init (its head
   * is that event) and only then hands the event to the writer (`commitOwn`).
   */
  appendEvent(name: string, details: Value, cause: Hash | null = null): void {
    this.chain.append('event', RUNTIME_EVENTS, name, { input: this.chain.value(details), cause });
  }

  /** Commits what this thread appended to the chain itself (events, a dead call's error). */
  commitOwn(onCommitted?: (err?: Error) => void): void {
    const drained = this.chain.drain();
    const head = this.chain.head;
    this.committedHead = head;
    this.commit({ bytes: encodeBatch(drained), entries: drained.entries.length }, head, onCommitted);
  }

  /** Sets the state before the first call (a manifest's init_state); recorded with the next entry. */
  seedState(bytes: Uint8Array | null): void {
    this.chain.setState(bytes);
  }

  /** Gives the actor a pooled worker; when its component is compiled already, the init is posted before this returns. */
  async start(): Promise<void> {
    this.shutdownRequested = false;
    const modules = compiledModulesNow(this.opts.component) ?? (await compiledModules(this.opts.component));
    const componentDir = this.opts.component.dir;
    // Its channel (ports, shared memory, record ring) came with the worker: nothing of it is made now.
    const { worker, channel, prepared } = this.opts.workers.take({
      componentDir,
      modules,
      imports: this.opts.component.imports,
    });
    const port1 = channel.rpcPort;
    this.busySince = new BigInt64Array(channel.busySince);
    const ring: InstanceRing = { sab: channel.ring, reader: new RingReader(channel.ring), pos: 0 };
    this.ring = ring;
    const init: WorkerInit = {
      actorId: this.id,
      componentDir,
      // A worker prepared for this component has its modules; a message carrying them costs ~0.5 ms.
      ...(prepared ? {} : { modules }),
      imports: this.opts.component.imports,
      head: this.chain.head,
      state: this.chain.state,
      callTimeoutMs: this.opts.callTimeoutMs,
      env: this.opts.env,
      args: this.opts.args,
      record: this.opts.record,
    };
    worker.postMessage({ t: 'init', init } satisfies PoolMessage);
    // After the post, not before: the status event's listeners wake the store's writer thread (the actor's row),
    // which would compete with the pooled worker for a core. (A component's first start awaits its compile with
    // the status a new host has: starting.)
    this.setStatus('starting');
    this.worker = worker;
    const signal = new Int32Array(channel.rpcSignal);
    port1.on('message', (req: RpcRequest) => {
      void this.opts.hostCall(req).then((reply) => {
        if (this.worker !== worker) return; // that instance is gone; nobody is waiting
        port1.postMessage(reply);
        Atomics.store(signal, 0, 1);
        Atomics.notify(signal, 0);
      });
    });
    port1.unref();

    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          this.setStatus('running');
          resolve();
        } else if (m.t === 'fatal') {
          this.accept(m.batch, ring);
          reject(new Error(m.message));
        } else this.onMessage(m, ring);
      });
      worker.on('error', (e) => {
        if (this.worker === worker) this.onWorkerDeath(`the actor's worker failed: ${e.message}`, 'trap');
        reject(e);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker && this._status !== 'stopped') {
          this.onWorkerDeath(`the actor's worker exited (code ${code})`, 'trap');
        }
        reject(new Error(`worker exited with code ${code} before it was ready`));
      });
    });
    // Calls that were waiting for a (re)start go to the new instance, in their original order.
    for (const p of this.pending.values()) worker.postMessage(p.req);
    this.armWatchdog();
  }

  /** Calls an export. Resolves with the outcome and the call's entries once every one of them is committed. */
  call(
    iface: string,
    fn: string,
    params: readonly Value[],
    origin: Origin,
    cause: Hash | null = null,
  ): Promise<CallOutcome> {
    if (this._status === 'stopped' || this._status === 'failed') {
      const message = `actor ${this.id} is ${this._status}`;
      return Promise.resolve({ ok: false, error: { kind: 'startup', message }, entries: [] });
    }
    const req: ToWorker = { t: 'call', id: this.nextId++, iface, fn, params, origin, cause };
    return new Promise((resolve) => {
      this.pending.set(req.id, { req, resolve });
      if (this._status === 'running') this.worker?.postMessage(req);
      this.armWatchdog();
    });
  }

  /** Resolves once no call is pending (at once if none is). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settled(): void {
    if (this.pending.size > 0) return;
    this.disarmWatchdog();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The entries recorded for the call in progress, handed over once (the next call starts a new list). */
  private takeCallEntries(): Hash[] {
    const entries = this.callEntries;
    this.callEntries = [];
    return entries;
  }

  async stop(): Promise<void> {
    this.setStatus('stopped');
    const w = this.worker;
    this.worker = undefined;
    this.failPending(`actor ${this.id} stopped`);
    this.retireRing();
    await w?.terminate();
  }

  /** Terminates the instance and starts a fresh one from the last committed state, recording why. */
  async restart(reason: string, cause: Hash | null = null): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.retireRing();
    await w?.terminate();
    this.recordEvent('restart', { reason, component: this.opts.component.sha256 }, cause);
    await this.start();
  }

  /** The instance is gone (or going): its ring is read no more once what it posted is committed. */
  private retireRing(): void {
    if (this.ring) this.opts.sink.release(this.ring.sab);
    this.ring = undefined;
  }

  private onMessage(m: FromWorker, ring: InstanceRing): void {
    switch (m.t) {
      case 'entries': {
        this.inflightRecorded = true;
        const hashes = this.hashesOf(m.batch, ring);
        if (this.accept(m.batch, ring)) this.callEntries.push(...hashes);
        for (const line of m.logs) this.emit('log', line);
        return;
      }
      case 'result': {
        this.inflightRecorded = false;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        const state = m.outcome.ok ? m.outcome.state : undefined;
        // Taken before the batch is handed on: its callback may run at once (a batch that fills the writer).
        const entries = [...this.takeCallEntries(), ...this.hashesOf(m.batch, ring)];
        // Acknowledged = committed: a call whose entries did not commit is answered with the store's error.
        this.accept(
          m.batch,
          ring,
          (err) => p?.resolve(err ? { ok: false, error: storeError(err), entries: [] } : { ...m.outcome, entries }),
          state,
        );
        for (const line of m.logs) this.emit('log', line);
        if (!m.outcome.ok) this.afterFailure(m.outcome.error);
        this.settled();
        return;
      }
      case 'shutdown':
        this.shutdownRequested = true;
        this.emit('shutdown', m.data);
        return;
      case 'ready':
      case 'fatal':
        return;
    }
  }

  /**
   * Takes a batch the worker posted: it must continue our chain exactly, or it is dropped (false). `state`: the
   * state's bytes when the batch may have changed it (a call's result).
   */
  private accept(
    posted: PostedBatch | undefined,
    ring: InstanceRing,
    onCommitted?: (err?: Error) => void,
    state?: Uint8Array | null,
  ): boolean {
    if (!posted) {
      onCommitted?.();
      return true;
    }
    if ('range' in posted) {
      ring.pos = posted.range.to;
      const summary = ring.reader.summary(posted.range);
      const find = (h: Hash) => ring.reader.blob(posted.range, h);
      return this.take(summary, { ring: ring.sab, range: posted.range }, state, find, onCommitted);
    }
    const { batch } = decodeBatch(new Uint8Array(posted.bytes), this.id);
    return this.take(summaryOf(batch), posted, state, (h) => blobIn(batch, h), onCommitted);
  }

  /** The hashes of the entries a posted batch holds, in order. */
  private hashesOf(posted: PostedBatch | undefined, ring: InstanceRing): Hash[] {
    if (!posted) return [];
    if ('range' in posted) return ring.reader.entryHashes(posted.range);
    return decodeBatch(new Uint8Array(posted.bytes), this.id).batch.entries.map((e) => e.hash);
  }

  private take(
    summary: Summary | undefined,
    batch: SinkBatch,
    state: Uint8Array | null | undefined,
    findBlob: (hash: Hash) => Uint8Array | undefined,
    onCommitted?: (err?: Error) => void,
  ): boolean {
    if (summary && !hashEquals(summary.parent, this.chain.head.hash)) {
      // A batch from an instance we already gave up on (it raced its termination): drop it.
      onCommitted?.();
      return false;
    }
    if (summary) {
      const { head } = summary;
      const unchanged = hashEquals(head.state, this.chain.head.state);
      const bytes = unchanged ? this.chain.state : head.state === null ? null : (state ?? findBlob(head.state) ?? null);
      this.chain.sync(head, bytes);
      this.committedHead = head;
    }
    this.commit(batch, this.chain.head, onCommitted);
    return true;
  }

  private commit(batch: SinkBatch, head: ChainHead, onCommitted?: (err?: Error) => void): void {
    const entries = 'range' in batch ? batch.range.entries : batch.entries;
    // 'entries' once they are committed: whoever hears it may read them from the store.
    this.opts.sink.append(this.id, batch, (err) => {
      if (err) this.onCommitFailure(err);
      else if (entries > 0) this.emit('entries', entries, head);
      onCommitted?.(err);
    });
  }

  /**
   * Entries of ours could not be committed (a full disk, or a bug: with the writer lease no one else appends). Our
   * in-memory chain is now ahead of the store, so nothing more may be recorded on it: the actor fails, and a start
   * resumes it from what the store holds.
   */
  private onCommitFailure(err: Error): void {
    if (this._status === 'failed' || this._status === 'stopped') return;
    const error = storeError(err);
    const w = this.worker;
    this.worker = undefined;
    this.retireRing();
    void w?.terminate();
    for (const p of this.pending.values()) p.resolve({ ok: false, error, entries: [] });
    this.pending.clear();
    this.settled();
    this.setStatus('failed');
    this.emit('failure', error);
  }

  private afterFailure(error: ActorErrorInfo): void {
    this.emit('failure', error);
    if (error.kind !== 'trap' || this._status !== 'running') return;
    // After a trap the instance's memory may be inconsistent; the component model forbids re-entering it.
    if (this.shutdownRequested) this.endInstance(error.message);
    else this.replaceInstance(`trap: ${error.message}`);
  }

  /**
   * The instance trapped after asking to stop (WASI exit ends the call with a trap): no fresh instance, which would
   * run on as if the actor had not exited. Calls queued behind it fail; the system's stop records why it stopped.
   */
  private endInstance(reason: string): void {
    const w = this.worker;
    this.worker = undefined;
    this.retireRing();
    void w?.terminate();
    this.failPending(`actor ${this.id} is stopping: ${reason}`);
  }

  /** The instance is unusable: start a fresh one, or (supervised, or crash-looping) wait as failed. */
  private replaceInstance(reason: string): void {
    const w = this.worker;
    this.worker = undefined;
    this.retireRing();
    void w?.terminate();
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (!this.opts.autoRestart() || this.restarts.length >= RESTART_LIMIT) {
      this.failPending(`actor ${this.id} failed: ${reason}`);
      this.setStatus('failed');
      return;
    }
    this.restarts.push(now);
    this.recordEvent('restart', { reason, component: this.opts.component.sha256 });
    this.start().catch((e: Error) => {
      this.setStatus('failed');
      this.emit('failure', { kind: 'startup', message: e.message });
    });
  }

  private failPending(message: string): void {
    for (const p of this.pending.values()) p.resolve({ ok: false, error: { kind: 'startup', message }, entries: [] });
    this.pending.clear();
    this.callEntries = [];
    this.settled();
  }

  private armWatchdog(): void {
    if (this.watchdog || this.pending.size === 0) return;
    this.watchdog = setInterval(() => this.checkRunaway(), WATCHDOG_MS);
  }

  private disarmWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private checkRunaway(): void {
    const since = Number(Atomics.load(this.busySince, 0));
    if (since === 0 || Date.now() - since <= this.opts.callTimeoutMs) return;
    const p = this.pending.values().next().value;
    const what = p ? `${p.req.iface}#${p.req.fn}` : 'the call';
    this.onWorkerDeath(`${what} ran past its ${this.opts.callTimeoutMs} ms limit and was terminated`, 'timeout');
  }

  /** The instance is gone mid-call (timeout, out of memory, crash): record it, fail the call, start afresh. */
  private onWorkerDeath(message: string, kind: ActorErrorInfo['kind']): void {
    if (!this.worker) return;
    this.disarmWatchdog();
    // What the call recorded before it died (up to its last import crossing) goes on record first.
    const ring = this.ring;
    if (ring && ((ring.reader.published - ring.pos) | 0) > 0) {
      const { bytes, batch, logs } = ring.reader.copy(ring.pos, ring.reader.published, this.id);
      ring.pos = ring.reader.published;
      const summary = summaryOf(batch);
      const posted = { bytes, entries: batch.entries.length };
      if (summary && this.take(summary, posted, undefined, (h) => blobIn(batch, h))) {
        this.inflightRecorded = true;
        this.callEntries.push(...batch.entries.map((e) => e.hash));
      }
      for (const line of logs) this.emit('log', line);
    }
    const first = this.pending.entries().next().value;
    const error: ActorErrorInfo = { kind, message };
    if (first) {
      const [id, p] = first;
      this.pending.delete(id);
      if (!this.inflightRecorded) {
        this.chain.append('call', p.req.iface, p.req.fn, {
          input: this.chain.value(p.req.params as Value),
          origin: p.req.origin,
          cause: p.req.cause,
        });
      }
      this.chain.append('error', p.req.iface, p.req.fn, { output: this.chain.value(error) });
      const entries = [...this.takeCallEntries(), ...this.chain.pending.entries.map((e) => e.hash)];
      this.commitOwn(() => p.resolve({ ok: false, error, entries }));
      this.settled();
    }
    this.callEntries = [];
    this.inflightRecorded = false;
    this.emit('failure', error);
    this.replaceInstance(message);
  }

  private setStatus(s: ActorStatus): void {
    if (this._status === s) return;
    this._status = s;
    this.emit('status', s);
  }
}

function summaryOf(batch: Batch): Summary | undefined {
  const first = batch.entries[0];
  const last = batch.entries.at(-1);
  if (!first || !last) return undefined;
  return { parent: first.parent, head: { hash: last.hash, seq: last.seq, state: last.state } };
}

function blobIn(batch: Batch, hash: Hash): Uint8Array | undefined {
  return batch.blobs.find((b) => hashEquals(b.hash, hash))?.bytes;
}

function storeError(err: Error): ActorErrorInfo {
  return {
    kind: 'store',
    message:
      `its entries could not be committed (${err.message}); nothing of this call is recorded. The chain holds ` +
      'everything up to the last committed entry: start the actor again to continue from there',
  };
}
