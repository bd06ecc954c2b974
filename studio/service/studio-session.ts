/**
 * The Studio as the transports serve it: its own db and actors (StudioService), and, when one is open, a hub's nodes
 * beside them (HubStudio, read-only). A request about a hub actor (`<actor>@<node>`) goes to the hub; one about an
 * entry by hash goes where the entry is (the db first); everything else to the local service. Opening or closing a
 * hub announces `actors`, and the renderer reloads its list.
 */
import { join } from 'node:path';
import type {
  ActorView,
  AttestationView,
  BranchView,
  DbView,
  DiffView,
  EntryDetail,
  EntryPage,
  EntryQuery,
  EntryView,
  LogPage,
  LogQuery,
  EventName,
  GraphWindow,
  Hex,
  HttpFire,
  HttpFireResult,
  HubView,
  LogLine,
  MessageFire,
  MessageFireResult,
  OpenResult,
  PathSegment,
  ReplayResultView,
  StateView,
  StudioApi,
  StudioEvents,
  UploadedFile,
  VerifyView,
  SavedTestView,
  SaveTestRequest,
} from '../contract.ts';
import { badRequest, StudioError } from './api-error.ts';
import { HubStudio, isHubActor } from './hub/hub-studio.ts';
import { validateRequest } from './params.ts';
import type { ServedApi, StudioEventListener } from './served.ts';
import { StudioService, type StudioServiceOptions } from './studio-service.ts';

export interface StudioSessionOptions extends StudioServiceOptions {
  /** A hub to read from the start (`npm start -- --hub postgres://…`). */
  readonly hub?: string;
}

const READ_ONLY = 'hub actors are read-only in the Studio: their node records them';

export class StudioSession implements StudioApi, ServedApi {
  private hubStudio: HubStudio | undefined;
  private readonly listeners = new Set<StudioEventListener>();

  private constructor(
    readonly local: StudioService,
    private readonly opts: StudioSessionOptions,
  ) {
    local.onEvent((event, payload) => this.emit(event, payload));
  }

  static async open(opts: StudioSessionOptions): Promise<StudioSession> {
    const s = new StudioSession(StudioService.open(opts), opts);
    try {
      if (opts.hub) await s.openHub({ url: opts.hub });
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** The one entry point for transports: checks the method name and its params, then runs it. */
  async invoke(method: unknown, params: unknown): Promise<unknown> {
    const req = validateRequest(method, params);
    const fn = this[req.method] as (p: unknown) => Promise<unknown>;
    return fn.call(this, req.params);
  }

  onEvent(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  async close(): Promise<void> {
    await this.hubStudio?.close();
    this.hubStudio = undefined;
    await this.local.close();
  }

  /** The hub an actor id points at, or undefined for a local actor. */
  private hubFor(actor: string | undefined): HubStudio | undefined {
    if (actor === undefined || !isHubActor(actor)) return undefined;
    if (!this.hubStudio) throw badRequest(`${actor} is a hub actor, and no hub is open`);
    return this.hubStudio;
  }

  private readOnly(actor: string): void {
    if (this.hubFor(actor)) throw badRequest(`${actor}: ${READ_ONLY}`);
  }

  /** Where an entry is: the local db first, then the hub. */
  private async byHash<T>(hash: Hex, local: () => Promise<T>, hub: (h: HubStudio) => Promise<T>): Promise<T> {
    try {
      return await local();
    } catch (e) {
      if (!this.hubStudio || !(e instanceof StudioError) || e.code !== 'not-found') throw e;
      if (!(await this.hubStudio.has(hash))) throw e;
      return hub(this.hubStudio);
    }
  }

  // ---- hubs --------------------------------------------------------------------------------------------------------

  async openHub(p: { url: string }): Promise<HubView> {
    let next: HubStudio;
    try {
      next = await HubStudio.open(p.url, (event, payload) => this.emit(event, payload));
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    const previous = this.hubStudio;
    this.hubStudio = next;
    await previous?.close();
    this.emit('actors', {});
    return next.describe();
  }

  async closeHub(_p: Record<string, never>): Promise<void> {
    const h = this.hubStudio;
    this.hubStudio = undefined;
    await h?.close();
    this.emit('actors', {});
  }

  async hub(_p: Record<string, never>): Promise<HubView | null> {
    return this.hubStudio ? this.hubStudio.describe() : null;
  }

  async attestations(p: { actor: string }): Promise<readonly AttestationView[]> {
    return this.hubFor(p.actor)?.attestations(p.actor) ?? [];
  }

  // ---- actors --------------------------------------------------------------------------------------------------------

  openManifest(p: { path: string }): Promise<OpenResult> {
    return this.local.openManifest(p);
  }

  uploadManifest(p: { manifest: UploadedFile; files: readonly UploadedFile[] }): Promise<OpenResult> {
    return this.local.uploadManifest(p);
  }

  recentManifests(p: Record<string, never>): Promise<readonly string[]> {
    return this.local.recentManifests(p);
  }

  /** The Studio's own db and who writes it (a hub is read-only by nature and has no writer here). */
  db(p: Record<string, never>): Promise<DbView> {
    return this.local.db(p);
  }

  async listActors(p: Record<string, never>): Promise<readonly ActorView[]> {
    const local = await this.local.listActors(p);
    return this.hubStudio ? [...local, ...(await this.hubStudio.listActors())] : local;
  }

  async stopActor(p: { actor: string }): Promise<void> {
    this.readOnly(p.actor);
    return this.local.stopActor(p);
  }

  async restartActor(p: { actor: string }): Promise<void> {
    this.readOnly(p.actor);
    return this.local.restartActor(p);
  }

  async startActor(p: { actor: string }): Promise<OpenResult> {
    this.readOnly(p.actor);
    return this.local.startActor(p);
  }

  async logs(p: { actor?: string; limit: number }): Promise<readonly LogLine[]> {
    // A hub holds chains, not logs: what the actor logged is in its entries (runtime#log imports).
    return this.hubFor(p.actor) ? [] : this.local.logs(p);
  }

  // ---- the chain -----------------------------------------------------------------------------------------------------

  entries(p: EntryQuery): Promise<EntryPage> {
    return this.hubFor(p.actor)?.entries(p) ?? this.local.entries(p);
  }

  listPosition(p: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }): Promise<number | null> {
    return this.hubFor(p.actor)?.listPosition(p) ?? this.local.listPosition(p);
  }

  logHistory(p: LogQuery): Promise<LogPage> {
    return this.hubFor(p.actor)?.logHistory(p) ?? this.local.logHistory(p);
  }

  /** A typed hash: the Studio's own db first, then the hub's nodes. */
  async findEntries(p: { prefix: string; limit: number }): Promise<readonly EntryView[]> {
    const local = await this.local.findEntries(p);
    if (!this.hubStudio || local.length >= p.limit) return local;
    return [...local, ...(await this.hubStudio.findEntries({ ...p, limit: p.limit - local.length }))];
  }

  entryIndex(p: { actor: string; branch?: string; hash: Hex }): Promise<number> {
    return this.hubFor(p.actor)?.entryIndex(p) ?? this.local.entryIndex(p);
  }

  entry(p: { hash: Hex; actor?: string }): Promise<EntryDetail> {
    const hub = this.hubFor(p.actor);
    if (hub) return hub.entry(p);
    return this.byHash(
      p.hash,
      () => this.local.entry(p),
      (h) => h.entry(p),
    );
  }

  graph(p: { actor: string; branch: string; fromSeq: number; toSeq: number }): Promise<GraphWindow> {
    return this.hubFor(p.actor)?.graph(p) ?? this.local.graph(p);
  }

  stateAt(p: { hash: Hex }): Promise<StateView> {
    return this.byHash(
      p.hash,
      () => this.local.stateAt(p),
      (h) => h.stateAt(p),
    );
  }

  diff(p: { a: Hex; b: Hex }): Promise<DiffView> {
    return this.byHash(
      p.a,
      () => this.local.diff(p),
      (h) => h.diff(p),
    );
  }

  diffBranches(p: { actor: string; a: string; b: string }): Promise<DiffView & { readonly mergeBase: Hex | null }> {
    return this.hubFor(p.actor)?.diffBranches(p) ?? this.local.diffBranches(p);
  }

  whoWrote(p: { hash: Hex; path: readonly PathSegment[] }): Promise<EntryView | null> {
    return this.byHash(
      p.hash,
      () => this.local.whoWrote(p),
      (h) => h.whoWrote(p),
    );
  }

  branches(p: { actor: string }): Promise<readonly BranchView[]> {
    return this.hubFor(p.actor)?.branches(p) ?? this.local.branches(p);
  }

  async fork(p: { actor: string; hash: Hex; name?: string }): Promise<BranchView> {
    this.readOnly(p.actor);
    return this.local.fork(p);
  }

  async setLiveBranch(p: { actor: string; branch: string }): Promise<void> {
    this.readOnly(p.actor);
    return this.local.setLiveBranch(p);
  }

  replay(p: { actor: string; branch?: string; componentPath?: string }): Promise<ReplayResultView> {
    const hub = this.hubFor(p.actor);
    if (!hub) return this.local.replay(p);
    return hub.replay(p, (done, total) => this.emit('progress', { task: 'replay', actor: p.actor, done, total }));
  }

  verify(p: { actor?: string }): Promise<VerifyView> {
    const hub = this.hubFor(p.actor);
    if (!hub) return this.local.verify(p);
    const actor = p.actor!;
    return hub.verify(actor, (done, total) => this.emit('progress', { task: 'verify', actor, done, total }));
  }

  // ---- injecting inputs ------------------------------------------------------------------------------------------

  async fireHttp(p: HttpFire): Promise<HttpFireResult> {
    this.readOnly(p.actor);
    return this.local.fireHttp(p);
  }

  async fireMessage(p: MessageFire): Promise<MessageFireResult> {
    this.readOnly(p.actor);
    return this.local.fireMessage(p);
  }

  // ---- bundles ---------------------------------------------------------------------------------------------------

  exportBundle(p: {
    actor: string;
    branch?: string;
    withComponent?: boolean;
  }): Promise<{ readonly file: string; readonly bytes: number; readonly downloadUrl?: string }> {
    const hub = this.hubFor(p.actor);
    return hub ? hub.exportBundle(join(this.opts.dataDir, 'bundles'), p) : this.local.exportBundle(p);
  }

  importBundle(p: {
    path?: string;
    upload?: UploadedFile;
  }): Promise<{ readonly actor: string; readonly branch: string; readonly entries: number }> {
    return this.local.importBundle(p);
  }

  /** Local actors only: a test names the build beside the actor's manifest, which is on the hub actor's node. */
  async saveTest(p: SaveTestRequest): Promise<SavedTestView> {
    if (this.hubFor(p.actor))
      throw badRequest(`${p.actor}: Save as test works on local actors (export the bundle of a hub actor instead)`);
    return this.local.saveTest(p);
  }
}
