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

const compiled = new Map<string, Promise<Record<string, WebAssembly.Module>>>();
/** The same modules once compiled: a start that finds them here posts its init without waiting a turn. */
const done = new Map<string, Record<string, WebAssembly.Module>>();

/** The component's compiled core modules if `compiledModules` has finished them, else undefined. */
export function compiledModulesNow(c: ComponentInfo): Record<string, WebAssembly.Module> | undefined {
  return done.get(c.sha256);
}

/** Compiles each core module once per process; WebAssembly.Module is shared with workers without recompiling. */
export function compiledModules(c: ComponentInfo): Promise<Record<string, WebAssembly.Module>> {
  let p = compiled.get(c.sha256);
  if (!p) {
    p = (async () => {
      const out: Record<string, WebAssembly.Module> = {};
      for (const name of c.coreModules) out[name] = await wasm.compile(await readFile(join(c.dir, name)));
      done.set(c.sha256, out);
      return out;
    })();
    compiled.set(c.sha256, p);
    p.catch(() => compiled.delete(c.sha256));
  }
  return p;
}
