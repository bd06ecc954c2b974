import { actions, useStudio } from '../../store/index.ts';

/**
 * When a running actor's .wasm changes on disk, offer the everyday loop: "did my change alter behaviour?" The replay
 * is of the actor whose component changed, which need not be the one on screen (several can be open).
 */
export function ComponentChangedBanner() {
  const c = useStudio((s) => s.componentChanged);
  const clear = useStudio((s) => s.setComponentChanged);
  if (!c) return null;
  return (
    <div className="banner" role="alert">
      <span>
        <strong>{c.actor}</strong>'s component changed on disk (<code>{c.path}</code>).
      </span>
      <button
        type="button"
        className="primary"
        onClick={() => {
          clear(null);
          void (async () => {
            if (useStudio.getState().actorId !== c.actor) await actions.showActor(c.actor);
            await actions.runReplay(c.path);
          })();
        }}
      >
        Replay history against the new build
      </button>
      <button type="button" aria-label="Dismiss" onClick={() => clear(null)}>
        Dismiss
      </button>
    </div>
  );
}
