/** The whole chain at a glance: every lane at full length, the visible window as a box; click or drag to move. */
import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../../store/index.ts';
import { assignLanes, laneCount } from '../../viz/layout/lanes.ts';
import { minimapScale } from '../../viz/layout/viewport.ts';

export function Minimap({ view, onSeek }: { view: { from: number; to: number }; onSeek: (seq: number) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(400);
  const branches = useStudio((s) => s.branches);
  const theme = useStudio((s) => s.theme);
  const selectedSeq = useStudio((s) => s.selected?.entry.seq ?? null);
  const maxSeq = branches.reduce((m, b) => Math.max(m, b.headSeq), 0);
  const H = 26;

  useEffect(() => {
    const el = ref.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => e && setWidth(Math.max(50, e.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(H * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, H);
    const m = minimapScale(maxSeq, width);
    const lanes = assignLanes(branches);
    const n = Math.max(1, laneCount(lanes));
    const step = Math.min(6, (H - 6) / n);
    ctx.fillStyle = theme === 'dark' ? '#6b7280' : '#9aa0a6';
    for (const l of lanes)
      ctx.fillRect(m(l.fromSeq), 3 + l.lane * step, Math.max(1, m(l.toSeq) - m(l.fromSeq)), Math.max(2, step - 2));
    if (selectedSeq !== null) {
      ctx.fillStyle = theme === 'dark' ? '#ffffff' : '#000000';
      ctx.fillRect(m(selectedSeq) - 0.5, 0, 1.5, H);
    }
    ctx.strokeStyle = '#4fa3ff';
    ctx.fillStyle = 'rgba(79,163,255,0.12)';
    const x0 = m(Math.max(0, view.from));
    const w = Math.max(3, m(Math.min(maxSeq, view.to)) - x0);
    // When the whole chain is on screen the box would just repeat the frame: outline only.
    if (view.from > 0 || view.to < maxSeq) ctx.fillRect(x0, 1, w, H - 2);
    ctx.strokeRect(x0 + 0.5, 1.5, w - 1, H - 3);
  }, [width, branches, theme, view, maxSeq, selectedSeq]);

  const seek = (ev: React.PointerEvent<HTMLCanvasElement>) => {
    const r = ev.currentTarget.getBoundingClientRect();
    onSeek(Math.round(minimapScale(maxSeq, width).invert(ev.clientX - r.left)));
  };

  return (
    <div className="minimap">
      <canvas
        ref={ref}
        role="slider"
        tabIndex={0}
        aria-label="Minimap"
        aria-valuemin={0}
        aria-valuemax={maxSeq}
        aria-valuenow={Math.round((view.from + view.to) / 2)}
        style={{ width, height: H }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          seek(e);
        }}
        onPointerMove={(e) => e.buttons === 1 && seek(e)}
        onKeyDown={(e) => {
          const span = Math.max(1, view.to - view.from);
          if (e.key === 'ArrowLeft') onSeek((view.from + view.to) / 2 - span / 2);
          if (e.key === 'ArrowRight') onSeek((view.from + view.to) / 2 + span / 2);
        }}
      />
    </div>
  );
}
