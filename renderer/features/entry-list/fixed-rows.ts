/**
 * Virtual rows of one fixed height: which rows are on screen is arithmetic, O(1) in the row count. A measuring
 * virtualizer (TanStack's, used here before) re-measures every row whenever the count changes: ~200 ms of main
 * thread at a million entries, on opening and again on each live update.
 *
 * Browsers cap an element's height (Chromium at ~33.5M px: 1.4M rows of 24 px), so past MAX_SCROLL_PX the scroll
 * range is compressed: one scrolled pixel then moves more than one pixel of rows, and the ends still line up.
 */
import { useCallback, useEffect, useState, type RefObject } from 'react';

const MAX_SCROLL_PX = 8_000_000;

export interface FixedRows {
  /** Height of the scrolled content. */
  readonly totalSize: number;
  /** Rows to render (the visible ones plus the overscan), with their top in the scrolled content. */
  readonly items: readonly { readonly index: number; readonly start: number }[];
  /** Scrolls the least needed to show row `index` whole. */
  scrollToIndex(index: number): void;
}

export function useFixedRows(
  count: number,
  rowHeight: number,
  overscan: number,
  scrollRef: RefObject<HTMLElement | null>,
): FixedRows {
  const [view, setView] = useState({ top: 0, height: 0 });

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const read = () =>
      setView((v) =>
        v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight },
      );
    read();
    el.addEventListener('scroll', read, { passive: true });
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', read);
      ro.disconnect();
    };
  }, [scrollRef]);

  const { totalSize, ratio, items } = layoutRows(count, rowHeight, overscan, view.top, view.height);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const y = index * rowHeight;
      const top = el.scrollTop * ratio;
      if (y < top) el.scrollTop = y / ratio;
      else if (y + rowHeight > top + el.clientHeight) el.scrollTop = (y + rowHeight - el.clientHeight) / ratio;
    },
    [scrollRef, rowHeight, ratio],
  );

  return { totalSize, items, scrollToIndex };
}

/** The arithmetic of `useFixedRows` for a scroll position: content height, compression ratio, rows to render. */
export function layoutRows(count: number, rowHeight: number, overscan: number, top: number, height: number) {
  const full = count * rowHeight;
  const totalSize = Math.min(full, MAX_SCROLL_PX);
  // Content pixels per scrolled pixel: 1 unless compressed.
  const ratio = totalSize < full && totalSize > height ? (full - height) / (totalSize - height) : 1;
  const contentTop = top * ratio;
  const first = Math.max(0, Math.floor(contentTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((contentTop + height) / rowHeight) + overscan);
  const items: { index: number; start: number }[] = [];
  for (let i = first; i <= last; i++) items.push({ index: i, start: top + i * rowHeight - contentTop });
  return { totalSize, ratio, items };
}
