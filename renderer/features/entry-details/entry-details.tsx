/** Everything recorded about the selected entry, payloads fetched lazily by hash. */
import type { ReactNode } from 'react';
import { api } from '../../api/client.ts';
import { actions, useStudio } from '../../store/index.ts';
import { KIND_LABEL, kindColor } from '../../viz/layout/kinds.ts';
import { pretty } from '../common/format.ts';
import { useAsync } from '../common/use-async.ts';
import { RewindButton } from '../replay/rewind-button.tsx';

export function EntryDetails() {
  const hash = useStudio((s) => s.selected?.entry.hash ?? null);
  const theme = useStudio((s) => s.theme);
  const d = useAsync(hash ? () => api().call('entry', { hash }) : null, [hash]);
  if (!hash) return <p className="empty">Select an entry in the graph or the list (or press → ).</p>;
  if (d.status === 'error') return <p className="error-text">Could not load the entry: {d.message}</p>;
  if (d.status !== 'ok') return <p className="muted">Loading…</p>;
  const e = d.value;
  return (
    <div className="details" aria-label="Entry details">
      <div className="details-head">
        <span className="badge" style={{ background: kindColor(e.kind, theme) }}>
          {KIND_LABEL[e.kind]}
        </span>
        <strong className="mono">
          {e.iface}.{e.fn}
        </strong>
      </div>
      <div className="actions">
        <RewindButton entry={e} />
        <button
          type="button"
          onClick={() => actions.pickDiff(e)}
          aria-label="Pick for diff"
          title="Pick as diff A, then B (D)"
        >
          Pick for diff
        </button>
      </div>
      <dl className="kv">
        <Row k="seq">{e.seq}</Row>
        <Row k="branch">{e.branch}</Row>
        <Row k="actor">{e.actor}</Row>
        <Row k="origin">
          {e.origin ?? 'runtime'}
          {e.origin === 'studio' ? ' (injected from the Studio)' : ''}
        </Row>
        <Row k="hash">
          <code className="hash" title={e.hash}>
            {e.hash}
          </code>
        </Row>
        <Row k="parent">{e.parent ? <HashLink hash={e.parent} /> : <span className="muted">root</span>}</Row>
        {e.causedBy && (
          <Row k="caused by">
            <HashLink hash={e.causedBy.hash} label={`${e.causedBy.actor} · ${e.causedBy.hash.slice(0, 10)}`} />
          </Row>
        )}
        {e.effects.length > 0 && (
          <Row k="effects">
            {e.effects.map((x) => (
              <HashLink key={x.hash} hash={x.hash} label={`${x.actor} · ${x.hash.slice(0, 10)}`} />
            ))}
          </Row>
        )}
        <Row k="recorded">{new Date(e.ts).toLocaleTimeString()}</Row>
      </dl>
      <h4>Input</h4>
      <pre className="payload" aria-label="Input">
        {pretty(e.input)}
      </pre>
      <h4>Output</h4>
      <pre className="payload" aria-label="Output">
        {pretty(e.output)}
      </pre>
    </div>
  );
}

function Row({ k, children }: { k: string; children: ReactNode }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{children}</dd>
    </>
  );
}

function HashLink({ hash, label }: { hash: string; label?: string }) {
  return (
    <button
      type="button"
      className="link mono"
      aria-label={`Go to entry ${hash.slice(0, 10)}`}
      onClick={() => actions.guard('Going to the entry', actions.selectHash(hash))}
    >
      {label ?? hash.slice(0, 16)}
    </button>
  );
}
