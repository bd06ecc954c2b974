/** The entry list's pages, the graph's windows, and the selection: what is loaded and what is picked. */
import { CHUNK } from '../../viz/layout/viewport.ts';
import { isFiltered, PAGE } from '../slices.ts';
import type { ActionContext, Actions, EntryActions } from './types.ts';

export function entryActions(ctx: ActionContext, a: Actions): EntryActions {
  const { get, api } = ctx;

  // Callers that need the page (stepping, open-on-head) must wait for a request another caller already started.
  const pagesInFlight = new Map<string, Promise<void>>();
  const chunksInFlight = new Set<string>();

  function ensurePage(page: number): Promise<void> {
    const s = get();
    if (!s.actorId) return Promise.resolve();
    const cached = s.pages.get(page);
    if (cached && cached.version >= s.listVersion) return Promise.resolve();
    const key = `${s.listVersion}:${page}`;
    const running = pagesInFlight.get(key);
    if (running) return running;
    const p = fetchPage(page).finally(() => pagesInFlight.delete(key));
    pagesInFlight.set(key, p);
    return p;
  }

  async function fetchPage(page: number): Promise<void> {
    const s = get();
    if (!s.actorId) return;
    const version = s.listVersion;
    const f = s.filter;
    const res = await api.call('entries', {
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

  async function entryAt(index: number) {
    const page = Math.floor(index / PAGE);
    await ensurePage(page);
    return get().pages.get(page)?.items[index - page * PAGE] ?? null;
  }

  async function selectIndex(index: number): Promise<void> {
    const { total } = get();
    if (total === 0) return;
    const i = Math.max(0, Math.min(total - 1, index));
    const e = await entryAt(i);
    if (e) get().setSelected({ entry: e, index: i });
  }

  async function step(delta: number): Promise<void> {
    const { selected, total } = get();
    if (selected?.index == null) return selectIndex(delta < 0 ? total - 1 : 0);
    return selectIndex(selected.index + delta);
  }

  async function selectHash(hash: string, branch?: string): Promise<void> {
    const s = get();
    if (!s.actorId) return;
    const detail = await api.call('entry', { hash });
    if (detail.actor !== s.actorId) await a.showActor(detail.actor);
    if (branch) await a.viewBranch(branch);
    const st = get();
    let index: number | null = null;
    if (!isFiltered(st.filter)) {
      index = await api.call('entryIndex', {
        actor: detail.actor,
        ...(st.viewBranch ? { branch: st.viewBranch } : {}),
        hash,
      });
    }
    get().setSelected({ entry: detail, index: index !== null && index >= 0 ? index : null });
  }

  function pickDiff(e: Parameters<EntryActions['pickDiff']>[0]): void {
    const s = get();
    if (!s.diffA || (s.diffA && s.diffB)) {
      s.setDiffA(e);
      s.setDiffB(null);
    } else {
      s.setDiffB(e);
      s.setRightTab('diff');
    }
  }

  function shiftPick(e: Parameters<EntryActions['shiftPick']>[0]): void {
    const s = get();
    const first = s.diffA ?? s.selected?.entry ?? null;
    if (!first || first.hash === e.hash) return pickDiff(e);
    s.setDiffA(first);
    s.setDiffB(e);
    s.setRightTab('diff');
  }

  async function ensureChunk(branch: string, chunk: number, force = false): Promise<void> {
    const s = get();
    const key = `${branch}:${chunk}`;
    if (!s.actorId || chunksInFlight.has(key) || (!force && s.chunks.has(key))) return;
    chunksInFlight.add(key);
    try {
      const w = await api.call('graph', {
        actor: s.actorId,
        branch,
        fromSeq: chunk * CHUNK,
        toSeq: (chunk + 1) * CHUNK - 1,
      });
      if (get().actorId === s.actorId) get().storeChunk(key, w);
    } finally {
      chunksInFlight.delete(key);
    }
  }

  return { ensurePage, entryAt, selectIndex, step, selectHash, pickDiff, shiftPick, ensureChunk };
}
