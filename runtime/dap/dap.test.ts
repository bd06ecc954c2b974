/**
 * `theater dap` driven as an editor drives it: a separate process speaking DAP over stdio, and a real DAP client
 * (@vscode/debugadapter-testsupport's DebugClient). The chain is the golden counter recording (16 entries: start,
 * init, three increments, a bogus message that fails, stop), and for attach a `theater run` writing a live db.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActorSystem, ChainStore, importBundle } from '../index.ts';
import { ATTACH_FIELDS, LAUNCH_FIELDS } from './start.ts';
import { example, REPO, startTheater, stopChild, tempDir, THEATER_BIN, utf8 } from '../testing/helpers.ts';

const GOLDEN = fileURLToPath(new URL('../timetravel/fixtures/counter.bundle', import.meta.url));
const GOLDEN_HEAD = '947283b813fde1ce480f496df13825de170ea8eef968f1e1f5d70f4cd0e734df';

/** A DebugClient on a `theater dap` child process (DebugClient spawns `runtime executable`, with no arguments). */
class TheaterDap extends DebugClient {
  readonly child: ChildProcess;
  stderr = '';
  constructor(trace: string) {
    super(process.execPath, THEATER_BIN, 'theater');
    this.child = spawn(process.execPath, [THEATER_BIN, 'dap', '--trace', trace], {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connect(this.child.stdout!, this.child.stdin!);
    // The machine running the tests may be loaded: starting Node with tsx can take seconds.
    this.defaultTimeout = 40_000;
  }
}

let dc: TheaterDap;
let dir: string;
let cleanup: () => void;
let db: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'golden.db');
  const store = ChainStore.open(db);
  importBundle(store, GOLDEN);
  store.close();
  dc = new TheaterDap(join(dir, 'dap.trace'));
});

afterEach(async () => {
  await dc.stop().catch(() => {});
  await stopChild(dc.child);
  cleanup();
});

async function stopped(reason?: string): Promise<DebugProtocol.StoppedEvent> {
  const e = (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
  if (reason) expect(e.body.reason, e.body.description).toBe(reason);
  return e;
}

async function top(threadId = 1): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

async function count(): Promise<string> {
  const [frame] = await top();
  return (await dc.evaluateRequest({ expression: '$.count', frameId: frame!.id, context: 'watch' })).body.result;
}

async function launch(args: Record<string, unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [, , e] = await Promise.all([
    dc.launch({ db, actor: 'counter', ...args }),
    dc.configurationSequence(),
    stopped('entry'),
  ]);
  return e;
}

describe('theater dap', () => {
  it('initializes with step-back, launches at the first entry, steps both ways and count goes back', async () => {
    const init = await dc.initializeRequest({ adapterID: 'theater', linesStartAt1: true, pathFormat: 'path' });
    expect(init.body).toMatchObject({
      supportsStepBack: true,
      supportsGotoTargetsRequest: true,
      supportsDataBreakpoints: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsRestartRequest: true,
    });
    await launch({});
    expect((await dc.threadsRequest()).body.threads).toEqual([{ id: 1, name: 'counter (main)' }]);
    const [first] = await top();
    expect(first).toMatchObject({ name: 'theater:runtime.start #0 (event)', line: 1 });

    for (let i = 0; i < 5; i++) {
      await Promise.all([dc.nextRequest({ threadId: 1 }), stopped('step')]);
    }
    // next steps over a call's imports: #0 → #1 call → #3 return → #4 call → #6 return → #7 call.
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #7');
    expect(await count()).toBe('1');
    for (let i = 0; i < 2; i++) {
      await Promise.all([dc.stepBackRequest({ threadId: 1 }), stopped('step')]);
    }
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #4');
    expect(await count()).toBe('0');

    // stepIn enters the call: the import is the top frame, on the call it is made from.
    await Promise.all([dc.stepInRequest({ threadId: 1 }), stopped('step')]);
    expect((await top()).map((f) => f.name)).toEqual(['runtime.log #5', 'message-server-client.handle-send #4']);
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), stopped('step')]);
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #6 (return)');
    expect(await count()).toBe('1');

    // The scopes at an entry: State (expandable JSON), Input, Output, Entry.
    const [frame] = await top();
    const scopes = (await dc.scopesRequest({ frameId: frame!.id })).body.scopes;
    expect(scopes.map((s) => s.name)).toEqual(['State', 'Input', 'Output', 'Entry']);
    const state = await dc.variablesRequest({ variablesReference: scopes[0]!.variablesReference });
    expect(state.body.variables).toEqual([
      expect.objectContaining({ name: 'count', value: '1', evaluateName: '$.count' }),
    ]);
    const entry = await dc.variablesRequest({ variablesReference: scopes[3]!.variablesReference });
    const fields = Object.fromEntries(entry.body.variables.map((v) => [v.name, v.value]));
    expect(fields).toMatchObject({ seq: '6', kind: '"return"', fn: '"handle-send"', origin: 'null' });
    expect(fields.hash).toMatch(/^"5efde1086d08[0-9a-f]{52}"$/);
  });

  it('data breakpoint on $.count: hit by continue and by reverseContinue, at the entries that change it', async () => {
    await launch({});
    const [frame] = await top();
    const [stateScope] = (await dc.scopesRequest({ frameId: frame!.id })).body.scopes;
    // At #0 the state is empty: ask by expression instead of by variable.
    const info = await dc.dataBreakpointInfoRequest({ name: '$.count' });
    expect(info.body).toMatchObject({ dataId: '$.count', description: '$.count changes' });
    expect(stateScope).toBeDefined();
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true });

    const go = async (fn: 'continueRequest' | 'reverseContinueRequest') => {
      const [, e] = await Promise.all([dc[fn]({ threadId: 1 }), stopped('data breakpoint')]);
      return { e, frame: (await top())[0]!, count: await count() };
    };
    let hit = await go('continueRequest');
    expect(hit.frame.name).toBe('actor.init #3 (return)'); // absent → 0
    expect(hit.e.body.description).toBe('$.count: (absent) → 0');
    expect(hit.e.body.hitBreakpointIds).toEqual([set.body.breakpoints[0]!.id]);
    hit = await go('continueRequest');
    expect([hit.frame.name, hit.count]).toEqual(['message-server-client.handle-send #6 (return)', '1']);
    hit = await go('continueRequest');
    expect([hit.frame.name, hit.count]).toEqual(['message-server-client.handle-send #9 (return)', '2']);
    hit = await go('reverseContinueRequest');
    expect([hit.frame.name, hit.count, hit.e.body.description]).toEqual([
      'message-server-client.handle-send #6 (return)',
      '1',
      '$.count: 0 → 1',
    ]);
    // The data breakpoint also comes from a variable of the State scope.
    const [f] = await top();
    const [s] = (await dc.scopesRequest({ frameId: f!.id })).body.scopes;
    const byVariable = await dc.dataBreakpointInfoRequest({ variablesReference: s!.variablesReference, name: 'count' });
    expect(byVariable.body.dataId).toBe('$.count');
  });

  it('function breakpoints on runtime.log (either way), conditions over input, failed calls, goto and evaluate', async () => {
    await launch({});
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'runtime.log' }] });
    expect(fb.body.breakpoints).toEqual([expect.objectContaining({ verified: true })]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top()).map((f) => f.name)).toEqual(['runtime.log #2', 'actor.init #1']);
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top())[0]!.name).toBe('runtime.log #5');
    const [logFrame] = await top();
    expect((await dc.evaluateRequest({ expression: 'input[0]', frameId: logFrame!.id })).body.result).toBe(
      '"count -> 1"',
    );
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top())[0]!.name).toBe('runtime.log #2');

    // A condition over the call's input: only the bogus message.
    const cond = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'message-server-client.handle-send', condition: "input[0].op === 'bogus'" }],
    });
    expect(cond.body.breakpoints[0]).toMatchObject({ verified: true });
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #13');
    const bad = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'runtime.log', condition: 'input[' }] });
    expect(bad.body.breakpoints[0]).toMatchObject({ verified: false });
    expect(bad.body.breakpoints[0]!.message).toContain('does not parse');

    // Failed calls, through the exception filter; past the last hit, a run stops at the head.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: ['error'] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('exception')]);
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #14 (error)');
    const [, end] = await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('step')]);
    expect(end.body.description).toBe('Reached the head of the chain');

    // goto through the chain listing the frames point into (an editor's "Jump to Cursor" on line 13 = #12).
    const [frame] = await top();
    const listing = await dc.sourceRequest({
      source: frame!.source!,
      sourceReference: frame!.source!.sourceReference!,
    });
    const lines = listing.body.content.trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[5]).toMatch(/^#5 + {2}import runtime\.log +\("count -> 1"\) → null +3351ead54f39$/);
    const targets = await dc.gotoTargetsRequest({ source: frame!.source!, line: 13 });
    await Promise.all([dc.gotoRequest({ threadId: 1, targetId: targets.body.targets[0]!.id }), stopped('goto')]);
    expect(await count()).toBe('3');
    // ...and to any entry by its hash, from the Debug Console.
    await Promise.all([
      dc.evaluateRequest({ expression: `.goto ${GOLDEN_HEAD.slice(0, 12)}`, context: 'repl' }),
      stopped('goto'),
    ]);
    expect((await top())[0]!.name).toBe('theater:runtime.stop #15 (event)');
    // A breakpoint on a line of the listing is a breakpoint on that entry, hit either way.
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const lineBp = await dc.setBreakpointsRequest({ source: frame!.source!, breakpoints: [{ line: 9 }, { line: 99 }] });
    expect(lineBp.body.breakpoints.map((b) => b.verified)).toEqual([true, false]);
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), stopped('breakpoint')]);
    expect((await top())[0]!.name).toBe('runtime.log #8');
    await dc.setBreakpointsRequest({ source: frame!.source!, breakpoints: [] });
    await Promise.all([dc.evaluateRequest({ expression: '.goto #15', context: 'repl' }), stopped('goto')]);
    const missing = await dc.evaluateRequest({ expression: '$.nothing', context: 'repl' }).catch((e: Error) => e);
    expect(String(missing)).toContain('$.nothing is not in the state at #15');
  });

  it('function breakpoints that name no function of the chain are unverified, and say which functions it has', async () => {
    const changed: DebugProtocol.Breakpoint[] = [];
    dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => changed.push(e.body.breakpoint));
    // Set before the db is open (as an editor does between initialize and launch): checked once it is.
    await dc.initializeRequest({ adapterID: 'theater', pathFormat: 'path' });
    const early = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'nosuch.fn' }, { name: 'runtime.log' }],
    });
    await Promise.all([
      dc.launchRequest({ db, actor: 'counter' } as DebugProtocol.LaunchRequestArguments),
      dc.configurationDoneRequest(),
      stopped('entry'),
    ]);
    expect(changed).toEqual([expect.objectContaining({ id: early.body.breakpoints[0]!.id, verified: false })]);

    const set = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'nosuch.fn' }, { name: 'garbage' }, { name: 'handle-send' }, { name: 'runtime.log' }],
    });
    expect(set.body.breakpoints.map((b) => b.verified)).toEqual([false, false, true, true]);
    const message = set.body.breakpoints[1]!.message!;
    expect(message).toContain('no garbage in this chain');
    expect(message).toContain('message-server-client.handle-send');
    expect(message).toContain('runtime.log');
    expect(message).toContain('actor.init');
    // An unverified one stays set: the verified ones still stop, and nothing else does.
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top())[0]!.name).toBe('runtime.log #2');
  });

  it('function breakpoints on runtime events (start, stop) are unverified: events are not functions', async () => {
    await launch({});
    const set = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'start' }, { name: 'theater:runtime.stop' }, { name: 'runtime.log' }],
    });
    expect(set.body.breakpoints.map((b) => b.verified)).toEqual([false, false, true]);
    const [start, stop, log] = set.body.breakpoints.map((b) => b.message ?? '');
    expect(start).toContain('start is a runtime event, not a function: function breakpoints stop at export calls');
    expect(stop).toContain('theater:runtime.stop is a runtime event, not a function');
    expect(stop).toContain('a breakpoint on its line of the chain listing stops there');
    expect(log).toBe('');
    // The functions a name can pick from are the calls' and imports' only.
    const none = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nosuch.fn' }] });
    expect(none.body.breakpoints[0]!.message).toContain(
      '(it has actor.init, message-server-client.handle-send, runtime.log)',
    );
  });

  it('a data breakpoint on a malformed state path is refused, naming the path and what is wrong', async () => {
    await launch({});
    const set = await dc.setDataBreakpointsRequest({
      breakpoints: [
        { dataId: '$.count' },
        { dataId: '$..count' },
        { dataId: '$.notes[x]' },
        { dataId: '$.notes[0' },
        { dataId: '$["a\\q"]' },
        { dataId: '/notes/~2' },
      ],
    });
    const got = set.body.breakpoints.map((b) => [b.verified, b.message]);
    expect(got).toEqual([
      [true, '$.count changes'],
      [false, '$..count is not a state path: at character 2 (..count): a . must be followed by a name'],
      [
        false,
        '$.notes[x] is not a state path: at character 8 ([x]): an index is digits ([3]), a key is quoted (["x"])',
      ],
      [false, '$.notes[0 is not a state path: at character 8 ([0): [ without its ]'],
      [
        false,
        expect.stringMatching(
          /^\$\["a\\q"\] is not a state path: at character 2 \(\["a\\q"\]\): the key is not a JSON string \(Bad escaped/,
        ),
      ],
      [false, '/notes/~2 is not a state path: at character 8 (~2): in a /pointer, ~ is ~0 (for ~) or ~1 (for /)'],
    ]);
    const info = await dc.dataBreakpointInfoRequest({ name: '$..count' });
    expect(info.body).toMatchObject({
      dataId: null,
      description: expect.stringContaining('$..count is not a state path') as unknown,
    });
    // Only the good one is set: it stops where the count changes, the refused ones nowhere.
    const [, e] = await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('data breakpoint')]);
    expect(e.body.description).toBe('$.count: (absent) → 0');
    expect(e.body.hitBreakpointIds).toEqual([set.body.breakpoints[0]!.id]);
  });

  it('bytes changed in the db are named, never shown: data breakpoints, variables, evaluate and the listing', async () => {
    // As the sqlite3 CLI would: the state {"count":2} (#9 to #11) and the log line of #8 get other bytes.
    const raw = new Database(db);
    const blobOf = (seq: number, column: 'state_id' | 'input_id') =>
      raw.prepare(`SELECT ${column} AS id, lower(hex(hash)) AS entry FROM entries WHERE seq = ?`).get(seq) as {
        id: number;
        entry: string;
      };
    const state = blobOf(9, 'state_id');
    const log = blobOf(8, 'input_id');
    raw.prepare(`UPDATE blobs SET bytes = CAST('{"count":7}' AS BLOB) WHERE id = ?`).run(state.id);
    raw.prepare(`UPDATE blobs SET bytes = X'00' WHERE id = ?`).run(log.id);
    raw.close();
    const damaged = (entry: string, seq: number, role: string) =>
      new RegExp(
        `entry ${entry} \\(#${seq} of counter\\): its ${role} blob [0-9a-f]+ is missing, or its bytes no longer hash to it`,
      );

    await launch({});
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: '$.count' }] });
    const go = () => Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    await go(); // #3: (absent) → 0
    const [, one] = (await go()) as [unknown, DebugProtocol.StoppedEvent];
    expect(one.body.description).toBe('$.count: 0 → 1');
    // It showed '$.count: 1 → 7'.
    const [, bad] = (await go()) as [unknown, DebugProtocol.StoppedEvent];
    expect(bad.body.reason).toBe('exception');
    expect(bad.body.description).toMatch(damaged(state.entry, 9, 'state'));
    const [frame] = await top();
    expect(frame!.name).toBe('message-server-client.handle-send #9 (return)');

    // Its variables and expressions: an error naming the entry (they showed no state at all, as if it had none).
    const scopes = await dc.scopesRequest({ frameId: frame!.id }).catch((e: Error) => e);
    expect(String(scopes)).toMatch(damaged(state.entry, 9, 'state'));
    const value = await dc.evaluateRequest({ expression: '$.count', frameId: frame!.id }).catch((e: Error) => e);
    expect(String(value)).toMatch(damaged(state.entry, 9, 'state'));
    // Entries whose bytes are intact read as before.
    await Promise.all([dc.evaluateRequest({ expression: '.goto #6', context: 'repl' }), stopped('goto')]);
    expect(await count()).toBe('1');

    // The listing: the damaged line says so (it showed the changed bytes), the others are as they were.
    const listing = await dc.sourceRequest({
      source: frame!.source!,
      sourceReference: frame!.source!.sourceReference!,
    });
    const lines = listing.body.content.trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[8]).toMatch(damaged(log.entry, 8, 'input'));
    expect(lines[8]).toMatch(/^#8 +import runtime\.log +DAMAGED: /);
    expect(lines[5]).toMatch(/^#5 + {2}import runtime\.log +\("count -> 1"\) → null +3351ead54f39$/);
  });

  it('.goto with no argument, or with two, says how it is used', async () => {
    await launch({});
    for (const expression of ['.goto', '.goto   ', '.goto #1 #2']) {
      const r = await dc.evaluateRequest({ expression, context: 'repl' }).catch((e: Error) => e);
      expect(String(r), expression).toContain(
        'usage: .goto <entry>, the entry as #seq (#12), a hash or 4+ of its first hex digits',
      );
    }
    expect((await top())[0]!.name).toBe('theater:runtime.start #0 (event)'); // and it stayed where it was
  });

  it('conditions cannot reach the adapter: escapes, timeouts and odd throws fail like any broken condition', async () => {
    await launch({});
    const errors: string[] = [];
    const all: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category !== 'stderr') return;
      errors.push(e.body.output);
      all.push(e.body.output);
    });
    const written = join(dir, 'escaped.txt');
    const fs = `.getBuiltinModule("fs").writeFileSync(${JSON.stringify(written)}, "x")`;
    // Each is tried from #0: the first handle-send call is #4, and a condition that throws stops there and says why.
    const attempts = [
      `globalThis.constructor.constructor("return process")()${fs}`,
      `this.constructor.constructor("return process")()${fs}`,
      `entry.constructor.constructor("return process")()${fs}`,
      `eval("process")${fs}`,
      'this.constructor.constructor("return process")().exit(7)',
      'globalThis.constructor.constructor("return process")().exit(7)',
      '(() => { for (;;); })()',
      '(() => { const e = new Error("x"); Object.defineProperty(e, "message", { get() { for (;;); } }); throw e; })()',
    ];
    for (const condition of attempts) {
      await Promise.all([dc.evaluateRequest({ expression: '.goto #0', context: 'repl' }), stopped('goto')]);
      const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'handle-send', condition }] });
      expect(set.body.breakpoints[0], condition).toMatchObject({ verified: true });
      errors.length = 0;
      await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
      expect((await top())[0]!.name, condition).toBe('message-server-client.handle-send #4');
      expect(errors.join(''), condition).toContain(`the condition of handle-send (${condition}) failed at #4: `);
    }
    expect(all.join('')).toMatch(/failed at #4: Script execution timed out after 100ms/);
    expect(existsSync(written)).toBe(false);
    expect(dc.child.exitCode).toBe(null);
    expect((await dc.threadsRequest()).body.threads).toHaveLength(1);

    // Ordinary conditions over the state and the entry still decide.
    await dc.setFunctionBreakpointsRequest({
      breakpoints: [
        { name: 'handle-send', condition: 'state.count === 2 && entry.kind === "call" && entry.origin === "cli"' },
      ],
    });
    errors.length = 0;
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #10');
    expect(errors).toEqual([]);
  });

  it('a condition error is printed by the run it happened in, not again by later runs', async () => {
    await launch({});
    const errors: string[] = [];
    const said: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      (e.body.category === 'stderr' ? errors : said).push(e.body.output);
    });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'handle-send', condition: 'state.a.b' }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect(errors.join('')).toContain('the condition of handle-send (state.a.b) failed at #4');

    // Cleared: runs to the head and back to the root say only that no breakpoint was hit.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    errors.length = 0;
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('step')]);
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), stopped('step')]);
    expect(errors).toEqual([]);
    expect(said.filter((l) => l.startsWith('no breakpoint hit'))).toHaveLength(2);

    // Replaced by a condition that does not parse (unverified): the same.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'handle-send', condition: 'state.a.b' }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('function breakpoint')]);
    expect(errors.join('')).toContain('failed at #4');
    const bad = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'handle-send', condition: 'state[' }] });
    expect(bad.body.breakpoints[0]).toMatchObject({ verified: false });
    errors.length = 0;
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('step')]);
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), stopped('step')]);
    expect(errors).toEqual([]);
  });

  it('restart goes back to the start and replays the chain against the component', async () => {
    await launch({ entry: 9 });
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #9 (return)');
    const output = new Promise<string>((resolve) => {
      dc.on('output', (e: DebugProtocol.OutputEvent) => {
        if (e.body.output.startsWith('replay from the start')) resolve(e.body.output);
      });
    });
    await Promise.all([dc.restartRequest({}), stopped('entry')]);
    expect((await top())[0]!.name).toBe('message-server-client.handle-send #9 (return)');
    expect(await output).toContain(`verified 16 entries, same head ${GOLDEN_HEAD.slice(0, 16)}`);
  });

  it('says what is wrong with a launch configuration', async () => {
    await dc.initializeRequest({ adapterID: 'theater', pathFormat: 'path' });
    const none = await dc
      .launchRequest({ db: join(dir, 'nope.db') } as DebugProtocol.LaunchRequestArguments)
      .catch((e: Error) => e);
    expect(String(none)).toContain('nope.db');
    const actor = await dc
      .launchRequest({ db, actor: 'ghost' } as DebugProtocol.LaunchRequestArguments)
      .catch((e: Error) => e);
    expect(String(actor)).toContain('no actor ghost');
    const trace = readFileSync(join(dir, 'dap.trace'), 'utf8');
    expect(trace).toMatch(/^--> .*"command":"initialize"/m);
  });
});

describe('the VS Code extension (editors/vscode)', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'editors/vscode/package.json'), 'utf8')) as {
    contributes: {
      debuggers: {
        type: string;
        configurationAttributes: Record<'launch' | 'attach', { properties: Record<string, unknown> }>;
        initialConfigurations: Record<string, string>[];
      }[];
    };
  };
  const debuggerEntry = pkg.contributes.debuggers[0]!;

  it('declares exactly the configuration keys the adapter reads', () => {
    expect(debuggerEntry.type).toBe('theater');
    expect(Object.keys(debuggerEntry.configurationAttributes.launch.properties).sort()).toEqual(
      [...LAUNCH_FIELDS].sort(),
    );
    expect(Object.keys(debuggerEntry.configurationAttributes.attach.properties).sort()).toEqual(
      [...ATTACH_FIELDS].sort(),
    );
  });

  it("its initial launch configuration starts a session on the workspace's .theater/chain.db", async () => {
    mkdirSync(join(dir, 'workspace', '.theater'), { recursive: true });
    copyFileSync(db, join(dir, 'workspace', '.theater', 'chain.db'));
    // What VS Code does with it: substitute ${workspaceFolder}, then send it as the launch request's arguments.
    const config = JSON.parse(
      JSON.stringify(debuggerEntry.initialConfigurations[0]).replaceAll('${workspaceFolder}', join(dir, 'workspace')),
    ) as Record<string, unknown>;
    expect(config).toMatchObject({ type: 'theater', request: 'launch' });
    await Promise.all([dc.launch(config), dc.configurationSequence(), stopped('entry')]);
    expect((await top())[0]!.name).toBe('theater:runtime.start #0 (event)');
  });
});

describe('theater dap attach', () => {
  it('follows a db that theater run is writing, and stops at a new entry that hits a breakpoint', async () => {
    const live = join(dir, 'live.db');
    const run = await startTheater(live);
    try {
      const outputs: string[] = [];
      dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
      // Listened for before asking: the adapter sends 'initialized' right behind its initialize response, and the
      // two can arrive in one chunk, dispatched before this test's code after the await would run.
      const initialized = dc.waitForEvent('initialized');
      await dc.initializeRequest({ adapterID: 'theater', pathFormat: 'path' });
      await Promise.all([
        dc.attachRequest({ db: live, actor: 'counter', pollMs: 50 } as DebugProtocol.AttachRequestArguments),
        initialized.then(async () => {
          await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'http-server.handle-request' }] });
          await dc.configurationDoneRequest();
        }),
      ]);
      const hit = stopped('function breakpoint');
      const res = await fetch(`http://127.0.0.1:${run.http}/increment`, { method: 'POST' });
      expect(await res.text()).toBe('{"count":1}');
      await hit;
      const [frame] = await top();
      expect(frame!.name).toMatch(/^http-server\.handle-request #4$/);
      expect(await count()).toBe('0'); // the state the call started from
      expect(outputs.some((o) => o.includes('call   http-server.handle-request'))).toBe(true);

      // Step on into what was committed after it, then follow again and pause.
      await Promise.all([dc.nextRequest({ threadId: 1 }), stopped('step')]);
      expect(await count()).toBe('1');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await dc.continueRequest({ threadId: 1 });
      await fetch(`http://127.0.0.1:${run.http}/increment`, { method: 'POST' });
      // Pause only once the follower has seen the second call (its output line), not after a guessed delay.
      const calls = () => outputs.filter((o) => o.includes('call   http-server.handle-request')).length;
      await vi.waitFor(() => expect(calls()).toBeGreaterThanOrEqual(2), { timeout: 40_000, interval: 50 });
      await Promise.all([dc.pauseRequest({ threadId: 1 }), stopped('pause')]);
      expect(await count()).toBe('2');
    } catch (e) {
      console.error(readFileSync(join(dir, 'dap.trace'), 'utf8'), dc.stderr);
      throw e;
    } finally {
      await stopChild(run.child, 'SIGINT');
    }
    // Two Node processes (theater run and theater dap) start here: on a loaded machine that alone takes seconds.
  }, 120_000);
});

describe('theater dap on large values', () => {
  it('pages a 240-item array of the state, and watches an item of it', async () => {
    // A real js-notes actor (TypeScript, componentize-js) given 240 notes.
    const notes = join(dir, 'notes.db');
    const system = ActorSystem.open({ db: notes, ephemeralPorts: true });
    try {
      const id = await system.start(example('js-notes'));
      for (let i = 0; i < 240; i++)
        await system.send(id, utf8(JSON.stringify({ op: 'add', text: `note ${i}` })), 'cli');
      await system.stop(id);
    } finally {
      await system.close();
    }
    const [, , e] = await Promise.all([
      dc.launch({ db: notes, actor: 'js-notes', entry: 0 }),
      dc.configurationSequence(),
      stopped('entry'),
    ]);
    expect(e.body.threadId).toBe(1);
    // Run to the last change of $.notes: reverseContinue from the head with a data breakpoint.
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: '$.notes[239].text' }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped('data breakpoint')]);
    const [frame] = await top();
    const [state] = (await dc.scopesRequest({ frameId: frame!.id })).body.scopes;
    const vars = await dc.variablesRequest({ variablesReference: state!.variablesReference });
    const list = vars.body.variables.find((v) => v.name === 'notes')!;
    expect(list).toMatchObject({ value: 'Array(240)', indexedVariables: 240 });
    const page = await dc.variablesRequest({
      variablesReference: list.variablesReference,
      filter: 'indexed',
      start: 100,
      count: 50,
    });
    expect(page.body.variables.map((v) => v.name)).toEqual(Array.from({ length: 50 }, (_, i) => String(100 + i)));
    const item = await dc.variablesRequest({ variablesReference: page.body.variables[20]!.variablesReference });
    expect(item.body.variables.find((v) => v.name === 'text')).toMatchObject({
      value: '"note 120"',
      evaluateName: '$.notes[120].text',
    });
    const info = await dc.dataBreakpointInfoRequest({
      variablesReference: page.body.variables[20]!.variablesReference,
      name: 'text',
    });
    expect(info.body.dataId).toBe('$.notes[120].text');
  });
});
