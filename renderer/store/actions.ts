/**
 * Commands: everything that talks to the service and then updates the store. Components call these; they never
 * call the API and set state in two places.
 */
import type { EntryView, Hex } from '../../studio/contract.ts';
import { api, errorMessage } from '../api/client.ts';
import { CHUNK } from '../viz/layout/viewport.ts';
import { useStudio } from './index.ts';
import { PAGE, type EntryFilter } from './slices.ts';

const get = () => useStudio.getState();

// ---- actors & branches -------------------------------------------------------------------------------------------
// Actors are asked for from several places at once (connect, the `actors` event, the open dialog). One load runs at
// a time, so a second one cannot reset the selection the first is making; a request made while a load runs gets one
// more load after it (shared by every such request): the list it fetched may predate the actor just opened.
let actorsLoading: Promise<void> | null = null;
let actorsQueued: Promise<void> | null = null;
export function refreshActors(): Promise<void> {
  if (!actorsLoading) {
    actorsLoading = loadActors().finally(() => (actorsLoading = null));
    return actorsLoading;
  }
  actorsQueued ??= actorsLoading
    .catch(() => {})
    .then(() => {
      actorsQueued = null;
      return refreshActors();
    });
  return actorsQueued;
}

async function loadActors(): Promise<void> {
  const actors = await api().call('listActors', {});
  const s = get();
  s.setActors(actors);
  // Keep the current actor if it still exists; else show the first root actor (the one the user just opened).
  if (!s.actorId || !actors.some((a) => a.id === s.actorId)) {
    const first = actors.find((a) => a.parent === null) ?? actors[0];
    if (first) await showActor(first.id);
  }
}

export async function showActor(id: string): Promise<void> {
  const s = get();
  s.selectActor(id);
  s.invalidateEntries(true);
  s.dropChunks(() => true);
  s.setReplay({ phase: 'idle' });
  // The graph opens on the live head: ask for its window alongside the branches, not after them.
  const actor = s.actors.find((a) => a.id === id);
  if (actor && actor.seq >= 0) void ensureChunk(actor.liveBranch, Math.floor(actor.seq / CHUNK)).catch(() => {});
  await refreshBranches();
  void refreshLogs().catch(() => {});
  // Open on the head, so the details and state panes show something useful straight away. Unfiltered, the head's
  // row is the view branch's head seq: its page is served at once, while page 0 of a long chain waits for the
  // service's index.
  try {
    const view = get().branches.find((b) => b.name === get().viewBranch);
    await ensurePage(view && !isFiltered(get().filter) ? Math.floor(Math.max(0, view.headSeq) / PAGE) : 0);
    const { total, selected } = get();
    if (total > 0 && !selected && get().actorId === id) await selectIndex(total - 1);
  } finally {
    // Only now: verifying a long chain competes with the opening requests for the service and the CPU.
    if (get().actorId === id) void runVerify();
  }
}

export async function refreshBranches(): Promise<void> {
  const { actorId } = get();
  if (!actorId) return;
  const branches = await api().call('branches', { actor: actorId });
  const s = get();
  if (s.actorId !== actorId) return;
  s.setBranches(branches);
  if (!s.viewBranch || !branches.some((b) => b.name === s.viewBranch)) {
    const live = branches.find((b) => b.live) ?? branches[0];
    s.setViewBranch(live?.name ?? null);
  }
}

export async function refreshLogs(): Promise<void> {
  const lines = await api().call('logs', { limit: 500 });
  get().setLogs(lines);
}

export async function viewBranch(name: string): Promise<void> {
  const s = get();
  if (s.viewBranch === name) return;
  s.setViewBranch(name);
  s.invalidateEntries(true);
}

function isFiltered(f: EntryFilter): boolean {
  return f.kinds.length > 0 || !!f.iface || !!f.fn || !!f.search || f.hideNoops;
}

// ---- entry list pages --------------------------------------------------------------------------------------------
// Callers that need the page (stepping, open-on-head) must wait for a request another caller already started.
const inFlight = new Map<string, Promise<void>>();

/** Make sure the page holding list row `index` is loaded and current. */
export function ensurePage(page: number): Promise<void> {
  const s = get();
  if (!s.actorId) return Promise.resolve();
  const cached = s.pages.get(page);
  if (cached && cached.version >= s.listVersion) return Promise.resolve();
  const key = `${s.listVersion}:${page}`;
  const running = inFlight.get(key);
  if (running) return running;
  const p = fetchPage(page).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

async function fetchPage(page: number): Promise<void> {
  const s = get();
  if (!s.actorId) return;
  const version = s.listVersion;
  const f = s.filter;
  const res = await api().call('entries', {
    actor: s.actorId,
    ...(s.viewBranch ? { branch: s.viewBranch } : {}),
    offset: page * PAGE,
    limit: PAGE,
    ...(f.kinds.length ? { kinds: f.kinds } : {}),
    ...(f.iface ? { iface: f.iface } : {}),
    ...(f.fn ? { fn: f.fn } : {}),
    ...(f.search ? { search: f.search } : {}),
    ...(f.hideNoops ? { hideNoops: true } : {}),
  });
  const before = get();
  // Selected the newest entry while following the head: stay on the newest as more arrive (a live tail).
  const tailing = before.follow && before.selected?.index != null && before.selected.index === before.total - 1;
  get().storePage(page, version, res.total, res.items);
  if (tailing && res.total > before.total && get().listVersion === version) void selectIndex(res.total - 1);
}

/** The list row at `index`, fetching its page if needed. */
export async function entryAt(index: number): Promise<EntryView | null> {
  const page = Math.floor(index / PAGE);
  await ensurePage(page);
  return get().pages.get(page)?.items[index - page * PAGE] ?? null;
}

// ---- selection & stepping ----------------------------------------------------------------------------------------
export async function selectIndex(index: number): Promise<void> {
  const { total } = get();
  if (total === 0) return;
  const i = Math.max(0, Math.min(total - 1, index));
  const e = await entryAt(i);
  if (e) get().setSelected({ entry: e, index: i });
}

export async function step(delta: number): Promise<void> {
  const { selected, total } = get();
  if (selected?.index == null) return selectIndex(delta < 0 ? total - 1 : 0);
  return selectIndex(selected.index + delta);
}

/** Select an entry by hash (graph click, causal link, divergence), switching the list to its branch. */
export async function selectHash(hash: Hex, branch?: string): Promise<void> {
  const s = get();
  if (!s.actorId) return;
  // The current actor's entry if it has this hash (identical histories on two hub nodes share hashes).
  const detail = await api().call('entry', { hash, actor: s.actorId });
  if (detail.actor !== s.actorId) await showActor(detail.actor);
  if (branch) await viewBranch(branch);
  const st = get();
  let index: number | null = null;
  if (!isFiltered(st.filter)) {
    index = await api().call('entryIndex', {
      actor: detail.actor,
      ...(st.viewBranch ? { branch: st.viewBranch } : {}),
      hash,
    });
  }
  get().setSelected({ entry: detail, index: index !== null && index >= 0 ? index : null });
}

export function pickDiff(e: EntryView): void {
  const s = get();
  if (!s.diffA || (s.diffA && s.diffB)) {
    s.setDiffA(e);
    s.setDiffB(null);
  } else {
    s.setDiffB(e);
    s.setRightTab('diff');
  }
}

/** Shift-click: A is the selected entry (if none picked yet), B is the clicked one. */
export function shiftPick(e: EntryView): void {
  const s = get();
  const a = s.diffA ?? s.selected?.entry ?? null;
  if (!a || a.hash === e.hash) return pickDiff(e);
  s.setDiffA(a);
  s.setDiffB(e);
  s.setRightTab('diff');
}

// ---- graph windows -----------------------------------------------------------------------------------------------
const chunkInFlight = new Set<string>();
export async function ensureChunk(branch: string, chunk: number, force = false): Promise<void> {
  const s = get();
  const key = `${branch}:${chunk}`;
  if (!s.actorId || chunkInFlight.has(key) || (!force && s.chunks.has(key))) return;
  chunkInFlight.add(key);
  try {
    const w = await api().call('graph', {
      actor: s.actorId,
      branch,
      fromSeq: chunk * CHUNK,
      toSeq: (chunk + 1) * CHUNK - 1,
    });
    if (get().actorId === s.actorId) get().storeChunk(key, w);
  } finally {
    chunkInFlight.delete(key);
  }
}

// ---- events from the service -------------------------------------------------------------------------------------
// A busy actor reports entries many times a second: coalesce them into one refresh per 100 ms per branch.
const pendingHeads = new Map<string, number>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let verifyTimer: ReturnType<typeof setTimeout> | null = null;

export function onNewEntries(p: { actor: string; branch: string; seq: number }): void {
  if (p.actor !== get().actorId) return;
  pendingHeads.set(p.branch, Math.max(p.seq, pendingHeads.get(p.branch) ?? -1));
  flushTimer ??= setTimeout(flushEntries, 100);
  // Re-check integrity once things settle, so the badge never claims less (or more) than what is on screen.
  if (verifyTimer) clearTimeout(verifyTimer);
  verifyTimer = setTimeout(() => get().replay.phase !== 'running' && void runVerify(), 1000);
}

function flushEntries(): void {
  flushTimer = null;
  const s = get();
  void refreshBranches().catch(() => {});
  for (const [branch, seq] of pendingHeads) {
    // Only the chunk holding the new head (and the one before, when the batch crossed a boundary) changed.
    const chunk = Math.floor(seq / CHUNK);
    void ensureChunk(branch, chunk, true).catch(() => {});
    if (chunk > 0) void ensureChunk(branch, chunk - 1, true).catch(() => {});
    if (branch === s.viewBranch) s.invalidateEntries(false);
  }
  pendingHeads.clear();
}

// The service answers one long task at a time more reliably: replay waits for a verify in flight, and the
// automatic re-check skips while a replay runs (it is redone once the replay finishes).
let verifyInFlight: Promise<void> | null = null;
export function runVerify(): Promise<void> {
  verifyInFlight ??= doVerify().finally(() => (verifyInFlight = null));
  return verifyInFlight;
}
export async function verifySettled(): Promise<void> {
  await verifyInFlight?.catch(() => {});
}

async function doVerify(): Promise<void> {
  const s = get();
  s.setVerify({ phase: 'running' });
  try {
    const r = await api().call('verify', s.actorId ? { actor: s.actorId } : {});
    get().setVerify({ phase: 'done', result: r });
  } catch (e) {
    get().setVerify({ phase: 'error', message: errorMessage(e) });
  }
}

export { errorMessage };
