/** The supervision hierarchy with status and start/stop/restart; a hub's actors below, under their nodes. */
import type { ActorView } from '../../../studio/contract.ts';
import { actions, useStudio } from '../../store/index.ts';
import { Icon } from '../common/icons.tsx';
import { useReadOnly } from '../db-status/db-status.ts';
import { HubActors } from '../hub/hub-actors.tsx';

export function ActorTree() {
  const all = useStudio((s) => s.actors);
  const actors = all.filter((a) => a.node === undefined);
  const roots = actors.filter((a) => a.parent === null || !actors.some((p) => p.id === a.parent));
  return (
    <section className="actors" aria-label="Actors">
      <h3>Actors</h3>
      {all.length === 0 && <p className="empty">No actors yet. Open a manifest to start one.</p>}
      <ul role="tree" aria-label="Actor tree">
        {roots.map((a) => (
          <ActorNode key={a.id} a={a} all={actors} depth={0} />
        ))}
      </ul>
      <HubActors render={(a, all) => <ActorNode key={a.id} a={a} all={all} depth={0} />} />
    </section>
  );
}

function ActorNode({ a, all, depth }: { a: ActorView; all: readonly ActorView[]; depth: number }) {
  const selected = useStudio((s) => s.actorId === a.id);
  const readOnly = useReadOnly('start, stop or restart actors');
  const children = all.filter((c) => c.parent === a.id);
  const act = (m: 'stopActor' | 'restartActor' | 'startActor') => void actions.actorCommand(a.id, m);
  return (
    <li role="treeitem" aria-selected={selected} aria-label={`${a.name} ${a.status}`}>
      <div className={`actor-row ${selected ? 'selected' : ''}`} style={{ paddingLeft: 6 + depth * 14 }}>
        <button
          type="button"
          className="actor-name"
          onClick={() => actions.guard('Showing the actor', actions.showActor(a.id))}
          title={a.id}
        >
          <span className={`dot st-${a.status}`} aria-hidden />
          {a.name}
          <span className="muted small"> {a.status}</span>
        </button>
        <span className="actor-actions" hidden={a.node !== undefined}>
          {a.status === 'running' || a.status === 'starting' ? (
            <>
              <button
                type="button"
                aria-label={`Stop ${a.name}`}
                title={readOnly ?? 'Stop'}
                disabled={readOnly !== null}
                onClick={() => act('stopActor')}
              >
                <Icon name="stop" />
              </button>
              <button
                type="button"
                aria-label={`Restart ${a.name}`}
                title={readOnly ?? 'Restart: a fresh instance from the last committed state'}
                disabled={readOnly !== null}
                onClick={() => act('restartActor')}
              >
                <Icon name="restart" />
              </button>
            </>
          ) : (
            <button
              type="button"
              aria-label={`Start ${a.name}`}
              disabled={readOnly !== null}
              title={
                readOnly ??
                (a.parent
                  ? `Start again under its supervisor ${a.parent} (started too if stopped), resuming its chain`
                  : 'Start, resuming its chain')
              }
              onClick={() => act('startActor')}
            >
              <Icon name="play" />
            </button>
          )}
        </span>
      </div>
      {children.length > 0 && (
        <ul role="group">
          {children.map((c) => (
            <ActorNode key={c.id} a={c} all={all} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
