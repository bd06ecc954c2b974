// Bundles the Electron main process, its preload and the runtime's worker entries to dist/electron/ with esbuild.
// Electron runs JS, not our .ts sources: main is ESM (package "type": "module"), the sandboxed preload must be one
// CommonJS file. The runtime's workers (actor, replay, verify, http-front) sit beside main.js because the runtime
// finds each at ./<name>.js next to the module that starts it (runtime/worker-script.ts).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = 'dist/electron';
rmSync(outdir, { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'info' };

await build({
  ...common,
  entryPoints: {
    main: 'electron/main/index.ts',
    worker: 'runtime/actor-worker/worker.ts',
    'replay-worker': 'runtime/timetravel/replay-worker.ts',
    'verify-worker': 'runtime/chain/verify-worker.ts',
    'http-front': 'runtime/network/http-front.ts',
  },
  outdir,
  format: 'esm',
  // node_modules stay as they are (native better-sqlite3, jco's files); electron is provided by the binary.
  packages: 'external',
  external: ['electron'],
});

await build({
  ...common,
  entryPoints: { preload: 'electron/preload/index.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  platform: 'browser',
  external: ['electron'],
});
