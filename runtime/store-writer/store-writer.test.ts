import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../chain/batch-codec.ts';
import { RingWriter, ringBuffer } from '../chain/record-ring.ts';
import { ChainStore, WriterLease, type AppendBatch } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { tempDir } from '../testing/helpers.ts';
import { StoreWriter, type WriteBatch } from './store-writer.ts';

const { dir, cleanup } = tempDir();
const leases: WriterLease[] = [];
afterAll(() => {
  for (const l of leases) l.release();
  cleanup();
});
let n = 0;

/** A store (this thread's connection reads) and a writer thread on the same file, under this process's lease. */
function open(): { store: ChainStore; writer: StoreWriter; lease: WriterLease } {
  const path = join(dir, `w${++n}.db`);
  const lease = WriterLease.acquire(path);
  leases.push(lease);
  const store = ChainStore.open(path, { lease });
  return { store, writer: StoreWriter.start(store.path, lease), lease };
}

function encoded(b: AppendBatch): WriteBatch {
  return { actor: b.actor, branch: b.branch, bytes: encodeBatch(b), entries: b.entries.length };
}

describe('StoreWriter (the store writer thread)', () => {
  it('commits batches queued in one turn together, then calls back in order, each after its entries are readable', async () => {
    const { store, writer } = open();
    const a = new TestChain('a');
    const b = new TestChain('b');
    const calls: string[] = [];
    a.start();
    writer.enqueue(encoded(a.take()), (err) => calls.push(`a1 ${err ?? 'ok'} ${store.countEntries('a')}`));
    b.start();
    writer.enqueue(encoded(b.take()), (err) => calls.push(`b1 ${err ?? 'ok'} ${store.countEntries('b')}`));
    a.counterRequest(1);
    writer.enqueue(encoded(a.take()), (err) => calls.push(`a2 ${err ?? 'ok'} ${store.countEntries('a')}`));
    expect(calls).toEqual([]); // nothing is acknowledged before it is committed
    await writer.committed();
    // Each callback saw its entries committed (a and b's in one transaction: a's count is already 4 at a1).
    expect(calls).toEqual(['a1 ok 4', 'b1 ok 1', 'a2 ok 4']);
    expect(store.head('a')?.hash).toEqual(a.head);
    await writer.close();
    store.close();
  });

  it('reports a conflict to that batch only and commits the others', async () => {
    const { store, writer } = open();
    const results: string[] = [];
    const a = new TestChain('a');
    a.start();
    const stale = new TestChain('a');
    stale.start();
    stale.counterRequest(1);
    const b = new TestChain('b');
    b.start();
    writer.enqueue(encoded(a.take()), (e) => results.push(`a ${e?.name ?? 'ok'}`));
    writer.enqueue(encoded(stale.take()), (e) => results.push(`stale ${e?.name ?? 'ok'}`));
    writer.enqueue(encoded(b.take()), (e) => results.push(`b ${e?.name ?? 'ok'}`));
    writer.flush();
    expect(results).toEqual(['a ok', 'stale ChainConflictError', 'b ok']);
    expect(store.countEntries()).toBe(2);
    await writer.close();
    store.close();
  });

  it('flush() returns once everything queued is committed and its callbacks ran', async () => {
    const { store, writer } = open();
    const c = new TestChain('c');
    let done = 0;
    for (let i = 0; i < 50; i++) {
      c.counterRequest(i);
      writer.enqueue(encoded(c.take()), () => done++);
    }
    writer.upsertActor({ id: 'c', status: 'running' });
    writer.flush();
    expect(done).toBe(50);
    expect(store.countEntries('c')).toBe(150);
    expect(store.actors()).toMatchObject([{ id: 'c', status: 'running' }]);
    await writer.close();
    store.close();
  });

  it('commits ranges of a record ring in place and frees them, so a worker can record more than the ring holds', async () => {
    const { store, writer } = open();
    const sab = ringBuffer(4096);
    const ring = new RingWriter(sab);
    const c = new TestChain('c');
    c.start();
    let committed = 0;
    // ~600 bytes per request: 200 of them pass through a 4 KB ring many times over.
    for (let i = 0; i < 200; i++) {
      c.counterRequest(i);
      const b = c.take();
      const flushRange = () => {
        throw new Error('ring full: nothing was committed meanwhile');
      };
      // Each batch is handed over right away, so space frees as the writer commits; the worker waits for it.
      expect(ring.append(b, [], flushRange)).toBe(true);
      writer.enqueue({ actor: 'c', branch: 'main', ring: sab, range: ring.take(b.entries.length) }, (e) => {
        if (!e) committed++;
      });
      writer.flush();
    }
    expect(committed).toBe(200);
    expect(store.countEntries('c')).toBe(601);
    expect(store.head('c')?.hash).toEqual(c.head);
    await writer.close();
    store.close();
  });

  it('a batch refused leaves the writer recording what comes after it', async () => {
    const { store, writer } = open();
    const a = new TestChain('a');
    a.start();
    const good = a.take();
    const bad = { ...encoded(good), bytes: new Uint8Array([1, 2, 3]).buffer }; // not wire form
    const outcome: string[] = [];
    writer.enqueue(bad, (e) => outcome.push(e ? 'refused' : 'ok'));
    writer.enqueue(encoded(good), (e) => outcome.push(e ? `refused ${e.message}` : 'ok'));
    await writer.committed();
    expect(outcome).toEqual(['refused', 'ok']);
    expect(store.countEntries('a')).toBe(1);
    await writer.close();
    store.close();
  });

  it('writes only under the lease of its process: a writer thread whose lease was released commits nothing', async () => {
    const path = join(dir, `w${++n}.db`);
    const lease = WriterLease.acquire(path);
    const store = ChainStore.open(path, { lease });
    const claimed = StoreWriter.start(path, lease);
    lease.release(); // before the thread opened its connection, or right after: either way it must not write
    const a = new TestChain('a');
    a.start();
    const outcome = await new Promise<Error | undefined>((resolve) => claimed.enqueue(encoded(a.take()), resolve));
    await claimed.close().catch(() => {});
    // Either the thread refused to open (no lease) or the batch failed; nothing reached the file.
    expect(outcome).toBeInstanceOf(Error);
    expect(store.countEntries()).toBe(0);
    store.close();
  });
});
