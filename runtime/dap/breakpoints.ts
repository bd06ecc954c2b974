/**
 * Breakpoints that mean something on a chain, and the search that `continue` and `reverseContinue` run:
 *
 * - function breakpoints on `iface.fn` (an export call or an import; the interface by its short name
 *   `runtime.log`, or in full `theater:simple/runtime.log`), optionally conditional on a JS-like expression over
 *   `state`, `input`, `output` and `entry`;
 * - data breakpoints on a JSON path of the state (`$.count`): hit at each entry whose state has another value
 *   there than the entry before it — the change itself, whichever way the search runs;
 * - the `error` exception filter: calls that failed (trap, timeout, handler error);
 * - entry breakpoints: a line of a branch's chain listing is an entry of that branch.
 */
import { types } from 'node:util';
import { constants, createContext, Script, type Context } from 'node:vm';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  DamagedChainError,
  formatPath,
  parsePath,
  pathProblem,
  RUNTIME_EVENTS,
  valueAt,
  type PathEntry,
  type PathSegment,
} from '../index.ts';
import { walkedDetail, type BranchView, type ChainNames } from './chain-view.ts';

export interface FunctionBreakpoint {
  readonly id: number;
  /** As the user wrote it. */
  readonly name: string;
  readonly iface: string | null;
  readonly fn: string;
  readonly condition: Condition | null;
}

export interface DataBreakpoint {
  readonly id: number;
  /** The JSON path, as written in a data id: "$.count". */
  readonly dataId: string;
  readonly path: readonly PathSegment[];
}

export interface Hit {
  readonly index: number;
  readonly reason: 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception';
  readonly ids: readonly number[];
  readonly description: string;
  /** Set when a condition threw there (one line each): the run stops at that entry and says why (never silently false). */
  readonly conditionError?: string;
}

/**
 * A compiled condition, evaluated on JSON copies in a V8 context of its own with a 100 ms limit. Nothing of the
 * adapter's realm is reachable from it: the context is created without a contextified host object
 * (`DONT_CONTEXTIFY`: its global and every builtin are its own), the values cross as JSON text that the context's
 * own `JSON.parse` turns into objects of its realm, `this` is undefined (a strict function), and code generation from
 * strings (`eval`, `Function`) and WebAssembly compilation are off. Promise jobs it schedules run inside the limit
 * (`microtaskMode: 'afterEvaluate'`). What it returns or throws is only looked at in ways that run none of its code.
 * This is not a sandbox against hostile code (Node's vm is no security mechanism: a condition still shares the
 * adapter's process, thread and heap), but a condition cannot reach the adapter's objects, modules or files.
 */
export class Condition {
  private readonly script: Script;
  private readonly context: Context;

  constructor(readonly source: string) {
    // Compiled first, so a condition that does not parse costs no context.
    this.script = new Script(
      `'use strict'; (function ({ state, input, output, entry }) { return (${source}\n); })(JSON.parse(__values))`,
      { filename: 'breakpoint-condition' },
    );
    this.context = createContext(constants.DONT_CONTEXTIFY, {
      name: 'breakpoint condition',
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    // The slot the values arrive in cannot be turned into a setter by the condition (the adapter's write would run
    // it, outside the time limit); made read-only, the write throws and the condition fails.
    new Script(
      "Object.defineProperty(globalThis, '__values', { value: '{}', writable: true, enumerable: false, configurable: false })",
    ).runInContext(this.context);
  }

  /** Whether the condition holds; throws an Error of this realm saying why when it throws or runs out of time. */
  test(values: { state: unknown; input: unknown; output: unknown; entry: unknown }): boolean {
    try {
      (this.context as { __values: string }).__values = JSON.stringify(values);
      // ToBoolean runs no code of the condition's, whatever it returned (a proxy, an object with valueOf...).
      return Boolean(this.script.runInContext(this.context, { timeout: 100, displayErrors: false }));
    } catch (e) {
      // No cause: the thrown value is the condition's (a proxy, an object with getters) and must not be read later.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(thrownMessage(e));
    }
  }
}

/**
 * What a condition threw, read without running any of its code: an error's own `message` when it is a plain data
 * property (no getter, no proxy), a primitive as text, anything else by its type alone.
 */
function thrownMessage(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null && types.isNativeError(e) && !types.isProxy(e)) {
    const message = Object.getOwnPropertyDescriptor(e, 'message');
    if (message && 'value' in message && typeof message.value === 'string') return message.value;
  }
  // Only primitives are turned into text: String() of an object or a function could run its code.
  if (e === null || ['undefined', 'number', 'bigint', 'boolean'].includes(typeof e)) return `threw ${String(e)}`;
  return `threw ${typeof e === 'symbol' ? 'a symbol' : 'a value that is not an Error'}`;
}

/** Parses a function breakpoint's name: `iface.fn` (the last dot splits), or a bare function name. */
export function functionBreakpoint(
  id: number,
  name: string,
  condition: string | undefined,
): FunctionBreakpoint | string {
  const trimmed = name.trim();
  const dot = trimmed.lastIndexOf('.');
  const iface = dot > 0 ? trimmed.slice(0, dot) : null;
  const fn = dot > 0 ? trimmed.slice(dot + 1) : trimmed;
  if (!fn) return `"${name}" names no function: write interface.function, e.g. runtime.log`;
  let cond: Condition | null = null;
  if (condition?.trim()) {
    try {
      cond = new Condition(condition);
    } catch (e) {
      return `the condition does not parse: ${(e as Error).message}`;
    }
  }
  return { id, name: trimmed, iface, fn, condition: cond };
}

/** A data breakpoint on a JSON path of the state, or what is wrong with the path (see pathProblem). */
export function dataBreakpoint(id: number, dataId: string): DataBreakpoint | string {
  const problem = pathProblem(dataId);
  if (problem) return problem;
  const path = parsePath(dataId);
  return { id, dataId: formatPath(path), path };
}

/** "theater:simple/runtime@0.1.0" and "runtime" and "theater:simple/runtime" all match a breakpoint's "runtime". */
function ifaceMatches(want: string | null, iface: string): boolean {
  if (want === null) return true;
  const bare = iface.replace(/@[\d.]+$/, '');
  return bare === want || bare.replace(/^[^/]*\//, '') === want;
}

/** "theater:simple/runtime@0.1.0" → "runtime": how a breakpoint names it most briefly. */
function shortIface(iface: string): string {
  return iface.replace(/@[\d.]+$/, '').replace(/^[^/]*\//, '');
}

export class Breakpoints {
  functions: readonly FunctionBreakpoint[] = [];
  data: readonly DataBreakpoint[] = [];
  stopOnErrors = false;
  /** "actor@branch" → seq → breakpoint id. */
  private readonly entries = new Map<string, ReadonlyMap<number, number>>();
  private nextId = 1;

  get empty(): boolean {
    return (
      this.functions.length === 0 &&
      this.data.length === 0 &&
      !this.stopOnErrors &&
      [...this.entries.values()].every((m) => m.size === 0)
    );
  }

  /**
   * DAP setFunctionBreakpoints: replaces them all, at once; each is verified or says why not. `checkFunctions` then
   * tells which name no function of the chain.
   */
  setFunctions(list: readonly DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    const kept: FunctionBreakpoint[] = [];
    const out = list.map((b): DebugProtocol.Breakpoint => {
      const id = this.nextId++;
      const bp = functionBreakpoint(id, b.name, b.condition);
      if (typeof bp === 'string') return { id, verified: false, message: bp };
      kept.push(bp);
      return this.verifyFunction(bp);
    });
    this.functions = kept;
    return out;
  }

  /**
   * Given the functions the chain has (`known`, as "iface#fn"), a function breakpoint that names none of them is
   * unverified and says which there are. It stays set: an attached db may record such a call later.
   */
  checkFunctions(answers: readonly DebugProtocol.Breakpoint[], known: ChainNames): DebugProtocol.Breakpoint[] {
    return answers.map((a) => {
      const bp = this.functions.find((f) => f.id === a.id);
      return bp ? this.verifyFunction(bp, known) : a;
    });
  }

  /** The function breakpoints that name no function of `known`, unverified (for `breakpoint` changed events). */
  unknownFunctions(known: ChainNames): DebugProtocol.Breakpoint[] {
    return this.checkFunctions(
      this.functions.map((bp) => this.verifyFunction(bp)),
      known,
    ).filter((b) => !b.verified);
  }

  private verifyFunction(bp: FunctionBreakpoint, known?: ChainNames): DebugProtocol.Breakpoint {
    const when = bp.condition ? `when ${bp.condition.source}` : undefined;
    if (!known) return { id: bp.id, verified: true, message: when };
    const split = known.functions.map((k) => ({
      iface: k.slice(0, k.lastIndexOf('#')),
      fn: k.slice(k.lastIndexOf('#') + 1),
    }));
    if (split.some((f) => f.fn === bp.fn && ifaceMatches(bp.iface, f.iface))) {
      return { id: bp.id, verified: true, message: when };
    }
    if (known.events.includes(bp.fn) && ifaceMatches(bp.iface, RUNTIME_EVENTS)) {
      return {
        id: bp.id,
        verified: false,
        message:
          `${bp.name} is a runtime event, not a function: function breakpoints stop at export calls and imports. ` +
          'To stop at the event, a breakpoint on its line of the chain listing stops there',
      };
    }
    const names = [...new Set(split.map((f) => `${shortIface(f.iface)}.${f.fn}`))].sort();
    return {
      id: bp.id,
      verified: false,
      message:
        `no ${bp.name} in this chain (it has ${names.join(', ') || 'no calls'}); ` +
        'it stays set, and stops there if such a call is recorded later',
    };
  }
  /** DAP setDataBreakpoints: a data id is a JSON path of the state; a malformed one is refused, saying why. */
  setData(list: readonly DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    const kept: DataBreakpoint[] = [];
    const out = list.map((b): DebugProtocol.Breakpoint => {
      const id = this.nextId++;
      const bp = dataBreakpoint(id, b.dataId);
      if (typeof bp === 'string') return { id, verified: false, message: bp };
      kept.push(bp);
      return { id, verified: true, message: `${bp.dataId} changes` };
    });
    this.data = kept;
    return out;
  }

  /** Breakpoints on entries of one branch (lines of its listing: line = seq + 1), replacing that branch's. */
  setEntries(key: string, seqs: readonly number[], length: number): DebugProtocol.Breakpoint[] {
    const map = new Map<number, number>();
    const out = seqs.map((seq): DebugProtocol.Breakpoint => {
      if (seq < 0 || seq >= length) return { verified: false, message: `no entry #${seq} (the branch has ${length})` };
      const id = map.get(seq) ?? this.nextId++;
      map.set(seq, id);
      return { id, verified: true, line: seq + 1 };
    });
    this.entries.set(key, map);
    return out;
  }

  /**
   * The first hit strictly after `from` (dir 1) or strictly before it (dir -1), or undefined. Yields to the event
   * loop every `slice` entries (so a pause can land) and gives up when `cancelled()` says so.
   */
  async search(
    view: BranchView,
    from: number,
    dir: 1 | -1,
    cancelled: () => boolean,
    slice = 4096,
  ): Promise<Hit | 'cancelled' | undefined> {
    if (this.empty) return undefined;
    const at = this.entries.get(`${view.actor}@${view.branch}`);
    let n = 0;
    if (dir === 1) {
      // Each entry is compared with the one before it: start the walk at `from` itself.
      let prev: PathEntry | undefined;
      for await (const e of view.walk(from, 1)) {
        if (prev) {
          const hit = this.check(e, prev, at);
          if (hit) return hit;
        }
        prev = e;
        if (++n % slice === 0) {
          await new Promise((r) => setImmediate(r));
          if (cancelled()) return 'cancelled';
        }
      }
      return undefined;
    }
    // Backwards, an entry's predecessor is the next one the walk yields: check each entry once that one is known.
    let cur: PathEntry | undefined;
    for await (const e of view.walk(from - 1, -1)) {
      if (cur) {
        const hit = this.check(cur, e, at);
        if (hit) return hit;
      }
      cur = e;
      if (++n % slice === 0) {
        await new Promise((r) => setImmediate(r));
        if (cancelled()) return 'cancelled';
      }
    }
    return cur ? this.check(cur, undefined, at) : undefined;
  }

  /**
   * Whether entry `e` (whose predecessor on the path is `prev`) hits anything. Bytes a condition or a data breakpoint
   * needs that are not what the chain recorded stop the run there, saying which entry and blob: a breakpoint is never
   * tested on them, and a search never passes them silently.
   */
  check(e: PathEntry, prev: PathEntry | undefined, at?: ReadonlyMap<number, number>): Hit | undefined {
    try {
      return this.test(e, prev, at);
    } catch (err) {
      if (!(err instanceof DamagedChainError)) throw err;
      return { index: e.seq, reason: 'exception', ids: [], description: err.message };
    }
  }

  private test(e: PathEntry, prev: PathEntry | undefined, at?: ReadonlyMap<number, number>): Hit | undefined {
    const ids: number[] = [];
    const why: string[] = [];
    let reason: Hit['reason'] | undefined;
    const failed: string[] = [];
    const onEntry = at?.get(e.seq);
    if (onEntry !== undefined) {
      reason = 'breakpoint';
      ids.push(onEntry);
      why.push(`entry #${e.seq}`);
    }
    if (this.stopOnErrors && e.kind === 'error') {
      reason ??= 'exception';
      why.push(`${e.iface}#${e.fn} failed`);
    }
    if (e.kind === 'call' || e.kind === 'import') {
      let detail: ReturnType<typeof walkedDetail> | undefined;
      for (const bp of this.functions) {
        if (bp.fn !== e.fn || !ifaceMatches(bp.iface, e.iface)) continue;
        if (bp.condition) {
          detail ??= walkedDetail(e);
          let ok: boolean;
          try {
            ok = bp.condition.test({ ...detail, entry: entryFields(e) });
          } catch (err) {
            failed.push(
              `the condition of ${bp.name} (${bp.condition.source}) failed at #${e.seq}: ${(err as Error).message}`,
            );
            ok = true;
          }
          if (!ok) continue;
        }
        ids.push(bp.id);
        reason ??= 'function breakpoint';
        why.push(bp.name);
      }
    }
    if (this.data.length > 0 && !sameState(e, prev)) {
      const now = walkedDetail(e).state;
      const before = prev ? walkedDetail(prev).state : undefined;
      for (const bp of this.data) {
        const a = before === undefined ? undefined : valueAt(before, bp.path);
        const b = valueAt(now, bp.path);
        if (JSON.stringify(a) === JSON.stringify(b)) continue;
        ids.push(bp.id);
        reason ??= 'data breakpoint';
        why.push(`${bp.dataId}: ${show(a)} → ${show(b)}`);
      }
    }
    if (!reason) return undefined;
    return { index: e.seq, reason, ids, description: why.join('; '), conditionError: failed.join('\n') || undefined };
  }
}

function sameState(e: PathEntry, prev: PathEntry | undefined): boolean {
  if (!prev) return e.state === null;
  if (e.state === null || prev.state === null) return e.state === prev.state;
  return Buffer.compare(e.state, prev.state) === 0;
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** What a condition sees as `entry`. */
export function entryFields(e: PathEntry): Record<string, unknown> {
  return {
    seq: e.seq,
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    origin: e.origin,
    hash: Buffer.from(e.hash).toString('hex'),
  };
}
