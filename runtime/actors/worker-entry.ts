/** Where an actor's worker starts, and the compiled core modules every worker of a component shares. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentInfo } from '../component/loader.ts';

/**
 * The worker runs our TypeScript source directly when we do (tests, `npx theater` via tsx) and the built .js
 * otherwise. Node 20 ignores `--import` in a worker's execArgv, so from source a two-line boot script registers
 * tsx inside the worker first.
 */
export function workerEntry(): { script: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./worker.js', import.meta.url), eval: false };
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const worker = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  return { script: `import(${tsx}).then((m) => { m.register(); return import(${worker}); });`, eval: true };
}

// @types/node declares WebAssembly's types but not the global's value.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

const compiled = new Map<string, Promise<Record<string, WebAssembly.Module>>>();

/** Compiles each core module once per process; WebAssembly.Module is shared with workers without recompiling. */
export function compiledModules(c: ComponentInfo): Promise<Record<string, WebAssembly.Module>> {
  let p = compiled.get(c.sha256);
  if (!p) {
    p = (async () => {
      const out: Record<string, WebAssembly.Module> = {};
      for (const name of c.coreModules) out[name] = await wasm.compile(await readFile(join(c.dir, name)));
      return out;
    })();
    compiled.set(c.sha256, p);
    p.catch(() => compiled.delete(c.sha256));
  }
  return p;
}
