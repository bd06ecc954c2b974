/**
 * The path a new user takes, from source, on every run (no inputs-hash skip): `theater new` a TypeScript and a C
 * project in a folder outside the repo, `theater build` them, type-check the TypeScript against the bindings made
 * from its world, run each project's own first test (run, request, replay verified), and check what ordinary code
 * does: its console.log/printf lines are the actor's log in `theater events --logs`, two fresh instances get
 * different random values, and a changed source diverges on replay where its behaviour changed.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame, messagePort, REPO, THEATER_BIN } from '../testing/helpers.ts';
import { theater, theaterRun } from '../testing/cli-process.ts';
import { formatPath } from '../timetravel/json-diff.ts';
import { cToolchain } from './build-c.ts';

const BUILD_MS = 900_000; // componentize-js: ~15 s on a quiet machine, minutes on a loaded one

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'theater-new-actor-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `node --test` in the project, as its README says, with THEATER pointing at this checkout's CLI. */
function nodeTest(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap'], {
      cwd: dir,
      env: { ...process.env, THEATER: THEATER_BIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function httpRun(manifest: string, db: string, requests: (url: string) => Promise<void>): Promise<string> {
  const run = theaterRun(manifest, db);
  try {
    const [, url] = await run.waitFor(/HTTP on (http:\/\/\S+)/);
    await requests(url!);
  } finally {
    await run.stop();
  }
  return run.output();
}

describe('a TypeScript actor made with `theater new`', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(root, 'kv');
    const made = await theater(['new', dir, '--lang', 'ts', '--handlers', 'http,message']);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const built = await theater(['build', dir]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/wrote kv\.wasm/);
  }, BUILD_MS);

  it('type-checks against the bindings generated from its own world', async () => {
    const tsc = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code: code ?? 1, out }));
    });
    expect(tsc.out).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('passes its own first test: HTTP and a message request, each replayed verified', async () => {
    const r = await nodeTest(dir);
    expect(r.out).toMatch(/# pass 2/);
    expect(r.code).toBe(0);
  }, 180_000);

  it(
    'a trap recorded by one build replays verified against a rebuild of the same source in a fresh copy, built from /',
    async () => {
      // A fresh clone elsewhere: the sources only, no .theater/ and no component; built with the shell at / (as in
      // a container), where componentize-js's own folder lies under the shell's.
      const clone = join(root, 'clone', 'kv');
      cpSync(dir, clone, { recursive: true, filter: (f) => !['.theater', 'kv.wasm'].includes(basename(f)) });
      const built = await theater(['build', clone], { cwd: '/' });
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);

      const db = join(root, 'kv-trap.db');
      const run = theaterRun(join(dir, 'manifest.toml'), db);
      try {
        const [, port] = await run.waitFor(/messages on tcp:\/\/[^:]+:(\d+)/);
        // String({toString: null}) throws a TypeError; an Error (not a string) thrown by an export traps, and the
        // bindings print a stack trace through their own script first: the text that named a random folder.
        const msg = { op: 'put', key: 'k', value: { toString: null } };
        expect(await messagePort(Number(port), [frame({ type: 'request', msg })])).toEqual([
          { ok: false, error: expect.stringMatching(/^trap: /) as unknown },
        ]);
      } finally {
        await run.stop();
      }
      const logs = await theater(['events', '--logs', '--db', db]);
      expect(logs.stdout).toMatch(/stderr: +\S+@\S*initializer\.js:\d+:\d+/); // the trace is on the chain

      const r = await theater(['replay', '--db', db, '--component', join(clone, 'kv.wasm')]);
      expect(r.stdout).toMatch(/^kv\/main: verified \d+ entries against /m);
      expect(r.code).toBe(0);
    },
    BUILD_MS,
  );

  it(
    'records console.log, Date.now() and Math.random(); two fresh instances differ; a changed build diverges',
    async () => {
      const keys: string[] = [];
      for (const n of [1, 2]) {
        const db = join(root, `kv-${n}.db`);
        const live = await httpRun(join(dir, 'manifest.toml'), db, async (url) => {
          const r = (await (await fetch(`${url}/`, { method: 'POST', body: 'green' })).json()) as { key: string };
          keys.push(r.key);
          const list = (await (await fetch(`${url}/`)).json()) as { updatedAt: number };
          expect(Math.abs(list.updatedAt - Date.now())).toBeLessThan(120_000); // the real time, not the build's
        });
        expect(live).toContain(`[kv] put ${keys[n - 1]} = "green"`);
        const logs = await theater(['events', '--logs', '--db', db]);
        expect(logs.stdout).toContain(`stdout: put ${keys[n - 1]} = "green"`);
        expect((await theater(['replay', '--db', db])).code).toBe(0);
      }
      expect(keys[0]).toMatch(/^[0-9a-z]+$/);
      expect(keys[0]).not.toBe(keys[1]); // Math.random is seeded per instance, not baked into the build

      const src = join(dir, 'src', 'actor.ts');
      const original = readFileSync(src, 'utf8');
      const changed = join(root, 'kv-upper.wasm');
      try {
        writeFileSync(
          src,
          original.replace('items: { ...s.items, [key]: value }', 'items: { ...s.items, [key]: value.toUpperCase() }'),
        );
        expect((await theater(['build', dir])).code).toBe(0);
        writeFileSync(changed, readFileSync(join(dir, 'kv.wasm')));
      } finally {
        writeFileSync(src, original);
      }
      const r = await theater(['replay', '--db', join(root, 'kv-1.db'), '--component', changed]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/DIVERGED at entry #\d+/);
      // The key is random: one starting with a digit prints as $.items["8hj2…"].
      expect(r.stdout).toContain(`${formatPath(['items', keys[0]!])}: "green" → "GREEN"`);
    },
    BUILD_MS,
  );

  it('refuses a build whose source lacks an export its world asks for, saying which and where', async () => {
    const src = join(dir, 'src', 'actor.ts');
    const original = readFileSync(src, 'utf8');
    try {
      writeFileSync(src, original.replace('export const messageServerClient', 'const messageServerClient'));
      const r = await theater(['build', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'src/actor.ts does not export `messageServerClient`, but wit/world.wit exports theater:simple/message-server-client@0.1.0',
      );
    } finally {
      writeFileSync(src, original);
    }
  });
});

describe.runIf(hasCToolchain())('a C actor made with `theater new` (wasi-libc: printf, time, rand)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(root, 'counter-c');
    expect((await theater(['new', dir, '--lang', 'c', '--handlers', 'http,message'])).code).toBe(0);
    const built = await theater(['build', dir]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
  }, BUILD_MS);

  it('passes its own first test: HTTP and a message request, each replayed verified', async () => {
    const r = await nodeTest(dir);
    expect(r.out).toMatch(/# pass 2/);
    expect(r.code).toBe(0);
  }, 180_000);

  it('records printf and time(); two fresh instances draw different rand(); a changed build diverges', async () => {
    const lucky: number[] = [];
    for (const n of [1, 2]) {
      const db = join(root, `counter-c-${n}.db`);
      await httpRun(join(dir, 'manifest.toml'), db, async (url) => {
        expect(await (await fetch(`${url}/increment`, { method: 'POST' })).json()).toEqual({ count: 1 });
        lucky.push(((await (await fetch(`${url}/`)).json()) as { lucky: number }).lucky);
      });
      const logs = await theater(['events', '--logs', '--db', db]);
      expect(logs.stdout).toMatch(/^counter-c #\d+ stdout: count -> 1 at \d{10}$/m);
      expect((await theater(['replay', '--db', db])).code).toBe(0);
    }
    expect(lucky[0]).not.toBe(lucky[1]); // getentropy-seeded: each instance its own sequence (1 in 2^31 to collide)

    const src = join(dir, 'src', 'actor.c');
    writeFileSync(src, readFileSync(src, 'utf8').replace('count += 1;', 'count += 2;'));
    const changed = join(root, 'counter-c-by-two.wasm');
    expect((await theater(['build', dir])).code).toBe(0);
    writeFileSync(changed, readFileSync(join(dir, 'counter-c.wasm')));
    const r = await theater(['replay', '--db', join(root, 'counter-c-1.db'), '--component', changed]);
    expect(r.code).toBe(1);
    // At the increment, where the behaviour changed: the log line it printed, and the state after it.
    expect(r.stdout).toMatch(/DIVERGED at entry #\d+/);
    expect(r.stdout).toMatch(/count -> 2 at \d+/);
    expect(r.stdout).toContain('$.count: 1 → 2');
  }, 240_000);
});

describe.runIf(!hasCToolchain())('C projects', () => {
  it('are skipped: clang, wasm-ld or wasi-libc is missing (apt-get install clang lld wasi-libc libclang-rt-dev-wasm32)', () => {
    expect(hasCToolchain()).toBe(false);
  });
});

function hasCToolchain(): boolean {
  try {
    cToolchain();
    return true;
  } catch {
    return false;
  }
}
