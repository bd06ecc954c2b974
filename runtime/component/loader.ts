/**
 * Turns a .wasm file into something a worker can instantiate: jco transpiles it in memory to a JS module plus core
 * modules, which we write once to a cache folder named by the component's SHA-256 and compile once per process.
 */
import { transpile } from '@bytecodealliance/jco';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { fileVersion } from '../file-version.ts';
import { MODULE_FILE, SCRIPT_FILE } from './files.ts';
import { stripVersion } from './names.ts';
import { makeDirs } from '../make-dirs.ts';

export interface ComponentInfo {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** Versionless interface names the component imports, e.g. "theater:simple/runtime". */
  readonly imports: readonly string[];
  /** Versionless interface names it exports. */
  readonly exports: readonly string[];
  /** Folder holding the transpiled `component.mjs` (and SCRIPT_FILE, the same as a script) and its core .wasm files. */
  readonly dir: string;
  /** Core module file names in the order the JS asks for them. */
  readonly coreModules: readonly string[];
}

export class ComponentError extends Error {
  override readonly name = 'ComponentError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const MAX_COMPONENT_BYTES = 256 * 1024 * 1024;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** Cache layout version: bump when the transpile options change so stale output is never reused. */
const CACHE_VERSION = 'v4';

export function defaultCacheDir(): string {
  return process.env.THEATER_CACHE ?? join(homedir(), '.cache', 'theater', 'components');
}

const loaded = new Map<string, Promise<ComponentInfo>>();
/**
 * Each file's SHA-256 while its stat says it is unchanged (file-version.ts; a rebuild changes the version):
 * starting another actor of a component already loaded reads none of its bytes, however large.
 */
const hashes = new Map<string, { readonly version: string; readonly sha256: string }>();

export async function loadComponent(path: string, cacheDir = defaultCacheDir()): Promise<ComponentInfo> {
  const version = versionOf(path); // before reading: a change while we read makes the next start read again
  const known = hashes.get(path);
  let sha256 = version !== undefined && known?.version === version ? known.sha256 : undefined;
  let bytes: Uint8Array | undefined;
  if (sha256 === undefined) {
    bytes = readComponentFile(path);
    sha256 = createHash('sha256').update(bytes).digest('hex');
    if (version !== undefined) hashes.set(path, { version, sha256 });
  }
  const key = `${cacheDir}\0${sha256}`;
  let p = loaded.get(key);
  if (!p) {
    p = prepare(path, bytes ?? readComponentFile(path), sha256, cacheDir);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p.then((info) => (info.path === path ? info : { ...info, path }));
}

/**
 * A component this machine has loaded before, found by its SHA-256 in the cache: its transpiled form, which is all an
 * instance needs (the .wasm itself is not kept; `path` is then the cache folder). Replay uses it for a segment of a
 * chain recorded by a build that has since been replaced on disk.
 */
export function cachedComponent(sha256: string, cacheDir = defaultCacheDir()): ComponentInfo | undefined {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  const dir = join(cacheDir, CACHE_VERSION, sha256);
  let meta: Omit<ComponentInfo, 'path' | 'dir'>;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Omit<ComponentInfo, 'path' | 'dir'>;
  } catch {
    return undefined;
  }
  return meta.sha256 === sha256 ? { ...meta, path: dir, dir } : undefined;
}

function versionOf(path: string): string | undefined {
  try {
    return fileVersion(statSync(path));
  } catch {
    return undefined; // readComponentFile says what is wrong
  }
}

export function readComponentFile(path: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ComponentError(path, 'is a directory, not a .wasm component');
    // A device or FIFO reports size 0 and may never end (/dev/zero): reading it would hang the runtime.
    if (!st.isFile())
      throw new ComponentError(path, 'is not a regular file (a device, FIFO or socket), not a .wasm component');
    size = st.size;
  } catch (e) {
    if (e instanceof ComponentError) throw e;
    throw new ComponentError(path, 'component file not found');
  }
  if (size > MAX_COMPONENT_BYTES)
    throw new ComponentError(path, `is ${size} bytes; the limit is ${MAX_COMPONENT_BYTES}`);
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ComponentError(path, 'is not a WebAssembly file (it does not start with \\0asm)');
  }
  // Byte 6..7 is the layer: 0 for a core module, 1 for a component.
  if (bytes[6] === 0 && bytes[7] === 0) {
    throw new ComponentError(
      path,
      'is a core WebAssembly module, not a component. Wrap it with `jco new` (componentNew) against the theater:simple WIT world.',
    );
  }
  return bytes;
}

async function prepare(path: string, bytes: Uint8Array, sha256: string, cacheDir: string): Promise<ComponentInfo> {
  const dir = join(cacheDir, CACHE_VERSION, sha256);
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Omit<ComponentInfo, 'path' | 'dir'>;
    return { ...meta, path, dir };
  }
  let out: Awaited<ReturnType<typeof transpile>>;
  try {
    out = await transpile(bytes, {
      name: 'component',
      instantiation: 'async',
      noTypescript: true,
      quiet: true,
      nodejsCompat: false,
      wasiShim: false,
    });
  } catch (e) {
    throw new ComponentError(path, `is not a valid component: ${firstLines(String((e as Error).message ?? e))}`);
  }
  const imports = [...new Set(out.imports.map(stripVersion))].sort();
  const exports = [
    ...new Set(
      out.exports
        .map(([name]) => name)
        .filter((n) => n.includes(':'))
        .map(stripVersion),
    ),
  ].sort();
  const files = Object.entries(out.files as Record<string, Uint8Array>).filter(([name]) => !name.endsWith('.d.ts'));
  const js = new TextDecoder().decode(files.find(([n]) => n === 'component.js')?.[1]);
  const patched = withoutDebugLogCost(js);
  const coreModules = [...js.matchAll(/getCoreModule\('([^']+)'\)/g)].map((m) => m[1]!);
  const meta = { sha256, size: bytes.length, imports, exports, coreModules };

  // Write into a private folder, then rename: a concurrent process or a crash never leaves a half-written cache.
  const tmp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  makeDirs(tmp);
  for (const [name, content] of files) {
    // .mjs: the cache folder has no package.json, and the module is ESM whatever loader hooks are active.
    const isJs = name === 'component.js';
    const target = join(tmp, isJs ? MODULE_FILE : name);
    makeDirs(dirname(target));
    writeFileSync(target, isJs ? patched : content);
  }
  const script = asScript(patched);
  if (script !== undefined) writeFileSync(join(tmp, SCRIPT_FILE), script);
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race; its output is identical
  }
  return { ...meta, path, dir };
}

/**
 * The component's module as a classic script whose value is its `instantiate`. Workers load this one: compiled with
 * vm.Script it can use and produce V8's code cache, which import() cannot, and a new actor's first call then runs
 * without compiling jco's functions first (worker-instance.ts). jco's module
 * exports only `instantiate` and `_util`, and reads import.meta.url only when no getCoreModule is passed (we always
 * pass one). If jco's output stops fitting that shape, there is no script and workers import the module.
 */
export function asScript(js: string): string | undefined {
  const body = js
    .replace(/^export function instantiate\(/m, 'function instantiate(')
    .replace(/^export const _util =/m, 'const _util =')
    .replaceAll('import.meta.url', 'undefined');
  if (/^\s*(export|import)\s/m.test(body) || body.includes('import.meta') || body.includes('import(')) return undefined;
  const script = `(function () {\n'use strict';\n${body}\nreturn instantiate;\n})()`;
  try {
    new Script(script); // parses only the outline: inner functions are compiled when first called
  } catch {
    return undefined;
  }
  return script;
}

/**
 * jco 1.35's generated code reads process.env.JCO_DEBUG on every lift and lower (about half of a small call's cost,
 * measured on the counter). Read it once, when the module loads, instead. If jco changes that line, nothing is
 * patched and everything still works, only slower.
 */
const DEBUG_CHECK = 'if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';

export function withoutDebugLogCost(js: string): string {
  if (!js.includes(DEBUG_CHECK)) return js;
  return `const __theaterJcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;\n${js.replaceAll(DEBUG_CHECK, 'if (!__theaterJcoDebug) { return; }')}`;
}

function firstLines(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 3)
    .join(' — ');
}
