import { describe, expect, it } from 'vitest';
import { layoutRows } from './fixed-rows.ts';

describe('layoutRows', () => {
  it('renders the rows on screen plus the overscan, at their offsets', () => {
    const { totalSize, ratio, items } = layoutRows(1000, 24, 2, 240, 100);
    expect(totalSize).toBe(24_000);
    expect(ratio).toBe(1);
    expect(items[0]).toEqual({ index: 8, start: 192 });
    expect(items.at(-1)).toEqual({ index: 17, start: 408 });
  });

  it('compresses a list taller than browsers allow and still reaches both ends', () => {
    const count = 2_000_000;
    const height = 600;
    const top = layoutRows(count, 24, 0, 0, height);
    expect(top.totalSize).toBeLessThan(count * 24);
    expect(top.items[0]).toEqual({ index: 0, start: 0 });
    const end = layoutRows(count, 24, 0, top.totalSize - height, height);
    const last = end.items.at(-1)!;
    expect(last.index).toBe(count - 1);
    // The last row's bottom is the bottom of the scrolled content.
    expect(last.start + 24).toBeCloseTo(top.totalSize, 6);
  });

  it('renders nothing for an empty list', () => {
    expect(layoutRows(0, 24, 20, 0, 500).items).toEqual([]);
  });
});
