/**
 * Issue 10, item 2, as a user meets it: `theater run` writing a db, and in another terminal a second `theater run`
 * (or fork, import, branches --live) on the same db, while readers (events, state, verify, replay, export) read
 * it. The second writer is refused before it writes anything, told who writes and what to do; readers see every
 * committed entry; a kill -9 of the writer frees the db for the next run.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { theater as cli } from '../testing/cli-process.ts';
import { example, startTheater, stopChild, tempDir, type RunningTheater } from '../testing/helpers.ts';
import { pythonQuery } from '../testing/outside.ts';

const { dir, cleanup } = tempDir();
const db = join(dir, 'counter.db');
let writer: RunningTheater;

/** `theater <args>` in the db's folder (asynchronous: this process keeps serving its sockets meanwhile). */
const theater = (...args: string[]) => cli(args, { cwd: dir });

/** Several CLI processes per test: minutes on a loaded 2-core machine. */
const SLOW = 240_000;

/** Everything another process can see of the db: any write by a refused writer would change it. */
const snapshot = () =>
  [
    'SELECT count(*) FROM entries',
    'SELECT count(*) FROM actors',
    'SELECT count(*) FROM branches',
    'SELECT count(*) FROM blobs',
  ]
    .map((q) => pythonQuery(db, q))
    .join(' ');

beforeAll(async () => {
  writer = await startTheater(db, example('counter'), dir);
  for (let i = 1; i <= 3; i++) await fetch(`http://127.0.0.1:${writer.http!}/increment`, { method: 'POST' });
}, 120_000);

afterAll(async () => {
  await stopChild(writer.child, 'SIGKILL');
  cleanup();
});

describe('one writer per db, readers unlimited', () => {
  it(
    'a second theater run is refused before it writes anything: exit 3, naming the writer and what to do',
    async () => {
      const before = snapshot();
      for (const manifest of [example('counter'), example('counter-by-two')]) {
        const r = await theater('run', manifest, '--db', db);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(
          new RegExp(
            `is being written by pid ${writer.child.pid} \\(theater run .*counter/manifest\\.toml --db .*\\), since 20`,
          ),
        );
        expect(r.stderr).toMatch(/stop that process first .*or use another --db/);
        expect(r.stdout).not.toContain('running');
      }
      expect(snapshot()).toBe(before);
    },
    SLOW,
  );

  it(
    'fork, import and branches --live are writers too: refused the same way',
    async () => {
      const before = snapshot();
      const head = pythonQuery(db, 'SELECT lower(hex(hash)) FROM entries ORDER BY id DESC LIMIT 1');
      const bundle = join(dir, 'counter.bundle');
      expect((await theater('export', '--db', db, '-o', bundle)).code).toBe(0);
      for (const args of [
        ['fork', head.slice(0, 16), '--db', db],
        ['import', bundle, '--db', db, '--as', 'copy'],
        ['branches', '--db', db, '--live', 'main'],
      ]) {
        const r = await theater(...args);
        expect([args[0], r.code]).toEqual([args[0], 3]);
        expect(r.stderr).toContain(`is being written by pid ${writer.child.pid}`);
      }
      expect(snapshot()).toBe(before);
    },
    SLOW,
  );

  it(
    'readers work while it writes and see its committed entries',
    async () => {
      await fetch(`http://127.0.0.1:${writer.http!}/increment`, { method: 'POST' });
      const committed = Number(pythonQuery(db, 'SELECT count(*) FROM entries'));
      const [events, verify, state, replay] = await Promise.all([
        theater('events', '--db', db, '--json'),
        theater('verify', '--db', db),
        theater('state', '--db', db),
        theater('replay', '--db', db),
      ]);
      expect(events.code).toBe(0);
      expect(events.stdout.trim().split('\n')).toHaveLength(committed);
      expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining(`${committed} entries verified`) });
      expect(JSON.parse(state.stdout)).toEqual({ count: 4 });
      expect(replay.code).toBe(0);
    },
    SLOW,
  );

  it(
    'kill -9 of the writer frees the db: the next run takes it and resumes from the last committed state',
    async () => {
      await stopChild(writer.child, 'SIGKILL');
      writer = await startTheater(db, example('counter'), dir);
      expect(await (await fetch(`http://127.0.0.1:${writer.http!}/count`)).json()).toEqual({ count: 4 });
      expect((await theater('run', example('counter'), '--db', db)).code).toBe(3);
    },
    SLOW,
  );
});
