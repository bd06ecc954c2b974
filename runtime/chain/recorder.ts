/**
 * The one interceptor. Every crossing of the host↔wasm boundary goes through here and nowhere else:
 *   - interceptImports wraps every function of every imported interface (whatever the interface: ours or WASI),
 *   - callExport wraps every export call.
 * Nothing here knows what a function means: it records inputs and outputs as canonical values. What an import
 * *does* is decided by an ImportStrategy: perform it (live) or answer it from the record (replay).
 */
import { encode, type Value } from './canonical.ts';
import type { ChainBuilder } from './builder.ts';
import type { Hash, Origin } from './entry.ts';
import { camelCase, kebabCase } from '../component/names.ts';
import {
  isResourceName,
  methodNames,
  ResourceTable,
  resourceFnName,
  staticNames,
  type ResourceClass,
} from './resources.ts';

/** jco's import object: interface name → function name (camelCase) → host function. */
export type ImportObject = Record<string, Record<string, (...args: never[]) => unknown>>;

/** How an import call ended, as recorded: `{ return: v }` or `{ throw: e }` (jco turns a throw into `err(e)`). */
export type ImportOutcome = { readonly return: Value } | { readonly throw: Value };

export interface ImportStrategy {
  /**
   * Produce the outcome of an import call. `perform` runs the real host function. A live strategy calls it;
   * replay returns the recorded outcome instead (or throws to stop at a divergence).
   */
  outcome(iface: string, fn: string, input: Uint8Array, inputHash: Hash, perform: () => unknown): ImportOutcome;
}

/** Thrown by a host function to make the guest trap instead of receiving `err`: a host failure, not an answer. */
export class HostTrap extends Error {
  override readonly name = 'HostTrap';
}

export const liveStrategy: ImportStrategy = {
  outcome(_iface, _fn, _input, _hash, perform) {
    try {
      return { return: perform() as Value };
    } catch (e) {
      if (e instanceof HostTrap) return { throw: { trap: e.message } };
      if (e instanceof Error) return { throw: { trap: `host error: ${e.message}` } };
      return { throw: e as Value };
    }
  },
};

/** Rebuilds the JS value/exception jco expects from a recorded outcome. */
export function settle(outcome: ImportOutcome): unknown {
  if ('return' in outcome) return outcome.return ?? undefined;
  const t = outcome.throw;
  if (t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Uint8Array) && 'trap' in t) {
    throw new HostTrap(String(t.trap)); // an Error instance: jco rethrows it, so the guest traps
  }
  throw t; // a plain value: jco lowers it as the `err` case of the import's result
}

/**
 * Wraps every function of every imported interface, and every method and drop of every imported resource
 * (resources.ts). `afterImport` runs once each import entry is on the chain (the worker ships entries from there,
 * so a call that never returns still leaves what it did on record).
 */
export function interceptImports(
  imports: ImportObject,
  chain: ChainBuilder,
  strategy: ImportStrategy,
  afterImport?: () => void,
): ImportObject {
  const table = new ResourceTable();
  let resources = false;
  /** One crossing: record the input, let the strategy produce the outcome, record it, hand the guest its value. */
  const cross = (iface: string, wit: string, args: readonly unknown[], perform: () => unknown): unknown => {
    const input = encode((resources ? table.toRecord(args) : args) as Value);
    const inputHash = chain.blob(input);
    const live = resources ? () => recordable(table, perform) : perform;
    const outcome = strategy.outcome(iface, wit, input, inputHash, live);
    chain.append('import', iface, wit, { input: inputHash, output: chain.value(outcome as unknown as Value) });
    afterImport?.();
    return settle(resources ? (table.fromRecord(outcome) as ImportOutcome) : outcome);
  };

  const out: ImportObject = {};
  for (const [iface, fns] of Object.entries(imports)) {
    const wrapped: Record<string, (...args: never[]) => unknown> = {};
    for (const [name, fn] of Object.entries(fns)) {
      if (isResourceName(name)) {
        resources = true;
        wrapped[name] = standInClass(table, iface, name, fn as unknown as ResourceClass, cross);
        continue;
      }
      const wit = kebabCase(name);
      wrapped[name] = (...args: never[]) =>
        cross(iface, wit, args, () => fn(...((resources ? table.toHost(args) : args) as never[])));
    }
    out[iface] = wrapped;
  }
  return out;
}

/** A live host call's result (or thrown value) with host objects replaced by their recorded refs. */
function recordable(table: ResourceTable, perform: () => unknown): unknown {
  try {
    return table.toRecord(perform());
  } catch (e) {
    if (e instanceof Error) throw e; // a host failure: liveStrategy turns it into a trap
    throw table.toRecord(e); // a WIT error value (e.g. stream-error holding an io error resource)
  }
}

type Cross = (iface: string, wit: string, args: readonly unknown[], perform: () => unknown) => unknown;

/**
 * The class the guest sees for a host resource class: same method names, each one a recorded crossing whose first
 * argument is the resource itself. Dropping it (jco calls Symbol.dispose) is recorded too.
 */
function standInClass(table: ResourceTable, iface: string, name: string, host: ResourceClass, cross: Cross) {
  const standIn = class {} as unknown as ResourceClass & Record<string, unknown>;
  Object.defineProperty(standIn, 'name', { value: name });
  const proto = standIn.prototype as Record<string | symbol, unknown>;
  for (const m of methodNames(host)) {
    const wit = resourceFnName('method', name, m);
    proto[m] = function (this: object, ...args: unknown[]) {
      return cross(iface, wit, [this, ...args], () => {
        const self = table.hostOf(this) as Record<string, (...a: unknown[]) => unknown>;
        return self[m]!(...(table.toHost(args) as unknown[]));
      });
    };
  }
  for (const s of staticNames(host)) {
    const wit = resourceFnName('static', name, s);
    const fn = (host as unknown as Record<string, (...a: unknown[]) => unknown>)[s]!;
    standIn[s] = (...args: unknown[]) => cross(iface, wit, args, () => fn(...(table.toHost(args) as unknown[])));
  }
  const drop = resourceFnName('resource-drop', name);
  proto[Symbol.dispose] = function (this: object) {
    cross(iface, drop, [this], () => {
      (table.hostOf(this) as Partial<Disposable>)[Symbol.dispose]?.();
      return undefined;
    });
    table.forget(this);
  };
  table.register(host, iface, name, standIn);
  return standIn as unknown as (...args: never[]) => unknown;
}

/** `store`: the call ran but its entries could not be committed, so it is not acknowledged (never recorded). */
export type ErrorKind = 'trap' | 'handler-error' | 'timeout' | 'startup' | 'store';

/** A type, not an interface: records must satisfy Value's index signature to be recorded without casts. */
export type ActorErrorInfo = {
  readonly kind: ErrorKind;
  readonly message: string;
};

export type ExportOutcome =
  | { readonly ok: true; readonly response: Value; readonly state: Uint8Array | null }
  | { readonly ok: false; readonly error: ActorErrorInfo };

/** An export call as its caller sees it once committed: the outcome and the hashes of the entries it recorded. */
export type CallOutcome = ExportOutcome & {
  /** In chain order: the call, its imports, its return or error. Empty when the call never reached the actor. */
  readonly entries: readonly Hash[];
};

export interface CallMeta {
  readonly origin: Origin;
  readonly cause?: Hash | null;
}

/** jco's instance: versioned interface name → camelCase export functions. */
export type ComponentInstance = Record<string, Record<string, (...args: unknown[]) => unknown>>;

type ExportFn = (...args: unknown[]) => unknown;

/** Per instance: interface → function name → the export (looked up once; a call is the hot path). */
const exportsOf = new WeakMap<ComponentInstance, Map<string, Map<string, ExportFn | undefined>>>();

export function findExport(instance: ComponentInstance, iface: string, fn: string): ExportFn | undefined {
  let byIface = exportsOf.get(instance);
  if (!byIface) exportsOf.set(instance, (byIface = new Map()));
  let byFn = byIface.get(iface);
  if (!byFn) byIface.set(iface, (byFn = new Map()));
  if (byFn.has(fn)) return byFn.get(fn);
  let found: ExportFn | undefined;
  for (const [key, obj] of Object.entries(instance)) {
    if (key === iface || key.startsWith(`${iface}@`)) {
      found = obj[camelCase(fn)];
      break;
    }
  }
  byFn.set(fn, found);
  return found;
}

/**
 * Calls an export with the chain's current state, recording the call and its return or error. Never throws for
 * what the guest did: a trap or an `err` is an outcome, recorded on the chain.
 */
export function callExport(
  instance: ComponentInstance,
  chain: ChainBuilder,
  iface: string,
  fn: string,
  params: readonly Value[],
  meta: CallMeta,
): ExportOutcome {
  chain.append('call', iface, fn, { input: chain.value(params), origin: meta.origin, cause: meta.cause ?? null });
  const f = findExport(instance, iface, fn);
  try {
    if (!f) throw new TypeError(`the component does not export ${iface}#${fn}`);
    const result = f(chain.state ?? undefined, params) as [Uint8Array | undefined, Value?];
    if (!Array.isArray(result)) throw new TypeError(`${iface}#${fn} returned ${typeof result}, expected a tuple`);
    const state = result[0] ?? null;
    const response = (result[1] ?? []) as Value;
    chain.setState(state);
    chain.append('return', iface, fn, { output: chain.value(response) });
    return { ok: true, response, state };
  } catch (e) {
    const error = classifyError(e);
    chain.append('error', iface, fn, { output: chain.value(error) });
    return { ok: false, error };
  }
}

export function classifyError(e: unknown): ActorErrorInfo {
  if (e !== null && typeof e === 'object' && Object.prototype.hasOwnProperty.call(e, 'payload')) {
    const payload = (e as { payload: unknown }).payload;
    return { kind: 'handler-error', message: typeof payload === 'string' ? payload : JSON.stringify(payload) };
  }
  if (e instanceof Error) return { kind: 'trap', message: e.message };
  return { kind: 'trap', message: String(e) };
}
