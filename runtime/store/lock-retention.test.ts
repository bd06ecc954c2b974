/**
 * Issue 10, item 1. SQLite's POSIX locks belong to the process and vanish when *any* descriptor of the db file is
 * closed. ChainStore.open used to check the file's header with an `fs` open + close, and the Studio opens a store
 * for every verify and replay worker while it holds the db: after that, the next process to open and close the db
 * (python's sqlite3, `theater events`) found no other user, checkpointed, and deleted the WAL from under the writer,
 * whose later commits went to an unlinked file and were lost.
 *
 * Here one process writes and does beside it everything the runtime does (a reader connection, a verify worker, a
 * refused second writer), while python3's sqlite3 opens and closes the db from outside between commits.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyOffThread } from '../chain/verify-job.ts';
import { withFsTripwireOff } from '../testing/fs-tripwire.ts';
import { tempDir } from '../testing/helpers.ts';
import { pythonQuery, sharedLockOn } from '../testing/outside.ts';
import { ChainStore } from './chain-store.ts';
import { TestChain } from './test-chain.ts';
import { WriterBusyError } from './writer-lease.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function writerWithEntries(n: number): { db: string; store: ChainStore; chain: TestChain } {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'chain.db');
  const store = ChainStore.open(db);
  cleanups.push(() => store.close(), cleanup);
  const chain = new TestChain('counter');
  chain.start();
  append(store, chain, n - 1);
  return { db, store, chain };
}

function append(store: ChainStore, chain: TestChain, n: number): void {
  for (let i = 0; i < n; i++) chain.add('call', 'theater:simple/actor', 'tick', { input: new Uint8Array([i]) });
  store.appendBatches([chain.take()]);
}

const outsideCount = (db: string) => Number(pythonQuery(db, 'SELECT count(*) FROM entries'));

describe('a writer keeps its SQLite locks whatever else its process does with the db', () => {
  it('readers, a verify worker and a refused second writer in its process; outside readers see every commit', async () => {
    const { db, store, chain } = writerWithEntries(10);
    expect(sharedLockOn(db)).toEqual({ type: 'read', pid: process.pid });

    // What the Studio and the CLI do beside a writer, in the writer's own process.
    ChainStore.openReadOnly(db).close();
    expect((await verifyOffThread({ db })).ok).toBe(true);
    expect(() => ChainStore.open(db)).toThrow(WriterBusyError);
    expect(sharedLockOn(db)).toEqual({ type: 'read', pid: process.pid });

    // Another process opens and closes the db: it must see that it is not alone and leave the WAL alone.
    expect(outsideCount(db)).toBe(10);
    append(store, chain, 5);
    expect(outsideCount(db)).toBe(15);
    expect(existsSync(`${db}-wal`)).toBe(true);
    expect(store.countEntries()).toBe(15);
  });

  it('the old header check (an fs open + close of the db) loses them, and an outside reader then deletes the WAL', () => {
    // The hazard itself, so that the test above cannot pass for want of a working detector.
    const { db, store, chain } = writerWithEntries(10);
    withFsTripwireOff(() => closeSync(openSync(db, 'r')));
    expect(sharedLockOn(db)).toEqual({ type: 'none', pid: 0 });
    expect(outsideCount(db)).toBe(10);
    expect(existsSync(`${db}-wal`)).toBe(false); // deleted under the writer
    append(store, chain, 5);
    expect(store.countEntries()).toBe(15); // the writer believes they are committed...
    expect(outsideCount(db)).toBe(10); // ...nobody else can see them: they went to the unlinked WAL
  });
});
