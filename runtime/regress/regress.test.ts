/**
 * Chain tests end to end: a real counter records a chain, `saveChainTest` turns a range of it into a test, and the
 * runner replays it against the build that recorded it (passes), against counter-by-two (diverges, saying where),
 * and refuses tests whose files were tampered with (errors, not failures). The CLI is driven as a real process,
 * and its JUnit XML is parsed back.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { SqliteReader, saveChainTest, sha256, toHex, type ActorSystem, type ChainTestManifest } from '../index.ts';
import { example, REPO, THEATER_BIN, utf8, withSystem } from '../testing/helpers.ts';
import { runTest } from './run-tests.ts';

const BY_TWO = example('counter-by-two', 'counter-by-two.wasm');

async function counterChain(system: ActorSystem, n = 3): Promise<string> {
  const id = await system.start(example('counter'));
  for (let i = 0; i < n; i++) await system.send(id, utf8('{"op":"increment"}'), 'cli');
  await system.stop(id);
  await system.committed();
  return id;
}

function theater(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [THEATER_BIN, ...args], { cwd: REPO }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

const readManifest = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ChainTestManifest;
const writeManifest = (f: string, m: ChainTestManifest) => writeFileSync(f, `${JSON.stringify(m, null, 2)}\n`);

describe('chain tests', () => {
  it('a saved branch passes against its build and diverges against counter-by-two at the first increment', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const saved = await saveChainTest(SqliteReader.of(system.store), { actor: id, dir, name: 'three increments' });
      expect(saved.entries).toBe(system.store.countEntries(id));
      const m = readManifest(saved.file);
      // The manifest names the build relative to itself and writes the range out for review.
      expect(m.component).toMatch(/\.\.\/.*assets\/examples\/counter\/counter\.wasm$/);
      expect(m.steps[5]).toBe('#5 import runtime.log ["count -> 1"] -> {"return":null}');
      expect(m.steps[6]).toContain('state {"count":1}');
      expect(m.finalState).toEqual({ count: 3 });

      const pass = await runTest(saved.file);
      expect(pass).toMatchObject({ status: 'passed', entries: saved.entries, name: 'three increments' });

      const fail = await runTest(saved.file, { component: BY_TWO });
      expect(fail.status).toBe('failed');
      if (fail.status !== 'failed' || fail.report.status !== 'diverged') throw new Error('expected a divergence');
      expect(fail.report.index).toBe(5);
      expect(fail.report.reason).toContain('runtime#log was called with other arguments');
      expect(fail.report.stateDiff).toEqual({
        kind: 'json',
        changes: [{ op: 'changed', path: ['count'], before: 1, after: 2 }],
      });
    });
  });

  it('a range is widened to whole calls, replays from the state it starts in, and compares only what it names', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system, 4);
      const all = system.store.entries({ actor: id });
      // #8 is the second increment's log import, #10 the third increment's call.
      expect([all[8]!.kind, all[10]!.kind]).toEqual(['import', 'call']);
      const saved = await saveChainTest(SqliteReader.of(system.store), {
        actor: id,
        dir,
        from: all[8]!.hash,
        to: all[10]!.hash,
        compare: ['state', 'output'],
      });
      expect(saved.from).toEqual({ seq: 7, hash: toHex(all[7]!.hash) });
      expect(saved.to).toEqual({ seq: 12, hash: toHex(all[12]!.hash) });
      expect(readManifest(saved.file).finalState).toEqual({ count: 3 });
      expect(await runTest(saved.file)).toMatchObject({ status: 'passed', entries: 6 });

      // Log arguments are not compared here: counter-by-two's "count -> 3" passes the import, the state does not.
      const fail = await runTest(saved.file, { component: BY_TWO });
      if (fail.status !== 'failed' || fail.report.status !== 'diverged') throw new Error('expected a divergence');
      expect(fail.report.index).toBe(9);
      expect(fail.report.reason).toBe('return theater:simple/message-server-client#handle-send differs in state');
      expect(fail.report.stateDiff).toMatchObject({ changes: [{ path: ['count'], before: 2, after: 3 }] });
    });
  });

  it('a test whose files were altered is an error, not a failure, and says what is wrong', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const saved = await saveChainTest(SqliteReader.of(system.store), { actor: id, dir, name: 't' });
      const manifest = readManifest(saved.file);
      const bundle = readFileSync(saved.bundle);

      // Steps edited by hand: the readable part must describe what is enforced.
      writeManifest(saved.file, {
        ...manifest,
        steps: manifest.steps.map((s) => s.replace('count -> 2', 'count -> 7')),
      });
      expect(await runTest(saved.file)).toMatchObject({
        status: 'error',
        message: expect.stringContaining('its steps do not describe its bundle (step 9'),
      });

      // One byte of an entry flipped ("log" → "lng"), manifest hash left alone: caught by the hash.
      const log = system.store.entries({ actor: id }).find((e) => e.fn === 'log')!;
      const at = bundle.lastIndexOf(Buffer.from([0x03, ...Buffer.from('log')]), bundle.indexOf(Buffer.from(log.hash)));
      const tampered = Buffer.from(bundle);
      tampered[at + 2] = tampered[at + 2]! ^ 0x02;
      writeFileSync(saved.bundle, tampered);
      writeManifest(saved.file, manifest);
      expect(await runTest(saved.file)).toMatchObject({
        status: 'error',
        message: expect.stringContaining('one of them was changed'),
      });

      // ...and with the manifest's hash updated to match, by the bundle's own verification, naming the entry.
      writeManifest(saved.file, { ...manifest, bundleSha256: toHex(sha256(tampered)) });
      const err = await runTest(saved.file);
      expect(err.status).toBe('error');
      if (err.status !== 'error') return;
      expect(err.message).toContain('its bundle fails verification');
      expect(err.message).toContain(`entry ${toHex(log.hash)}`);
      expect(err.message).toContain('tampered');

      // A build that is not there.
      writeFileSync(saved.bundle, bundle);
      writeManifest(saved.file, { ...manifest, component: 'missing.wasm' });
      expect(await runTest(saved.file)).toMatchObject({
        status: 'error',
        message: expect.stringContaining('missing.wasm'),
      });
    });
  });

  it('theater test save / theater test: exit 0 when all pass, 1 otherwise; one line per test; JUnit XML', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const all = system.store.entries({ actor: id });
      const db = system.store.path;
      // The CLI reads the db file: close the system's writer first (withSystem closes it again, harmlessly).
      await system.close();

      const pass = join(dir, 'tests', 'pass.test.json');
      const [from, to] = [toHex(all[4]!.hash).slice(0, 12), toHex(all[9]!.hash).slice(0, 12)];
      const saved = await theater('test', 'save', '--db', db, '--from', from, '--to', to, '-o', pass);
      expect(saved.code, saved.out).toBe(0);
      expect(saved.out).toContain('pass.test.json: 6 entries, #4..#9 of counter');

      // A second test pointed at counter-by-two (the manifest's build is a plain, unchecked field), and a third
      // whose bundle is cut short (with its hash updated, so that the bundle's own checks are what catch it).
      const failing = join(dir, 'tests', 'fail.test.json');
      const broken = join(dir, 'tests', 'broken.test.json');
      for (const [file, name] of [
        [failing, 'fail'],
        [broken, 'broken'],
      ] as const) {
        const m = readManifest(pass);
        const bundle = readFileSync(join(dir, 'tests', 'pass.bundle'));
        const bytes = name === 'broken' ? bundle.subarray(0, bundle.length - 50) : bundle;
        writeFileSync(join(dir, 'tests', `${name}.bundle`), bytes);
        writeManifest(file, {
          ...m,
          name,
          bundle: `${name}.bundle`,
          bundleSha256: toHex(sha256(bytes)),
          component: name === 'fail' ? BY_TWO : m.component,
        });
      }
      const xml = join(dir, 'out', 'junit.xml');
      const run = await theater('test', join(dir, 'tests'), '--junit', xml);
      expect(run.code, run.out).toBe(1);
      const lines = run.out.split('\n');
      expect(lines.filter((l) => /^(PASS|FAIL|ERROR) /.test(l))).toHaveLength(3);
      expect(run.out).toMatch(/^ERROR .*broken\.test\.json {2}its bundle fails verification: truncated/m);
      expect(run.out).toMatch(/^FAIL {2}.*fail\.test\.json {2}fail: diverged at entry #5: /m);
      expect(run.out).toContain('~ $.count: 1 → 2');
      expect(run.out).toMatch(/^PASS {2}.*pass\.test\.json/m);
      expect(run.out).toContain('3 tests: 1 passed, 1 failed, 1 error');

      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(xml, 'utf8'));
      const suite = doc.testsuites.testsuite;
      expect(suite).toMatchObject({ name: 'theater test', tests: '3', failures: '1', errors: '1' });
      const cases = suite.testcase as { name: string; failure?: { message: string }; error?: { message: string } }[];
      expect(cases.map((c) => c.name).sort()).toEqual(['broken', 'fail', 'counter #4..#9'].sort());
      expect(cases.find((c) => c.name === 'fail')!.failure!.message).toContain('diverged at entry #5');
      expect(cases.find((c) => c.name === 'broken')!.error!.message).toContain('truncated');

      const ok = await theater('test', pass);
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toContain('1 test: 1 passed, 0 failed, 0 errors');
    });
  });
});
