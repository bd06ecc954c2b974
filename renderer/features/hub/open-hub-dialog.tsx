/** Open a hub: a PostgreSQL URL; its nodes' actors then appear beside the Studio's own, read-only (docs/hub.md). */
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { Modal } from '../common/modal.tsx';
import { closeHub, openHub, useHub } from './hub-state.ts';
import { hubUrlError } from './hub-url.ts';

export function OpenHubButton() {
  const setDialog = useHub((s) => s.setDialog);
  return (
    <button type="button" onClick={() => setDialog(true)} aria-label="Open hub" title="Read a chain hub (PostgreSQL)">
      Open hub…
    </button>
  );
}

export function OpenHubDialog() {
  const open = useHub((s) => s.dialog);
  const setDialog = useHub((s) => s.setDialog);
  const hub = useHub((s) => s.hub);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) inputRef.current?.focus();
  }, [open]);
  if (!open) return null;
  // Said as it is typed, in the user's terms; the service would refuse it naming its params.
  const urlError = hubUrlError(url);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setDialog(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal label="Open hub" onClose={() => setDialog(false)}>
      <h2>Open a hub</h2>
      <p className="muted small">
        A PostgreSQL database that nodes ship their chains to (<code>theater run --hub …</code>). Its nodes&apos; actors
        are listed beside this Studio&apos;s own, read-only; new entries stream in as nodes ship them.
      </p>
      <form
        className="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim() && !urlError) void run(() => openHub(url.trim()));
        }}
      >
        <input
          ref={inputRef}
          className="grow mono"
          aria-label="Hub URL"
          placeholder="postgres://user@host:5432/database"
          value={url}
          aria-invalid={urlError !== null}
          aria-describedby={urlError ? 'hub-url-error' : undefined}
          onChange={(e) => {
            setUrl(e.target.value);
            setError(null);
          }}
        />
        <button type="submit" className="primary" disabled={busy || !url.trim() || urlError !== null}>
          {busy ? 'Opening…' : 'Open'}
        </button>
      </form>
      {urlError && (
        <p id="hub-url-error" className="error-text small">
          {urlError}
        </p>
      )}
      {error && (
        <div className="load-error" role="alert" aria-label="Hub error">
          <div className="what">{error}</div>
        </div>
      )}
      {hub && (
        <p className="small">
          Reading <span className="mono">{hub.url}</span>{' '}
          <button type="button" className="link" disabled={busy} onClick={() => void run(closeHub)}>
            Close it
          </button>
        </p>
      )}
      <div className="dialog-foot">
        <button type="button" onClick={() => setDialog(false)}>
          Close
        </button>
      </div>
    </Modal>
  );
}
