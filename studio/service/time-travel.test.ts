import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../runtime/index.ts';
import { StudioService } from './studio-service.ts';
import { replayView } from './time-travel.ts';

describe('time travel through the StudioService', () => {
  let dir: string;
  let svc: StudioService;
  const returns: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-tt-'));
    svc = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
    expect(await svc.openManifest({ path: resolve('assets/examples/counter/manifest.toml') })).toMatchObject({
      ok: true,
    });
    for (let i = 0; i < 3; i++) {
      const r = await svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
      returns.push(r.entries.at(-1)!);
    }
  });

  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('diffs count 1 against count 3 and finds who wrote count', async () => {
    const d = await svc.diff({ a: returns[0]!, b: returns[2]! });
    expect(d.identical).toBe(false);
    expect(d.changes).toEqual([{ op: 'changed', path: ['count'], before: 1, after: 3 }]);
    const w = await svc.whoWrote({ hash: returns[2]!, path: ['count'] });
    expect(w?.hash).toBe(returns[2]);
  });

  it('replays the chain: verified, with progress', async () => {
    const progress: number[] = [];
    const off = svc.onEvent((e, p) => e === 'progress' && progress.push((p as { done: number }).done));
    const r = await svc.replay({ actor: 'counter' });
    off();
    expect(r.status).toBe('verified');
    expect(progress.length).toBeGreaterThan(0);
  });

  it('replays against a changed build and reports the divergence', async () => {
    const r = await svc.replay({
      actor: 'counter',
      componentPath: resolve('assets/examples/counter-by-two/counter-by-two.wasm'),
    });
    expect(r.status).toBe('diverged');
  });

  it('continues from count 1 on a new branch; the old branch stays', async () => {
    const b = await svc.fork({ actor: 'counter', hash: returns[0]! });
    expect(b.live).toBe(true);
    const r = await svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
    expect(JSON.parse(r.body)).toEqual({ count: 2 });
    const branches = await svc.branches({ actor: 'counter' });
    expect(branches.map((x) => x.name)).toEqual(['main', b.name]);
    const page = await svc.entries({ actor: 'counter', branch: b.name, offset: 0, limit: 1000 });
    page.items.forEach((e, i) => expect(e.seq).toBe(i));
    expect(page.items.map((e) => e.hash)).toContain(returns[0]);
    expect(page.items.map((e) => e.hash)).not.toContain(returns[2]);
    const bd = await svc.diffBranches({ actor: 'counter', a: 'main', b: b.name });
    expect(bd.mergeBase).not.toBeNull();
    await svc.setLiveBranch({ actor: 'counter', branch: 'main' });
    const again = await svc.fireHttp({ actor: 'counter', method: 'POST', path: '/increment', headers: [] });
    expect(JSON.parse(again.body)).toEqual({ count: 4 });
  });

  it('exports a bundle and imports it into another Studio', async () => {
    const ex = await svc.exportBundle({ actor: 'counter' });
    expect(ex.bytes).toBeGreaterThan(0);
    const other = StudioService.open({ db: join(dir, 'other.db'), dataDir: join(dir, 'other') });
    try {
      const im = await other.importBundle({ path: ex.file });
      expect(im.actor).toBe('counter');
      expect(im.entries).toBeGreaterThan(0);
      expect((await other.verify({})).ok).toBe(true);
      await expect(
        other.importBundle({ upload: { name: 'junk.bundle', base64: Buffer.from('not a bundle').toString('base64') } }),
      ).rejects.toMatchObject({
        code: 'bad-request',
      });
    } finally {
      await other.close();
    }
  });

  it('saves a range as a chain test, widened to whole calls; refuses a bad hash and an existing name', async () => {
    const tests = join(dir, 'tests');
    const saved = (await svc.invoke('saveTest', {
      actor: 'counter',
      branch: 'main',
      from: returns[0],
      to: returns[1],
      dir: tests,
      name: 'two increments',
    })) as { file: string; entries: number; fromSeq: number; toSeq: number };
    expect(saved).toMatchObject({ file: join(tests, 'two-increments.test.json'), entries: 6, fromSeq: 4, toSeq: 9 });
    expect(JSON.parse(readFileSync(saved.file, 'utf8'))).toMatchObject({ actor: 'counter', finalState: { count: 2 } });
    await expect(svc.invoke('saveTest', { actor: 'counter', from: 'xyz' })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(
      svc.invoke('saveTest', {
        actor: 'counter',
        branch: 'main',
        dir: tests,
        name: 'two increments',
        from: returns[0],
      }),
    ).rejects.toThrow(/already exists/);
    // Asked to overwrite, the same name is replaced by the new range (the refusal above left the file alone).
    expect(JSON.parse(readFileSync(saved.file, 'utf8')).recorded.to.seq).toBe(9);
    const again = (await svc.invoke('saveTest', {
      actor: 'counter',
      branch: 'main',
      dir: tests,
      name: 'two increments',
      from: returns[0],
      overwrite: true,
    })) as { file: string; entries: number; fromSeq: number; toSeq: number };
    expect(again.file).toBe(saved.file);
    expect(again.toSeq).toBeGreaterThan(9);
    expect(JSON.parse(readFileSync(saved.file, 'utf8')).recorded).toMatchObject({
      from: { seq: 4 },
      to: { seq: again.toSeq },
      entries: again.entries,
    });
  });
});

describe('replayView', () => {
  const report = (builds: { from: number; sha256: string; path: string }[]): ReplayReport => ({
    status: 'verified',
    count: 20,
    head: 'ab'.repeat(32),
    copied: [],
    actor: 'counter',
    target: 'counter/main',
    component: { sha256: builds[0]!.sha256, recorded: builds[0]!.sha256, path: builds[0]!.path },
    builds,
  });

  it('names every build of a chain recorded by several, each from the entry where it took over', async () => {
    const builds = [
      { from: 0, sha256: 'a'.repeat(64), path: '/p/counter.wasm' },
      { from: 8, sha256: 'b'.repeat(64), path: '/cache/b/component.wasm' },
    ];
    expect(await replayView(async () => report(builds))).toMatchObject({
      status: 'verified',
      build: { sha256: 'a'.repeat(64), recorded: true },
      builds: [
        { from: 0, sha256: 'a'.repeat(64), path: '/p/counter.wasm', recorded: true },
        { from: 8, sha256: 'b'.repeat(64), path: '/cache/b/component.wasm', recorded: true },
      ],
    });
    // One build: the verdict names it alone, as before.
    expect(await replayView(async () => report(builds.slice(0, 1)))).not.toHaveProperty('builds');
  });
});
