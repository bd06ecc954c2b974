import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { ActorIndex, type Path, type PathRow } from './path-index.ts';

let dir: string;
let store: ChainStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'theater-path-index-'));
  store = ChainStore.open(join(dir, 'chain.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rows(p: Path, from: number): (PathRow | undefined)[] {
  const out: (PathRow | undefined)[] = [];
  for (let i = from; i < p.length; i++) out.push(p.at(i));
  return out;
}

/** main: start, then requests where every third one repeats the count (a no-op); a fork taken mid-way. */
function forkedChain(): void {
  const main = new TestChain('counter');
  main.start();
  for (let i = 0; i < 30; i++) main.counterRequest(i - (i % 3 === 2 ? 1 : 0));
  store.appendBatches([main.take()]);
  const base = store.entries({ actor: 'counter' })[40]!;
  store.createBranch('counter', 'what-if', base.hash);
  const fork = new TestChain('counter', 'what-if', { hash: base.hash, seq: base.seq, state: base.state });
  for (let i = 0; i < 10; i++) {
    fork.counterRequest(100 + (i >> 1)); // every second request changes nothing
    main.counterRequest(200 + i);
    store.appendBatches([fork.take(), main.take()]);
  }
}

describe('ActorIndex', () => {
  it('serves a branch head tail equal to the built path, no-op flags included, across a fork point', async () => {
    forkedChain();
    const ix = new ActorIndex(SqliteReader.of(store), 'counter');
    await ix.build();
    for (const branch of ['main', 'what-if']) {
      const full = ix.path(branch);
      const head = store.head('counter', branch)!;
      expect(full.length).toBe(head.seq + 1);
      expect(rows(full, 0).some((r) => r?.noop)).toBe(true);
      for (const count of [1, 7, 45, head.seq + 1, head.seq + 50]) {
        const tail = await ix.tail(head.id, head.seq, count);
        const first = Math.max(0, head.seq + 1 - count);
        expect(tail.first).toBe(first);
        expect(tail.length).toBe(full.length);
        expect(tail.at(first - 1)).toBeUndefined();
        const strip = ({ id, kind, fn, noop }: PathRow) => ({ id, kind, fn, noop });
        expect(rows(tail, first).map((r) => strip(r!))).toEqual(rows(full, first).map((r) => strip(r!)));
      }
    }
  });

  it('builds in slices, yielding between them, then refreshes what is committed later', async () => {
    const chain = new TestChain('counter');
    chain.start();
    for (let i = 0; i < 4000; i++) chain.counterRequest(i); // 12,001 entries: more than one slice
    store.appendBatches([chain.take()]);
    const ix = new ActorIndex(SqliteReader.of(store), 'counter');
    const done = ix.build();
    expect(ix.built).toBe(false); // it yields to the event loop between slices
    await done;
    expect(ix.built).toBe(true);
    expect(ix.path('main').length).toBe(12_001);
    chain.counterRequest(4000);
    store.appendBatches([chain.take()]);
    const v = ix.version;
    await ix.refresh();
    expect(ix.version).toBeGreaterThan(v);
    expect(ix.path('main').length).toBe(12_004);
  });
});
