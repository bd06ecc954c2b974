/**
 * Paints the chain graph onto a canvas: only the seqs on screen, at a level of detail that suits the zoom. Pure
 * drawing from a scene description; the component decides what the scene is.
 */
import { scaleLinear, type ScaleLinear } from 'd3';
import type { EntryKind, GraphWindow, Hex } from '../../../studio/contract.ts';
import { requestGroups } from '../../viz/layout/groups.ts';
import { kindAt, kindColor, type ThemeName } from '../../viz/layout/kinds.ts';
import type { Lane } from '../../viz/layout/lanes.ts';
import { CHUNK, detailFor, SEQ_SPACING } from '../../viz/layout/viewport.ts';

export const TOP = 22;
export const LANE_H = 40;
export const LABEL_W = 88;

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly x: ScaleLinear<number, number>;
  readonly k: number;
  readonly lanes: readonly Lane[];
  readonly chunks: ReadonlyMap<string, GraphWindow>;
  readonly theme: ThemeName;
  readonly viewBranch: string | null;
  readonly liveBranch: string | null;
  readonly selected: Hex | null;
  readonly diffA: Hex | null;
  readonly diffB: Hex | null;
  readonly highlighted: ReadonlySet<Hex>;
  readonly divergence: Hex | null;
  /** The failed integrity check's first bad entry of this actor: from its seq on, lanes through it are unverified. */
  readonly broken: { readonly seq: number; readonly through: readonly string[] } | null;
}

type Ink = Record<'bg' | 'grid' | 'text' | 'strong' | 'edge' | 'band' | 'bandErr' | 'laneActive', string>;
const INK: Record<ThemeName, Ink> = {
  dark: {
    bg: '#1b1d21',
    grid: '#2a2d33',
    text: '#9aa0a6',
    strong: '#e3e6ea',
    edge: '#555b63',
    band: 'rgba(120,160,255,0.10)',
    bandErr: 'rgba(240,90,90,0.14)',
    laneActive: 'rgba(255,255,255,0.035)',
  },
  light: {
    bg: '#ffffff',
    grid: '#eceef1',
    text: '#5f6368',
    strong: '#202124',
    edge: '#b8bdc4',
    band: 'rgba(31,111,209,0.08)',
    bandErr: 'rgba(201,42,42,0.10)',
    laneActive: 'rgba(0,0,0,0.03)',
  },
};

export function laneY(lane: number): number {
  return TOP + lane * LANE_H + LANE_H / 2;
}

/** The entry kind and hash at `seq` of `branch`, if its window is loaded. */
export function entryAt(
  chunks: ReadonlyMap<string, GraphWindow>,
  branch: string,
  seq: number,
): { kind: number; hash: Hex } | null {
  const w = chunks.get(`${branch}:${Math.floor(seq / CHUNK)}`);
  if (!w) return null;
  const i = seq - w.fromSeq;
  const hash = w.hashes[i];
  const kind = w.kinds[i];
  return hash !== undefined && kind !== undefined ? { kind, hash } : null;
}

export function paint(ctx: CanvasRenderingContext2D, s: Scene): void {
  const ink = INK[s.theme];
  ctx.fillStyle = ink.bg;
  ctx.fillRect(0, 0, s.width, s.height);
  const px = s.k * SEQ_SPACING;
  const detail = detailFor(px);
  const seqFrom = Math.max(0, Math.floor(s.x.invert(LABEL_W)) - 1);
  const seqTo = Math.ceil(s.x.invert(s.width)) + 1;

  paintAxis(ctx, s, ink);
  for (const lane of s.lanes) {
    const y = laneY(lane.lane);
    if (lane.branch === s.viewBranch) {
      ctx.fillStyle = ink.laneActive;
      ctx.fillRect(0, y - LANE_H / 2, s.width, LANE_H);
    }
    const from = Math.max(seqFrom, lane.fromSeq);
    const to = Math.min(seqTo, lane.toSeq);
    paintForkEdge(ctx, s, lane, ink.edge);
    if (from > to) continue;
    // The parent edges of a branch are consecutive seqs on one lane: one line stands for all of them.
    ctx.strokeStyle = ink.edge;
    ctx.lineWidth = detail === 'density' ? 6 : 1.5;
    ctx.beginPath();
    ctx.moveTo(s.x(from), y);
    ctx.lineTo(s.x(to), y);
    ctx.stroke();
    if (detail === 'nodes') paintGroups(ctx, s, lane, from, to, ink);
    paintUnverified(ctx, s, lane, from, to);
    paintNodes(ctx, s, lane, from, to, detail);
  }
  paintLabels(ctx, s, ink);
}

function paintAxis(ctx: CanvasRenderingContext2D, s: Scene, ink: Ink): void {
  ctx.font = '10px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  // Ticks over what is on screen (the scale's own domain is only [0, 1]); whole seqs only.
  const ticks = scaleLinear()
    .domain([s.x.invert(LABEL_W), s.x.invert(s.width)])
    .ticks(Math.max(2, Math.floor((s.width - LABEL_W) / 90)))
    .filter((t) => Number.isInteger(t) && t >= 0);
  for (const t of ticks) {
    const tx = s.x(t);
    if (tx < LABEL_W) continue;
    ctx.strokeStyle = ink.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(tx) + 0.5, TOP - 4);
    ctx.lineTo(Math.round(tx) + 0.5, s.height);
    ctx.stroke();
    ctx.fillStyle = ink.text;
    // Centred on its tick unless the canvas's right edge would cut it: then it ends beside the tick, inside.
    const label = `#${t}`;
    const half = ctx.measureText(label).width / 2;
    const cut = tx + half > s.width - 2;
    ctx.textAlign = cut ? 'right' : 'center';
    ctx.fillText(label, cut ? Math.min(tx, s.width) - 3 : tx, TOP / 2);
  }
}

function paintForkEdge(ctx: CanvasRenderingContext2D, s: Scene, lane: Lane, color: string): void {
  if (lane.baseSeq === null || lane.lane === 0) return;
  // The fork point lives on the branch the fork was taken from; lanes above are the best stand-in for it.
  const parent =
    s.lanes.find((l) => l.lane < lane.lane && l.fromSeq <= lane.baseSeq! && l.toSeq >= lane.baseSeq!) ?? s.lanes[0];
  if (!parent) return;
  const x0 = s.x(lane.baseSeq);
  const y0 = laneY(parent.lane);
  const x1 = s.x(lane.fromSeq);
  const y1 = laneY(lane.lane);
  if (Math.max(x0, x1) < 0 || Math.min(x0, x1) > s.width) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.bezierCurveTo(x0, y1, (x0 + x1) / 2, y1, x1, y1);
  ctx.stroke();
  ctx.setLineDash([]);
}

function paintGroups(ctx: CanvasRenderingContext2D, s: Scene, lane: Lane, from: number, to: number, ink: Ink): void {
  // Look a little outside the window so a request that started off screen still gets its band.
  const kinds: EntryKind[] = [];
  const start = Math.max(lane.fromSeq, from - 64);
  for (let q = start; q <= to; q++) {
    const e = entryAt(s.chunks, lane.branch, q);
    kinds.push(e ? kindAt(e.kind) : 'event');
  }
  const y = laneY(lane.lane);
  const r = radius(s.k);
  for (const g of requestGroups(start, kinds)) {
    if (g.to < from) continue;
    const x0 = s.x(g.from) - r - 4;
    const x1 = s.x(g.to) + r + 4;
    ctx.fillStyle = g.failed ? ink.bandErr : ink.band;
    roundRect(ctx, x0, y - r - 6, x1 - x0, 2 * r + 12, 8);
    ctx.fill();
  }
}

function radius(k: number): number {
  return Math.max(2, Math.min(7, k * SEQ_SPACING * 0.22));
}

/** A red hatch under the first bad entry and what follows it on a lane whose path passes through it. */
function paintUnverified(ctx: CanvasRenderingContext2D, s: Scene, lane: Lane, from: number, to: number): void {
  const b = s.broken;
  if (!b || to < b.seq || !b.through.includes(lane.branch)) return;
  const y = laneY(lane.lane);
  const half = (s.k * SEQ_SPACING) / 2;
  const x0 = Math.max(0, s.x(Math.max(from, b.seq)) - half);
  const x1 = Math.min(s.width, s.x(to) + half);
  ctx.fillStyle = s.theme === 'dark' ? 'rgba(240,90,90,0.22)' : 'rgba(201,42,42,0.16)';
  ctx.fillRect(x0, y - LANE_H / 2 + 4, x1 - x0, LANE_H - 8);
  ctx.fillStyle = s.theme === 'dark' ? '#f05a5a' : '#c92a2a';
  ctx.fillRect(x0, y + LANE_H / 2 - 6, x1 - x0, 2);
}

function paintNodes(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  lane: Lane,
  from: number,
  to: number,
  detail: ReturnType<typeof detailFor>,
): void {
  const y = laneY(lane.lane);
  if (detail === 'density') {
    // Several entries per pixel: one 1px column per pixel, coloured by the first entry that lands on it when that
    // one is loaded. Walks pixels, not seqs: a zoomed-out lane holds a million seqs but only ~1,000 pixels.
    const x0 = Math.max(0, Math.floor(s.x(from)));
    const x1 = Math.min(Math.ceil(s.width), Math.floor(s.x(to)));
    for (let xpx = x0; xpx <= x1; xpx++) {
      let q = Math.max(from, Math.ceil(s.x.invert(xpx)));
      if (Math.floor(s.x(q)) < xpx) q++; // invert's rounding landed on the pixel before
      if (q > to || Math.floor(s.x(q)) !== xpx) continue;
      const e = entryAt(s.chunks, lane.branch, q);
      if (!e) continue;
      ctx.fillStyle = kindColor(kindAt(e.kind), s.theme);
      ctx.fillRect(xpx, y - 5, 1, 10);
    }
    return;
  }
  if (detail === 'dots') {
    // Small entries: a coloured tick per entry reads better than overlapping dots, and keeps kinds distinguishable.
    const px = s.k * SEQ_SPACING;
    const w = Math.max(1, px * 0.7);
    for (let q = from; q <= to; q++) {
      const e = entryAt(s.chunks, lane.branch, q);
      if (!e) continue;
      const cx = s.x(q);
      ctx.fillStyle = kindColor(kindAt(e.kind), s.theme);
      ctx.fillRect(cx - w / 2, y - 7, w, 14);
      paintMarks(ctx, s, e.hash, cx, y, 4);
    }
    return;
  }
  const r = radius(s.k);
  for (let q = from; q <= to; q++) {
    const e = entryAt(s.chunks, lane.branch, q);
    const cx = s.x(q);
    ctx.beginPath();
    ctx.arc(cx, y, r, 0, Math.PI * 2);
    ctx.fillStyle = e ? kindColor(kindAt(e.kind), s.theme) : '#80808055';
    ctx.fill();
    if (!e) continue;
    paintMarks(ctx, s, e.hash, cx, y, r);
  }
}

function paintMarks(ctx: CanvasRenderingContext2D, s: Scene, hash: Hex, cx: number, y: number, r: number): void {
  const strong = INK[s.theme].strong;
  if (s.highlighted.has(hash)) {
    ctx.strokeStyle = '#f2c94c';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx, y, r + 3, 0, Math.PI * 2);
    ctx.stroke();
  }
  if (hash === s.selected) {
    ctx.strokeStyle = strong;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx, y, r + 4, 0, Math.PI * 2);
    ctx.stroke();
  }
  if (hash === s.divergence) {
    ctx.strokeStyle = '#f05a5a';
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(cx - r - 4, y - r - 4);
    ctx.lineTo(cx + r + 4, y + r + 4);
    ctx.moveTo(cx + r + 4, y - r - 4);
    ctx.lineTo(cx - r - 4, y + r + 4);
    ctx.stroke();
    tag(ctx, 'diverged', cx, y + r + 13, '#f05a5a');
  }
  if (hash === s.diffA) tag(ctx, 'A', cx, y - r - 10, strong);
  if (hash === s.diffB) tag(ctx, 'B', cx, y - r - 10, strong);
}

function tag(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  ctx.font = 'bold 10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

function paintLabels(ctx: CanvasRenderingContext2D, s: Scene, ink: Ink): void {
  // Branch names sit over a solid gutter so nodes scrolled under them never make them unreadable.
  ctx.fillStyle = ink.bg;
  ctx.fillRect(0, TOP - 4, LABEL_W, s.height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const seen = new Set<number>();
  for (const lane of s.lanes) {
    // Two branches that share a lane: label the one nearest the visible window.
    if (seen.has(lane.lane) && lane.branch !== s.viewBranch) continue;
    seen.add(lane.lane);
    ctx.fillStyle = lane.branch === s.viewBranch ? ink.strong : ink.text;
    const name = lane.branch.length > 11 ? `${lane.branch.slice(0, 10)}…` : lane.branch;
    ctx.fillText(`${lane.branch === s.liveBranch ? '● ' : ''}${name}`, 8, laneY(lane.lane));
  }
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, Math.max(0, w), h, r);
}
