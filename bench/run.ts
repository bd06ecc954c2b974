/**
 * `npm run bench [-- --quick] [-- --out file.json] [-- --only runtime,chain,studio,latency,build,hub]`: every
 * figure of issue 5 (and issue 6's Studio input latency while an actor spins, issue 12's build times and issue 16's
 * hub figures) measured in one run, printed as a table and written to bench/results.json. `--only spawn` runs just
 * the spawn figures (part of runtime). The hub figures need PostgreSQL ($THEATER_TEST_PG, or installed server
 * binaries); without it they are skipped, saying so. Prints figures; asserts nothing (benchmarks never run inside
 * `npm test`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBuild } from './build-bench.ts';
import { benchChain } from './chain-bench.ts';
import { benchHub } from './hub-bench.ts';
import { PG_AVAILABLE } from '../runtime/testing/pg.ts';
import { genChain } from './gen-chain.ts';
import { benchLatency } from './latency-bench.ts';
import { ROOT, benchHttp, benchRecord, benchSpawn } from './runtime-bench.ts';
import { benchStudio, ensureRenderer } from './studio-bench.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, out: { type: 'string' }, only: { type: 'string' } },
});
const quick = values.quick === true;
const only = new Set((values.only ?? 'runtime,chain,studio,latency,build,hub').split(','));
const log = (s: string) => console.error(`[bench] ${s}`);

const size = quick
  ? {
      msgs: 3000,
      rounds: 3,
      window: 256,
      seq: 300,
      http: 3000,
      warm: 6,
      cold: 1,
      chain: 30_000,
      samples: 2000,
      sha: 20_000,
      inputRounds: 2,
      inputSegments: 2,
      streamed: 20,
    }
  : {
      msgs: 20_000,
      rounds: 5,
      window: 256,
      seq: 2000,
      http: 30_000,
      warm: 30,
      cold: 3,
      chain: 1_000_000,
      samples: 10_000,
      sha: 100_000,
      inputRounds: 3,
      inputSegments: 3,
      streamed: 50,
    };

const results: Record<string, unknown> = {};
const t0 = performance.now();
const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  } catch {
    return cpus()[0]?.model;
  }
})();

if (only.has('runtime')) {
  log(`record: ${size.rounds} rounds x ${size.msgs} msgs, recording on/off interleaved`);
  const rec = await benchRecord(size);
  Object.assign(results, rec);
  // Where the CPU goes, per thread (µs per message; V8Worker: V8's own helper threads, garbage collection mostly).
  const split = (t: Record<string, number>) =>
    Object.entries(t)
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
  results.record_cpu_split = split(rec.record_cpu_threads);
  results.unrecorded_cpu_split = split(rec.unrecorded_cpu_threads);
  log(`http: ${size.http} POST /increment from autocannon`);
  Object.assign(results, await benchHttp({ requests: size.http, connections: 32 }));
}
if (only.has('runtime') || only.has('spawn')) {
  log('spawn: warm, fresh, burst and cold');
  Object.assign(results, await benchSpawn(size));
}
let db: string | undefined;
if (only.has('chain') || only.has('studio') || only.has('hub')) {
  const file = join(ROOT, `bench/.cache/counter-${size.chain >= 1_000_000 ? '1m' : `${size.chain / 1000}k`}.db`);
  const g0 = performance.now();
  db = await genChain(file, size.chain, log);
  results.chain_gen_s = (performance.now() - g0) / 1000;
}
if (only.has('chain') && db) {
  log(`chain: state-at, verify, replay on ${db}`);
  Object.assign(results, await benchChain(db, { samples: size.samples, shaSample: size.sha }));
  if (typeof results.record_msgs_per_s === 'number' && typeof results.entries_per_msg === 'number') {
    results.record_entries_per_s = results.record_msgs_per_s * results.entries_per_msg;
    results.replay_ratio = (results.replay_entries_per_s as number) / (results.record_entries_per_s as number);
  }
}
if (only.has('studio') && db) {
  ensureRenderer(log);
  log('studio: Chromium through the web host');
  Object.assign(results, await benchStudio(db, size.chain));
}
if (only.has('latency')) {
  ensureRenderer(log);
  log(`latency: Studio inputs, idle vs an actor spinning, ${size.inputSegments} segments of each, interleaved`);
  Object.assign(results, await benchLatency({ rounds: size.inputRounds, segments: size.inputSegments }, log));
}
if (only.has('build')) {
  log('build: the TypeScript and C templates, cold (a fresh `theater build`) and warm (rebuilt in one process)');
  Object.assign(results, await benchBuild({ rounds: quick ? 1 : 3 }, log));
}
if (only.has('hub') && db) {
  if (!PG_AVAILABLE)
    log('hub: skipped (no PostgreSQL: set THEATER_TEST_PG, npm run pg:start, or apt-get install postgresql)');
  else {
    ensureRenderer(log);
    Object.assign(
      results,
      await benchHub(
        db,
        size.chain,
        { msgs: size.msgs, rounds: size.rounds, window: size.window, streamed: size.streamed },
        log,
      ),
    );
  }
}
results.mode = quick ? 'quick' : 'full';
results.total_s = (performance.now() - t0) / 1000;
results.machine = {
  nproc: cpus().length,
  cpu: cpuModel,
  ram_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
results.date = new Date().toISOString();

const out = values.out ?? join(ROOT, 'bench/results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

// The table: issue 5's keys with their targets, then the extras.
type Row = [key: string, target: string, met?: (v: number) => boolean, fmt?: (v: number) => string];
const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const f2 = (v: number) => v.toFixed(2);
const f1 = (v: number) => v.toFixed(1);
const ROWS: Row[] = [
  ['record_ratio', '≥ 0.5', (v) => v >= 0.5, f2],
  ['record_msgs_per_s', '≥ 30,000', (v) => v >= 30_000, n0],
  ['http_req_per_s', 'report', undefined, n0],
  ['state_at_p99_ms', '≤ 5 ms', (v) => v <= 5, f2],
  ['verify_ratio', '≥ 0.5', (v) => v >= 0.5, f2],
  ['replay_ratio', '≥ 1.0', (v) => v >= 1, f2],
  ['bytes_per_entry', '≤ 200', (v) => v <= 200, f1],
  ['spawn_warm_ms', '≤ 2 ms', (v) => v <= 2, f2],
  ['studio_first_paint_ms', '≤ 1,000', (v) => v <= 1000, n0],
  ['studio_frame_ms', '≤ 16', (v) => v <= 16, f1],
  ['studio_heap_mb', '≤ 300', (v) => v <= 300, f1],
  ['studio_input_latency_p95_ms_idle', '< 100', (v) => v < 100, f1],
  ['studio_input_latency_p95_ms_spin', '< 100', (v) => v < 100, f1],
  ['hub_ship_entries_per_s', 'report', undefined, n0],
  ['record_ratio_ship_off', 'report', undefined, f2],
  ['record_ratio_ship_on', 'report', undefined, f2],
  ['studio_hub_first_paint_ms', '≤ 1,000', (v) => v <= 1000, n0],
  ['hub_stream_p50_ms', 'report', undefined, f1],
];
const lines: string[] = [`| key | value | target | |`, `|---|---|---|---|`];
for (const [k, target, met, fmt] of ROWS) {
  const v = results[k];
  if (typeof v !== 'number') continue;
  lines.push(`| ${k} | ${(fmt ?? String)(v)} | ${target} | ${met ? (met(v) ? 'met' : 'MISSED') : ''} |`);
}
const extras = Object.entries(results).filter(([k, v]) => !ROWS.some((r) => r[0] === k) && typeof v === 'number');
lines.push('', '| extra | value |', '|---|---|');
for (const [k, v] of extras)
  lines.push(
    `| ${k} | ${Number.isInteger(v) ? n0(v as number) : (v as number) >= 100 ? n0(v as number) : f2(v as number)} |`,
  );
for (const [k, v] of Object.entries(results))
  if (typeof v === 'boolean' || typeof v === 'string') lines.push(`| ${k} | ${v} |`);
const m = results.machine as { nproc: number; cpu: string; ram_gb: number; node: string };
console.log(lines.join('\n'));
console.log(
  `\n${results.mode} run, ${f1(results.total_s as number)} s on ${m.nproc} × ${m.cpu}, ${m.ram_gb} GB RAM, Node ${m.node}; written to ${out}`,
);
process.exit(0);
