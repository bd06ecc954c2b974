/**
 * Verification of a chain: every entry hash is recomputed from its stored fields, every link and blob is checked,
 * and the first problem (in insertion order) is reported as data. Prints nothing. One entry point for any
 * ChainReader: a local SQLite store goes through verify-sqlite.ts (packed pages, checkpoints for incremental
 * verify; verify-parallel.ts runs it on several threads for a big store), anything else (a hub node) through verify-reader.ts. Both give the same answer for the same chain.
 */
import type { ChainReader } from '../reader/chain-reader.ts';
import { SqliteReader } from '../store/index.ts';
import { verifyStore } from './verify-parallel.ts';
import { verifyReader } from './verify-reader.ts';
import type { VerifyOptions, VerifyResult } from './verify-result.ts';
import { verifySqlite } from './verify-sqlite.ts';

export type { VerifiedHead, VerifyOptions, VerifyResult } from './verify-result.ts';

/** Verifies one snapshot of the chain: what writers commit meanwhile is not seen, not even in part. */
export async function verifyChain(chain: ChainReader, opts: VerifyOptions = {}): Promise<VerifyResult> {
  if (chain instanceof SqliteReader) {
    // One actor's chain, or the whole store read by a reader (theater verify, the Studio's verify worker): on
    // several threads from PARALLEL_MIN entries up, each with its own read connection. The writer's own store
    // verifies the whole store on its connection, which can save the checkpoint that readers save only while
    // nobody writes (one actor's verify saves none).
    if (opts.actor !== undefined || !chain.store.writable) return verifyStore(chain.store.path, opts);
    return verifySqlite(chain.store, opts);
  }
  return verifyReader(chain, opts);
}
