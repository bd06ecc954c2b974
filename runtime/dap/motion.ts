/**
 * How a thread moves: one step (stepping.ts says where), a run to the next breakpoint hit in either direction, and
 * following an attached db at its head (printing what arrives, stopping at the first new entry that hits). At most
 * one run is in progress; any new request that moves a thread ends it first.
 */
import type { Breakpoints } from './breakpoints.ts';
import type { BranchView, ChainView } from './chain-view.ts';
import { listingLine } from './listing.ts';
import type { Threads, ThreadState } from './threads.ts';

export type Stop = (
  t: ThreadState,
  pos: number,
  reason: string,
  description?: string,
  hitIds?: readonly number[],
) => void;

export interface MotionHost {
  readonly chain: ChainView;
  readonly threads: Threads;
  readonly breakpoints: Breakpoints;
  /** Reports where a thread now stands (a DAP `stopped` event). */
  readonly stop: Stop;
  /** A line for the Debug Console. */
  readonly say: (text: string, category?: 'console' | 'stderr') => void;
  /** Attached to a db another process writes: how often to look for commits. Null when launched. */
  readonly followMs: number | null;
}

interface Run {
  readonly thread: ThreadState;
  cancelled: boolean;
  timer?: NodeJS.Timeout;
}

/** Lines printed per poll while following, at most (a burst of commits shows its start, not all of it). */
const ECHO = 200;

export class Motion {
  private running: Run | undefined;

  constructor(private readonly host: MotionHost) {}

  /** Moves one step (where `to` says) and reports it. */
  async step(t: ThreadState, to: (v: BranchView, i: number) => number): Promise<void> {
    this.halt();
    await this.host.chain.refresh();
    const pos = to(await this.host.threads.view(t), t.pos);
    setImmediate(() => this.host.stop(t, pos, 'step'));
  }

  /** Runs to the next breakpoint hit either way; past the last one, stops at the end (or, attached, follows). */
  async run(thread: ThreadState, dir: 1 | -1): Promise<void> {
    this.halt();
    await this.host.chain.refresh();
    const view = await this.host.threads.view(thread);
    const run: Run = { thread, cancelled: false };
    this.running = run;
    setImmediate(() => void this.search(run, view, dir));
  }

  private async search(run: Run, view: BranchView, dir: 1 | -1): Promise<void> {
    const { breakpoints, stop, say, threads } = this.host;
    const hit = await breakpoints.search(view, run.thread.pos, dir, () => run.cancelled);
    if (run.cancelled || hit === 'cancelled') return;
    this.running = undefined;
    if (hit?.conditionError) say(hit.conditionError, 'stderr');
    if (hit) return stop(run.thread, hit.index, hit.reason, hit.description, hit.ids);
    if (dir === 1 && this.host.followMs !== null) return this.follow(run.thread);
    const end = dir === 1 ? view.length - 1 : 0;
    const where = dir === 1 ? 'the head of the chain' : 'the start of the chain';
    say(`no breakpoint hit: stopped at ${where} (${await threads.describe(run.thread, end)})`);
    stop(run.thread, end, 'step', `Reached ${where}`);
  }

  /** Attached: stay at the head, print what arrives, stop at the first new entry that hits a breakpoint. */
  follow(thread: ThreadState): void {
    const { chain, breakpoints, stop, say } = this.host;
    this.halt();
    const run: Run = { thread, cancelled: false };
    this.running = run;
    let seen = (thread.view?.length ?? 1) - 1;
    thread.pos = seen;
    // One look at a time: a tick that is still reading when the next fires lets that one pass.
    let looking = false;
    const look = async () => {
      if (looking) return;
      looking = true;
      try {
        if (run.cancelled || !(await chain.refresh())) return;
        const view = thread.view!;
        const now = view.length - 1;
        if (now <= seen) return;
        const from = seen;
        seen = thread.pos = now;
        let echoed = 0;
        for await (const e of view.walk(from + 1, 1)) {
          say(`${thread.actor}: ${listingLine(e)}`);
          if (++echoed >= ECHO) break;
        }
        void breakpoints
          .search(view, from, 1, () => run.cancelled)
          .then((hit) => {
            if (run.cancelled || hit === 'cancelled' || !hit) return;
            this.halt();
            if (hit.conditionError) say(hit.conditionError, 'stderr');
            stop(thread, hit.index, hit.reason, hit.description, hit.ids);
          })
          .catch((e: unknown) => this.lost(thread, e));
      } catch (e) {
        this.lost(thread, e);
      } finally {
        looking = false;
      }
    };
    run.timer = setInterval(() => void look(), this.host.followMs ?? 200);
  }

  /** The db could not be read while following (deleted, replaced): say why and stop where the thread was. */
  private lost(thread: ThreadState, e: unknown): void {
    this.halt();
    this.host.say(`stopped following: ${e instanceof Error ? e.message : String(e)}`, 'stderr');
    this.host.stop(thread, thread.pos, 'pause', 'Stopped following: the db could not be read');
  }

  /** The thread a run in progress is moving, if any. */
  get current(): ThreadState | undefined {
    return this.running?.thread;
  }

  /** Ends a run in progress (a search, or following). */
  halt(): void {
    const r = this.running;
    if (!r) return;
    r.cancelled = true;
    if (r.timer) clearInterval(r.timer);
    this.running = undefined;
  }
}
