/**
 * `theater-studio://open?actor=…&branch=…&entry=…&a=…&b=…` deep links: the operating system hands them to the app
 * (macOS: 'open-url'; Linux and Windows: the second instance's command line, or the first's), and the app opens the
 * window on that place by giving the renderer the same parameters after `#` — a same-document navigation the renderer
 * follows (renderer/app/url-sync.ts). Pure of Electron, so it is tested without a binary.
 */
import { LINK_KEYS, LINK_SCHEME } from '../../studio/contract.ts';
import { APP_URL } from './security.ts';

/** A parameter longer than this is no actor id, branch or hash: the link is refused rather than passed on. */
const MAX_PARAM = 512;

/** The app URL that shows a deep link's place; null for anything that is not one of our links. */
export function appUrlForDeepLink(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${LINK_SCHEME}:` || u.hostname !== 'open') return null;
  const q = new URLSearchParams();
  for (const k of LINK_KEYS) {
    const v = u.searchParams.get(k);
    if (v === null) continue;
    if (v.length === 0 || v.length > MAX_PARAM) return null;
    q.set(k, v);
  }
  if (!q.has('actor')) return null;
  return `${APP_URL}#${q.toString()}`;
}

/** The deep link among a process's arguments (how Linux and Windows pass it), if any. */
export function deepLinkInArgs(argv: readonly string[]): string | undefined {
  return argv.find((a) => a.startsWith(`${LINK_SCHEME}://`));
}

export interface WindowLike {
  loadURL(url: string): Promise<unknown>;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
}

/** Shows a deep link's place in the window; false (and nothing done) when it is not one of our links. */
export function openDeepLink(win: WindowLike, url: string): boolean {
  const target = appUrlForDeepLink(url);
  if (!target) return false;
  void win.loadURL(target);
  if (win.isMinimized()) win.restore();
  win.focus();
  return true;
}
