/** The actor's state after the selected entry: a JSON tree (or hex), with "who wrote this?" per key. */
import { useState } from 'react';
import type { EntryView, Hex, PathSegment } from '../../../studio/contract.ts';
import { api, errorMessage } from '../../api/client.ts';
import { actions, useStudio } from '../../store/index.ts';
import { pathText } from '../common/format.ts';
import { useAsync } from '../common/use-async.ts';
import { JsonTree } from './json-tree.tsx';

export function StateView() {
  const hash = useStudio((s) => s.selected?.entry.hash ?? null);
  const st = useAsync(hash ? () => api().call('stateAt', { hash }) : null, [hash]);
  // A "Who wrote?" answer is about the entry it was asked at: shown only while that entry is the selection (so it
  // goes when the selection moves, and a late answer for an entry left meanwhile is never shown).
  const [answer, setWho] = useState<{
    at: Hex;
    path: readonly PathSegment[];
    entry: EntryView | null;
    error?: string;
  } | null>(null);
  const who = answer?.at === hash ? answer : null;
  if (!hash) return <p className="empty">Select an entry to see the state after it.</p>;
  if (st.status === 'error') return <p className="error-text">Could not load the state: {st.message}</p>;
  if (st.status !== 'ok') return <p className="muted">Loading…</p>;
  const v = st.value;
  const askWho = async (path: readonly PathSegment[]) => {
    try {
      setWho({ at: hash, path, entry: await api().call('whoWrote', { hash, path }) });
    } catch (e) {
      setWho({ at: hash, path, entry: null, error: errorMessage(e) });
    }
  };
  return (
    <div className="state" aria-label="State">
      <div className="muted small">{v.hash ? `state ${v.hash.slice(0, 10)} · ${v.size} bytes` : 'no state (none)'}</div>
      {v.json !== undefined ? (
        <div className="json-tree mono" role="tree" aria-label="State JSON">
          <JsonTree value={v.json} path={[]} onWho={(p) => void askWho(p)} />
        </div>
      ) : v.hex !== undefined ? (
        <pre className="payload hex" aria-label="State hex">
          {hexDump(v.hex)}
        </pre>
      ) : null}
      {v.json !== undefined && (
        <pre className="payload compact" aria-label="State text">
          {JSON.stringify(v.json)}
        </pre>
      )}
      {who && (
        <div className="who" role="status">
          <strong className="mono">{pathText(who.path)}</strong>{' '}
          {who.error ? (
            <span className="error-text">{who.error}</span>
          ) : who.entry ? (
            <>
              was last written by{' '}
              <button
                type="button"
                className="link mono"
                onClick={() => who.entry && actions.guard('Going to the entry', actions.selectHash(who.entry.hash))}
              >
                #{who.entry.seq} {who.entry.fn}
              </button>{' '}
              <span className="muted">{who.entry.summary}</span>
            </>
          ) : (
            <span className="muted">has not changed since the start of the chain.</span>
          )}
        </div>
      )}
    </div>
  );
}

function hexDump(hex: string): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const chunk = hex.slice(i, i + 32);
    lines.push(`${(i / 2).toString(16).padStart(6, '0')}  ${chunk.replace(/(..)/g, '$1 ').trim()}`);
  }
  return lines.join('\n');
}
