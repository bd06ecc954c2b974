import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../chain/entry.ts';
import { tempDir } from '../testing/helpers.ts';
import { ChainStore } from './index.ts';
import { TestChain } from './test-chain.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** Lookups by hash answer the same wherever the row's key is: tail, a small run, a merged run, the migration's. */
describe('hash index (runs of sorted keys plus the tail)', () => {
  it('finds every entry, blob and cause, before and after runs are made and merged', () => {
    const path = join(dir, 'h.db');
    const store = ChainStore.open(path);
    const counter = new TestChain('counter');
    const client = new TestChain('client');
    counter.start();
    client.start();
    const stages: string[] = [];
    const check = () => {
      const runs = new Database(path, { readonly: true }).prepare('SELECT src, level FROM hash_runs').all();
      stages.push(JSON.stringify(runs));
      for (const e of store.entries({})) {
        expect(store.entry(e.hash)?.id).toBe(e.id);
        for (const b of [e.input, e.output, e.state]) if (b) expect(store.blob(b)).toBeDefined();
        if (e.cause) expect(store.history.causedBy(e.cause).map((c) => c.id)).toContain(e.id);
        expect(store.entriesByPrefix(toHex(e.hash).slice(0, 14)).map((x) => x.id)).toContain(e.id);
      }
    };
    // appendBatches (a one-off writer) keeps the tail short: runs are made as it goes.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 150; i++) {
        counter.counterRequest(round * 1000 + i);
        client.add('call', 'theater:simple/message-server-client', 'handle-send', {
          input: new TextEncoder().encode(`ping ${round} ${i}`),
          cause: counter.head,
          origin: 'actor',
        });
        store.appendBatches([counter.take(), client.take()]);
      }
      check();
    }
    // Idle upkeep until there is nothing left to do (merges included).
    while (store.hashIndex.work()) {
      /* one step at a time */
    }
    check();
    expect(stages[0]).not.toBe(stages.at(-1));
    expect(store.hashIndex.tails().every((n) => n < 256)).toBe(true);
    store.close();
  });

  it('a key shared by two hashes costs a second row read, never a wrong answer', () => {
    const path = join(dir, 'k.db');
    const store = ChainStore.open(path);
    const c = new TestChain('c');
    c.start();
    store.appendBatches([c.take()]);
    const real = store.entries({})[0]!;
    // A row whose hash shares the real one's first 6 bytes (the key), in the tail and then in a run.
    const twin = Buffer.from(real.hash);
    twin[31] = twin[31]! ^ 0xff;
    const db = new Database(path);
    db.prepare(
      `INSERT INTO entries (hash, parent_id, actor_id, seq, kind, fn_id, ts, branch_id)
       SELECT ?, NULL, actor_id, 0, kind, fn_id, ts, branch_id FROM entries WHERE id = ?`,
    ).run(twin, real.id);
    db.close();
    for (let pass = 0; pass < 2; pass++) {
      expect(store.entry(real.hash)?.id).toBe(real.id);
      expect(store.entry(new Uint8Array(twin))?.id).toBe(real.id + 1);
      store.hashIndex.work(false, 1); // into a run
    }
    store.close();
  });
});
