/** The entry list beside the graph: virtualized, paged from the service, same kind colours as the graph. */
import { useEffect, useEffectEvent, useRef } from 'react';
import type { EntryView } from '../../../studio/contract.ts';
import { actions, isUnverified, PAGE, useStudio } from '../../store/index.ts';
import { KIND_LABEL, kindColor } from '../../viz/layout/kinds.ts';
import { EntryFilterBar } from './entry-filter-bar.tsx';
import { useFixedRows } from './fixed-rows.ts';

const ROW = 24;
const UNVERIFIED =
  'Unverified: at or after the first bad entry the integrity check found; this payload may be tampered';

export function EntryList() {
  const total = useStudio((s) => s.total);
  const pages = useStudio((s) => s.pages);
  const listVersion = useStudio((s) => s.listVersion);
  const actorId = useStudio((s) => s.actorId);
  const viewBranch = useStudio((s) => s.viewBranch);
  const selectedIndex = useStudio((s) => s.selected?.index ?? null);
  const selectedHash = useStudio((s) => s.selected?.entry.hash ?? null);
  const highlighted = useStudio((s) => s.highlighted);
  const diffA = useStudio((s) => s.diffA?.hash ?? null);
  const diffB = useStudio((s) => s.diffB?.hash ?? null);
  const theme = useStudio((s) => s.theme);
  const broken = useStudio((s) => s.broken);
  const scrollRef = useRef<HTMLDivElement>(null);
  // Until the first page answers we do not know the total: ask for page 0 to learn it.
  const count = total;
  const v = useFixedRows(count, ROW, 20, scrollRef);
  const items = v.items;
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (!actorId || !viewBranch) return;
    actions.guard('Loading entries', actions.ensurePage(0));
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++)
      actions.guard('Loading entries', actions.ensurePage(p));
  }, [actorId, viewBranch, first, last, listVersion]);

  // Scroll when the selection moves, not when the list's geometry does (that would fight the user's scrolling).
  const reveal = useEffectEvent((index: number) => v.scrollToIndex(index));
  useEffect(() => {
    if (selectedIndex !== null) reveal(selectedIndex);
  }, [selectedIndex]);

  const rowAt = (i: number): EntryView | null => pages.get(Math.floor(i / PAGE))?.items[i % PAGE] ?? null;

  return (
    <section className="entry-list" aria-label="Entries">
      <EntryFilterBar />
      <div className="list-head" aria-hidden>
        <span className="c-seq">#</span>
        <span className="c-kind">kind</span>
        <span className="c-fn">interface.function</span>
        <span className="c-sum">summary</span>
      </div>
      <div ref={scrollRef} className="list-scroll" role="grid" aria-label="Entry list" aria-rowcount={count}>
        {count === 0 && <div className="empty">No entries{viewBranch ? ` on ${viewBranch}` : ''} match.</div>}
        <div style={{ height: v.totalSize, position: 'relative' }}>
          {items.map((it) => {
            const e = rowAt(it.index);
            const sel = e ? e.hash === selectedHash : it.index === selectedIndex;
            const untrusted = !!e && isUnverified(broken, e);
            const cls = [
              'row',
              sel ? 'selected' : '',
              e && highlighted.has(e.hash) ? 'hl' : '',
              e?.kind === 'error' ? 'err' : '',
              untrusted ? 'unverified' : '',
            ].join(' ');
            return (
              <div
                key={it.index}
                role="row"
                aria-rowindex={it.index + 1}
                aria-selected={sel}
                aria-label={
                  e
                    ? `#${e.seq} ${e.kind} ${e.iface}.${e.fn} ${e.summary}${untrusted ? ' (unverified)' : ''}`
                    : 'loading'
                }
                className={cls}
                style={{ transform: `translateY(${it.start}px)`, height: ROW }}
                onClick={(ev) => {
                  if (!e) return;
                  if (ev.shiftKey) actions.shiftPick(e);
                  else actions.guard('Selecting the entry', actions.selectIndex(it.index));
                }}
              >
                {e ? (
                  <>
                    <span className="c-seq mono">
                      {untrusted && (
                        <span className="unverified-mark" title={UNVERIFIED}>
                          !
                        </span>
                      )}
                      {e.seq}
                    </span>
                    <span className="c-kind">
                      <span
                        className="swatch"
                        style={{ background: kindColor(e.kind, theme) }}
                        title={KIND_LABEL[e.kind]}
                      />
                      {e.kind}
                    </span>
                    {/* A narrow column cuts the interface, never the function: handle-send and handle-request of
                        message-server-client differ only there. */}
                    <span className="c-fn mono" title={`${e.iface}.${e.fn}`}>
                      <span className="fn-iface">{shortIface(e.iface)}</span>
                      <span className="fn-name">.{e.fn}</span>
                    </span>
                    <span className="c-sum mono" title={e.summary}>
                      {e.origin && e.origin !== 'runtime' && e.kind === 'call' && (
                        <span className="origin">{e.origin}</span>
                      )}
                      {e.hash === diffA && <span className="pick">A</span>}
                      {e.hash === diffB && <span className="pick">B</span>}
                      {e.noop && <span className="muted">no-op </span>}
                      {e.summary}
                    </span>
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

/** "theater:simple/http-server@0.1.0" reads as "http-server": the package and version are the same everywhere. */
export function shortIface(iface: string): string {
  return iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '');
}
