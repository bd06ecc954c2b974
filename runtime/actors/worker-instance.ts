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
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { ComponentInstance, ImportObject } from '../chain/recorder.ts';
import type { PoolMessage, WorkerInit } from './protocol.ts';

interface Prepared {
  readonly componentDir: string;
  readonly instance: Promise<ComponentInstance>;
  /** Points the instance's imports at the actor's; false if an import was already called without them. */
  bind(imports: ImportObject): boolean;
}

let prepared: Prepared | undefined;
/** Each instantiation after a failed preparation loads its own copy of component.mjs (see `instantiate`). */
let copies = 0;

/** Resolves with the actor this worker is to run, preparing whatever component the pool names meanwhile. */
export function receiveInit(port: MessagePort): Promise<WorkerInit> {
  return new Promise((resolve) => {
    const onMessage = (m: PoolMessage) => {
      if (m.t === 'prepare') {
        prepared = prepare(m.componentDir, m.modules);
        return;
      }
      port.off('message', onMessage);
      resolve(m.init);
    };
    port.on('message', onMessage);
  });
}

/** The actor's instance, its imports being `imports`: the prepared one if it is of this component, else a new one. */
export async function instantiate(init: WorkerInit, imports: ImportObject): Promise<ComponentInstance> {
  const p = prepared;
  prepared = undefined;
  if (p?.componentDir === init.componentDir && p.bind(imports)) {
    try {
      return await p.instance;
    } catch {
      // Either the component cannot be instantiated (the retry below says why) or an import was called during
      // instantiation: jco's module keeps per-instance bookkeeping at module level, so retry from a fresh copy.
    }
  }
  const fresh = p?.componentDir === init.componentDir ? `?copy=${++copies}` : '';
  const instance = prepare(init.componentDir, init.modules, fresh);
  instance.bind(imports);
  return instance.instance;
}

function prepare(componentDir: string, modules: WorkerInit['modules'], query = ''): Prepared {
  let bound: ImportObject | undefined;
  let calledUnbound = false;
  // jco reads each import function once, when it instantiates: hand it forwarders that find the real function
  // when first called, i.e. after `bind`.
  const late = (iface: string) =>
    new Proxy({} as Record<string, (...args: never[]) => unknown>, {
      get: (_, name: string) => {
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
  const imports = new Proxy({} as ImportObject, { get: (_, iface: string) => late(iface) });
  const instance = (async () => {
    const mod = (await import(pathToFileURL(join(componentDir, 'component.mjs')).href + query)) as {
      instantiate(getCoreModule: (name: string) => WebAssembly.Module, imports: object): Promise<ComponentInstance>;
    };
    return mod.instantiate((name) => {
      const m = modules[name];
      if (!m) throw new Error(`core module ${name} was not compiled`);
      return m;
    }, imports);
  })();
  instance.catch(() => {}); // a failed preparation is reported, if at all, by the instantiation that replaces it
  return {
    componentDir,
    instance,
    bind(real) {
      bound = real;
      return !calledUnbound;
    },
  };
}
