/** The stepping rules on a path written as kinds: next steps over imports, stepBack undoes next, stepOut leaves a call. */
import { describe, expect, it } from 'vitest';
import type { EntryKind } from '../index.ts';
import { callOf, endOf, next, stackAt, stepBack, stepIn, stepOut, type KindsAlong } from './stepping.ts';

const K: Record<string, EntryKind> = { e: 'event', c: 'call', i: 'import', r: 'return', x: 'error' };
/** "e c i i r c r c x" → a path of those kinds, seq = position. */
const path = (s: string): KindsAlong => {
  const kinds = s.split(' ').map((k) => K[k]!);
  return { length: kinds.length, kindAt: (i) => kinds[i] };
};

describe('stepping along a chain', () => {
  //            0 1 2 3 4 5 6 7 8 9 10
  const p = path('e c i i r c r c i x c');

  it('next steps over a call to its return, then on to the next entry; it stays at the head', () => {
    const visited = [0];
    for (let i = 0; i < 8; i++) visited.push(next(p, visited.at(-1)!));
    expect(visited).toEqual([0, 1, 4, 5, 6, 7, 9, 10, 10]);
  });

  it('stepBack undoes next exactly, back to the root', () => {
    const visited = [10];
    for (let i = 0; i < 8; i++) visited.push(stepBack(p, visited.at(-1)!));
    expect(visited).toEqual([10, 9, 7, 6, 5, 4, 1, 0, 0]);
  });

  it('stepIn enters the imports; stepOut leaves them for the return', () => {
    expect(stepIn(p, 1)).toBe(2);
    expect(stepOut(p, 2)).toBe(4);
    expect(stepOut(p, 8)).toBe(9);
    expect(stepOut(p, 1)).toBe(4);
  });

  it('an import sits on the call it is made from; a call still running at the head has no end', () => {
    expect(stackAt(p, 3)).toEqual([3, 1]);
    expect(stackAt(p, 4)).toEqual([4]);
    expect(callOf(p, 9)).toBe(7);
    expect(endOf(p, 10)).toBeUndefined();
    expect(next(p, 10)).toBe(10);
  });
});
