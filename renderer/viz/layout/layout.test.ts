import { zoomIdentity } from 'd3';
import { describe, expect, it } from 'vitest';
import { requestGroups } from './groups.ts';
import { assignLanes, laneCount } from './lanes.ts';
import { chunksFor, detailFor, minimapScale, SEQ_SPACING, seqScale, translateFor, visibleSeqs } from './viewport.ts';

describe('assignLanes', () => {
  it('puts main in lane 0 and a fork below it, starting after its fork point', () => {
    const lanes = assignLanes([
      { name: 'main', baseSeq: null, headSeq: 20 },
      { name: 'fork-1', baseSeq: 5, headSeq: 9 },
    ]);
    expect(lanes).toEqual([
      { branch: 'main', lane: 0, fromSeq: 0, toSeq: 20, baseSeq: null },
      { branch: 'fork-1', lane: 1, fromSeq: 6, toSeq: 9, baseSeq: 5 },
    ]);
  });

  it('reuses a lane once its previous fork has ended, and opens a new one for overlapping forks', () => {
    const lanes = assignLanes([
      { name: 'main', baseSeq: null, headSeq: 100 },
      { name: 'c', baseSeq: 50, headSeq: 60 },
      { name: 'a', baseSeq: 5, headSeq: 10 },
      { name: 'b', baseSeq: 8, headSeq: 30 },
    ]);
    const byName = Object.fromEntries(lanes.map((l) => [l.branch, l.lane]));
    expect(byName).toEqual({ main: 0, a: 1, b: 2, c: 1 });
    expect(laneCount(lanes)).toBe(3);
  });

  it('does not let a fork start directly after the previous occupant of its lane', () => {
    const lanes = assignLanes([
      { name: 'main', baseSeq: null, headSeq: 100 },
      { name: 'a', baseSeq: 1, headSeq: 10 },
      { name: 'b', baseSeq: 10, headSeq: 12 },
    ]);
    expect(lanes.find((l) => l.branch === 'b')?.lane).toBe(2);
  });
});

describe('viewport', () => {
  it('finds the visible seqs at zoom 1, with one seq of slack each side, clamped to the chain', () => {
    const x = seqScale(zoomIdentity);
    expect(visibleSeqs(x, SEQ_SPACING * 10, 1000)).toEqual({ from: 0, to: 11 });
    expect(visibleSeqs(x, SEQ_SPACING * 10, 4)).toEqual({ from: 0, to: 4 });
    expect(visibleSeqs(x, 100, -1)).toBeNull();
  });

  it('follows a zoom transform', () => {
    const k = 0.5;
    const t = zoomIdentity.translate(translateFor(1000, k, 0), 0).scale(k);
    const v = visibleSeqs(seqScale(t), SEQ_SPACING * k * 10, 1_000_000);
    expect(v).toEqual({ from: 999, to: 1011 });
  });

  it('fetches only the chunks on screen of a million-entry chain', () => {
    expect(chunksFor(0, 10)).toEqual([0]);
    expect(chunksFor(2040, 2050)).toEqual([0, 1]);
    expect(chunksFor(999_000, 999_999).length).toBe(2);
  });

  it('drops detail as entries get small', () => {
    expect(detailFor(28)).toBe('nodes');
    expect(detailFor(4)).toBe('dots');
    expect(detailFor(0.01)).toBe('density');
  });

  it('maps the whole chain onto the minimap', () => {
    const m = minimapScale(1_000_000, 208);
    expect(m(0)).toBe(4);
    expect(m(1_000_000)).toBe(204);
    expect(m(2_000_000)).toBe(204);
  });
});

describe('requestGroups', () => {
  it('groups each call with everything up to its result', () => {
    const g = requestGroups(10, ['call', 'import', 'return', 'call', 'import', 'error', 'call', 'import']);
    expect(g).toEqual([
      { from: 10, to: 12, failed: false },
      { from: 13, to: 15, failed: true },
      { from: 16, to: 17, failed: false },
    ]);
  });
});
