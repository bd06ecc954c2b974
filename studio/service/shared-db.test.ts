/**
 * The Studio and other processes on one db (issue 10): watching a db a `theater run` writes (read-only, live,
 * firing at its real ports), refusing every write while it does, taking the db over when it stops and giving it
 * back; and importing a bundle while the bundle's actor runs (it used to answer 200 and lose the next request).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, StudioEvents } from '../contract.ts';
import { example, startTheater, stopChild, tempDir, type RunningTheater } from '../../runtime/testing/helpers.ts';
import { theater } from '../../runtime/testing/cli-process.ts';
import { StudioService } from './studio-service.ts';

const COUNTER = example('counter');
const SLOW = 240_000;

/** Resolves with the first event of that name that satisfies `ok` (rejects after `ms`). */
function nextEvent<E extends EventName>(
  svc: StudioService,
  name: E,
  ok: (p: StudioEvents[E]) => boolean,
  ms = 10_000,
): Promise<StudioEvents[E]> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      off();
      rej(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const off = svc.onEvent((event: EventName, payload: unknown) => {
      if (event !== name || !ok(payload as StudioEvents[E])) return;
      clearTimeout(timer);
      off();
      res(payload as StudioEvents[E]);
    });
  });
}

describe('the Studio on a db a theater run is writing', () => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'counter.db');
  let cli: RunningTheater;
  let svc: StudioService;

  beforeAll(async () => {
    cli = await startTheater(db, COUNTER, dir);
    await fetch(`http://127.0.0.1:${cli.http!}/increment`, { method: 'POST' });
    svc = StudioService.open({ db, dataDir: dir, ephemeralPorts: true });
  }, SLOW);

  afterAll(async () => {
    await svc.close();
    await stopChild(cli.child, 'SIGKILL');
    cleanup();
  });

  it('is read-only and says who writes; the actor shows as running with its real ports', async () => {
    expect(await svc.db({})).toEqual({
      path: db,
      readOnly: true,
      writer: {
        pid: cli.child.pid,
        host: expect.any(String),
        command: expect.stringMatching(/^theater run .*counter\/manifest\.toml --db /),
        since: expect.any(Number),
        self: false,
      },
    });
    const [counter] = await svc.listActors({});
    expect(counter).toMatchObject({ id: 'counter', status: 'running' });
    expect(counter!.listeners).toContainEqual({ kind: 'http-server', host: '127.0.0.1', port: cli.http! });
  });

  it('shows what the writer commits: an entries event, then the entries through the usual queries', async () => {
    const before = (await svc.entries({ actor: 'counter', offset: 0, limit: 1 })).total;
    const seen = nextEvent(svc, 'entries', (e) => e.actor === 'counter' && e.seq >= before + 2);
    await fetch(`http://127.0.0.1:${cli.http!}/increment`, { method: 'POST' });
    const e = await seen;
    const page = await svc.entries({ actor: 'counter', offset: before, limit: 10 });
    expect(page.total).toBe(before + 3);
    expect(page.items.map((x) => [x.kind, x.origin])).toEqual([
      ['call', 'http'],
      ['import', null],
      ['return', null],
    ]);
    expect(e.head).toBe(page.items.at(-1)!.hash);
    // Its log (printed in the CLI's terminal) is read back from the chain.
    expect((await svc.logs({ actor: 'counter', limit: 10 })).map((l) => l.msg)).toContain('count -> 2');
    expect((await svc.graph({ actor: 'counter', branch: 'main', fromSeq: 0, toSeq: before + 2 })).hashes.at(-1)).toBe(
      e.head,
    );
  });

  it("fires at the writer's real ports, where the writer records the requests", async () => {
    const r = await svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { count: 3 }]);
    expect(r.entries).toHaveLength(3);
    expect(await svc.entry({ hash: r.entries[0]! })).toMatchObject({ kind: 'call', origin: 'http' });
    const m = await svc.fireMessage({ actor: 'counter', kind: 'request', json: '{"op": "get"}' });
    expect(m).toMatchObject({ ok: true, response: { count: 3 } });
    expect(m.entries.length).toBeGreaterThanOrEqual(2);
    expect(await svc.entry({ hash: m.entries[0]! })).toMatchObject({ kind: 'call', origin: 'message-port' });
  });

  it(
    'refuses everything that would write, naming the writer; reading works',
    async () => {
      const head = (await svc.listActors({}))[0]!.head!;
      const bundle = await svc.exportBundle({ actor: 'counter' });
      const writes: [string, () => Promise<unknown>][] = [
        ['open', () => svc.openManifest({ path: COUNTER })],
        ['start', () => svc.startActor({ actor: 'counter' })],
        ['stop', () => svc.stopActor({ actor: 'counter' })],
        ['restart', () => svc.restartActor({ actor: 'counter' })],
        ['fork', () => svc.fork({ actor: 'counter', hash: head })],
        ['live branch', () => svc.setLiveBranch({ actor: 'counter', branch: 'main' })],
        ['import', () => svc.importBundle({ path: bundle.file })],
      ];
      for (const [what, call] of writes) {
        await expect(call(), what).rejects.toMatchObject({
          code: 'read-only',
          message: expect.stringContaining(`pid ${cli.child.pid} (theater run `),
        });
      }
      expect(await svc.verify({})).toMatchObject({ ok: true });
      expect(await svc.replay({ actor: 'counter' })).toMatchObject({ status: 'verified' });
    },
    SLOW,
  );

  it(
    'when the writer stops the Studio may write; while it runs actors, theater run is refused naming it',
    async () => {
      const free = nextEvent(svc, 'db', (d) => !d.readOnly && d.writer === null);
      cli.child.kill('SIGINT');
      await free;
      expect((await svc.listActors({}))[0]).toMatchObject({ status: 'stopped', listeners: [] });

      expect(await svc.startActor({ actor: 'counter' })).toEqual({ ok: true, actor: 'counter' });
      expect(await svc.db({})).toMatchObject({ readOnly: false, writer: { pid: process.pid, self: true } });
      const refused = await theater(['run', COUNTER, '--db', db], { cwd: dir });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`is being written by pid ${process.pid} (Theater Studio`);

      await svc.stopActor({ actor: 'counter' }); // its last actor: the Studio lets go of the db
      expect(await svc.db({})).toMatchObject({ readOnly: false, writer: null });
      const watching = nextEvent(svc, 'db', (d) => d.readOnly, 30_000);
      cli = await startTheater(db, COUNTER, dir);
      expect(await (await fetch(`http://127.0.0.1:${cli.http!}/count`)).json()).toEqual({ count: 3 });
      expect((await watching).writer?.pid).toBe(cli.child.pid);
    },
    SLOW,
  );
});

describe('importing while the bundle’s actor runs', () => {
  it(
    'lands on a branch of its own; the running actor’s next request is committed and survives',
    async () => {
      const { dir, cleanup } = tempDir();
      try {
        // A longer history of the same counter, recorded elsewhere: its start matches the live chain below.
        const other = StudioService.open({ db: join(dir, 'other.db'), dataDir: join(dir, 'o'), ephemeralPorts: true });
        await other.openManifest({ path: COUNTER });
        for (let i = 0; i < 3; i++)
          await other.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
        const bundle = await other.exportBundle({ actor: 'counter' });
        await other.close();

        const db = join(dir, 'live.db');
        const svc = StudioService.open({ db, dataDir: dir, ephemeralPorts: true });
        await svc.openManifest({ path: COUNTER });
        const inc = () => svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
        await inc();
        const imported = await svc.importBundle({ path: bundle.file });
        expect(imported).toMatchObject({ actor: 'counter', branch: 'main-import-1' });
        const r = await inc();
        expect([r.status, JSON.parse(r.body), r.entries.length]).toEqual([200, { count: 2 }, 3]);
        const branches = await svc.branches({ actor: 'counter' });
        expect(branches.find((b) => b.live)).toMatchObject({ name: 'main', head: r.entries.at(-1) });
        expect(branches.find((b) => b.name === 'main-import-1')?.headSeq).toBeGreaterThan(10);
        await svc.close();
        const state = await theater(['state', '--db', db], { cwd: dir });
        expect(JSON.parse(state.stdout)).toEqual({ count: 2 });
        expect((await theater(['verify', '--db', db], { cwd: dir })).code).toBe(0);
      } finally {
        cleanup();
      }
    },
    SLOW,
  );
});
