/**
 * The Variables view over JSON values: each object or array shown gets a reference whose children are fetched when
 * expanded. Arrays are paged (`indexedVariables`: the client asks for a window at a time), so a state holding a
 * 100,000-item list costs what is on screen. References live until the thread moves (DAP's rule), and each remembers
 * where it sits in the State scope, so a data breakpoint can be set on any variable under it.
 */
import { Handles } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { formatPath, type PathSegment } from '../index.ts';

interface Container {
  readonly value: object;
  /** The container's JSON path in the state, or null when it is not part of the State scope. */
  readonly statePath: readonly PathSegment[] | null;
}

const MAX_STRING = 4000;
const MAX_NAMED = 5000;

export class VariableStore {
  private handles = new Handles<Container>();

  reset(): void {
    this.handles.reset();
  }

  /** A reference for a scope or an expanded value; 0 for values that have no children. */
  ref(value: unknown, statePath: readonly PathSegment[] | null): number {
    if (value === null || typeof value !== 'object') return 0;
    return this.handles.create({ value, statePath });
  }

  has(ref: number): boolean {
    return this.handles.get(ref) !== undefined;
  }

  variables(args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    const c = this.handles.get(args.variablesReference);
    if (!c) return [];
    const child = (name: string, seg: PathSegment, v: unknown) =>
      this.variable(name, v, c.statePath ? [...c.statePath, seg] : null);
    if (Array.isArray(c.value)) {
      if (args.filter === 'named') return [];
      const start = Math.max(0, args.start ?? 0);
      const end = args.count ? Math.min(c.value.length, start + args.count) : c.value.length;
      const out: DebugProtocol.Variable[] = [];
      for (let i = start; i < end; i++) out.push(child(String(i), i, c.value[i]));
      return out;
    }
    if (args.filter === 'indexed') return [];
    const keys = Object.keys(c.value);
    const out = keys.slice(0, MAX_NAMED).map((k) => child(k, k, (c.value as Record<string, unknown>)[k]));
    if (keys.length > MAX_NAMED)
      out.push({
        name: '…',
        value: `${keys.length - MAX_NAMED} more keys (evaluate a path to see one)`,
        variablesReference: 0,
      });
    return out;
  }

  /** One variable: its value as a short string and, for objects and arrays, a reference to expand it. */
  variable(name: string, value: unknown, statePath: readonly PathSegment[] | null): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name,
      value: preview(value),
      type: typeName(value),
      variablesReference: this.ref(value, statePath),
      evaluateName: statePath ? formatPath(statePath) : undefined,
    };
    if (Array.isArray(value)) v.indexedVariables = value.length;
    else if (value !== null && typeof value === 'object') v.namedVariables = Object.keys(value).length;
    return v;
  }

  /**
   * The state path of `name` under reference `ref` (a data breakpoint's target), or null when `ref` is not under
   * the State scope or has no such child.
   */
  statePathOf(ref: number, name: string): readonly PathSegment[] | null {
    const c = this.handles.get(ref);
    if (!c?.statePath) return null;
    if (Array.isArray(c.value)) {
      const i = Number(name);
      return Number.isInteger(i) && i >= 0 && i < c.value.length ? [...c.statePath, i] : null;
    }
    return Object.prototype.hasOwnProperty.call(c.value, name) ? [...c.statePath, name] : null;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** How a value reads in one line: JSON for scalars, a short summary for containers. */
export function preview(v: unknown, depth = 0): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}… (${s.length} chars)` : s;
  }
  if (Array.isArray(v)) {
    if (depth > 0 || v.length > 8) return `Array(${v.length})`;
    return `[${v.map((x) => preview(x, depth + 1)).join(', ')}]`;
  }
  const keys = Object.keys(v);
  if (depth > 0) return keys.length === 0 ? '{}' : '{…}';
  const shown = keys.slice(0, 5).map((k) => `${k}: ${preview((v as Record<string, unknown>)[k], depth + 1)}`);
  return `{${shown.join(', ')}${keys.length > 5 ? ', …' : ''}}`;
}
