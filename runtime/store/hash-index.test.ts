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
  it('tiered merges, a slice at a time: lookups answer at every step, the runs stay few, a killed merge goes on', () => {
    const path = join(dir, 't.db');
    // Small thresholds so that a few thousand rows reach level 3: runs of 4 are merged, ~32 keys per slice.
    const indexLimits = { tailMax: 64, fanout: 4, sliceRows: 32 };
    let store = ChainStore.open(path, { indexLimits });
    const counter = new TestChain('counter');
    const client = new TestChain('client');
    counter.start();
    client.start();
    const runs = () =>
      new Database(path, { readonly: true }).prepare('SELECT src, level, lo, hi FROM hash_runs ORDER BY id').all() as {
        src: number;
        level: number;
      }[];
    const sample = (every: number) => {
      const all = store.entries({});
      for (let i = 0; i < all.length; i += every) {
        const e = all[i]!;
        expect(store.entry(e.hash)?.id).toBe(e.id);
        for (const b of [e.input, e.output, e.state]) if (b) expect(store.blob(b)).toBeDefined();
        if (e.cause) expect(store.history.causedBy(e.cause).map((c) => c.id)).toContain(e.id);
      }
    };
    let steps = 0;
    let midMerge = 0;
    for (let round = 0; round < 60; round++) {
      // Under load (appendBatches keeps tails under 256 rows: level-1 runs here, tailMax 64)...
      for (let i = 0; i < 30; i++) {
        counter.counterRequest(round * 100 + i);
        client.add('call', 'theater:simple/message-server-client', 'handle-send', {
          input: new TextEncoder().encode(`ping ${round} ${i}`),
          cause: counter.head,
          origin: 'actor',
        });
      }
      store.appendBatches([counter.take(), client.take()]);
      // ...then a short idle moment: a few units of upkeep, often stopping inside a merge.
      for (let i = 0; i < 7 && store.hashIndex.work(); i++) steps++;
      if (runs().some((r) => r.src >= 10 && r.src < 20)) {
        midMerge++;
        sample(7);
        if (round % 10 === 5) {
          // The writer goes away mid-merge (each slice is its own transaction); the next one carries it on.
          store.close();
          store = ChainStore.open(path, { indexLimits });
        }
      }
    }
    while (store.hashIndex.work()) steps++;
    sample(1);
    const live = runs().filter((r) => r.src < 10);
    const levels = live.map((r) => r.level);
    // Nothing being built or dropped, at least three levels, and at most fanout - 1 runs at each merged level.
    expect(runs().length).toBe(live.length);
    expect(Math.max(...levels)).toBeGreaterThanOrEqual(3);
    for (const src of [0, 1, 2]) {
      for (let level = 1; level < 99; level++) {
        expect(live.filter((r) => r.src === src && r.level === level).length).toBeLessThan(4);
      }
    }
    // No key left behind by a dropped run: every key belongs to a live run.
    const db = new Database(path, { readonly: true });
    const orphans = db.prepare('SELECT count(*) FROM hash_keys WHERE run NOT IN (SELECT id FROM hash_runs)').pluck();
    expect(orphans.get()).toBe(0);
    db.close();
    expect(midMerge).toBeGreaterThan(5);
    expect(steps).toBeGreaterThan(100);
    store.close();
  });
});
