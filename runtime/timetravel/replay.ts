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
import { defaultCacheDir, loadComponent, type ComponentInfo } from '../component/loader.ts';
import { buildImports } from '../imports/index.ts';
import type { ActorContext } from '../imports/types.ts';
import { loadManifest } from '../manifest/index.ts';
import { eachEntry, type ChainReader } from '../reader/chain-reader.ts';
import type { ReaderSpec } from '../reader/open-reader.ts';
import type { StoredEntry } from '../store/index.ts';
import { replayFold, type Instantiate, type ReplayResult } from './replay-engine.ts';
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
  /** sha256 of the component that was replayed, and whether it is the one the chain recorded. */
  readonly component: { readonly sha256: string; readonly recorded: string | null; readonly path: string };
};

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
  const component = await resolveComponent(store, actor, recorded, req);
  const entries = first.done
    ? path
    : (async function* () {
        yield first.value;
        yield* path;
      })();
  const result = await replayFold(entries, { instantiate: instantiator(component), total: head.seq + 1, onProgress });
  return { ...result, actor, target, component: { sha256: component.sha256, recorded, path: component.path } };
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

/** The given build; else the actor's manifest's component if it is the recorded one; else one stored in a bundle. */
async function resolveComponent(
  store: ChainReader,
  actor: string,
  recorded: string | null,
  req: ReplayTarget,
): Promise<ComponentInfo> {
  const cache = req.cacheDir ?? defaultCacheDir();
  if (req.component) return loadComponent(req.component, cache);
  const manifest = (await store.actors()).find((a) => a.id === actor)?.manifest;
  if (manifest && existsSync(manifest)) {
    const c = await loadComponent(loadManifest(manifest).componentPath, cache);
    if (recorded === null || c.sha256 === recorded) return c;
  }
  const bytes = recorded ? await store.blob(fromHex(recorded)) : undefined;
  if (bytes) {
    const dir = join(tmpdir(), 'theater-components');
    makeDirs(dir);
    const file = join(dir, `${recorded}.wasm`);
    writeFileSync(file, bytes);
    return loadComponent(file, cache);
  }
  throw new TimeTravelError(
    `the component that recorded ${actor} (sha256 ${recorded ?? 'unknown'}) is not available: its manifest ` +
      `${manifest ?? '(none)'} now points at another build or is gone; pass --component <file.wasm>`,
  );
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
