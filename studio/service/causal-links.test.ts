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
