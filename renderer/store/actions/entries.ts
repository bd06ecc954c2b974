/** The entry list's pages, the graph's windows, and the selection: what is loaded and what is picked. */
import { ApiCallError } from '../../api/client.ts';
import { graphWindow } from '../../../studio/contract.ts';
import { isFiltered, PAGE, type EntryFilter, type StudioState } from '../slices.ts';
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
      ...filterParams(f),
    });
    get().storePage(page, version, res.total, res.items);
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
    // Selecting the newest entry (as the list stood when asked: End) follows the head from there; selecting any
    // other stops following.
    const newest = i === total - 1;
    const e = await entryAt(i);
    if (!e) return;
    const s = get();
    s.setSelected({ entry: e, index: i });
    if (!newest) {
      if (s.follow) s.setFollow(false);
    } else if (!s.follow || s.total - 1 > i) {
      // Entries that arrived while the row was fetched are newer still: on to the head.
      setFollow(true);
    }
  }

  function setFollow(on: boolean): void {
    get().setFollow(on);
    if (on) a.guard('Following the head', followHead());
  }

  // One run at a time: entries keep arriving while a run fetches, and each flush asks again.
  let following: Promise<void> | null = null;
  let followAgain: number | undefined;
  function followHead(headSeq?: number): Promise<void> {
    if (following) {
      followAgain = Math.max(headSeq ?? -1, followAgain ?? -1);
      return following;
    }
    following = (async () => {
      let seq: number | undefined = headSeq;
      for (;;) {
        followAgain = undefined;
        await selectNewest(seq);
        if (followAgain === undefined || !get().follow) return;
        seq = followAgain;
      }
    })().finally(() => (following = null));
    return following;
  }

  /**
   * Selects the list's last row as it is now. Unfiltered, the row of the head's seq is the last one, so its page is
   * fetched first; filtered, the last page as last known. The answer carries the list's current total: when that
   * puts the last row on another page, one more fetch.
   */
  async function selectNewest(headSeq?: number): Promise<void> {
    const s = get();
    if (!s.actorId || !s.follow) return;
    let guess = headSeq !== undefined && headSeq >= 0 && !isFiltered(s.filter) ? headSeq : s.total - 1;
    for (let attempt = 0; attempt < 3; attempt++) {
      const page = Math.floor(Math.max(0, guess) / PAGE);
      await ensurePage(page);
      const now = get();
      const last = now.total - 1;
      if (last < 0 || !now.follow) return;
      if (Math.floor(last / PAGE) === page) {
        const e = now.pages.get(page)?.items[last - page * PAGE];
        if (e && now.selected?.entry.hash !== e.hash) now.setSelected({ entry: e, index: last });
        return;
      }
      guess = last;
    }
  }

  async function step(delta: number): Promise<void> {
    const { selected, total } = get();
    if (selected?.index == null) return selectIndex(delta < 0 ? total - 1 : 0);
    return selectIndex(selected.index + delta);
  }

  async function selectHash(hash: string, branch?: string): Promise<void> {
    const s = get();
    if (!s.actorId) return;
    // The current actor's entry if it has this hash (identical histories on two hub nodes share hashes).
    const detail = await api.call('entry', { hash, actor: s.actorId });
    if (detail.actor !== s.actorId) await a.showActor(detail.actor);
    if (branch) await a.viewBranch(branch, { callerSelects: true });
    let index: number | null;
    if (isFiltered(get().filter)) {
      const { filter, viewBranch } = get();
      index = await api.call('listPosition', {
        actor: detail.actor,
        ...(viewBranch ? { branch: viewBranch } : {}),
        hash,
        ...filterParams(filter),
      });
    } else {
      const at = (b: string | null) =>
        api.call('entryIndex', { actor: detail.actor, ...(b ? { branch: b } : {}), hash }).catch((e: unknown) => {
          if (e instanceof ApiCallError && e.code === 'not-found') return null;
          throw e;
        });
      index = await at(get().viewBranch);
      // Not on the branch the list shows (a link, a causal link to a fork): show the branch it was recorded on.
      if (index === null && !branch && detail.branch !== get().viewBranch) {
        await a.viewBranch(detail.branch, { callerSelects: true });
        index = await at(detail.branch);
      }
    }
    const s2 = get();
    const at = index !== null && index >= 0 ? index : null;
    s2.setSelected({ entry: detail, index: at });
    const newest = at !== null && at >= s2.total - 1;
    if (s2.follow !== newest) s2.setFollow(newest);
  }

  async function setFilter(f: Partial<StudioState['filter']>): Promise<void> {
    const s = get();
    s.setFilter(f);
    const sel = s.selected;
    if (!sel || !s.actorId) return;
    get().setSelected({ entry: sel.entry, index: null });
    const { filter, viewBranch, actorId } = get();
    const index = await api.call('listPosition', {
      actor: actorId!,
      ...(viewBranch ? { branch: viewBranch } : {}),
      hash: sel.entry.hash,
      ...filterParams(filter),
    });
    // Only if nothing moved meanwhile (another filter, another selection).
    const now = get();
    if (now.filter === filter && now.selected?.entry.hash === sel.entry.hash)
      now.setSelected({ entry: sel.entry, index });
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
      const w = await api.call('graph', graphWindow(s.actorId, branch, chunk));
      if (get().actorId === s.actorId) get().storeChunk(key, w);
    } finally {
      chunksInFlight.delete(key);
    }
  }

  return {
    ensurePage,
    entryAt,
    selectIndex,
    step,
    selectHash,
    pickDiff,
    shiftPick,
    setFilter,
    ensureChunk,
    setFollow,
    followHead,
  };
}

/** The list's filter as the service's query fields (absent when unset). */
export function filterParams(f: EntryFilter) {
  return {
    ...(f.kinds.length ? { kinds: f.kinds } : {}),
    ...(f.iface ? { iface: f.iface } : {}),
    ...(f.fn ? { fn: f.fn } : {}),
    ...(f.search ? { search: f.search } : {}),
    ...(f.hideNoops ? { hideNoops: true } : {}),
  };
}
