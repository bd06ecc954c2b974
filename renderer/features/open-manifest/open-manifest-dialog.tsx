/** Open a manifest: by path, by upload (manifest + the files it names), by drag-and-drop, or from the recent list. */
import { useEffect, useRef, useState } from 'react';
import type { LoadErrorView, OpenResult } from '../../../studio/contract.ts';
import { api } from '../../api/client.ts';
import { actions, errorMessage, useStudio } from '../../store/index.ts';
import { Modal } from '../common/modal.tsx';
import { useAsync } from '../common/use-async.ts';
import { readUpload } from '../common/uploads.ts';

/** Upload a set of files: the .toml is the manifest, the rest are what it references; its actor is shown. */
export async function openFiles(files: readonly File[]): Promise<OpenResult> {
  const manifest = files.find((f) => f.name.endsWith('.toml'));
  if (!manifest)
    return {
      ok: false,
      error: {
        file: files[0]?.name ?? '(no file)',
        message: 'No manifest (.toml) among the dropped files.',
        hint: 'Drop the manifest.toml together with the .wasm it names.',
      },
    };
  const rest = await Promise.all(files.filter((f) => f !== manifest).map(readUpload));
  return actions.uploadManifest(await readUpload(manifest), rest);
}

export function OpenManifestDialog() {
  const open = useStudio((s) => s.openDialog);
  const setOpen = useStudio((s) => s.setOpenDialog);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<LoadErrorView | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const recent = useAsync(open ? () => api().call('recentManifests', {}) : null, [open]);
  useEffect(() => {
    if (open) inputRef.current?.focus();
  }, [open]);
  if (!open) return null;

  const run = async (p: Promise<OpenResult>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await p;
      if (!r.ok) setError(r.error);
    } catch (e) {
      setError({ file: path || '(upload)', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      label="Open manifest"
      onClose={() => setOpen(false)}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        void run(openFiles([...e.dataTransfer.files]));
      }}
    >
      <h2>Open a manifest</h2>
      <form
        className="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void run(actions.openManifest(path.trim()));
        }}
      >
        <input
          ref={inputRef}
          className="grow mono"
          aria-label="Manifest path"
          placeholder="/path/to/manifest.toml"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy || !path.trim()}>
          {busy ? 'Opening…' : 'Open'}
        </button>
      </form>
      <div className="drop-zone">
        Drop a manifest.toml and its .wasm here, or{' '}
        <label className="link">
          choose files
          <input
            type="file"
            multiple
            aria-label="Upload manifest and files"
            accept=".toml,.wasm,.json"
            className="visually-hidden"
            onChange={(e) => e.target.files && void run(openFiles([...e.target.files]))}
          />
        </label>
      </div>
      {error && <LoadError error={error} />}
      <h4>Recent</h4>
      {recent.status === 'ok' && recent.value.length === 0 && <p className="muted small">Nothing opened yet.</p>}
      <ul className="recent" aria-label="Recent manifests">
        {recent.status === 'ok' &&
          recent.value.map((p) => (
            <li key={p}>
              <button
                type="button"
                className="link mono"
                onClick={() => (setPath(p), void run(actions.openManifest(p)))}
              >
                {p}
              </button>
            </li>
          ))}
      </ul>
      <div className="dialog-foot">
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </Modal>
  );
}

export function LoadError({ error }: { error: LoadErrorView }) {
  const where = `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}`;
  return (
    <div className="load-error" role="alert" aria-label="Load error">
      <div className="where mono">{where}</div>
      <div className="what">{error.message}</div>
      {error.hint && (
        <div className="hint">
          <strong>Fix: </strong>
          {error.hint}
        </div>
      )}
    </div>
  );
}
