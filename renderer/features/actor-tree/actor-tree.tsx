/** The supervision hierarchy with status and start/stop/restart; a hub's actors below, under their nodes. */
import { useState } from 'react';
import type { ActorView } from '../../../studio/contract.ts';
import { api, errorMessage } from '../../api/client.ts';
import { refreshActors, showActor } from '../../store/actions.ts';
import { useStudio } from '../../store/index.ts';
import { useReadOnly } from '../db-status/db-status.ts';
import { HubActors } from '../hub/hub-actors.tsx';

export function ActorTree() {
  const all = useStudio((s) => s.actors);
  const actors = all.filter((a) => a.node === undefined);
  const roots = actors.filter((a) => a.parent === null || !actors.some((p) => p.id === a.parent));
  const [err, setErr] = useState<string | null>(null);
  return (
    <section className="actors" aria-label="Actors">
      <h3>Actors</h3>
      {all.length === 0 && <p className="empty">No actors yet. Open a manifest to start one.</p>}
      <ul role="tree" aria-label="Actor tree">
        {roots.map((a) => (
          <ActorNode key={a.id} a={a} all={actors} depth={0} onError={setErr} />
        ))}
      </ul>
      <HubActors render={(a, all) => <ActorNode key={a.id} a={a} all={all} depth={0} onError={setErr} />} />
      {err && <p className="error-text small">{err}</p>}
    </section>
  );
}

function ActorNode({
  a,
  all,
  depth,
  onError,
}: {
  a: ActorView;
  all: readonly ActorView[];
  depth: number;
  onError: (e: string | null) => void;
}) {
  const selected = useStudio((s) => s.actorId === a.id);
  const readOnly = useReadOnly('start, stop or restart actors');
  const children = all.filter((c) => c.parent === a.id);
  const act = async (m: 'stopActor' | 'restartActor' | 'startActor') => {
    onError(null);
    try {
      const r = await api().call(m, { actor: a.id });
      if (r && typeof r === 'object' && 'ok' in r && !r.ok) onError(`${r.error.file}: ${r.error.message}`);
      await refreshActors();
    } catch (e) {
      onError(errorMessage(e));
    }
  };
  return (
    <li role="treeitem" aria-selected={selected} aria-label={`${a.name} ${a.status}`}>
      <div className={`actor-row ${selected ? 'selected' : ''}`} style={{ paddingLeft: 6 + depth * 14 }}>
        <button type="button" className="actor-name" onClick={() => void showActor(a.id)} title={a.id}>
          <span className={`dot st-${a.status}`} aria-hidden />
          {a.name}
          <span className="muted small"> {a.status}</span>
        </button>
        <span className="actor-actions" hidden={a.node !== undefined}>
          {a.status === 'running' || a.status === 'starting' ? (
            <button
              type="button"
              aria-label={`Stop ${a.name}`}
              title={readOnly ?? 'Stop'}
              disabled={readOnly !== null}
              onClick={() => void act('stopActor')}
            >
              ■
            </button>
          ) : (
            <button
              type="button"
              aria-label={`Start ${a.name}`}
              title={readOnly ?? 'Start'}
              disabled={readOnly !== null}
              onClick={() => void act('startActor')}
            >
              ▶
            </button>
          )}
          <button
            type="button"
            aria-label={`Restart ${a.name}`}
            title={readOnly ?? 'Restart'}
            disabled={readOnly !== null}
            onClick={() => void act('restartActor')}
          >
            ↻
          </button>
        </span>
      </div>
      {children.length > 0 && (
        <ul role="group">
          {children.map((c) => (
            <ActorNode key={c.id} a={c} all={all} depth={depth + 1} onError={onError} />
          ))}
        </ul>
      )}
    </li>
  );
}
