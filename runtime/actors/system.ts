/**
 * The running actors of one runtime: starts them from manifests (fresh or resumed from their chain), routes calls
 * and host calls between them, keeps the supervision tree, and owns the servers their manifests ask for.
 */
import { EventEmitter } from 'node:events';
import type { Value } from '../chain/canonical.ts';
import { EMPTY_HEAD } from '../chain/builder.ts';
import { toHex, type Hash, type Origin } from '../chain/entry.ts';
import type { ActorErrorInfo, CallOutcome } from '../chain/recorder.ts';
import { checkComponent } from '../component/check.ts';
import { defaultCacheDir, loadComponent } from '../component/loader.ts';
import { theaterInterface } from '../component/names.ts';
import { loadManifest, type Manifest } from '../manifest/index.ts';
import { ChainStore, WriterLease, type ActorInfo } from '../store/index.ts';
import { StoreWriter } from '../store-writer/store-writer.ts';
import { ActorHost } from './actor-host.ts';
import { HostCalls } from './host-calls.ts';
import { listenFor } from './servers.ts';
import type {
  ActorServers,
  ActorSummary,
  Listener,
  RunningActor,
  RuntimeOptions,
  StartOptions,
  SystemEvents,
} from './types.ts';
import type { ImportOptions, ImportResult } from '../timetravel/bundle-import.ts';
import { WorkerPool } from './worker-pool.ts';

/** Idle actor workers kept booted per runtime: enough for a supervisor's burst of spawns, few for 2 cores. */
const WORKER_POOL_SIZE = 2;

export class ActorSystem extends EventEmitter<SystemEvents> {
  private readonly running = new Map<string, RunningActor>();
  private readonly hostCalls = new HostCalls(this);
  private readonly writer: StoreWriter;
  private readonly workers: WorkerPool;

  private constructor(
    readonly store: ChainStore,
    /** This process's writer lease on the db, held from open to close (see runtime/store/writer-lease.ts). */
    readonly lease: WriterLease,
    readonly opts: RuntimeOptions,
  ) {
    super();
    // The connection that records lives on its own thread; this thread's `store` reads (and does the rare
    // one-off writes of time travel, after a flush).
    this.writer = StoreWriter.start(store.path, lease);
    this.writer.on('committed', (lastEntryId) => this.emit('committed', lastEntryId));
    this.workers = new WorkerPool({ size: WORKER_POOL_SIZE, maxHeapMb: opts.maxHeapMb ?? 1024 });
  }

  /**
   * Takes the db's writer lease first: a runtime records into its db, and only one process may. Throws
   * WriterBusyError (naming the holder) before anything is written when another one does.
   */
  static open(opts: RuntimeOptions): ActorSystem {
    const lease = WriterLease.acquire(opts.db, opts.writer);
    try {
      return new ActorSystem(ChainStore.open(opts.db, { lease }), lease, opts);
    } catch (e) {
      lease.release();
      throw e;
    }
  }

  /** The running actor itself (its host, manifest, servers): for the runtime's own modules. */
  actor(id: string): RunningActor | undefined {
    return this.running.get(id);
  }

  /** What a client may know of a running actor; undefined when it is not running. */
  describe(id: string): ActorSummary | undefined {
    const a = this.running.get(id);
    return a && summary(a);
  }

  list(): ActorSummary[] {
    return [...this.running.values()].map(summary);
  }

  /** Resolves once everything recorded so far is committed (readers on other connections then see it). */
  async committed(): Promise<void> {
    this.writer.flush();
  }

  /** Starts the actor a manifest describes: resumed from its chain if the store has one, else fresh. */
  async start(manifestOrPath: string | Manifest, so: StartOptions = {}): Promise<string> {
    const manifest = typeof manifestOrPath === 'string' ? loadManifest(manifestOrPath) : manifestOrPath;
    const component = await loadComponent(manifest.componentPath, this.opts.cacheDir ?? defaultCacheDir());
    checkComponent(component, manifest);
    // Listening first: a port another process holds refuses the start before anything is recorded (it recorded a
    // start, the init call and a stop before it found out). From here to running.set nothing awaits, so two starts
    // of one manifest cannot both take its id.
    const servers = so.servers ?? (await listenFor(manifest, this.opts.ephemeralPorts === true));
    let id: string;
    let live: ReturnType<ChainStore['liveHead']>;
    try {
      id = so.id ?? this.allocateId(manifest.name, so.parent ?? null);
      if (this.running.has(id)) throw new Error(`an actor named ${id} is already running`);
      live = this.store.liveHead(id);
    } catch (e) {
      await servers.close();
      throw e;
    }
    const { branch, head, state } = live;
    const resuming = head !== undefined;
    const host = new ActorHost({
      id,
      component,
      head: head ?? EMPTY_HEAD,
      state,
      callTimeoutMs: manifest.callTimeoutMs,
      env: manifest.env,
      args: manifest.args,
      sink: {
        append: (actor, batch, cb) =>
          this.writer.enqueue({ actor, branch: this.running.get(actor)?.branch ?? branch, ...batch }, cb),
        release: (ring) => this.writer.release(ring),
      },
      hostCall: (req) => this.hostCalls.answer(id, req),
      workers: this.workers,
      record: this.opts.unrecordedForBenchmark !== true,
      autoRestart: () => !this.supervises(so.parent),
    });
    const actor: RunningActor = {
      id,
      manifest,
      host,
      parent: so.parent ?? null,
      children: new Set(),
      listeners: [],
      servers: [servers],
      branch,
    };
    this.running.set(id, actor);
    if (so.parent) this.running.get(so.parent)?.children.add(id);
    host.on('log', (msg) => this.emit('log', id, msg));
    host.on('entries', (n, h) => this.emit('entries', id, n, h));
    host.on('status', (s) => {
      this.updateActor({ id, status: s });
      this.emit('status', id, s);
    });
    host.on('failure', (err) => this.onFailure(actor, err));
    host.on('shutdown', (data) => void host.idle().then(() => this.stop(id, data)));

    try {
      // The start event is appended (the init carries the head), the pooled worker is given the actor, and only
      // then does the writer thread hear of the actor's row and the event: the worker's wake-up comes first
      // (docs/record-path.md §Spawn, §Third round). Committed while the worker gets ready: a started actor's start
      // event is on record when this resolves.
      if (!resuming) host.seedState(so.initState !== undefined ? so.initState : (manifest.initState ?? null));
      const details = { component: component.sha256, manifest: manifest.name };
      host.appendEvent(resuming ? 'resume' : 'start', details, so.cause ?? null);
      const ready = host.start();
      this.updateActor({
        id,
        parent: so.parent,
        component: component.sha256,
        manifest: manifest.file,
        status: host.status,
      });
      const started = new Promise<void>((resolve, reject) => host.commitOwn((e) => (e ? reject(e) : resolve())));
      await Promise.all([ready, started]);
      if (!resuming) {
        const out = await host.call(theaterInterface('actor'), 'init', [id], 'runtime');
        if (!out.ok) throw new Error(`${id}: init failed (${out.error.kind}): ${out.error.message}`);
      }
      this.openServers(actor, servers);
      if (resuming) await this.resumeChildren(actor);
    } catch (e) {
      await this.stop(id).catch(() => {});
      throw e;
    }
    return id;
  }

  /** Calls an export of a running actor. Resolves once the call's entries are committed. */
  call(
    id: string,
    iface: string,
    fn: string,
    params: readonly Value[],
    origin: Origin,
    cause: Hash | null = null,
  ): Promise<CallOutcome> {
    const a = this.running.get(id);
    if (!a) {
      return Promise.resolve({ ok: false, error: { kind: 'startup', message: `no running actor ${id}` }, entries: [] });
    }
    return a.host.call(iface, fn, params, origin, cause);
  }

  send(id: string, msg: Uint8Array, origin: Origin, cause: Hash | null = null): Promise<CallOutcome> {
    return this.call(id, theaterInterface('message-server-client'), 'handle-send', [msg], origin, cause);
  }

  request(id: string, msg: Uint8Array, origin: Origin, cause: Hash | null = null): Promise<CallOutcome> {
    return this.call(
      id,
      theaterInterface('message-server-client'),
      'handle-request',
      [crypto.randomUUID(), msg],
      origin,
      cause,
    );
  }

  /**
   * Stops an actor and its children; its supervisor hears of the exit. `suspend` is the runtime shutting down:
   * the actors are not "stopped" by anyone, so the next run resumes them (children included). `cause`: the
   * supervisor's head when it asked (stop-child), recorded on the stop event.
   */
  async stop(id: string, data: Uint8Array | null = null, suspend = false, cause: Hash | null = null): Promise<void> {
    const a = this.running.get(id);
    if (!a) return;
    for (const child of [...a.children]) await this.stop(child, null, suspend);
    this.running.delete(id);
    await Promise.all(a.servers.map((s) => s.close()));
    this.lease.forgetListeners(id);
    if (a.host.status !== 'starting')
      a.host.recordEvent('stop', suspend ? { reason: 'runtime shutdown' } : { data: data ?? null }, cause);
    // The supervisor's handle-child-exit call is caused by this stop event.
    const stopped = a.host.head.hash;
    await a.host.stop();
    this.updateActor({ id, status: suspend ? 'suspended' : 'stopped' });
    // Stopped means on record: a start right after reads the head this stop event moved. (A writer that failed
    // has already failed every callback waiting on it; the stop itself is done either way.)
    await this.writer.committed().catch(() => {});
    const parent = a.parent ? this.running.get(a.parent) : undefined;
    if (!parent) return;
    parent.children.delete(id);
    if (!suspend && this.supervises(a.parent)) {
      void parent.host.call(
        theaterInterface('supervisor-handlers'),
        'handle-child-exit',
        [id, data ?? undefined],
        'runtime',
        stopped,
      );
    }
  }

  /** Whether this actor handles its children's failures (exports supervisor-handlers). */
  private supervises(id: string | null | undefined): boolean {
    return !!id && !!this.running.get(id)?.host.component.exports.includes(theaterInterface('supervisor-handlers'));
  }

  /** `cause`: the supervisor's head when it asked (restart-child), recorded on the restart event. */
  async restart(id: string, reason = 'restarted by request', cause: Hash | null = null): Promise<void> {
    const a = this.running.get(id);
    if (!a) throw new Error(`no running actor ${id}`);
    await a.host.idle();
    await a.host.restart(reason, cause);
  }

  /** Stops everything and commits what is queued. */
  async close(): Promise<void> {
    const roots = [...this.running.values()].filter((a) => !a.parent || !this.running.has(a.parent));
    for (const a of roots) await this.stop(a.id, null, true);
    this.hostCalls.close();
    await this.workers.close();
    try {
      await this.writer.close();
      this.store.close();
    } finally {
      this.lease.release();
    }
  }

  /** A line in an actor's log, as if the runtime said it about the actor. */
  log(actor: string, msg: string): void {
    this.emit('log', actor, msg);
  }

  /** Display data about an actor, written by the writer thread in order with its entries. */
  private updateActor(info: ActorInfo): void {
    this.writer.upsertActor(info);
  }

  private allocateId(name: string, parent: string | null): string {
    const base = parent ? `${parent}/${name}` : name;
    if (!parent) {
      if (this.running.has(base)) throw new Error(`an actor named ${base} is already running`);
      return base;
    }
    let id = base;
    for (let n = 2; this.running.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  /** The actor is ready: its servers' requests go through to it, and where it listens is announced. */
  private openServers(a: RunningActor, servers: ActorServers): void {
    servers.open(this, a.id);
    for (const l of servers.listeners) this.recordListener(a, l);
  }

  private recordListener(a: RunningActor, l: Listener): void {
    a.listeners.push(l);
    this.lease.recordListener(a.id, l);
    this.emit('listening', a.id, l);
  }

  /** A resumed supervisor gets back the children that were running when its runtime last stopped. */
  private async resumeChildren(a: RunningActor): Promise<void> {
    for (const row of this.store.children(a.id)) {
      if (row.status === 'stopped' || !row.manifest) continue;
      await this.start(row.manifest, { parent: a.id, id: row.id }).catch((e: Error) =>
        this.emit('log', a.id, `could not resume child ${row.id}: ${e.message}`),
      );
    }
  }

  private onFailure(a: RunningActor, err: ActorErrorInfo): void {
    this.emit('failure', a.id, err);
    if (this.supervises(a.parent)) {
      void this.running.get(a.parent!)!.host.call(
        theaterInterface('supervisor-handlers'),
        'handle-child-error',
        [a.id, { kind: err.kind, message: err.message }],
        'runtime',
        // Caused by the child's error entry, now its head.
        a.host.head.hash,
      );
    }
  }

  /**
   * Imports a bundle (see runtime/timetravel/bundle-import.ts) through this runtime's store. A bundle for a branch
   * an actor here is running on lands on a branch of its own: the running actor's next entries are never orphaned.
   */
  async importBundle(file: string, opts: ImportOptions = {}): Promise<ImportResult> {
    const { importBundle } = await import('../timetravel/bundle-import.ts');
    this.writer.flush();
    return importBundle(this.store, file, {
      ...opts,
      live: (actor, branch) => this.running.get(actor)?.branch === branch,
    });
  }

  /**
   * Time travel: the actor continues from entry `hash` on a new branch (fork-1, fork-2, ... or `branchName`), made
   * live; or, when `branchName` is an existing branch whose head is `hash`, on that branch. A running actor is
   * stopped (recorded on its old branch) and resumed on the new one with the state at `hash`. Returns the branch.
   */
  async continueFrom(actorId: string, hash: Hash, branchName?: string): Promise<string> {
    // Loaded lazily: time travel is not on the runtime's start-up path.
    const { forkAt } = await import('../timetravel/fork.ts');
    const a = this.running.get(actorId);
    if (a) {
      await a.host.idle();
      await this.stop(actorId);
      this.writer.flush(); // the stop event must be committed before the store is read for the fork
    }
    const { branch } = forkAt(this.store, hash, branchName, actorId);
    if (a) await this.start(a.manifest, a.parent ? { parent: a.parent } : {});
    return branch;
  }
}

function summary(a: RunningActor): ActorSummary {
  return {
    id: a.id,
    name: a.manifest.name,
    parent: a.parent,
    children: [...a.children],
    status: a.host.status,
    manifest: a.manifest.file,
    component: a.host.component.sha256,
    exports: a.host.component.exports,
    branch: a.branch,
    head: a.host.head.hash ? toHex(a.host.head.hash) : null,
    seq: a.host.head.seq,
    listeners: [...a.listeners],
  };
}
