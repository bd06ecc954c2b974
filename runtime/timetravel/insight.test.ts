import { describe, expect, it } from 'vitest';
import { toHex } from '../chain/entry.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { example, utf8, withSystem } from '../testing/helpers.ts';
import { followMessage } from './insight.ts';
import { replayHere } from './replay.ts';
import { join } from 'node:path';

describe('causal links across actors', () => {
  it("follows the supervisor's send to the child's call and back; both chains replay", async () => {
    await withSystem(async (system, dir) => {
      const sup = await system.start(example('supervisor'));
      const out = await system.send(sup, utf8('{"op":"crash-flaky"}'), 'cli');
      expect(out.ok).toBe(true);
      // The child handles the message (and crashes) asynchronously: wait until the call's end is recorded.
      const flaky = [...system.actor(sup)!.children].find((c) => c.includes('flaky'))!;
      const handled = () =>
        system.store.entries({ actor: flaky }).some((e) => e.kind === 'error' && e.fn === 'handle-send');
      for (let i = 0; i < 300 && !handled(); i++) {
        await system.committed();
        await new Promise((r) => setTimeout(r, 10));
      }
      await system.committed();
      const sent = system.store.entries({ actor: sup }).find((e) => e.kind === 'import' && e.fn === 'send')!;
      const link = await followMessage(SqliteReader.of(system.store), sent.hash);
      expect(link.received?.actor).toBe(flaky);
      expect(link.received?.kind).toBe('call');
      expect(link.received?.origin).toBe('actor');
      expect(toHex(link.received!.cause!)).toBe(toHex(sent.parent!));
      const back = await followMessage(SqliteReader.of(system.store), link.received!.hash);
      expect(toHex(back.sent!.hash)).toBe(toHex(sent.hash));
      expect(back.answered?.kind).toMatch(/return|error/);

      await system.close();
      const store = ChainStore.open(join(dir, 'chain.db'));
      try {
        for (const actor of [sup, flaky]) {
          const r = await replayHere(SqliteReader.of(store), { actor });
          expect(r.status, JSON.stringify(r)).toBe('verified');
        }
      } finally {
        store.close();
      }
    });
  });
});
