/**
 * The Studio on a big chain, in Debian's Chromium through the web host, the Studio in its own process as `npm start`
 * runs it (`bin/studio.js --web`): first paint of the graph, p95 frame time while panning/zooming the graph and
 * scrolling the entry list, JS heap.
 *
 * Frame time (`studio_frame_ms`): the renderer main thread's work per frame, from a Chromium trace taken while
 * panning/zooming and scrolling: for each interval between two frame starts (BeginMainThreadFrame), the wall time of
 * the main thread's tasks in it (input handlers, rAF callbacks, React, style/layout/paint). A frame whose work fits
 * in 16 ms can be shown at 60 Hz. `studio_frame_cpu_ms` is the same in thread CPU time: the Studio's own cost,
 * without the time other processes took the core (the wall figure includes it). The gap between
 * requestAnimationFrame timestamps is reported too (`studio_raf_gap_*`), but it is not a frame's cost here:
 * headless or under Xvfb, with vsync and the frame-rate limit off, Chromium still begins frames at ~60 Hz, so even
 * a blank page's gaps are ~17-20 ms (p50/p95, loaded 2-core machine). Asserts nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { FIRST_PAINT_MARK } from '../renderer/features/chain-graph/first-paint-mark.ts';
import { exited, stopChild } from '../runtime/testing/helpers.ts';
import { ROOT, pct } from './runtime-bench.ts';

const BROWSER_SETTLE_MS = 1500;
/** Fresh Studios opened in a row; the first paint reported is their median. */
const OPENS = 3;
const BETWEEN_OPENS_MS = 500;

export interface StudioFigures {
  /** The median of OPENS fresh opens, and each of them. */
  studio_first_paint_ms: number;
  studio_first_paint_opens_ms: number[];
  studio_frame_ms: number;
  studio_frame_p50_ms: number;
  studio_frame_max_ms: number;
  /** p95 of the main thread's CPU time per frame. */
  studio_frame_cpu_ms: number;
  studio_frames: number;
  studio_raf_gap_p95_ms: number;
  studio_raf_gap_p50_ms: number;
  studio_heap_mb: number;
  studio_heap_after_gc_mb: number;
  studio_chain_entries: number;
}

function newest(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/renderer when it is missing or older than a renderer or contract source. */
export function ensureRenderer(log: (s: string) => void): void {
  const index = join(ROOT, 'dist/renderer/index.html');
  const src = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'electron/shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= src) return;
  log('building the renderer (dist/renderer is missing or stale)');
  execFileSync('npm', ['run', '-s', 'build:renderer'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Debian's Chromium (or CHROMIUM_PATH) as the Studio benches drive it: no sandbox, no GPU, `flags` besides. */
export function launchChromium(flags: readonly string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', ...flags],
  });
}

/**
 * `chainDb` is opened as the Studio's own db (a copy), or, with `hub`, the Studio starts on an empty db reading that
 * hub (postgres:// URL), whose first actor is the chain (bench/hub-bench.ts ships it there).
 */
export async function benchStudio(chainDb: string, entries: number, o: { hub?: string } = {}): Promise<StudioFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-bench-studio-'));
  const browser = await launchChromium([
    '--disable-gpu-vsync',
    '--disable-frame-rate-limit',
    '--enable-precise-memory-info',
  ]);
  let studio: Awaited<ReturnType<typeof startStudio>> | undefined;
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    // The Studio's first paint, not Chromium's launch: a just-launched Chromium spends its first ~1.5 s loading its
    // own pages (the new-tab page's WebUI modules, in another renderer), which on 2 cores added ~0.7 s to the figure
    // (median of 4 launches 1,566 ms vs 811 ms after this wait). A user's browser is already running.
    await page.goto('about:blank');
    await page.waitForTimeout(BROWSER_SETTLE_MS);
    // One page load varies by ±20% here: the median of OPENS, each a fresh Studio (as `npm start` starts it) on a
    // fresh copy of the chain (opening the counter resumes it, which records on the chain).
    const paints: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      await studio?.stop();
      const db = join(dir, `studio-${i}.db`);
      if (!o.hub) copyFileSync(chainDb, db);
      studio = await startStudio(o.hub ? ['--db', db, '--hub', o.hub] : ['--db', db]);
      if (i > 0) {
        await page.goto('about:blank');
        await page.waitForTimeout(BETWEEN_OPENS_MS);
      }
      await page.goto(studio.url);
      paints.push(await markTime(cdp, FIRST_PAINT_MARK));
    }
    // Let the opening fetches settle.
    await page.waitForTimeout(500);

    // A string, not a function: tsx's __name helpers do not exist in the page.
    await page.evaluate(`(() => {
      window.__frames = [];
      window.__stop = false;
      let last = 0;
      const tick = (t) => {
        if (last) window.__frames.push(t - last);
        last = t;
        if (!window.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    const trace = await startTrace(cdp);
    const canvas = page.getByRole('img', { name: /Chain graph canvas/ });
    const box = (await canvas.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    // Zoom out far (the whole chain at density detail), back in to nodes, pan both ways.
    for (let i = 0; i < 20; i++) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(16);
    }
    for (let i = 0; i < 24; i++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(16);
    }
    for (const dx of [-600, 600, -300]) {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + dx, cy, { steps: 30 });
      await page.mouse.up();
    }
    const list = page.getByRole('grid', { name: 'Entry list' });
    const lb = (await list.boundingBox())!;
    await page.mouse.move(lb.x + lb.width / 2, lb.y + lb.height / 2);
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, i < 30 ? 600 : -1200);
      await page.waitForTimeout(16);
    }
    const gaps = (await page.evaluate('window.__stop = true, window.__frames')) as number[];
    gaps.sort((a, b) => a - b);
    const { wall: frames, cpu } = mainThreadPerFrame(await trace.stop());
    await cdp.send('Performance.enable');
    const metric = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value / (1024 * 1024);
    };
    const heap = await metric();
    await cdp.send('HeapProfiler.collectGarbage');
    const heapGc = await metric();
    return {
      studio_first_paint_ms: pct(
        [...paints].sort((a, b) => a - b),
        50,
      ),
      studio_first_paint_opens_ms: paints.map(Math.round),
      studio_frame_ms: pct(frames, 95),
      studio_frame_p50_ms: pct(frames, 50),
      studio_frame_max_ms: frames.at(-1) ?? 0,
      studio_frame_cpu_ms: pct(cpu, 95),
      studio_frames: frames.length,
      studio_raf_gap_p95_ms: pct(gaps, 95),
      studio_raf_gap_p50_ms: pct(gaps, 50),
      studio_heap_mb: heap,
      studio_heap_after_gc_mb: heapGc,
      studio_chain_entries: entries,
    };
  } finally {
    await browser.close();
    await studio?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Studio as `npm start` runs it (bin/studio.js: the web host, the counter example opened unless a hub is given),
 * in its own process: not in this one, whose event loop also drives Playwright and which holds what the earlier
 * benchmarks left on its heap. Resolves with the URL it prints (launch token included).
 */
async function startStudio(args: readonly string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/studio.js'), '--web', '--no-open', '--port', '0', ...args], {
    env: { ...process.env, THEATER_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited(child).then(() => reject(new Error(`bin/studio.js exited before printing its URL:\n${out}`)));
  });
  return { url, stop: () => stopChild(child, 'SIGINT') };
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  /** Thread (CPU) duration. */
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/** CDP types trace events as string maps; the fields read here are checked, not assumed. */
function isTraceEvent(e: object): e is TraceEvent {
  const t = e as Record<string, unknown>;
  return typeof t.name === 'string' && typeof t.ph === 'string' && typeof t.ts === 'number';
}

type Cdp = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>;

/**
 * When the page made performance mark `name` (ms since navigation), asked over CDP every 50 ms. Not with Playwright's
 * waitForFunction or evaluate: their first use in a page injects Playwright's utility script, ~40-60 ms of the
 * renderer's main thread, which landed inside the load being measured (seen in a Chromium trace).
 */
async function markTime(cdp: Cdp, name: string): Promise<number> {
  const expression = `performance.getEntriesByName(${JSON.stringify(name)})[0]?.startTime ?? -1`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { result } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
    if (typeof result.value === 'number' && result.value >= 0) return result.value;
    if (Date.now() > deadline) throw new Error(`the Studio made no '${name}' mark within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startTrace(cdp: Cdp): Promise<{ stop(): Promise<TraceEvent[]> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => {
    const raw: readonly object[] = d.value;
    events.push(...raw.filter(isTraceEvent));
  });
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: [
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'disabled-by-default-devtools.timeline.frame',
      ],
    },
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      return events;
    },
  };
}

/**
 * Renderer main-thread task time between consecutive frame starts, in ms, each list sorted ascending: `wall` as the
 * user waits for it (it includes time the thread was descheduled by other processes), `cpu` the thread's own CPU
 * time (what the Studio's code costs, whatever else the machine runs).
 */
function mainThreadPerFrame(events: readonly TraceEvent[]): { wall: number[]; cpu: number[] } {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // The page's renderer is the one that began frames (about:blank's or an extension's did not, or barely).
  const beginsOf = (m: TraceEvent) =>
    events.filter((e) => e.name === 'BeginMainThreadFrame' && e.pid === m.pid && e.tid === m.tid);
  const main = mains.map((m) => ({ m, begins: beginsOf(m) })).sort((a, b) => b.begins.length - a.begins.length)[0];
  if (!main || main.begins.length < 2) return { wall: [], cpu: [] };
  const starts = main.begins.map((e) => e.ts).sort((a, b) => a - b);
  const busy = new Array<number>(starts.length - 1).fill(0);
  const cpu = new Array<number>(starts.length - 1).fill(0);
  const tasks = events.filter(
    (e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main.m.pid && e.tid === main.m.tid,
  );
  for (const t of tasks) {
    const end = t.ts + (t.dur ?? 0);
    // A task spanning a frame start counts in each interval it overlaps, for the part it overlaps.
    for (let i = Math.max(0, upperBound(starts, t.ts) - 1); i < busy.length && starts[i]! < end; i++) {
      const overlap = Math.max(0, Math.min(end, starts[i + 1]!) - Math.max(t.ts, starts[i]!));
      busy[i]! += overlap;
      cpu[i]! += t.dur ? ((t.tdur ?? 0) * overlap) / t.dur : 0;
    }
  }
  const ms = (xs: number[]) => xs.map((us) => us / 1000).sort((a, b) => a - b);
  return { wall: ms(busy), cpu: ms(cpu) };
}

/** Index of the first element greater than x in ascending `xs`. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
