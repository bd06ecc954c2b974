/**
 * The math that keeps a million-entry chain cheap: which seqs are on screen, which fixed-size chunks to fetch for
 * them, and how much detail to draw at the current zoom.
 */
import { scaleLinear, type ScaleLinear, type ZoomTransform } from 'd3';
import { GRAPH_CHUNK } from '../../../studio/contract.ts';

/** Pixels between consecutive seqs at zoom 1. */
export const SEQ_SPACING = 28;
/** Seqs per graph window fetched (studio/contract.ts `graphWindow` makes the requests). */
export const CHUNK = GRAPH_CHUNK;

/** The base scale from seq to x at zoom 1; a zoom transform rescales it. */
export function baseSeqScale(): ScaleLinear<number, number> {
  return scaleLinear().domain([0, 1]).range([0, SEQ_SPACING]);
}

export function seqScale(t: Pick<ZoomTransform, 'rescaleX'>): ScaleLinear<number, number> {
  return t.rescaleX(baseSeqScale());
}

/** The integer seq range that intersects [0, width) pixels, clamped to the chain; null when nothing is visible. */
export function visibleSeqs(
  x: ScaleLinear<number, number>,
  width: number,
  maxSeq: number,
): { from: number; to: number } | null {
  if (maxSeq < 0) return null;
  const a = Math.floor(x.invert(0)) - 1;
  const b = Math.ceil(x.invert(width)) + 1;
  const from = Math.max(0, a);
  const to = Math.min(maxSeq, b);
  return from > to ? null : { from, to };
}

/** Chunk indices covering [from, to]; chunk i holds seqs [i*CHUNK, (i+1)*CHUNK). */
export function chunksFor(from: number, to: number, chunk = CHUNK): number[] {
  const out: number[] = [];
  for (let c = Math.floor(from / chunk); c <= Math.floor(to / chunk); c++) out.push(c);
  return out;
}

export type Detail = 'nodes' | 'dots' | 'density';

/**
 * How to draw at a given pixels-per-seq: full nodes with edges when there is room, one dot per entry when they get
 * small, and one column of kind-coloured density per pixel when several entries share a pixel (fetching individual
 * kinds for 100,000 on-screen entries would be wasted work).
 */
export function detailFor(pxPerSeq: number): Detail {
  if (pxPerSeq >= 10) return 'nodes';
  if (pxPerSeq >= 1.5) return 'dots';
  return 'density';
}

/** Do not fetch kinds when more than this many seqs are visible; density mode draws lanes without them. */
export const MAX_FETCH_SEQS = 40_000;

/**
 * Translate-x that puts `seq` at `at` pixels from the left at zoom k (used for "follow the head" and for jumps).
 */
export function translateFor(seq: number, k: number, at: number): number {
  return at - k * SEQ_SPACING * seq;
}

/** The minimap maps the whole chain [0, maxSeq] onto its width, whatever the zoom. */
export function minimapScale(maxSeq: number, width: number): ScaleLinear<number, number> {
  return scaleLinear()
    .domain([0, Math.max(1, maxSeq)])
    .range([4, Math.max(5, width - 4)])
    .clamp(true);
}
