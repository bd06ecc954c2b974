import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, example, tempDir } from '../testing/helpers.ts';

const GOLDEN = fileURLToPath(new URL('./fixtures/counter.bundle', import.meta.url));

function theater(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/theater.js'), ...args], { cwd: REPO }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe('theater CLI: time travel', () => {
  it('import, replay (exit 0), replay against another build (exit 1, printing the divergence), who-wrote, fork', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'c.db');
      expect((await theater('import', GOLDEN, '--db', db)).out).toContain('16 entries verified and imported');
      const ok = await theater('replay', '--db', db);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain('verified 16 entries');
      const bad = await theater('replay', '--db', db, '--component', example('counter-by-two', 'counter-by-two.wasm'));
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('DIVERGED at entry #5');
      expect(bad.out).toContain('~ $.count: 1 → 2');
      const head = '947283b813fde1ce480f496df13825de170ea8eef968f1e1f5d70f4cd0e734df';
      const who = await theater('who-wrote', '--db', db, head.slice(0, 12), '$.count');
      expect(who.out).toContain('$.count = 3');
      expect(who.out).toContain('before: 2');
      const fork = await theater('fork', '--db', db, head.slice(0, 16));
      expect(fork.out).toContain('branch fork-1');
      expect((await theater('branches', '--db', db)).out).toMatch(/\* fork-1/);
    } finally {
      cleanup();
    }
  }, 180_000); // six CLI processes one after another, two replaying a component: 114 s alone at load 20 (60 s timed out)
});
