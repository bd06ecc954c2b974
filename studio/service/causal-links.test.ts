import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { StudioService } from './studio-service.ts';

const dir = mkdtempSync(join(tmpdir(), 'studio-links-'));
const svc = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

it("links a supervisor's send to the child's call, and back", async () => {
  expect(await svc.openManifest({ path: resolve('assets/examples/supervisor/manifest.toml') })).toMatchObject({
    ok: true,
  });
  const fired = await svc.fireMessage({ actor: 'supervisor', kind: 'send', json: '{"op":"crash-flaky"}' });
  expect(fired.ok).toBe(true);
  // The supervisor's own entries for that message: call, send import, return.
  const details = await Promise.all(fired.entries.map((hash) => svc.entry({ hash })));
  let send = details.find((d) => d.kind === 'import' && d.fn === 'send')!;
  // A send is one-way: the receiver records its call a moment after the sender has moved on.
  for (let i = 0; i < 200 && send.effects.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    send = await svc.entry({ hash: send.hash });
  }
  expect(send.effects).toHaveLength(1);
  expect(send.effects[0]!.actor).toBe('supervisor/flaky');
  const received = await svc.entry({ hash: send.effects[0]!.hash });
  expect(received).toMatchObject({ kind: 'call', fn: 'handle-send', origin: 'actor' });
  expect(received.causedBy).toEqual({ actor: 'supervisor', hash: send.hash });
  // An entry nobody else caused has no links.
  expect(details[0]!.causedBy).toBeNull();
});

/** Polls the service until `ok` holds for what `get` returns (the other side of a crossing is recorded a moment later). */
async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await get();
  for (let i = 0; i < 300 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 10));
    v = await get();
  }
  return v;
}

it('links supervision both ways: spawn → start, child error → handle-child-error → restart-child → restart', async () => {
  // (the supervisor is open from the test above; its children are spawned)
  const sup = await svc.entries({ actor: 'supervisor', offset: 0, limit: 100 });
  const spawns = sup.items.filter((e) => e.kind === 'import' && e.fn === 'spawn');
  expect(spawns.length).toBe(2);
  const spawn = await svc.entry({ hash: spawns[0]!.hash });
  expect(spawn.effects).toHaveLength(1);
  const start = await svc.entry({ hash: spawn.effects[0]!.hash });
  expect(start).toMatchObject({ kind: 'event', fn: 'start' });
  expect(start.actor).toMatch(/^supervisor\//);
  expect(start.causedBy).toEqual({ actor: 'supervisor', hash: spawn.hash });

  // crash-flaky (fired in the test above) crashed the child: its error → the supervisor's handle-child-error call.
  const flaky = await until(
    () => svc.entries({ actor: 'supervisor/flaky', offset: 0, limit: 100 }),
    (p) => p.items.some((e) => e.kind === 'event' && e.fn === 'restart'),
  );
  const error = flaky.items.find((e) => e.kind === 'error')!;
  const errorDetail = await svc.entry({ hash: error.hash });
  expect(errorDetail.effects).toHaveLength(1);
  const handled = await svc.entry({ hash: errorDetail.effects[0]!.hash });
  expect(handled).toMatchObject({ actor: 'supervisor', kind: 'call', fn: 'handle-child-error' });
  expect(handled.causedBy).toEqual({ actor: 'supervisor/flaky', hash: error.hash });

  // … whose restart-child import caused the child's restart event, and back.
  // (the import is recorded when the host call has returned, after the child's restart event)
  const supNow = await until(
    () => svc.entries({ actor: 'supervisor', offset: 0, limit: 100 }),
    (p) => p.items.some((e) => e.kind === 'return' && e.fn === 'handle-child-error'),
  );
  const restartChild = await svc.entry({ hash: supNow.items.find((e) => e.fn === 'restart-child')!.hash });
  const restart = flaky.items.find((e) => e.kind === 'event' && e.fn === 'restart')!;
  expect(restartChild.effects).toEqual([{ actor: 'supervisor/flaky', hash: restart.hash }]);
  expect((await svc.entry({ hash: restart.hash })).causedBy).toEqual({ actor: 'supervisor', hash: restartChild.hash });

  // crash-flaky's return left the supervisor's state as it was, but it crashed a child: not a no-op.
  const crashReturn = supNow.items.find((e) => e.kind === 'return' && e.fn === 'handle-send')!;
  expect(crashReturn.noop).toBe(false);
});

it('links stop-child to the child’s stop event, and the stop to handle-child-exit', async () => {
  const fired = await svc.fireMessage({ actor: 'supervisor', kind: 'send', json: '{"op":"stop-counter"}' });
  expect(fired.ok).toBe(true);
  const details = await Promise.all(fired.entries.map((hash) => svc.entry({ hash })));
  const stopChild = details.find((d) => d.kind === 'import' && d.fn === 'stop-child')!;
  expect(stopChild.effects).toHaveLength(1);
  const stop = await svc.entry({ hash: stopChild.effects[0]!.hash });
  expect(stop).toMatchObject({ actor: 'supervisor/counter', kind: 'event', fn: 'stop' });
  expect(stop.causedBy).toEqual({ actor: 'supervisor', hash: stopChild.hash });
  const stopLinks = await until(
    () => svc.entry({ hash: stop.hash }),
    (d) => d.effects.length > 0,
  );
  const exit = await svc.entry({ hash: stopLinks.effects[0]!.hash });
  expect(exit).toMatchObject({ actor: 'supervisor', kind: 'call', fn: 'handle-child-exit' });
  expect(exit.causedBy).toEqual({ actor: 'supervisor/counter', hash: stop.hash });
});
