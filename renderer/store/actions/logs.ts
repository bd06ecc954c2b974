/** The log panel's pages: the actor's log as its chain recorded it, fetched a page at a time like the entry list. */
import { LOG_PAGE } from '../slices.ts';
import type { ActionContext, LogActions } from './types.ts';

export function logActions(ctx: ActionContext): LogActions {
  const { get, api } = ctx;
  const inFlight = new Map<string, Promise<void>>();

  function ensureLogPage(page: number): Promise<void> {
    const s = get();
    if (!s.actorId || !s.viewBranch) return Promise.resolve();
    const cached = s.logPages.get(page);
    if (cached && cached.version >= s.logVersion) return Promise.resolve();
    const key = `${s.logVersion}:${page}`;
    const running = inFlight.get(key);
    if (running) return running;
    const p = fetchLogPage(page).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  async function fetchLogPage(page: number): Promise<void> {
    const s = get();
    if (!s.actorId) return;
    const version = s.logVersion;
    const res = await api.call('logHistory', {
      actor: s.actorId,
      ...(s.viewBranch ? { branch: s.viewBranch } : {}),
      offset: page * LOG_PAGE,
      limit: LOG_PAGE,
      ...(s.logFilter ? { search: s.logFilter } : {}),
    });
    get().storeLogPage(page, version, res.total, res.items);
  }

  return { ensureLogPage };
}
