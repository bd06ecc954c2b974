/** A hub's actors in the actor tree, under their nodes: who shipped them, and how long ago it was last heard from. */
import type { ReactNode } from 'react';
import type { ActorView } from '../../../studio/contract.ts';
import { useStudio } from '../../store/index.ts';
import { useHub } from './hub-state.ts';

/** How a node's actor tree is drawn (the actor tree's own node renderer, passed in). */
export type RenderActor = (a: ActorView, all: readonly ActorView[]) => ReactNode;

export function HubActors({ render }: { render: RenderActor }) {
  const actors = useStudio((s) => s.actors);
  const hub = useHub((s) => s.hub);
  const remote = actors.filter((a) => a.node !== undefined);
  if (!hub && remote.length === 0) return null;
  const nodes = [...new Set(remote.map((a) => a.node!))];
  return (
    <div className="hub-actors" aria-label="Hub">
      <h4 className="hub-title" title={hub?.url}>
        Hub {hub ? <span className="muted small mono">{hub.url.replace(/^postgres(ql)?:\/\//, '')}</span> : null}
      </h4>
      {nodes.length === 0 && <p className="empty">No node has shipped anything yet.</p>}
      {nodes.map((node) => {
        const mine = remote.filter((a) => a.node === node);
        const roots = mine.filter((a) => a.parent === null || !mine.some((p) => p.id === a.parent));
        const seen = hub?.nodes.find((n) => n.name === node)?.lastSeen ?? null;
        return (
          <section key={node} className="hub-node" aria-label={`Node ${node}`}>
            <div className="hub-node-name">
              <span aria-hidden>⬡</span> {node}
              <span className="muted small"> {seen === null ? '' : `seen ${ago(seen)}`}</span>
            </div>
            <ul role="tree" aria-label={`Actors of node ${node}`}>
              {roots.map((a) => render(a, mine))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
