/**
 * The user's session from the README, for real: `theater run` as a child process, HTTP on its port, Ctrl-C, then
 * `events`, `verify` and `state` on the file it left, and tampering with that file byte by byte.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THEATER_BIN as BIN, example, startTheater, tempDir } from '../testing/helpers.ts';

const { dir, cleanup } = tempDir();
const db = join(dir, 'counter.db');

function theater(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });

let hashes: string[] = [];
let runOutput = '';

beforeAll(async () => {
  const { child, http, output } = await startTheater(db, example('counter'), dir);
  for (let i = 1; i <= 1000; i++) {
    const res = await fetch(`http://127.0.0.1:${http!}/increment`, { method: 'POST' });
    if ((await res.text()) !== `{"count":${i}}`) throw new Error(`increment ${i} answered wrongly`);
  }
  expect(await (await fetch(`http://127.0.0.1:${http!}/count`)).text()).toBe('{"count":1000}');
  expect(await stop(child)).toBe(0);
  expect(output()).toContain('[counter] count -> 1000');
  expect(output()).toMatch(/SIGINT: stopped; everything recorded is committed/);
  runOutput = output();
  hashes = theater('events', '--db', db, '--json')
    .out.trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { hash: string }).hash);
}, 120_000);

afterAll(cleanup);

describe('theater CLI on a real run', () => {
  it('lists every crossing in chain order, as text and as JSON lines', () => {
    // start, init (call, log, return), 1000 × (call, log, return), 1 × (call, return) for GET, stop
    expect(hashes).toHaveLength(1 + 3 + 3000 + 2 + 1);
    const text = theater('events', '--db', db, '--limit', '5').out.trim().split('\n');
    expect(text).toHaveLength(5);
    expect(text[0]).toMatch(/counter #3002 [0-9a-f]{12} ⇄ import runtime#log \("count -> 1000"\)/);
    const line = JSON.parse(theater('events', '--db', db, '--json', '--limit', '1').out) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['hash', 'parent', 'actor', 'kind', 'interface', 'function', 'summary']),
    );
  });

  it('prints at Ctrl-C the head after the stop event, which is the chain’s last entry', () => {
    const printed = /SIGINT: stopped; everything recorded is committed, head ([0-9a-f]{16})/.exec(runOutput)?.[1];
    expect(printed).toBe(hashes.at(-1)!.slice(0, 16));
    expect(theater('events', '--db', db, '--limit', '1').out).toMatch(/• event +stop /);
  });

  it('stops quietly when its reader goes away (theater events | head): exit 0, no EPIPE stack', async () => {
    const child = spawn(process.execPath, [BIN, 'events', '--db', db], { cwd: dir });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then close the pipe
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('one exit-code convention: 0 ok, 1 the chain says no, 2 usage or input, 4 Theater failed', () => {
    expect(theater('--help').code).toBe(0);
    expect(theater('--help').out).toContain('Exit codes (every command):');
    expect(theater('verify', '--db', join(dir, 'missing.db')).code).toBe(2);
    expect(theater('no-such-command').code).toBe(2);
    expect(theater('state', '--db', db, '--actor', 'nobody').code).toBe(2);
    const notDb = join(dir, 'not-a.db');
    writeFileSync(notDb, 'hello, I am text\n'.repeat(100));
    const r = theater('verify', '--db', notDb);
    expect([r.code, r.err.trim()]).toEqual([
      2,
      `theater: ${notDb} is not a Theater chain database: it is not a SQLite file`,
    ]);
    // A refused bundle is the chain saying no, like a failed verify: 1 (it was 2).
    const bad = join(dir, 'bad.bundle');
    writeFileSync(bad, 'THTRBDL1 but not really');
    const imp = theater('import', bad, '--db', join(dir, 'import-target.db'));
    expect(imp.code).toBe(1);
    expect(imp.err).toMatch(/^theater: /);
  });

  it.skipIf(!otherNodeAbi())(
    'says the SQLite driver cannot load (exit 4) when better-sqlite3 was built for another Node, not that the file is bad',
    () => {
      // Debian's own Node (the image's /usr/bin/node, another major version) loading our Node 24 build of the
      // binding: the real ABI mismatch a user gets after switching Node versions.
      const r = spawnSync('/usr/bin/node', [BIN, 'verify', '--db', db], { encoding: 'utf8', cwd: dir });
      expect(r.status).toBe(4);
      expect(r.stderr).toMatch(/the SQLite driver \(better-sqlite3's native binding\) cannot be loaded by Node v/);
      expect(r.stderr).toMatch(/NODE_MODULE_VERSION/);
      expect(r.stderr).toContain('npm rebuild better-sqlite3');
      expect(r.stderr).not.toContain('is not a Theater chain database');
    },
  );

  it('verifies the intact chain: exit 0 with the count and head', () => {
    const r = theater('verify', '--db', db);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${hashes.length} entries verified, head counter/main ${hashes.at(-1)}\n`);
  });

  it('verifies again from the checkpoint the last verify saved, and says so; --full verifies every entry', () => {
    const head = `${hashes.length} entries verified, head counter/main ${hashes.at(-1)}`;
    const again = theater('verify', '--db', db);
    expect(again.code).toBe(0);
    const [first, second, ...rest] = again.out.split('\n');
    expect(first).toBe(head);
    expect(second).toMatch(
      new RegExp(`^  ${hashes.length} of them vouched for by the checkpoint of \\S+ .*, 0 after it verified in full`),
    );
    expect(rest).toEqual(['']);
    const full = theater('verify', '--db', db, '--full');
    expect(full).toMatchObject({ code: 0, out: `${head}\n` });
  });

  it('prints the latest state, and the state as of an entry given by a 12-character prefix', () => {
    expect(JSON.parse(theater('state', '--db', db).out)).toEqual({ count: 1000 });
    // hashes[6] is the return of the first increment.
    expect(JSON.parse(theater('state', '--db', db, '--at', hashes[6]!.slice(0, 12)).out)).toEqual({ count: 1 });
    const short = theater('state', '--db', db, '--at', hashes[6]!.slice(0, 8));
    expect(short.code).toBe(2);
    expect(short.err).toContain('at least 12 hex characters');
  });

  it("exits 1 naming the entry when any hashed byte changes: an entry's column or a blob it references", () => {
    const victim = hashes[1501]!; // a call entry (its input is the request)
    const cases: Record<string, string> = {
      seq: 'UPDATE entries SET seq = seq + 1000 WHERE hex(hash) = upper(?)',
      ts_is_not_hashed: 'UPDATE entries SET ts = ts + 1 WHERE hex(hash) = upper(?)',
      blob: 'UPDATE blobs SET bytes = CAST(zeroblob(length(bytes)) AS BLOB) WHERE id = (SELECT input_id FROM entries WHERE hex(hash) = upper(?))',
    };
    for (const [name, sql] of Object.entries(cases)) {
      const file = copyDb(name);
      const raw = new Database(file);
      expect(raw.prepare(sql).run(victim).changes).toBe(1);
      raw.close();
      const r = theater('verify', '--db', file);
      if (name === 'ts_is_not_hashed') {
        expect(r.code).toBe(0);
        continue;
      }
      expect(r.code).toBe(1);
      // Identical requests share one deduplicated input blob: verify names the first entry that references it.
      expect(r.out).toContain(`entry:  ${name === 'blob' ? firstUser(file, victim) : victim}`);
    }
  });

  it('state exits 1 naming the blob when the state it would print was changed (it printed the changed bytes, or "no state", and exit 0)', () => {
    const file = copyDb('state-changed');
    const at = hashes.at(-2)!; // the entry before the stop event: its state is {"count":1000}
    const raw = new Database(file);
    // Every stored copy of those bytes (identical blobs stored apart share a hash; any intact one would do).
    const sql = `UPDATE blobs SET bytes = CAST('{"count":9}' AS BLOB)
      WHERE hash = (SELECT b.hash FROM entries e JOIN blobs b ON b.id = e.state_id WHERE hex(e.hash) = upper(?))`;
    expect(raw.prepare(sql).run(at).changes).toBeGreaterThan(0);
    raw.close();
    const r = theater('state', '--db', file, '--at', at.slice(0, 12));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/its state blob [0-9a-f]+ is missing, or its bytes no longer hash to it/);
    expect(r.out).toBe('');
  });

  it('run exits 2, not 4, for a manifest its component cannot serve or a port already taken', async () => {
    const counterDir = join(example('counter'), '..');
    const manifest = (name: string, handlers: string) => {
      const file = join(dir, `${name}.toml`);
      writeFileSync(file, `name = "${name}"\ncomponent_path = "${join(counterDir, 'counter.wasm')}"\n${handlers}`);
      return file;
    };
    const relay = join(example('relay'), '..', 'relay.wasm');
    const noHttp = join(dir, 'no-http.toml');
    writeFileSync(
      noHttp,
      `name = "no-http"\ncomponent_path = "${relay}"\n[[handlers]]\ntype = "Http-server"\nconfig = { port = 18089 }\n`,
    );
    const r1 = theater('run', noHttp, '--db', join(dir, 'no-http.db'));
    expect([r1.code, r1.err]).toEqual([
      2,
      expect.stringMatching(/asks for http-server but the component does not export/),
    ]);

    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const busy = manifest('busy', `[[handlers]]\ntype = "Http-server"\nconfig = { port = ${port} }\n`);
      const r2 = theater('run', busy, '--db', join(dir, 'busy.db'));
      expect([r2.code, r2.err]).toEqual([
        2,
        expect.stringMatching(new RegExp(`port ${port} on 127.0.0.1 is already in use`)),
      ]);
    } finally {
      taken.close();
    }
  });

  it("run with the manifest's port taken names the port and the manifest, creates no db, and records nothing into one", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const busy = join(dir, 'counter-busy.toml');
      const wasm = join(example('counter'), '..', 'counter.wasm');
      writeFileSync(
        busy,
        `name = "counter"\ncomponent = "${wasm}"\n\n[[handler]]\ntype = "http-server"\nport = ${port}\n`,
      );

      // A db that did not exist is not created (it was, with the actor's start and stop events in it).
      const fresh = join(dir, 'fresh', 'never.db');
      const r1 = theater('run', busy, '--db', fresh);
      expect(r1.code).toBe(2);
      expect(r1.err).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(r1.err).toContain(`${busy}:4:1: counter: http-server port ${port}`);
      expect(existsSync(fresh)).toBe(false);
      expect(existsSync(`${fresh}-lease`)).toBe(false);
      expect(existsSync(join(dir, 'fresh'))).toBe(false);

      // An existing db of that actor: not resumed, nothing appended, no writer announced (it got a resume and a
      // stop event, and the actor's row said it stopped).
      const file = copyDb('port-taken');
      const snapshot = () => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw
            .prepare(
              `SELECT (SELECT count(*) FROM entries) entries, (SELECT count(*) FROM writer) writers,
                (SELECT group_concat(name || ':' || status || ':' || manifest) FROM actors) actors`,
            )
            .get();
        } finally {
          raw.close();
        }
      };
      const before = snapshot();
      const r2 = theater('run', busy, '--db', file);
      expect([r2.code, r2.err]).toEqual([2, expect.stringContaining(`port ${port} on 127.0.0.1 is already in use`)]);
      expect(snapshot()).toEqual(before);
      expect(theater('verify', '--db', file).code).toBe(0);
    } finally {
      taken.close();
    }
  });

  it('still exits 1 on a bad chain when its reader goes away (theater verify | head -1; it exited 0)', async () => {
    const file = copyDb('piped');
    const raw = new Database(file);
    raw.prepare('UPDATE entries SET seq = seq + 1000 WHERE hex(hash) = upper(?)').run(hashes[1501]!);
    raw.close();
    const child = spawn(process.execPath, [BIN, 'verify', '--db', file], { cwd: dir });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // the first line, then the pipe closes
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(err).toBe('');
    expect(code).toBe(1);
  });
});

/** A copy of the run's db to tamper with, named `<name>.db`. */
function copyDb(name: string): string {
  const target = join(dir, `${name}.db`);
  const src = new Database(db, { readonly: true });
  src.exec(`VACUUM INTO '${target}'`);
  src.close();
  return target;
}

/** The first entry (insertion order) referencing the same input blob as `hash` — usually `hash` itself. */
function firstUser(file: string, hash: string): string {
  const raw = new Database(file, { readonly: true });
  const row = raw
    .prepare(
      `SELECT lower(hex(e.hash)) h FROM entries e WHERE e.input_id = (SELECT input_id FROM entries WHERE hex(hash) = upper(?))
         OR e.output_id = (SELECT input_id FROM entries WHERE hex(hash) = upper(?))
         OR e.state_id = (SELECT input_id FROM entries WHERE hex(hash) = upper(?)) ORDER BY e.id LIMIT 1`,
    )
    .get(hash, hash, hash) as { h: string };
  raw.close();
  return row.h;
}

/** Whether /usr/bin/node exists and loads native modules of another ABI than ours. */
function otherNodeAbi(): boolean {
  if (!existsSync('/usr/bin/node')) return false;
  const r = spawnSync('/usr/bin/node', ['-p', 'process.versions.modules'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== process.versions.modules;
}
