import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActorSystem } from '../actors/system.ts';
import { toHex } from '../chain/entry.ts';
import { loadComponent } from '../component/loader.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { example, tempDir, utf8, withSystem } from '../testing/helpers.ts';
import { replay, replayHere } from './replay.ts';

const inc = (s: ActorSystem, id: string) => s.send(id, utf8('{"op":"increment"}'), 'cli');

describe('deterministic replay with real components', () => {
  it('an untouched counter chain replays verified, same head, with progress (on a worker)', async () => {
    await withSystem(async (system, dir) => {
      const id = await system.start(example('counter'));
      for (let i = 0; i < 3; i++) await inc(system, id);
      const res = await fetch(`http://127.0.0.1:${system.actor(id)!.listeners[0]!.port}/increment`, { method: 'POST' });
      expect(await res.text()).toBe('{"count":4}');
      await system.stop(id);
      await system.committed();
      const head = system.store.head(id)!;
      const seen: number[] = [];
      const r = await replay({ db: join(dir, 'chain.db'), actor: id }, (done) => seen.push(done));
      expect(r.status).toBe('verified');
      if (r.status !== 'verified') return;
      expect(r.head).toBe(toHex(head.hash));
      expect(r.count).toBe(head.seq + 1);
      expect(seen.at(-1)).toBe(head.seq + 1);
      expect(r.copied).toEqual([]);
    });
  });

  it('the counter-by-two build diverges at the first increment, with the state diff', async () => {
    await withSystem(async (system, dir) => {
      const id = await system.start(example('counter'));
      await inc(system, id);
      await inc(system, id);
      await system.committed();
      const firstIncrement = system.store
        .entries({ actor: id })
        .find((e) => e.kind === 'call' && e.fn === 'handle-send')!;
      const r = await replay({
        db: join(dir, 'chain.db'),
        actor: id,
        component: example('counter-by-two', 'counter-by-two.wasm'),
      });
      expect(r.status).toBe('diverged');
      if (r.status !== 'diverged') return;
      // The call itself matches; its first crossing inside (the log of the new count) is where behaviour differs.
      expect(r.index).toBe(firstIncrement.seq + 1);
      expect(r.expected).toMatchObject({ kind: 'import', fn: 'log', input: ['count -> 1'] });
      expect(r.got).toMatchObject({ kind: 'import', fn: 'log', input: ['count -> 2'] });
      expect(r.stateDiff).toEqual({ kind: 'json', changes: [{ op: 'changed', path: ['count'], before: 1, after: 2 }] });
      expect(r.component.sha256).not.toBe(r.component.recorded);
    });
  });

  it('js-notes (timing.now as u64, random-bytes) replays verified', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('js-notes'));
      for (const text of ['one', 'two']) {
        const out = await system.request(id, utf8(JSON.stringify({ op: 'add', text })), 'cli');
        expect(out.ok).toBe(true);
      }
      await system.request(id, utf8('{"op":"remove","id":"nope"}'), 'cli'); // an err, recorded
      await system.committed();
      const head = system.store.head(id)!;
      const fns = system.store.entries({ actor: id }).map((e) => e.fn);
      expect(fns).toContain('now');
      expect(fns).toContain('random-bytes');
      const r = await replayHere(SqliteReader.of(system.store), { actor: id });
      expect(r).toMatchObject({ status: 'verified', head: toHex(head.hash) });
    });
  });

  it('a fork replays verified along its own path', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      await inc(system, id);
      const at = system.actor(id)!.host.head.hash!;
      await inc(system, id);
      await system.continueFrom(id, at);
      await inc(system, id);
      await system.committed();
      for (const branch of ['main', 'fork-1']) {
        const r = await replayHere(SqliteReader.of(system.store), { actor: id, branch });
        expect(r).toMatchObject({ status: 'verified', head: toHex(system.store.head(id, branch)!.hash) });
      }
    });
  });

  it('a chain recorded across rebuilds replays each segment against the build that recorded it, or says it cannot', async () => {
    // A project whose counter.wasm is rebuilt between runs (the by-two build, then the first one again), as
    // `theater build` does: each run resumes the chain, its resume event naming the build.
    const { dir, cleanup } = tempDir();
    try {
      const cache = join(dir, 'cache');
      const manifest = join(dir, 'manifest.toml');
      writeFileSync(manifest, readFileSync(example('counter'), 'utf8'));
      const db = join(dir, 'chain.db');
      const builds = ['counter', 'counter-by-two', 'counter'];
      for (const build of builds) {
        copyFileSync(example(build, `${build}.wasm`), join(dir, 'counter.wasm'));
        const system = ActorSystem.open({ db, ephemeralPorts: true, cacheDir: cache });
        try {
          const id = await system.start(manifest);
          await inc(system, id);
          await system.stop(id);
        } finally {
          await system.close();
        }
      }
      const sha = async (build: string) => (await loadComponent(example(build, `${build}.wasm`), cache)).sha256;
      const [one, two] = [await sha('counter'), await sha('counter-by-two')];
      const store = ChainStore.openReadOnly(db);
      try {
        const reader = SqliteReader.of(store);
        const segments = store.entries({ actor: 'counter' }).filter((e) => e.kind === 'event' && e.fn !== 'stop');
        expect(segments.map((e) => e.fn)).toEqual(['start', 'resume', 'resume']);
        const [, second, third] = segments.map((e) => e.seq);

        // The by-two build is no longer on disk, but this machine ran it: the component cache has it by hash.
        const r = await replayHere(reader, { actor: 'counter', cacheDir: cache });
        expect(r).toMatchObject({ status: 'verified', head: toHex(store.head('counter')!.hash) });
        expect(r.builds.map((b) => [b.from, b.sha256])).toEqual([
          [0, one],
          [second, two],
          [third, one],
        ]);

        // Elsewhere (an empty cache): the by-two segment is named, and not replayed against another build.
        mkdirSync(join(dir, 'empty'));
        const elsewhere = await replayHere(reader, { actor: 'counter', cacheDir: join(dir, 'empty') });
        expect(elsewhere).toMatchObject({ status: 'failed', count: second! + 1 });
        if (elsewhere.status !== 'failed') return;
        expect(elsewhere.message).toContain(
          `entry #${second} (resume) starts a segment recorded by another build, sha256 ${two}, than the one before ` +
            `it (${one.slice(0, 12)}), and that build is not here`,
        );

        // --component still replays the whole chain against the one build given: the by-two segment matches it.
        const against = await replayHere(reader, {
          actor: 'counter',
          cacheDir: cache,
          component: join(dir, 'counter.wasm'),
        });
        expect(against).toMatchObject({ status: 'diverged', expected: { fn: 'log', input: ['count -> 3'] } });
      } finally {
        store.close();
      }
    } finally {
      cleanup();
    }
  });
});
