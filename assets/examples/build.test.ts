/**
 * The committed example components are what their committed sources build: every C component is rebuilt in memory
 * and compared byte for byte. (componentize-js output is not reproducible, so the JS example is not checked.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./build.mjs', import.meta.url));
const hasToolchain = ['clang', 'wasm-ld'].every((t) => spawnSync(t, ['--version']).status === 0);

it.skipIf(!hasToolchain)(
  'rebuilds every C example byte for byte from its source',
  () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/reproduced byte for byte/g)).toHaveLength(6);
  },
  120_000,
);

it.runIf(!hasToolchain)(
  'skips the rebuild check: clang and wasm-ld are not installed (apt-get install clang lld)',
  () => {
    expect(hasToolchain).toBe(false);
  },
);
