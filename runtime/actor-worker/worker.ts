/**
 * One actor instance, in its own worker thread: instantiates the component with recorded imports and runs export
 * calls one at a time, in the order they arrive. A runaway call blocks only this thread; the main thread's
 * watchdog terminates it.
 */
import { MessageChannel, parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ChainBuilder, EMPTY_HEAD } from '../chain/builder.ts';
import {
  callExport,
  classifyError,
  findExport,
  interceptImports,
  liveStrategy,
  type ComponentInstance,
  type ExportOutcome,
  type ImportObject,
} from '../chain/recorder.ts';
import type { Value } from '../chain/canonical.ts';
import { encodeBatch } from '../chain/batch-codec.ts';
import { RingWriter, ringBuffer } from '../chain/record-ring.ts';
import { buildImports } from '../imports/index.ts';
import type { ActorContext } from '../imports/types.ts';
import type {
  FromWorker,
  PostedBatch,
  RpcReply,
  RpcRequest,
  ToWorker,
  WorkerChannel,
  WorkerInit,
} from '../actors/protocol.ts';
import { cacheCompiledCode, instantiate, receiveInit } from './worker-instance.ts';

/** The stand-in ring of a rehearsal: nobody reads it, and the one call rehearsed fits in it. */
const REHEARSAL_RING_BYTES = 4096;
/** The stand-in instance of a rehearsal: one export that keeps the state and answers nothing. */
const REHEARSAL_IFACE = 'theater:rehearsal/actor';
const REHEARSAL_INSTANCE = {
  [REHEARSAL_IFACE]: { rehearse: (state: Uint8Array | undefined) => [state, []] },
} as unknown as ComponentInstance;

// Booted ahead of need by the worker pool: which actor this worker runs arrives by message.
receiveInit(parentPort!, (init, channel) => void run(init, channel, parentPort!, instantiate), rehearse);

/**
 * A start and one recorded call on stand-ins (a port nobody else reads, a fresh ring, a one-export instance), run
 * by a pooled worker while it waits: V8 compiles a function the first time it runs, and in a fresh worker
 * everything a start runs was not yet compiled — ~0.5-0.9 ms of each warm spawn (measured against `node
 * --no-lazy`), more of an actor's first call. Nothing of it reaches the runtime.
 */
async function rehearse(imports: WorkerInit['imports']): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const channel: WorkerChannel = {
    rpcSignal: new SharedArrayBuffer(4),
    rpcPort: port2,
    busySince: new SharedArrayBuffer(8),
    ring: ringBuffer(REHEARSAL_RING_BYTES),
  };
  const init: WorkerInit = {
    actorId: 'rehearsal',
    componentDir: '',
    imports,
    head: EMPTY_HEAD,
    state: new Uint8Array(8),
    callTimeoutMs: 0,
    env: [],
    args: [],
  };
  try {
    await run(init, channel, port1, async () => REHEARSAL_INSTANCE);
    const answered = new Promise<void>((resolve) =>
      // (a start that failed on stand-ins posted 'fatal' and runs no call: that ends the rehearsal too)
      port2.on('message', (m: FromWorker) => (m.t === 'result' || m.t === 'fatal') && resolve()),
    );
    const call: ToWorker = {
      t: 'call',
      id: 0,
      iface: REHEARSAL_IFACE,
      fn: 'rehearse',
      params: [new Uint8Array(16)],
      origin: 'runtime',
      cause: null,
    };
    port2.postMessage(call);
    await answered;
  } finally {
    port1.close(); // and with it port2, and the listeners run added
  }
}

/** Runs the actor `init` names in this worker: `port` carries its calls and results, `make` instantiates it. */
function run(
  init: WorkerInit,
  channel: WorkerChannel,
  port: MessagePort,
  make: (init: WorkerInit, imports: ImportObject) => Promise<ComponentInstance>,
): Promise<void> {
  /** Batches travel as ring positions; only one too big for the ring is a buffer (transferred). */
  const post = (m: FromWorker) =>
    port.postMessage(m, 'batch' in m && m.batch && 'bytes' in m.batch ? [m.batch.bytes] : []);
  const rpcSignal = new Int32Array(channel.rpcSignal);
  const busySince = new BigInt64Array(channel.busySince);

  const chain = new ChainBuilder(init.actorId, init.head, init.state);
  let logs: string[] = [];
  /** BENCHMARK ONLY (WorkerInit.record === false): no interceptor, no entries; the state lives here. */
  const unrecorded = init.record === false;
  let plainState: Uint8Array | null = init.state;

  const ring = new RingWriter(channel.ring);
  /** Entries written to the ring and not yet handed to the main thread. */
  let ringEntries = 0;
  /** Log lines of the call in progress already in the ring. */
  let ringLogs = 0;

  /**
   * Moves what the chain recorded since the last call into the ring (each entry and blob encoded once, right here).
   * A batch too big for the ring is posted on its own, after what the ring holds so far, keeping their order.
   */
  function toRing(): void {
    const pending = chain.pending;
    if (pending.entries.length === 0 && pending.blobs.length === 0 && ringLogs === logs.length) return;
    const fresh = logs.slice(ringLogs);
    // Full of records still being committed: what we wrote goes to the main thread first (the writer can then
    // commit it and free the space).
    if (ring.append(pending, fresh, postRange)) {
      ringEntries += pending.entries.length;
      ringLogs = logs.length;
      chain.drain();
      return;
    }
    const bytes = encodeBatch(pending, fresh);
    const entries = pending.entries.length;
    chain.drain();
    ringLogs = logs.length;
    postRange();
    post({ t: 'entries', batch: { bytes, entries }, logs: [] });
  }

  /** What the ring holds since the last post, for the main thread (undefined: nothing). */
  function takeRange(): PostedBatch | undefined {
    if (ring.pending === 0) return undefined;
    const range = ring.take(ringEntries);
    ringEntries = 0;
    return { range };
  }

  function postRange(): void {
    const batch = takeRange();
    if (batch) post({ t: 'entries', batch, logs: [] });
  }

  /** Posts what the call in progress has recorded so far (before a blocking host call; when the ring is full). */
  function flush(): void {
    toRing();
    const batch = takeRange();
    if (!batch && logs.length === 0) return;
    post({ t: 'entries', batch, logs });
    logs = [];
    ringLogs = 0;
  }

  /** After each import crossing: if the call never returns, what it did so far is still on record. */
  function publish(): void {
    toRing();
    ring.publish();
  }

  const ctx: ActorContext = {
    actorId: init.actorId,
    callTimeoutMs: init.callTimeoutMs,
    state: () => (unrecorded ? plainState : chain.state),
    log: (msg) => void (unrecorded || logs.push(msg)),
    env: () => init.env,
    args: () => init.args,
    host(op, args) {
      // What this actor recorded so far goes first, so the runtime holds the entry that `cause` will point at.
      flush();
      const req: RpcRequest = { op, args, cause: chain.head.hash };
      Atomics.store(rpcSignal, 0, 0);
      channel.rpcPort.postMessage(req);
      Atomics.wait(rpcSignal, 0, 0);
      const reply = receiveMessageOnPort(channel.rpcPort)?.message as RpcReply | undefined;
      if (!reply) throw new Error(`runtime did not answer ${op}`);
      if ('err' in reply) throw reply.err;
      return reply.ok;
    },
    requestShutdown: (data) => post({ t: 'shutdown', data }),
  };

  async function start(): Promise<ComponentInstance> {
    const raw = buildImports(ctx, init.imports);
    return make(init, unrecorded ? raw : interceptImports(raw, chain, liveStrategy, publish));
  }

  return start().then(
    (instance) => {
      port.on('message', (msg: ToWorker) => {
        busySince[0] = BigInt(Date.now());
        const outcome = unrecorded
          ? callUnrecorded(instance, msg.iface, msg.fn, msg.params)
          : callExport(instance, chain, msg.iface, msg.fn, msg.params, { origin: msg.origin, cause: msg.cause });
        busySince[0] = 0n;
        toRing();
        post({ t: 'result', id: msg.id, outcome, batch: takeRange(), logs });
        logs = [];
        ringLogs = 0;
      });
      // Registered second: runs right after the first call, once its result is posted.
      port.once('message', () => setImmediate(() => void cacheCompiledCode()));
      post({ t: 'ready' });
    },
    (e: unknown) => {
      toRing();
      post({ t: 'fatal', message: `could not instantiate: ${(e as Error)?.message ?? e}`, batch: takeRange() });
    },
  );

  /** The same export call as callExport, minus every recording step. Benchmark baseline only. */
  function callUnrecorded(
    instance: ComponentInstance,
    iface: string,
    fn: string,
    params: readonly Value[],
  ): ExportOutcome {
    try {
      const f = findExport(instance, iface, fn);
      if (!f) throw new TypeError(`the component does not export ${iface}#${fn}`);
      const result = f(plainState ?? undefined, params) as [Uint8Array | undefined, Value?];
      plainState = result[0] ?? null;
      return { ok: true, response: (result[1] ?? []) as Value, state: plainState };
    } catch (e) {
      return { ok: false, error: classifyError(e) };
    }
  }
}
