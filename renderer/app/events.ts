/** Wires the service's pushed events into the store. Called once at startup; lives outside React on purpose. */
import { api } from '../api/client.ts';
import { onNewEntries, refreshActors, refreshBranches } from '../store/actions.ts';
import { useStudio } from '../store/index.ts';
import { refreshHub } from '../features/hub/hub-state.ts';

export function wireEvents(): void {
  const c = api();
  const s = () => useStudio.getState();
  let wasOpen = false;
  c.onState((state, retry) => {
    s().setConnection(state, retry);
    // On (re)connect, reload everything: events missed while disconnected are not replayed.
    if (state === 'open') {
      if (wasOpen) s().invalidateEntries(false);
      wasOpen = true;
      void refreshActors().catch(() => {});
      void refreshBranches().catch(() => {});
      void refreshHub().catch(() => {});
    }
  });
  c.on('log', (l) => s().appendLog(l));
  c.on('entries', (p) => onNewEntries(p));
  c.on('actors', () => {
    void refreshActors().catch(() => {});
    void refreshHub().catch(() => {});
  });
  c.on('actorStatus', ({ actor, status }) => {
    s().setActors(s().actors.map((a) => (a.id === actor ? { ...a, status } : a)));
  });
  c.on('progress', (p) => s().setProgress(p.done >= p.total ? null : p));
  c.on('componentChanged', (p) => s().setComponentChanged(p));
}
