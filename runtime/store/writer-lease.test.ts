/**
 * The writer lease: one writer per db, refused writers told who holds it, released by the OS when its holder dies
 * (kill -9), readers never blocked. The holder here is a real `theater run` process where another process matters.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTheater, stopChild, tempDir } from '../testing/helpers.ts';
import { pythonQuery } from '../testing/outside.ts';
import { ChainStore } from './chain-store.ts';
import { TestChain } from './test-chain.ts';
import { WriterBusyError, WriterLease } from './writer-lease.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function db(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return join(dir, 'chain.db');
}

function refusal(fn: () => unknown): WriterBusyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WriterBusyError) return e;
    throw e;
  }
  throw new Error('expected WriterBusyError');
}

describe('the writer lease', () => {
  it('admits one writer; a second is refused with the holder and what to do, and writes nothing', () => {
    const path = db();
    const lease = WriterLease.acquire(path, 'theater run counter.toml');
    const store = ChainStore.open(path, { lease });
    const chain = new TestChain('counter');
    chain.start();
    store.appendBatches([chain.take()]);
    const before = pythonQuery(path, 'SELECT count(*) FROM entries') + pythonQuery(path, 'PRAGMA data_version');

    const e = refusal(() => WriterLease.acquire(path, 'a second writer'));
    expect(e.holder).toMatchObject({ pid: process.pid, command: 'theater run counter.toml' });
    expect(Math.abs(e.holder!.since - Date.now())).toBeLessThan(60_000);
    expect(e.message).toMatch(/is being written by pid \d+ \(theater run counter\.toml\), since 20\d\d-/);
    expect(e.message).toMatch(/stop that process first .* or use another --db/);
    expect(() => ChainStore.open(path)).toThrow(WriterBusyError); // a store taking its own lease: same

    // Readers are never refused, and see what the writer committed.
    const reader = ChainStore.openReadOnly(path);
    expect(reader.countEntries()).toBe(1);
    expect(reader.writer()).toMatchObject({ live: true, holder: { pid: process.pid, lease: lease.id } });
    const probe = new TestChain('intruder');
    probe.start();
    expect(() => reader.appendBatches([probe.take()])).toThrow(/readonly/);
    reader.close();
    expect(pythonQuery(path, 'SELECT count(*) FROM entries') + pythonQuery(path, 'PRAGMA data_version')).toBe(before);

    store.close();
    lease.release();
    const next = WriterLease.acquire(path, 'the next writer');
    const r = ChainStore.openReadOnly(path);
    expect(r.writer()).toMatchObject({ live: true, holder: { command: 'the next writer' } });
    next.release();
    expect(r.writer()).toEqual({ live: false, holder: null }); // released: withdrawn
    r.close();
  });

  it('announces its actors’ ports while held, and withdraws them', () => {
    const path = db();
    const lease = WriterLease.acquire(path);
    lease.recordListener('counter', { kind: 'http-server', host: '127.0.0.1', port: 8080 });
    lease.recordListener('counter', { kind: 'message-server', host: '127.0.0.1', port: 9090 });
    const r = ChainStore.openReadOnly(path);
    expect(r.listeners()).toEqual([
      { actor: 'counter', kind: 'http-server', host: '127.0.0.1', port: 8080 },
      { actor: 'counter', kind: 'message-server', host: '127.0.0.1', port: 9090 },
    ]);
    lease.forgetListeners('counter');
    expect(r.listeners()).toEqual([]);
    lease.recordListener('counter', { kind: 'http-server', host: '127.0.0.1', port: 8080 });
    lease.release();
    expect(r.listeners()).toEqual([]);
    r.close();
  });

  it('held by another process: refused with its pid and command; after kill -9 the OS has released it', async () => {
    const path = db();
    const t = await startTheater(path);
    cleanups.push(() => stopChild(t.child, 'SIGKILL'));
    const e = refusal(() => WriterLease.acquire(path));
    expect(e.holder?.pid).toBe(t.child.pid);
    expect(e.holder?.command).toMatch(/^theater run .*counter\/manifest\.toml --db /);

    await stopChild(t.child, 'SIGKILL');
    // Its announcement is still there, but nobody holds the lease: detectably stale, no timeout involved.
    const r = ChainStore.openReadOnly(path);
    expect(r.writer()).toMatchObject({ live: false, holder: { pid: t.child.pid } });
    expect(r.listeners().length).toBeGreaterThan(0); // a dead writer's ports: readers only trust them while live
    const lease = WriterLease.acquire(path, 'after the crash');
    expect(r.writer()).toMatchObject({ live: true, holder: { command: 'after the crash', pid: process.pid } });
    expect(r.listeners()).toEqual([]); // the new holder cleared them
    lease.release();
    r.close();
  });
});
