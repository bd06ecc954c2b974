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
