/** Export the current branch as a bundle file; import one (by upload in the browser, by path anywhere). */
import { useState } from 'react';
import { api, errorMessage } from '../../api/client.ts';
import { refreshActors, showActor } from '../../store/actions.ts';
import { useStudio } from '../../store/index.ts';
import { useReadOnly } from '../db-status/db-status.ts';

export function BundleButtons() {
  const actorId = useStudio((s) => s.actorId);
  const branch = useStudio((s) => s.viewBranch);
  const [msg, setMsg] = useState<string | null>(null);
  const readOnly = useReadOnly('import bundles');
  const exp = async () => {
    if (!actorId) return;
    try {
      const r = await api().call('exportBundle', {
        actor: actorId,
        ...(branch ? { branch } : {}),
        withComponent: true,
      });
      if (r.downloadUrl) {
        const a = document.createElement('a');
        a.href = r.downloadUrl;
        a.download = r.file.split('/').pop() ?? 'chain.bundle';
        a.click();
      }
      setMsg(`Exported ${(r.bytes / 1024).toFixed(1)} KiB to ${r.file}`);
    } catch (e) {
      setMsg(`Export failed: ${errorMessage(e)}`);
    }
  };
  const imp = async (f: File) => {
    try {
      const buf = new Uint8Array(await f.arrayBuffer());
      let bin = '';
      for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
      const r = await api().call('importBundle', { upload: { name: f.name, base64: btoa(bin) } });
      await refreshActors();
      await showActor(r.actor);
      setMsg(`Imported ${r.entries} entries onto ${r.branch}`);
    } catch (e) {
      setMsg(`Import failed: ${errorMessage(e)}`);
    }
  };
  return (
    <span className="bundles">
      <button
        type="button"
        disabled={!actorId}
        onClick={() => void exp()}
        aria-label="Export bundle"
        title="Export this branch as a bundle"
      >
        ⇩ Export
      </button>
      <label className={`button${readOnly ? ' disabled' : ''}`} title={readOnly ?? 'Import a bundle'}>
        ⇧ Import
        <input
          type="file"
          aria-label="Import bundle"
          disabled={readOnly !== null}
          className="visually-hidden"
          onChange={(e) => e.target.files?.[0] && void imp(e.target.files[0])}
        />
      </label>
      {msg && (
        <span className="toast" role="status" onClick={() => setMsg(null)}>
          {msg}
        </span>
      )}
    </span>
  );
}
