/** "verified through #N" or the first bad link; re-checked on demand and after new entries settle. */
import { useState } from 'react';
import type { VerifyView } from '../../../studio/contract.ts';
import { actions, useStudio } from '../../store/index.ts';

function verdict(r: VerifyView): { text: string; cls: string } {
  if (r.ok) return { text: r.count === 0 ? '✓ empty chain' : `✓ verified through #${r.count - 1}`, cls: 'good' };
  return { text: `✗ broken at ${r.entry ? r.entry.slice(0, 10) : '?'}: ${r.reason}`, cls: 'bad' };
}

export function IntegrityBadge() {
  const v = useStudio((s) => s.verify);
  const actorId = useStudio((s) => s.actorId);
  const progress = useStudio((s) => (s.progress?.task === 'verify' ? s.progress : null));
  // While re-checking, keep the last verdict on screen rather than flicker to "verifying…" after every request. A
  // new actor's chain is verified by showActor once it is on screen; an old verdict must not stand for it. (State
  // adjusted during render, React's pattern for "information from previous renders".)
  const [last, setLast] = useState<{ actor: string | null; result: VerifyView | null }>({
    actor: actorId,
    result: null,
  });
  if (last.actor !== actorId) setLast({ actor: actorId, result: null });
  else if (v.phase === 'done' && last.result !== v.result) setLast({ actor: actorId, result: v.result });

  let text = 'integrity: not checked';
  let cls = 'neutral';
  if (v.phase === 'running') {
    if (progress) text = `verifying ${progress.done}/${progress.total}…`;
    else if (last.result) ({ text, cls } = verdict(last.result));
    else text = 'verifying…';
  }
  if (v.phase === 'error') {
    text = `verify failed: ${v.message}`;
    cls = 'bad';
  }
  if (v.phase === 'done') ({ text, cls } = verdict(v.result));
  return (
    <span className={`integrity ${cls}`} role="status" aria-label="Integrity">
      <button
        type="button"
        className="plain"
        title="Re-check every hash link (V)"
        aria-label="Re-check integrity"
        onClick={() => {
          if (v.phase === 'done' && !v.result.ok && v.result.entry)
            actions.guard('Going to the entry', actions.selectHash(v.result.entry));
          void actions.runVerify();
        }}
      >
        {text}
      </button>
      {v.phase === 'running' && progress && (
        <progress max={progress.total} value={progress.done} aria-label="Verify progress" />
      )}
    </span>
  );
}
