/** Messages between the main thread (ActorHost) and an actor's worker. Structured-clone only. */
import type { MessagePort } from 'node:worker_threads';
import type { Value } from '../chain/canonical.ts';
import type { ChainHead } from '../chain/builder.ts';
import type { RingRange } from '../chain/record-ring.ts';
import type { Hash, Origin } from '../chain/entry.ts';
import type { ExportOutcome } from '../chain/recorder.ts';
import type { HostOp } from '../imports/types.ts';

/**
 * How a worker and the runtime talk, made when the worker boots (worker-pool.ts), before it knows its actor: so a
 * start posts no port and allocates no shared memory (each worker serves one instance, so these are its instance's).
 */
export interface WorkerChannel {
  /** Int32Array over it: [0] RPC reply signal. */
  readonly rpcSignal: SharedArrayBuffer;
  readonly rpcPort: MessagePort;
  /** BigInt64Array over it: [0] start time (ms) of the export call in progress, 0 when idle; read by the watchdog. */
  readonly busySince: SharedArrayBuffer;
  /** The instance's record ring (chain/record-ring.ts): every entry and blob it records, written once. */
  readonly ring: SharedArrayBuffer;
}

export interface WorkerInit {
  readonly actorId: string;
  /** Folder with the transpiled component.mjs. */
  readonly componentDir: string;
  /**
   * Compiled core modules, by file name (compiled once on the main thread, shared with every worker). Absent when
   * the worker was prepared for this component: it has them already.
   */
  readonly modules?: Readonly<Record<string, WebAssembly.Module>>;
  readonly imports: readonly string[];
  readonly head: ChainHead;
  readonly state: Uint8Array | null;
  readonly callTimeoutMs: number;
  /** The manifest's `[env]` and `args`, for wasi:cli/environment. */
  readonly env: readonly (readonly [string, string])[];
  readonly args: readonly string[];
  /**
   * BENCHMARK ONLY (bench/ measures recording overhead with it): false runs exports without the interceptor and
   * posts no entries. Never set by the runtime, the CLI or the Studio.
   */
  readonly record?: boolean;
}

/** What a pooled worker is prepared with: the component the next start will likely want (worker-pool.ts). */
export interface Preparation {
  readonly componentDir: string;
  readonly modules: NonNullable<WorkerInit['modules']>;
  /** The interfaces it imports: the worker rehearses a start with them (worker.ts `rehearse`). */
  readonly imports: WorkerInit['imports'];
}

/** What a pooled worker hears before it runs an actor (worker-pool.ts, worker-instance.ts). */
export type PoolMessage =
  /** First, at boot: its means of talking to the runtime. */
  | { readonly t: 'channel'; readonly channel: WorkerChannel }
  /** The component the next start will likely want: load and instantiate it now, imports bound at init. */
  | (Preparation & {
      readonly t: 'prepare';
      /** Posted to (anything) once the worker is ready to run an actor, or its preparation failed. */
      readonly ready: MessagePort;
    })
  /** The actor this worker runs; always the last pool message. */
  | { readonly t: 'init'; readonly init: WorkerInit };

export interface CallRequest {
  readonly t: 'call';
  readonly id: number;
  readonly iface: string;
  readonly fn: string;
  readonly params: readonly Value[];
  readonly origin: Origin;
  readonly cause: Hash | null;
}

export type ToWorker = CallRequest;

/**
 * Where a batch's records are: a range of the instance's record ring (the usual case: the main thread passes the
 * positions on and the store's writer thread reads the bytes in place), or, for a batch too big for the ring, a
 * buffer of its own (transferred).
 */
export type PostedBatch = { readonly range: RingRange } | { readonly bytes: ArrayBuffer; readonly entries: number };

export type FromWorker =
  | { readonly t: 'ready' }
  /**
   * Entries recorded so far in the call in progress, and the log lines among them: posted before a blocking host
   * call (the runtime must hold the entry a `cause` points at) or when the in-flight log is full.
   */
  | { readonly t: 'entries'; readonly batch: PostedBatch | undefined; readonly logs: readonly string[] }
  | {
      readonly t: 'result';
      readonly id: number;
      readonly outcome: ExportOutcome;
      /** Absent when the call recorded nothing (only the benchmark's unrecorded mode). */
      readonly batch: PostedBatch | undefined;
      readonly logs: readonly string[];
    }
  | { readonly t: 'shutdown'; readonly data: Uint8Array | null }
  | { readonly t: 'fatal'; readonly message: string; readonly batch: PostedBatch | undefined };

export interface RpcRequest {
  readonly op: HostOp;
  readonly args: readonly unknown[];
  /** The caller's chain head when it asked: the causal link the receiver's entry records. */
  readonly cause: Hash | null;
}

export type RpcReply = { readonly ok: unknown } | { readonly err: string };
