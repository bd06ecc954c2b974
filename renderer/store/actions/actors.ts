/** Actors and branches: which actor is on screen, its branches and logs, and the commands of the actor tree. */
import { firstActor } from '../../../studio/contract.ts';
import { CHUNK } from '../../viz/layout/viewport.ts';
import { EMPTY_FILTER, isFiltered, PAGE, type EntryFilter } from '../slices.ts';
import { filterParams } from './entries.ts';
import type { ActionContext, ActorActions, Actions } from './types.ts';

export function actorActions(ctx: ActionContext, a: Actions): ActorActions {
  const { get, api, store } = ctx;

  // Actors are asked for from several places at once (connect, the `actors` event, the open dialog). One load runs at
  // a time, so a second one cannot reset the selection the first is making; a request made while a load runs gets
  // one more load after it (shared by every such request): the list it fetched may predate the actor just opened.
  let actorsLoading: Promise<void> | null = null;
  let actorsQueued: Promise<void> | null = null;
  function refreshActors(): Promise<void> {
    if (!actorsLoading) {
      actorsLoading = loadActors().finally(() => (actorsLoading = null));
      return actorsLoading;
    }
    // The running load's own caller hears of its failure; the queued load runs either way.
    const settled = actorsLoading.then(
      () => undefined,
      () => undefined,
    );
    actorsQueued ??= settled.then(() => {
      actorsQueued = null;
      return refreshActors();
    });
    return actorsQueued;
  }

  async function loadActors(): Promise<void> {
    const actors = await api.call('listActors', {});
    const s = get();
    s.setActors(actors);
    // A permalink being opened decides which actor is shown, once its actor is there.
    if (a.linkPending() && (await a.applyPendingLink())) return;
    // Keep the current actor if it still exists; else show the first root actor (the one the user just opened).
    if (!s.actorId || !actors.some((x) => x.id === s.actorId)) {
      const first = firstActor(actors);
      if (first) await showActor(first.id);
    }
  }

  async function showActor(id: string): Promise<void> {
    // What belonged to the previous actor goes, across slices, in one update.
    store.setState((s) => ({
      actorId: id,
      branches: [],
      viewBranch: null,
      selected: null,
      diffA: null,
      diffB: null,
      highlighted: new Set(),
      divergence: null,
      chunks: new Map(),
      replay: { phase: 'idle' },
      ...freshLists(s),
    }));
    // The graph opens on the live head: ask for its window alongside the branches, not after them.
    const actor = get().actors.find((x) => x.id === id);
    if (actor && actor.seq >= 0)
      a.guard('Loading the graph', a.ensureChunk(actor.liveBranch, Math.floor(actor.seq / CHUNK)));
    await refreshBranches();
    // Open on the head, so the details and state panes show something useful straight away.
    try {
      await selectHead();
    } finally {
      // Only now: verifying a long chain competes with the opening requests for the service and the CPU.
      if (get().actorId === id) void a.runVerify();
    }
  }

  async function refreshBranches(): Promise<void> {
    const { actorId } = get();
    if (!actorId) return;
    const branches = await api.call('branches', { actor: actorId });
    const s = get();
    if (s.actorId !== actorId) return;
    s.setBranches(branches);
    if (!s.viewBranch || !branches.some((b) => b.name === s.viewBranch)) {
      const live = branches.find((b) => b.live) ?? branches[0];
      // The branch shown went away: the selection is re-resolved on the one shown instead, as on a switch.
      if (s.viewBranch && live) await viewBranch(live.name);
      else s.setViewBranch(live?.name ?? null);
    }
  }

  /**
   * Selects the newest row of the list as it now stands (actor and branch), unless something else got selected
   * meanwhile. Unfiltered, the head's row is the view branch's head seq: its page is served at once, while page 0 of a
   * long chain waits for the service's index.
   */
  async function selectHead(): Promise<void> {
    const { actorId, viewBranch: branch, branches, filter } = get();
    const view = branches.find((b) => b.name === branch);
    await a.ensurePage(view && !isFiltered(filter) ? Math.floor(Math.max(0, view.headSeq) / PAGE) : 0);
    const now = get();
    if (now.total > 0 && !now.selected && now.actorId === actorId && now.viewBranch === branch)
      await a.selectIndex(now.total - 1);
  }

  async function viewBranch(name: string, opts: { readonly callerSelects?: boolean } = {}): Promise<void> {
    const s = get();
    if (s.viewBranch === name) return;
    const { actorId, selected } = s;
    // One update: nothing of the previous branch's list or selection is shown beside the new branch's name (its
    // rows are not the list's any more, and its position in the old list means nothing in the new one).
    store.setState((st) => ({
      viewBranch: name,
      selected: null,
      ...freshLists(st),
    }));
    if (opts.callerSelects || !actorId) return;
    const moved = () => {
      const now = get();
      return now.actorId !== actorId || now.viewBranch !== name || now.selected !== null;
    };
    // The entry that was selected stays selected if the new branch has it too (history shared before the fork),
    // at its row there; otherwise the new branch opens on its head. Either way through selectIndex, so that
    // "Following head" says whether the selection is the newest row.
    if (!selected) return selectHead();
    const { filter } = get();
    const rowOn = (f: EntryFilter) =>
      api.call('listPosition', { actor: actorId, branch: name, hash: selected.entry.hash, ...filterParams(f) });
    const index = await rowOn(filter);
    // Hidden by the filter is not the same as not on the branch: such an entry stays selected, with no row (as when
    // a filter hides it: setFilter).
    const onBranch = index !== null || (isFiltered(filter) && (await rowOn(EMPTY_FILTER)) !== null);
    if (moved()) return;
    if (!onBranch) return selectHead();
    if (index === null) {
      get().setSelected({ entry: selected.entry, index: null });
      if (get().follow) a.setFollow(false);
      return;
    }
    await a.ensurePage(Math.floor(index / PAGE));
    if (!moved()) await a.selectIndex(index);
  }

  async function actorCommand(actor: string, command: 'startActor' | 'stopActor' | 'restartActor'): Promise<void> {
    const verb = { startActor: 'Starting', stopActor: 'Stopping', restartActor: 'Restarting' }[command];
    try {
      if (command === 'startActor') {
        const r = await api.call('startActor', { actor });
        if (!r.ok) a.notify('error', `${verb} ${actor}: ${r.error.file}: ${r.error.message}`);
      } else await api.call(command, { actor });
    } catch (e) {
      a.report(`${verb} ${actor}`, e);
    }
    await refreshActors();
  }

  /** After a manifest opened: show its actor. */
  async function afterOpen(r: Awaited<ReturnType<ActorActions['openManifest']>>) {
    if (!r.ok) return r;
    await refreshActors();
    await showActor(r.actor);
    get().setOpenDialog(false);
    if (r.alreadyRunning) a.notify('info', `${r.actor} is running already: showing it.`);
    if (r.note) a.notify('info', r.note);
    return r;
  }

  return {
    refreshActors,
    showActor,
    refreshBranches,
    viewBranch,
    actorCommand,
    openManifest: async (path) => afterOpen(await api.call('openManifest', { path })),
    uploadManifest: async (manifest, files) => afterOpen(await api.call('uploadManifest', { manifest, files })),
  };
}

/** The entry list and the log list emptied, with new versions, so that no page asked for before lands in them. */
function freshLists(s: { readonly listVersion: number; readonly logVersion: number }) {
  return {
    pages: new Map(),
    total: 0,
    listVersion: s.listVersion + 1,
    baseVersion: s.listVersion + 1,
    logPages: new Map(),
    logTotal: 0,
    logVersion: s.logVersion + 1,
    logBase: s.logVersion + 1,
  };
}
