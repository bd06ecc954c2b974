/**
 * WASI's command-line side through the one interceptor, with real C components built from source (clang + wasi-libc,
 * `theater build`): the manifest's [env] and args are what getenv and argv see, recorded and answered from the record
 * on replay; exit() ends the call with an error that says so and stops the actor, and what was recorded before it
 * replays verified; a component importing wasi:sockets or wasi:http is refused before it starts, one line per package,
 * and nothing is recorded for it.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../actors/system.ts';
import { decode, type Value } from '../../chain/canonical.ts';
import { LogLines } from '../../chain/log-lines.ts';
import { toDisplay } from '../../chain/describe.ts';
import { buildProject } from '../../build/build.ts';
import { cToolchain } from '../../build/build-c.ts';
import { newProject } from '../../build/new-project.ts';
import { loadProject } from '../../build/project.ts';
import { ActorLoadError } from '../../component/check.ts';
import type { StoredEntry } from '../../store/index.ts';
import { replay } from '../../timetravel/replay.ts';
import { text, utf8 } from '../../testing/helpers.ts';
import { theater } from '../../testing/cli-process.ts';

const FIXTURES = join(dirname(new URL(import.meta.url).pathname), 'fixtures');
const BUILD_MS = 120_000; // clang + jco: about a second on a quiet machine

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'theater-wasi-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A C project made by `theater new`, its source replaced by a fixture, its manifest by `manifest`; then built. */
async function buildC(name: string, fixture: string, manifest: string, prepare?: (dir: string) => void) {
  const dir = join(root, name);
  await newProject(dir, { lang: 'c', handlers: ['message'] });
  rmSync(join(dir, 'src', 'actor.c'));
  copyFileSync(join(FIXTURES, fixture), join(dir, 'src', fixture));
  writeFileSync(join(dir, 'manifest.toml'), `name = "${name}"\ncomponent = "${name}.wasm"\n${manifest}`);
  prepare?.(dir);
  await buildProject(loadProject(dir));
  return join(dir, 'manifest.toml');
}

const payload = (system: ActorSystem, h: Uint8Array | null): unknown =>
  h ? toDisplay(decode(system.store.blob(h)!)) : null;
/** A handle-request reply (a tuple of option<list<u8>>) as JSON. */
const json = (v: Value): unknown => {
  const [reply] = v as readonly Value[];
  return JSON.parse(text(reply instanceof Uint8Array ? reply : null) ?? 'null');
};
const request = (system: ActorSystem, id: string, msg: Value) => system.request(id, utf8(JSON.stringify(msg)), 'cli');

async function withSystem<T>(fn: (system: ActorSystem, db: string) => Promise<T>): Promise<T> {
  const db = join(mkdtempSync(join(root, 'db-')), 'chain.db');
  const system = ActorSystem.open({ db, ephemeralPorts: true });
  try {
    return await fn(system, db);
  } finally {
    await system.close();
  }
}

describe.runIf(hasCToolchain())('wasi:cli through the interceptor (a C actor on wasi-libc)', () => {
  let manifest: string;
  beforeAll(async () => {
    manifest = await buildC(
      'cli-actor',
      'cli-actor.c',
      [
        'args = ["--greet", "twice over"]',
        '[[handler]]',
        'type = "message-server"',
        '[env]',
        'GREETING = "hello from the manifest"',
        'UNUSED = "x"',
        '',
      ].join('\n'),
    );
  }, BUILD_MS);

  it("getenv and argv see the manifest's [env] and args, recorded as crossings and replayed from the record", async () => {
    await withSystem(async (system, db) => {
      const id = await system.start(manifest);
      const first = await request(system, id, { op: 'env' });
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      expect(json(first.response)).toEqual({
        greeting: 'hello from the manifest',
        args: ['--greet', 'twice over'],
        calls: 1,
      });
      const second = await request(system, id, { op: 'env' });
      expect(second.ok && json(second.response)).toMatchObject({ calls: 2 });
      await system.stop(id);
      await system.committed();

      const entries = system.store.entries({ actor: id });
      const crossing = (fn: string) =>
        entries.filter((e) => e.kind === 'import' && e.iface === 'wasi:cli/environment' && e.fn === fn);
      // Each value the actor saw is on the chain, as the answer of the crossing that fetched it.
      const env = crossing('get-environment');
      expect(env.length).toBeGreaterThan(0);
      expect(JSON.stringify(payload(system, env[0]!.output))).toContain('hello from the manifest');
      const args = crossing('get-arguments');
      expect(args.length).toBeGreaterThan(0);
      expect(payload(system, args[0]!.output)).toEqual({ return: ['--greet', 'twice over'] });

      const r = await replay({ db, actor: id });
      expect(r.status).toBe('verified');
    });
  });

  it('replay answers getenv from the record, not from the manifest as it is now', async () => {
    await withSystem(async (system, db) => {
      const id = await system.start(manifest);
      await request(system, id, { op: 'env' });
      await system.stop(id);
      await system.committed();
      const original = readFileSync(manifest, 'utf8');
      try {
        writeFileSync(
          manifest,
          original.replace('hello from the manifest', 'changed since').replace('twice over', 'x'),
        );
        const r = await replay({ db, actor: id });
        expect(r.status).toBe('verified');
      } finally {
        writeFileSync(manifest, original);
      }
    });
  });

  it('exit() ends the call with an error that says so, stops the actor, and what came before replays verified', async () => {
    await withSystem(async (system, db) => {
      const id = await system.start(manifest);
      expect((await request(system, id, { op: 'env' })).ok).toBe(true);
      const stopped = new Promise<void>((resolve) =>
        system.on('status', (actor, status) => actor === id && status === 'stopped' && resolve()),
      );
      // A call queued behind the exit must not run on a fresh instance as if the actor had not exited.
      const [out, queued] = await Promise.all([
        request(system, id, { op: 'exit', code: 3 }),
        request(system, id, { op: 'env' }),
      ]);
      expect(out.ok).toBe(false);
      if (out.ok) return;
      // WASI 0.2 carries only success or failure, so 3 arrives as a failure status.
      expect(out.error).toEqual({ kind: 'trap', message: 'the actor called exit with a failure status (non-zero)' });
      expect(queued.ok).toBe(false);
      if (!queued.ok) expect(queued.error.message).toMatch(/^actor .* is stopping: the actor called exit/);
      await stopped;
      await system.committed();
      expect(system.store.actors().find((a) => a.id === id)?.status).toBe('stopped');
      const after = await request(system, id, { op: 'env' });
      expect(after.ok && 'ran').toBe(false);

      const entries = system.store.entries({ actor: id });
      // The chain: the exit call, what it printed on the way out, the exit crossing, the error; then the stop, with
      // no restart in between.
      const exitCall = entries.findIndex(
        (e) => e.kind === 'call' && JSON.stringify(payload(system, e.input)).includes('"op":"exit"'),
      );
      const tail = entries.slice(exitCall).map((e) => `${e.kind} ${e.iface} ${e.fn}`);
      expect(tail[0]).toBe('call theater:simple/message-server-client handle-request');
      expect(tail.slice(-3)).toEqual([
        'import wasi:cli/exit exit',
        'error theater:simple/message-server-client handle-request',
        'event theater:runtime stop',
      ]);
      expect(logOf(system, entries.slice(exitCall))).toEqual(['stdout: exiting with 3']);

      const r = await replay({ db, actor: id });
      expect(r.status).toBe('verified');
      if (r.status === 'verified') expect(r.count).toBe(entries.length);
    });
  });

  it('exit(0) says so', async () => {
    await withSystem(async (system) => {
      const id = await system.start(manifest);
      const out = await request(system, id, { op: 'exit', code: 0 });
      expect(!out.ok && out.error).toEqual({ kind: 'trap', message: 'the actor called exit(0)' });
    });
  });
});

/** The actor's log lines in these entries, as `theater events --logs` and the Studio's log panel read them. */
function logOf(system: ActorSystem, entries: readonly StoredEntry[]): string[] {
  const lines = new LogLines();
  return entries
    .filter((e) => e.kind === 'import' && e.input)
    .flatMap((e) => lines.feed(e.iface, e.fn, decode(system.store.blob(e.input!)!)))
    .map((l) => `${l.stream}: ${l.text}`);
}

describe.runIf(hasCToolchain())('WASI interfaces an actor may not import', () => {
  let manifest: string;
  beforeAll(async () => {
    // The C source declares the imports (a socket network and an HTTP header map); the world names them, with the
    // WASI packages' WIT (as jco ships it) under wit/deps, so the component really imports wasi:sockets and wasi:http.
    manifest = await buildC('net-actor', 'net-actor.c', '[[handler]]\ntype = "message-server"\n', (dir) => {
      copyWasiWit(join(dir, 'wit'));
      const world = join(dir, 'wit', 'world.wit');
      const imports = ['wasi:sockets/instance-network', 'wasi:http/types'];
      writeFileSync(
        world,
        readFileSync(world, 'utf8').replace(
          /^}$/m,
          imports.map((i) => `  import ${i}@${WASI_VERSION};\n`).join('') + '}',
        ),
      );
    });
  }, BUILD_MS);

  it('refuses the component before it starts, one line per package naming the interfaces and what to use instead, recording nothing', async () => {
    await withSystem(async (system) => {
      const err = await system.start(manifest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActorLoadError);
      const problems = (err as ActorLoadError).problems;
      const sockets = problems.filter((p) => p.includes('wasi:sockets/'));
      const http = problems.filter((p) => p.includes('wasi:http/'));
      expect(sockets).toHaveLength(1);
      expect(sockets[0]).toMatch(
        /^the component imports wasi:sockets\/instance-network, wasi:sockets\/network: actors open no sockets; serve with an http-server or message-server handler/,
      );
      expect(http).toHaveLength(1);
      expect(http[0]).toMatch(
        /^the component imports wasi:http\/types: actors make no outgoing HTTP \(it could not be replayed\) and serve HTTP through theater:simple\/http-server/,
      );
      // Nothing else is wrong with it: the WASI interfaces wasi:http/types brings along (io, clocks) are provided.
      expect(problems).toHaveLength(2);
      await system.committed();
      expect(system.store.actors()).toEqual([]);
      expect(system.list()).toEqual([]);
    });
  });

  it('`theater run` prints the same lines, and the db holds no actor', async () => {
    const db = join(mkdtempSync(join(root, 'db-')), 'chain.db');
    const r = await theater(['run', manifest, '--db', db]);
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain(
      'the component imports wasi:sockets/instance-network, wasi:sockets/network: actors open no sockets',
    );
    expect(out).toContain('the component imports wasi:http/types: actors make no outgoing HTTP');
    expect(out.match(/the component imports/g)).toHaveLength(2);
    const events = await theater(['events', '--db', db]);
    expect(events.stdout + events.stderr).not.toContain('net-actor');
  });
});

/** The WASI version of jco's preview1 adapter (and of the WIT it ships): what a C build imports. */
const WASI_VERSION = '0.2.12';

function hasCToolchain(): boolean {
  try {
    cToolchain();
    return true;
  } catch {
    return false;
  }
}

/** The WASI packages' WIT as jco ships it, for a world that imports WASI interfaces by name. */
function copyWasiWit(witDir: string): void {
  const require = createRequire(import.meta.url);
  const builtin = join(
    dirname(dirname(require.resolve('@bytecodealliance/jco'))),
    'lib',
    'wit',
    'builtin',
    WASI_VERSION,
  );
  cpSync(builtin, join(witDir, 'deps'), { recursive: true });
}
