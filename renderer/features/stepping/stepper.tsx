/** Step through the branch's entries: first/prev/next/last, a slider over the whole list, and where you are. */
import { useEffect, useState } from 'react';
import { actions, useStudio } from '../../store/index.ts';
import { Icon } from '../common/icons.tsx';

export function Stepper() {
  const total = useStudio((s) => s.total);
  const index = useStudio((s) => s.selected?.index ?? null);
  const seq = useStudio((s) => s.selected?.entry.seq ?? null);
  const branch = useStudio((s) => s.viewBranch);
  // The slider moves freely while dragged, previews after a pause, and selects where it is let go (pointer, key or
  // focus leaving): dragging across a million entries does not fire a million requests. What it shows stays where it
  // was let go until the selection has landed there, so it never snaps back.
  const [drag, setDrag] = useState<number | null>(null);
  useEffect(() => {
    if (drag === null) return;
    const t = setTimeout(() => actions.guard('Selecting the entry', actions.selectIndex(drag)), 120);
    return () => clearTimeout(t);
  }, [drag]);
  const commit = () => {
    if (drag === null) return;
    const at = drag;
    void actions
      .selectIndex(at)
      .catch((e: unknown) => actions.report('Selecting the entry', e))
      .finally(() => setDrag((d) => (d === at ? null : d)));
  };
  const value = drag ?? index ?? 0;
  const max = Math.max(0, total - 1);
  return (
    <div className="stepper" role="toolbar" aria-label="Stepping">
      <button
        type="button"
        aria-label="First entry"
        title="First entry (Home)"
        disabled={total === 0}
        onClick={() => actions.guard('Selecting the entry', actions.selectIndex(0))}
      >
        <Icon name="first" />
      </button>
      <button
        type="button"
        aria-label="Previous entry"
        title="Previous entry (←)"
        disabled={total === 0}
        onClick={() => actions.guard('Stepping', actions.step(-1))}
      >
        <Icon name="prev" />
      </button>
      <button
        type="button"
        aria-label="Next entry"
        title="Next entry (→)"
        disabled={total === 0}
        onClick={() => actions.guard('Stepping', actions.step(1))}
      >
        <Icon name="next" />
      </button>
      <button
        type="button"
        aria-label="Last entry"
        title="Last entry (End)"
        disabled={total === 0}
        onClick={() => actions.guard('Selecting the entry', actions.selectIndex(max))}
      >
        <Icon name="last" />
      </button>
      <input
        type="range"
        aria-label="Timeline"
        min={0}
        max={max}
        value={Math.min(value, max)}
        disabled={total === 0}
        onChange={(e) => setDrag(Number(e.target.value))}
        onPointerUp={commit}
        onKeyUp={commit}
        onBlur={commit}
      />
      <span className="mono position" aria-label="Position">
        {index !== null ? `${index + 1} / ${total}` : `– / ${total}`}
        {seq !== null && <span className="muted"> · seq {seq}</span>}
        {branch && <span className="muted"> · {branch}</span>}
      </span>
    </div>
  );
}
