/**
 * The chain graph: one canvas, repainted on animation frames from a store subscription made outside React (a busy
 * actor can add hundreds of entries a second; React should not re-render for each).
 */
import { zoomIdentity, type ZoomTransform } from 'd3';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { actions, useStudio } from '../../store/index.ts';
import { createPanZoom, type PanZoom } from '../../viz/behaviors/zoom.ts';
import { assignLanes, laneCount, type Lane } from '../../viz/layout/lanes.ts';
import { chunksFor, MAX_FETCH_SEQS, seqScale, translateFor } from '../../viz/layout/viewport.ts';
import { Legend } from './legend.tsx';
import { Minimap } from './minimap.tsx';
import { FIRST_PAINT_MARK } from './first-paint-mark.ts';
import { entryAt, LABEL_W, LANE_H, laneY, paint, TOP } from './paint.ts';

const HEAD_MARGIN = 48;
let firstPaintMarked = false;

function lanesOf(): Lane[] {
  return assignLanes(useStudio.getState().branches);
}

export function ChainGraph() {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const zoomRef = useRef<PanZoom | null>(null);
  const tRef = useRef<ZoomTransform>(zoomIdentity);
  const frame = useRef(0);
  const [size, setSize] = useState({ w: 600, h: 160 });
  /** The size as the drawing code reads it (outside React's render): set together with `size`. */
  const sizeRef = useRef(size);
  const [view, setView] = useState<{ from: number; to: number }>({ from: 0, to: 0 });
  const follow = useStudio((s) => s.follow);
  // A branch that is not live records nothing new: there is no head to follow (its own is where it stopped).
  const notLive = useStudio((s) => s.branches.some((x) => x.name === s.viewBranch && !x.live));
  const viewBranch = useStudio((s) => s.viewBranch);
  const liveBranch = useStudio((s) => s.branches.find((x) => x.live)?.name ?? null);
  const lanesN = useStudio((s) => Math.max(1, laneCount(assignLanes(s.branches))));

  /** Fetches what is on screen, lazily, one fixed chunk at a time; returns the visible seq range. */
  const fetchVisible = useCallback((): { from: number; to: number } => {
    const x = seqScale(tRef.current);
    const from = Math.max(0, Math.floor(x.invert(LABEL_W)));
    const to = Math.ceil(x.invert(sizeRef.current.w));
    if (to - from > MAX_FETCH_SEQS) return { from, to };
    for (const lane of lanesOf()) {
      const a = Math.max(from, lane.fromSeq);
      const b = Math.min(to, lane.toSeq);
      if (a > b) continue;
      for (const c of chunksFor(Math.max(lane.fromSeq, a - 64), b))
        actions.guard('Loading the graph', actions.ensureChunk(lane.branch, c));
    }
    return { from, to };
  }, []);

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    if (!canvas) return;
    const { w, h } = sizeRef.current;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const s = useStudio.getState();
    const t = tRef.current;
    const x = seqScale(t);
    const lanes = lanesOf();
    const actor = s.actors.find((a) => a.id === s.actorId);
    paint(ctx, {
      width: w,
      height: h,
      x,
      k: t.k,
      lanes,
      chunks: s.chunks,
      theme: s.theme,
      viewBranch: s.viewBranch,
      liveBranch: actor?.liveBranch ?? null,
      selected: s.selected?.entry.hash ?? null,
      diffA: s.diffA?.hash ?? null,
      diffB: s.diffB?.hash ?? null,
      highlighted: s.highlighted,
      divergence: s.divergence,
      broken: s.broken && s.broken.actor === s.actorId ? s.broken : null,
    });
    if (!firstPaintMarked && s.chunks.size > 0) {
      firstPaintMarked = true;
      performance.mark(FIRST_PAINT_MARK);
    }
    const { from, to } = fetchVisible();
    setView((v) => (v.from === from && v.to === to ? v : { from, to }));
  }, [fetchVisible]);

  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  // Size: follow the wrapper. Drawn at once: an observer runs after layout and before the frame is painted, so the
  // canvas matches its new size in the same frame. Observed from a layout effect, so that the first frame already
  // reports the size and paints (a passive effect runs after that frame: the first paint came a frame later).
  useLayoutEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => {
      if (!e) return;
      sizeRef.current = { w: Math.max(100, e.contentRect.width), h: Math.max(60, e.contentRect.height) };
      setSize(sizeRef.current);
      if (frame.current) cancelAnimationFrame(frame.current);
      draw();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [draw]);
  // The first draw, should the observer not report a size (it draws on every size it reports).
  useEffect(schedule, [schedule]);

  // Pan/zoom: one behaviour for the component's lifetime.
  useEffect(() => {
    const el = canvasRef.current;
    if (!el) return;
    const pz = createPanZoom(el, {
      minZoom: 1 / 20000,
      maxZoom: 4,
      onTransform: (t, byUser) => {
        tRef.current = t;
        if (byUser && useStudio.getState().follow) useStudio.getState().setFollow(false);
        schedule();
      },
    });
    zoomRef.current = pz;
    return () => {
      pz.destroy();
      zoomRef.current = null;
    };
  }, [schedule]);

  const followHead = useCallback((): void => {
    const s = useStudio.getState();
    if (!s.follow) return;
    const live = s.branches.find((b) => b.live) ?? s.branches[0];
    if (!live) return;
    const k = tRef.current.k;
    const { w } = sizeRef.current;
    // Short chains start at the left edge; long ones keep the head just inside the right edge.
    const tx = Math.min(LABEL_W + 16, translateFor(live.headSeq, k, w - HEAD_MARGIN));
    zoomRef.current?.setTransform(zoomIdentity.translate(tx, 0).scale(k));
  }, []);

  const revealSeq = useCallback((seq: number): void => {
    const t = tRef.current;
    const sx = seqScale(t)(seq);
    const { w } = sizeRef.current;
    if (sx >= LABEL_W + 12 && sx <= w - 12) return;
    zoomRef.current?.setTransform(zoomIdentity.translate(translateFor(seq, t.k, (LABEL_W + w) / 2), 0).scale(t.k), 150);
  }, []);

  // Repaint on anything the scene reads; keep the live head in view while following.
  useEffect(
    () =>
      useStudio.subscribe((s, prev) => {
        if (s.branches !== prev.branches || (s.follow && !prev.follow)) {
          followHead();
          // Ask for the head's window now rather than on the next frame: it is what the first paint waits for.
          fetchVisible();
        }
        if (
          s.chunks !== prev.chunks ||
          s.branches !== prev.branches ||
          s.selected !== prev.selected ||
          s.diffA !== prev.diffA ||
          s.diffB !== prev.diffB ||
          s.highlighted !== prev.highlighted ||
          s.divergence !== prev.divergence ||
          s.broken !== prev.broken ||
          s.theme !== prev.theme ||
          s.viewBranch !== prev.viewBranch
        )
          schedule();
        if (s.selected !== prev.selected && s.selected) revealSeq(s.selected.entry.seq);
      }),
    [schedule, fetchVisible, followHead, revealSeq],
  );

  const centerOn = useCallback((seq: number) => {
    const t = tRef.current;
    useStudio.getState().setFollow(false);
    zoomRef.current?.setTransform(
      zoomIdentity.translate(translateFor(seq, t.k, (LABEL_W + sizeRef.current.w) / 2), 0).scale(t.k),
    );
  }, []);

  const zoomBy = (f: number) => {
    const t = tRef.current;
    const { w } = sizeRef.current;
    const k = Math.max(1 / 20000, Math.min(4, t.k * f));
    const s = useStudio.getState();
    const live = s.branches.find((b) => b.live);
    // While following, zoom around the head so it stays pinned at the right edge; otherwise around the middle.
    if (s.follow && live) {
      const tx = Math.min(LABEL_W + 16, translateFor(live.headSeq, k, w - HEAD_MARGIN));
      zoomRef.current?.setTransform(zoomIdentity.translate(tx, 0).scale(k));
      return;
    }
    const mid = (LABEL_W + w) / 2;
    const seq = seqScale(t).invert(mid);
    zoomRef.current?.setTransform(zoomIdentity.translate(translateFor(seq, k, mid), 0).scale(k));
  };

  const onClick = async (ev: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = ev.currentTarget.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    const py = ev.clientY - rect.top;
    const laneIdx = Math.floor((py - TOP) / LANE_H);
    const seq = Math.round(seqScale(tRef.current).invert(px));
    const s = useStudio.getState();
    const lane = lanesOf().find((l) => l.lane === laneIdx && seq >= l.fromSeq && seq <= l.toSeq);
    if (!lane || Math.abs(laneY(lane.lane) - py) > LANE_H / 2) return;
    const e = entryAt(s.chunks, lane.branch, seq);
    if (!e) return;
    try {
      if (ev.shiftKey) actions.shiftPick(await api().call('entry', { hash: e.hash }));
      else await actions.selectHash(e.hash, lane.branch);
    } catch (err) {
      actions.report('Selecting the entry', err);
    }
  };

  // The lanes' own height; the stylesheet adds a floor where the window has room for one (.graph-canvas).
  const height = TOP + lanesN * LANE_H + 8;
  return (
    <section className="graph" aria-label="Chain graph">
      <div className="graph-bar">
        <Legend />
        <span className="spacer" />
        <span className="muted mono range" aria-label="Visible range">
          #{view.from}–#{view.to}
        </span>
        <button type="button" aria-label="Zoom in" title="Zoom in (+)" onClick={() => zoomBy(1.6)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" title="Zoom out (-)" onClick={() => zoomBy(1 / 1.6)}>
          −
        </button>
        <button
          type="button"
          aria-pressed={follow && !notLive}
          aria-label="Follow live head"
          disabled={notLive}
          title={
            notLive
              ? `${viewBranch} is not live: nothing new is recorded on it.${liveBranch ? ` ${liveBranch} is live.` : ''}`
              : 'Keep the newest entry in view (F)'
          }
          onClick={() => actions.setFollow(!follow)}
        >
          {notLive ? '○ Not live' : follow ? '● Following head' : '○ Follow head'}
        </button>
      </div>
      <div ref={wrapRef} className="graph-canvas" style={{ height }}>
        <canvas
          ref={canvasRef}
          role="img"
          aria-label="Chain graph canvas: click an entry to select it, shift-click to diff"
          style={{ width: size.w, height: size.h }}
          onClick={(e) => void onClick(e)}
        />
      </div>
      <Minimap view={view} onSeek={centerOn} />
    </section>
  );
}
