/**
 * What the client sees of a position: its stack frames (named `iface.fn #seq`, pointing at the chain listing) and
 * its scopes — State (the JSON state as of the entry), Input, Output and Entry (hash, parent, kind, origin, cause).
 */
import { Scope, Source, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PathSegment, StoredEntry } from '../index.ts';
import type { BranchView, EntryDetail } from './chain-view.ts';
import { stackAt } from './stepping.ts';
import type { VariableStore } from './variables.ts';

/** "theater:simple/http-server@0.1.0" → "http-server": what people call an interface. */
export function shortIface(iface: string): string {
  return iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '');
}

/** The frames at position `pos`, innermost first; `frameId` makes each one's id, `line` converts a 1-based line. */
export function stackFrames(
  view: BranchView,
  pos: number,
  source: Source,
  frameId: (pos: number) => number,
  line: (oneBased: number) => number,
): StackFrame[] {
  return stackAt(view, pos).map((p) => {
    const kind = view.kindAt(p);
    const [iface, fn] = (view.fnAt(p) ?? '#').split('#') as [string, string];
    const suffix = kind === 'return' || kind === 'error' || kind === 'event' ? ` (${kind})` : '';
    return new StackFrame(frameId(p), `${shortIface(iface)}.${fn} #${p}${suffix}`, source, line(p + 1), 1);
  });
}

export function listingSource(name: string, ref: number): Source {
  return new Source(name, undefined, ref, 'chain listing');
}

/** The Entry scope: the entry's own fields, hashes in hex, the recording time as ISO text. */
export function entryFields(e: StoredEntry): Record<string, unknown> {
  const hex = (h: Uint8Array | null) => (h ? Buffer.from(h).toString('hex') : null);
  return {
    seq: e.seq,
    hash: hex(e.hash),
    parent: hex(e.parent),
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    origin: e.origin,
    cause: hex(e.cause),
    branch: e.branch,
    recorded: new Date(e.ts).toISOString(),
  };
}

export function scopes(d: EntryDetail, vars: VariableStore): DebugProtocol.Scope[] {
  const scope = (name: string, value: unknown, statePath: PathSegment[] | null) => {
    const container = value !== null && typeof value === 'object';
    // A scope needs a container: a scalar (or absent) value is shown as its one variable.
    const s: DebugProtocol.Scope = new Scope(
      name,
      vars.ref(container ? value : { value }, container ? statePath : null),
    );
    if (Array.isArray(value)) s.indexedVariables = value.length;
    return s;
  };
  return [
    scope('State', d.state, []),
    scope('Input', d.input, null),
    scope('Output', d.output, null),
    scope('Entry', entryFields(d.entry), null),
  ];
}
