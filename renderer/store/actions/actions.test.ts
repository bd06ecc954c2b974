/**
 * The actions against a fresh store and a fake transport client (api/fake-client.ts): what the user sees in the
 * store after opening an actor, stepping, new entries arriving, a request failing, a replay diverging.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../api/client.ts';
import { FakeClient, fakeActor, fakeHash } from '../../api/fake-client.ts';
import { createStudioStore, type StudioStore } from '../create-store.ts';
import { isUnverified } from '../slices.ts';
import { createActions } from './index.ts';
import { NOTICE_MS } from './notices.ts';
import type { Actions } from './types.ts';

let api: FakeClient;
let store: StudioStore;
let actions: Actions;
const state = () => store.getState();

beforeEach(() => {
  vi.useFakeTimers();
  api = new FakeClient();
  store = createStudioStore();
  actions = createActions(store, api);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('opening an actor', () => {
  it('opens the first root actor on its head and verifies it', async () => {
    api.addActor('counter', 10);
    await actions.refreshActors();
    expect(state().actorId).toBe('counter');
    expect(state().viewBranch).toBe('main');
    expect(state().total).toBe(10);
    expect(state().selected).toMatchObject({ index: 9, entry: { seq: 9 } });
    await actions.verifySettled();
    expect(state().verify).toMatchObject({ phase: 'done', result: { ok: true, count: 10 } });
  });

  it('resets what belonged to the previous actor, across slices, in one step', async () => {
    api.addActor('counter', 5);
    api.addActor('other', 3);
    await actions.showActor('counter');
    const e = state().selected!.entry;
    actions.pickDiff(e);
    state().setHighlighted([e.hash]);
    state().setDivergence(e.hash);
    const seen: (string | null)[] = [];
    const off = store.subscribe((s) => seen.push(s.selected?.entry.actor ?? null));
    await actions.showActor('other');
    off();
    // The first update already cleared the old selection: nothing of counter is shown beside other.
    expect(seen[0]).toBeNull();
    expect(state()).toMatchObject({ actorId: 'other', diffA: null, diffB: null, divergence: null });
    expect(state().highlighted.size).toBe(0);
    expect(state().selected?.entry.actor).toBe('other');
    expect([...state().chunks.keys()].every((k) => k.startsWith('main:'))).toBe(true);
  });

  it('loads actors one at a time: calls during a load share one more load after it', async () => {
    api.addActor('counter', 3);
    const all = Promise.all([actions.refreshActors(), actions.refreshActors(), actions.refreshActors()]);
    await all;
    expect(api.callsOf('listActors')).toHaveLength(2);
  });
});

describe('stepping and selecting', () => {
  beforeEach(async () => {
    api.addActor('counter', 450);
    await actions.showActor('counter');
  });

  it('steps across a page boundary, fetching the page it needs', async () => {
    await actions.selectIndex(200);
    await actions.step(-1);
    expect(state().selected).toMatchObject({ index: 199, entry: { seq: 199 } });
    expect(state().pages.has(0)).toBe(true);
  });

  it('clamps to the list', async () => {
    await actions.selectIndex(10_000);
    expect(state().selected?.index).toBe(449);
    await actions.selectIndex(-5);
    expect(state().selected?.index).toBe(0);
  });

  it('selects by hash with the position in the list', async () => {
    await actions.selectHash(fakeHash('counter', 17));
    expect(state().selected).toMatchObject({ index: 17, entry: { seq: 17 } });
  });

  it('picks A then B for a diff, and shift-click diffs against the selection', async () => {
    const [a, b] = [(await actions.entryAt(3))!, (await actions.entryAt(8))!];
    actions.pickDiff(a);
    expect(state()).toMatchObject({ diffA: a, diffB: null });
    actions.pickDiff(b);
    expect(state()).toMatchObject({ diffA: a, diffB: b, rightTab: 'diff' });
    state().setDiffA(null);
    state().setDiffB(null);
    await actions.selectIndex(3);
    actions.shiftPick(b);
    expect(state()).toMatchObject({ diffA: { seq: 3 }, diffB: b });
  });
});

describe('switching branches', () => {
  // counter: main has seqs 0..15; fork-1 was continued from #10 and has 12 entries (0..10 shared, 11 its own).
  beforeEach(async () => {
    api.addActor('counter', 16);
    api.fork('counter', 'fork-1', 10, 1);
    await actions.showActor('counter');
  });
  const shown = () => {
    const { viewBranch, selected, total, follow } = state();
    return { viewBranch, total, follow, index: selected?.index, seq: selected?.entry.seq, hash: selected?.entry.hash };
  };

  it("from main's head (End), opens fork-1 on its own head, following it", async () => {
    await actions.selectIndex(15);
    expect(shown()).toMatchObject({ viewBranch: 'main', index: 15, follow: true });
    await actions.viewBranch('fork-1');
    expect(shown()).toEqual({
      viewBranch: 'fork-1',
      total: 12,
      follow: true,
      index: 11,
      seq: 11,
      hash: fakeHash('counter@fork-1', 11),
    });
    expect(state().selected?.entry.branch).toBe('fork-1');
  });

  it('keeps an entry of the shared history selected, at its row, not following', async () => {
    await actions.selectIndex(4);
    await actions.viewBranch('fork-1');
    expect(shown()).toEqual({
      viewBranch: 'fork-1',
      total: 12,
      follow: false,
      index: 4,
      seq: 4,
      hash: fakeHash('counter', 4),
    });
    // And back: still there.
    await actions.viewBranch('main');
    expect(shown()).toMatchObject({ viewBranch: 'main', total: 16, follow: false, index: 4, seq: 4 });
  });

  it("from fork-1's own entry back to main: main's head", async () => {
    await actions.viewBranch('fork-1');
    await actions.selectIndex(11);
    await actions.viewBranch('main');
    expect(shown()).toEqual({
      viewBranch: 'main',
      total: 16,
      follow: true,
      index: 15,
      seq: 15,
      hash: fakeHash('counter', 15),
    });
  });

  it("never shows one branch's selection under another branch's name", async () => {
    await actions.selectIndex(15);
    const seen: { branch: string | null; hash: string | undefined }[] = [];
    const off = store.subscribe((s) => seen.push({ branch: s.viewBranch, hash: s.selected?.entry.hash }));
    await actions.viewBranch('fork-1');
    off();
    const mainOnly = new Set(Array.from({ length: 5 }, (_, i) => fakeHash('counter', 11 + i)));
    expect(seen.filter((x) => x.branch === 'fork-1' && x.hash && mainOnly.has(x.hash))).toEqual([]);
  });
});

describe('the opening', () => {
  it('a web page shows its opening before the socket opens, then catches up with what came meanwhile', async () => {
    api.opening = true;
    api.addActor('counter', 5);
    actions.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ actorId: 'counter', selected: { index: 4 } });
    expect(state().chunks.get('main:0')?.hashes).toHaveLength(5);
    // Recorded after the page was served and before its socket opened: no event reaches the page.
    api.grow('counter', 3, false);
    api.setConnection('open');
    await vi.advanceTimersByTimeAsync(150);
    expect(state().chunks.get('main:0')?.hashes).toHaveLength(8);
    expect(state()).toMatchObject({ total: 8, selected: { index: 7, entry: { seq: 7 } } });
  });

  it('without an opening (Electron) nothing is asked for until the connection opens', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual([]);
    api.setConnection('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ actorId: 'counter', selected: { index: 4 } });
  });
});

describe('a permalink opened at start-up', () => {
  const waiting = () => state().notices.filter((n) => n.text.startsWith('The link waits'));

  it('lands without a "waits" notice when its actor is there, though the actor list came after the link', async () => {
    api.opening = true;
    api.addActor('other', 3);
    api.addActor('counter', 20);
    // As main.tsx does: the address bar's link first, then the connection (and with it the actor list).
    await actions.openLink({ actor: 'counter', branch: 'main', entry: fakeHash('counter', 7) });
    actions.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ actorId: 'counter', selected: { index: 7, entry: { seq: 7 } }, follow: false });
    expect(actions.linkPending()).toBe(false);
    expect(waiting()).toEqual([]);
  });

  it('says it waits for its actor only once the actor list is known without it, then lands when it comes', async () => {
    api.opening = true;
    api.addActor('other', 3);
    await actions.openLink({ actor: 'counter', entry: fakeHash('counter', 2) });
    expect(waiting()).toEqual([]);
    actions.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting().map((n) => n.text)).toEqual([
      'The link waits for actor counter: it opens as soon as that is recorded or imported.',
    ]);
    expect(state().actorId).toBe('other');
    api.addActor('counter', 5);
    api.emit('actors', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ actorId: 'counter', selected: { entry: { seq: 2 } } });
    expect(actions.linkPending()).toBe(false);
  });
});

describe('live entries', () => {
  it('coalesces a burst of events into one refresh, and ignores other actors', async () => {
    api.addActor('counter', 5);
    api.addActor('other', 1);
    actions.connect();
    await actions.showActor('counter');
    const before = api.callsOf('branches').length;
    for (let i = 0; i < 20; i++) api.grow('counter', 1);
    api.grow('other', 1);
    await vi.advanceTimersByTimeAsync(150);
    expect(api.callsOf('branches').length - before).toBe(1);
    expect(state().branches[0]?.headSeq).toBe(24);
  });

  it('keeps the newest entry selected while following the head, across pages', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await actions.showActor('counter');
    expect(state()).toMatchObject({ follow: true, selected: { index: 4 } });
    // Bursts that outrun the list: each flush moves the selection, even past a page boundary.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) api.grow('counter', 13);
      await vi.advanceTimersByTimeAsync(150);
    }
    await vi.advanceTimersByTimeAsync(150);
    expect(state().total).toBe(525);
    expect(state().selected).toMatchObject({ index: 524, entry: { seq: 524 } });
  });

  it('End while new entries are being fetched lands on the newest, following', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await actions.showActor('counter');
    await actions.selectIndex(1);
    expect(state().follow).toBe(false);
    api.grow('counter', 3);
    // The flush: the list is stale, its total not fetched again yet.
    await vi.advanceTimersByTimeAsync(150);
    expect(state().total).toBe(5);
    await actions.selectIndex(state().total - 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ follow: true, total: 8, selected: { index: 7, entry: { seq: 7 } } });
  });

  it('selecting an older entry stops following; selecting the newest (or Follow) starts again', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await actions.showActor('counter');
    await actions.step(-1);
    expect(state()).toMatchObject({ follow: false, selected: { index: 3 } });
    api.grow('counter', 3);
    await vi.advanceTimersByTimeAsync(150);
    expect(state().selected?.index).toBe(3);
    actions.setFollow(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(state()).toMatchObject({ follow: true, selected: { index: 7 } });
    await actions.step(-2);
    await actions.selectIndex(7);
    expect(state().follow).toBe(true);
  });

  it('re-checks integrity once new entries settle', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await actions.showActor('counter');
    await actions.verifySettled();
    const verifies = api.callsOf('verify').length;
    api.grow('counter', 2);
    await vi.advanceTimersByTimeAsync(1100);
    await actions.verifySettled();
    expect(api.callsOf('verify').length).toBe(verifies + 1);
    expect(state().verify).toMatchObject({ phase: 'done', result: { count: 7 } });
  });

  it('re-checks integrity during a long burst too, not only after it', async () => {
    api.addActor('counter', 5);
    actions.connect();
    await actions.showActor('counter');
    await actions.verifySettled();
    const verifies = api.callsOf('verify').length;
    for (let t = 0; t < 50; t++) {
      api.grow('counter', 3);
      await vi.advanceTimersByTimeAsync(100);
    }
    await actions.verifySettled();
    // 5 s of entries every 100 ms: a check about every second, the last one after the burst.
    expect(api.callsOf('verify').length - verifies).toBeGreaterThanOrEqual(4);
    await vi.advanceTimersByTimeAsync(1100);
    await actions.verifySettled();
    expect(state().verify).toMatchObject({ phase: 'done', result: { count: 155 } });
  });

  it('applies pushed status, progress and component-change events', () => {
    api.addActor('counter', 1);
    actions.connect();
    state().setActors([fakeActor('counter', 0)]);
    api.emit('actorStatus', { actor: 'counter', status: 'stopped' });
    expect(state().actors[0]).toMatchObject({ id: 'counter', status: 'stopped' });
    api.emit('progress', { task: 'verify', actor: 'counter', done: 1, total: 4 });
    expect(state().progress).toMatchObject({ done: 1, total: 4 });
    api.emit('progress', { task: 'verify', actor: 'counter', done: 4, total: 4 });
    expect(state().progress).toBeNull();
    api.emit('componentChanged', { actor: 'counter', path: '/x.wasm' });
    expect(state().componentChanged).toEqual({ actor: 'counter', path: '/x.wasm' });
  });
});

describe('the log panel', () => {
  it("pages the actor's recorded log, filters it, and refetches when entries arrive", async () => {
    api.addActor('counter', 3);
    const line = (i: number) => ({
      hash: fakeHash('counter', i),
      seq: i,
      ts: i,
      stream: 'log' as const,
      text: `count -> ${i}`,
    });
    api.logLines.set(
      'counter',
      Array.from({ length: 450 }, (_, i) => line(i)),
    );
    actions.connect();
    await actions.showActor('counter');
    await actions.ensureLogPage(2);
    expect(state().logTotal).toBe(450);
    expect(
      state()
        .logPages.get(2)
        ?.items.map((l) => l.text),
    ).toEqual(Array.from({ length: 50 }, (_, i) => `count -> ${400 + i}`));
    state().setLogFilter('-> 44');
    await actions.ensureLogPage(0);
    expect(state().logTotal).toBe(11);
    state().setLogFilter('');
    await actions.ensureLogPage(2);
    api.logLines.get('counter')!.push(line(450));
    api.grow('counter', 1);
    await vi.advanceTimersByTimeAsync(150);
    await actions.ensureLogPage(2);
    expect(state().logTotal).toBe(451);
    // Another actor's log replaces it entirely.
    api.addActor('other', 1);
    await actions.showActor('other');
    expect(state().logTotal).toBe(0);
  });
});

describe('errors are shown, not swallowed', () => {
  it('a failed request becomes an error notice that expires', async () => {
    api.addActor('counter', 3);
    await actions.showActor('counter');
    api.handlers.graph = () => {
      throw new ApiCallError('the service is busy', 'internal', 'graph');
    };
    actions.guard('Loading the graph', actions.ensureChunk('main', 0, true));
    await vi.advanceTimersByTimeAsync(0);
    expect(state().notices).toEqual([
      expect.objectContaining({ tone: 'error', text: 'Loading the graph: the service is busy' }),
    ]);
    await vi.advanceTimersByTimeAsync(NOTICE_MS.error);
    expect(state().notices).toEqual([]);
  });

  it("an actor's failure is a notice whichever actor is on screen; its log lines are not", async () => {
    api.addActor('counter', 3);
    await actions.showActor('counter');
    actions.connect();
    api.emit('log', { actor: 'misbehave', msg: 'spinning', ts: 1 });
    api.emit('log', { actor: 'misbehave', msg: '✗ timeout: ran past its 20000 ms limit', ts: 2, failure: true });
    expect(state().notices).toEqual([
      expect.objectContaining({ tone: 'error', text: 'misbehave: ✗ timeout: ran past its 20000 ms limit' }),
    ]);
  });

  it('a lost connection is not reported per request (the toolbar shows it)', async () => {
    actions.report('Loading entries', new ApiCallError('connection lost', 'disconnected', 'entries'));
    expect(state().notices).toEqual([]);
  });

  it('a refused start says why', async () => {
    api.addActor('counter', 1);
    api.handlers.startActor = () => ({
      ok: false,
      error: { file: '/m/manifest.toml', line: 3, message: 'component not found' },
    });
    await actions.actorCommand('counter', 'startActor');
    expect(state().notices[0]?.text).toBe('Starting counter: /m/manifest.toml: component not found');
  });
});

describe('tasks', () => {
  it('a diverged replay marks and selects the divergent entry', async () => {
    api.addActor('counter', 12);
    await actions.showActor('counter');
    const entry = fakeHash('counter', 6);
    api.handlers.replay = () => ({
      status: 'diverged',
      index: 6,
      entry,
      seq: 6,
      expected: { iface: 'i', fn: 'f', kind: 'return', input: null, output: 1 },
      got: { iface: 'i', fn: 'f', kind: 'return', input: null, output: 2 },
      stateDiff: null,
    });
    await actions.runReplay();
    await vi.advanceTimersByTimeAsync(0);
    expect(state().replay).toMatchObject({ phase: 'done', result: { status: 'diverged' } });
    expect(state().divergence).toBe(entry);
    expect(state().selected?.entry.hash).toBe(entry);
    expect(state().rightTab).toBe('replay');
  });

  it('a fired request is kept in the history and its entries highlighted', async () => {
    api.addActor('counter', 1);
    await actions.showActor('counter');
    const entries = [fakeHash('counter', 0)];
    api.handlers.fireHttp = () => ({ status: 200, headers: [], body: '{}', ms: 3, entries });
    const req = { actor: 'counter', method: 'POST', path: '/increment', headers: [] } as const;
    await actions.fireHttp(req);
    api.handlers.fireHttp = () => {
      throw new Error('no HTTP handler');
    };
    await expect(actions.fireHttp(req)).rejects.toThrow('no HTTP handler');
    expect(state().httpHistory.map((h) => h.res?.status ?? h.error)).toEqual(['no HTTP handler', 200]);
    expect([...state().highlighted]).toEqual(entries);
  });
});

describe('a failed integrity check', () => {
  it('marks the first bad entry and what follows it on paths through it, until a check passes', async () => {
    api.addActor('counter', 10);
    const bad = fakeHash('counter', 4);
    api.handlers.verify = () => ({
      ok: false,
      count: 10,
      entry: bad,
      reason: 'stored hash differs',
      actor: 'counter',
      seq: 4,
      through: ['main'],
    });
    await actions.refreshActors();
    await actions.verifySettled();
    const broken = state().broken;
    expect(broken).toEqual({ actor: 'counter', seq: 4, entry: bad, through: ['main'] });
    const at = (seq: number, branch = 'main', actor = 'counter') => isUnverified(broken, { actor, seq, branch });
    expect([at(3), at(4), at(9)]).toEqual([false, true, true]);
    // A fork made before the bad entry, and another actor, are not affected.
    expect([at(7, 'fork-1'), at(7, 'main', 'other')]).toEqual([false, false]);
    // While a re-check runs the marks stay; once a check passes they go.
    delete api.handlers.verify;
    const rechecked = actions.runVerify();
    expect(state().broken).not.toBeNull();
    await rechecked;
    expect(state().broken).toBeNull();
  });
});
