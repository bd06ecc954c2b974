/** "verified through #N" or the first bad link; re-checked on demand (and after new entries settle). */
import { useEffect } from 'react';
import { api, errorMessage } from '../../api/client.ts';
import { selectHash } from '../../store/actions.ts';
import { useStudio } from '../../store/index.ts';

export async function runVerify(): Promise<void> {
  const s = useStudio.getState();
  s.setVerify({ phase: 'running' });
  try {
    const r = await api().call('verify', s.actorId ? { actor: s.actorId } : {});
    useStudio.getState().setVerify({ phase: 'done', result: r });
  } catch (e) {
    useStudio.getState().setVerify({ phase: 'error', message: errorMessage(e) });
  }
}

export function IntegrityBadge() {
  const v = useStudio((s) => s.verify);
  const actorId = useStudio((s) => s.actorId);
  const progress = useStudio((s) => (s.progress?.task === 'verify' ? s.progress : null));
  useEffect(() => {
    if (actorId) void runVerify();
  }, [actorId]);
  let text = 'integrity: not checked';
  let cls = 'neutral';
  if (v.phase === 'running') text = progress ? `verifying ${progress.done}/${progress.total}…` : 'verifying…';
  if (v.phase === 'error') (text = `verify failed: ${v.message}`), (cls = 'bad');
  if (v.phase === 'done') {
    const r = v.result;
    if (r.ok) (text = r.count === 0 ? '✓ empty chain' : `✓ verified through #${r.count - 1}`), (cls = 'good');
    else (text = `✗ broken at ${r.entry ? r.entry.slice(0, 10) : '?'}: ${r.reason}`), (cls = 'bad');
  }
  return (
    <span className={`integrity ${cls}`} role="status" aria-label="Integrity">
      <button
        type="button"
        className="plain"
        title="Re-check every hash link (V)"
        aria-label="Re-check integrity"
        onClick={() => {
          if (v.phase === 'done' && !v.result.ok && v.result.entry) void selectHash(v.result.entry);
          void runVerify();
        }}
      >
        {text}
      </button>
      {v.phase === 'running' && progress && <progress max={progress.total} value={progress.done} aria-label="Verify progress" />}
    </span>
  );
}
