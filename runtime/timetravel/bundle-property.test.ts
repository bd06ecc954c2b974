/**
 * Property: any corruption of a valid bundle is refused with a BundleError and writes nothing; a bundle is accepted
 * only when its bytes are the original's. Mutations: flipped bits, overwritten, inserted, deleted and duplicated
 * byte ranges, truncation, and records swapped (a length-preserving reorder).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ChainStore } from '../store/index.ts';
import { tempDir } from '../testing/helpers.ts';
import { BundleError } from './bundle-format.ts';
import { importBundle } from './bundle-import.ts';

const GOLDEN = readFileSync(fileURLToPath(new URL('./fixtures/counter.bundle', import.meta.url)));
const { dir, cleanup } = tempDir();
afterAll(cleanup);

type Mutation =
  | { t: 'flip'; at: number; bit: number }
  | { t: 'overwrite'; at: number; bytes: Uint8Array }
  | { t: 'insert'; at: number; bytes: Uint8Array }
  | { t: 'delete'; at: number; len: number }
  | { t: 'duplicate'; at: number; len: number }
  | { t: 'truncate'; len: number }
  | { t: 'swap'; a: number; b: number; len: number };

const N = GOLDEN.length;
const pos = fc.nat({ max: N - 1 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ t: fc.constant('flip' as const), at: pos, bit: fc.nat({ max: 7 }) }),
  fc.record({ t: fc.constant('overwrite' as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    t: fc.constant('insert' as const),
    at: fc.nat({ max: N }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({ t: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ t: fc.constant('duplicate' as const), at: pos, len: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ t: fc.constant('truncate' as const), len: fc.nat({ max: N - 1 }) }),
  fc.record({ t: fc.constant('swap' as const), a: pos, b: pos, len: fc.integer({ min: 1, max: 256 }) }),
);

/** Applies one mutation; positions are taken modulo the current length (mutations compose). */
function apply(m: Mutation, src: Buffer): Buffer {
  const b = Buffer.from(src);
  const L = b.length;
  if (L === 0) return m.t === 'insert' ? Buffer.from(m.bytes) : b;
  const at = 'at' in m ? m.at % (m.t === 'insert' ? L + 1 : L) : 0;
  switch (m.t) {
    case 'flip':
      b[at] = b[at]! ^ (1 << m.bit);
      return b;
    case 'overwrite':
      Buffer.from(m.bytes).copy(b, at);
      return b;
    case 'insert':
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    case 'duplicate':
      return Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
    case 'truncate':
      return b.subarray(0, Math.min(m.len, L - 1));
    case 'swap': {
      const [lo, hi] = m.a % L < m.b % L ? [m.a % L, m.b % L] : [m.b % L, m.a % L];
      const len = Math.min(m.len, hi - lo, L - hi);
      if (len <= 0) return b;
      const x = Buffer.from(b.subarray(lo, lo + len));
      b.copy(b, lo, hi, hi + len);
      x.copy(b, hi);
      return b;
    }
  }
}

describe('bundle import under random corruption', () => {
  it('the uncorrupted bundle imports', () => {
    const db = join(dir, 'control.db');
    const s = ChainStore.open(db);
    try {
      const file = join(dir, 'control.bundle');
      writeFileSync(file, GOLDEN);
      expect(importBundle(s, file).entries).toBeGreaterThan(10);
    } finally {
      s.close();
    }
  });

  it('is refused with a BundleError and nothing written, unless the bytes are the original', () => {
    const store = ChainStore.open(join(dir, 'target.db'));
    const file = join(dir, 'mutant.bundle');
    let refused = 0;
    let identical = 0;
    try {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
          const bytes = ms.reduce<Buffer>((b, m) => apply(m, b), GOLDEN);
          writeFileSync(file, bytes);
          if (bytes.equals(GOLDEN)) {
            // A no-op mutation (e.g. a swap of equal ranges): must import, into a fresh db.
            identical++;
            const fresh = join(dir, `identical-${identical}.db`);
            const s = ChainStore.open(fresh);
            try {
              expect(importBundle(s, file).entries).toBeGreaterThan(10);
            } finally {
              s.close();
              rmSync(fresh, { force: true });
            }
            return;
          }
          let err: unknown = null;
          try {
            importBundle(store, file);
          } catch (e) {
            err = e;
          }
          expect(
            err,
            `accepted a corrupted bundle: ${JSON.stringify(ms, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`,
          ).toBeInstanceOf(BundleError);
          expect(store.countEntries()).toBe(0);
          expect(store.actors()).toEqual([]);
          refused++;
        }),
        {
          numRuns: Number(process.env.BUNDLE_PROPERTY_RUNS ?? 1000),
          seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
        },
      );
    } finally {
      store.close();
    }
    expect(refused).toBeGreaterThan(900);
  });
});
