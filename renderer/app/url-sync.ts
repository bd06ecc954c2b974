/**
 * The address bar is a permalink: it follows where the Studio stands (throttled: a live tail moves the selection ten
 * times a second), a link in it is opened at start-up and whenever it changes (a pasted link, an Electron deep link),
 * and the launch token is taken out of it once the page has loaded (the page's cookie carries the session; a copied
 * address must not carry the token).
 */
import type { Actions, StudioState } from '../store/index.ts';
import type { StudioStore } from '../store/create-store.ts';
import { currentLink, linkParams, parseLink } from './permalink.ts';

const WRITE_MS = 400;

export function syncUrl(store: StudioStore, actions: Actions): () => void {
  const start = parseLink(location.hash);
  if (start) actions.guard('Opening the link', actions.openLink(start));

  const onHash = () => {
    const link = parseLink(location.hash);
    if (link) actions.guard('Opening the link', actions.openLink(link));
  };
  window.addEventListener('hashchange', onHash);

  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    // While a link waits for its data, the address keeps saying where the user asked to go.
    if (actions.linkPending()) return;
    const link = currentLink(store.getState());
    const url = `${location.pathname}${withoutToken(location.search)}${link ? `#${linkParams(link)}` : ''}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
  };
  const moved = (s: StudioState, p: StudioState) =>
    s.actorId !== p.actorId ||
    s.viewBranch !== p.viewBranch ||
    s.selected?.entry.hash !== p.selected?.entry.hash ||
    s.diffA !== p.diffA ||
    s.diffB !== p.diffB;
  const off = store.subscribe((s, p) => {
    if (moved(s, p)) timer ??= setTimeout(write, WRITE_MS);
  });
  return () => {
    off();
    window.removeEventListener('hashchange', onHash);
    if (timer) clearTimeout(timer);
  };
}

function withoutToken(search: string): string {
  const q = new URLSearchParams(search);
  q.delete('token');
  const rest = q.toString();
  return rest ? `?${rest}` : '';
}
