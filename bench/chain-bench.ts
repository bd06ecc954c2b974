/**
 * Figures on a big real counter chain (bench/gen-chain.ts): state-at latency, verify vs raw SHA-256 of the same
 * canonical bytes, replay throughput, bytes per entry. Returns figures; asserts nothing.
 */
import { hash } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalBody, ZERO_HASH } from '../runtime/chain/entry.ts';
import { verifyThreads } from '../runtime/chain/verify-parallel.ts';
import { verifyChain } from '../runtime/chain/verify.ts';
import { ChainStore, SqliteReader } from '../runtime/store/index.ts';
import { replay, stateAt } from '../runtime/timetravel/index.ts';
import { pct } from './runtime-bench.ts';

export interface ChainFigures {
  chain_entries: number;
  bytes_per_entry: number;
  state_at_p50_ms: number;
  state_at_p99_ms: number;
  verify_entries_per_s: number;
  /** Threads that verify used (chain/verify-parallel.ts); the raw SHA-256 baseline runs on one. */
  verify_threads: number;
  raw_sha256_entries_per_s: number;
  verify_ratio: number;
  /** What bounds verify besides the entry hash: a bare SELECT of the same rows, and blobs hashed per entry. */
  bare_select_entries_per_s: number;
  blobs_per_entry: number;
  verify_s: number;
  /** The whole store, one thread: everything (no checkpoint), then again from the checkpoint that one saved. */
  verify_full_store_entries_per_s: number;
  verify_full_store_ms: number;
  verify_incremental_ms: number;
  /** Entries the incremental verify vouched for from its checkpoint, and entries it verified in full. */
  verify_incremental_from_checkpoint: number;
  verify_incremental_verified: number;
  replay_entries_per_s: number;
  replay_s: number;
  replay_status: string;
}

export async function benchChain(db: string, o: { samples: number; shaSample: number }): Promise<ChainFigures> {
  const store = ChainStore.open(db);
  try {
    store.checkpoint();
    const total = store.countEntries('counter');
    const bytesPerEntry = store.dbSizeBytes() / store.countEntries();

    // state-at: random entries (by row id), timing only the lookup by hash.
    const firstId = store.entries({ actor: 'counter', limit: 1 })[0]!.id;
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < o.samples; i++) {
      const e = store.entries({
        actor: 'counter',
        afterId: firstId + Math.floor(Math.random() * (total - 1)) - 1,
        limit: 1,
      })[0];
      if (e) hashes.push(e.hash);
    }
    const lat: number[] = [];
    for (const h of hashes) {
      const t0 = performance.now();
      await stateAt(SqliteReader.of(store), h);
      lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);

    // Raw SHA-256 of the same canonical bytes verify hashes (parent ‖ canonical body), on a sample of the chain,
    // bytes prepared beforehand so only hashing is timed; one-shot with a 'binary' (latin1) string result, the
    // fastest way Node hashes (a Buffer result costs ~2.5x more: chain/entry.ts), and the digest is not even copied
    // out (verify copies it).
    const inputs: Buffer[] = [];
    for (const e of store.iterateEntries({ actor: 'counter' })) {
      inputs.push(Buffer.concat([e.parent ?? ZERO_HASH, canonicalBody(e)]));
      if (inputs.length >= o.shaSample) break;
    }
    // A bare SELECT of the columns verify needs, one raw row per entry, nothing done with them: what reading
    // costs before any checking (verify reads pages packed by SQLite instead, store/audit.ts).
    const bare = new Database(db, { readonly: true });
    const rows = bare
      .prepare(
        `SELECT id, hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id, state_id, cause, origin
      FROM entries`,
      )
      .raw();
    const blobCount = bare.prepare('SELECT count(*) FROM blobs').pluck().get() as number;

    // Three rounds of (raw hashing, bare SELECT, verify), interleaved so that each ratio compares figures taken
    // under the same load (the machine is shared); medians. The first verify also pays the JIT. The verify is one
    // actor's as `theater verify --actor` runs it: from 100k entries on verify_threads threads.
    const raw: number[] = [];
    const select: number[] = [];
    const verified: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      for (const b of inputs) hash('sha256', b, 'binary');
      raw.push(inputs.length / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      let n = 0;
      for (const _ of rows.iterate()) n++;
      select.push(n / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      const v = await verifyChain(SqliteReader.of(store), { actor: 'counter' });
      const s = (performance.now() - t0) / 1000;
      if (!v.ok) throw new Error(`the bench chain does not verify: ${v.reason}`);
      verified.push(v.count / s);
      ratios.push(v.count / s / raw[round]!);
    }
    bare.close();
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

    // The whole store on the writer's connection, one thread (`theater verify`, a reader, splits it over threads):
    // in full (which saves a checkpoint), then incrementally from that checkpoint (its digest over the same rows,
    // no SHA-256 per entry), alternated; medians.
    const fullMs: number[] = [];
    const incMs: number[] = [];
    let fullCount = 0;
    let from: { verified: number } | undefined;
    let incCount = 0;
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      const full = await verifyChain(SqliteReader.of(store), { incremental: false });
      fullMs.push(performance.now() - t0);
      if (!full.ok) throw new Error(`the bench store does not verify: ${full.reason}`);
      fullCount = full.count;
      t0 = performance.now();
      const inc = await verifyChain(SqliteReader.of(store));
      incMs.push(performance.now() - t0);
      if (!inc.ok) throw new Error(`the bench store does not verify incrementally: ${inc.reason}`);
      if (!inc.from)
        throw new Error(`the incremental verify did not start from a checkpoint: ${inc.checkpointRefused}`);
      from = inc.from;
      incCount = inc.count;
    }

    const t0 = performance.now();
    const r = await replay({ db, actor: 'counter' });
    const replayS = (performance.now() - t0) / 1000;
    return {
      chain_entries: total,
      bytes_per_entry: bytesPerEntry,
      state_at_p50_ms: pct(lat, 50),
      state_at_p99_ms: pct(lat, 99),
      verify_entries_per_s: median(verified),
      verify_threads: verifyThreads(),
      raw_sha256_entries_per_s: median(raw),
      verify_ratio: median(ratios),
      bare_select_entries_per_s: median(select),
      blobs_per_entry: blobCount / store.countEntries(),
      verify_s: total / median(verified),
      verify_full_store_entries_per_s: fullCount / (median(fullMs) / 1000),
      verify_full_store_ms: median(fullMs),
      verify_incremental_ms: median(incMs),
      verify_incremental_from_checkpoint: incCount - (from?.verified ?? 0),
      verify_incremental_verified: from?.verified ?? 0,
      replay_entries_per_s: r.count / replayS,
      replay_s: replayS,
      replay_status: r.status,
    };
  } finally {
    store.close();
  }
}
