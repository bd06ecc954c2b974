/**
 * The log of the actor on screen, as its chain recorded it: every line, also those from before this Studio opened
 * (or from a headless run), then new ones as they are recorded. Virtualized (a long-running actor logs hundreds of
 * thousands of lines), filterable, and it sticks to the newest line unless scrolled up. A click on a line selects
 * the entry that recorded it.
 */
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { actions, LOG_PAGE, useStudio } from '../../store/index.ts';
import { useFixedRows } from '../entry-list/fixed-rows.ts';

const ROW = 18;

export function LogPanel() {
  const actorId = useStudio((s) => s.actorId);
  const branch = useStudio((s) => s.viewBranch);
  const total = useStudio((s) => s.logTotal);
  const pages = useStudio((s) => s.logPages);
  const version = useStudio((s) => s.logVersion);
  const filter = useStudio((s) => s.logFilter);
  const setFilter = useStudio((s) => s.setLogFilter);
  const [text, setText] = useState(filter);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const v = useFixedRows(total, ROW, 10, scrollRef);
  const first = v.items[0]?.index ?? 0;
  const last = v.items.at(-1)?.index ?? 0;

  useEffect(() => {
    const t = setTimeout(() => text !== filter && setFilter(text), 250);
    return () => clearTimeout(t);
  }, [text, filter, setFilter]);

  // Until the first answer the total is unknown: ask for the last page known, and for what is on screen.
  useEffect(() => {
    if (!actorId || !branch) return;
    const lastPage = Math.floor(Math.max(0, total - 1) / LOG_PAGE);
    actions.guard('Loading the log', actions.ensureLogPage(lastPage));
    for (let p = Math.floor(first / LOG_PAGE); p <= Math.floor(last / LOG_PAGE); p++)
      actions.guard('Loading the log', actions.ensureLogPage(p));
  }, [actorId, branch, first, last, total, version]);

  // A new filter (or none) shows its newest matches, wherever the old list was scrolled to.
  useEffect(() => {
    stick.current = true;
  }, [filter, actorId, branch]);
  // New lines: stay on the newest one unless the user scrolled up to read.
  const follow = useEffectEvent(() => {
    if (stick.current && total > 0) v.scrollToIndex(total - 1);
  });
  useEffect(() => follow(), [total]);

  const lineAt = (i: number) => pages.get(Math.floor(i / LOG_PAGE))?.items[i % LOG_PAGE] ?? null;

  return (
    <section className="logs" aria-label="Logs">
      <h3>
        Logs
        <input
          type="search"
          className="log-filter"
          aria-label="Filter log lines"
          placeholder="filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </h3>
      <div
        ref={scrollRef}
        className="log-lines mono"
        role="log"
        aria-label="Log lines"
        aria-rowcount={total}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW;
        }}
      >
        {total === 0 && (
          <div className="empty">{filter ? `No log line contains “${filter}”.` : 'No log lines recorded.'}</div>
        )}
        <div style={{ height: v.totalSize, position: 'relative' }}>
          {v.items.map((it) => {
            const l = lineAt(it.index);
            return (
              <div
                key={it.index}
                className="log-line"
                aria-rowindex={it.index + 1}
                style={{ transform: `translateY(${it.start}px)`, height: ROW }}
                title={l ? `${new Date(l.ts).toLocaleString()} · #${l.seq} · ${l.text}` : undefined}
                onClick={() => l && actions.guard('Going to the entry', actions.selectHash(l.hash))}
              >
                {l ? (
                  <>
                    <span className="muted">{new Date(l.ts).toLocaleTimeString()}</span>{' '}
                    {l.stream !== 'log' && <span className={`log-stream ${l.stream}`}>{l.stream}</span>}
                    <span className="log-text">{l.text}</span>
                  </>
                ) : (
                  <span className="muted">…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
