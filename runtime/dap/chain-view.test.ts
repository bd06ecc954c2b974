/**
 * The walks breakpoint searches run on: every entry exactly once, in order, either way, across the growing read
 * windows and across a fork point (a branch's path runs through its base's branch).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainStore } from '../index.ts';
import { TestChain } from '../store/test-chain.ts';
import { ChainView } from './chain-view.ts';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'theater-dap-view-'));
  db = join(dir, 'chain.db');
  const store = ChainStore.open(db);
  const chain = new TestChain('counter');
  chain.start();
  for (let i = 0; i < 1500; i++) chain.counterRequest(i); // 4,501 entries: several read windows
  store.appendBatches([chain.take()]);
  // A fork at #2000 with 100 requests of its own.
  const base = store.entries({ actor: 'counter' })[2000]!;
  store.createBranch('counter', 'fork', base.hash);
  const fork = new TestChain('counter', 'fork', { hash: base.hash, seq: base.seq, state: base.state });
  for (let i = 0; i < 100; i++) fork.counterRequest(i);
  store.appendBatches([fork.take()]);
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BranchView.walk', () => {
  it('yields each position once, in order, forwards and backwards, from anywhere', async () => {
    const chain = ChainView.open(db);
    try {
      for (const branch of ['main', 'fork']) {
        const view = await chain.branch('counter', branch);
        const n = view.length;
        expect(n).toBe(branch === 'main' ? 4501 : 2001 + 300);
        for (const from of [0, 1, 255, 256, 1300, 2100, n - 1]) {
          const up = (await collect(view.walk(from, 1))).map((e) => e.seq);
          expect(up).toEqual(Array.from({ length: n - from }, (_, i) => from + i));
          const down = (await collect(view.walk(from, -1))).map((e) => e.seq);
          expect(down).toEqual(Array.from({ length: from + 1 }, (_, i) => from - i));
        }
        // Each entry is the one the branch's path holds at that position (parents link up, across the fork).
        const all = await collect(view.walk(0, 1));
        for (let i = 1; i < all.length; i++) expect(Buffer.compare(all[i]!.parent!, all[i - 1]!.hash)).toBe(0);
      }
    } finally {
      chain.close();
    }
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
