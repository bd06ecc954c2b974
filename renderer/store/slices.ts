/**
 * The store's slices, each a typed piece of state with the setters that replace it (zustand's slices pattern). A
 * setter touches its own slice only; what spans slices (opening an actor resets the selection) is an action, in
 * actions/. Collections are replaced, never mutated, so narrow selectors and `useShallow` see every change.
 */
import type { StateCreator } from 'zustand';
import type {
  ActorView,
  BranchView,
  EntryKind,
  EntryView,
  GraphWindow,
  Hex,
  LogEntryLine,
  ReplayResultView,
  StudioEvents,
  VerifyView,
} from '../../studio/contract.ts';
import type { ConnectionState } from '../api/client.ts';
import { HTTP_HISTORY_MAX, loadHttpHistory, saveHttpHistory, type HttpHistoryItem } from './http-history.ts';

export type { HttpHistoryItem } from './http-history.ts';

export type StudioState = ConnectionSlice &
  NoticesSlice &
  ActorsSlice &
  LogSlice &
  EntriesSlice &
  SelectionSlice &
  GraphSlice &
  PanelsSlice &
  LayoutSlice &
  ThemeSlice;
type Slice<T> = StateCreator<StudioState, [], [], T>;

// ---- connection --------------------------------------------------------------------------------------------------
export interface ConnectionSlice {
  readonly connection: ConnectionState;
  readonly retryInMs: number | null;
  setConnection(c: ConnectionState, retryInMs: number | null): void;
}
export const connectionSlice: Slice<ConnectionSlice> = (set) => ({
  connection: 'connecting',
  retryInMs: null,
  setConnection: (connection, retryInMs) => set({ connection, retryInMs }),
});

// ---- notices: errors and news the user should see -----------------------------------------------------------------
export type NoticeTone = 'error' | 'info';
export interface Notice {
  readonly id: number;
  readonly tone: NoticeTone;
  readonly text: string;
}
export interface NoticesSlice {
  /** Oldest first. Actions add them (a failed request is shown, never swallowed) and expire them. */
  readonly notices: readonly Notice[];
  addNotice(n: Notice): void;
  dismissNotice(id: number): void;
}
const MAX_NOTICES = 4;
export const noticesSlice: Slice<NoticesSlice> = (set) => ({
  notices: [],
  addNotice: (n) =>
    set((s) => ({
      // The same text twice (a request failing on every refresh) is one notice, refreshed.
      notices: [...s.notices.filter((x) => x.text !== n.text), n].slice(-MAX_NOTICES),
    })),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});

// ---- actors, branches --------------------------------------------------------------------------------------
export interface ActorsSlice {
  readonly actors: readonly ActorView[];
  /** Whether `actors` is the service's list yet (false until the first one arrives: an actor not in it yet may be). */
  readonly actorsKnown: boolean;
  readonly actorId: string | null;
  readonly branches: readonly BranchView[];
  /** The branch whose entries the list and stepping walk (defaults to the actor's live branch). */
  readonly viewBranch: string | null;
  /** The actor list as the service gave it. */
  setActors(actors: readonly ActorView[]): void;
  setActorStatus(id: string, status: ActorView['status']): void;
  setBranches(b: readonly BranchView[]): void;
  setViewBranch(b: string | null): void;
}
export const actorsSlice: Slice<ActorsSlice> = (set) => ({
  actors: [],
  actorsKnown: false,
  actorId: null,
  branches: [],
  viewBranch: null,
  setActors: (actors) => set({ actors, actorsKnown: true }),
  setActorStatus: (id, status) => set((s) => ({ actors: s.actors.map((x) => (x.id === id ? { ...x, status } : x)) })),
  setBranches: (branches) => set({ branches }),
  setViewBranch: (viewBranch) => set({ viewBranch }),
});

// ---- the log of the actor on screen, read back from its chain (paged like the entry list) -------------------------
export const LOG_PAGE = 200;
export interface CachedLogPage {
  readonly version: number;
  readonly items: readonly LogEntryLine[];
}
export interface LogSlice {
  /** Text the lines must contain ('' = all). */
  readonly logFilter: string;
  readonly logTotal: number;
  readonly logPages: ReadonlyMap<number, CachedLogPage>;
  /** Bumped when the log may have grown; older pages are refetched but shown meanwhile. */
  readonly logVersion: number;
  /** Answers to requests made before this version (another actor, branch or filter) are dropped. */
  readonly logBase: number;
  setLogFilter(text: string): void;
  storeLogPage(page: number, version: number, total: number, items: readonly LogEntryLine[]): void;
  invalidateLog(dropPages: boolean): void;
}
export const logSlice: Slice<LogSlice> = (set) => ({
  logFilter: '',
  logTotal: 0,
  logPages: new Map(),
  logVersion: 1,
  logBase: 1,
  setLogFilter: (logFilter) =>
    set((s) => ({
      logFilter,
      logPages: new Map(),
      logTotal: 0,
      logVersion: s.logVersion + 1,
      logBase: s.logVersion + 1,
    })),
  storeLogPage: (page, version, total, items) =>
    set((s) => {
      const cur = s.logPages.get(page);
      if (version < s.logBase || (cur && cur.version > version)) return {};
      return { logTotal: total, logPages: new Map(s.logPages).set(page, { version, items }) };
    }),
  invalidateLog: (dropPages) =>
    set((s) => ({
      logVersion: s.logVersion + 1,
      ...(dropPages ? { logPages: new Map(), logTotal: 0, logBase: s.logVersion + 1 } : {}),
    })),
});

// ---- entries (paged cache for the list) --------------------------------------------------------------------------
export const PAGE = 200;
export interface EntryFilter {
  readonly kinds: readonly EntryKind[];
  readonly iface: string;
  readonly fn: string;
  readonly search: string;
  readonly hideNoops: boolean;
}
export const EMPTY_FILTER: EntryFilter = { kinds: [], iface: '', fn: '', search: '', hideNoops: false };
export function isFiltered(f: EntryFilter): boolean {
  return f.kinds.length > 0 || !!f.iface || !!f.fn || !!f.search || f.hideNoops;
}
export interface CachedPage {
  readonly version: number;
  readonly items: readonly EntryView[];
}
export interface EntriesSlice {
  readonly filter: EntryFilter;
  readonly total: number;
  /** Bumped whenever what the list shows may have changed; pages older than it are refetched but shown meanwhile. */
  readonly listVersion: number;
  readonly pages: ReadonlyMap<number, CachedPage>;
  /** Answers to requests made before this version (an older filter or actor) are dropped. */
  readonly baseVersion: number;
  setFilter(f: Partial<EntryFilter>): void;
  storePage(page: number, version: number, total: number, items: readonly EntryView[]): void;
  invalidateEntries(dropPages: boolean): void;
}
export const entriesSlice: Slice<EntriesSlice> = (set) => ({
  filter: EMPTY_FILTER,
  total: 0,
  listVersion: 1,
  pages: new Map(),
  baseVersion: 1,
  setFilter: (f) =>
    set((s) => ({
      filter: { ...s.filter, ...f },
      pages: new Map(),
      listVersion: s.listVersion + 1,
      baseVersion: s.listVersion + 1,
      total: 0,
    })),
  storePage: (page, version, total, items) =>
    set((s) => {
      const cur = s.pages.get(page);
      if (version < s.baseVersion || (cur && cur.version > version)) return {};
      return { total, pages: new Map(s.pages).set(page, { version, items }) };
    }),
  invalidateEntries: (dropPages) =>
    set((s) => ({
      listVersion: s.listVersion + 1,
      ...(dropPages ? { pages: new Map(), total: 0, baseVersion: s.listVersion + 1 } : {}),
    })),
});

// ---- selection, diff picks, highlights ---------------------------------------------------------------------------
export interface Selected {
  readonly entry: EntryView;
  /** Position in the list as currently filtered, when known (stepping moves from here). */
  readonly index: number | null;
}
export interface SelectionSlice {
  readonly selected: Selected | null;
  readonly diffA: EntryView | null;
  readonly diffB: EntryView | null;
  /** Entries produced by the last fired HTTP request / message. */
  readonly highlighted: ReadonlySet<Hex>;
  readonly divergence: Hex | null;
  setSelected(s: Selected | null): void;
  setDiffA(e: EntryView | null): void;
  setDiffB(e: EntryView | null): void;
  setHighlighted(h: readonly Hex[]): void;
  setDivergence(h: Hex | null): void;
}
export const selectionSlice: Slice<SelectionSlice> = (set) => ({
  selected: null,
  diffA: null,
  diffB: null,
  highlighted: new Set(),
  divergence: null,
  setSelected: (selected) => set({ selected }),
  setDiffA: (diffA) => set({ diffA }),
  setDiffB: (diffB) => set({ diffB }),
  setHighlighted: (h) => set({ highlighted: new Set(h) }),
  setDivergence: (divergence) => set({ divergence }),
});

// ---- graph windows -----------------------------------------------------------------------------------------------
export interface GraphSlice {
  /** Keep the live head in view as entries arrive; turned off when the user pans away, on again with "Follow". */
  readonly follow: boolean;
  /** `${branch}:${chunk}` → window. */
  readonly chunks: ReadonlyMap<string, GraphWindow>;
  setFollow(f: boolean): void;
  storeChunk(key: string, w: GraphWindow): void;
  dropChunks(pred: (key: string) => boolean): void;
}
export const graphSlice: Slice<GraphSlice> = (set) => ({
  follow: true,
  chunks: new Map(),
  setFollow: (follow) => set({ follow }),
  storeChunk: (key, w) => set((s) => ({ chunks: new Map(s.chunks).set(key, w) })),
  dropChunks: (pred) => set((s) => ({ chunks: new Map([...s.chunks].filter(([k]) => !pred(k))) })),
});

// ---- panels, long-running tasks, history -------------------------------------------------------------------------
export type RightTab = 'details' | 'state' | 'diff' | 'replay';
export type Drawer = 'http' | 'message' | null;
export type TaskState<R> =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running' }
  | { readonly phase: 'done'; readonly result: R }
  | { readonly phase: 'error'; readonly message: string };
/** Where a failed integrity check found the first bad entry: it and what was recorded after it are unverified. */
export interface BrokenAt {
  readonly actor: string;
  readonly seq: number;
  readonly entry: string;
  /** Branches whose path passes through it. */
  readonly through: readonly string[];
}

function brokenAt(v: VerifyView): BrokenAt | null {
  if (v.ok || v.actor === undefined || v.seq === undefined || !v.entry) return null;
  return { actor: v.actor, seq: v.seq, entry: v.entry, through: v.through ?? [] };
}

/**
 * Whether an entry is the first bad one or was recorded after it (the bad entry is its ancestor: same actor, seq at
 * or past it, on a branch whose path passes through it). Its payload cannot be trusted.
 */
export function isUnverified(
  broken: BrokenAt | null,
  e: { readonly actor: string; readonly seq: number; readonly branch: string },
): boolean {
  return !!broken && e.actor === broken.actor && e.seq >= broken.seq && broken.through.includes(e.branch);
}

export interface PanelsSlice {
  readonly rightTab: RightTab;
  readonly drawer: Drawer;
  readonly helpOpen: boolean;
  readonly openDialog: boolean;
  readonly replay: TaskState<ReplayResultView>;
  readonly verify: TaskState<VerifyView>;
  /** The last integrity check's first bad entry, kept while a re-check runs; null once a check passes. */
  readonly broken: BrokenAt | null;
  readonly progress: StudioEvents['progress'] | null;
  readonly componentChanged: StudioEvents['componentChanged'] | null;
  /** Requests fired from the HTTP panel, newest first; kept across reloads for the db (store/http-history.ts). */
  readonly httpHistory: readonly HttpHistoryItem[];
  /** The db the history is kept for; null until the service has said which db it serves (kept in memory until then). */
  readonly httpHistoryDb: string | null;
  setRightTab(t: RightTab): void;
  setDrawer(d: Drawer): void;
  setHelp(open: boolean): void;
  setOpenDialog(open: boolean): void;
  setReplay(r: TaskState<ReplayResultView>): void;
  setVerify(v: TaskState<VerifyView>): void;
  setProgress(p: StudioEvents['progress'] | null): void;
  setComponentChanged(c: StudioEvents['componentChanged'] | null): void;
  pushHttp(h: HttpHistoryItem): void;
  /**
   * The service's db (its path): the history kept for it is shown, after any requests fired before the db was known.
   * Another db than before: its own history replaces the one shown.
   */
  setHttpHistoryDb(db: string): void;
}
export const panelsSlice: Slice<PanelsSlice> = (set, get) => ({
  rightTab: 'details',
  drawer: 'http',
  helpOpen: false,
  openDialog: false,
  replay: { phase: 'idle' },
  verify: { phase: 'idle' },
  broken: null,
  progress: null,
  componentChanged: null,
  httpHistory: [],
  httpHistoryDb: null,
  setRightTab: (rightTab) => set({ rightTab }),
  setDrawer: (drawer) => set({ drawer }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setOpenDialog: (openDialog) => set({ openDialog }),
  setReplay: (replay) => set({ replay }),
  setVerify: (verify) => set(verify.phase === 'done' ? { verify, broken: brokenAt(verify.result) } : { verify }),
  setProgress: (progress) => set({ progress }),
  setComponentChanged: (componentChanged) => set({ componentChanged }),
  pushHttp: (h) => {
    const { httpHistory, httpHistoryDb } = get();
    const next = [h, ...httpHistory].slice(0, HTTP_HISTORY_MAX);
    if (httpHistoryDb !== null) saveHttpHistory(httpHistoryDb, next);
    set({ httpHistory: next });
  },
  setHttpHistoryDb: (db) => {
    const { httpHistory, httpHistoryDb } = get();
    if (db === httpHistoryDb) return;
    const unsaved = httpHistoryDb === null ? httpHistory : [];
    const next = [...unsaved, ...loadHttpHistory(db)].slice(0, HTTP_HISTORY_MAX);
    if (unsaved.length > 0) saveHttpHistory(db, next);
    set({ httpHistory: next, httpHistoryDb: db });
  },
});

// ---- layout: the sizes the user dragged the panels to, remembered -------------------------------------------------
/** A panel's size in CSS pixels, or null for the default (which follows the window: see studio.css). */
export interface PanelSizes {
  readonly left: number | null;
  readonly right: number | null;
  readonly drawer: number | null;
}
export type PanelName = keyof PanelSizes;
export interface LayoutSlice {
  readonly sizes: PanelSizes;
  setSize(panel: PanelName, px: number | null): void;
}
const LAYOUT_KEY = 'studio.layout';
const NO_SIZES: PanelSizes = { left: null, right: null, drawer: null };
function savedSizes(): PanelSizes {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null');
    if (typeof v !== 'object' || v === null) return NO_SIZES;
    const px = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null);
    const o = v as Record<string, unknown>;
    return { left: px(o.left), right: px(o.right), drawer: px(o.drawer) };
  } catch {
    return NO_SIZES; // no storage here, or a value from another version: the defaults
  }
}
export const layoutSlice: Slice<LayoutSlice> = (set, get) => ({
  sizes: typeof localStorage !== 'undefined' ? savedSizes() : NO_SIZES,
  setSize: (panel, px) => {
    const sizes = { ...get().sizes, [panel]: px === null ? null : Math.round(px) };
    if (typeof localStorage !== 'undefined') localStorage.setItem(LAYOUT_KEY, JSON.stringify(sizes));
    set({ sizes });
  },
});

// ---- theme -------------------------------------------------------------------------------------------------------
export type Theme = 'dark' | 'light';
export interface ThemeSlice {
  readonly theme: Theme;
  setTheme(t: Theme): void;
}
function initialTheme(): Theme {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('studio.theme') : null;
  if (saved === 'dark' || saved === 'light') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
export const themeSlice: Slice<ThemeSlice> = (set) => ({
  theme: initialTheme(),
  setTheme: (theme) => {
    localStorage.setItem('studio.theme', theme);
    set({ theme });
  },
});
