/**
 * The StudioApi contract: every request the renderer can make and every event it can receive, declared once.
 * Types and constants only — imported by the service, the web host, electron/main, electron/preload and the
 * renderer. Both transports (Electron IPC, the web host's WebSocket) are generated from METHODS and EVENTS below;
 * nothing else may name a channel.
 *
 * Rules: hashes are lowercase hex strings; payloads and states travel as display JSON (bytes that are UTF-8 JSON
 * become that JSON, other bytes {hex}); lists are paged — never a whole chain or whole states per event.
 */

export type Hex = string;

/** Kinds in this order: GraphWindow.kinds holds indexes into it. (The runtime's ENTRY_KINDS; checked equal.) */
export const KIND_ORDER = ['call', 'return', 'error', 'import', 'event'] as const;
export type EntryKind = (typeof KIND_ORDER)[number];
export const ORIGINS = ['runtime', 'http', 'message-port', 'actor', 'studio', 'cli'] as const;
export type Origin = (typeof ORIGINS)[number];
export const ACTOR_STATUSES = ['starting', 'running', 'stopped', 'failed'] as const;
export type ActorStatus = (typeof ACTOR_STATUSES)[number];

export interface ListenerView {
  readonly kind: 'http-server' | 'message-server';
  readonly host: string;
  readonly port: number;
}

export interface ActorView {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
  readonly children: readonly string[];
  readonly status: ActorStatus;
  readonly manifest: string;
  /** sha256 hex of the component. */
  readonly component: string;
  readonly exports: readonly string[];
  readonly liveBranch: string;
  readonly head: Hex | null;
  readonly seq: number;
  readonly listeners: readonly ListenerView[];
  /** Something about how it runs that the user should know (e.g. its manifest's port was taken). */
  readonly note?: string;
  /** Actors read from a hub: the node whose chain it is (their ids are `<actor>@<node>`; they are read-only). */
  readonly node?: string;
}

/** One row of the entry list / one node of the graph: small, no payloads. */
export interface EntryView {
  readonly hash: Hex;
  readonly parent: Hex | null;
  readonly actor: string;
  readonly seq: number;
  readonly kind: EntryKind;
  readonly iface: string;
  readonly fn: string;
  readonly origin: Origin | null;
  readonly cause: Hex | null;
  readonly state: Hex | null;
  readonly branch: string;
  readonly ts: number;
  /** One line: what was called with what, or what came back. */
  readonly summary: string;
  /** For `return` entries: the call changed nothing anywhere (same state, and no message or order to another actor). */
  readonly noop: boolean;
}

/** The selected entry, with its payloads decoded for display. */
export interface EntryDetail extends EntryView {
  readonly input: unknown;
  readonly output: unknown;
  /** Entries in other actors this one caused: the call a send/request started, a spawned/stopped/restarted child's
   * event, a supervisor's handle-child-error/exit call. */
  readonly effects: readonly { readonly actor: string; readonly hash: Hex }[];
  /** The entry in another actor that caused this one (a send/request/spawn/…-child import, a child's error or stop). */
  readonly causedBy: { readonly actor: string; readonly hash: Hex } | null;
}

export interface StateView {
  readonly hash: Hex | null;
  readonly size: number;
  /** Present when the state is UTF-8 JSON. */
  readonly json?: unknown;
  /** Present when it is not. */
  readonly hex?: string;
}

export type PathSegment = string | number;

export interface DiffChange {
  readonly op: 'added' | 'removed' | 'changed';
  readonly path: readonly PathSegment[];
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface DiffView {
  readonly a: Hex;
  readonly b: Hex;
  /** JSON states: the structured changes. */
  readonly changes?: readonly DiffChange[];
  /** Non-JSON states: a unified text diff. */
  readonly text?: string;
  readonly identical: boolean;
}

export interface BranchView {
  readonly name: string;
  readonly head: Hex | null;
  readonly headSeq: number;
  /** The fork point (null for main) and its seq. */
  readonly base: Hex | null;
  readonly baseSeq: number | null;
  readonly live: boolean;
}

export interface EntryQuery {
  readonly actor: string;
  readonly branch?: string;
  /** Index in the filtered list (0 = first entry of the branch, root first). */
  readonly offset: number;
  readonly limit: number;
  readonly kinds?: readonly EntryKind[];
  readonly iface?: string;
  readonly fn?: string;
  /** Full-text search in decoded payloads. */
  readonly search?: string;
  readonly hideNoops?: boolean;
}

export interface EntryPage {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly EntryView[];
}

/** The graph of one actor: lanes for branches, kinds packed per seq so a million entries stay cheap. */
export interface GraphWindow {
  readonly actor: string;
  readonly branch: string;
  readonly fromSeq: number;
  /** kinds[i] is the kind of the entry at seq fromSeq + i on that branch's path, as an index into KIND_ORDER. */
  readonly kinds: readonly number[];
  readonly hashes: readonly Hex[];
}

/** The component a replay ran: which file, which build (sha256), and whether it is the one that recorded. */
export interface ReplayBuild {
  readonly path: string;
  readonly sha256: string;
  readonly recorded: boolean;
  /** In `builds`: the seq from which this build replayed the chain. */
  readonly from?: number;
}

export type ReplayResultView =
  | {
      readonly status: 'verified';
      readonly count: number;
      readonly head: Hex;
      readonly build?: ReplayBuild;
      /** Every build, each from the entry where it took over, when the chain was recorded by more than one. */
      readonly builds?: readonly ReplayBuild[];
    }
  | {
      readonly status: 'diverged';
      readonly build?: ReplayBuild;
      readonly builds?: readonly ReplayBuild[];
      readonly index: number;
      /** The recorded entry where replay produced something else. */
      readonly entry: Hex;
      readonly seq: number;
      readonly expected: {
        readonly iface: string;
        readonly fn: string;
        readonly kind: EntryKind;
        readonly input: unknown;
        readonly output: unknown;
      };
      readonly got: {
        readonly iface: string;
        readonly fn: string;
        readonly kind: EntryKind;
        readonly input: unknown;
        readonly output: unknown;
      };
      readonly stateDiff: DiffView | null;
    }
  | { readonly status: 'failed'; readonly message: string };

export type VerifyView =
  | {
      readonly ok: true;
      /** Entries checked: every branch of the actor (of the whole db without one). */
      readonly count: number;
      readonly head: Hex | null;
      /** Each branch of the actor as verified: its head and that head's seq. */
      readonly branches?: readonly { readonly branch: string; readonly head: Hex | null; readonly seq: number }[];
    }
  | {
      readonly ok: false;
      readonly count: number;
      readonly entry: Hex | null;
      readonly reason: string;
      /** Where the first bad entry is: everything recorded after it on its path is unverified. */
      readonly actor?: string;
      readonly seq?: number;
      /** The actor's branches whose path passes through the bad entry: their entries from `seq` on are unverified. */
      readonly through?: readonly string[];
    };

export interface HttpFire {
  readonly actor: string;
  readonly method: string;
  /** Path and query, e.g. "/increment". */
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
}

export interface HttpFireResult {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  readonly ms: number;
  /** The entries this request produced (call … return/error), in order. */
  readonly entries: readonly Hex[];
}

export interface MessageFire {
  readonly actor: string;
  readonly kind: 'send' | 'request';
  /** JSON text; validated by the service too. */
  readonly json: string;
}

export interface MessageFireResult {
  readonly ok: boolean;
  readonly response?: unknown;
  readonly error?: string;
  readonly ms: number;
  readonly entries: readonly Hex[];
}

/** The process that writes the Studio's db: one process at a time holds a db's writer lease. */
export interface WriterView {
  readonly pid: number;
  readonly host: string;
  /** What it is, e.g. `theater run counter/manifest.toml --db chain.db`. */
  readonly command: string;
  /** ms since the epoch when it started writing. */
  readonly since: number;
  /** This Studio (it is running actors of this db). */
  readonly self: boolean;
}

export interface DbView {
  readonly path: string;
  /**
   * Another process writes the db: the Studio watches it (its commits show up live) and refuses whatever would
   * write (start, stop, restart, fork, import, switching the live branch); requests fired go to the actors' ports.
   */
  readonly readOnly: boolean;
  /** Who writes it now; null when nobody does (or, when readOnly, a writer that does not say who it is). */
  readonly writer: WriterView | null;
}

/** A manifest or component that could not be loaded: where, and what to change. */
export interface LoadErrorView {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly hint?: string;
}

export type OpenResult =
  | {
      readonly ok: true;
      readonly actor: string;
      /** The manifest's actor was running already: this is it, nothing was started. */
      readonly alreadyRunning?: boolean;
      /** What the user should know about how it started (e.g. on other ports than the manifest's). */
      readonly note?: string;
    }
  | { readonly ok: false; readonly error: LoadErrorView };

export interface UploadedFile {
  readonly name: string;
  readonly base64: string;
}

export interface LogLine {
  readonly actor: string;
  readonly msg: string;
  readonly ts: number;
  /** An actor's failure (a trap, a timeout, …), said by the runtime rather than logged by the actor: the Studio
   * shows it as a notice whichever actor is on screen (the actor's own lines are read from its chain). */
  readonly failure?: boolean;
}

/** A chain hub on PostgreSQL the Studio reads (docs/hub.md). */
export interface HubView {
  /** The URL without its password. */
  readonly url: string;
  readonly nodes: readonly HubNodeView[];
}

export interface HubNodeView {
  readonly name: string;
  /** Fingerprint of the node's Ed25519 public key as the hub registered it. */
  readonly key: string;
  /** ms since epoch; null: never shipped. */
  readonly lastSeen: number | null;
  readonly actors: number;
}

/** "Node X replayed this actor's branch through head H: verified" (or how it failed), signed by X. */
export interface AttestationView {
  readonly attester: string;
  readonly branch: string;
  readonly head: Hex;
  readonly seq: number;
  readonly verdict: 'verified' | 'diverged' | 'failed';
  readonly detail: string;
  /** The attester's signature of its statement holds (under its key as the hub registered it). */
  readonly signed: boolean;
  /** ms since epoch. */
  readonly at: number;
}

/** "Save as test": a range of a branch (or all of it) written as a chain test that `theater test` runs. */
export interface SaveTestRequest {
  readonly actor: string;
  readonly branch?: string;
  /** Ends of the range, in either order (widened to whole calls); both absent: the whole branch. */
  readonly from?: Hex;
  readonly to?: Hex;
  /** The folder to write into; default: theater-tests/ beside the actor's manifest. */
  readonly dir?: string;
  readonly name?: string;
  /** Replace a test of the same name (its manifest and bundle); without it, an existing one is an error. */
  readonly overwrite?: boolean;
}

export interface SavedTestView {
  /** The test manifest (.test.json) and its bundle, as absolute paths. */
  readonly file: string;
  readonly bundle: string;
  readonly entries: number;
  readonly fromSeq: number;
  readonly toSeq: number;
}

/** Every request: method name → (params) → result. */
export interface StudioApi {
  openManifest(p: { path: string }): Promise<OpenResult>;
  /** Web: a manifest and the files it references, dropped or picked in the browser. */
  uploadManifest(p: { manifest: UploadedFile; files: readonly UploadedFile[] }): Promise<OpenResult>;
  recentManifests(p: Record<string, never>): Promise<readonly string[]>;
  /** The db and who writes it. */
  db(p: Record<string, never>): Promise<DbView>;
  listActors(p: Record<string, never>): Promise<readonly ActorView[]>;
  stopActor(p: { actor: string }): Promise<void>;
  restartActor(p: { actor: string }): Promise<void>;
  startActor(p: { actor: string }): Promise<OpenResult>;
  logs(p: { actor?: string; limit: number }): Promise<readonly LogLine[]>;

  entries(p: EntryQuery): Promise<EntryPage>;
  /** Position of an entry in the unfiltered branch list, for jumping to it. */
  entryIndex(p: { actor: string; branch?: string; hash: Hex }): Promise<number>;
  /** `actor`: prefer that actor's entry (identical histories on two hub nodes share hashes). */
  entry(p: { hash: Hex; actor?: string }): Promise<EntryDetail>;
  graph(p: { actor: string; branch: string; fromSeq: number; toSeq: number }): Promise<GraphWindow>;
  stateAt(p: { hash: Hex }): Promise<StateView>;
  diff(p: { a: Hex; b: Hex }): Promise<DiffView>;
  diffBranches(p: { actor: string; a: string; b: string }): Promise<DiffView & { readonly mergeBase: Hex | null }>;
  whoWrote(p: { hash: Hex; path: readonly PathSegment[] }): Promise<EntryView | null>;

  branches(p: { actor: string }): Promise<readonly BranchView[]>;
  fork(p: { actor: string; hash: Hex; name?: string }): Promise<BranchView>;
  setLiveBranch(p: { actor: string; branch: string }): Promise<void>;
  replay(p: { actor: string; branch?: string; componentPath?: string }): Promise<ReplayResultView>;
  verify(p: { actor?: string }): Promise<VerifyView>;

  fireHttp(p: HttpFire): Promise<HttpFireResult>;
  fireMessage(p: MessageFire): Promise<MessageFireResult>;

  exportBundle(p: {
    actor: string;
    branch?: string;
    withComponent?: boolean;
  }): Promise<{ readonly file: string; readonly bytes: number; readonly downloadUrl?: string }>;
  /** Imports onto the bundle's branch, or onto a branch of its own when that actor is running on it here. */
  importBundle(p: { path?: string; upload?: UploadedFile }): Promise<{
    readonly actor: string;
    /** The branch they went to. */
    readonly branch: string;
    /** Entries in the bundle, and how many of them the db did not have yet. */
    readonly entries: number;
    readonly added?: number;
  }>;

  /** Reads a hub beside the Studio's own db: its nodes' actors join the list, read-only. */
  openHub(p: { url: string }): Promise<HubView>;
  closeHub(p: Record<string, never>): Promise<void>;
  /** The hub being read, if any. */
  hub(p: Record<string, never>): Promise<HubView | null>;
  /** Attestations of a hub actor (newest first); none for a local one. */
  attestations(p: { actor: string }): Promise<readonly AttestationView[]>;
  saveTest(p: SaveTestRequest): Promise<SavedTestView>;

  // ---- reading the chain the way a person looks for things (issue 13) ------------------------------------------
  /** The actor's log as recorded in the chain (every line, also those from before this Studio ran), paged. */
  logHistory(p: LogQuery): Promise<LogPage>;
  /** Entries whose hash starts with `prefix` (6 to 64 hex digits), in any actor: what a typed hash means. */
  findEntries(p: { prefix: string; limit: number }): Promise<readonly EntryView[]>;
  /** Where an entry is in the list as filtered (null: the filter hides it, or it is not on that branch). */
  listPosition(p: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }): Promise<number | null>;
}

/**
 * A permalink: where the Studio stands, by names and hashes only, so it survives a restart, a reload and a bundle's
 * export and import (hashes do). Written as URL parameters with these keys: after `#` in the web host's URL, after
 * `?` in an Electron deep link (`theater-studio://open?actor=…&entry=…`).
 */
export interface StudioLink {
  readonly actor: string;
  readonly branch?: string;
  /** The selected entry. */
  readonly entry?: Hex;
  /** A diff's two picks. */
  readonly a?: Hex;
  readonly b?: Hex;
}
export const LINK_KEYS = ['actor', 'branch', 'entry', 'a', 'b'] as const satisfies readonly (keyof StudioLink)[];
/** The deep-link scheme the Electron app registers. */
export const LINK_SCHEME = 'theater-studio';

/** A page of an actor's recorded log: lines of the branch's path, oldest first. */
export interface LogQuery {
  readonly actor: string;
  readonly branch?: string;
  /** Index among the (filtered) lines. */
  readonly offset: number;
  readonly limit: number;
  /** Case-insensitive text the lines must contain. */
  readonly search?: string;
}

/** One line of an actor's log, read back from the entry that recorded it. */
export interface LogEntryLine {
  /** The import entry (runtime.log, or a WASI write to stdout/stderr) that recorded the line. */
  readonly hash: Hex;
  readonly seq: number;
  readonly ts: number;
  readonly stream: 'log' | 'stdout' | 'stderr';
  readonly text: string;
}

export interface LogPage {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly LogEntryLine[];
}

/** Pushed from the service to every renderer. */
export interface StudioEvents {
  log: LogLine;
  entries: {
    readonly actor: string;
    readonly branch: string;
    readonly count: number;
    readonly head: Hex;
    readonly seq: number;
  };
  actorStatus: { readonly actor: string; readonly status: ActorStatus };
  actors: Record<string, never>;
  progress: {
    readonly task: 'replay' | 'verify';
    readonly actor: string | null;
    readonly done: number;
    readonly total: number;
  };
  /** A running actor's component file changed on disk: offer to replay history against the new build. */
  componentChanged: { readonly actor: string; readonly path: string };
  /** Who writes the db changed (a `theater run` started or ended, this Studio started or stopped its actors). */
  db: DbView;
}

export type MethodName = keyof StudioApi;
export type EventName = keyof StudioEvents;
export type Params<M extends MethodName> = Parameters<StudioApi[M]>[0];
export type Result<M extends MethodName> = Awaited<ReturnType<StudioApi[M]>>;

/** The runtime list of method names (the transports iterate it; the type check keeps it complete). */
export const METHODS = [
  'openManifest',
  'uploadManifest',
  'recentManifests',
  'db',
  'listActors',
  'stopActor',
  'restartActor',
  'startActor',
  'logs',
  'entries',
  'entryIndex',
  'entry',
  'graph',
  'stateAt',
  'diff',
  'diffBranches',
  'whoWrote',
  'branches',
  'fork',
  'setLiveBranch',
  'replay',
  'verify',
  'fireHttp',
  'fireMessage',
  'exportBundle',
  'importBundle',
  'logHistory',
  'findEntries',
  'listPosition',
  'openHub',
  'closeHub',
  'hub',
  'attestations',
  'saveTest',
] as const satisfies readonly MethodName[];

export const EVENTS = [
  'log',
  'entries',
  'actorStatus',
  'actors',
  'progress',
  'componentChanged',
  'db',
] as const satisfies readonly EventName[];

// Compile-time check that METHODS lists every method exactly: an unlisted method is a type error here.
type Missing = Exclude<MethodName, (typeof METHODS)[number]>;
export const METHODS_COMPLETE: Missing extends never ? true : Missing = true;

/** Errors cross the transport as data. */
export interface ApiError {
  readonly message: string;
  /** `read-only`: another process writes the db (the message names it). */
  readonly code?: 'bad-request' | 'not-found' | 'load-error' | 'read-only' | 'internal';
}

/*
 * The opening: which actor the Studio shows first and which window of its graph it asks for. The renderer asks for
 * them (with the actor's branches); the web host answers them in the page it serves (studio/web/opening-page.ts),
 * so that the first paint does not wait for the WebSocket to open and for round trips over it. The renderer uses
 * those answers only until its socket opens, then asks again (renderer/api/transport.ts, renderer/store/actions/
 * live.ts).
 */

/** The graph is fetched in windows of this many seqs: window i holds seqs [i × GRAPH_CHUNK, (i+1) × GRAPH_CHUNK). */
export const GRAPH_CHUNK = 2048;

/** The actor shown when nothing asks for another: the first root actor (the one the user opened), else any. */
export function firstActor(actors: readonly ActorView[]): ActorView | undefined {
  return actors.find((x) => x.parent === null) ?? actors[0];
}

/** The `graph` request for window `chunk` of an actor's branch. */
export function graphWindow(actor: string, branch: string, chunk: number): Params<'graph'> {
  return { actor, branch, fromSeq: chunk * GRAPH_CHUNK, toSeq: (chunk + 1) * GRAPH_CHUNK - 1 };
}

/** The window holding an actor's live head, or undefined when its chain is empty. */
export function headWindow(actor: ActorView): Params<'graph'> | undefined {
  return actor.seq < 0 ? undefined : graphWindow(actor.id, actor.liveBranch, Math.floor(actor.seq / GRAPH_CHUNK));
}

/** One request the page answers in advance, with the answer the service gave when the page was served. */
export interface OpeningReply<M extends MethodName = MethodName> {
  readonly method: M;
  readonly params: Params<M>;
  readonly result: Result<M>;
}

/** The page's `<script type="application/json">` element holding the OpeningReply list. */
export const OPENING_ELEMENT_ID = 'studio-opening';

/** The key of a request among the opening's replies: both sides build the params with the functions above, so
 *  the same request is the same JSON text. */
export function openingKey(method: string, params: unknown): string {
  return `${method} ${JSON.stringify(params)}`;
}
