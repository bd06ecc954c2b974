/**
 * What an actor wrote to stdout and stderr through WASI shows in the log history as lines, cut at newlines across
 * writes exactly as `theater events --logs` cuts them, beside its runtime.log lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChainStore, encode, TestChain } from '../../runtime/index.ts';
import { StudioService } from './studio-service.ts';

let dir: string;
let svc: StudioService;
const STREAMS = 'wasi:io/streams';
const WRITE = '[method]output-stream.blocking-write-and-flush';
const bytes = (s: string) => new TextEncoder().encode(s);
const stdout = { $resource: 'OutputStream', handle: 1, label: 'stdout' };
const stderr = { $resource: 'OutputStream', handle: 2, label: 'stderr' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-wasi-log-'));
  const db = join(dir, 'studio.db');
  const store = ChainStore.open(db);
  const chain = new TestChain('printer');
  chain.start();
  chain.add('call', 'theater:simple/actor', 'init', { input: encode(['printer']) });
  chain.add('import', STREAMS, WRITE, { input: encode([stdout, bytes('hel')]) });
  chain.add('import', STREAMS, WRITE, { input: encode([stdout, bytes('lo\nwor')]) });
  chain.add('import', STREAMS, WRITE, { input: encode([stderr, bytes('oops\n')]) });
  chain.add('import', 'theater:simple/runtime', 'log', { input: encode(['plain']) });
  chain.add('import', STREAMS, WRITE, { input: encode([stdout, bytes('ld\n')]) });
  chain.add('return', 'theater:simple/actor', 'init', { output: encode([]), state: bytes('{}') });
  store.appendBatches([chain.take()]);
  store.close();
  svc = StudioService.open({ db, dataDir: dir, ephemeralPorts: true });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

it('cuts stdout and stderr writes into lines, in chain order, each naming its entry', async () => {
  const page = await svc.logHistory({ actor: 'printer', offset: 0, limit: 10 });
  expect(page.items.map((l) => [l.stream, l.text])).toEqual([
    ['stdout', 'hello'],
    ['stderr', 'oops'],
    ['log', 'plain'],
    ['stdout', 'world'],
  ]);
  // A line is recorded by the write that ended it.
  expect(page.items.map((l) => l.seq)).toEqual([3, 4, 5, 6]);
});

it('on a chain longer than the tail the head is served at once, and the log (built with the index) has every line', async () => {
  // Past ChainViews' TAIL (8,192): the head's window is read from the tail while the index build waits for the
  // opening to settle; the log panel's request, sent at every opening, waits for that build and then answers in full.
  const long = join(dir, 'long.db');
  const store = ChainStore.open(long);
  const chain = new TestChain('talker');
  chain.start();
  const CALLS = 3000;
  for (let i = 0; i < CALLS; i++) {
    chain.add('call', 'theater:simple/message-server-client', 'handle-send', { input: encode([`m${i}`]) });
    chain.add('import', 'theater:simple/runtime', 'log', { input: encode([`line ${i}`]) });
    chain.add('return', 'theater:simple/message-server-client', 'handle-send', { state: bytes(`${i}`) });
  }
  store.appendBatches([chain.take()]);
  store.close();
  const longSvc = StudioService.open({ db: long, dataDir: join(dir, 'long'), ephemeralPorts: true });
  try {
    const head = CALLS * 3; // seq of the last return (start is seq 0)
    const graph = await longSvc.graph({ actor: 'talker', branch: 'main', fromSeq: head - 99, toSeq: head });
    expect(graph.hashes).toHaveLength(100);
    const page = await longSvc.entries({ actor: 'talker', offset: head, limit: 1 });
    expect([page.total, page.items[0]?.fn]).toEqual([head + 1, 'handle-send']);
    const logs = await longSvc.logHistory({ actor: 'talker', offset: CALLS - 2, limit: 5 });
    expect(logs.total).toBe(CALLS);
    expect(logs.items.map((l) => l.text)).toEqual([`line ${CALLS - 2}`, `line ${CALLS - 1}`]);
    // A filter needs the whole chain: answered in full too.
    const found = await longSvc.logHistory({ actor: 'talker', offset: 0, limit: 50, search: 'line 299' });
    expect(found.items.map((l) => l.text)).toEqual([
      'line 299',
      'line 2990',
      'line 2991',
      'line 2992',
      'line 2993',
      'line 2994',
      'line 2995',
      'line 2996',
      'line 2997',
      'line 2998',
      'line 2999',
    ]);
  } finally {
    await longSvc.close();
  }
});
