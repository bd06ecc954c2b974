/**
 * StudioService: the StudioApi over one chain db, in plain Node. It reads through a read-only connection and runs
 * actors (writing) only while it holds the db's writer lease (db-access.ts); while another process writes the db it
 * watches it (db-watch.ts). Both transports (Electron IPC, the web host's WebSocket) are thin shells around
 * `invoke`, which validates every payload before any method runs, and `onEvent`, which pushes StudioEvents. No
 * Electron and no transport code here.
 */
import { join } from 'node:path';
import {
  type ActorSummary,
  type ActorSystem,
  type ChainStore,
  forkAt,
  importBundle,
  replay,
  SqliteReader,
  toHex,
  verifyOffThread,
} from '../../runtime/index.ts';
import type {
  ActorView,
  BranchView,
  DbView,
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
  StudioEvents,
  UploadedFile,
  VerifyView,
} from '../contract.ts';
import { badRequest, notFound, readOnly } from './api-error.ts';
import { ChainViews } from './chain-views.ts';
import { ComponentWatcher } from './component-watch.ts';
import { DbAccess } from './db-access.ts';
import { DbWatch } from './db-watch.ts';
import { WatchedLogs } from './watched-logs.ts';
import { parseHash } from './entry-views.ts';
import { fireHttp, fireMessage } from './fire.ts';
import { fireHttpAt, fireMessageAt } from './fire-remote.ts';
import { openManifest, RecentManifests, startChild, writeUpload } from './manifests.ts';
import { validateRequest } from './params.ts';
import { HUB_METHODS, type HubMethod, type LocalApi, type StudioEventListener } from './served.ts';
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
  /** How this Studio names itself to other would-be writers of the db (default: its command line). */
  readonly writer?: string;
}

export type { StudioEventListener };

const isHubMethod = (m: string): m is HubMethod => (HUB_METHODS as readonly string[]).includes(m);

export class StudioService implements LocalApi {
  private readonly access: DbAccess;
  /** The Studio's read connection: every query goes through it. */
  readonly store: ChainStore;
  private readonly dbWatch: DbWatch;
  private readonly watchedLogs: WatchedLogs;
  private lastDb = '';
  /** The transports' subscriptions (each gets every event). */
  private readonly listeners = new Set<StudioEventListener>();
  private readonly logRing: RingBuffer<LogLine>;
  /** Every read of the chain, through the read connection: the same code the hub Studio runs per node. */
  private readonly views: ChainViews;
  private readonly recent: RecentManifests;
  private readonly watcher: ComponentWatcher;
  /** What the user should know about a running actor (ActorView.note), e.g. that it listens on other ports. */
  private readonly notes = new Map<string, string>();

  private constructor(readonly opts: StudioServiceOptions) {
    this.access = new DbAccess({
      db: opts.db,
      ephemeralPorts: opts.ephemeralPorts,
      writer: opts.writer ?? `Theater Studio (${process.argv.slice(1).join(' ')})`,
      onRuntime: (system) => this.wire(system),
      onWriterChange: () => this.emitDb(),
    });
    this.store = this.access.store;
    this.logRing = new RingBuffer(opts.logCapacity ?? 5000);
    this.views = new ChainViews(SqliteReader.of(this.store));
    this.watchedLogs = new WatchedLogs(this.store);
    this.recent = new RecentManifests(join(opts.dataDir, 'recent-manifests.json'));
    this.watcher = new ComponentWatcher((actor, path) => this.emit('componentChanged', { actor, path }));
    this.dbWatch = new DbWatch(this.store, (id) => this.running(id) !== undefined, {
      entries: (e, afterId) => {
        this.emit('entries', e);
        // Its runtime prints the log in its own terminal: here it is read back from what it committed.
        for (const line of this.watchedLogs.after(e.actor, afterId)) this.log(e.actor, line);
      },
      actors: () => this.emit('actors', {}),
      writer: () => this.emitDb(),
    });
    this.lastDb = JSON.stringify(this.access.view());
  }

  /** The runtime while this Studio runs actors (it holds the db's writer lease then). */
  get system(): ActorSystem | undefined {
    return this.access.runtime;
  }

  /** An actor this Studio runs. */
  private running(actor: string): ActorSummary | undefined {
    return this.access.runtime?.describe(actor);
  }

  static open(opts: StudioServiceOptions): StudioService {
    return new StudioService(opts);
  }

  /** The one entry point for transports: checks the method name and its params, then runs it. */
  async invoke(method: unknown, params: unknown): Promise<unknown> {
    const req = validateRequest(method, params);
    if (isHubMethod(req.method)) throw badRequest(`${req.method}: hubs are opened by the Studio's session`);
    const fn = this[req.method] as (p: unknown) => Promise<unknown>;
    return fn.call(this, req.params);
  }

  /** Subscribes to every StudioEvent; returns the unsubscribe function. */
  onEvent(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.views.stop();
    this.watcher.close();
    this.dbWatch.stop();
    await this.access.close();
  }

  /** Who writes the db, pushed when it changes (with the actors, whose statuses and ports depend on it). */
  private emitDb(): void {
    const view = this.access.view();
    const key = JSON.stringify(view);
    if (key === this.lastDb) return;
    this.lastDb = key;
    this.emit('db', view);
    this.emit('actors', {});
  }

  private emit<E extends EventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  private wire(s: ActorSystem): void {
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

  /** The branch a request means: the one named, else the one the actor runs on here (or its live one). */
  private async branchOf(actor: string, branch: string | undefined): Promise<string> {
    await this.views.index(actor); // refuses unknown actors
    return this.views.branchOf(actor, branch ?? this.running(actor)?.branch);
  }

  // ---- actors ----------------------------------------------------------------------------------------------------

  async openManifest(p: { path: string }): Promise<OpenResult> {
    const system = await this.access.runtimeForStart('start an actor');
    const r = await openManifest(system, p.path, (msg) => this.log('studio', msg));
    if (r.ok) this.opened(system, r, p.path);
    else await this.access.releaseIfIdle();
    return r;
  }

  async uploadManifest(p: { manifest: UploadedFile; files: readonly UploadedFile[] }): Promise<OpenResult> {
    const system = await this.access.runtimeForStart('start an actor');
    const path = writeUpload(join(this.opts.dataDir, 'uploads'), p.manifest, p.files);
    const r = await openManifest(system, path, (msg) => this.log('studio', msg));
    if (r.ok) this.opened(system, r, path);
    else await this.access.releaseIfIdle();
    return r;
  }

  /** After a manifest opened (by path, upload or drop): it is recent, and what to know about it is kept. */
  private opened(system: ActorSystem, r: Extract<OpenResult, { ok: true }>, path: string): void {
    this.recent.add(system.describe(r.actor)?.manifest ?? path);
    if (r.note) this.notes.set(r.actor, r.note);
    else if (!r.alreadyRunning) this.notes.delete(r.actor);
    this.emit('actors', {});
  }

  async recentManifests(_p: Record<string, never>): Promise<readonly string[]> {
    return this.recent.list();
  }

  async db(_p: Record<string, never>): Promise<DbView> {
    return this.access.view();
  }

  async listActors(_p: Record<string, never>): Promise<readonly ActorView[]> {
    const store = this.store;
    const rows = store.actors();
    const running = new Map((this.system?.list() ?? []).map((a) => [a.id, a]));
    // Another process writes: what the store says of its actors is current (it keeps it so), and it announced ports.
    const other = this.access.view().readOnly;
    const ports = other ? store.listeners() : [];
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
        // Running only if its writer lives and says so: a row saying "running" outlives a kill -9.
        status: row.status === 'failed' ? 'failed' : other && row.status === 'running' ? 'running' : 'stopped',
        manifest: row.manifest ?? '',
        component: row.component ?? '',
        exports: [],
        liveBranch: row.liveBranch,
        head: head ? toHex(head.hash) : null,
        seq: head?.seq ?? -1,
        listeners: ports.filter((l) => l.actor === row.id).map((l) => ({ kind: l.kind, host: l.host, port: l.port })),
      };
    });
  }

  /** The runtime running `actor` here, or a clear refusal: read-only (another process writes), or not running. */
  private runtimeOf(actor: string, what: string): ActorSystem {
    const system = this.system;
    if (system?.describe(actor)) return system;
    this.access.assertWritable(what);
    throw notFound(`no running actor ${actor}`);
  }

  async stopActor(p: { actor: string }): Promise<void> {
    await this.runtimeOf(p.actor, `stop ${p.actor}`).stop(p.actor);
    await this.access.releaseIfIdle();
    this.emit('actors', {});
  }

  async restartActor(p: { actor: string }): Promise<void> {
    await this.runtimeOf(p.actor, `restart ${p.actor}`).restart(p.actor, 'restarted from the Studio');
  }

  async startActor(p: { actor: string }): Promise<OpenResult> {
    if (this.running(p.actor)) throw badRequest(`${p.actor} is already running`);
    this.access.assertWritable(`start ${p.actor}`);
    const row = this.store.actors().find((a) => a.id === p.actor);
    if (!row) throw notFound(`no actor ${p.actor}`);
    if (!row.manifest) throw badRequest(`${p.actor} has no recorded manifest to start it from`);
    if (!row.parent) return this.openManifest({ path: row.manifest });
    // A supervised child comes back under its supervisor (started first when it is not running).
    if (!this.running(row.parent)) {
      const parent = await this.startActor({ actor: row.parent });
      if (!parent.ok) return parent;
    }
    const system = await this.access.runtimeForStart(`start ${p.actor}`);
    const r = await startChild(system, { id: row.id, parent: row.parent, manifest: row.manifest });
    if (r.ok) this.emit('actors', {});
    return r;
  }

  async logs(p: { actor?: string; limit: number }): Promise<readonly LogLine[]> {
    return this.logRing.last(p.limit, (l) => p.actor === undefined || l.actor === p.actor);
  }

  // ---- the chain -------------------------------------------------------------------------------------------------

  async entries(q: EntryQuery): Promise<EntryPage> {
    return this.views.entries(q, await this.branchOf(q.actor, q.branch));
  }

  async entryIndex(p: { actor: string; branch?: string; hash: Hex }): Promise<number> {
    return this.views.entryIndex(p.actor, await this.branchOf(p.actor, p.branch), p.hash);
  }

  async entry(p: { hash: Hex; actor?: string }): Promise<EntryDetail> {
    return this.views.entry(p.hash, p.actor);
  }

  async graph(p: { actor: string; branch: string; fromSeq: number; toSeq: number }): Promise<GraphWindow> {
    return this.views.graph(p.actor, await this.branchOf(p.actor, p.branch), p.fromSeq, p.toSeq);
  }

  async stateAt(p: { hash: Hex }): Promise<StateView> {
    return this.views.stateAt(p.hash);
  }

  async diff(p: { a: Hex; b: Hex }): Promise<DiffView> {
    return this.views.diff(p.a, p.b);
  }

  async diffBranches(p: {
    actor: string;
    a: string;
    b: string;
  }): Promise<DiffView & { readonly mergeBase: Hex | null }> {
    return this.views.diffBranches(p.actor, p.a, p.b);
  }

  async whoWrote(p: { hash: Hex; path: readonly PathSegment[] }): Promise<EntryView | null> {
    return this.views.whoWrote(p.hash, p.path);
  }

  async branches(p: { actor: string }): Promise<readonly BranchView[]> {
    await this.views.index(p.actor); // refuses unknown actors
    const live = this.running(p.actor)?.branch ?? this.store.liveBranch(p.actor);
    return this.views.branches(p.actor, live);
  }

  async fork(p: { actor: string; hash: Hex; name?: string }): Promise<BranchView> {
    // "Continue from here": a running actor is stopped, forked and restarted on the new branch by the runtime; a
    // stopped one just gets its new live branch.
    const name = await tt.engine(() =>
      this.access.write(`fork ${p.actor}`, (store, system) =>
        system?.describe(p.actor)
          ? system.continueFrom(p.actor, parseHash(p.hash), p.name)
          : forkAt(store, parseHash(p.hash), p.name, p.actor).branch,
      ),
    );
    this.emit('actors', {});
    const b = (await this.branches({ actor: p.actor })).find((x) => x.name === name);
    if (!b) throw notFound(`branch ${name} of ${p.actor} vanished`);
    return b;
  }

  async setLiveBranch(p: { actor: string; branch: string }): Promise<void> {
    await this.access.write(`switch ${p.actor}'s live branch`, async (store, system) => {
      if (system?.describe(p.actor)) {
        // A running actor is moved by the runtime (its in-memory head changes): restart it on that branch's head.
        const head = store.branches(p.actor).find((b) => b.name === p.branch)?.head;
        if (!head) throw notFound(`actor ${p.actor} has no branch ${p.branch} with entries`);
        await tt.engine(() => system.continueFrom(p.actor, head, p.branch));
        return;
      }
      try {
        store.setLiveBranch(p.actor, p.branch);
      } catch (e) {
        throw notFound((e as Error).message);
      }
    });
    this.emit('actors', {});
  }

  async replay(p: { actor: string; branch?: string; componentPath?: string }): Promise<ReplayResultView> {
    await this.views.index(p.actor); // refuses unknown actors with not-found
    await this.system?.committed(); // the replay worker reads through its own connection: commit what is queued
    const req = { db: this.store.path, actor: p.actor, branch: p.branch, component: p.componentPath };
    return tt.replayView(() =>
      replay(req, (done, total) => this.emit('progress', { task: 'replay', actor: p.actor, done, total })),
    );
  }

  async verify(p: { actor?: string }): Promise<VerifyView> {
    const actor = p.actor ?? null;
    await this.system?.committed(); // the worker reads through its own connection: commit what is queued first
    const r = await verifyOffThread({ db: this.store.path, actor: p.actor }, (done, total) =>
      this.emit('progress', { task: 'verify', actor, done, total }),
    );
    if (!r.ok) {
      // Where the first bad entry sits, so the Studio can mark what follows it as unverified.
      const bad = r.entry ? this.store.entry(parseHash(r.entry)) : undefined;
      return {
        ok: false,
        count: r.count,
        entry: r.entry,
        reason: r.reason,
        ...(bad ? { actor: bad.actor, seq: bad.seq, through: await this.views.branchesThrough(bad) } : {}),
      };
    }
    const head =
      p.actor === undefined
        ? null
        : (r.heads.find((h) => h.actor === p.actor && h.branch === this.store.liveBranch(p.actor))?.hash ?? null);
    // Each branch's head as verified, with its seq: the badge speaks of the branch on screen, not of all of them.
    const branches = r.heads
      .filter((h) => h.actor === p.actor)
      .map((h) => ({
        branch: h.branch,
        head: h.hash,
        seq: h.hash ? (this.store.entry(parseHash(h.hash))?.seq ?? -1) : -1,
      }));
    return { ok: true, count: r.count, head, ...(p.actor !== undefined ? { branches } : {}) };
  }

  // ---- injecting inputs ------------------------------------------------------------------------------------------

  async fireHttp(p: HttpFire): Promise<HttpFireResult> {
    const system = this.system;
    if (system?.describe(p.actor)) return fireHttp(system, p);
    return fireHttpAt(this.store, this.writersPort(p.actor, 'http-server'), p);
  }

  async fireMessage(p: MessageFire): Promise<MessageFireResult> {
    const system = this.system;
    if (system?.describe(p.actor)) return fireMessage(system, p);
    return fireMessageAt(this.store, this.writersPort(p.actor, 'message-server'), p);
  }

  /** The port another process's actor listens on, as that process announced it (firing goes there). */
  private writersPort(actor: string, kind: 'http-server' | 'message-server') {
    const view = this.access.view();
    if (!view.readOnly) throw notFound(`no running actor ${actor}`);
    const l = this.store.listeners().find((x) => x.actor === actor && x.kind === kind);
    if (l) return l;
    const who = view.writer ? `pid ${view.writer.pid} (${view.writer.command})` : 'another process';
    throw readOnly(
      `${actor} runs in ${who}, which announced no ${kind === 'http-server' ? 'HTTP' : 'message'} port for it: ` +
        'the Studio can only reach it through a port',
    );
  }

  // ---- bundles ---------------------------------------------------------------------------------------------------

  async exportBundle(p: {
    actor: string;
    branch?: string;
    withComponent?: boolean;
  }): Promise<{ readonly file: string; readonly bytes: number; readonly downloadUrl?: string }> {
    await this.views.index(p.actor);
    await this.system?.committed();
    return this.views.exportBundle(join(this.opts.dataDir, 'bundles'), p.actor, p);
  }

  async importBundle(p: {
    path?: string;
    upload?: UploadedFile;
  }): Promise<{ readonly actor: string; readonly branch: string; readonly entries: number }> {
    const r = await tt.importView(join(this.opts.dataDir, 'imports'), p, (file) =>
      this.access.write('import a bundle', (store, system) =>
        system ? system.importBundle(file) : importBundle(store, file),
      ),
    );
    this.emit('actors', {});
    return r;
  }

  // ---- finding things in the chain -------------------------------------------------------------------------------

  async logHistory(p: LogQuery): Promise<LogPage> {
    return this.views.logHistory(p, await this.branchOf(p.actor, p.branch));
  }

  async findEntries(p: { prefix: string; limit: number }): Promise<readonly EntryView[]> {
    return this.views.findEntries(p.prefix, p.limit);
  }

  async listPosition(p: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }): Promise<number | null> {
    return this.views.listPosition(p, await this.branchOf(p.actor, p.branch));
  }

  async saveTest(p: SaveTestRequest): Promise<SavedTestView> {
    return tt.saveTestView(this.system, this.store, p);
  }
}
