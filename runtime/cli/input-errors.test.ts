/**
 * Bad input as a user types it, for real: the `theater` CLI as a child process on a db a real `theater run` recorded
 * (the counter, incremented twice: no call left its state unchanged). Every mistake is refused with a message that
 * says what and where, and exit 2 (the README's exit codes), before anything is written. And a count of one.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainStore } from '../store/index.ts';
import { REPO, THEATER_BIN as BIN, startTheater, stopChild, tempDir } from '../testing/helpers.ts';

const { dir, cleanup } = tempDir();
const db = join(dir, 'counter.db');

function theater(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let child: ChildProcess | undefined;

beforeAll(async () => {
  const run = await startTheater(db, undefined, dir);
  child = run.child;
  for (const want of ['{"count":1}', '{"count":2}']) {
    const res = await fetch(`http://127.0.0.1:${run.http!}/increment`, { method: 'POST' });
    expect(await res.text()).toBe(want);
  }
  await stopChild(child, 'SIGINT');
}, 60_000);

afterAll(async () => {
  if (child) await stopChild(child);
  cleanup();
});

describe('theater refuses bad input with exit 2, naming it', () => {
  it('takes only whole numbers of 1 or more for --limit and --max-bytes (parseInt took abc for no limit)', () => {
    for (const [args, value] of [
      [['events', '--db', db, '--limit'], 'abc'],
      [['events', '--db', db, '--limit'], '-3'],
      [['events', '--db', db, '--limit'], '0'],
      [['events', '--db', db, '--limit'], '2.5'],
      [['noops', '--db', db, '--limit'], '1e2'],
      [['import', join(dir, 'any.bundle'), '--db', join(dir, 'import.db'), '--max-bytes'], 'lots'],
    ] as const) {
      const flag = args.at(-1)!;
      const r = theater(...args, value);
      expect([r.code, r.out]).toEqual([2, '']);
      expect(r.err).toContain(
        `option '${flag} <n>' argument '${value}' is invalid. It must be a whole number, 1 or more.`,
      );
    }
    const ok = theater('events', '--db', db, '--limit', '2');
    expect([ok.code, ok.out.trim().split('\n').length]).toEqual([0, 2]);
  });

  it('prints its version with --version and -V (it said "unknown option")', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(theater('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    expect(theater('-V').out).toBe(`${version}\n`);
  });

  it('names an unknown command and suggests the closest one (it said "too many arguments")', () => {
    const r = theater('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: unknown command 'frobnicate'\n/);
    expect(theater('evnts').err).toMatch(/^error: unknown command 'evnts'\n\(Did you mean events\?\)/);
  });

  it('names a file or folder the user gave that is not there, exit 2 (build and test --component exited 1), writing nothing', () => {
    const nope = join(dir, 'nope.wasm');
    for (const args of [
      ['test', '--component', nope],
      ['test', 'save', '--db', db, '--component', nope, '-o', join(dir, 'saved.test.json')],
      ['replay', '--db', db, '--component', nope],
      ['import', join(dir, 'nope.bundle'), '--db', join(dir, 'imported.db')],
    ]) {
      const r = theater(...args);
      expect([r.code, r.out]).toEqual([2, '']);
      expect(r.err).toMatch(new RegExp(`'${join(dir, 'nope')}\\.(wasm|bundle)' is invalid.* There is no such file\\.`));
    }
    // import made the db it was to import into; test save wrote its files.
    expect(readdirSync(dir).filter((f) => /^(imported|saved)/.test(f))).toEqual([]);
    const build = theater('build', join(dir, 'nonexist'));
    expect([build.code, build.err]).toEqual([2, `theater: ${join(dir, 'nonexist')}: no such folder.\n`]);
    const notProject = theater('build', dir);
    expect(notProject.code).toBe(2);
    expect(notProject.err).toContain(`${dir} has no manifest.toml: it is not an actor project.`);
  });

  it('run with a manifest that is not there fails before it creates the db (.theater/chain.db was left behind)', () => {
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    const noComponent = join(fresh, 'no-component.toml');
    writeFileSync(noComponent, 'name = "x"\ncomponent_path = "missing.wasm"\n');
    for (const [manifest, says] of [
      ['nope.toml', 'nope.toml: manifest file not found.'],
      [noComponent, `${join(fresh, 'missing.wasm')}: component file not found`],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, 'run', manifest], { encoding: 'utf8', cwd: fresh });
      expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(says)]);
    }
    expect(readdirSync(fresh)).toEqual(['no-component.toml']);
  });

  it('test save refuses --from after --to, naming both, and writes nothing (it swapped them)', () => {
    const lines = theater('events', '--db', db, '--json').out.trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { hash: string; seq: number; kind: string });
    const [first, second] = entries.filter((e) => e.kind === 'return').slice(-2) as [
      (typeof entries)[0],
      (typeof entries)[0],
    ];
    const out = join(dir, 'reversed.test.json');
    const r = theater('test', 'save', '--db', db, '--from', second.hash, '--to', first.hash, '-o', out);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toBe(
      `theater: the range is reversed: --from #${second.seq} ${second.hash.slice(0, 12)} comes after ` +
        `--to #${first.seq} ${first.hash.slice(0, 12)}; give the earlier entry as --from\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('branches --live names a branch the actor lacks and lists those it has, exit 2, changing nothing (exit 4)', () => {
    const r = theater('branches', '--db', db, '--live', 'nope');
    expect([r.code, r.err.trim()]).toEqual([2, 'theater: actor counter has no branch nope; its branches: main']);
    expect(theater('branches', '--db', db).out).toMatch(/^\* main /);
  });

  it('noops says there are none when every call changed the state (it printed nothing)', () => {
    const stop = theater('events', '--db', db, '--limit', '1', '--json');
    const head = JSON.parse(stop.out) as { seq: number };
    expect(theater('noops', '--db', db)).toEqual({
      code: 0,
      out: `no no-ops: every call on counter/main through #${head.seq} changed the state\n`,
      err: '',
    });
  });

  it('state of an actor with no entries yet says so, exit 2 (a bare "no entries yet", exit 4)', () => {
    const file = join(dir, 'empty-actor.db');
    const store = ChainStore.open(file);
    store.upsertActor({ id: 'empty' }); // an actor row with an empty main branch, as the store makes one
    store.close();
    expect(theater('state', '--db', file)).toEqual({
      code: 2,
      out: '',
      err: 'theater: actor empty has no entries on its live branch main yet: no state\n',
    });
    expect(theater('noops', '--db', file).err).toBe(
      'theater: actor empty has no entries on its live branch main yet\n',
    );
  });

  it('points at the line of a real broken manifest, not the line after it (the parser stops at the next token)', () => {
    const manifest = join(dir, 'broken.toml');
    const lines = ['name = "broken"', 'component_path = "counter.wasm"', '', '[[handlers]]', 'type = "http-server"'];
    lines.push('config = { port = 8080', '', '[[handlers]]', 'type = "runtime"');
    writeFileSync(manifest, `${lines.join('\n')}\n`);
    const r = theater('run', manifest, '--db', join(dir, 'broken.db'));
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toMatch(
      /^theater: broken\.toml:6:23: TOML syntax error: Unterminated inline table \(the parser noticed it at 8:1: /,
    );
    expect(existsSync(join(dir, 'broken.db'))).toBe(false);
  });
});

describe('counts of one', () => {
  it('says "1 entry" for a range of one entry: export, test save and the test run (they said "1 entries")', () => {
    const all = theater('events', '--db', db, '--json').out.trim().split('\n');
    const start = (JSON.parse(all[0]!) as { hash: string }).hash;
    const exported = theater(
      'export',
      '--db',
      db,
      '--from',
      start,
      '--to',
      start,
      '-o',
      join(dir, 'exported-one.bundle'),
    );
    expect(exported.out).toMatch(/exported-one\.bundle: 1 entry, (1 blob|\d+ blobs), \d+ bytes, head /);
    const saved = theater('test', 'save', '--db', db, '--from', start, '--to', start, '-o', join(dir, 'one.test.json'));
    expect(saved.out).toMatch(/^one\.test\.json: 1 entry, #0\.\.#0 of counter /);
    expect(theater('test', 'one.test.json').out).toMatch(
      /^PASS {2}one\.test\.json {2}counter #0\.\.#0: 1 entry replayed/,
    );
  });
});
