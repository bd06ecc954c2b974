/**
 * Replay entry points. `replay` runs the fold on a worker thread, because replaying a long chain is seconds of CPU
 * and the Studio's main thread must keep answering; `replayHere` is the same on the calling thread (the worker's
 * body, and tests that want a stack trace).
 */
import { writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode } from '../chain/canonical.ts';
import { fromHex } from '../chain/entry.ts';
import { interceptImports } from '../chain/recorder.ts';
import { compiledModules } from '../actor-worker/worker-entry.ts';
import { cachedComponent, defaultCacheDir, loadComponent, type ComponentInfo } from '../component/loader.ts';
import { buildImports } from '../imports/index.ts';
import type { ActorContext } from '../imports/types.ts';
import { loadManifest } from '../manifest/index.ts';
import { eachEntry, type ChainReader, type PathEntry } from '../reader/chain-reader.ts';
import type { ReaderSpec } from '../reader/open-reader.ts';
import type { StoredEntry } from '../store/index.ts';
import { replayFold, SegmentNotReplayable, type Instantiate, type ReplayResult } from './replay-engine.ts';
import { TimeTravelError } from './state.ts';
import { runJob } from '../worker-job.ts';
import { workerScript } from '../worker-script.ts';
import { makeDirs } from '../make-dirs.ts';

/** What to replay: a db file or a hub node (the worker opens it), and which chain of it. */
export type ReplayRequest = ReaderSpec & ReplayTarget;

export interface ReplayTarget {
  readonly actor?: string;
  /** Replay the path to this branch's head (default: the live branch). */
  readonly branch?: string;
  /** Or to this entry (64 hex). */
  readonly head?: string;
  /** Another build of the component to replay against (the "did my change alter behaviour?" loop). */
  readonly component?: string;
  readonly cacheDir?: string;
}

export type ReplayReport = ReplayResult & {
  readonly actor: string;
  readonly target: string;
  /** sha256 of the component the replay started with, and whether it is the one the chain recorded. */
  readonly component: { readonly sha256: string; readonly recorded: string | null; readonly path: string };
  /**
   * Every build the replay ran, from the entry where it took over: one, unless the actor was restarted with another
   * build midway (each start/resume/restart event names the build that recorded what follows it; without
   * --component, each segment is replayed against its own).
   */
  readonly builds: readonly ReplayBuild[];
};

export interface ReplayBuild {
  readonly from: number;
  readonly sha256: string;
  readonly path: string;
}

export type Progress = (done: number, total: number) => void;

/** Replays on a worker thread; progress arrives on this thread. */
export function replay(req: ReplayRequest, onProgress?: Progress): Promise<ReplayReport> {
  return runJob<ReplayReport>(
    workerScript(import.meta.url, 'replay-worker'),
    req,
    onProgress,
    (m) => new TimeTravelError(m),
  );
}

export async function replayHere(store: ChainReader, req: ReplayTarget, onProgress?: Progress): Promise<ReplayReport> {
  const { actor, head, target } = await resolveTarget(store, req);
  // One walk: its first entry (the start event) names the recorded component, then the fold continues it. A path
  // holds no statement open between chunks, so the store answers other queries meanwhile.
  const path = eachEntry(store.path(head.id));
  const first = await path.next();
  const recorded = first.done ? null : componentOf(first.value);
  const builds = new Builds(store, actor, req);
  const component = await builds.first(recorded);
  const used: ReplayBuild[] = [];
  let current = component;
  const instantiate: Instantiate = async (chain, strategy, at) => {
    current = await builds.forSegment(at, current);
    if (used.at(-1)?.sha256 !== current.sha256) used.push({ from: at.seq, sha256: current.sha256, path: current.path });
    return instantiator(current)(chain, strategy, at);
  };
  const entries = first.done
    ? path
    : (async function* () {
        yield first.value;
        yield* path;
      })();
  const result = await replayFold(entries, { instantiate, total: head.seq + 1, onProgress });
  return {
    ...result,
    actor,
    target,
    component: { sha256: component.sha256, recorded, path: component.path },
    builds: used,
  };
}

async function resolveTarget(
  store: ChainReader,
  req: ReplayTarget,
): Promise<{ actor: string; head: StoredEntry; target: string }> {
  if (req.head) {
    const head = await store.entry(fromHex(req.head), req.actor);
    if (!head) throw new TimeTravelError(`no entry ${req.head}`);
    return { actor: head.actor, head, target: `entry ${req.head.slice(0, 16)}` };
  }
  const actors = (await store.actors()).map((a) => a.id);
  const actor = req.actor ?? (actors.length === 1 ? actors[0] : undefined);
  if (!actor || !actors.includes(actor)) {
    throw new TimeTravelError(
      req.actor
        ? `no actor ${req.actor} in ${store.source}`
        : `pick an actor (--actor): ${actors.join(', ') || 'none'}`,
    );
  }
  const branch = req.branch ?? (await store.liveBranch(actor));
  const head = await store.head(actor, branch);
  if (!head) throw new TimeTravelError(`actor ${actor} has no entries on branch ${branch}`);
  return { actor, head, target: `${actor}/${branch}` };
}

function componentOf(e: { kind: string; inputBytes: Uint8Array | null }): string | null {
  if (e.kind !== 'event' || !e.inputBytes) return null;
  const v = decode(e.inputBytes) as { component?: unknown } | null;
  return typeof v?.component === 'string' ? v.component : null;
}

const short = (sha256: string) => sha256.slice(0, 12);

/**
 * Which build replays which part of the chain. With --component, that one for all of it (the "did my change alter
 * behaviour?" loop). Else each segment's own, as its start/resume/restart event names it: the actor's manifest's
 * component if it is that build, else the transpiled build in the component cache (every build this machine has run
 * is there, by hash, after a rebuild has replaced the file), else one stored in the db (a bundle brings its builds).
 */
class Builds {
  private readonly cache: string;
  private readonly pinned: Promise<ComponentInfo> | undefined;
  private manifest: Promise<{ readonly file: string | null; readonly component: ComponentInfo | null }> | undefined;

  constructor(
    private readonly store: ChainReader,
    private readonly actor: string,
    req: ReplayTarget,
  ) {
    this.cache = req.cacheDir ?? defaultCacheDir();
    this.pinned = req.component ? loadComponent(req.component, this.cache) : undefined;
  }

  /** The build for the chain's first entries; a TimeTravelError when it is not here. */
  async first(recorded: string | null): Promise<ComponentInfo> {
    if (this.pinned) return this.pinned;
    const found = recorded === null ? (await this.fromManifest()).component : await this.find(recorded);
    if (found) return found;
    const { file } = await this.fromManifest();
    throw new TimeTravelError(
      `the component that recorded ${this.actor} (sha256 ${recorded ?? 'unknown'}) is not available: its manifest ` +
        `${file ?? '(none)'} now points at another build or is gone, the component cache (${this.cache}) and the ` +
        'db do not hold it; pass --component <file.wasm>',
    );
  }

  /** The build for the segment `at` starts; `current` when `at` names none. */
  async forSegment(at: PathEntry, current: ComponentInfo): Promise<ComponentInfo> {
    if (this.pinned) return this.pinned;
    const recorded = componentOf(at);
    if (recorded === null || recorded === current.sha256) return current;
    const found = await this.find(recorded);
    if (found) return found;
    const { file, component } = await this.fromManifest();
    const manifest = file
      ? `the manifest's component is ${component ? short(component.sha256) : 'missing'} (${file})`
      : 'no manifest is known';
    throw new SegmentNotReplayable(
      `entry #${at.seq} (${at.fn}) starts a segment recorded by another build, sha256 ${recorded}, than the one ` +
        `before it (${short(current.sha256)}), and that build is not here: ${manifest}; the component cache ` +
        `(${this.cache}) and the db do not hold it. The segment is not replayed against another build (it would ` +
        'diverge wherever the builds differ); --component <file.wasm> replays the whole chain against one build',
    );
  }

  private async find(sha256: string): Promise<ComponentInfo | undefined> {
    const { component } = await this.fromManifest();
    if (component?.sha256 === sha256) return component;
    const cached = cachedComponent(sha256, this.cache);
    if (cached) return cached;
    const bytes = await this.store.blob(fromHex(sha256));
    if (!bytes) return undefined;
    const dir = join(tmpdir(), 'theater-components');
    makeDirs(dir);
    const file = join(dir, `${sha256}.wasm`);
    writeFileSync(file, bytes);
    return loadComponent(file, this.cache);
  }

  private fromManifest(): Promise<{ readonly file: string | null; readonly component: ComponentInfo | null }> {
    this.manifest ??= (async () => {
      const file = (await this.store.actors()).find((a) => a.id === this.actor)?.manifest ?? null;
      if (!file || !existsSync(file)) return { file, component: null };
      try {
        return { file, component: await loadComponent(loadManifest(file).componentPath, this.cache) };
      } catch {
        return { file, component: null }; // its build is gone or broken: the cache or the db may still have it
      }
    })();
    return this.manifest;
  }
}

/** The live host functions are never reached in replay: the strategy answers every import from the record. */
const unreachable = (): never => {
  throw new Error('replay: a live host function was called');
};
const replayContext: ActorContext = {
  actorId: 'replay',
  callTimeoutMs: 0,
  state: unreachable,
  log: unreachable,
  env: unreachable,
  args: unreachable,
  host: unreachable,
  requestShutdown: unreachable,
};

/** Fresh instances of a loaded component for the fold, with every live host function unreachable. */
export function instantiator(c: ComponentInfo): Instantiate {
  return async (chain, strategy) => {
    const mod = (await import(pathToFileURL(join(c.dir, 'component.mjs')).href)) as {
      instantiate(
        get: (name: string) => WebAssembly.Module,
        imports: object,
      ): Promise<Record<string, Record<string, (...a: unknown[]) => unknown>>>;
    };
    const modules = await compiledModules(c);
    const imports = interceptImports(buildImports(replayContext, c.imports), chain, strategy);
    return mod.instantiate((name) => {
      const m = modules[name];
      if (!m) throw new Error(`core module ${name} was not compiled`);
      return m;
    }, imports);
  };
}
