import { describe, expect, it } from 'vitest';
import { verifyChain } from '../chain/verify.ts';
import { toHex } from '../chain/entry.ts';
import type { ActorSystem } from '../actors/system.ts';
import { SqliteReader } from '../store/index.ts';
import { example, text, utf8, withSystem } from '../testing/helpers.ts';
import { forkAt, listBranches } from './fork.ts';
import { diffBranches, diffEntries, stateAt } from './state.ts';
import { noOps, whoWrote } from './insight.ts';

const inc = (s: ActorSystem, id: string) => s.send(id, utf8('{"op":"increment"}'), 'cli');
const rd = (s: ActorSystem) => SqliteReader.of(s.store);

describe('state-at, forks and branches on a real counter', () => {
  it('state-at equals what the actor returned, on two branches; both branches verify', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const returned: [Uint8Array, string][] = [];
      for (let i = 0; i < 3; i++) {
        const out = await inc(system, id);
        expect(out.ok).toBe(true);
        returned.push([system.actor(id)!.host.head.hash!, text(out.ok ? out.state : null)!]);
      }
      for (const [hash, state] of returned) expect(text((await stateAt(rd(system), hash)).bytes)).toBe(state);
      expect((await stateAt(rd(system), returned[2]![0])).json).toEqual({ count: 3 });

      // Rewind to count 1 and go on from there: the running actor is resumed on fork-1 with {count:1}.
      const [at1] = returned[0]!;
      const branch = await system.continueFrom(id, at1);
      expect(branch).toBe('fork-1');
      expect(system.store.liveBranch(id)).toBe('fork-1');
      const out = await inc(system, id);
      expect(out.ok && text(out.state)).toBe('{"count":2}');
      const forkHead = system.actor(id)!.host.head.hash!;
      expect((await stateAt(rd(system), forkHead)).json).toEqual({ count: 2 });
      // The old branch is untouched: its count-3 entry still says 3.
      expect((await stateAt(rd(system), returned[2]![0])).json).toEqual({ count: 3 });

      await system.committed();
      const branches = listBranches(system.store, id);
      expect(branches.map((b) => [b.name, b.live])).toEqual([
        ['main', false],
        ['fork-1', true],
      ]);
      const v = await verifyChain(rd(system), { actor: id });
      expect(v.ok).toBe(true);

      const d = await diffBranches(rd(system), id, 'main', 'fork-1');
      expect(toHex(d.base!.hash)).toBe(toHex(at1));
      expect(d.diff).toEqual({ kind: 'json', changes: [{ op: 'changed', path: ['count'], before: 3, after: 2 }] });
      expect((await diffEntries(rd(system), at1, forkHead)).diff).toEqual({
        kind: 'json',
        changes: [{ op: 'changed', path: ['count'], before: 1, after: 2 }],
      });
      // who-wrote: on the fork, count was written by the increment after the rewind.
      const w = await whoWrote(rd(system), forkHead, ['count']);
      expect(w.value).toBe(2);
      expect(w.previous).toBe(1);
      expect(w.call?.kind).toBe('call');
      expect(w.writer?.kind).toBe('return');
    });
  });

  it('two forks from one point get distinct first entries, and identical history is stored once', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      await inc(system, id);
      await system.stop(id);
      await system.committed();
      const head = system.store.head(id)!;
      const a = forkAt(system.store, head.hash);
      const b = forkAt(system.store, head.hash);
      expect([a.branch, b.branch]).toEqual(['fork-1', 'fork-2']);
      expect(toHex(a.head)).not.toBe(toHex(b.head));

      // The same entries appended on two branches are one row each; both heads move onto them.
      const before = system.store.countEntries(id);
      const main = system.store.entries({ actor: id, branch: 'main' });
      system.store.createBranch(id, 'copy', main[0]!.hash);
      const rest = main.slice(1).map((e) => ({ ...e }));
      system.store.appendBatches([{ actor: id, branch: 'copy', entries: rest, blobs: [] }]);
      expect(system.store.countEntries(id)).toBe(before);
      expect(toHex(system.store.head(id, 'copy')!.hash)).toBe(toHex(head.hash));
      expect((await verifyChain(rd(system), { actor: id })).ok).toBe(true);
    });
  });

  it('finds calls that changed nothing', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      await inc(system, id);
      await system.request(id, utf8('{"op":"get"}'), 'cli');
      await system.send(id, utf8('{"op":"bogus"}'), 'cli');
      await system.committed();
      const head = system.store.head(id)!;
      const calls = (await noOps(rd(system), head.hash, { includeErrors: true })).map((n) => n.call.fn);
      expect(calls).toContain('handle-request');
      expect(calls).not.toContain('init');
    });
  });
});
