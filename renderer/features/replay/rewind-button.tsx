import { useState } from 'react';
import type { EntryView } from '../../../studio/contract.ts';
import { actions, errorMessage, useCurrentActor } from '../../store/index.ts';
import { Icon } from '../common/icons.tsx';
import { useReadOnly } from '../db-status/db-status.ts';

/**
 * "Continue from here": fork the chain at this entry and make the fork live, so the next request the actor handles
 * extends the new branch. The old branch stays as it was.
 */
export function RewindButton({ entry }: { entry: EntryView }) {
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A hub actor's chain is its node's to extend: the Studio only reads it.
  const hubActor = useCurrentActor()?.node !== undefined;
  // Another process writes the Studio's db: shown, disabled, saying who.
  const readOnly = useReadOnly('fork');
  const go = async () => {
    setBusy(true);
    setErr(null);
    try {
      await actions.continueFrom(entry);
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (hubActor) return null;
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy || readOnly !== null}
        onClick={() => void go()}
        aria-label="Continue from here"
        title={readOnly ?? 'Fork the chain here and make the fork live (C)'}
      >
        <Icon name="fork" />
        <span>Continue from here</span>
      </button>
      {err && <span className="error-text small">{err}</span>}
    </>
  );
}
