/**
 * A big counter chain from a REAL actor run: the counter component in an ActorSystem, incremented through
 * system.send (3 entries per increment: call, log import, return), so the chain has exactly the shape and
 * payloads of a real one. Cached by path: an existing db with enough entries is reused.
 *
 *   npx tsx bench/gen-chain.ts [--db bench/.cache/counter-1m.db] [--entries 1000000]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ActorSystem } from '../runtime/actors/system.ts';
import { ChainStore } from '../runtime/store/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_DB = join(ROOT, 'bench/.cache/counter-1m.db');

/** Returns the db path once it holds at least `entries` entries of actor "counter". */
export async function genChain(db = DEFAULT_DB, entries = 1_000_000, log = console.error): Promise<string> {
  if (existsSync(db)) {
    const s = ChainStore.open(db);
    const have = s.countEntries('counter');
    s.close();
    if (have >= entries) return settleIndex(db, log);
    log(`${db} has ${have} entries, fewer than ${entries}: regenerating`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  }
  mkdirSync(dirname(db), { recursive: true });
  const system = ActorSystem.open({ db, ephemeralPorts: true });
  const id = await system.start(join(ROOT, 'assets/examples/counter/manifest.toml'));
  const msg = new TextEncoder().encode('{"op":"increment"}');
  const t0 = Date.now();
  // Calls are queued on the actor in order; keeping a window in flight lets the writer commit big batches.
  const WINDOW = 512;
  let inflight: Promise<unknown>[] = [];
  while (system.actor(id)!.host.head.seq + 1 + inflight.length * 3 < entries - 1) {
    inflight.push(system.send(id, msg, 'cli'));
    if (inflight.length >= WINDOW) {
      await Promise.all(inflight);
      inflight = [];
      const n = system.actor(id)!.host.head.seq + 1;
      if (n % 60_000 < WINDOW * 3) log(`${n} entries, ${Math.round(n / ((Date.now() - t0) / 1000))} entries/s`);
    }
  }
  await Promise.all(inflight);
  await system.close();
  log(`generated ${db} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return settleIndex(db, log);
}

/**
 * The upkeep an idle writer (a Studio left open on the db) does in its first seconds: the hash index's tail sorted
 * into a run and its runs merged (store/hash-index.ts), so that lookups are measured on the store as it settles,
 * not as a writer that stopped at full speed left it.
 */
function settleIndex(db: string, log: (s: string) => void): string {
  const s = ChainStore.open(db);
  try {
    const t0 = performance.now();
    let steps = 0;
    while (s.hashIndex.work()) steps++;
    if (steps > 0) log(`hash index settled: ${steps} units of idle upkeep, ${Math.round(performance.now() - t0)} ms`);
  } finally {
    s.close();
  }
  return db;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { db: { type: 'string' }, entries: { type: 'string' } } });
  await genChain(values.db ?? DEFAULT_DB, Number(values.entries ?? 1_000_000));
}
