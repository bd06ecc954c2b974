/** Where an actor's worker starts, and the compiled core modules every worker of a component shares. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentInfo } from '../component/loader.ts';
import { workerScript } from '../worker-script.ts';

/** The actor worker's script (built .js, or the TypeScript source booted through tsx). */
export function workerEntry(): URL {
  return workerScript(import.meta.url, 'worker');
}

// @types/node declares WebAssembly's types but not the global's value.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } })
  .WebAssembly;

type Modules = Record<string, WebAssembly.Module>;
/** Per component: its compile in progress, and the modules once it is done (a start that finds them posts its init
 *  without waiting a turn). */
const compiled = new Map<string, { readonly promise: Promise<Modules>; modules?: Modules }>();

/** The component's compiled core modules if `compiledModules` has finished them, else undefined. */
export function compiledModulesNow(c: ComponentInfo): Modules | undefined {
  return compiled.get(c.sha256)?.modules;
}

/** Compiles each core module once per process; WebAssembly.Module is shared with workers without recompiling. */
export function compiledModules(c: ComponentInfo): Promise<Modules> {
  let known = compiled.get(c.sha256);
  if (!known) {
    const compile = async (): Promise<Modules> => {
      const out: Modules = {};
      for (const name of c.coreModules) out[name] = await wasm.compile(await readFile(join(c.dir, name)));
      return out;
    };
    const entry: { promise: Promise<Modules>; modules?: Modules } = { promise: compile() };
    entry.promise.then(
      (modules) => (entry.modules = modules),
      () => compiled.delete(c.sha256),
    );
    compiled.set(c.sha256, (known = entry));
  }
  return known.promise;
}
