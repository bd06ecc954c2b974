/** Permalinks and typed hashes: going to a place in the chain named by hashes, once the data is there. */
import type { EntryDetail, StudioLink } from '../../../studio/contract.ts';
import { ApiCallError } from '../../api/client.ts';
import type { ActionContext, Actions, LinkActions } from './types.ts';

export function linkActions(ctx: ActionContext, a: Actions): LinkActions {
  const { get, api } = ctx;
  let pending: StudioLink | null = null;
  /** What the user was last told the link waits for (said once, not on every retry). */
  let toldWaiting: string | null = null;
  let applying: Promise<boolean> | null = null;

  /** The entry, or null when the store does not have it (yet). */
  async function entry(hash: string): Promise<EntryDetail | null> {
    try {
      return await api.call('entry', { hash });
    } catch (e) {
      if (e instanceof ApiCallError && e.code === 'not-found') return null;
      throw e;
    }
  }

  function waitFor(what: string): false {
    if (toldWaiting !== what) {
      toldWaiting = what;
      a.notify('info', `The link waits for ${what}: it opens as soon as that is recorded or imported.`);
    }
    return false;
  }

  async function apply(): Promise<boolean> {
    const link = pending;
    if (!link) return true;
    // Opened at start-up, a link comes before the actor list: it is applied once the list arrives (loadActors), and
    // only then can an actor be said to be missing.
    if (!get().actorsKnown) return false;
    if (!get().actors.some((x) => x.id === link.actor)) return waitFor(`actor ${link.actor}`);
    // Everything the link names must be there before anything moves: a half-applied link would mislead.
    const [at, pa, pb] = await Promise.all(
      [link.entry, link.a, link.b].map((h) => (h ? entry(h) : Promise.resolve(undefined))),
    );
    const missing = [link.entry, link.a, link.b].find((h, i) => h && [at, pa, pb][i] === null);
    if (missing) return waitFor(`entry ${missing.slice(0, 12)}`);
    if (get().actorId !== link.actor) await a.showActor(link.actor);
    if (link.branch) {
      await a.refreshBranches();
      if (!get().branches.some((b) => b.name === link.branch)) return waitFor(`branch ${link.branch}`);
      await a.viewBranch(link.branch, { callerSelects: !!link.entry });
    }
    if (pending !== link) return false; // another link was opened meanwhile
    pending = null;
    toldWaiting = null;
    if (link.entry) await a.selectHash(link.entry, link.branch);
    if (pa || pb) {
      get().setDiffA(pa ?? null);
      get().setDiffB(pb ?? null);
      if (pa && pb) get().setRightTab('diff');
    }
    return true;
  }

  function applyPendingLink(): Promise<boolean> {
    // One at a time: the actors load, a flush of entries and a hashchange may all ask at once.
    applying ??= apply().finally(() => (applying = null));
    return applying;
  }

  async function jumpToHash(prefix: string): Promise<boolean> {
    const found = await api.call('findEntries', { prefix: prefix.toLowerCase(), limit: 10 });
    if (found.length === 0) return false;
    const s = get();
    const pick =
      found.find((e) => e.actor === s.actorId && e.branch === s.viewBranch) ??
      found.find((e) => e.actor === s.actorId) ??
      found[0]!;
    if (found.length > 1)
      a.notify('info', `${found.length} entries start with ${prefix}: showing #${pick.seq} of ${pick.actor}.`);
    await a.selectHash(pick.hash);
    return true;
  }

  return {
    openLink: async (link) => {
      pending = link;
      toldWaiting = null;
      await applyPendingLink();
    },
    applyPendingLink,
    linkPending: () => pending !== null,
    jumpToHash,
  };
}
