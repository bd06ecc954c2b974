/**
 * Time-travel figures on a real 1,000,000-entry counter chain (see gen-chain.ts): state-at latency, verify and
 * replay throughput, export/import MB/s, db size. Prints figures; asserts nothing.
 *
 *   npx tsx bench/timetravel.ts [--db path] [--entries n] [--samples 10000]
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyChain } from '../runtime/chain/verify.ts';
import { ChainStore, SqliteReader } from '../runtime/store/index.ts';
import { exportBundle, importBundle, replay, stateAt } from '../runtime/timetravel/index.ts';
import { DEFAULT_DB, genChain } from './gen-chain.ts';

const { values } = parseArgs({
  options: { db: { type: 'string' }, entries: { type: 'string' }, samples: { type: 'string' } },
});
const entries = Number(values.entries ?? 1_000_000);
const db = await genChain(values.db ?? DEFAULT_DB, entries);
const samples = Number(values.samples ?? 10_000);
const MB = 1024 * 1024;
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const out = (k: string, v: string) => console.log(`${k.padEnd(28)} ${v}`);

const store = ChainStore.open(db);
store.checkpoint();
const total = store.countEntries('counter');
out('entries', `${total}`);
out('db size', `${(statSync(db).size / MB).toFixed(1)} MB (${(statSync(db).size / total).toFixed(0)} B/entry)`);

// state-at on random entries: pick random row ids, then time only the lookup by hash.
const ids = store.entries({ actor: 'counter', limit: 1 })[0]!.id;
const hashes: Uint8Array[] = [];
for (let i = 0; i < samples; i++) {
  const e = store.entries({
    actor: 'counter',
    afterId: ids + Math.floor(Math.random() * (total - 1)) - 1,
    limit: 1,
  })[0];
  if (e) hashes.push(e.hash);
}
const lat: number[] = [];
for (const h of hashes) {
  const t0 = process.hrtime.bigint();
  await stateAt(SqliteReader.of(store), h);
  lat.push(secs(t0) * 1e6);
}
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1);
out('state-at latency', `p50 ${pct(50)} µs, p99 ${pct(99)} µs (${lat.length} random entries)`);

let t0 = process.hrtime.bigint();
const v = await verifyChain(SqliteReader.of(store), { actor: 'counter' });
let s = secs(t0);
out('verify', `${v.ok ? 'ok' : 'FAILED'}: ${Math.round(v.count / s)} entries/s (${s.toFixed(1)} s)`);

t0 = process.hrtime.bigint();
const r = await replay({ db, actor: 'counter' });
s = secs(t0);
out('replay (worker)', `${r.status}: ${Math.round(r.count / s)} entries/s (${s.toFixed(1)} s)`);

const file = join(tmpdir(), `theater-bench-${process.pid}.bundle`);
t0 = process.hrtime.bigint();
const ex = await exportBundle(SqliteReader.of(store), file, { actor: 'counter' });
s = secs(t0);
out('export', `${(ex.bytes / MB / s).toFixed(1)} MB/s (${(ex.bytes / MB).toFixed(1)} MB, ${s.toFixed(1)} s)`);
store.close();

const target = join(tmpdir(), `theater-bench-${process.pid}.db`);
const into = ChainStore.open(target);
t0 = process.hrtime.bigint();
const im = importBundle(into, file);
s = secs(t0);
out('import (verified)', `${(im.bytes / MB / s).toFixed(1)} MB/s (${im.entries} entries, ${s.toFixed(1)} s)`);
into.close();
for (const f of [file, target, `${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
