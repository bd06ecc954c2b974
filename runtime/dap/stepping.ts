/**
 * Where each stepping request moves, on one branch path. Pure functions of the entry kinds along the path, so the
 * rules can be read and tested without a db. The levels mirror a call stack:
 *
 *   top level:  event · call ─────────────────────── return · call ──── error · …
 *   inside:            └ import · import · import ┘            └ import ┘
 *
 * `next` steps over a call's imports (call → its return), `stepIn` enters them (call → its first import),
 * `stepOut` leaves them (import → the call's return), and `stepBack` undoes `next` (return → its call, call → the
 * entry before it). A call still running at the head (no return yet) can only be entered.
 */
import type { EntryKind } from '../index.ts';

export interface KindsAlong {
  readonly length: number;
  kindAt(i: number): EntryKind | undefined;
}

/** The call an import, return or error belongs to (scanning back over imports). */
export function callOf(p: KindsAlong, i: number): number | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const k = p.kindAt(j);
    if (k === 'call') return j;
    if (k !== 'import') return undefined;
  }
  return undefined;
}

/** The return or error that ends the call a call or import belongs to; undefined while it has not ended. */
export function endOf(p: KindsAlong, i: number): number | undefined {
  for (let j = i + 1; j < p.length; j++) {
    const k = p.kindAt(j);
    if (k === 'return' || k === 'error') return j;
    if (k !== 'import') return undefined;
  }
  return undefined;
}

const last = (p: KindsAlong) => Math.max(0, p.length - 1);

export function next(p: KindsAlong, i: number): number {
  if (p.kindAt(i) === 'call') return endOf(p, i) ?? Math.min(i + 1, last(p));
  return Math.min(i + 1, last(p));
}

export function stepIn(p: KindsAlong, i: number): number {
  return Math.min(i + 1, last(p));
}

export function stepOut(p: KindsAlong, i: number): number {
  const k = p.kindAt(i);
  if (k === 'import' || k === 'call') return endOf(p, i) ?? last(p);
  return Math.min(i + 1, last(p));
}

export function stepBack(p: KindsAlong, i: number): number {
  const k = p.kindAt(i);
  if (k === 'return' || k === 'error') return callOf(p, i) ?? Math.max(i - 1, 0);
  return Math.max(i - 1, 0);
}

/**
 * The stack at position i, innermost first: an import sits on the call it is made from; a call, its return or
 * error is the call's own frame; an event has a frame of its own.
 */
export function stackAt(p: KindsAlong, i: number): number[] {
  const k = p.kindAt(i);
  if (k === 'import') {
    const call = callOf(p, i);
    return call === undefined ? [i] : [i, call];
  }
  return [i];
}
