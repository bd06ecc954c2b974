/**
 * Where each microsecond of a recorded message goes, per thread: `npx tsx bench/record-profile.ts [--msgs 20000]`.
 *
 * Runs the record benchmark's workload (the counter through system.send, 256 in flight) in a child process under
 * `--cpu-prof` (every thread writes its own profile), keeps the samples taken while the measured messages ran,
 * and prints for each thread its busy time per message split into categories (SQLite, hashing, encoding,
 * messaging, the actor's wasm, GC, ...). `--unrecorded` profiles the baseline instead; `--top N` also lists each
 * thread's N hottest functions. Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ActorSystem } from '../runtime/actors/system.ts';
import { COUNTER, ROOT } from './runtime-bench.ts';
import { cpuByName, threadCpu } from './thread-cpu.ts';

const { values } = parseArgs({
  options: {
    msgs: { type: 'string' },
    child: { type: 'string' },
    unrecorded: { type: 'boolean' },
    top: { type: 'string' },
    window: { type: 'string' },
    'cpu-only': { type: 'boolean' },
  },
});

const INCREMENT = new TextEncoder().encode('{"op":"increment"}');

/** The child: the workload, then the measured window's bounds (monotonic µs, the profiles' clock) on stdout. */
async function child(out: string, msgs: number, window: number, unrecorded: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-profile-'));
  const system = ActorSystem.open({ db: join(dir, 'p.db'), ephemeralPorts: true, unrecordedForBenchmark: unrecorded });
  try {
    const id = await system.start(COUNTER);
    const run = (n: number) =>
      new Promise<void>((resolve, reject) => {
        let sent = 0;
        let done = 0;
        const one = () => {
          sent++;
          void system.send(id, INCREMENT, 'cli').then((o) => {
            if (!o.ok) return reject(new Error(o.error.message));
            if (++done === n) resolve();
            else if (sent < n) one();
          });
        };
        for (let i = 0; i < Math.min(window, n); i++) one();
      });
    await run(2000); // warm-up: JIT, SQLite pages
    const cpu0 = threadCpu();
    const t0 = process.hrtime.bigint();
    const w0 = performance.now();
    await run(msgs);
    const t1 = process.hrtime.bigint();
    const wall = performance.now() - w0;
    const cpu = cpuByName(cpu0, threadCpu());
    writeFileSync(out, JSON.stringify({ from: Number(t0 / 1000n), to: Number(t1 / 1000n), wall, msgs, cpu }));
  } finally {
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which of our threads a profile belongs to, from the code it ran. */
function role(p: Profile): string {
  const urls = p.nodes.map((n) => n.callFrame.url);
  if (urls.some((u) => u.includes('record-profile'))) return 'MainThread';
  if (urls.some((u) => u.includes('writer-thread'))) return 'store-writer';
  if (urls.some((u) => /theater-workers\/worker-/.test(u))) return 'actor';
  return 'other';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Category of a sample: the first rule that matches its stack, leaf first (so "sqlite" wins over "writer"). */
const RULES: [category: string, test: (fn: string, url: string) => boolean][] = [
  ['idle', (fn) => fn === '(idle)'],
  // The store's writer thread sleeps in Atomics.wait, which V8 does not mark idle.
  ['idle', (fn, url) => (fn === 'sleep' || fn === 'gather') && url.includes('writer-thread')],
  ['gc', (fn) => fn === '(garbage collector)'],
  ['sqlite', (fn, url) => url === '' && /^(run|get|all|iterate|exec|pragma|transaction|prepare)$/.test(fn)],
  ['sqlite', (_, url) => url.includes('better-sqlite3')],
  ['sha256', (fn, url) => (url === '' || url.startsWith('node:')) && /^(hash|digest|update|Hash)$/.test(fn)],
  ['post/receive', (fn) => /postMessage|receiveMessageOnPort|structuredClone/.test(fn)],
  [
    'post/receive',
    (_, url) => url.includes('node:internal/worker') || url.includes('node:internal/per_context/messageport'),
  ],
  ['wasm', (_, url) => url.startsWith('wasm://')],
  ['canonical', (_, url) => url.includes('/chain/canonical')],
  ['chain', (_, url) => /\/chain\/(entry|builder|recorder)/.test(url)],
  ['store', (_, url) => url.includes('/store/') || url.includes('store-writer')],
  ['actor worker js', (_, url) => /actor-worker|worker-\w+\.mjs|component\.(m?js|script)/.test(url)],
  ['runtime js', (_, url) => url.includes('/runtime/')],
  ['node internals', (_, url) => url.startsWith('node:')],
  ['program', (fn) => fn === '(program)'],
];

function analyse(file: string, from: number, to: number, msgs: number) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const categoryOf = new Map<number, string>();
  const category = (id: number): string => {
    let c = categoryOf.get(id);
    if (c) return c;
    c = 'other';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      const hit = RULES.find(([, test]) => test(functionName, url));
      if (hit) {
        c = hit[0];
        break;
      }
    }
    categoryOf.set(id, c);
    return c;
  };
  const us = new Map<string, number>();
  const fns = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < from || t > to) continue;
    const dt = p.timeDeltas[i + 1] ?? 0;
    const id = p.samples[i]!;
    total += dt;
    const c = category(id);
    us.set(c, (us.get(c) ?? 0) + dt);
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    if (c !== 'idle') fns.set(name, (fns.get(name) ?? 0) + dt);
  }
  return { total, us, fns, msgs, role: role(p) };
}

async function parent(): Promise<void> {
  const msgs = Number(values.msgs ?? 20_000);
  const window = Number(values.window ?? 256);
  const dir = mkdtempSync(join(tmpdir(), 'theater-cpuprof-'));
  const out = join(dir, 'window.json');
  const profile = values['cpu-only'] ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'];
  const args = [...profile, '--import', 'tsx'];
  const me = join(ROOT, 'bench/record-profile.ts');
  const childArgs = ['--child', out, '--msgs', String(msgs), '--window', String(window)];
  if (values.unrecorded) childArgs.push('--unrecorded');
  execFileSync(process.execPath, [...args, me, ...childArgs], { cwd: ROOT, stdio: 'inherit' });
  const w = JSON.parse(readFileSync(out, 'utf8')) as {
    from: number;
    to: number;
    wall: number;
    msgs: number;
    cpu: Record<string, number>;
  };
  const rate = Math.round(msgs / (w.wall / 1000));
  const per = (ms: number) => ((ms * 1000) / msgs).toFixed(1);
  const total = Object.values(w.cpu).reduce((a, b) => a + b, 0);
  console.log(
    `${values.unrecorded ? 'unrecorded' : 'recorded'}: ${msgs} msgs in ${w.wall.toFixed(0)} ms = ${rate} msgs/s; ` +
      `CPU ${per(total)} µs/msg in all threads (${Object.entries(w.cpu)
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => `${name} ${per(ms)}`)
        .join(', ')})`,
  );
  console.log(
    `Per thread: its CPU per message (from /proc), split by where its profile's busy samples fell (a thread ` +
      `busy for the whole window would be ${per(w.wall)} µs/msg)`,
  );
  const top = Number(values.top ?? 0);
  // One profile per role: the busiest (the other actor workers are the pool's idle ones).
  const byRole = new Map<string, ReturnType<typeof analyse>>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const a = analyse(join(dir, f), w.from, w.to, msgs);
    const busy = (x: typeof a) => x.total - (x.us.get('idle') ?? 0);
    const had = byRole.get(a.role);
    if (!had || busy(a) > busy(had)) byRole.set(a.role, a);
  }
  for (const a of byRole.values()) {
    const busy = a.total - (a.us.get('idle') ?? 0);
    const cpuMs = w.cpu[a.role];
    // Sampled busy time includes time spent runnable but not running (a loaded machine): scale to measured CPU.
    const scale = cpuMs === undefined ? 1 / 1000 : cpuMs / (busy / 1000) / 1000;
    const parts = [...a.us.entries()]
      .filter(([c]) => c !== 'idle')
      .sort((x, y) => y[1] - x[1])
      .map(([c, v]) => `${c} ${per(v * scale)}`);
    console.log(`${a.role}: ${per(busy * scale)} µs/msg: ${parts.join(', ')}`);
    if (top > 0) {
      for (const [name, v] of [...a.fns.entries()].sort((x, y) => y[1] - x[1]).slice(0, top)) {
        console.log(`    ${per(v * scale).padStart(6)}  ${name}`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

if (values.child) await child(values.child, Number(values.msgs), Number(values.window ?? 256), !!values.unrecorded);
else await parent();
