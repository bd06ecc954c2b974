/**
 * Starting a session: the `launch` and `attach` arguments a launch configuration passes (checked, with a message
 * that names the field), which actor and entry they mean, and the opened chain with its threads.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Breakpoints } from './breakpoints.ts';
import { ChainView, type BranchView } from './chain-view.ts';
import { Motion, type MotionHost } from './motion.ts';
import { Threads, type ThreadState } from './threads.ts';

const common = {
  /** The chain database; relative paths resolve against the adapter's working folder (the workspace). */
  db: z.string().min(1),
  /** Needed when the db holds several actors. */
  actor: z.string().min(1).optional(),
  /** Default: the actor's live branch. */
  branch: z.string().min(1).optional(),
  /** A build to replay against on `restart` (default: the recorded one). */
  component: z.string().min(1).optional(),
};

// DAP adds its own keys (type, request, name, __sessionId, …): they pass through unchecked.
const Launch = z
  .object({
    ...common,
    /** Where to stop first: an entry hash (or a prefix of 4+ hex digits), or a seq (a number, or "#12"). Default: the first entry. */
    entry: z
      .union([
        z.string().regex(/^#?[0-9]+$|^[0-9a-fA-F]{4,64}$/, 'an entry hash, a hash prefix or a seq'),
        z.number().int().min(0),
      ])
      .optional(),
  })
  .loose();

const Attach = z
  .object({
    ...common,
    /** Stop at the head straight away instead of following. */
    stopOnEntry: z.boolean().optional(),
    /** How often to look for new commits, in ms. */
    pollMs: z.number().int().min(20).max(10_000).optional(),
  })
  .loose();

/** The configuration keys each request reads (editors/vscode/package.json declares the same; a test holds them equal). */
export const LAUNCH_FIELDS = Object.keys(Launch.shape);
export const ATTACH_FIELDS = Object.keys(Attach.shape);

export type StartArguments =
  | ({ readonly kind: 'launch'; readonly entry?: string | number } & Common)
  | ({ readonly kind: 'attach'; readonly stopOnEntry: boolean; readonly pollMs: number } & Common);

interface Common {
  readonly db: string;
  readonly actor?: string;
  readonly branch?: string;
  readonly component?: string;
}

function parse<T>(schema: z.ZodType<T>, args: unknown, what: string): T {
  const r = schema.safeParse(args);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`${what} configuration: "${issue.path.join('.') || 'arguments'}": ${issue.message}`);
}

export function parseLaunch(args: unknown): StartArguments {
  const a = parse(Launch, args, 'launch');
  const entry =
    typeof a.entry === 'string' && /^#?[0-9]+$/.test(a.entry) && !/^[0-9a-f]{4,}$/i.test(a.entry.replace('#', ''))
      ? Number(a.entry.replace('#', ''))
      : a.entry;
  return { kind: 'launch', db: a.db, actor: a.actor, branch: a.branch, component: a.component, entry };
}

export function parseAttach(args: unknown): StartArguments {
  const a = parse(Attach, args, 'attach');
  return {
    kind: 'attach',
    db: a.db,
    actor: a.actor,
    branch: a.branch,
    component: a.component,
    stopOnEntry: a.stopOnEntry ?? false,
    pollMs: a.pollMs ?? 200,
  };
}

/** The actor a session is about: the one named, or the db's only one. */
export function pickActor(a: StartArguments, actors: readonly string[]): string {
  const actor = a.actor ?? (actors.length === 1 ? actors[0] : undefined);
  if (actor && actors.includes(actor)) return actor;
  if (a.actor) throw new Error(`no actor ${a.actor} in ${a.db} (it has: ${actors.join(', ') || 'none'})`);
  throw new Error(
    actors.length === 0
      ? `${a.db} holds no actors yet`
      : `${a.db} holds several actors (${actors.join(', ')}): name one ("actor")`,
  );
}

/** Where a session starts: the launch's entry (default the first), or an attached db's head. */
export async function startPosition(view: BranchView, a: StartArguments): Promise<number> {
  if (a.kind === 'attach') return view.length - 1;
  if (a.entry === undefined) return 0;
  if (typeof a.entry === 'number') {
    if (a.entry >= view.length) throw new Error(`entry #${a.entry} is not on this branch (0..${view.length - 1})`);
    return a.entry;
  }
  const at = await view.positionOf(a.entry.toLowerCase());
  if (at === undefined) throw new Error(`no entry ${a.entry} on ${view.actor}/${view.branch}`);
  return at;
}

/** An open session: the chain, its threads, how they move, and the thread that was launched or attached. */
export interface Opened {
  readonly chain: ChainView;
  readonly threads: Threads;
  readonly motion: Motion;
  readonly args: StartArguments;
  /** The thread a request that names none means. */
  readonly main: ThreadState;
}

/** Opens the db read-only and places the main thread; closes it again if anything is wrong. */
export async function openSession(
  args: StartArguments,
  host: Pick<MotionHost, 'breakpoints' | 'stop' | 'say'> & { readonly breakpoints: Breakpoints },
): Promise<Opened> {
  const chain = ChainView.open(resolve(args.db));
  try {
    const actor = pickActor(args, await chain.actors());
    const threads = new Threads(chain);
    await threads.sync((x) => (x === actor ? args.branch : undefined));
    const motion = new Motion({ ...host, chain, threads, followMs: args.kind === 'attach' ? args.pollMs : null });
    const main = threads.byActor(actor);
    const view = await threads.view(main);
    if (view.length === 0) throw new Error(`${actor}/${main.branch} has no entries yet`);
    main.pos = await startPosition(view, args);
    return { chain, threads, motion, args, main };
  } catch (e) {
    chain.close();
    throw e;
  }
}
