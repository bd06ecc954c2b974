/**
 * Request groups: an export call and everything up to its result or error is one unit of work (an HTTP request,
 * a message, init). The graph draws a band behind each so "three requests" reads as three shapes.
 */
import type { EntryKind } from '../../../studio/contract.ts';

export interface Group {
  readonly from: number;
  /** Inclusive; equals the last known seq when the group is still open at the end of the window. */
  readonly to: number;
  readonly failed: boolean;
}

/** kinds[i] is the kind at seq fromSeq + i. */
export function requestGroups(fromSeq: number, kinds: readonly EntryKind[]): Group[] {
  const out: Group[] = [];
  let open: number | null = null;
  kinds.forEach((k, i) => {
    const seq = fromSeq + i;
    if (k === 'call') {
      if (open !== null) out.push({ from: open, to: seq - 1, failed: false });
      open = seq;
    } else if ((k === 'return' || k === 'error') && open !== null) {
      out.push({ from: open, to: seq, failed: k === 'error' });
      open = null;
    }
  });
  if (open !== null && kinds.length > 0) out.push({ from: open, to: fromSeq + kinds.length - 1, failed: false });
  return out;
}
