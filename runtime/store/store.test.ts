import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decode } from '../chain/canonical.ts';
import { sha256, toHex } from '../chain/entry.ts';
import { entryInputsByHash } from '../testing/entry-inputs.ts';
import { ChainConflictError, ChainStore, ChainStoreOpenError, SqliteReader, WriterLease } from './index.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { TestChain } from './test-chain.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'theater-store-'));
  path = join(dir, 'nested', 'chain.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function counter(requests: number, actor = 'counter'): { store: ChainStore; chain: TestChain } {
  const store = ChainStore.open(path);
  const chain = new TestChain(actor);
  chain.start();
  for (let i = 0; i < requests; i++) chain.counterRequest(i);
  store.appendBatches([chain.take()]);
  return { store, chain };
}

describe('ChainStore', () => {
  it('round-trips entries, heads and blobs', () => {
    const store = ChainStore.open(path);
    const chain = new TestChain('counter');
    chain.start();
    chain.counterRequest(1);
    const batch = chain.take();
    store.appendBatches([batch]);
    const all = store.entries({});
    expect(all).toHaveLength(4);
    for (const [i, e] of batch.entries.entries()) {
      const got = all[i]!;
      expect(got).toEqual({ ...e, id: got.id, branch: 'main' });
      expect(store.entry(e.hash)).toEqual(got);
    }
    for (const b of batch.blobs) expect(store.blob(b.hash)).toEqual(b.bytes);
    expect(store.head('counter')?.hash).toEqual(chain.head);
    expect(store.liveBranch('counter')).toBe('main');
    expect(store.branches('counter')).toMatchObject([{ actor: 'counter', name: 'main', head: chain.head, base: null }]);
    expect(store.countEntries()).toBe(4);
    expect(store.countEntries('counter')).toBe(4);
    expect(store.countEntries('nobody')).toBe(0);
    expect(store.blob(sha256(new Uint8Array([1, 2, 3])))).toBeUndefined();
    store.close();
  });

  it('reads what a start resumes from: the live branch, its head and the state bytes at it', () => {
    const { store } = counter(3);
    const head = store.head('counter')!;
    expect(head.state).not.toBeNull();
    const resume = store.liveHead('counter');
    expect(resume.branch).toBe('main');
    expect(resume.head).toEqual({ hash: head.hash, seq: head.seq, state: head.state });
    expect(resume.state).toEqual(store.blob(head.state!));
    expect(new TextDecoder().decode(resume.state!)).toBe('{"count":2}'); // the third request's
    // A fork made live: its head (an entry of main, no entry of its own yet) and the state there.
    const base = store.entries({ actor: 'counter' })[3]!;
    store.createBranch('counter', 'alt', base.hash);
    store.setLiveBranch('counter', 'alt');
    const alt = store.liveHead('counter');
    expect(alt.branch).toBe('alt');
    expect(alt.head).toEqual({ hash: base.hash, seq: base.seq, state: base.state });
    expect(alt.state).toEqual(base.state && store.blob(base.state));
    // Known actor whose live branch is empty, and an actor the store does not know: the branch, no head.
    store.upsertActor({ id: 'fresh' });
    expect(store.liveHead('fresh')).toEqual({ branch: 'main', state: null });
    expect(store.liveHead('nobody')).toEqual({ branch: 'main', state: null });
    store.close();
  });

  it('stores each distinct blob once', () => {
    const store = ChainStore.open(path);
    const chain = new TestChain('counter');
    // Same request and same log output every time: one blob each, however many entries point at them.
    for (let i = 0; i < 5; i++) chain.counterRequest(1, { uniqueRequests: false });
    store.appendBatches([chain.take()]);
    const raw = new Database(path, { readonly: true });
    // request, log line, log output, response, state
    expect(raw.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(5);
    raw.close();
    store.close();
  });

  it('refuses a batch whose first parent is not the head, and writes nothing of the transaction', () => {
    const { store, chain } = counter(2);
    const head = store.head('counter')!;
    const other = new TestChain('other');
    other.start();
    const stale = new TestChain('counter'); // starts from no parent: conflicts with the existing head
    stale.start();
    const before = store.countEntries();
    expect(() => store.appendBatches([other.take(), stale.take()])).toThrow(ChainConflictError);
    expect(store.countEntries()).toBe(before);
    expect(store.actors().map((a) => a.id)).toEqual(['counter']);
    expect(store.head('counter')?.hash).toEqual(head.hash);
    // The legitimate continuation still goes in.
    chain.counterRequest(9);
    store.appendBatches([chain.take()]);
    expect(store.countEntries()).toBe(before + 3);
    store.close();
  });

  it('rolls back a whole transaction when another connection moved the head since it was cached', () => {
    // Two writing connections under one lease (e.g. a writer thread beside the main thread), or a Theater from
    // before the lease: the compare-and-set on the head is the last line of defence.
    const lease = WriterLease.acquire(path);
    const store = ChainStore.open(path, { lease });
    const chain = new TestChain('counter');
    chain.start();
    chain.counterRequest(0);
    store.appendBatches([chain.take()]);
    // The second connection appends to the same branch: our cached head is now stale.
    const other = ChainStore.open(path, { lease });
    const rival = new TestChain('counter', 'main', { hash: chain.head, seq: 3, state: null });
    rival.counterRequest(7);
    other.appendBatches([rival.take()]);
    const before = store.countEntries();
    // Several batches of one branch in one transaction: the head moves once, at the end, compare-and-set.
    chain.counterRequest(8);
    const first = chain.take();
    chain.counterRequest(9);
    expect(() => store.appendBatches([first, chain.take()])).toThrow(ChainConflictError);
    expect(store.countEntries()).toBe(before);
    expect(store.head('counter')?.hash).toEqual(rival.head);
    other.close();
    store.close();
    lease.release();
  });

  it('keeps everything across close and reopen', () => {
    const { store, chain } = counter(10);
    store.upsertActor({ id: 'counter', component: 'ab'.repeat(32), manifest: '/m/counter.toml', status: 'running' });
    store.upsertActor({ id: 'counter', status: 'stopped' });
    store.close();
    const again = ChainStore.open(path);
    expect(again.countEntries()).toBe(31);
    expect(again.head('counter')?.hash).toEqual(chain.head);
    expect(again.actors()).toMatchObject([
      { id: 'counter', liveBranch: 'main', component: 'ab'.repeat(32), manifest: '/m/counter.toml', status: 'stopped' },
    ]);
    again.close();
  });

  it("lists an actor's children: the actors started under it, by name", () => {
    const store = ChainStore.open(path);
    store.upsertActor({ id: 'sup' });
    store.upsertActor({ id: 'sup/b', parent: 'sup', status: 'stopped' });
    store.upsertActor({ id: 'sup/a', parent: 'sup', manifest: '/m/a.toml', status: 'running' });
    store.upsertActor({ id: 'other/c', parent: 'other' });
    expect(store.children('sup').map((a) => [a.id, a.status])).toEqual([
      ['sup/a', 'running'],
      ['sup/b', 'stopped'],
    ]);
    expect(store.children('sup/a')).toEqual([]);
    store.close();
  });

  it('forks: a branch starts at its base and takes its own entries', () => {
    const { store } = counter(3);
    const base = store.entries({ actor: 'counter' })[3]!; // after the first request
    store.createBranch('counter', 'what-if', base.hash);
    expect(store.head('counter', 'what-if')?.hash).toEqual(base.hash);
    const fork = new TestChain('counter', 'what-if', { hash: base.hash, seq: base.seq, state: base.state });
    fork.counterRequest(100);
    store.appendBatches([fork.take()]);
    store.setLiveBranch('counter', 'what-if');
    expect(store.head('counter')?.seq).toBe(base.seq + 3);
    expect(store.entries({ actor: 'counter', branch: 'what-if' })).toHaveLength(3);
    expect(store.branches('counter').map((b) => [b.name, b.base && toHex(b.base)])).toEqual([
      ['main', null],
      ['what-if', toHex(base.hash)],
    ]);
    expect(() => store.setLiveBranch('counter', 'nope')).toThrow(/no branch nope/);
    store.close();
  });

  it('finds entries by hash prefix, pages and streams in insertion order', () => {
    const { store } = counter(20);
    const all = store.entries({});
    const target = all[17]!;
    expect(store.entriesByPrefix(toHex(target.hash).slice(0, 12)).map((e) => e.id)).toEqual([target.id]);
    const short = store.entriesByPrefix(toHex(target.hash).slice(0, 5));
    expect(short.map((e) => e.id)).toContain(target.id);
    expect(() => store.entriesByPrefix('abc')).toThrow(/hash prefix/);
    expect(store.entries({ afterId: all[9]!.id, limit: 5 }).map((e) => e.id)).toEqual(
      all.slice(10, 15).map((e) => e.id),
    );
    expect([...store.iterateEntries({ actor: 'counter' })].map((e) => e.id)).toEqual(all.map((e) => e.id));
    store.close();
  });

  it('reads entries with their input bytes by id in one go, in the order asked, as the long way does', async () => {
    const { store } = counter(3);
    const reader = SqliteReader.of(store);
    const ids = store.entries({}).map((e) => e.id);
    const ask = [ids.at(-1)! + 1, ...[...ids].reverse(), ids[1]!, 0]; // no such entry first and last; one asked twice
    const got = await reader.entryInputs(ask);
    expect(got).toEqual(await entryInputsByHash(reader, ask));
    expect([got[0], got.at(-1)]).toEqual([undefined, undefined]);
    const [log, ret] = [got.find((e) => e?.fn === 'log')!, got.find((e) => e?.fn === 'handle-request' && !e.input)];
    expect(decode(log.input!)).toEqual(['count is 2']); // a small blob: stored under a hash prefix
    expect(ret).toMatchObject({ iface: 'theater:simple/http-server', input: null }); // a return has no input
    expect(await reader.entryInputs([])).toEqual([]);
    store.close();
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    writeFileSync(join(dir, 'notes.db'), 'hello, this is text and not a database at all');
    expect(() => ChainStore.open(join(dir, 'notes.db'))).toThrow(
      `${join(dir, 'notes.db')} is not a Theater chain database: it is not a SQLite file`,
    );
  });

  it("refuses another application's SQLite database", () => {
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    db.close();
    expect(() => ChainStore.open(other)).toThrow(/is not a Theater chain database: .*tables: users/);
  });

  it("leaves another application's SQLite database exactly as it was when it refuses it (it was turned to WAL)", () => {
    const other = join(dir, 'app.db');
    const db = new Database(other);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('theirs')");
    db.close();
    const before = readFileSync(other);
    expect(() => WriterLease.acquire(other)).toThrow(/is not a Theater chain database: .*tables: t/);
    expect(() => ChainStore.open(other)).toThrow(/tables: t/);
    expect(readFileSync(other).equals(before)).toBe(true);
    for (const side of ['-lease', '-wal', '-shm']) expect(existsSync(other + side)).toBe(false);
  });

  it('refuses a database from a newer schema version', () => {
    ChainStore.open(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => ChainStore.open(path)).toThrow(ChainStoreOpenError);
    expect(() => ChainStore.open(path)).toThrow(/newer Theater/);
  });

  it('opens read-only beside a writer: sees its commits (data_version moves), cannot write, creates nothing', () => {
    const { store: writer, chain } = counter(1);
    const reader = ChainStore.openReadOnly(path);
    try {
      expect(reader.countEntries()).toBe(4);
      const v = reader.dataVersion();
      expect(reader.dataVersion()).toBe(v); // nothing committed since
      chain.counterRequest(2);
      writer.appendBatches([chain.take()]);
      expect(reader.dataVersion()).not.toBe(v);
      expect(reader.countEntries()).toBe(7);
      expect(() => reader.upsertActor({ id: 'other' })).toThrow(/readonly/);
    } finally {
      reader.close();
      writer.close();
    }
    expect(() => ChainStore.openReadOnly(join(dir, 'missing.db'))).toThrow(ChainStoreOpenError);
    expect(() => ChainStore.openReadOnly(join(dir, 'missing.db'))).toThrow(/missing\.db/);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it('refuses a blob whose bytes do not hash to its key', () => {
    const store = ChainStore.open(path);
    const chain = new TestChain('counter');
    chain.start();
    const batch = chain.take();
    const blobs = batch.blobs.map((b) => ({ hash: b.hash, bytes: new Uint8Array([...b.bytes, 0]) }));
    expect(() => store.appendBatches([{ ...batch, blobs }])).toThrow(/does not hash to its key/);
    expect(store.countEntries()).toBe(0);
    store.close();
  });
});
