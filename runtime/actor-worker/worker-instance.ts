/**
 * The worker side of the worker pool (worker-pool.ts): how an actor's worker gets its WorkerInit and its component
 * instance. While a worker waits in the pool it may be told which component the next start will likely want; it
 * then loads the component's JS and instantiates it ahead of time, with imports that are bound to the actor only
 * when its init arrives. Instantiating is most of an actor start (jco's generated instantiate builds its whole
 * runtime each time: several ms), so a start that finds its component prepared only binds the imports.
 *
 * A prepared instance is only ever used by the one actor whose init this worker receives, so it is as fresh as one
 * made after the init, with one exception handled here: a component whose instantiation itself calls an import
 * (a start function that logs, say) cannot run that call before the actor is known. Such a call fails the
 * preparation, and the instance is made again, from a fresh copy of the module, once the imports are bound.
 *
 * The component's JS is loaded as a classic script with V8's code cache where the loader could write one
 * (component/files.ts): without it, a fresh worker compiles each of jco's functions on its first use, several times
 * the cost of the call itself.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import type { MessagePort } from 'node:worker_threads';
import type { ComponentInstance, ImportObject } from '../chain/recorder.ts';
import { MODULE_FILE, SCRIPT_FILE } from '../component/files.ts';
import { isResourceName } from '../chain/resources.ts';
import type { PoolMessage, WorkerChannel, WorkerInit } from '../actors/protocol.ts';

type Instantiate = (getCoreModule: (name: string) => WebAssembly.Module, imports: object) => Promise<ComponentInstance>;

/** A component's script compiled in this worker, and whether V8's code cache for it still has to be written. */
interface Compiled {
  readonly script: Script;
  readonly cacheFile: string;
  readonly writeCache: boolean;
}

interface Prepared {
  readonly componentDir: string;
  readonly modules: NonNullable<WorkerInit['modules']>;
  readonly instance: Promise<ComponentInstance>;
  /** Undefined when the component has no script form and was imported as a module. */
  readonly compiled: Promise<Compiled | undefined>;
  /** Points the instance's imports at the actor's; false if an import was already called without them. */
  bind(imports: ImportObject): boolean;
}

let prepared: Prepared | undefined;
/**
 * The component the pool last offered, kept as soon as its message arrives: an init queued right behind the offer
 * skips the (deferred) preparation, and the runtime then sends no modules because it told us them already.
 */
let offered: { readonly componentDir: string; readonly modules: NonNullable<WorkerInit['modules']> } | undefined;
/** The one this worker's actor runs on. */
let running: Prepared | undefined;
/** Each instantiation after a failed preparation loads its own copy of component.mjs (see `instantiate`). */
let copies = 0;

/**
 * Calls `run` with the actor this worker is to run and its channel to the runtime, preparing whatever component
 * the pool names meanwhile, then `rehearse` with the interfaces it imports, before telling the pool it is ready. A
 * callback, not a promise awaited at the top level of the worker's module: resuming a module's top-level await
 * cost ~0.7 ms of a start (measured).
 */
export function receiveInit(
  port: MessagePort,
  run: (init: WorkerInit, channel: WorkerChannel) => void,
  rehearse: (imports: WorkerInit['imports']) => Promise<void>,
): void {
  let initialised = false;
  let channel: WorkerChannel | undefined;
  // Stays registered after the init, ignoring what follows (run registers its own): removing a port's listener
  // for the first time in a worker ran ~0.2 ms of not-yet-compiled Node code inside every start.
  port.on('message', (m: PoolMessage) => {
    if (initialised) return;
    if (m.t === 'channel') {
      channel = m.channel;
      return;
    }
    if (m.t === 'prepare') {
      offered = { componentDir: m.componentDir, modules: m.modules };
      // A turn later: a worker taken while it was still booting finds its init queued right behind this message,
      // and preparing what the init may not want would only delay it.
      setImmediate(() => {
        if (initialised) return m.ready.close();
        prepared = prepare(m.componentDir, m.modules);
        const ready = () => {
          m.ready.postMessage(null);
          m.ready.close();
        };
        prepared.instance.then(() => (initialised ? undefined : rehearse(m.imports))).then(ready, ready);
      });
      return;
    }
    initialised = true;
    if (!channel) throw new Error('the worker was given an actor before its channel');
    run(m.init, channel);
  });
}

/** The actor's instance, its imports being `imports`: the prepared one if it is of this component, else a new one. */
export async function instantiate(init: WorkerInit, imports: ImportObject): Promise<ComponentInstance> {
  const p = prepared;
  prepared = undefined;
  if (p?.componentDir === init.componentDir && p.bind(imports)) {
    try {
      const instance = await p.instance;
      running = p;
      return instance;
    } catch {
      // Either the component cannot be instantiated (the retry below says why) or an import was called during
      // instantiation: jco's module keeps per-instance bookkeeping at module level, so retry from a fresh copy.
    }
  }
  const fresh = p?.componentDir === init.componentDir ? `?copy=${++copies}` : '';
  // A worker prepared for this component was not sent the modules again: it has them.
  const modules = init.modules ?? (offered?.componentDir === init.componentDir ? offered.modules : undefined);
  if (!modules) throw new Error(`no compiled modules for ${init.componentDir}`);
  running = prepare(init.componentDir, modules, fresh);
  running.bind(imports);
  return running.instance;
}

/**
 * Once the actor's first call has run: writes V8's code cache of the component's script if there was none (or V8
 * rejected it, e.g. after a Node or Electron upgrade). Created after a call, it holds every function that call
 * compiled, so the next worker of this component runs its first call without compiling them. Best effort: a cache
 * folder we cannot write to only means slower first calls.
 */
export async function cacheCompiledCode(): Promise<void> {
  const compiled = await running?.compiled;
  running = undefined;
  if (!compiled?.writeCache) return;
  try {
    const tmp = `${compiled.cacheFile}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, compiled.script.createCachedData());
    renameSync(tmp, compiled.cacheFile);
  } catch {
    // read-only cache folder, disk full: nothing depends on the cache
  }
}

function prepare(componentDir: string, modules: NonNullable<WorkerInit['modules']>, query = ''): Prepared {
  let bound: ImportObject | undefined;
  let calledUnbound = false;
  // jco reads each import function once, when it instantiates: hand it forwarders that find the real function
  // when first called, i.e. after `bind`.
  const late = (iface: string) =>
    new Proxy({} as Record<string, (...args: never[]) => unknown>, {
      get: (_, name: string) => {
        if (isResourceName(name)) return lateResource(iface, name);
        let fn: ((...args: never[]) => unknown) | undefined;
        return (...args: never[]) => {
          if (!bound) {
            calledUnbound = true;
            throw new Error(`${iface}#${name} was called while instantiating, before the actor was known`);
          }
          fn ??= bound[iface]![name]!;
          return fn(...args);
        };
      },
    });
  // A resource class is read once too, then used in `instanceof` checks and for static functions: a stand-in that
  // answers both from the class bound later.
  const lateResource = (iface: string, name: string) =>
    new Proxy(class {}, {
      get: (target, prop) => {
        if (prop === Symbol.hasInstance) return (x: unknown) => !!bound && x instanceof (bound[iface]![name] as never);
        if (prop === 'prototype') return target.prototype;
        return bound ? (bound[iface]![name] as unknown as Record<string | symbol, unknown>)[prop] : undefined;
      },
    });
  const imports = new Proxy({} as ImportObject, { get: (_, iface: string) => late(iface) });
  const compiled = Promise.resolve().then(() => compile(componentDir));
  const instance = (async () => {
    const c = await compiled;
    // A script evaluated again is a fresh copy; a module needs a new URL for that.
    const instantiate = c
      ? (c.script.runInThisContext() as Instantiate)
      : ((await import(pathToFileURL(join(componentDir, MODULE_FILE)).href + query)) as { instantiate: Instantiate })
          .instantiate;
    return instantiate((name) => {
      const m = modules[name];
      if (!m) throw new Error(`core module ${name} was not compiled`);
      return m;
    }, imports);
  })();
  instance.catch(() => {}); // a failed preparation is reported, if at all, by the instantiation that replaces it
  compiled.catch(() => {});
  return {
    componentDir,
    modules,
    instance,
    compiled,
    bind(real) {
      bound = real;
      return !calledUnbound;
    },
  };
}

/** The component's script with V8's code cache for this V8, if written before; undefined if it has no script. */
function compile(componentDir: string): Compiled | undefined {
  const file = join(componentDir, SCRIPT_FILE);
  if (!existsSync(file)) return undefined;
  // Per V8 version: Node and Electron each keep theirs instead of rejecting and rewriting the other's.
  const cacheFile = `${file}.${process.versions.v8}.cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new Script(readFileSync(file, 'utf8'), { filename: file, cachedData });
  return { script, cacheFile, writeCache: cachedData === undefined || script.cachedDataRejected === true };
}
