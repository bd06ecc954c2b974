/**
 * Permalinks: the Studio's place (actor, branch, selected entry, diff picks) as URL parameters, and back. The web
 * host keeps them after `#` in its URL (never sent to the server, and a reload keeps them); the Electron app is
 * opened with the same parameters by a `theater-studio://open?…` deep link. Pure functions, unit-tested.
 */
import { LINK_KEYS, LINK_SCHEME, type StudioLink } from '../../studio/contract.ts';
import type { StudioState } from '../store/index.ts';

const HASH = /^[0-9a-f]{64}$/;

/** The link in URL parameters (`actor=…&entry=…`, with or without a leading `#` or `?`); null when there is none. */
export function parseLink(params: string): StudioLink | null {
  const q = new URLSearchParams(params.replace(/^[#?]/, ''));
  const actor = q.get('actor');
  if (!actor || actor.length > 512) return null;
  const hash = (k: 'entry' | 'a' | 'b') => {
    const v = q.get(k)?.toLowerCase();
    return v && HASH.test(v) ? { [k]: v } : {};
  };
  const branch = q.get('branch');
  return {
    actor,
    ...(branch && branch.length <= 128 ? { branch } : {}),
    ...hash('entry'),
    ...hash('a'),
    ...hash('b'),
  };
}

/** The link as URL parameters, keys in a fixed order. */
export function linkParams(link: StudioLink): string {
  const q = new URLSearchParams();
  for (const k of LINK_KEYS) {
    const v = link[k];
    if (v) q.set(k, v);
  }
  return q.toString();
}

/** Where the Studio stands now, as a link; null before an actor is on screen. */
export function currentLink(s: Pick<StudioState, 'actorId' | 'viewBranch' | 'selected' | 'diffA' | 'diffB'>) {
  if (!s.actorId) return null;
  const link: StudioLink = {
    actor: s.actorId,
    ...(s.viewBranch ? { branch: s.viewBranch } : {}),
    ...(s.selected ? { entry: s.selected.entry.hash } : {}),
    ...(s.diffA ? { a: s.diffA.hash } : {}),
    ...(s.diffB ? { b: s.diffB.hash } : {}),
  };
  return link;
}

/**
 * The link to give someone: in the web host, this page's address with the link after `#` and without the launch
 * token (the browser that opened the Studio has its cookie; the token is not to be passed around); in Electron, a
 * deep link.
 */
export function shareableLink(link: StudioLink, where: { kind: 'web' | 'electron'; origin: string; path: string }) {
  const params = linkParams(link);
  return where.kind === 'electron' ? `${LINK_SCHEME}://open?${params}` : `${where.origin}${where.path}#${params}`;
}
