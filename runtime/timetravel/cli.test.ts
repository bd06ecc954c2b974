import Database from 'better-sqlite3';
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

  it('who-wrote exits 1 naming the entry whose state bytes were changed in the db, and never prints them', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'c.db');
      expect((await theater('import', GOLDEN, '--db', db)).out).toContain('16 entries verified and imported');
      // As the sqlite3 CLI would: the state {"count":2} of #9 to #11 gets other bytes.
      const raw = new Database(db);
      const { id, entry } = raw
        .prepare('SELECT state_id AS id, lower(hex(hash)) AS entry FROM entries WHERE seq = 11')
        .get() as { id: number; entry: string };
      raw.prepare(`UPDATE blobs SET bytes = CAST('{"count":7}' AS BLOB) WHERE id = ?`).run(id);
      raw.close();
      const damaged = new RegExp(
        `entry ${entry} \\(#11 of counter\\): its state blob [0-9a-f]+ is missing, or its bytes no longer hash to it`,
      );
      // Walking back from the head it reads #11's state: it answered 'before: 7' and exit 0.
      const head = '947283b813fde1ce480f496df13825de170ea8eef968f1e1f5d70f4cd0e734df';
      const fromHead = await theater('who-wrote', '--db', db, head.slice(0, 12), '$.count');
      expect(fromHead.code).toBe(1);
      expect(fromHead.out).toMatch(damaged);
      expect(fromHead.out).not.toMatch(/written by|before:/);
      // At the damaged entry itself: it answered '$.count = 7'.
      const at = await theater('who-wrote', '--db', db, entry.slice(0, 12), '$.count');
      expect(at.code).toBe(1);
      expect(at.out).toMatch(damaged);
      expect(at.out).not.toContain('$.count =');
    } finally {
      cleanup();
    }
  }, 60_000);
});
