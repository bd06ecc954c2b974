import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryPage, StudioEvents } from '../contract.ts';
import { StudioService } from './studio-service.ts';
import { toApiError } from './api-error.ts';

const COUNTER = resolve('assets/examples/counter/manifest.toml');

describe('StudioService over the real counter', () => {
  let dir: string;
  let svc: StudioService;
  const seen: { event: string; payload: unknown }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-svc-'));
    svc = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true, logCapacity: 50 });
    svc.onEvent((event, payload) => seen.push({ event, payload }));
    const r = await svc.invoke('openManifest', { path: COUNTER });
    expect(r).toEqual({ ok: true, actor: 'counter' });
  });

  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the running counter with its exports and ephemeral ports', async () => {
    const actors = await svc.listActors({});
    const c = actors.find((a) => a.id === 'counter')!;
    expect(c.status).toBe('running');
    expect(c.exports).toContain('theater:simple/http-server');
    expect(c.listeners.map((l) => l.kind).sort()).toEqual(['http-server', 'message-server']);
    expect(c.listeners.every((l) => l.port > 0 && l.port !== 8080)).toBe(true);
    expect(await svc.recentManifests({})).toEqual([COUNTER]);
  });

  it('fires HTTP with origin studio and reports the produced entries', async () => {
    const r = await svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [['x-test', '1']] });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ count: 1 });
    expect(r.entries.length).toBeGreaterThanOrEqual(2);
    const call = await svc.entry({ hash: r.entries[0]! });
    expect(call.kind).toBe('call');
    expect(call.origin).toBe('studio');
    const ret = await svc.entry({ hash: r.entries.at(-1)! });
    expect(ret.kind).toBe('return');
    expect((await svc.stateAt({ hash: ret.hash })).json).toEqual({ count: 1 });
    expect(seen.some((s) => s.event === 'entries')).toBe(true);
    expect(seen.some((s) => s.event === 'log' && (s.payload as StudioEvents['log']).msg === 'count -> 1')).toBe(true);
  });

  it('fires messages: validates JSON, reports the response', async () => {
    await expect(svc.invoke('fireMessage', { actor: 'counter', kind: 'send', json: '{nope' })).rejects.toMatchObject({
      code: 'bad-request',
    });
    const sent = await svc.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
    expect(sent.ok).toBe(true);
    expect(sent.entries.length).toBeGreaterThan(0);
    const req = await svc.fireMessage({ actor: 'counter', kind: 'request', json: '{"op":"get"}' });
    expect(req.ok).toBe(true);
    expect(req.entries.length).toBeGreaterThan(0);
  });

  it('pages and filters entries without shipping the chain', async () => {
    const all = (await svc.entries({ actor: 'counter', offset: 0, limit: 1000 })) as EntryPage;
    expect(all.items.length).toBe(all.total);
    all.items.forEach((e, i) => expect(e.seq).toBe(i));
    const page = await svc.entries({ actor: 'counter', offset: 2, limit: 3 });
    expect(page.items.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(page.total).toBe(all.total);

    const calls = await svc.entries({ actor: 'counter', offset: 0, limit: 100, kinds: ['call'] });
    expect(calls.items.every((e) => e.kind === 'call')).toBe(true);
    const http = await svc.entries({
      actor: 'counter',
      offset: 0,
      limit: 100,
      iface: 'theater:simple/http-server',
      fn: 'handle-request',
    });
    expect(http.total).toBe(2); // call + return of the one request
    const found = await svc.entries({ actor: 'counter', offset: 0, limit: 100, search: 'x-test' });
    expect(found.total).toBe(1);
    expect(found.items[0]!.kind).toBe('call');

    const idx = await svc.entryIndex({ actor: 'counter', hash: all.items[4]!.hash });
    expect(idx).toBe(4);
    const g = await svc.graph({ actor: 'counter', branch: 'main', fromSeq: 1, toSeq: 3 });
    expect(g.hashes).toEqual(all.items.slice(1, 4).map((e) => e.hash));
    expect(g.kinds.length).toBe(3);
  });

  it('hides no-op call groups on request', async () => {
    const before = await svc.entries({ actor: 'counter', offset: 0, limit: 1000 });
    await svc.fireHttp({ actor: 'counter', method: 'GET', path: '/count', headers: [] });
    const after = await svc.entries({ actor: 'counter', offset: 0, limit: 1000 });
    expect(after.total).toBeGreaterThan(before.total);
    expect(after.items.some((e) => e.kind === 'return' && e.noop)).toBe(true);
    const hidden = await svc.entries({ actor: 'counter', offset: 0, limit: 1000, hideNoops: true });
    expect(hidden.items.some((e) => e.noop)).toBe(false);
    expect(hidden.total).toBeLessThan(after.total);
  });

  it('verifies with progress events, and lists branches', async () => {
    seen.length = 0;
    const v = await svc.verify({ actor: 'counter' });
    expect(v.ok).toBe(true);
    expect(seen.some((s) => s.event === 'progress')).toBe(true);
    const branches = await svc.branches({ actor: 'counter' });
    expect(branches).toHaveLength(1);
    expect(branches[0]).toMatchObject({ name: 'main', live: true, base: null });
  });

  it('refuses invalid payloads with a clear bad-request error and never crashes', async () => {
    const bad: [string, unknown][] = [
      ['nope', {}],
      ['entries', { actor: 'counter', offset: -1, limit: 10 }],
      ['entries', { actor: 'counter', offset: 0, limit: 1e9 }],
      ['entry', { hash: 'xyz' }],
      ['entry', null],
      ['fireHttp', { actor: 'counter', method: 'get', path: '/', headers: [] }],
      ['openManifest', { path: 42 }],
      ['stopActor', { actor: 'counter', extra: true }],
      ['uploadManifest', { manifest: { name: '../evil.toml', base64: '' }, files: [] }],
      ['__proto__', {}],
      ['constructor', {}],
    ];
    for (const [method, params] of bad) {
      const err = await svc.invoke(method, params).then(() => undefined, toApiError);
      expect(err, method).toMatchObject({ code: 'bad-request' });
      expect(err!.message.length).toBeGreaterThan(5);
    }
    await expect(svc.invoke('entry', { hash: '0'.repeat(64) })).rejects.toMatchObject({ code: 'not-found' });
    await expect(svc.invoke('diff', { a: '0'.repeat(64), b: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('reports a bad manifest as a located load error', async () => {
    const r = await svc.uploadManifest({
      manifest: {
        name: 'manifest.toml',
        base64: Buffer.from('name = "broken"\ncomponent_path = 42\n').toString('base64'),
      },
      files: [],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.file).toMatch(/manifest\.toml$/);
      expect(r.error.line).toBe(2);
    }
  });

  it('keeps logs in a bounded ring buffer', async () => {
    for (let i = 0; i < 60; i++) await svc.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
    const logs = await svc.logs({ limit: 1000 });
    expect(logs.length).toBe(50);
    expect((await svc.logs({ actor: 'counter', limit: 2 })).length).toBe(2);
  });

  it('announces a rebuilt component file', async () => {
    const wasm = resolve('assets/examples/counter/counter.wasm');
    const got = new Promise<StudioEvents['componentChanged']>((res) => {
      const off = svc.onEvent((event, payload) => {
        if (event === 'componentChanged') {
          off();
          res(payload as StudioEvents['componentChanged']);
        }
      });
    });
    const now = new Date();
    utimesSync(wasm, now, now);
    expect(await got).toEqual({ actor: 'counter', path: wasm });
  });

  it('stops and starts an actor again, resuming its chain', async () => {
    const head = (await svc.listActors({})).find((a) => a.id === 'counter')!.seq;
    await svc.stopActor({ actor: 'counter' });
    expect((await svc.listActors({})).find((a) => a.id === 'counter')!.status).toBe('stopped');
    expect(await svc.startActor({ actor: 'counter' })).toEqual({ ok: true, actor: 'counter' });
    const c = (await svc.listActors({})).find((a) => a.id === 'counter')!;
    expect(c.status).toBe('running');
    expect(c.seq).toBeGreaterThan(head);
  });
});

describe('fired calls report what they recorded', () => {
  let dir: string;
  let svc: StudioService;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-fire-'));
    svc = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
    expect(await svc.invoke('openManifest', { path: COUNTER })).toEqual({ ok: true, actor: 'counter' });
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two identical fires at once each report their own entries', async () => {
    // Same method, path and headers: the same input hash. Each result must name its own call, not the first one.
    const fire = () => svc.fireHttp({ actor: 'counter', method: 'GET', path: '/count', headers: [] });
    const [a, b] = await Promise.all([fire(), fire()]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.entries.filter((h) => b.entries.includes(h))).toEqual([]);
    for (const r of [a, b]) {
      const first = await svc.entry({ hash: r.entries[0]! });
      const last = await svc.entry({ hash: r.entries.at(-1)! });
      expect([first.kind, first.origin, last.kind]).toEqual(['call', 'studio', 'return']);
      expect(last.seq - first.seq).toBe(r.entries.length - 1);
    }
  });
});
