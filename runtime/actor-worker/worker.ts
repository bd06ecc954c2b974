/**
 * One actor instance, in its own worker thread: instantiates the component with recorded imports and runs export
 * calls one at a time, in the order they arrive. A runaway call blocks only this thread; the main thread's
 * watchdog terminates it.
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { ChainBuilder } from '../chain/builder.ts';
import {
  callExport,
  classifyError,
  findExport,
  interceptImports,
  liveStrategy,
  type ComponentInstance,
  type ExportOutcome,
} from '../chain/recorder.ts';
import type { Value } from '../chain/canonical.ts';
import { buildImports } from '../imports/index.ts';
import type { ActorContext } from '../imports/types.ts';
import { InflightWriter } from './inflight-log.ts';
import type { FromWorker, RpcReply, RpcRequest, ToWorker } from '../actors/protocol.ts';
import { cacheCompiledCode, instantiate, receiveInit } from './worker-instance.ts';

const port = parentPort!;
// Booted ahead of need by the worker pool: which actor this worker runs arrives by message.
const init = await receiveInit(port);
const post = (m: FromWorker) => port.postMessage(m);
const rpcSignal = new Int32Array(init.rpcSignal);
const busySince = new BigInt64Array(init.busySince);

const chain = new ChainBuilder(init.actorId, init.head, init.state);
let logs: string[] = [];
/** BENCHMARK ONLY (WorkerInit.record === false): no interceptor, no entries; the state lives here. */
const unrecorded = init.record === false;
let plainState: Uint8Array | null = init.state;

const inflight = new InflightWriter(init.inflight);

/** Posts what the call in progress has recorded so far. */
function flush(): void {
  if (chain.pending.entries.length === 0 && logs.length === 0) return;
  post({ t: 'entries', batch: chain.drain(), logs });
  logs = [];
  inflight.reset();
}

/** After each import crossing: if the call never returns, what it did so far is still on record. */
function publish(): void {
  if (!inflight.append(chain.pending, logs)) flush();
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
    init.rpcPort.postMessage(req);
    Atomics.wait(rpcSignal, 0, 0);
    const reply = receiveMessageOnPort(init.rpcPort)?.message as RpcReply | undefined;
    if (!reply) throw new Error(`runtime did not answer ${op}`);
    if ('err' in reply) throw reply.err;
    return reply.ok;
  },
  requestShutdown: (data) => post({ t: 'shutdown', data }),
};

async function start(): Promise<ComponentInstance> {
  const raw = buildImports(ctx, init.imports);
  return instantiate(init, unrecorded ? raw : interceptImports(raw, chain, liveStrategy, publish));
}

start().then(
  (instance) => {
    port.on('message', (msg: ToWorker) => {
      busySince[0] = BigInt(Date.now());
      const outcome = unrecorded
        ? callUnrecorded(instance, msg.iface, msg.fn, msg.params)
        : callExport(instance, chain, msg.iface, msg.fn, msg.params, { origin: msg.origin, cause: msg.cause });
      busySince[0] = 0n;
      post({ t: 'result', id: msg.id, outcome, batch: chain.drain(), logs });
      logs = [];
      inflight.reset();
    });
    // Registered second: runs right after the first call, once its result is posted.
    port.once('message', () => setImmediate(() => void cacheCompiledCode()));
    post({ t: 'ready' });
  },
  (e: unknown) =>
    post({ t: 'fatal', message: `could not instantiate: ${(e as Error)?.message ?? e}`, batch: chain.drain() }),
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
