/**
 * The multi-process torture run (issue 10): one chain db, many processes, for a bounded time, loopback only.
 *
 * - the writer: the Studio's web host (`bin/studio.js`), running the counter, taking HTTP increments from a few
 *   client loops here, and running verify and replay workers inside its own process (asked over its WebSocket API);
 * - `kill -9` of the writer at seeded random moments, and a restart each time (the counter resumes from its chain);
 * - CLI readers (`theater events`, `verify`, `state`) one after another, and python3 sqlite3 readers opening and
 *   closing the db in a loop;
 * - a second writer: `theater run` (the counter, and an "intruder" actor) tried while the writer is up.
 *
 * Afterwards: PRAGMA integrity_check, `theater verify`, every acknowledged increment found in the chain, the refused
 * writer's actor absent. `npm run torture -- --seconds 60 --seed 1` prints the figures (docs/reliability.md §7);
 * torture.reliability.test.ts asserts them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { decode } from '../chain/canonical.ts';
import { ChainStore } from '../store/index.ts';
import { pythonQuery } from '../testing/outside.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const THEATER = join(REPO, 'bin/theater.js');
const STUDIO = join(REPO, 'bin/studio.js');
const COUNTER = join(REPO, 'assets/examples/counter/manifest.toml');
const COUNTER_WASM = join(REPO, 'assets/examples/counter/counter.wasm');

export interface TortureOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface TortureFigures {
  readonly seconds: number;
  readonly seed: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly processes: {
    readonly writers: number;
    readonly cliReaders: number;
    readonly pythonReaders: number;
    readonly refusedWriters: number;
    readonly total: number;
  };
  readonly opens: { readonly python: number; readonly cli: number };
  readonly kills: number;
  readonly requests: {
    readonly sent: number;
    readonly acknowledged: number;
    readonly foundInChain: number;
    /** Acknowledged counts not in the chain: must be empty. */
    readonly missing: readonly number[];
    readonly failed: number;
  };
  /** Verify and replay run on worker threads inside the writer's process, over its WebSocket API. */
  readonly workersInWriter: { readonly verified: number; readonly replayed: number; readonly wrong: readonly string[] };
  readonly cli: { readonly runs: number; readonly failures: readonly string[] };
  readonly secondWriter: {
    readonly attempts: number;
    readonly refusedNamingTheWriter: number;
    readonly other: readonly string[];
  };
  /** The writer could not start again after a kill (the db no longer opened): must be empty. */
  readonly writerFailures: readonly string[];
  readonly final: {
    readonly integrityCheck: string;
    readonly verifyExit: number | null;
    readonly verifyOutput: string;
    readonly entries: number;
    readonly intruderActors: number;
  };
}

interface Writer {
  readonly child: ChildProcess;
  readonly http: number;
  readonly url: string;
  readonly exited: Promise<unknown>;
}

/** mulberry32: a seeded generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a process to its end: exit code and output. */
function run(
  cmd: string,
  args: readonly string[],
  children: Set<ChildProcess>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, out, err });
    });
  });
}

/** The Studio's web host on the db (its uploads and bundles go beside the db), once it serves the counter. */
function startWriter(db: string, children: Set<ChildProcess>): Promise<Writer> {
  const child = spawn(process.execPath, [STUDIO, '--web', '--no-open', '--db', db], {
    env: { ...process.env, THEATER_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise((r) => child.on('exit', r)).finally(() => children.delete(child));
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const http = /counter: http-server on 127\.0\.0\.1:(\d+)/.exec(out);
      const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (http && url) resolve({ child, http: Number(http[1]), url: url[1]!, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`the writer exited before it was ready:\n${out}`)));
  });
}

/** One call on the writer's WebSocket API. */
function wsCall(ws: WebSocket, id: number, method: string, params: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (f.id !== id) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (f.error) reject(new Error(f.error.message));
      else resolve(f.result);
    };
    const onClose = () => {
      ws.off('message', onMessage);
      reject(new Error('the writer went away'));
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

export async function torture(o: TortureOptions): Promise<TortureFigures> {
  const log = o.log ?? (() => {});
  const rand = random(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'theater-torture-'));
  const db = join(dir, 'chain.db');
  const children = new Set<ChildProcess>();
  const loadStart = loadavg()[0]!;
  // The refused writer runs an actor of its own name: had it written anything, the db would hold an actor "intruder".
  // A manifest `theater run` accepts (it is loaded before the db is opened: port 0 was refused as input, exit 2,
  // before the writer lease was ever asked); it is refused at the lease, so it never listens on that port.
  const intruder = join(dir, 'intruder.toml');
  writeFileSync(
    intruder,
    `name = "intruder"\ncomponent_path = ${JSON.stringify(COUNTER_WASM)}\n\n[[handlers]]\ntype = "Http-server"\nconfig = { port = 8089 }\n`,
  );

  const figures = {
    writers: 0,
    cliReaders: 0,
    kills: 0,
    sent: 0,
    failed: 0,
    acknowledged: [] as number[],
    verified: 0,
    replayed: 0,
    wrong: [] as string[],
    cliFailures: [] as string[],
    attempts: 0,
    refused: 0,
    other: [] as string[],
    pythonOpens: 0,
    writerFailures: [] as string[],
  };
  let writer: Writer | undefined;
  let stopping = false;
  /** Kills and second-writer attempts never overlap: an attempt while the writer is down would legitimately win. */
  let lock: Promise<void> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = lock.then(fn);
    lock = next.then(
      () => {},
      () => {},
    );
    return next;
  };

  const launch = async () => {
    figures.writers++;
    writer = await startWriter(db, children);
    log(`writer ${figures.writers} up: pid ${writer.child.pid}, counter on :${writer.http}`);
  };

  try {
    await launch();
    const deadline = Date.now() + o.seconds * 1000;
    const until = () => !stopping && Date.now() < deadline;

    const clients = Array.from({ length: 3 }, async () => {
      while (until()) {
        const w = writer;
        if (!w) {
          await sleep(50);
          continue;
        }
        figures.sent++;
        try {
          const res = await fetch(`http://127.0.0.1:${w.http}/increment`, {
            method: 'POST',
            signal: AbortSignal.timeout(15_000),
          });
          const body = await res.text();
          if (res.status === 200) figures.acknowledged.push((JSON.parse(body) as { count: number }).count);
          else figures.failed++;
        } catch {
          figures.failed++; // the writer was killed under it: not acknowledged, so nothing is owed
          await sleep(100);
        }
      }
    });

    const workers = (async () => {
      let id = 0;
      while (until()) {
        const w = writer;
        if (!w) {
          await sleep(100);
          continue;
        }
        const ws = new WebSocket(w.url.replace('http://', 'ws://').replace('/?', '/api?'));
        try {
          await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
          while (until() && writer === w) {
            const v = (await wsCall(ws, ++id, 'verify', {})) as { ok: boolean; reason?: string };
            if (v.ok) figures.verified++;
            else figures.wrong.push(`verify in the writer: ${v.reason}`);
            const r = (await wsCall(ws, ++id, 'replay', { actor: 'counter' })) as { status: string };
            if (r.status === 'verified') figures.replayed++;
            else figures.wrong.push(`replay in the writer: ${JSON.stringify(r).slice(0, 300)}`);
            await sleep(500); // leave the writer's two cores some time for the requests
          }
        } catch {
          await sleep(200); // killed mid-call: try again with the next writer
        } finally {
          ws.terminate();
        }
      }
    })();

    const cliReaders = (async () => {
      const commands = [
        ['events', '--db', db, '--limit', '5'],
        ['verify', '--db', db],
        ['state', '--db', db],
      ];
      for (let i = 0; until(); i++) {
        const args = commands[i % commands.length]!;
        figures.cliReaders++;
        const r = await run(process.execPath, [THEATER, ...args], children);
        if (r.code !== 0)
          figures.cliFailures.push(`theater ${args[0]} exited ${r.code}: ${r.err.trim() || r.out.trim()}`);
      }
    })();

    const pythonReaders = Array.from({ length: 2 }, () =>
      run(
        'python3',
        [
          '-c',
          `import sqlite3, sys, time
end = time.time() + float(sys.argv[2])
n = 0
while time.time() < end:
    c = sqlite3.connect(sys.argv[1], timeout=10)
    c.execute('SELECT count(*) FROM entries').fetchone()
    c.close()
    n += 1
    time.sleep(0.02)
print(n)`,
          db,
          String(o.seconds),
        ],
        children,
      ).then((r) => {
        if (r.code !== 0) figures.cliFailures.push(`python reader exited ${r.code}: ${r.err.trim()}`);
        figures.pythonOpens += Number(r.out.trim()) || 0;
      }),
    );

    const secondWriter = (async () => {
      for (let i = 0; until(); i++) {
        await sleep(3000 + rand() * 3000);
        if (!until()) break;
        await exclusive(async () => {
          const w = writer;
          if (!w) return;
          figures.attempts++;
          const manifest = i % 2 === 0 ? intruder : COUNTER;
          const r = await run(process.execPath, [THEATER, 'run', manifest, '--db', db], children);
          if (r.code === 3 && r.err.includes(`is being written by pid ${w.child.pid} `)) figures.refused++;
          else figures.other.push(`theater run exited ${r.code}: ${(r.err || r.out).trim().slice(0, 300)}`);
        });
      }
    })();

    const killer = (async () => {
      // Keep the last stretch for a writer that is up, so that the end is checked against a live runtime too.
      while (Date.now() < deadline - 15_000 && !stopping) {
        const acked = figures.acknowledged.length;
        await sleep(2000 + rand() * 5000);
        if (figures.acknowledged.length === acked) continue; // let it serve something first
        if (Date.now() >= deadline - 15_000) break;
        await exclusive(async () => {
          const w = writer!;
          writer = undefined;
          w.child.kill('SIGKILL');
          await w.exited;
          figures.kills++;
          log(`kill -9 #${figures.kills} of pid ${w.child.pid} after ${figures.acknowledged.length} acknowledged`);
          try {
            await launch();
          } catch (e) {
            // The db no longer opens (what the old fs header check led to): stop here and check what is left.
            figures.writerFailures.push((e as Error).message.slice(0, 2000));
            stopping = true;
          }
        });
      }
    })();

    await Promise.all([...clients, workers, cliReaders, ...pythonReaders, secondWriter, killer]);
    stopping = true;
    // The last writer stops cleanly (Ctrl-C); then the checks, on the file it leaves.
    const w = writer as Writer | undefined;
    if (w) {
      w.child.kill('SIGINT');
      await w.exited;
    }
    const integrityCheck = attempt(() => pythonQuery(db, 'PRAGMA integrity_check'));
    const v = await run(process.execPath, [THEATER, 'verify', '--db', db], children);
    const found = attempt(() => countsInChain(db), { counts: new Set<number>(), entries: -1 });
    const acked = new Set(figures.acknowledged);
    const missing = [...acked].filter((c) => !found.counts.has(c)).sort((a, b) => a - b);
    return {
      seconds: o.seconds,
      seed: o.seed,
      loadAverage: { start: loadStart, end: loadavg()[0]! },
      processes: {
        writers: figures.writers,
        cliReaders: figures.cliReaders,
        pythonReaders: pythonReaders.length,
        refusedWriters: figures.attempts,
        total: figures.writers + figures.cliReaders + pythonReaders.length + figures.attempts + 1,
      },
      // Every CLI reader opens the db, and so does every refused writer (to name the holder), and the last verify.
      opens: { python: figures.pythonOpens, cli: figures.cliReaders + figures.attempts + 1 },
      kills: figures.kills,
      requests: {
        sent: figures.sent,
        acknowledged: figures.acknowledged.length,
        foundInChain: found.counts.size,
        missing,
        failed: figures.failed,
      },
      workersInWriter: { verified: figures.verified, replayed: figures.replayed, wrong: figures.wrong },
      cli: { runs: figures.cliReaders, failures: figures.cliFailures },
      secondWriter: { attempts: figures.attempts, refusedNamingTheWriter: figures.refused, other: figures.other },
      writerFailures: figures.writerFailures,
      final: {
        integrityCheck,
        verifyExit: v.code,
        verifyOutput: (v.out || v.err).trim(),
        entries: found.entries,
        intruderActors: Number(attempt(() => pythonQuery(db, `SELECT count(*) FROM actors WHERE name = 'intruder'`))),
      },
    };
  } finally {
    stopping = true;
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A check on a file that may be damaged: its error, as the result. */
function attempt<T>(fn: () => T): T | string;
function attempt<T>(fn: () => T, fallback: T): T;
function attempt<T>(fn: () => T, fallback?: T): T | string {
  try {
    return fn();
  } catch (e) {
    return fallback ?? `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** The counts the counter answered with, as its chain records them (every return of an HTTP request). */
function countsInChain(db: string): { counts: Set<number>; entries: number } {
  const store = ChainStore.openReadOnly(db);
  try {
    const counts = new Set<number>();
    for (const e of store.iterateEntries({ actor: 'counter' })) {
      if (e.kind !== 'return' || e.fn !== 'handle-request' || !e.output) continue;
      const [response] = decode(store.blob(e.output)!) as [{ body?: Uint8Array } | undefined];
      if (!response?.body) continue;
      const body = JSON.parse(new TextDecoder().decode(response.body)) as { count?: number };
      if (typeof body.count === 'number') counts.add(body.count);
    }
    return { counts, entries: store.countEntries() };
  } finally {
    store.close();
  }
}

function report(f: TortureFigures): string {
  const lines = [
    `torture: ${f.seconds} s, seed ${f.seed}, load average ${f.loadAverage.start.toFixed(1)} → ${f.loadAverage.end.toFixed(1)}`,
    `processes: ${f.processes.total} (writers ${f.processes.writers}, CLI readers ${f.processes.cliReaders}, ` +
      `python readers ${f.processes.pythonReaders}, refused second writers ${f.processes.refusedWriters}, this one)`,
    `opens of the db by other processes: python ${f.opens.python}, CLI ${f.opens.cli}`,
    `kill -9 of the writer: ${f.kills}`,
    `requests: ${f.requests.sent} sent, ${f.requests.acknowledged} acknowledged, ${f.requests.foundInChain} answers ` +
      `in the chain, ${f.requests.missing.length} acknowledged but missing, ${f.requests.failed} failed (not acknowledged)`,
    `workers in the writer: ${f.workersInWriter.verified} verify, ${f.workersInWriter.replayed} replay, ` +
      `${f.workersInWriter.wrong.length} wrong`,
    `CLI readers: ${f.cli.runs} runs, ${f.cli.failures.length} failures`,
    `second writer: ${f.secondWriter.attempts} attempts, ${f.secondWriter.refusedNamingTheWriter} refused naming the ` +
      `writer, ${f.secondWriter.other.length} other`,
    `after: integrity_check ${f.final.integrityCheck}; theater verify exit ${f.final.verifyExit} ` +
      `(${f.final.verifyOutput.split('\n')[0]}); intruder actors ${f.final.intruderActors}`,
  ];
  for (const x of [
    ...f.requests.missing.map((c) => `missing count ${c}`),
    ...f.workersInWriter.wrong,
    ...f.cli.failures,
    ...f.secondWriter.other,
    ...f.writerFailures,
  ])
    lines.push(`  ! ${x}`);
  return lines.join('\n');
}

// `npm run torture -- [--seconds N] [--seed N] [--json file]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const json = process.argv.indexOf('--json');
  const f = await torture({
    seconds: arg('--seconds', 60),
    seed: arg('--seed', 1),
    log: (l) => console.error(`  ${l}`),
  });
  console.log(report(f));
  if (json > 0) writeFileSync(process.argv[json + 1]!, `${JSON.stringify(f, null, 2)}\n`);
  const ok =
    f.final.integrityCheck === 'ok' &&
    f.final.verifyExit === 0 &&
    f.requests.missing.length === 0 &&
    f.final.intruderActors === 0 &&
    f.secondWriter.other.length === 0 &&
    f.workersInWriter.wrong.length === 0 &&
    f.writerFailures.length === 0 &&
    f.cli.failures.length === 0;
  process.exit(ok ? 0 : 1);
}
