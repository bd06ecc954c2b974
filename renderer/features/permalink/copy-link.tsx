/** "Copy link": a permalink to where the Studio stands (actor, branch, selected entry, diff picks). */
import { currentLink, shareableLink } from '../../app/permalink.ts';
import { actions, useStudio } from '../../store/index.ts';
import { Icon } from '../common/icons.tsx';

export async function copyLink(): Promise<void> {
  const link = currentLink(useStudio.getState());
  if (!link) return;
  const url = shareableLink(link, {
    kind: window.studio ? 'electron' : 'web',
    origin: location.origin,
    path: location.pathname,
  });
  try {
    await navigator.clipboard.writeText(url);
    actions.notify('info', `Link copied: ${url}`);
  } catch {
    // No clipboard here (permissions, an insecure context): the link is shown to copy by hand.
    actions.notify('info', `Link: ${url}`);
  }
}

export function CopyLinkButton() {
  const actorId = useStudio((s) => s.actorId);
  return (
    <button
      type="button"
      disabled={!actorId}
      onClick={() => void copyLink()}
      aria-label="Copy link"
      title="Copy a link to this actor, branch, entry and diff (L)"
    >
      <Icon name="link" />
      <span>Link</span>
    </button>
  );
}
