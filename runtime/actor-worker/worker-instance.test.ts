import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportObject } from '../chain/recorder.ts';
import { EMPTY_HEAD } from '../chain/builder.ts';
import { MODULE_FILE, SCRIPT_FILE } from '../component/files.ts';
import { asScript } from '../component/loader.ts';
import { tempDir } from '../testing/helpers.ts';
import { ringBuffer } from '../chain/record-ring.ts';
import type { PoolMessage, WorkerInit } from '../actors/protocol.ts';
import { cacheCompiledCode, instantiate, receiveInit } from './worker-instance.ts';

// Stand-ins for jco's component.mjs: `instantiate(getCoreModule, imports)` resolving to the export object. Each
// counts its instantiations in a module-level variable, as jco keeps its bookkeeping at module level.
// Written as jco writes it, so that loader.ts can make the script form of it too.
const QUIET = `let made = 0;
export function instantiate(_core, imports) {
  const { log } = imports['test:x/runtime'];
  made++;
  globalThis.quietInstances = (globalThis.quietInstances ?? 0) + 1;
  return Promise.resolve({ 'test:x/actor': { hello: () => log('hello'), made: () => made } });
}`;
const CALLS_WHILE_INSTANTIATING = `let made = 0;
export function instantiate(_core, imports) {
  const { log } = imports['test:x/runtime'];
  made++;
  log('starting');
  return Promise.resolve({ 'test:x/actor': { hello: () => log('hello'), made: () => made } });
}`;

const { dir, cleanup } = tempDir();
afterAll(cleanup);

let form: 'module' | 'script' = 'module';

function component(name: string, js: string): string {
  const d = join(dir, form, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, MODULE_FILE), js);
  if (form === 'script') writeFileSync(join(d, SCRIPT_FILE), asScript(js)!);
  return d;
}

/** An init as the runtime sends it; `prepared`: the worker was offered this component, so no modules come. */
function initFor(componentDir: string, prepared = false): WorkerInit {
  return {
    actorId: 'a',
    componentDir,
    ...(prepared ? {} : { modules: {} }),
    env: [],
    args: [],
    imports: ['test:x/runtime'],
    head: EMPTY_HEAD,
    state: null,
    callTimeoutMs: 1000,
  };
}

/** The pool's message naming the component to prepare; `ready` hears when the worker is. */
function prepare(componentDir: string): PoolMessage & { t: 'prepare'; heard: Promise<unknown> } {
  const { port1, port2 } = new MessageChannel();
  const heard = new Promise((resolve) => port1.once('message', resolve)).finally(() => port1.close());
  return { t: 'prepare', componentDir, modules: {}, imports: ['test:x/runtime'], ready: port2, heard };
}

/** What the worker rehearsed (the imports of each rehearsal), and when the last `deliver` got its init. */
let rehearsals: { imports: readonly string[]; beforeInit: boolean }[] = [];

/**
 * What a pooled worker hears, in order, after its channel: a pause between messages (an idle worker) unless
 * `back to back` (a worker taken while still booting); resolves with its init.
 */
async function deliver(messages: PoolMessage[], pace: 'paused' | 'back to back' = 'paused'): Promise<WorkerInit> {
  const { port1, port2 } = new MessageChannel();
  const rpc = new MessageChannel();
  rehearsals = [];
  let initialised = false;
  const init = new Promise<WorkerInit>((resolve) =>
    receiveInit(
      port2,
      (got) => {
        initialised = true;
        resolve(got);
      },
      async (imports) => void rehearsals.push({ imports, beforeInit: !initialised }),
    ),
  );
  const channel = { rpcSignal: new SharedArrayBuffer(4), busySince: new SharedArrayBuffer(8), ring: ringBuffer() };
  port1.postMessage({ t: 'channel', channel: { ...channel, rpcPort: rpc.port2 } } satisfies PoolMessage, [rpc.port2]);
  for (const m of messages) {
    if (m.t === 'prepare') {
      // Without the test's own `heard` (a promise cannot be posted).
      const { heard: _heard, ...message } = m as typeof m & { heard?: unknown };
      port1.postMessage(message, [m.ready]);
    } else port1.postMessage(m);
    if (pace === 'paused') await new Promise((r) => setTimeout(r, 20));
  }
  const got = await init;
  port1.close();
  rpc.port1.close();
  return got;
}

function recordingImports(): { imports: ImportObject; calls: string[] } {
  const calls: string[] = [];
  return { imports: { 'test:x/runtime': { log: (msg: never) => void calls.push(msg) } }, calls };
}

type Actor = { 'test:x/actor': { hello(): void; made(): number } };

describe.each(['module', 'script'] as const)('a pooled worker, the component loaded as a %s', (f) => {
  beforeAll(() => (form = f));

  it('uses the instance it prepared, with the imports bound at init', async () => {
    const d = component('quiet', QUIET);
    const instances = () => (globalThis as { quietInstances?: number }).quietInstances ?? 0;
    const before = instances();
    const prep = prepare(d);
    const init = await deliver([prep, { t: 'init', init: initFor(d, true) }]);
    await prep.heard; // the worker said it was ready
    expect(instances()).toBe(before + 1); // made while the worker waited
    // and it rehearsed a start with the component's imports, before its init came and before it said so
    expect(rehearsals).toEqual([{ imports: ['test:x/runtime'], beforeInit: true }]);
    const { imports, calls } = recordingImports();
    const instance = (await instantiate(init, imports)) as unknown as Actor;
    instance['test:x/actor'].hello();
    expect(calls).toEqual(['hello']);
    expect(instances()).toBe(before + 1); // and that one is the actor's
  });

  it('runs an init that came right behind the offer of its component, without the modules sent again', async () => {
    const d = component('hurried', QUIET);
    const init = await deliver([prepare(d), { t: 'init', init: initFor(d, true) }], 'back to back');
    await new Promise((r) => setTimeout(r, 50)); // the deferred preparation's turn has passed
    expect(rehearsals).toEqual([]); // a worker already running its actor rehearses nothing
    const { imports, calls } = recordingImports();
    const instance = (await instantiate(init, imports)) as unknown as Actor;
    instance['test:x/actor'].hello();
    expect(calls).toEqual(['hello']);
  });

  it('instantiates afresh when it prepared another component', async () => {
    const prepared = component('other', QUIET);
    const wanted = component('wanted', QUIET);
    const init = await deliver([prepare(prepared), { t: 'init', init: initFor(wanted) }]);
    const { imports, calls } = recordingImports();
    const instance = (await instantiate(init, imports)) as unknown as Actor;
    instance['test:x/actor'].hello();
    expect(calls).toEqual(['hello']);
  });

  it('never runs an import before the actor is known: a component that calls one while instantiating is made again', async () => {
    const d = component('eager', CALLS_WHILE_INSTANTIATING);
    const init = await deliver([prepare(d), { t: 'init', init: initFor(d) }]);
    const { imports, calls } = recordingImports();
    const instance = (await instantiate(init, imports)) as unknown as Actor;
    instance['test:x/actor'].hello();
    // The call made while preparing reached no one; the instance in use made its own, to the actor's imports.
    expect(calls).toEqual(['starting', 'hello']);
    expect(instance['test:x/actor'].made()).toBe(1); // from a fresh copy of the module, not the failed one's
  });

  it('reports a component that cannot be loaded when the actor starts', async () => {
    const d = join(dir, form, 'missing');
    const init = await deliver([prepare(d), { t: 'init', init: initFor(d) }]);
    await expect(instantiate(init, recordingImports().imports)).rejects.toThrow(/component\.mjs/);
  });
});

describe('V8 code cache of a component script', () => {
  it('is written once the first call has run, and used by the next worker', async () => {
    form = 'script';
    const d = component('cached', QUIET);
    const cacheFile = join(d, `${SCRIPT_FILE}.${process.versions.v8}.cache`);
    for (const round of [1, 2]) {
      const init = await deliver([prepare(d), { t: 'init', init: initFor(d) }]);
      const { imports, calls } = recordingImports();
      ((await instantiate(init, imports)) as unknown as Actor)['test:x/actor'].hello();
      await cacheCompiledCode();
      expect(calls).toEqual(['hello']);
      expect(existsSync(cacheFile), `round ${round}`).toBe(true);
    }
  });
});
