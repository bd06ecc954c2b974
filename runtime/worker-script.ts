/**
 * Where a worker thread's code is. Built (Electron): the `.js` next to the caller. From TypeScript sources (tests,
 * `npx theater` through tsx): the worker's module graph bundled once per process by esbuild (the compiler tsx
 * itself uses) into node_modules/.cache, so each worker starts as plain JavaScript. Booting tsx inside every worker
 * instead would re-transpile the runtime in every one, on every actor start (`npm run bench -- --only spawn`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeDirs } from './make-dirs.ts';

const bundles = new Map<string, URL>();

export function workerScript(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  const entry = fileURLToPath(new URL(`./${name}.ts`, callerUrl));
  let url = bundles.get(entry);
  if (!url) {
    url = bundle(entry, name);
    bundles.set(entry, url);
  }
  return url;
}

function bundle(entry: string, name: string): URL {
  // Loaded only here: workers import this module too (through replay), and never need esbuild.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // npm packages stay imports: they resolve from node_modules/.cache/... up to the project's node_modules.
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const dir = fileURLToPath(new URL('../node_modules/.cache/theater-workers/', import.meta.url));
  const file = join(dir, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    makeDirs(dir);
    // Write aside, then rename: another process starting the same worker never reads half a file.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  return pathToFileURL(file);
}
