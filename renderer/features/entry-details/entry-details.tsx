/**
 * Everything recorded about the selected entry. What the list row already knows (kind, function, seq, hash, …) is
 * shown at once, from the selection; payloads and causal links are fetched by hash, and until they arrive for this
 * entry the panel says so rather than showing the previous entry's (a live tail moves the selection every 100 ms).
 */
import type { ReactNode } from 'react';
import { api } from '../../api/client.ts';
import { actions, isUnverified, useStudio } from '../../store/index.ts';
import { KIND_LABEL, kindColor } from '../../viz/layout/kinds.ts';
import { pretty } from '../common/format.ts';
import { useAsync } from '../common/use-async.ts';
import { RewindButton } from '../replay/rewind-button.tsx';

export function EntryDetails() {
  const e = useStudio((s) => s.selected?.entry ?? null);
  const hash = e?.hash ?? null;
  const theme = useStudio((s) => s.theme);
  const broken = useStudio((s) => s.broken);
  const d = useAsync(hash ? () => api().call('entry', { hash }) : null, [hash]);
  if (!e) return <p className="empty">Select an entry in the graph or the list (or press → ).</p>;
  const detail = d.status === 'ok' && d.value.hash === e.hash ? d.value : null;
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
      {broken && isUnverified(broken, e) && (
        <p className="unverified-note" role="note" aria-label="Unverified entry">
          {e.hash === broken.entry
            ? 'This is the first bad entry the integrity check found: '
            : `Recorded after the first bad entry (#${broken.seq}, ${broken.entry.slice(0, 10)}): `}
          its payload below cannot be trusted.
        </p>
      )}
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
        {detail?.causedBy && (
          <Row k="caused by">
            <HashLink
              hash={detail.causedBy.hash}
              label={`${detail.causedBy.actor} · ${detail.causedBy.hash.slice(0, 10)}`}
            />
          </Row>
        )}
        {detail && detail.effects.length > 0 && (
          <Row k="effects">
            {detail.effects.map((x) => (
              <HashLink key={x.hash} hash={x.hash} label={`${x.actor} · ${x.hash.slice(0, 10)}`} />
            ))}
          </Row>
        )}
        <Row k="recorded">{new Date(e.ts).toLocaleTimeString()}</Row>
      </dl>
      {d.status === 'error' ? (
        <p className="error-text">Could not load the payloads: {d.message}</p>
      ) : !detail ? (
        <p className="muted">Loading the payloads…</p>
      ) : (
        <>
          <h4>Input</h4>
          <pre className="payload" aria-label="Input">
            {pretty(detail.input)}
          </pre>
          <h4>Output</h4>
          <pre className="payload" aria-label="Output">
            {pretty(detail.output)}
          </pre>
        </>
      )}
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
