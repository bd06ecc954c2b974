/**
 * Load: `theater run` with the counter in its own process; autocannon (another process) holds 1,000 concurrent
 * connections of POST /increment for 30 s. Afterwards: no errors or non-2xx (timeouts: at most 0.5%, and served all
 * the same), the counter's value and the chain's entry count match the requests served exactly, and the chain
 * verifies. Figures go to stdout (docs/reliability.md), with the kernel's side of the listening socket: the deepest
 * accept queue seen and the TCP drop counters, which tell a connection the server was slow to accept from one the
 * kernel dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../chain/verify.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { REPO, startTheater, tempDir } from '../testing/helpers.ts';

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 1000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const { dir, cleanup } = tempDir();
afterAll(cleanup);

async function startRuntime(db: string): Promise<{ child: ChildProcess; port: number }> {
  const t = await startTheater(db);
  return { child: t.child, port: t.http! };
}

interface Cannon {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The kernel's TCP counters (`nstat`'s TcpExt), from /proc: no tool needed. */
function tcpExt(): Record<string, number> {
  const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('TcpExt:'))
    .map((l) => l.split(/\s+/).slice(1));
  return Object.fromEntries(names!.map((n, i) => [n, Number(values![i])]));
}

/** Connections waiting in the listening socket's accept queue (its rx_queue in /proc/net/tcp; IPv4 loopback). */
function acceptQueue(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[3] === '0A') return parseInt(f[4]!.split(':')[1]!, 16);
  }
  return 0;
}

function autocannon(url: string): Promise<Cannon> {
  const bin = join(REPO, 'node_modules/autocannon/autocannon.js');
  const args = [bin, '-c', String(CONNECTIONS), '-d', String(SECONDS), '-m', 'POST', '-t', '20', '-j', url];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    let err = '';
    p.stdout.on('data', (d) => (s += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(s) as Cannon) : reject(new Error(`autocannon exited ${code}: ${err}`)),
    );
  });
}

describe(`load: ${CONNECTIONS} concurrent HTTP clients for ${SECONDS} s`, () => {
  it('serves every request without error; the chain holds exactly the requests served and verifies', async () => {
    const db = join(dir, 'load.db');
    const { child, port } = await startRuntime(db);
    const url = `http://127.0.0.1:${port}/increment`;
    let j: Cannon;
    const kernelBefore = tcpExt();
    let acceptQueueMax = 0;
    const sampler = setInterval(() => (acceptQueueMax = Math.max(acceptQueueMax, acceptQueue(port))), 50);
    try {
      j = await autocannon(url);
      clearInterval(sampler);
      // The runtime is still answering after the storm.
      const after = await fetch(`http://127.0.0.1:${port}/count`);
      expect(after.status).toBe(200);
    } finally {
      clearInterval(sampler);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT'); // Ctrl-C: commits and exits
      await exited;
    }
    const kernelAfter = tcpExt();
    const store = ChainStore.open(db);
    try {
      const head = store.head('counter')!;
      const count = (JSON.parse(Buffer.from(store.blob(head.state!)!).toString()) as { count: number }).count;
      const calls = store.entries({ actor: 'counter' }).filter((e) => e.kind === 'call' && e.fn === 'handle-request');
      const returns = store
        .entries({ actor: 'counter' })
        .filter((e) => e.kind === 'return' && e.fn === 'handle-request');
      const v = await verifyChain(SqliteReader.of(store));
      const figures = {
        connections: CONNECTIONS,
        seconds: j.duration,
        served_2xx: j['2xx'],
        non2xx: j.non2xx,
        errors: j.errors,
        timeouts: j.timeouts,
        req_per_s: Math.round(j['2xx'] / j.duration),
        p50_ms: j.latency.p50,
        p99_ms: j.latency.p99,
        max_ms: j.latency.max,
        chain_entries: store.countEntries('counter'),
        counter_value: count,
        verified: v.ok,
        accept_queue_max: acceptQueueMax,
        ...Object.fromEntries(
          ['ListenOverflows', 'ListenDrops', 'TCPSynRetrans', 'SyncookiesSent', 'TCPTimeouts'].map((k) => [
            k,
            (kernelAfter[k] ?? 0) - (kernelBefore[k] ?? 0),
          ]),
        ),
      };
      console.log(`LOAD FIGURES ${JSON.stringify(figures)}`);
      // No errors but timeouts, and those rare. A timeout would be a connection left waiting in the kernel's accept
      // queue: Node accepts one connection per event-loop turn, which is why the sockets live on a network thread
      // of their own (docs/reliability.md, §5). Late, not lost: the accounting below counts them as served.
      expect(j.errors - j.timeouts).toBe(0);
      expect(j.timeouts).toBeLessThanOrEqual(Math.ceil(j['2xx'] * 0.005));
      expect(j.non2xx).toBe(0);
      expect(j['2xx']).toBeGreaterThan(CONNECTIONS);
      // Every request served is one increment, one call and one return on the chain; none more, none less. (autocannon
      // may have had requests in flight when it stopped: those were served by the runtime but not counted by it.)
      // calls: every POST, plus the one GET /count after the storm.
      expect(calls.length).toBe(count + 1);
      expect(returns.length).toBe(calls.length);
      // Per request: call, log, return. The rest is the start/stop events and init.
      const other = figures.chain_entries - 3 * calls.length;
      expect(other).toBeGreaterThanOrEqual(0);
      expect(other).toBeLessThanOrEqual(10);
      expect(count).toBeGreaterThanOrEqual(j['2xx']);
      expect(count - j['2xx']).toBeLessThanOrEqual(CONNECTIONS + j.timeouts);
      expect(v).toMatchObject({ ok: true });
    } finally {
      store.close();
    }
  });
});
