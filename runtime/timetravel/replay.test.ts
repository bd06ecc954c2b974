import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ActorSystem } from '../actors/system.ts';
import { toHex } from '../chain/entry.ts';
import { SqliteReader } from '../store/index.ts';
import { example, utf8, withSystem } from '../testing/helpers.ts';
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
});
