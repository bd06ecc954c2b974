/** The top bar: what is open, where the chain stands, and the global actions. */
import type { ConnectionState } from '../../api/client.ts';
import { actions, useStudio, useCurrentActor } from '../../store/index.ts';
import { BundleButtons } from '../bundles/bundle-buttons.tsx';
import { Icon } from '../common/icons.tsx';
import { useReadOnly } from '../db-status/db-status.ts';
import { AttestationBadge } from '../hub/attestation-badge.tsx';
import { OpenHubButton } from '../hub/open-hub-dialog.tsx';
import { IntegrityBadge } from '../integrity/integrity-badge.tsx';
import { CopyLinkButton } from '../permalink/copy-link.tsx';
import { SaveTestButton } from '../save-test/save-test.tsx';

export function Toolbar() {
  const actor = useCurrentActor();
  const theme = useStudio((s) => s.theme);
  const setTheme = useStudio((s) => s.setTheme);
  const setHelp = useStudio((s) => s.setHelp);
  const setOpen = useStudio((s) => s.setOpenDialog);
  const connection = useStudio((s) => s.connection);
  const retry = useStudio((s) => s.retryInMs);
  const branches = useStudio((s) => s.branches);
  const current = useStudio((s) => s.viewBranch);
  const replaying = useStudio((s) => s.replay.phase === 'running');
  const readOnly = useReadOnly('open and start manifests');
  return (
    <header className="toolbar" role="banner">
      <span className="brand">Theater Studio</span>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label="Open manifest"
        title={readOnly ?? 'Open a manifest (O)'}
        disabled={readOnly !== null}
      >
        Open…
      </button>
      <OpenHubButton />
      {actor && (
        <span className="where">
          {/* The id, not the name: a supervisor's child "counter" is not the counter beside it. */}
          <strong aria-label="Actor" title={actor.manifest}>
            {actor.id}
          </strong>
          <select
            aria-label="Branch"
            value={current ?? ''}
            onChange={(e) => actions.guard('Showing the branch', actions.viewBranch(e.target.value))}
          >
            {branches.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
                {b.live ? ' (live)' : ''} · {b.headSeq + 1}
              </option>
            ))}
          </select>
        </span>
      )}
      <IntegrityBadge />
      <AttestationBadge />
      <button
        type="button"
        disabled={!actor || replaying}
        onClick={() => void actions.runReplay()}
        aria-label="Replay"
        title="Replay this branch and compare every hash (R)"
      >
        <Icon name="replay" />
        <span>Replay</span>
      </button>
      <BundleButtons />
      <CopyLinkButton />
      <SaveTestButton />
      <span className="spacer" />
      <span
        className={`conn conn-${connection}`}
        role="status"
        aria-label="Connection"
        title={connectionText(connection, retry).join('')}
      >
        {/* One line always; a narrow window drops the countdown (the title keeps it). */}
        {connectionText(connection, retry).map((part, i) => (
          <span key={i} className={i === 0 ? undefined : 'conn-more'}>
            {part}
          </span>
        ))}
      </span>
      <button
        type="button"
        aria-label="Toggle theme"
        title="Dark / light (T)"
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        <Icon name={theme === 'dark' ? 'moon' : 'sun'} />
      </button>
      <button
        type="button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={() => setHelp(true)}
      >
        ?
      </button>
    </header>
  );
}

/** What the toolbar says of the connection: the word, and what may be dropped when the window is narrow. */
function connectionText(c: ConnectionState, retryInMs: number | null): readonly string[] {
  switch (c) {
    case 'open':
      return ['● connected'];
    case 'connecting':
      return ['◌ connecting…'];
    case 'closed':
      return retryInMs ? ['○ disconnected', ` — retrying in ${Math.ceil(retryInMs / 1000)}s`] : ['○ disconnected'];
    case 'refused':
      // The banner says why and what to do.
      return ['○ refused'];
    default: {
      const never: never = c;
      return [String(never)];
    }
  }
}
