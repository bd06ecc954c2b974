/**
 * A handle on a panel's edge that resizes it: drag with the mouse, or focus it and use the arrow keys; a double
 * click goes back to the default size. The size is kept in the store's layout slice, which remembers it.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useStudio, type PanelName } from '../../store/index.ts';

export interface SplitterProps {
  readonly panel: PanelName;
  readonly label: string;
  /** Which way dragging grows the panel: the left column grows rightwards, the right column leftwards, the
   *  drawer upwards. */
  readonly grows: 'right' | 'left' | 'up';
  /** The panel element, to read its current size when a drag starts. */
  readonly target: () => HTMLElement | null;
  readonly min: number;
  /** The largest size, as a fraction of the window along the drag axis. */
  readonly maxFraction: number;
}

const STEP = 16;

export function Splitter({ panel, label, grows, target, min, maxFraction }: SplitterProps) {
  const setSize = useStudio((s) => s.setSize);
  const size = useStudio((s) => s.sizes[panel]);
  const start = useRef<{ at: number; size: number } | null>(null);
  const vertical = grows !== 'up';
  const max = () => (vertical ? window.innerWidth : window.innerHeight) * maxFraction;
  const clamp = (px: number) => Math.max(min, Math.min(max(), px));
  const current = () => {
    const el = target();
    if (!el) return size ?? min;
    const r = el.getBoundingClientRect();
    return vertical ? r.width : r.height;
  };
  const pos = (e: PointerEvent) => (vertical ? e.clientX : e.clientY);
  const sign = grows === 'left' || grows === 'up' ? -1 : 1;

  return (
    <div
      role="separator"
      tabIndex={0}
      aria-label={label}
      aria-orientation={vertical ? 'vertical' : 'horizontal'}
      aria-valuemin={min}
      aria-valuemax={Math.round(max())}
      aria-valuenow={Math.round(size ?? current())}
      title={`${label} (drag, or arrow keys; double-click: default size)`}
      className={`splitter splitter-${grows}`}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { at: pos(e), size: current() };
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        setSize(panel, clamp(start.current.size + sign * (pos(e) - start.current.at)));
      }}
      onPointerUp={() => (start.current = null)}
      onPointerCancel={() => (start.current = null)}
      onDoubleClick={() => setSize(panel, null)}
      onKeyDown={(e: KeyboardEvent) => {
        const keys: Record<string, number> = vertical
          ? { ArrowLeft: -STEP, ArrowRight: STEP }
          : { ArrowUp: -STEP, ArrowDown: STEP };
        const d = keys[e.key];
        if (d === undefined) return;
        e.preventDefault();
        e.stopPropagation();
        // Keys move the edge in their direction, as a drag would.
        setSize(panel, clamp(current() + sign * d));
      }}
    />
  );
}
