/** The runtime's public shapes: options, the running actors as the system keeps and reports them, its events. */
import type { ChainHead } from '../chain/builder.ts';
import type { ActorErrorInfo } from '../chain/recorder.ts';
import type { Hash } from '../chain/entry.ts';
import type { Ingress } from '../ingress/types.ts';
import type { Manifest } from '../manifest/index.ts';
import type { ActorHost, ActorStatus } from './actor-host.ts';

export interface RuntimeOptions {
  /** Path of the SQLite chain store. */
  readonly db: string;
  /** How this process names itself to other would-be writers of the db (default: its command line). */
  readonly writer?: string;
  readonly cacheDir?: string;
  /** Bind every server to an ephemeral port instead of the manifest's (tests, several runtimes on one machine). */
  readonly ephemeralPorts?: boolean;
  readonly maxHeapMb?: number;
  /**
   * BENCHMARK ONLY: false runs actors without recording (no interceptor, no entries, nothing committed), so
   * `npm run bench` can measure what recording costs (record_ratio). Nothing else may set it.
   */
  readonly unrecordedForBenchmark?: boolean;
}

export interface Listener {
  readonly kind: 'http-server' | 'message-server';
  readonly host: string;
  readonly port: number;
}

export interface ActorSummary {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
  readonly children: readonly string[];
  readonly status: ActorStatus;
  readonly manifest: string;
  readonly component: string;
  /** The WIT interfaces the component exports (what can be called on it). */
  readonly exports: readonly string[];
  /** The branch it records on. */
  readonly branch: string;
  readonly head: string | null;
  readonly seq: number;
  readonly listeners: readonly Listener[];
}

interface Closeable {
  close(): Promise<void>;
}

/** A manifest's servers, listening, with their requests held until the actor is ready (see servers.ts). */
export interface ActorServers extends Closeable {
  /** Where they listen: the manifest's ports, or the ones the OS gave (ephemeral ports). */
  readonly listeners: readonly Listener[];
  /** Lets requests through to actor `id` of `to`, those that waited first, in the order they came. */
  open(to: Ingress, id: string): void;
}

export interface RunningActor {
  readonly id: string;
  readonly manifest: Manifest;
  readonly host: ActorHost;
  readonly parent: string | null;
  readonly children: Set<string>;
  readonly listeners: Listener[];
  readonly servers: Closeable[];
  branch: string;
}

export interface SystemEvents {
  log: [actor: string, msg: string];
  /** Entries of an actor were committed (`head`: its chain's head after them). */
  entries: [actor: string, count: number, head: ChainHead];
  /** A transaction of the writer thread committed; `lastEntryId` is the highest entry id it holds (0: none).
   *  What is committed is readable from the store from here on (e.g. `store.entries({ afterId })`). */
  committed: [lastEntryId: number];
  status: [actor: string, status: ActorStatus];
  failure: [actor: string, error: ActorErrorInfo];
  listening: [actor: string, listener: Listener];
}

export interface StartOptions {
  readonly parent?: string;
  /** Replaces the manifest's init_state for a fresh start. */
  readonly initState?: Uint8Array | null;
  /** The id to resume under (a supervisor's children keep their ids across runs). */
  readonly id?: string;
  /** The supervisor's chain head when it asked for this start (spawn): recorded as the start event's cause. */
  readonly cause?: Hash | null;
  /**
   * The manifest's servers, listening already (listenFor): `theater run` listens before it opens the db. Without
   * them, start() listens itself, before it records anything.
   */
  readonly servers?: ActorServers;
}
