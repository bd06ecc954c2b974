import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from './make-dirs.ts';
import { THEATER_BIN, example, tempDir } from './testing/helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('makeDirs', () => {
  it('makes a folder and its missing parents; one already there is fine', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDirs(deep);
    makeDirs(join(dir, 'a'));
  });

  it('refuses a file in the way, naming it', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => makeDirs(join(file, 'sub'))).toThrow(`not a folder: ${file}`);
  });

  // Node's own recursive mkdir never returns here: /proc answers ENOENT for the folder and EEXIST for its parent.
  it.skipIf(!existsSync('/proc/self'))('ends with the error where a folder cannot be made (under /proc)', () => {
    expect(() => makeDirs('/proc/theater-no-such/x')).toThrow(/ENOENT.*\/proc\/theater-no-such/);
  });
});

describe('theater run with a db whose folder cannot be made', () => {
  it.skipIf(!existsSync('/proc/self'))('exits 2 at once, naming the folder (it hung)', () => {
    const r = spawnSync(
      process.execPath,
      [THEATER_BIN, 'run', example('counter'), '--db', '/proc/theater-no-such/c.db'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot make the folder for the db /proc/theater-no-such/c.db');
  });
});
