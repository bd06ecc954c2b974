/**
 * The committed example components are what their committed sources build: every C component is rebuilt in memory
 * and compared byte for byte. (componentize-js output is not reproducible, so the JS example is built and run instead.)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { theater, theaterRun } from '../../runtime/testing/cli-process.ts';
import { frame, messagePort } from '../../runtime/testing/helpers.ts';

const script = fileURLToPath(new URL('./build.mjs', import.meta.url));
const hasToolchain = ['clang', 'wasm-ld'].every((t) => spawnSync(t, ['--version']).status === 0);

it.skipIf(!hasToolchain)(
  'rebuilds every C example byte for byte from its source',
  () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/reproduced byte for byte/g)).toHaveLength(7); // six from main, and the hub's relay
  },
  120_000,
);

it.runIf(!hasToolchain)(
  'skips the rebuild check: clang and wasm-ld are not installed (apt-get install clang lld)',
  () => {
    expect(hasToolchain).toBe(false);
  },
);

/**
 * The JavaScript example, built from source on every run (no inputs-hash skip) into a folder outside the repo, then
 * run, sent a request and replayed verified: the documented JS build path, checked as a user takes it.
 */
it('builds js-notes from source outside the repo; it runs, answers a request and replays verified', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'theater-js-notes-'));
  try {
    const r = spawnSync(process.execPath, [script, '--out', dir, 'js-notes'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    copyFileSync(
      fileURLToPath(new URL('./js-notes/manifest.toml', import.meta.url)),
      join(dir, 'js-notes', 'manifest.toml'),
    );
    const db = join(dir, 'chain.db');
    const run = theaterRun(join(dir, 'js-notes', 'manifest.toml'), db);
    try {
      const [, port] = await run.waitFor(/messages on tcp:\/\/[^:]+:(\d+)/);
      const [reply] = await messagePort(Number(port), [
        frame({ type: 'request', msg: { op: 'add', text: 'from source' } }),
      ]);
      expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true, response: { text: 'from source' } });
    } finally {
      await run.stop();
    }
    const replay = await theater(['replay', '--db', db]);
    expect(replay.stdout).toMatch(/verified/);
    expect(replay.code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 900_000);
