/**
 * StudioService: the StudioApi over one ActorSystem, in plain Node. Both transports (Electron IPC, the web host's
 * WebSocket) are thin shells around `invoke`, which validates every payload before any method runs, and `onEvent`,
 * which pushes StudioEvents. No Electron and no transport code here.
 */
import { join } from 'node:path';
import { ActorIndex, ActorSystem, toHex, verifyOffThread, type Path } from '../../runtime/index.ts';
import type {
  ActorView,
  BranchView,
  DiffView,
  EntryDetail,
  EntryPage,
  EntryQuery,
  EntryView,
  EventName,
  GraphWindow,
  Hex,
  HttpFire,
  HttpFireResult,
  LogLine,
  LogPage,
  LogQuery,
  MessageFire,
  MessageFireResult,
  OpenResult,
  PathSegment,
  ReplayResultView,
  SavedTestView,
  SaveTestRequest,
  StateView,
  StudioApi,
  StudioEvents,
  UploadedFile,
  VerifyView,
} from '../contract.ts';
import { badRequest, notFound } from './api-error.ts';
import { ChainLookups } from './chain-lookups.ts';
import { ComponentWatcher } from './component-watch.ts';
import { EntryQueries } from './entry-query.ts';
import { entryDetail, entryView, parseHash, requireEntry, stateView } from './entry-views.ts';
import { fireHttp, fireMessage } from './fire.ts';
import { openManifest, RecentManifests, startChild, writeUpload } from './manifests.ts';
import { validateRequest } from './params.ts';
import { RingBuffer } from './ring-buffer.ts';
import * as tt from './time-travel.ts';

export interface StudioServiceOptions {
  /** The Studio's chain database. */
  readonly db: string;
  /** Where recent manifests, uploads and exported bundles live. */
  readonly dataDir: string;
  /** Every actor server on an ephemeral port (tests; several Studios on one machine). */
  readonly ephemeralPorts?: boolean;
  readonly logCapacity?: number;
}

export type StudioEventListener = <E extends EventName>(event: E, payload: StudioEvents[E]) => void;

/** How far back from a branch head requests are served before the index is built: a list page and graph windows. */
const TAIL = 8192;

export class StudioService implements StudioApi {
  readonly system: ActorSystem;
  /** The transports' subscriptions (each gets every event). */
  private readonly listeners = new Set<StudioEventListener>();
  private readonly logRing: RingBuffer<LogLine>;
  private readonly indexes = new Map<string, ActorIndex>();
  private readonly queries: EntryQueries;
  private readonly recent: RecentManifests;
  private readonly watcher: ComponentWatcher;
  private readonly lookups: ChainLookups;
  /** What the user should know about a running actor (ActorView.note), e.g. that it listens on other ports. */
  private readonly notes = new Map<string, string>();

  private constructor(readonly opts: StudioServiceOptions) {
    this.system = ActorSystem.open({ db: opts.db, ephemeralPorts: opts.ephemeralPorts });
    this.logRing = new RingBuffer(opts.logCapacity ?? 5000);
    this.queries = new EntryQueries(this.system.store);
    this.recent = new RecentManifests(join(opts.dataDir, 'recent-manifests.json'));
    this.watcher = new ComponentWatcher((actor, path) => this.emit('componentChanged', { actor, path }));
    this.lookups = new ChainLookups({
      store: this.system.store,
      fullIndex: (actor) => this.fullIndex(actor),
      branchOf: (actor, branch) => this.branchOf(actor, branch),
      entry: async (hash) => {
        const { input: _i, output: _o, effects: _e, causedBy: _c, ...view } = await this.entry({ hash });
        return view;
      },
    });
    this.wire();
  }

  static open(opts: StudioServiceOptions): StudioService {
    return new StudioService(opts);
  }

  /** The one entry point for transports: checks the method name and its params, then runs it. */
  async invoke(method: unknown, params: unknown): Promise<unknown> {
    const req = validateRequest(method, params);
    const fn = this[req.method] as (p: unknown) => Promise<unknown>;
    return fn.call(this, req.params);
  }

  /** Subscribes to every StudioEvent; returns the unsubscribe function. */
  onEvent(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const ix of this.indexes.values()) ix.stop();
    this.watcher.close();
    await this.system.close();
  }

  private emit<E extends EventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  private wire(): void {
    const s = this.system;
    s.on('log', (actor, msg) => this.log(actor, msg));
    s.on('failure', (actor, err) => this.log(actor, `✗ ${err.kind}: ${err.message}`, true));
    s.on('entries', (actor, count, head) => {
      if (!head.hash) return;
      this.emit('entries', {
        actor,
        branch: s.actor(actor)?.branch ?? 'main',
        count,
        head: toHex(head.hash),
        seq: head.seq,
      });
    });
    s.on('status', (actor, status) => {
      const running = s.actor(actor);
      if (status === 'running' && running) this.watcher.watch(actor, running.manifest.componentPath);
      if (status === 'stopped' || !running) this.watcher.unwatch(actor);
      this.emit('actorStatus', { actor, status });
      this.emit('actors', {});
    });
    s.on('listening', () => this.emit('actors', {}));
  }

  private log(actor: string, msg: string, failure = false): void {
    const line: LogLine = { actor, msg, ts: Date.now(), ...(failure ? { failure } : {}) };
    this.logRing.push(line);
    this.emit('log', line);
  }

  /** The actor's index, its build started (in slices: see ActorIndex.build). Refuses unknown actors. */
  private index(actor: string): ActorIndex {
    let ix = this.indexes.get(actor);
    if (!ix) {
      if (!this.system.store.actors().some((a) => a.id === actor)) throw notFound(`no actor ${actor}`);
      ix = new ActorIndex(this.system.store, actor);
      this.indexes.set(actor, ix);
      void ix.build();
    }
    return ix;
  }

  /** The actor's index once it holds the whole chain (filters, positions far from the head). */
  private async fullIndex(actor: string): Promise<ActorIndex> {
    const ix = this.index(actor);
    await ix.build();
    ix.refresh();
    return ix;
  }

  /**
   * The path of `branch` holding positions `from` and after. Until the index is built, positions near the head are
   * read straight from the store (so the Studio opens on the head of a million entries at once); others wait.
   */
  private async pathFrom(actor: string, branch: string, from: number): Promise<Path> {
    const ix = this.index(actor);
    if (!ix.built) {
      const head = this.system.store.head(actor, branch);
      if (head && from > head.seq - TAIL) return ix.tail(head.id, head.seq, head.seq + 1 - Math.max(0, from));
    }
    return (await this.fullIndex(actor)).path(branch);
  }

  /** The actor's branches whose path passes through `e` (its own, and forks made at or after it). */
  private async branchesThrough(e: { readonly id: number; readonly actor: string; readonly seq: number }) {
    const out: string[] = [];
    for (const b of this.system.store.branches(e.actor)) {
      if ((await this.pathFrom(e.actor, b.name, e.seq)).at(e.seq)?.id === e.id) out.push(b.name);
    }
    return out;
  }

  private branchOf(actor: string, branch: string | undefined): string {
    const b = branch ?? this.system.describe(actor)?.branch ?? this.system.store.liveBranch(actor);
    if (!this.system.store.branches(actor).some((x) => x.name === b))
      throw notFound(`actor ${actor} has no branch ${b}`);
    return b;
  }

  // ---- actors ----------------------------------------------------------------------------------------------------

  async openManifest(p: { path: string }): Promise<OpenResult> {
    const r = await openManifest(this.system, p.path, (msg) => this.log('studio', msg));
    if (r.ok) this.opened(r, p.path);
    return r;
  }

  async uploadManifest(p: { manifest: UploadedFile; files: readonly UploadedFile[] }): Promise<OpenResult> {
    const path = writeUpload(join(this.opts.dataDir, 'uploads'), p.manifest, p.files);
    const r = await openManifest(this.system, path, (msg) => this.log('studio', msg));
    if (r.ok) this.opened(r, path);
    return r;
  }

  /** After a manifest opened (by path, upload or drop): it is recent, and what to know about it is kept. */
  private opened(r: Extract<OpenResult, { ok: true }>, path: string): void {
    this.recent.add(this.system.describe(r.actor)?.manifest ?? path);
    if (r.note) this.notes.set(r.actor, r.note);
    else if (!r.alreadyRunning) this.notes.delete(r.actor);
    this.emit('actors', {});
  }

  async recentManifests(_p: Record<string, never>): Promise<readonly string[]> {
    return this.recent.list();
  }

  async listActors(_p: Record<string, never>): Promise<readonly ActorView[]> {
    const store = this.system.store;
    const rows = store.actors();
    const running = new Map(this.system.list().map((a) => [a.id, a]));
    return rows.map((row): ActorView => {
      const r = running.get(row.id);
      if (r) {
        const { branch, ...view } = r;
        const note = this.notes.get(row.id);
        return { ...view, liveBranch: branch, ...(note ? { note } : {}) };
      }
      const head = store.head(row.id, row.liveBranch);
      return {
        id: row.id,
        name: row.id.split('/').at(-1) ?? row.id,
        parent: row.parent,
        children: rows.filter((c) => c.parent === row.id).map((c) => c.id),
        // Not running in this Studio: whatever the store last said, it is not running now.
        status: row.status === 'failed' ? 'failed' : 'stopped',
        manifest: row.manifest ?? '',
        component: row.component ?? '',
        exports: [],
        liveBranch: row.liveBranch,
        head: head ? toHex(head.hash) : null,
        seq: head?.seq ?? -1,
        listeners: [],
      };
    });
  }

  async stopActor(p: { actor: string }): Promise<void> {
    if (!this.system.describe(p.actor)) throw notFound(`no running actor ${p.actor}`);
    await this.system.stop(p.actor);
    this.emit('actors', {});
  }

  async restartActor(p: { actor: string }): Promise<void> {
    if (!this.system.describe(p.actor)) throw notFound(`no running actor ${p.actor}`);
    await this.system.restart(p.actor, 'restarted from the Studio');
  }

  async startActor(p: { actor: string }): Promise<OpenResult> {
    if (this.system.describe(p.actor)) throw badRequest(`${p.actor} is already running`);
    const row = this.system.store.actors().find((a) => a.id === p.actor);
    if (!row) throw notFound(`no actor ${p.actor}`);
    if (!row.manifest) throw badRequest(`${p.actor} has no recorded manifest to start it from`);
    if (!row.parent) return this.openManifest({ path: row.manifest });
    // A supervised child comes back under its supervisor (started first when it is not running).
    if (!this.system.describe(row.parent)) {
      const parent = await this.startActor({ actor: row.parent });
      if (!parent.ok) return parent;
    }
    const r = await startChild(this.system, { id: row.id, parent: row.parent, manifest: row.manifest });
    if (r.ok) this.emit('actors', {});
    return r;
  }

  async logs(p: { actor?: string; limit: number }): Promise<readonly LogLine[]> {
    return this.logRing.last(p.limit, (l) => p.actor === undefined || l.actor === p.actor);
  }

  // ---- the chain -------------------------------------------------------------------------------------------------

  async entries(q: EntryQuery): Promise<EntryPage> {
    this.index(q.actor); // refuses unknown actors
    const branch = this.branchOf(q.actor, q.branch);
    if (EntryQueries.filtered(q)) return this.queries.filteredPage(await this.fullIndex(q.actor), q, branch);
    return this.queries.page(q.actor, await this.pathFrom(q.actor, branch, q.offset), q);
  }

  async entryIndex(p: { actor: string; branch?: string; hash: Hex }): Promise<number> {
    this.index(p.actor);
    const branch = this.branchOf(p.actor, p.branch);
    const e = this.system.store.entry(parseHash(p.hash), p.actor);
    const onPath = e && (await this.pathFrom(p.actor, branch, e.seq)).at(e.seq)?.id === e.id;
    if (!e || !onPath) throw notFound(`entry ${p.hash} is not on that branch of ${p.actor}`);
    return e.seq;
  }

  async entry(p: { hash: Hex }): Promise<EntryDetail> {
    const e = requireEntry(this.system.store, p.hash);
    const path = await this.pathFrom(e.actor, e.branch, e.seq);
    return entryDetail(this.system.store, e, path.at(e.seq)?.noop ?? false);
  }

  async graph(p: { actor: string; branch: string; fromSeq: number; toSeq: number }): Promise<GraphWindow> {
    this.index(p.actor);
    const branch = this.branchOf(p.actor, p.branch);
    return this.queries.graph(p.actor, branch, await this.pathFrom(p.actor, branch, p.fromSeq), p.fromSeq, p.toSeq);
  }

  async stateAt(p: { hash: Hex }): Promise<StateView> {
    // By design every entry carries the state as of it: a lookup, not a recomputation.
    return stateView(this.system.store, requireEntry(this.system.store, p.hash).state);
  }

  async diff(p: { a: Hex; b: Hex }): Promise<DiffView> {
    return tt.diff(this.system, p.a, p.b);
  }

  async diffBranches(p: {
    actor: string;
    a: string;
    b: string;
  }): Promise<DiffView & { readonly mergeBase: Hex | null }> {
    return tt.branchDiff(this.system, p.actor, p.a, p.b);
  }

  async whoWrote(p: { hash: Hex; path: readonly PathSegment[] }): Promise<EntryView | null> {
    const w = await tt.lastWriter(this.system, p.hash, p.path);
    return w ? entryView(this.system.store, w, false) : null;
  }

  async branches(p: { actor: string }): Promise<readonly BranchView[]> {
    const store = this.system.store;
    this.index(p.actor); // refuses unknown actors
    const live = this.system.describe(p.actor)?.branch ?? store.liveBranch(p.actor);
    return store.branches(p.actor).map((b) => {
      const head = b.head ? store.entry(b.head) : undefined;
      const base = b.base ? store.entry(b.base) : undefined;
      return {
        name: b.name,
        head: b.head ? toHex(b.head) : null,
        headSeq: head?.seq ?? -1,
        base: b.base ? toHex(b.base) : null,
        baseSeq: base?.seq ?? null,
        live: b.name === live,
      };
    });
  }

  async fork(p: { actor: string; hash: Hex; name?: string }): Promise<BranchView> {
    // "Continue from here": a running actor is stopped, forked and restarted on the new branch by the runtime.
    const name = await tt.engine(() => this.system.continueFrom(p.actor, parseHash(p.hash), p.name));
    this.emit('actors', {});
    const b = (await this.branches({ actor: p.actor })).find((x) => x.name === name);
    if (!b) throw notFound(`branch ${name} of ${p.actor} vanished`);
    return b;
  }

  async setLiveBranch(p: { actor: string; branch: string }): Promise<void> {
    if (this.system.describe(p.actor)) {
      // A running actor is moved by the runtime (its in-memory head changes): restart it on that branch's head.
      const head = this.system.store.branches(p.actor).find((b) => b.name === p.branch)?.head;
      if (!head) throw notFound(`actor ${p.actor} has no branch ${p.branch} with entries`);
      await tt.engine(() => this.system.continueFrom(p.actor, head, p.branch));
      this.emit('actors', {});
      return;
    }
    try {
      this.system.store.setLiveBranch(p.actor, p.branch);
    } catch (e) {
      throw notFound((e as Error).message);
    }
  }

  async replay(p: { actor: string; branch?: string; componentPath?: string }): Promise<ReplayResultView> {
    this.index(p.actor); // refuses unknown actors with not-found
    return tt.replayView(this.system, p, (done, total) =>
      this.emit('progress', { task: 'replay', actor: p.actor, done, total }),
    );
  }

  async verify(p: { actor?: string }): Promise<VerifyView> {
    const actor = p.actor ?? null;
    await this.system.committed(); // the worker reads through its own connection: commit what is queued first
    const r = await verifyOffThread({ db: this.system.store.path, actor: p.actor }, (done, total) =>
      this.emit('progress', { task: 'verify', actor, done, total }),
    );
    if (!r.ok) {
      // Where the first bad entry sits, so the Studio can mark what follows it as unverified.
      const bad = r.entry ? this.system.store.entry(parseHash(r.entry)) : undefined;
      return {
        ok: false,
        count: r.count,
        entry: r.entry,
        reason: r.reason,
        ...(bad ? { actor: bad.actor, seq: bad.seq, through: await this.branchesThrough(bad) } : {}),
      };
    }
    const head =
      p.actor === undefined
        ? null
        : (r.heads.find((h) => h.actor === p.actor && h.branch === this.system.store.liveBranch(p.actor))?.hash ??
          null);
    // Each branch's head as verified, with its seq: the badge speaks of the branch on screen, not of all of them.
    const branches = r.heads
      .filter((h) => h.actor === p.actor)
      .map((h) => ({
        branch: h.branch,
        head: h.hash,
        seq: h.hash ? (this.system.store.entry(parseHash(h.hash))?.seq ?? -1) : -1,
      }));
    return { ok: true, count: r.count, head, ...(p.actor !== undefined ? { branches } : {}) };
  }

  // ---- injecting inputs ------------------------------------------------------------------------------------------

  async fireHttp(p: HttpFire): Promise<HttpFireResult> {
    return fireHttp(this.system, p);
  }

  async fireMessage(p: MessageFire): Promise<MessageFireResult> {
    return fireMessage(this.system, p);
  }

  // ---- bundles ---------------------------------------------------------------------------------------------------

  async exportBundle(p: {
    actor: string;
    branch?: string;
    withComponent?: boolean;
  }): Promise<{ readonly file: string; readonly bytes: number; readonly downloadUrl?: string }> {
    this.index(p.actor);
    return tt.exportView(this.system, join(this.opts.dataDir, 'bundles'), p);
  }

  async importBundle(p: {
    path?: string;
    upload?: UploadedFile;
  }): Promise<{ readonly actor: string; readonly entries: number }> {
    const r = await tt.importView(this.system, join(this.opts.dataDir, 'imports'), p);
    this.emit('actors', {});
    return r;
  }

  // ---- finding things in the chain (chain-lookups.ts) ------------------------------------------------------------

  async logHistory(p: LogQuery): Promise<LogPage> {
    return this.lookups.logHistory(p);
  }

  async findEntries(p: { prefix: string; limit: number }): Promise<readonly EntryView[]> {
    return this.lookups.findEntries(p);
  }

  async listPosition(p: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }): Promise<number | null> {
    this.index(p.actor); // refuses unknown actors
    const branch = this.branchOf(p.actor, p.branch);
    const e = this.system.store.entry(parseHash(p.hash), p.actor);
    if (!e || (await this.pathFrom(p.actor, branch, e.seq)).at(e.seq)?.id !== e.id) return null;
    const q = { ...p, offset: 0, limit: 1 };
    return EntryQueries.filtered(q) ? this.queries.position(await this.fullIndex(p.actor), q, branch, e.seq) : e.seq;
  }

  async saveTest(p: SaveTestRequest): Promise<SavedTestView> {
    return tt.saveTestView(this.system, p);
  }
}
