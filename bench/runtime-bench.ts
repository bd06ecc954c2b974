/**
 * Runtime figures: recorded vs unrecorded message throughput (interleaved, same process), HTTP through a separate
 * load process, child spawn warm and cold. Prints nothing itself; returns figures. Asserts nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorSystem } from '../runtime/actors/system.ts';
import { cpuByName, threadCpu } from './thread-cpu.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const COUNTER = join(ROOT, 'assets/examples/counter/manifest.toml');
const SUPERVISOR = join(ROOT, 'assets/examples/supervisor/manifest.toml');
const CHILD = join(ROOT, 'assets/examples/supervisor/children/counter.toml');
const INCREMENT = new TextEncoder().encode('{"op":"increment"}');

export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const now = () => performance.now();

/**
 * `n` sends kept `window` in flight (a sliding window); returns msgs/s, per-message latencies (ms), and the CPU
 * time each thread of this process used meanwhile (ms, by thread name; Linux).
 */
async function pipelined(
  system: ActorSystem,
  id: string,
  n: number,
  window: number,
): Promise<{ rate: number; lat: number[]; cpu: Record<string, number> }> {
  const cpu0 = threadCpu();
  const lat: number[] = [];
  let sent = 0;
  let failed = 0;
  const t0 = now();
  await new Promise<void>((resolve) => {
    let done = 0;
    const one = () => {
      const s = now();
      sent++;
      void system.send(id, INCREMENT, 'cli').then((o) => {
        if (!o.ok) failed++;
        lat.push(now() - s);
        if (++done === n) resolve();
        else if (sent < n) one();
      });
    };
    for (let i = 0; i < Math.min(window, n); i++) one();
  });
  const ms = now() - t0;
  const cpu = cpuByName(cpu0, threadCpu());
  if (failed) throw new Error(`${failed} of ${n} sends failed`);
  return { rate: n / (ms / 1000), lat, cpu };
}

export interface RecordFigures {
  record_msgs_per_s: number;
  unrecorded_msgs_per_s: number;
  record_ratio: number;
  record_p50_ms: number;
  record_p99_ms: number;
  unrecorded_p50_ms: number;
  unrecorded_p99_ms: number;
  record_seq_p50_ms: number;
  record_seq_p99_ms: number;
  entries_per_msg: number;
  record_rounds: number[];
  unrecorded_rounds: number[];
  /** CPU time per message in all threads (µs), recorded and not, and how many times more recording takes. */
  record_cpu_us_per_msg: number;
  unrecorded_cpu_us_per_msg: number;
  record_cpu_ratio: number;
  /** Recorded, per thread (µs per message, by thread name: MainThread, actor, store-writer, V8Worker = GC). */
  record_cpu_threads: Record<string, number>;
  unrecorded_cpu_threads: Record<string, number>;
}

/** Same actor, same messages, alternating ON/OFF rounds; the figure is the median round. */
export async function benchRecord(o: {
  msgs: number;
  rounds: number;
  window: number;
  seq: number;
}): Promise<RecordFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-bench-rec-'));
  const on = ActorSystem.open({ db: join(dir, 'on.db'), ephemeralPorts: true });
  const off = ActorSystem.open({ db: join(dir, 'off.db'), ephemeralPorts: true, unrecordedForBenchmark: true });
  try {
    const idOn = await on.start(COUNTER);
    const idOff = await off.start(COUNTER);
    // Warm-up: JIT, SQLite pages.
    await pipelined(on, idOn, Math.min(2000, o.msgs), o.window);
    await pipelined(off, idOff, Math.min(2000, o.msgs), o.window);
    const onR: number[] = [];
    const offR: number[] = [];
    let onLat: number[] = [];
    let offLat: number[] = [];
    const onCpu: Record<string, number>[] = [];
    const offCpu: Record<string, number>[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const res =
          which === 'on' ? await pipelined(on, idOn, o.msgs, o.window) : await pipelined(off, idOff, o.msgs, o.window);
        (which === 'on' ? onR : offR).push(res.rate);
        (which === 'on' ? onCpu : offCpu).push(res.cpu);
        if (which === 'on') onLat = onLat.concat(res.lat);
        else offLat = offLat.concat(res.lat);
      }
    }
    // Unpipelined latency: one message at a time (what a lone caller waits).
    const seqLat: number[] = [];
    for (let i = 0; i < o.seq; i++) {
      const s = now();
      await on.send(idOn, INCREMENT, 'cli');
      seqLat.push(now() - s);
    }
    const before = on.actor(idOn)!.host.head.seq;
    await on.send(idOn, INCREMENT, 'cli');
    const perMsg = on.actor(idOn)!.host.head.seq - before;
    const med = (a: number[]) =>
      pct(
        [...a].sort((x, y) => x - y),
        50,
      );
    const sorted = (a: number[]) => a.sort((x, y) => x - y);
    [onLat, offLat] = [sorted(onLat), sorted(offLat)];
    sorted(seqLat);
    // CPU per message: the median round's total, and each thread's median.
    const cpuPerMsg = (rounds: Record<string, number>[]) => {
      const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
      const threads = Object.fromEntries(
        names.map((name) => [name, (med(rounds.map((r) => r[name] ?? 0)) * 1000) / o.msgs]),
      );
      const total = (med(rounds.map((r) => Object.values(r).reduce((a, b) => a + b, 0))) * 1000) / o.msgs;
      return { total, threads };
    };
    const cpuOn = cpuPerMsg(onCpu);
    const cpuOff = cpuPerMsg(offCpu);
    return {
      record_msgs_per_s: med(onR),
      unrecorded_msgs_per_s: med(offR),
      record_ratio: med(onR) / med(offR),
      record_p50_ms: pct(onLat, 50),
      record_p99_ms: pct(onLat, 99),
      unrecorded_p50_ms: pct(offLat, 50),
      unrecorded_p99_ms: pct(offLat, 99),
      record_seq_p50_ms: pct(seqLat, 50),
      record_seq_p99_ms: pct(seqLat, 99),
      entries_per_msg: perMsg,
      record_rounds: onR.map(Math.round),
      unrecorded_rounds: offR.map(Math.round),
      record_cpu_us_per_msg: cpuOn.total,
      unrecorded_cpu_us_per_msg: cpuOff.total,
      record_cpu_ratio: cpuOn.total / cpuOff.total,
      record_cpu_threads: cpuOn.threads,
      unrecorded_cpu_threads: cpuOff.threads,
    };
  } finally {
    await on.close();
    await off.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpFigures {
  http_req_per_s: number;
  http_p50_ms: number;
  http_p99_ms: number;
  http_requests: number;
  http_chain_entries_added: number;
  http_chain_matches: boolean;
}

/** POST /increment from autocannon in its own process, a fixed number of requests; the chain must hold all. */
export async function benchHttp(o: { requests: number; connections: number }): Promise<HttpFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-bench-http-'));
  const system = ActorSystem.open({ db: join(dir, 'http.db'), ephemeralPorts: true });
  try {
    const id = await system.start(COUNTER);
    const port = system.actor(id)!.listeners.find((l) => l.kind === 'http-server')!.port;
    const url = `http://127.0.0.1:${port}/increment`;
    // Entries per request, measured: one request by hand.
    const seq0 = system.actor(id)!.host.head.seq;
    const r = await fetch(url, { method: 'POST' });
    await r.text();
    const perReq = system.actor(id)!.host.head.seq - seq0;
    const count0 = system.store.countEntries(id);
    const bin = join(ROOT, 'node_modules/autocannon/autocannon.js');
    const args = [bin, '-c', String(o.connections), '-a', String(o.requests), '-m', 'POST', '-j', url];
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let s = '';
      let err = '';
      p.stdout.on('data', (d) => (s += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`autocannon exited ${code}: ${err}`))));
    });
    const j = JSON.parse(out) as {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number };
      duration: number;
      start: string;
      finish: string;
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
    };
    const served = j['2xx'];
    await system.committed();
    const added = system.store.countEntries(id) - count0;
    return {
      // start/finish are timestamps (ms precision); `duration` is rounded to 10 ms.
      http_req_per_s: served / ((Date.parse(j.finish) - Date.parse(j.start)) / 1000),
      http_p50_ms: j.latency.p50,
      http_p99_ms: j.latency.p99,
      http_requests: served,
      http_chain_entries_added: added,
      http_chain_matches: j.non2xx === 0 && j.errors === 0 && added === served * perReq,
    };
  } finally {
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SpawnFigures {
  spawn_warm_ms: number;
  spawn_warm_p99_ms: number;
  spawn_fresh_ms: number;
  spawn_burst_ms: number;
  spawn_cold_ms: number;
  spawn_disk_warm_ms: number;
}

/** Between two timed spawns: a supervisor spawning now and then, not in a burst (the pool refills meanwhile). */
const SPAWN_GAP_MS = 300;

/**
 * A supervisor's child started under it (what the spawn host call does), then stopped, `n` times, with the
 * component compiled in this process: warm = the same child again (it resumes its chain), fresh = a new child each
 * time (its init call included), the two interleaved with a pause before each; burst = the same child started and
 * stopped back to back, faster than the worker pool refills. Cold: a fresh process with an empty component cache
 * (transpile + compile + worker); disk-warm: a fresh process, cache on disk.
 */
export async function benchSpawn(o: { warm: number; cold: number }): Promise<SpawnFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-bench-spawn-'));
  const system = ActorSystem.open({ db: join(dir, 'spawn.db'), ephemeralPorts: true, cacheDir: join(dir, 'cache') });
  const warm: number[] = [];
  const fresh: number[] = [];
  const burst: number[] = [];
  try {
    const sup = await system.start(SUPERVISOR);
    const timed = async (id?: string) => {
      const t0 = now();
      const child = await system.start(CHILD, { parent: sup, id });
      const ms = now() - t0;
      await system.stop(child);
      return ms;
    };
    for (let i = 0; i < o.warm + 2; i++) {
      await new Promise((r) => setTimeout(r, SPAWN_GAP_MS));
      const w = await timed();
      await new Promise((r) => setTimeout(r, SPAWN_GAP_MS));
      const f = await timed(`${sup}/fresh-${i}`);
      if (i < 2) continue; // the first two warm the JIT, the compile cache and the pool
      warm.push(w);
      fresh.push(f);
    }
    for (let i = 0; i < o.warm; i++) burst.push(await timed());
  } finally {
    await system.close();
  }
  const cold: number[] = [];
  const diskWarm: number[] = [];
  for (let i = 0; i < o.cold; i++) {
    const cache = join(dir, `cold-${i}`);
    cold.push(await spawnInFreshProcess(cache));
    diskWarm.push(await spawnInFreshProcess(cache));
  }
  rmSync(dir, { recursive: true, force: true });
  const sorted = (a: number[]) => a.sort((x, y) => x - y);
  return {
    spawn_warm_ms: pct(sorted(warm), 50),
    spawn_warm_p99_ms: pct(warm, 99),
    spawn_fresh_ms: pct(sorted(fresh), 50),
    spawn_burst_ms: pct(sorted(burst), 50),
    spawn_cold_ms: pct(sorted(cold), 50),
    spawn_disk_warm_ms: pct(sorted(diskWarm), 50),
  };
}

function spawnInFreshProcess(cacheDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/spawn-once.ts'), cacheDir],
      { cwd: ROOT },
      (err, stdout) => (err ? reject(err) : resolve(Number(stdout.trim().split('\n').at(-1)))),
    );
  });
}
