/**
 * The folder componentize-js works in, made the same for every build, so that two builds of the same source trap
 * with the same text.
 *
 * componentize-js (0.23) makes a fresh folder `<temp dir>/<12 random hex>/sources/` per build and loads its bindings
 * script from there by absolute path. When an export throws an Error rather than a string, the bindings print a stack
 * trace through that script before trapping, and the chain records the lines as the actor's stderr: every build
 * trapped with its own random folder in the text, so replaying a chain that holds a trap against a rebuild of the
 * same source diverged. The folder's name comes from `os.tmpdir()` and `Math.random()`, both read synchronously when
 * componentize() is called; here they are pinned for that moment, to `/tmp/theater-componentize` (or the temp dir
 * where there is no /tmp) and a fixed value. The path is then the same for every build on every machine with a /tmp,
 * whatever the project's folder, the shell's folder or $TMPDIR.
 *
 * One build at a time can use a fixed folder: a lock file holding the builder's pid serialises builds on the machine
 * (in this process too); one left by a build that was killed is taken over. The components themselves still differ
 * from build to build (Wizer's snapshot of the engine depends on randomness drawn while it initialises), but not in
 * what they do or print.
 */
import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../make-dirs.ts';
import { BuildError, type Project } from './project.ts';

/** Any fixed number: componentize-js names its folder after the SHA-256 of `Math.random().toString()`. */
const PINNED_RANDOM = 0.5;
const POLL_MS = 200;

/**
 * The shared folder, or one of this user's own when another user made the shared one (it is theirs: we could not
 * write in it). Traps of builds made in a user's own folder name that folder, so they replay verified against that
 * user's rebuilds only.
 */
export function componentizeRoot(): string {
  const shared = join(hasTmp() ? '/tmp' : tmpdir(), 'theater-componentize');
  return writableOrAbsent(shared) ? shared : `${shared}-${process.getuid?.() ?? 'user'}`;
}

function writableOrAbsent(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Runs `start` (which must call componentize() synchronously, before its first await) with componentize-js's work
 * folder pinned, holding the machine-wide lock until the build ends.
 */
export async function inPinnedFolder<T>(p: Project, start: () => Promise<T>): Promise<T> {
  const root = componentizeRoot();
  try {
    makeDirs(root);
    accessSync(root, constants.W_OK);
  } catch (e) {
    throw new BuildError(`cannot use ${root} as componentize-js's work folder: ${(e as Error).message}`);
  }
  const lock = join(root, 'lock');
  while (!tryLock(lock)) await new Promise((r) => setTimeout(r, POLL_MS));
  try {
    // A build that was killed leaves its folder; componentize-js refuses to reuse one that exists.
    for (const name of readdirSync(root))
      if (name !== 'lock') rmSync(join(root, name), { recursive: true, force: true });
    return await fromOutside(p, root, () => {
      const tmp = process.env['TMPDIR'];
      const random = Math.random;
      process.env['TMPDIR'] = root;
      Math.random = () => PINNED_RANDOM;
      try {
        return start();
      } finally {
        Math.random = random;
        if (tmp === undefined) delete process.env['TMPDIR'];
        else process.env['TMPDIR'] = tmp;
      }
    });
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * componentize-js strips the shell's folder from its own when that folder lies under the shell's, and then cuts the
 * source's name short by the shell folder's length (0.23: from / or /tmp the engine was given a mangled name and the
 * build failed). So from such a folder the build runs from the project's folder instead.
 */
async function fromOutside<T>(p: Project, root: string, run: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  const inside = (dir: string) => join(root, 'x').startsWith(dir);
  if (!inside(cwd)) return run();
  if (inside(p.dir)) throw new BuildError(`${p.dir} holds ${root}: move the project into a folder of its own.`);
  process.chdir(p.dir);
  try {
    return await run();
  } finally {
    process.chdir(cwd);
  }
}

/** True when the lock was taken; false when a live builder (this process included) holds it. */
function tryLock(file: string): boolean {
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid: number;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    // An empty file is a lock being written this instant: its owner is alive.
    if (!pid || alive(pid)) return false;
    rmSync(file, { force: true }); // its builder was killed: take it over
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // another user's live process
  }
}

function hasTmp(): boolean {
  if (process.platform === 'win32') return false;
  try {
    if (!statSync('/tmp').isDirectory()) return false;
    accessSync('/tmp', constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
