/** Export the current branch as a bundle file; import one (by upload in the browser, by path anywhere). */
import { actions, useStudio } from '../../store/index.ts';
import { Icon } from '../common/icons.tsx';
import { readUpload } from '../common/uploads.ts';
import { useReadOnly } from '../db-status/db-status.ts';

function download(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
}

export function BundleButtons() {
  const actorId = useStudio((s) => s.actorId);
  const readOnly = useReadOnly('import bundles');
  return (
    <span className="bundles">
      <button
        type="button"
        disabled={!actorId}
        onClick={() => void actions.exportBundle(download)}
        aria-label="Export bundle"
        title="Export this branch as a bundle"
      >
        <Icon name="export" />
        <span>Export</span>
      </button>
      <label className={`button${readOnly ? ' disabled' : ''}`} title={readOnly ?? 'Import a bundle'}>
        <Icon name="import" />
        <span>Import</span>
        <input
          type="file"
          aria-label="Import bundle"
          disabled={readOnly !== null}
          className="visually-hidden"
          onChange={(e) => {
            const input = e.currentTarget;
            const f = input.files?.[0];
            // Focus must not stay in this hidden input (the one-key shortcuts would go to it), and the same file
            // may be imported again.
            input.blur();
            input.value = '';
            if (f)
              void readUpload(f).then(actions.importBundle, (err: unknown) => actions.report('Import failed', err));
          }}
        />
      </label>
    </span>
  );
}
