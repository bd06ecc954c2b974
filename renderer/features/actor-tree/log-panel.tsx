/** Live log lines (runtime.log) from all actors, newest at the bottom, sticking to the bottom unless scrolled up. */
import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../../store/index.ts';

export function LogPanel() {
  const logs = useStudio((s) => s.logs);
  const actors = useStudio((s) => s.actors);
  const actorId = useStudio((s) => s.actorId);
  const [onlyCurrent, setOnlyCurrent] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const shown = onlyCurrent && actorId ? logs.filter((l) => l.actor === actorId) : logs;
  const nameOf = (id: string) => actors.find((a) => a.id === id)?.name ?? id.slice(0, 8);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown.length]);
  return (
    <section className="logs" aria-label="Logs">
      <h3>
        Logs
        <label className="check small">
          <input type="checkbox" checked={onlyCurrent} onChange={(e) => setOnlyCurrent(e.target.checked)} />
          this actor only
        </label>
      </h3>
      <div
        ref={ref}
        className="log-lines mono"
        role="log"
        aria-label="Log lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
      >
        {shown.length === 0 && <div className="empty">No log lines yet.</div>}
        {shown.slice(-500).map((l, i) => (
          <div key={i} className="log-line">
            <span className="muted">{new Date(l.ts).toLocaleTimeString()}</span>{' '}
            <span className="log-actor">{nameOf(l.actor)}</span> {l.msg}
          </div>
        ))}
      </div>
    </section>
  );
}
