/**
 * Hub figures (`npm run bench -- --only hub`), against a real PostgreSQL ($THEATER_TEST_PG, or a throwaway cluster
 * this run starts): ship throughput of the big counter chain into an empty hub; the Studio's first paint and frame
 * times on that chain read from the hub; how long a committed entry takes to show in a Studio reading the hub
 * (shipper poll + transaction + NOTIFY + the Studio's read); and recording with shipping on vs off — record_ratio
 * (recorded / unrecorded msgs/s) for both, with reply latencies, rounds interleaved in one process. Asserts nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ActorSystem } from '../runtime/actors/system.ts';
import { HubLink } from '../runtime/hub/hub-link.ts';
import { Shipper } from '../runtime/hub/shipper.ts';
import { loadNodeKey } from '../runtime/hub/signing.ts';
import { ChainStore } from '../runtime/store/index.ts';
import { Hub } from '../runtime/store-pg/index.ts';
import { testServer } from '../runtime/testing/pg.ts';
import { StudioSession } from '../studio/service/studio-session.ts';
import { COUNTER, pct } from './runtime-bench.ts';
import { benchStudio } from './studio-bench.ts';

const INCREMENT = new TextEncoder().encode('{"op":"increment"}');
const now = () => performance.now();

export interface HubSizes {
  readonly msgs: number;
  readonly rounds: number;
  readonly window: number;
  /** Entries followed from commit to the Studio, one at a time. */
  readonly streamed: number;
}

export async function benchHub(chainDb: string, entries: number, size: HubSizes, log: (s: string) => void) {
  // Its own cluster (not $THEATER_TEST_PG): the server's CPU time is read from its processes.
  const server = await testServer({ own: true });
  const dir = mkdtempSync(join(tmpdir(), 'theater-bench-hub-'));
  const key = loadNodeKey(join(dir, 'node.key'), { create: true });
  const out: Record<string, number> = {};
  try {
    // ---- ship throughput: the whole chain into an empty hub, pages of 2,000 in one transaction each --------------
    const url = await server.newHub();
    log(`hub: shipping ${entries} entries into ${new URL(url).pathname.slice(1)}`);
    const store = ChainStore.openReadOnly(chainDb);
    const t0 = now();
    const shipper = new Shipper({ store, hub: url, node: 'bench', key }).start();
    while (!shipper.caughtUp) await new Promise((r) => setTimeout(r, 50));
    const s = (now() - t0) / 1000;
    await shipper.stop(0);
    const shipped = store.countEntries();
    store.close();
    out.hub_ship_entries_per_s = shipped / s;
    out.hub_ship_s = s;
    out.hub_bytes_per_entry = (await databaseSize(url)) / shipped;

    // ---- the Studio on that chain, read from the hub --------------------------------------------------------------
    log('hub: the Studio on the shipped chain, in Chromium');
    const studio = await benchStudio(chainDb, entries, { hub: url });
    for (const [k, v] of Object.entries(studio)) out[k.replace(/^studio_/, 'studio_hub_')] = v;

    // ---- commit to Studio: an increment committed on a node until a Studio reading the hub hears of it -----------
    log(`hub: ${size.streamed} increments followed from local commit to the Studio's entries event`);
    Object.assign(out, await streamLatency(server, dir, key, size.streamed));

    // ---- recording with shipping on and off -----------------------------------------------------------------------
    log(
      `hub: record ${size.rounds} rounds x ${size.msgs} msgs: unrecorded, recorded, recorded + shipping, interleaved`,
    );
    Object.assign(out, await recordWithShipping(await server.newHub(), dir, size, server.cluster!.dir));
    return out;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function databaseSize(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n');
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

async function streamLatency(
  server: Awaited<ReturnType<typeof testServer>>,
  dir: string,
  key: ReturnType<typeof loadNodeKey>,
  n: number,
): Promise<Record<string, number>> {
  const url = await server.newHub();
  const db = join(dir, 'stream.db');
  const system = ActorSystem.open({ db, ephemeralPorts: true });
  const id = await system.start(COUNTER);
  const store = ChainStore.openReadOnly(db); // the system above holds the writer lease; the shipper only reads
  const shipper = new Shipper({ store, hub: url, node: 'stream', key }).start();
  while (!shipper.caughtUp) await new Promise((r) => setTimeout(r, 20));
  const session = await StudioSession.open({ db: join(dir, 'stream-studio.db'), dataDir: dir, hub: url });
  const seen = new Map<number, number>();
  session.onEvent((event, payload) => {
    if (event === 'entries') seen.set((payload as { seq: number }).seq, now());
  });
  await session.listActors({}); // as the renderer does on connect
  const lat: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const out = await system.send(id, INCREMENT, 'cli'); // resolves once committed locally
      const t = now();
      const seq = system.actor(id)!.host.head.seq;
      if (!out.ok) throw new Error('increment failed');
      for (let w = 0; w < 500 && ![...seen.keys()].some((s) => s >= seq); w++)
        await new Promise((r) => setTimeout(r, 2));
      const got = [...seen].find(([s]) => s >= seq)?.[1];
      if (got !== undefined) lat.push(got - t);
      await new Promise((r) => setTimeout(r, 100)); // one at a time: each waits out the shipper's poll anew
    }
  } finally {
    await session.close();
    await shipper.stop(0);
    await system.close();
    store.close();
  }
  lat.sort((a, b) => a - b);
  return { hub_stream_p50_ms: pct(lat, 50), hub_stream_p95_ms: pct(lat, 95), hub_stream_samples: lat.length };
}

/** `n` sends with `window` in flight; msgs/s and each reply's latency (ms). */
async function pipelined(system: ActorSystem, id: string, n: number, window: number) {
  const lat: number[] = [];
  let sent = 0;
  const t0 = now();
  await new Promise<void>((resolve) => {
    let done = 0;
    const one = () => {
      const s = now();
      sent++;
      void system.send(id, INCREMENT, 'cli').then(() => {
        lat.push(now() - s);
        if (++done === n) resolve();
        else if (sent < n) one();
      });
    };
    for (let i = 0; i < Math.min(window, n); i++) one();
  });
  return { rate: n / ((now() - t0) / 1000), lat };
}

/**
 * CPU time (ms, user + system) of a cluster's PostgreSQL processes so far: the postmaster (its pid is the first line
 * of postmaster.pid) and its children, from /proc. On a deployment this work runs on the hub's machine.
 */
function serverCpuMs(clusterDir: string): number {
  const postmaster = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the command: state ppid ... utime (14th overall) stime (15th), counted from 'state' as index 0.
      const ppid = Number(f[1]);
      if (Number(pid) !== postmaster && ppid !== postmaster) continue;
      // The postmaster's own, plus what its ended children (backends of closed connections) used.
      const own = Number(f[11]) + Number(f[12]);
      const ended = Number(pid) === postmaster ? Number(f[13]) + Number(f[14]) : 0;
      total += ((own + ended) * 1000) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function recordWithShipping(
  url: string,
  dir: string,
  o: HubSizes,
  clusterDir: string,
): Promise<Record<string, number>> {
  const off = ActorSystem.open({ db: join(dir, 'off.db'), ephemeralPorts: true, unrecordedForBenchmark: true });
  const on = ActorSystem.open({ db: join(dir, 'on.db'), ephemeralPorts: true });
  const shipDb = join(dir, 'ship.db');
  const ship = ActorSystem.open({ db: shipDb, ephemeralPorts: true });
  const ids = { off: await off.start(COUNTER), on: await on.start(COUNTER), ship: await ship.start(COUNTER) };
  const link = HubLink.start({ db: shipDb, hub: url, node: 'record', keyFile: join(dir, 'record.key') });
  const hub = await Hub.open(url);
  const systems = { off, on, ship };
  // The shipper has shipped everything `ship` committed (it runs on its own thread; this only watches the hub).
  const shippedAll = async () => {
    const s = ChainStore.openReadOnly(shipDb);
    const last = s.audit.lastEntryId();
    s.close();
    for (let i = 0; i < 3000; i++) {
      if (((await hub.nodes()).find((n) => n.name === 'record')?.shippedId ?? -1) >= last) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    for (const k of ['off', 'on', 'ship'] as const)
      await pipelined(systems[k], ids[k], Math.min(2000, o.msgs), o.window);
    await shippedAll();
    const rates = { off: [] as number[], on: [] as number[], ship: [] as number[] };
    const lats = { off: [] as number[], on: [] as number[], ship: [] as number[] };
    // CPU per message of this process (runtime, workers, the shipper's thread) and of PostgreSQL, per kind of round.
    const cpu = { off: 0, on: 0, ship: 0 };
    const pgCpu = { off: 0, on: 0, ship: 0 };
    const orders = [
      ['off', 'on', 'ship'],
      ['ship', 'off', 'on'],
      ['on', 'ship', 'off'],
    ] as const;
    for (let r = 0; r < o.rounds; r++) {
      for (const k of orders[r % orders.length]!) {
        const [c0, p0] = [process.cpuUsage(), serverCpuMs(clusterDir)];
        const res = await pipelined(systems[k], ids[k], o.msgs, o.window);
        rates[k].push(res.rate);
        lats[k].push(...res.lat);
        // The next round starts with nothing left to ship: shipping only ever overlaps its own rounds (and its CPU
        // is counted with them).
        if (k === 'ship') await shippedAll();
        const c = process.cpuUsage(c0);
        cpu[k] += (c.user + c.system) / 1000;
        pgCpu[k] += serverCpuMs(clusterDir) - p0;
      }
    }
    const med = (a: number[]) =>
      pct(
        [...a].sort((x, y) => x - y),
        50,
      );
    for (const k of ['off', 'on', 'ship'] as const) lats[k].sort((a, b) => a - b);
    return {
      record_ratio_ship_off: med(rates.on) / med(rates.off),
      record_ratio_ship_on: med(rates.ship) / med(rates.off),
      record_msgs_per_s_ship_off: med(rates.on),
      record_msgs_per_s_ship_on: med(rates.ship),
      record_reply_p50_ms_ship_off: pct(lats.on, 50),
      record_reply_p99_ms_ship_off: pct(lats.on, 99),
      record_reply_p50_ms_ship_on: pct(lats.ship, 50),
      record_reply_p99_ms_ship_on: pct(lats.ship, 99),
      // What shipping costs per message, in CPU: on the node (reading, encoding, sending; the shipper's thread) and
      // on the hub's PostgreSQL (which shares this machine's cores in this benchmark).
      ship_node_cpu_us_per_msg: ((cpu.ship - cpu.on) * 1000) / (o.msgs * o.rounds),
      ship_pg_cpu_us_per_msg: ((pgCpu.ship - pgCpu.on) * 1000) / (o.msgs * o.rounds),
      record_node_cpu_us_per_msg: (cpu.on * 1000) / (o.msgs * o.rounds),
    };
  } finally {
    await hub.close();
    await link.stop(5000);
    for (const s of [off, on, ship]) await s.close();
  }
}
