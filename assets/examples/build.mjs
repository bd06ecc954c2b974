#!/usr/bin/env node
// Rebuild the example actors' components from source.
//
//   node assets/examples/build.mjs                 # everything
//   node assets/examples/build.mjs counter js-notes
//   node assets/examples/build.mjs --force js-notes  # rebuild JS components even if their inputs did not change
//   node assets/examples/build.mjs --check          # rebuild C components in memory; exit 1 if any differs from git
//   node assets/examples/build.mjs --out /tmp/x js-notes  # build into another folder (always from source; CI does)
//
// The committed .wasm files are what the runtime and the tests load; this script is how they are reproduced. The
// C output is deterministic: rebuilding from the same sources with the same tools gives the same bytes. JS output is
// not (see build() below), so a JS component is rebuilt only when its inputs change.
//
// C actors:  clang --target=wasm32 -nostdlib (no libc, no WASI) -> core module -> componentEmbed (the WIT world from
//            wit/theater.wit) -> componentNew.                       Needs clang and wasm-ld (Debian: clang lld).
// JS actors: esbuild strips the TypeScript types -> componentize-js with every WASI feature disabled, so the
//            component imports only Theater's interfaces.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const witSource = readFileSync(join(repo, 'wit/theater.wit'), 'utf8');

// Each example: the components it consists of. A component is built from one source file for one WIT world.
const EXAMPLES = {
  counter: [{ out: 'counter/counter.wasm', c: 'counter/counter.c', world: 'counter' }],
  'counter-by-two': [
    {
      out: 'counter-by-two/counter-by-two.wasm',
      c: 'counter/counter.c',
      defines: ['COUNTER_STEP=2'],
      world: 'counter',
    },
  ],
  supervisor: [
    { out: 'supervisor/supervisor.wasm', c: 'supervisor/supervisor.c', world: 'supervisor-actor' },
    // Children must live inside the supervisor's folder, so the counter child is the counter, built again here.
    { out: 'supervisor/children/counter.wasm', c: 'counter/counter.c', world: 'counter' },
    { out: 'supervisor/children/flaky.wasm', c: 'supervisor/children/flaky.c', world: 'counter' },
  ],
  'js-notes': [{ out: 'js-notes/js-notes.wasm', ts: 'js-notes/notes.ts', world: 'message-actor' }],
  // The misbehave world (runtime and message-server-host in; actor and message-server-client out) is exactly what a
  // relay needs, so it is reused rather than adding a world to the WIT.
  relay: [{ out: 'relay/relay.wasm', c: 'relay/relay.c', world: 'misbehave' }],
  // Its memory is capped at link time, so "allocate without bound" ends in a trap, not in the host running out.
  misbehave: [
    {
      out: 'misbehave/misbehave.wasm',
      c: 'misbehave/misbehave.c',
      world: 'misbehave',
      ldflags: ['--max-memory=67108864'],
    },
  ],
};

function fail(msg) {
  console.error(`build.mjs: ${msg}`);
  process.exit(1);
}

// ---- C toolchain -------------------------------------------------------------------------------------------------

function findTool(envVar, names) {
  const candidates = process.env[envVar] ? [process.env[envVar]] : names;
  for (const name of candidates) {
    const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return name;
  }
  return null;
}

let cToolchain;
function toolchain() {
  if (cToolchain) return cToolchain;
  const versions = ['', '-19', '-18', '-17', '-16', '-15', '-14'];
  const clang = findTool(
    'CLANG',
    versions.map((v) => `clang${v}`),
  );
  const wasmLd = findTool(
    'WASM_LD',
    versions.map((v) => `wasm-ld${v}`),
  );
  if (!clang || !wasmLd) {
    fail(
      `${!clang ? 'clang' : 'wasm-ld'} not found (needed for the C examples).\n` +
        `  Debian/Ubuntu: apt-get install clang lld      (provides clang-NN and wasm-ld-NN; no libc is needed)\n` +
        `  macOS: brew install llvm lld (Apple's clang has no wasm32 target)\n` +
        `  Or point CLANG=/path/to/clang and WASM_LD=/path/to/wasm-ld at your own.`,
    );
  }
  const targets = spawnSync(clang, ['--print-targets'], { encoding: 'utf8' }).stdout ?? '';
  if (!/wasm32/.test(targets))
    fail(`${clang} cannot target wasm32; install an LLVM clang (Debian: apt-get install clang lld)`);
  const ldPath = wasmLd.includes('/')
    ? wasmLd
    : execFileSync('sh', ['-c', `command -v ${wasmLd}`], { encoding: 'utf8' }).trim();
  cToolchain = { clang, ldPath };
  return cToolchain;
}

/**
 * clang's wasm driver runs `wasm-opt` after linking whenever it finds one on PATH, and npm scripts put
 * node_modules/.bin (binaryen's wasm-opt, via jco) first on PATH. Leave such folders out, so a build gives the same
 * bytes from a shell, an npm script or a test.
 */
function pathWithoutWasmOpt() {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => dir && !existsSync(join(dir, 'wasm-opt')))
    .join(':');
}

function compileC(spec, work) {
  const { clang, ldPath } = toolchain();
  const coreOut = join(work, 'core.wasm');
  const args = [
    '--target=wasm32',
    '-nostdlib',
    '-ffreestanding',
    '-Oz',
    '-mbulk-memory',
    '-Wall',
    '-Wextra',
    '-Werror',
    `-fuse-ld=${ldPath}`,
    '-Wl,--no-entry',
    '-Wl,--strip-debug',
    ...(spec.ldflags ?? []).map((f) => `-Wl,${f}`),
    `-I${join(here, 'c')}`,
    ...(spec.defines ?? []).map((d) => `-D${d}`),
    join(here, spec.c),
    '-o',
    coreOut,
  ];
  const r = spawnSync(clang, args, { encoding: 'utf8', env: { ...process.env, PATH: pathWithoutWasmOpt() } });
  if (r.status !== 0) fail(`compiling ${spec.c} failed:\n${r.stderr}${r.stdout}`);
  return readFileSync(coreOut);
}

// ---- JS/TS -------------------------------------------------------------------------------------------------------

async function compileTs(spec) {
  const esbuild = await import('esbuild');
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const ts = readFileSync(join(here, spec.ts), 'utf8');
  // Strip types only; the `theater:simple/...` imports stay as they are and become the component's imports.
  const { code } = await esbuild.transform(ts, { loader: 'ts', format: 'esm', target: 'es2022' });

  // componentize-js works in `${os.tmpdir()}/<sha256(Math.random())>/` and that path ends up inside the component (the
  // engine's initializer arguments). Pin both for the duration of the call, so no random temp path is baked in.
  const fixedTmp =
    process.platform === 'win32' ? join(tmpdir(), 'theater-examples-build') : '/tmp/theater-examples-build';
  const saved = { random: Math.random, TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  mkdirSync(fixedTmp, { recursive: true });
  Math.random = () => 0.5;
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = fixedTmp;
  try {
    const workDir = join(tmpdir(), createHash('sha256').update((0.5).toString()).digest('hex').slice(0, 12));
    rmSync(workDir, { recursive: true, force: true }); // left over by an interrupted build
    const { component } = await componentize(code, {
      sourceName: spec.ts.split('/').pop().replace(/\.ts$/, '.js'),
      witWorld: witSource,
      worldName: spec.world,
      // No WASI at all: the actor reaches the world only through Theater's (recorded) imports.
      disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
    });
    return component;
  } finally {
    Math.random = saved.random;
    for (const k of ['TMPDIR', 'TMP', 'TEMP']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

function packageVersion(name) {
  return JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;
}

// Everything that determines a JS component: its source, the WIT, the world and the tool versions.
function tsInputsHash(spec) {
  const h = createHash('sha256');
  h.update(readFileSync(join(here, spec.ts)));
  h.update(witSource);
  h.update(spec.world);
  h.update(
    `componentize-js ${packageVersion('@bytecodealliance/componentize-js')} esbuild ${packageVersion('esbuild')}`,
  );
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex');
}

// ---- main --------------------------------------------------------------------------------------------------------

async function build(spec) {
  const started = Date.now();
  let component;
  if (spec.c) {
    const work = mkdtempSync(join(tmpdir(), 'theater-build-'));
    try {
      const binary = compileC(spec, work);
      const { componentEmbed, componentNew } = await import('@bytecodealliance/jco');
      const embedded = await componentEmbed({ witSource, world: spec.world, binary });
      component = await componentNew(embedded);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } else if (check) {
    console.log(`  ${spec.out.padEnd(52)} skipped: JS components are not byte-reproducible (see below)`);
    return;
  } else {
    // componentize-js output is NOT byte-reproducible: the engine snapshot taken by Wizer includes SpiderMonkey heap
    // state seeded from (real) WASI randomness. So JS components are rebuilt only when their inputs change (or with
    // --force), and the inputs' hash is recorded next to the .wasm.
    const stamp = join(here, spec.out.replace(/\.wasm$/, '.inputs.json'));
    const inputs = tsInputsHash(spec);
    const out = join(outRoot, spec.out);
    if (!force && outRoot === here && existsSync(stamp) && existsSync(out)) {
      const recorded = JSON.parse(readFileSync(stamp, 'utf8'));
      const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
      if (recorded.inputs === inputs && recorded.wasm === sha) {
        console.log(
          `  ${relative(repo, out).padEnd(52)} ${String(statSync(out).size).padStart(9)} bytes  sha256 ` +
            `${sha.slice(0, 16)}  up to date (inputs unchanged; --force rebuilds)`,
        );
        return;
      }
    }
    component = await compileTs(spec);
    const wasm = createHash('sha256').update(component).digest('hex');
    if (outRoot === here) writeFileSync(stamp, JSON.stringify({ inputs, wasm }, null, 2) + '\n');
  }
  const out = join(outRoot, spec.out);
  mkdirSync(dirname(out), { recursive: true });
  const before = existsSync(out) ? readFileSync(out) : null;
  if (check) {
    const same = before && Buffer.compare(before, Buffer.from(component)) === 0;
    console.log(
      `  ${relative(repo, out).padEnd(52)} ${same ? 'reproduced byte for byte' : 'DIFFERS from its source build'}`,
    );
    if (!same) mismatches.push(relative(repo, out));
    return;
  }
  writeFileSync(out, component);
  const sha = createHash('sha256').update(component).digest('hex').slice(0, 16);
  const same = before && Buffer.compare(before, Buffer.from(component)) === 0;
  console.log(
    `  ${relative(repo, out).padEnd(52)} ${String(component.length).padStart(9)} bytes  sha256 ${sha}  ` +
      `${same ? 'unchanged' : 'updated'}  (${spec.c ?? spec.ts}, world ${spec.world}, ${Date.now() - started} ms)`,
  );
}

const args = process.argv.slice(2);
const force = args.includes('--force');
// --check: rebuild in memory and compare with the committed .wasm (C only), writing nothing; exit 1 on a difference.
const check = args.includes('--check');
// --out <dir>: write the components (and nothing else) under <dir>, laid out as here; no inputs-hash skip.
const outAt = args.indexOf('--out');
const outRoot = outAt >= 0 ? resolve(args[outAt + 1] ?? fail('--out needs a folder')) : here;
const mismatches = [];
const wanted = args.filter((a, i) => a !== '--force' && a !== '--check' && i !== outAt && i !== outAt + 1);
for (const name of wanted) {
  if (!EXAMPLES[name]) fail(`unknown example "${name}"; known: ${Object.keys(EXAMPLES).join(', ')}`);
}
for (const name of wanted.length ? wanted : Object.keys(EXAMPLES)) {
  console.log(`${name}:`);
  for (const spec of EXAMPLES[name]) await build(spec);
}
if (mismatches.length) fail(`committed components differ from what their sources build: ${mismatches.join(', ')}`);
