/**
 * C → component: clang (wasm32-wasi, with wasi-libc, so printf, time() and getentropy work) compiles src/*.c into
 * a core module; jco embeds the project's world and wraps it with the WASI preview1 adapter into a component. The
 * adapter turns libc's WASI calls into the WASI 0.2 imports the runtime records.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BuildError, rel, type Project, type Step } from './project.ts';
import { preopenRoot } from './wasi-shim.ts';

const VERSIONS = ['', '-19', '-18', '-17', '-16', '-15', '-14'];
/** Where Debian's wasi-libc package puts the sysroot (headers in /usr/include/wasm32-wasi, libs in /usr/lib/wasm32-wasi). */
const SYSROOTS = ['/usr', '/opt/wasi-sdk/share/wasi-sysroot', '/usr/share/wasi-sysroot'];

interface Toolchain {
  readonly clang: string;
  readonly wasmLd: string;
  readonly sysroot: string;
}
let found: Toolchain | undefined;

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function cToolchain(): Toolchain {
  if (found) return found;
  const clang = process.env.CLANG ?? VERSIONS.map((v) => which(`clang${v}`)).find(Boolean);
  const wasmLd = process.env.WASM_LD ?? VERSIONS.map((v) => which(`wasm-ld${v}`)).find(Boolean);
  const sysroot =
    process.env.WASI_SYSROOT ??
    SYSROOTS.find((s) => existsSync(join(s, 'lib', 'wasm32-wasi', 'libc.a')) || existsSync(join(s, 'lib', 'libc.a')));
  const install = 'Debian/Ubuntu: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32';
  if (!clang || !wasmLd) throw new BuildError(`${!clang ? 'clang' : 'wasm-ld'} not found. ${install}`);
  if (!sysroot)
    throw new BuildError(`wasi-libc not found (no sysroot in ${SYSROOTS.join(', ')}; WASI_SYSROOT=...). ${install}`);
  // clang links wasm32 code against compiler-rt's builtins, packaged apart from clang on Debian.
  const rt = spawnSync(clang, ['--target=wasm32-wasi', '-rtlib=compiler-rt', '-print-libgcc-file-name'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (rt && !existsSync(rt)) throw new BuildError(`${rt} is missing (wasm32 compiler-rt). ${install}`);
  found = { clang, wasmLd, sysroot };
  return found;
}

/**
 * clang runs `wasm-opt` after linking whenever one is on PATH (npm puts binaryen's first), which makes the output
 * depend on how the build was started: leave such folders out.
 */
function pathWithoutWasmOpt(): string {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((d) => d && !existsSync(join(d, 'wasm-opt')))
    .join(':');
}

export async function compileC(p: Project, step: Step): Promise<Uint8Array> {
  const tc = cToolchain();
  const work = mkdtempSync(join(tmpdir(), 'theater-build-'));
  try {
    const core = join(work, 'core.wasm');
    const names = p.sources.map((s) => rel(p, s)).join(' ');
    await step(`clang ${names}`, () => {
      const args = [
        '--target=wasm32-wasi',
        `--sysroot=${tc.sysroot}`,
        '-mexec-model=reactor',
        '-Oz',
        '-Wall',
        '-Wextra',
        `-fuse-ld=${tc.wasmLd}`,
        '-Wl,--strip-debug',
        `-I${join(p.dir, 'include')}`,
        ...p.sources,
        '-o',
        core,
      ];
      const r = spawnSync(tc.clang, args, {
        cwd: p.dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: pathWithoutWasmOpt() },
      });
      if (r.status !== 0) throw new BuildError(`clang failed:\n${(r.stderr + r.stdout).trimEnd()}`);
      if (r.stderr.trim()) process.stderr.write(r.stderr); // warnings
      return Promise.resolve();
    });
    const binary = readFileSync(core);
    const { componentEmbed, componentNew } = await import('@bytecodealliance/jco');
    preopenRoot();
    return await step('component (world + WASI adapter)', async () => {
      try {
        const embedded = await componentEmbed({ witPath: p.witDir, world: p.world, binary });
        return await componentNew(embedded, [['wasi_snapshot_preview1', readFileSync(reactorAdapter())]]);
      } catch (e) {
        throw new BuildError(`making the component failed: ${String((e as Error).message ?? e).trim()}`);
      }
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** jco ships the WASI preview1 → 0.2 adapter; the reactor flavour suits a library-like actor (no main). */
function reactorAdapter(): string {
  const require = createRequire(import.meta.url);
  // The package's entry is dist/api.js; the adapter sits in lib/ beside dist/.
  return join(dirname(dirname(require.resolve('@bytecodealliance/jco'))), 'lib', 'wasi_snapshot_preview1.reactor.wasm');
}
