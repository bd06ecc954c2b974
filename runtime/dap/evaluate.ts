/**
 * `evaluate`: a JSON path on the state at the frame's entry (`$.count`, `count`, `$.notes[0].text`, `/notes/0`),
 * or on its decoded input or output (`input[0].uri`, `output`). The Debug Console, hovers and watches use it.
 */
import { formatPath, parsePath, valueAt, type PathSegment } from '../index.ts';
import type { EntryDetail } from './chain-view.ts';

export interface Evaluated {
  readonly value: unknown;
  /** Where the value sits in the state (so a watch can become a data breakpoint), or null. */
  readonly statePath: readonly PathSegment[] | null;
}

export function evaluate(expression: string, d: EntryDetail | undefined): Evaluated {
  if (!d) throw new Error('no entry here');
  const expr = expression.trim();
  const root = /^(input|output)(?=$|[.[])/.exec(expr);
  if (root) {
    const name = root[1] as 'input' | 'output';
    const path = parsePath(expr.slice(name.length));
    const value = valueAt(d[name], path);
    if (value === undefined)
      throw new Error(`${name}${formatPath(path).slice(1)} is not in entry #${d.entry.seq}'s ${name}`);
    return { value, statePath: null };
  }
  const path = parsePath(expr);
  const value = valueAt(d.state, path);
  if (value === undefined) throw new Error(`${formatPath(path)} is not in the state at #${d.entry.seq}`);
  return { value, statePath: path };
}
