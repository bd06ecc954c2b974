import { scaleLinear, zoomIdentity } from 'd3';
import { describe, expect, it } from 'vitest';
import type { GraphWindow } from '../../../studio/contract.ts';
import { kindAt, kindColor } from '../../viz/layout/kinds.ts';
import { CHUNK, seqScale } from '../../viz/layout/viewport.ts';
import { entryAt, laneY, LABEL_W, paint } from './paint.ts';

/** A 2D context that records fillRect calls with the fill style at the time, and ignores everything else (text is
 * measured as nothing). */
function recorder(): { ctx: CanvasRenderingContext2D; rects: [string, number, number, number, number][] } {
  const rects: [string, number, number, number, number][] = [];
  const state: Record<string | symbol, unknown> = {};
  const ctx = new Proxy(state, {
    get: (t, k) =>
      k === 'fillRect'
        ? (x: number, y: number, w: number, h: number) => rects.push([String(t.fillStyle), x, y, w, h])
        : k === 'measureText'
          ? () => ({ width: 0 })
          : k in t
            ? t[k]
            : () => {},
    set: (t, k, v) => ((t[k] = v), true),
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, rects };
}

describe('paint at density detail', () => {
  it('draws one column per pixel, coloured by the first entry on it when loaded, as a per-seq walk would', () => {
    const chunks = new Map<string, GraphWindow>();
    // Chunks 0 and 2 loaded, 1 not: its pixels stay empty.
    for (const c of [0, 2]) {
      const kinds = Array.from({ length: CHUNK }, (_, i) => (c * CHUNK + i) % 5);
      chunks.set(`main:${c}`, {
        actor: 'a',
        branch: 'main',
        fromSeq: c * CHUNK,
        kinds,
        hashes: kinds.map((_, i) => `h${c * CHUNK + i}`),
      });
    }
    const head = 3 * CHUNK - 1;
    const width = 900;
    const t = zoomIdentity.translate(LABEL_W, 0).scale(0.003); // ~12 seqs per pixel
    const x = seqScale(t);
    const { ctx, rects } = recorder();
    paint(ctx, {
      width,
      height: 100,
      x,
      k: t.k,
      lanes: [{ branch: 'main', lane: 0, fromSeq: 0, toSeq: head, baseSeq: null }],
      chunks,
      theme: 'dark',
      viewBranch: 'main',
      liveBranch: 'main',
      selected: null,
      diffA: null,
      diffB: null,
      highlighted: new Set(),
      divergence: null,
      broken: null,
    });
    const y = laneY(0);
    const columns = rects.filter(([, , ry, w, h]) => w === 1 && h === 10 && ry === y - 5).map(([c, px]) => [c, px]);
    const expected: [string, number][] = [];
    let lastPx = -1;
    for (
      let q = Math.max(0, Math.floor(x.invert(LABEL_W)) - 1);
      q <= Math.min(head, Math.ceil(x.invert(width)) + 1);
      q++
    ) {
      const px = Math.floor(x(q));
      if (px === lastPx) continue;
      lastPx = px;
      const e = entryAt(chunks, 'main', q);
      if (e) expected.push([kindColor(kindAt(e.kind), 'dark'), px]);
    }
    expect(expected.length).toBeGreaterThan(200);
    expect(columns).toEqual(expected);
  });
});

describe('paint of a broken chain', () => {
  it('hatches from the first bad entry on, on lanes whose path passes through it only', () => {
    const t = zoomIdentity.translate(LABEL_W, 0).scale(1);
    const x = seqScale(t);
    const scene = (through: readonly string[]) => ({
      width: 900,
      height: 100,
      x,
      k: t.k,
      lanes: [{ branch: 'main', lane: 0, fromSeq: 0, toSeq: 20, baseSeq: null }],
      chunks: new Map<string, GraphWindow>(),
      theme: 'dark' as const,
      viewBranch: 'main',
      liveBranch: 'main',
      selected: null,
      diffA: null,
      diffB: null,
      highlighted: new Set<string>(),
      divergence: null,
      broken: { seq: 8, through },
    });
    const red = (rects: [string, number, number, number, number][]) => rects.filter(([c]) => c === '#f05a5a');
    const marked = recorder();
    paint(marked.ctx, scene(['main']));
    const [bar] = red(marked.rects);
    expect(bar).toBeDefined();
    // It starts half a step before seq 8 (so entry 8 itself is under it), never at seq 7.
    expect(bar![1]).toBeGreaterThan(x(7));
    expect(bar![1]).toBeLessThan(x(8));
    const other = recorder();
    paint(other.ctx, scene(['fork-1']));
    expect(red(other.rects)).toHaveLength(0);
  });
});

describe('the axis', () => {
  it('keeps every tick label inside the canvas, also one whose tick is near the right edge', () => {
    const texts: { text: string; x: number; align: string }[] = [];
    const state: Record<string | symbol, unknown> = {};
    const ctx = new Proxy(state, {
      get: (t, k) =>
        k === 'fillText'
          ? (text: string, x: number) => texts.push({ text, x, align: String(t.textAlign) })
          : k === 'measureText'
            ? (text: string) => ({ width: text.length * 6 })
            : k in t
              ? t[k]
              : () => {},
      set: (t, k, v) => ((t[k] = v), true),
    }) as unknown as CanvasRenderingContext2D;
    // 20 px per seq, #0 at LABEL_W + 10: the tick of #25 is 4 px from the right edge.
    const x = scaleLinear()
      .domain([0, 1])
      .range([LABEL_W + 10, LABEL_W + 30]);
    const width = LABEL_W + 10 + 25 * 20 + 4;
    paint(ctx, {
      width,
      height: 100,
      x,
      k: 1,
      lanes: [],
      chunks: new Map(),
      theme: 'light',
      viewBranch: null,
      liveBranch: null,
      selected: null,
      diffA: null,
      diffB: null,
      highlighted: new Set(),
      divergence: null,
      broken: null,
    });
    const axis = texts.filter((t) => /^#\d+$/.test(t.text));
    expect(axis.map((t) => t.text)).toEqual(['#0', '#5', '#10', '#15', '#20', '#25']);
    for (const t of axis) {
      const w = t.text.length * 6;
      const [left, right] = t.align === 'right' ? [t.x - w, t.x] : [t.x - w / 2, t.x + w / 2];
      expect(left, t.text).toBeGreaterThanOrEqual(0);
      expect(right, t.text).toBeLessThanOrEqual(width);
    }
    // Only the one at the edge moves; the others stay centred on their ticks.
    expect(axis.filter((t) => t.align === 'right').map((t) => t.text)).toEqual(['#25']);
  });
});
