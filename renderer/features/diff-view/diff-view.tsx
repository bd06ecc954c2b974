/** State diff between two entries (A/B picks) or two branches (from their merge base). */
import { useState } from 'react';
import type { DiffView as Diff } from '../../../studio/contract.ts';
import { api } from '../../api/client.ts';
import { actions, useStudio } from '../../store/index.ts';
import { pathText } from '../common/format.ts';
import { useAsync } from '../common/use-async.ts';

export function DiffPanel() {
  const a = useStudio((s) => s.diffA);
  const b = useStudio((s) => s.diffB);
  const setA = useStudio((s) => s.setDiffA);
  const setB = useStudio((s) => s.setDiffB);
  const [ha, hb] = [a?.hash, b?.hash];
  const d = useAsync(ha && hb ? () => api().call('diff', { a: ha, b: hb }) : null, [ha, hb]);
  return (
    <div className="diff" aria-label="Diff">
      <div className="picks">
        <Pick label="A" e={a} onClear={() => setA(null)} />
        <span className="muted">→</span>
        <Pick label="B" e={b} onClear={() => setB(null)} />
      </div>
      {!a || !b ? (
        <p className="empty">
          Pick two entries: click one and press <kbd>D</kbd> (or “Pick for diff”) for A, then another for B — or
          shift-click an entry in the graph or list to diff it against the selected one.
        </p>
      ) : d.status === 'error' ? (
        <p className="error-text">{d.message}</p>
      ) : d.status === 'ok' ? (
        <DiffBody diff={d.value} />
      ) : (
        <p className="muted">Comparing…</p>
      )}
      <BranchDiff />
    </div>
  );
}

function Pick({
  label,
  e,
  onClear,
}: {
  label: string;
  e: { hash: string; seq: number; fn: string; branch: string } | null;
  onClear: () => void;
}) {
  return (
    <span className="pick-box" aria-label={`Diff ${label}`}>
      <span className="pick">{label}</span>
      {e ? (
        <>
          <button
            type="button"
            className="link mono"
            onClick={() => actions.guard('Going to the entry', actions.selectHash(e.hash))}
          >
            #{e.seq} {e.fn}
          </button>
          <span className="muted small"> {e.branch}</span>
          <button type="button" className="x" aria-label={`Clear diff ${label}`} onClick={onClear}>
            ×
          </button>
        </>
      ) : (
        <span className="muted">not picked</span>
      )}
    </span>
  );
}

export function DiffBody({ diff }: { diff: Diff }) {
  if (diff.identical) return <p className="ok-text">States are identical.</p>;
  if (diff.text !== undefined) {
    return (
      <pre className="payload text-diff">
        {diff.text.split('\n').map((l, i) => (
          <span key={i} className={l.startsWith('+') ? 'd-added' : l.startsWith('-') ? 'd-removed' : ''}>
            {l}
            {'\n'}
          </span>
        ))}
      </pre>
    );
  }
  return (
    <table className="changes" aria-label="State changes">
      <thead>
        <tr>
          <th>change</th>
          <th>path</th>
          <th>before</th>
          <th>after</th>
        </tr>
      </thead>
      <tbody>
        {(diff.changes ?? []).map((c, i) => (
          <tr key={i} className={`d-${c.op}`}>
            <td>{c.op}</td>
            <td className="mono">{pathText(c.path)}</td>
            <td className="mono">{c.op === 'added' ? '' : JSON.stringify(c.before)}</td>
            <td className="mono">{c.op === 'removed' ? '' : JSON.stringify(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BranchDiff() {
  const actor = useStudio((s) => s.actorId);
  const branches = useStudio((s) => s.branches);
  const [ba, setBa] = useState('');
  const [bb, setBb] = useState('');
  const run = actor && ba && bb && ba !== bb;
  const d = useAsync(run ? () => api().call('diffBranches', { actor, a: ba, b: bb }) : null, [actor, ba, bb]);
  if (branches.length < 2) return null;
  return (
    <div className="branch-diff">
      <h4>Branch vs branch</h4>
      <select aria-label="Branch A" value={ba} onChange={(e) => setBa(e.target.value)}>
        <option value="">branch…</option>
        {branches.map((b) => (
          <option key={b.name}>{b.name}</option>
        ))}
      </select>
      <span className="muted"> vs </span>
      <select aria-label="Branch B" value={bb} onChange={(e) => setBb(e.target.value)}>
        <option value="">branch…</option>
        {branches.map((b) => (
          <option key={b.name}>{b.name}</option>
        ))}
      </select>
      {d.status === 'ok' && (
        <>
          <div className="muted small">merge base {d.value.mergeBase ? d.value.mergeBase.slice(0, 10) : 'none'}</div>
          <DiffBody diff={d.value} />
        </>
      )}
      {d.status === 'error' && <p className="error-text">{d.message}</p>}
    </div>
  );
}
