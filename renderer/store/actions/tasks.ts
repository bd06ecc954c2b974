/** Long and user-started tasks: replay, continue-from-here, firing requests and messages, bundles. */
import type { ActionContext, Actions, TaskActions } from './types.ts';
import { errorMessage } from '../../api/client.ts';

export function taskActions(ctx: ActionContext, a: Actions): TaskActions {
  const { get, api } = ctx;

  async function runReplay(componentPath?: string): Promise<void> {
    const s = get();
    if (!s.actorId) return;
    s.setRightTab('replay');
    s.setReplay({ phase: 'running' });
    s.setDivergence(null);
    await a.verifySettled();
    try {
      const r = await api.call('replay', {
        actor: s.actorId,
        ...(s.viewBranch ? { branch: s.viewBranch } : {}),
        ...(componentPath ? { componentPath } : {}),
      });
      get().setReplay({ phase: 'done', result: r });
      if (r.status === 'diverged') {
        get().setDivergence(r.entry);
        a.guard('Selecting the divergence', a.selectHash(r.entry));
      }
    } catch (e) {
      get().setReplay({ phase: 'error', message: errorMessage(e) });
    } finally {
      get().setProgress(null);
      void a.runVerify();
    }
  }

  async function continueFrom(entry: Parameters<TaskActions['continueFrom']>[0]): Promise<void> {
    const b = await api.call('fork', { actor: entry.actor, hash: entry.hash });
    if (!b.live) await api.call('setLiveBranch', { actor: entry.actor, branch: b.name });
    await a.refreshBranches();
    await a.viewBranch(b.name);
    a.setFollow(true);
    await a.refreshActors();
  }

  async function fireHttp(req: Parameters<TaskActions['fireHttp']>[0]) {
    try {
      const res = await api.call('fireHttp', req);
      get().pushHttp({ req, res, at: Date.now() });
      get().setHighlighted(res.entries);
      return res;
    } catch (e) {
      get().pushHttp({ req, res: null, error: errorMessage(e), at: Date.now() });
      throw e;
    }
  }

  async function fireMessage(req: Parameters<TaskActions['fireMessage']>[0]) {
    const r = await api.call('fireMessage', req);
    get().setHighlighted(r.entries);
    return r;
  }

  async function exportBundle(download: (url: string, name: string) => void): Promise<void> {
    const { actorId, viewBranch } = get();
    if (!actorId) return;
    try {
      const r = await api.call('exportBundle', {
        actor: actorId,
        ...(viewBranch ? { branch: viewBranch } : {}),
        withComponent: true,
      });
      if (r.downloadUrl) download(r.downloadUrl, r.file.split('/').pop() ?? 'chain.bundle');
      a.notify('info', `Exported ${(r.bytes / 1024).toFixed(1)} KiB to ${r.file}`);
    } catch (e) {
      a.report('Export failed', e);
    }
  }

  async function importBundle(upload: Parameters<TaskActions['importBundle']>[0]): Promise<void> {
    try {
      const r = await api.call('importBundle', { upload });
      const linkWaiting = a.linkPending();
      await a.refreshActors();
      // A permalink that waited for this bundle has just landed: stay where it took the user.
      if (!linkWaiting || a.linkPending()) await a.showActor(r.actor);
      const where = `${r.actor}${r.branch ? `, branch ${r.branch}` : ''}`;
      const added =
        r.added === undefined ? '' : r.added === 0 ? ', none new (all were here already)' : `, ${r.added} new`;
      a.notify('info', `Imported ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'} into ${where}${added}.`);
    } catch (e) {
      a.report('Import failed', e);
    }
  }

  return { runReplay, continueFrom, fireHttp, fireMessage, exportBundle, importBundle };
}
