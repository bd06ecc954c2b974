/**
 * Imported resources (WASI's streams, pollables, descriptors, ...) through the one interceptor. A host function may
 * return an object of a resource class; the guest then calls methods on it and drops it. Those method calls and
 * drops are crossings like any other, so the interceptor records them too, generically: nothing here knows what a
 * stream is.
 *
 * The guest never sees a host object. It sees a *stand-in*: an instance of a class the interceptor made for each
 * resource class of the import object, holding a handle number (a table id, as wasmtime keeps them) and, live, the
 * host object behind it. On the chain a resource is `{"$resource": "<iface>#<name>", "handle": n}` (plus the
 * `label` the host object gives itself, e.g. "stdout", so a reader can tell streams apart without context); WIT
 * field names cannot start with `$`, so no record is ever mistaken for one. In replay there is no host object: the
 * stand-in is made from the recorded handle, and its methods are answered from the record like every function.
 */
import type { Value } from './canonical.ts';
import { kebabCase } from '../component/names.ts';

/** A resource class as a handler provides it: methods on the prototype, optionally static functions. */
export type ResourceClass = abstract new (...args: never[]) => object;

/** The recorded form of a resource. */
export interface ResourceRef {
  readonly $resource: string;
  readonly handle: number;
  readonly label?: string;
}

/** What a stand-in holds. The host object is absent in replay. */
const REF = Symbol('theater.resource');
interface StandIn {
  [REF]: { readonly ref: ResourceRef; readonly host: object | undefined };
}

/** jco names resources in PascalCase and functions in camelCase: that is how an import object tells them apart. */
export function isResourceName(name: string): boolean {
  return /^[A-Z]/.test(name);
}

export function isResourceRef(v: unknown): v is ResourceRef {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && '$resource' in v && 'handle' in v;
}

/** The WIT name of a method or static function, as the chain records it: `[method]output-stream.check-write`. */
export function resourceFnName(kind: 'method' | 'static' | 'resource-drop', resource: string, fn?: string): string {
  const r = kebabCase(resource.charAt(0).toLowerCase() + resource.slice(1));
  return fn === undefined ? `[${kind}]${r}` : `[${kind}]${r}.${kebabCase(fn)}`;
}

/** One per instance: handle numbers, stand-ins, and the translation between guest, chain and host values. */
export class ResourceTable {
  private next = 1;
  private readonly byHandle = new Map<number, StandIn>();
  private readonly byHost = new WeakMap<object, StandIn>();
  /** Host class → the stand-in class made for it, and the recorded name of its resource. */
  private readonly classes = new Map<ResourceClass, { readonly standIn: ResourceClass; readonly name: string }>();
  private readonly standInClasses = new Map<string, ResourceClass>();

  /** Registers a stand-in class; `install` puts the recording methods on its prototype. */
  register(host: ResourceClass, iface: string, name: string, standIn: ResourceClass): void {
    const qualified = `${iface}#${resourceFnName('resource-drop', name).slice('[resource-drop]'.length)}`;
    this.classes.set(host, { standIn, name: qualified });
    this.standInClasses.set(qualified, standIn);
  }

  /** Guest or host value → the value the chain records (host objects and stand-ins become ResourceRefs). */
  toRecord(v: unknown): Value {
    if (v !== null && typeof v === 'object') {
      if (REF in v) return (v as StandIn)[REF].ref as unknown as Value;
      const known = this.byHost.get(v);
      if (known) return known[REF].ref as unknown as Value;
      const cls = this.hostClassOf(v);
      if (cls) return this.adopt(v, cls)[REF].ref as unknown as Value;
      if (Array.isArray(v)) return v.map((x) => this.toRecord(x));
      if (isPlain(v)) {
        const out: Record<string, Value> = {};
        for (const [k, x] of Object.entries(v)) out[k] = this.toRecord(x);
        return out;
      }
    }
    return v as Value;
  }

  /** Recorded value → what the guest receives (ResourceRefs become stand-ins, made from the record in replay). */
  fromRecord(v: unknown): unknown {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    if (isResourceRef(v)) return this.byHandle.get(v.handle) ?? this.revive(v);
    if (Array.isArray(v)) return v.map((x) => this.fromRecord(x));
    if (!isPlain(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.fromRecord(x);
    return out;
  }

  /** Guest value → what the host function receives (stand-ins become their host objects). */
  toHost(v: unknown): unknown {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    if (REF in v) {
      const { host, ref } = (v as StandIn)[REF];
      if (!host) throw new Error(`resource ${ref.$resource} #${ref.handle} has no host object (replay)`);
      return host;
    }
    if (Array.isArray(v)) return v.map((x) => this.toHost(x));
    if (!isPlain(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.toHost(x);
    return out;
  }

  /** The host object behind a stand-in (undefined in replay). */
  hostOf(standIn: object): object | undefined {
    return (standIn as StandIn)[REF]?.host;
  }

  forget(standIn: object): void {
    const s = standIn as StandIn;
    this.byHandle.delete(s[REF].ref.handle);
    if (s[REF].host) this.byHost.delete(s[REF].host);
  }

  private hostClassOf(v: object): { readonly standIn: ResourceClass; readonly name: string } | undefined {
    for (const [host, info] of this.classes) if (v instanceof host) return info;
    return undefined;
  }

  private adopt(host: object, cls: { readonly standIn: ResourceClass; readonly name: string }): StandIn {
    const label = (host as { label?: unknown }).label;
    const ref: ResourceRef = {
      $resource: cls.name,
      handle: this.next++,
      ...(typeof label === 'string' ? { label } : {}),
    };
    const s = this.make(cls.standIn, ref, host);
    this.byHost.set(host, s);
    return s;
  }

  private revive(ref: ResourceRef): StandIn {
    const cls = this.standInClasses.get(ref.$resource);
    if (!cls) throw new Error(`the record names resource ${ref.$resource}, which this component does not import`);
    this.next = Math.max(this.next, ref.handle + 1);
    return this.make(cls, ref, undefined);
  }

  private make(cls: ResourceClass, ref: ResourceRef, host: object | undefined): StandIn {
    const s = Object.create(cls.prototype as object) as StandIn;
    Object.defineProperty(s, REF, { value: { ref, host } });
    this.byHandle.set(ref.handle, s);
    return s;
  }
}

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** Method names a host class defines (its own and inherited, up to Object), for its stand-in to record. */
export function methodNames(cls: ResourceClass): string[] {
  const names = new Set<string>();
  for (let p = cls.prototype as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (typeof d?.value === 'function') names.add(n);
    }
  }
  return [...names];
}

/** Static function names of a host class (WIT `[static]` functions). */
export function staticNames(cls: ResourceClass): string[] {
  return Object.getOwnPropertyNames(cls).filter(
    (n) =>
      !['length', 'name', 'prototype'].includes(n) &&
      typeof (cls as unknown as Record<string, unknown>)[n] === 'function',
  );
}
