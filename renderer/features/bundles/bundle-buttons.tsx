/** Export the current branch as a bundle file; import one (by upload in the browser, by path anywhere). */
import { actions, useStudio } from '../../store/index.ts';
import { readUpload } from '../common/uploads.ts';

function download(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
}

export function BundleButtons() {
  const actorId = useStudio((s) => s.actorId);
  return (
    <span className="bundles">
      <button
        type="button"
        disabled={!actorId}
        onClick={() => void actions.exportBundle(download)}
        aria-label="Export bundle"
        title="Export this branch as a bundle"
      >
        ⇩ Export
      </button>
      <label className="button" title="Import a bundle">
        ⇧ Import
        <input
          type="file"
          aria-label="Import bundle"
          className="visually-hidden"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f)
              void readUpload(f).then(actions.importBundle, (err: unknown) => actions.report('Import failed', err));
          }}
        />
      </label>
    </span>
  );
}
