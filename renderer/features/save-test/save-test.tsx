/**
 * Save as test: turn a range of the branch on screen into a chain test (a bundle and a reviewable manifest) that
 * `theater test` replays in CI. The range is the one the user picked in the entry list (click one entry,
 * shift-click another), from the selected entry to the head, or the whole branch; the folder defaults to
 * theater-tests/ beside the actor's manifest.
 */
import { useState } from 'react';
import type { EntryView, SavedTestView } from '../../../studio/contract.ts';
import { api, errorMessage } from '../../api/client.ts';
import { Icon } from '../common/icons.tsx';
import { Modal } from '../common/modal.tsx';
import { useCurrentActor, useStudio } from '../../store/index.ts';

type RangeChoice = 'picked' | 'selected' | 'branch';

/** theater-tests/ beside the manifest (the service applies the same default when no folder is given). */
export function defaultTestDir(manifest: string): string {
  const cut = Math.max(manifest.lastIndexOf('/'), manifest.lastIndexOf('\\'));
  return cut < 0 ? 'theater-tests' : `${manifest.slice(0, cut)}/theater-tests`;
}

export function SaveTestButton() {
  const actor = useCurrentActor();
  const [open, setOpen] = useState(false);
  // A hub actor's build is on its node, beside a manifest this machine does not have: the service refuses it too.
  const hub = actor?.node !== undefined;
  return (
    <>
      <button
        type="button"
        disabled={!actor}
        hidden={hub}
        onClick={() => setOpen(true)}
        aria-label="Save as test"
        title="Save a range of this branch as a regression test (theater test)"
      >
        <Icon name="check" />
        <span>Save as test</span>
      </button>
      {open && actor && <SaveTestDialog manifest={actor.manifest} onClose={() => setOpen(false)} />}
    </>
  );
}

function SaveTestDialog({ manifest, onClose }: { readonly manifest: string; readonly onClose: () => void }) {
  const actorId = useStudio((s) => s.actorId);
  const branch = useStudio((s) => s.viewBranch);
  const a = useStudio((s) => s.diffA);
  const b = useStudio((s) => s.diffB);
  const selected = useStudio((s) => s.selected?.entry ?? null);
  const picked =
    a && b && a.branch === b.branch ? ([a, b].sort((x, y) => x.seq - y.seq) as [EntryView, EntryView]) : null;
  const [choice, setChoice] = useState<RangeChoice>(picked ? 'picked' : selected ? 'selected' : 'branch');
  const [dir, setDir] = useState(defaultTestDir(manifest));
  const [name, setName] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedTestView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    if (!actorId) return;
    setBusy(true);
    // A new attempt: what the last one said (saved, or why not) no longer holds.
    setSaved(null);
    setError(null);
    try {
      const range =
        choice === 'picked' && picked
          ? { from: picked[0].hash, to: picked[1].hash }
          : choice === 'selected' && selected
            ? { from: selected.hash }
            : {};
      setSaved(
        await api().call('saveTest', {
          actor: actorId,
          ...(branch ? { branch } : {}),
          ...range,
          ...(dir.trim() ? { dir: dir.trim() } : {}),
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(overwrite ? { overwrite } : {}),
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const option = (value: RangeChoice, label: string, enabled: boolean) => (
    <label className={enabled ? '' : 'muted'}>
      <input
        type="radio"
        name="range"
        value={value}
        disabled={!enabled}
        checked={choice === value}
        onChange={() => setChoice(value)}
      />{' '}
      {label}
    </label>
  );

  return (
    <Modal label="Save as test" onClose={onClose}>
      <h2>Save as test</h2>
      <p className="muted small">
        The range is written as a verifiable bundle with a manifest a reviewer can read. <code>theater test</code>{' '}
        replays it against the current build and fails when behaviour changed. Ranges widen to whole calls.
      </p>
      <fieldset className="save-test-range" aria-label="Range">
        <legend>Range of {branch ?? 'the branch'}</legend>
        {option(
          'picked',
          picked
            ? `Picked entries #${picked[0].seq} to #${picked[1].seq}`
            : 'Picked entries (click one, shift-click another)',
          picked !== null,
        )}
        <br />
        {option(
          'selected',
          selected ? `From the selected entry #${selected.seq} to the head` : 'From the selected entry to the head',
          selected !== null,
        )}
        <br />
        {option('branch', 'The whole branch', true)}
      </fieldset>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="row-form">
          <span>Folder</span>
          <input className="mono grow" aria-label="Test folder" value={dir} onChange={(e) => setDir(e.target.value)} />
        </div>
        <div className="row-form">
          <span>Name</span>
          <input
            className="grow"
            aria-label="Test name"
            placeholder="(from the range)"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        {/* Off by default: a name already in the folder is refused, and the refusal points here. */}
        <label className="check small">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Overwrite a
          test of the same name
        </label>
      </form>
      {error && (
        <div className="load-error" role="alert" aria-label="Save error">
          {error}
        </div>
      )}
      {saved && (
        <div role="status" aria-label="Saved test">
          <p>
            Saved {saved.entries} entries (#{saved.fromSeq} to #{saved.toSeq}) to <code>{saved.file}</code>
          </p>
          <p className="small">
            Run it: <code aria-label="Test command">theater test {saved.file}</code>
          </p>
        </div>
      )}
      <div className="dialog-foot">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
