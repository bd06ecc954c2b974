/**
 * Looking things up in a chain a headless run recorded before any Studio opened the db: the log panel's history
 * (every line, paged and filtered, extended by lines recorded later) and entries by a typed hash prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ActorSystem, theaterInterface } from '../../runtime/index.ts';
import { StudioService } from './studio-service.ts';

const COUNTER = resolve('assets/examples/counter/manifest.toml');
let dir: string;
let svc: StudioService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-logs-'));
  const db = join(dir, 'studio.db');
  // A run without the Studio, as `theater run` does: 250 increments, each logging "count -> N".
  const system = ActorSystem.open({ db, ephemeralPorts: true });
  await system.start(COUNTER);
  const msg = new TextEncoder().encode('{"op":"increment"}');
  for (let i = 0; i < 250; i++) await system.send('counter', msg, 'cli');
  await system.close();
  svc = StudioService.open({ db, dataDir: dir, ephemeralPorts: true });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads every line a run recorded before the Studio opened, oldest first, paged', async () => {
  const first = await svc.logHistory({ actor: 'counter', offset: 0, limit: 3 });
  expect(first.total).toBe(251);
  expect(first.items.map((l) => l.text)).toEqual(['counter counter ready at 0', 'count -> 1', 'count -> 2']);
  const last = await svc.logHistory({ actor: 'counter', offset: 250, limit: 10 });
  expect(last.items.map((l) => l.text)).toEqual(['count -> 250']);
  // Each line names the entry that recorded it.
  const e = await svc.entry({ hash: last.items[0]!.hash });
  expect(e).toMatchObject({ kind: 'import', iface: theaterInterface('runtime'), fn: 'log', seq: last.items[0]!.seq });
});

it('filters by text, case-insensitively', async () => {
  const r = await svc.logHistory({ actor: 'counter', offset: 0, limit: 50, search: 'COUNT -> 12' });
  expect(r.items.map((l) => l.text)).toEqual([
    'count -> 12',
    'count -> 120',
    'count -> 121',
    'count -> 122',
    'count -> 123',
    'count -> 124',
    'count -> 125',
    'count -> 126',
    'count -> 127',
    'count -> 128',
    'count -> 129',
  ]);
  expect(r.total).toBe(11);
});

it('extends the history with lines recorded after it was read', async () => {
  expect(await svc.startActor({ actor: 'counter' })).toMatchObject({ ok: true });
  await svc.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
  await expect
    .poll(async () => (await svc.logHistory({ actor: 'counter', offset: 250, limit: 10 })).items.map((l) => l.text))
    .toEqual(['count -> 250', 'count -> 251']);
  const filtered = await svc.logHistory({ actor: 'counter', offset: 0, limit: 50, search: 'count -> 25' });
  expect(filtered.items.map((l) => l.text)).toEqual(['count -> 25', 'count -> 250', 'count -> 251']);
});

it('refuses an unknown actor or branch, saying which', async () => {
  await expect(svc.logHistory({ actor: 'nobody', offset: 0, limit: 5 })).rejects.toThrow(/no actor nobody/);
  await expect(svc.logHistory({ actor: 'counter', branch: 'nope', offset: 0, limit: 5 })).rejects.toThrow(
    /no branch nope/,
  );
});

it('finds entries by a hash prefix of 6+ digits, and the list search matches hashes', async () => {
  const head = (await svc.listActors({})).find((a) => a.id === 'counter')!.head!;
  const found = await svc.findEntries({ prefix: head.slice(0, 6), limit: 5 });
  expect(found.map((e) => e.hash)).toContain(head);
  expect(found.every((e) => e.hash.startsWith(head.slice(0, 6)))).toBe(true);
  const page = await svc.entries({ actor: 'counter', offset: 0, limit: 10, search: head.slice(0, 10) });
  expect(page.items.map((e) => e.hash)).toEqual([head]);
  await expect(svc.invoke('findEntries', { prefix: 'abc', limit: 5 })).rejects.toThrow(/6 to 64 lowercase hex/);
});
