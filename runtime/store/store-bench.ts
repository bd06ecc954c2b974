/**
 * Store benchmark: prints figures, asserts nothing (tests assert behaviour, not timings).
 *
 *   npx tsx runtime/store/store-bench.ts [entries-for-verify=100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../chain/verify.ts';
import { ChainStore } from './chain-store.ts';
import { SqliteReader } from './sqlite-reader.ts';
import { TestChain } from './test-chain.ts';
import type { AppendBatch } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-bench-'));
const verifyEntries = Number(process.argv[2] ?? 100_000);

/** Counter-like batches of ~`size` entries (whole requests: call, log import, return). */
function counterBatches(total: number, size: number, unique = true): AppendBatch[] {
  const chain = new TestChain('counter');
  const out: AppendBatch[] = [];
  chain.start();
  let n = 0;
  let entries = 1;
  while (entries < total) {
    for (let i = 0; i < size / 3 && entries < total; i++, entries += 3)
      chain.counterRequest(n++, { uniqueRequests: unique });
    out.push(chain.take());
  }
  return out;
}

try {
  {
    const batches = counterBatches(verifyEntries, 100);
    const store = ChainStore.open(join(dir, 'append.db'));
    const t0 = performance.now();
    for (const b of batches) store.appendBatches([b]);
    const ms = performance.now() - t0;
    const n = store.countEntries();
    console.log(
      `append: ${n} entries in batches of ~100, one transaction each: ${Math.round(n / (ms / 1000))} entries/s`,
    );
    const heap0 = process.memoryUsage().heapUsed;
    let peak = 0;
    const t1 = performance.now();
    const r = await verifyChain(SqliteReader.of(store), {
      onProgress: () => (peak = Math.max(peak, process.memoryUsage().heapUsed - heap0)),
    });
    const vms = performance.now() - t1;
    console.log(
      `verify: ${r.count} entries, ok=${r.ok}: ${Math.round(r.count / (vms / 1000))} entries/s, ` +
        `heap growth while verifying ≤ ${(peak / 1e6).toFixed(1)} MB`,
    );
    store.close();
  }
  for (const unique of [true, false]) {
    const store = ChainStore.open(join(dir, `size-${unique}.db`));
    for (const b of counterBatches(10_000, 99, unique)) store.appendBatches([b]);
    store.checkpoint();
    const n = store.countEntries();
    console.log(
      `size: ${n} counter entries (${unique ? 'every request distinct' : 'repeated identical requests'}): ` +
        `${(store.dbSizeBytes() / n).toFixed(1)} bytes/entry (${store.dbSizeBytes()} bytes)`,
    );
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
