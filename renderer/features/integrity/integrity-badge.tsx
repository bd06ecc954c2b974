/**
 * "verified through #N" of the branch on screen, or the first bad link; re-checked on demand and as entries arrive.
 * #N is the seq of that branch's head when it was checked — not a count of every branch's entries, which the
 * tooltip gives — and "of #M" says that newer entries are still to be checked.
 */
import { useState } from 'react';
import type { BranchView, VerifyView } from '../../../studio/contract.ts';
import { actions, useStudio } from '../../store/index.ts';
import { plural } from '../common/format.ts';

interface Verdict {
  readonly text: string;
  readonly cls: string;
  readonly title: string;
}

/**
 * What a check says of the branch on screen; null when it says nothing of it: the branch was made after the check
 * (a fork just made by "Continue from here"), so its entries have not been checked yet.
 */
function verdict(r: VerifyView, actor: string | null, view: BranchView | undefined): Verdict | null {
  const all = `${plural(r.count, 'entry', 'entries')} on every branch${actor ? ` of ${actor}` : ''}`;
  if (!r.ok) {
    const at = `${r.entry?.slice(0, 10) ?? '?'}${r.seq !== undefined ? ` (#${r.seq})` : ''}`;
    return {
      text: `✗ broken at ${at}: ${r.reason}`,
      cls: 'bad',
      title: `✗ broken at ${at}: ${r.reason}. Click: go to the first bad entry. ${all}.`,
    };
  }
  if (r.count === 0) return { text: '✓ empty chain', cls: 'good', title: 'Nothing recorded yet' };
  const checked = r.branches?.find((b) => b.branch === view?.name);
  if (r.branches && view && !checked) return null;
  if (!checked || checked.seq < 0) return { text: `✓ ${all} verified`, cls: 'good', title: `${all} verified` };
  const behind = view && view.headSeq > checked.seq ? ` of #${view.headSeq}` : '';
  return {
    text: `✓ verified through #${checked.seq}${behind}`,
    cls: 'good',
    title: `${view?.name}: every entry through #${checked.seq} verified (${all}). Click to re-check.`,
  };
}

export function IntegrityBadge() {
  const v = useStudio((s) => s.verify);
  const actorId = useStudio((s) => s.actorId);
  const progress = useStudio((s) => (s.progress?.task === 'verify' ? s.progress : null));
  const view = useStudio((s) => s.branches.find((b) => b.name === s.viewBranch));
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
  let title = 'Re-check every hash link (V)';
  const said = v.phase === 'done' ? verdict(v.result, actorId, view) : null;
  if (v.phase === 'running') {
    const kept = last.result && verdict(last.result, actorId, view);
    if (progress) text = `verifying ${progress.done}/${progress.total}…`;
    else if (kept) ({ text, cls, title } = kept);
    else text = 'verifying…';
  }
  // The check did not run (the connection dropped, the db could not be read): that says nothing of the chain, so
  // not in red as a broken chain is ("verify failed: connection … lost" read as a failed verify).
  if (v.phase === 'error') {
    text = `not checked: ${v.message}`;
    title = `The check could not run: ${v.message}. Click to try again (V)`;
  }
  if (said) ({ text, cls, title } = said);
  // The last check did not see this branch; entries recorded on it are checked shortly (live.ts: scheduleVerify).
  else if (v.phase === 'done') {
    text = 'integrity: not checked yet';
    title = `${view?.name ?? 'This branch'} was made after the last check. Click to check it now (V)`;
  }
  return (
    <span className={`integrity ${cls}`} role="status" aria-label="Integrity">
      <button
        type="button"
        className="plain"
        title={title}
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
