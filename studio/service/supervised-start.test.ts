/**
 * A stopped supervised child can be brought back from the Studio: under its supervisor (started first when it is
 * stopped too), resuming its own chain, with the same id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StudioService } from './studio-service.ts';

const SUPERVISOR = resolve('assets/examples/supervisor/manifest.toml');
let dir: string;
let svc: StudioService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-child-'));
  svc = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
  expect(await svc.openManifest({ path: SUPERVISOR })).toMatchObject({ ok: true, actor: 'supervisor' });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = async (id: string) => (await svc.listActors({})).find((a) => a.id === id);

it('starts a stopped child again under its running supervisor, resuming its chain', async () => {
  const before = (await status('supervisor/counter'))!;
  expect(before).toMatchObject({ status: 'running', parent: 'supervisor' });
  await svc.stopActor({ actor: 'supervisor/counter' });
  expect((await status('supervisor/counter'))!.status).toBe('stopped');
  expect(await svc.startActor({ actor: 'supervisor/counter' })).toEqual({ ok: true, actor: 'supervisor/counter' });
  const after = (await status('supervisor/counter'))!;
  expect(after).toMatchObject({ status: 'running', parent: 'supervisor' });
  expect((await status('supervisor'))!.children).toContain('supervisor/counter');
  const head = await svc.entry({ hash: after.head! });
  expect(head).toMatchObject({ kind: 'event', fn: 'resume' });
  // The supervisor can manage it again: its list of children holds it.
  const r = await svc.fireMessage({ actor: 'supervisor', kind: 'request', json: '{"op":"children"}' });
  expect([...(r.response as string[])].sort()).toEqual(['supervisor/counter', 'supervisor/flaky']);
});

it('starts the supervisor first when it is stopped as well', async () => {
  await svc.stopActor({ actor: 'supervisor' });
  expect((await status('supervisor/flaky'))!.status).toBe('stopped');
  expect(await svc.startActor({ actor: 'supervisor/flaky' })).toEqual({ ok: true, actor: 'supervisor/flaky' });
  expect((await status('supervisor'))!.status).toBe('running');
  expect((await status('supervisor/flaky'))!.status).toBe('running');
});
