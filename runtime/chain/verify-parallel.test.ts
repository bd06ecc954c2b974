import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { ChainStore } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { tempDir } from '../testing/helpers.ts';
import { verifyStore } from './verify-parallel.ts';
import type { VerifyResult } from './verify-result.ts';
import { verifySqlite } from './verify-sqlite.ts';

// Three pages of entries (PAGE_IDS = 8192) and two of blobs: every thread gets a range of its own.
const { dir, cleanup } = tempDir();
afterAll(cleanup);
const pristine = join(dir, 'pristine.db');
let n = 0;

beforeAll(() => {
  const store = ChainStore.open(pristine);
  const counter = new TestChain('counter');
  const client = new TestChain('client');
  counter.start();
  client.start();
  store.appendBatches([counter.take(), client.take()]);
  for (let i = 0; i < 4000; i++) {
    counter.counterRequest(i);
    client.ping(i, counter.head);
    if (i % 200 === 199) store.appendBatches([counter.take(), client.take()]);
  }
  store.checkpoint();
  store.close();
}, 60_000);

/** A fresh copy of the chain, tampered with as the sqlite3 CLI would. */
function copy(tamper?: (db: Database.Database) => void): string {
  const path = join(dir, `c${++n}.db`);
  copyFileSync(pristine, path);
  if (tamper) {
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    tamper(db);
    db.close();
  }
  return path;
}

function sequential(path: string, opts = {}): VerifyResult {
  const store = ChainStore.open(path);
  try {
    return verifySqlite(store, opts);
  } finally {
    store.close();
  }
}

const parallel = (path: string, opts = {}) => verifyStore(path, { threads: 2, parallelFrom: 0, ...opts });
/** Results compared without where they started from (the sequential run saves a checkpoint the next run uses). */
const same = (r: VerifyResult) => (r.ok ? { ok: r.ok, count: r.count, heads: r.heads } : r);

describe('parallel verify', () => {
  it('gives exactly the single thread answer on an intact chain, and on one entry or blob tampered with', async () => {
    const intact = copy();
    expect(same(await parallel(intact, { checkpoint: false }))).toEqual(
      same(sequential(intact, { checkpoint: false })),
    );
    expect(sequential(intact, { checkpoint: false })).toMatchObject({ ok: true, count: 20002 });
    for (const tamper of [
      (db: Database.Database) => db.prepare('UPDATE entries SET seq = seq + 1 WHERE id = 12345').run(),
      (db: Database.Database) => db.prepare('UPDATE entries SET cause = zeroblob(32) WHERE id = 16389').run(),
      (db: Database.Database) =>
        db.prepare('UPDATE blobs SET bytes = CAST(? AS BLOB) WHERE id = 11000').run('not what was recorded'),
    ]) {
      const path = copy(tamper);
      const p = await parallel(path, { checkpoint: false });
      expect(p.ok).toBe(false);
      expect(p).toEqual(sequential(path, { checkpoint: false }));
    }
  });

  it("verifies one actor's chain on threads with exactly the single thread answer", async () => {
    const intact = copy();
    for (const actor of ['counter', 'client']) {
      const p = await parallel(intact, { actor });
      expect(p).toMatchObject({ ok: true });
      expect(p).toEqual(sequential(intact, { actor }));
    }
    expect(await parallel(intact, { actor: 'nobody' })).toEqual(sequential(intact, { actor: 'nobody' }));
    // A counter entry in the second thread's range, and one of the client's (each verify sees only its own).
    const path = copy((db) => db.prepare('UPDATE entries SET seq = seq + 1 WHERE id = 16385').run());
    const db = new Database(path, { readonly: true });
    const bad = db
      .prepare('SELECT a.name FROM entries e JOIN actors a ON a.id = e.actor_id WHERE e.id = 16385')
      .pluck()
      .get() as string;
    db.close();
    const other = bad === 'counter' ? 'client' : 'counter';
    const p = await parallel(path, { actor: bad });
    expect(p).toMatchObject({ ok: false });
    expect(p).toEqual(sequential(path, { actor: bad }));
    expect(await parallel(path, { actor: other })).toEqual(sequential(path, { actor: other }));
    expect(await parallel(path, { actor: other })).toMatchObject({ ok: true });
  });

  it('starts from a checkpoint, and a tamper before it still fails at the entry', async () => {
    const path = copy();
    expect(await parallel(path)).toMatchObject({ ok: true, count: 20002 });
    expect(await parallel(path)).toMatchObject({ ok: true, count: 20002, from: { entryId: 20002, verified: 0 } });
    // The sequential verify accepts the checkpoint the parallel one made, and the other way round.
    expect(sequential(path)).toMatchObject({ ok: true, from: { entryId: 20002 } });
    new Database(path).prepare('UPDATE entries SET kind = 3 WHERE id = 9000').run();
    const r = await parallel(path);
    expect(r).toMatchObject({ ok: false, count: 8999 });
    expect(r).toEqual(sequential(path));
  });
});
