import { describe, expect, it } from 'vitest';
import { METHODS } from '../../studio/contract.ts';
import { allowNavigation, APP_URL, ELECTRON_CSP, isAppUrl, lockedWebPreferences } from './security.ts';
import { handleInvoke, type Invoker } from './ipc/handle-invoke.ts';
import { validateRequest } from '../../studio/service/params.ts';
import { invokeChannel, type IpcReply } from '../shared/ipc.ts';
import { wireIpc, type IpcMainLike } from './ipc/wire.ts';

describe('the Electron window is locked down', () => {
  it('has one webPreferences: isolated, sandboxed, no Node, web security on', () => {
    const p = lockedWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/x/preload.cjs',
    });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it("sends a CSP with default-src 'self' and script-src 'self' only", () => {
    const directives = Object.fromEntries(
      ELECTRON_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(ELECTRON_CSP).not.toMatch(/unsafe-eval/);
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
    expect(directives['object-src']).toEqual(["'none'"]);
  });

  it('allows navigation only within the app', () => {
    expect(allowNavigation(APP_URL)).toBe(true);
    for (const url of [
      'https://example.com/',
      'file:///etc/passwd',
      'studio://evil/index.html',
      'studio://user:pw@app/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(allowNavigation(url), url).toBe(false);
    }
  });
});

describe('IPC handlers check the sender and the payload', () => {
  const calls: unknown[] = [];
  // The real gate (validateRequest) in front of a recorder: we test what reaches the service.
  const service: Invoker = {
    async invoke(method, params) {
      const req = validateRequest(method, params);
      calls.push(req);
      return 'ran';
    },
  };

  it('answers the app frame', async () => {
    expect(await handleInvoke(service, APP_URL, 'listActors', {})).toEqual({ ok: true, result: 'ran' });
    expect(await handleInvoke(service, 'studio://app/some/route', 'logs', { limit: 5 })).toEqual({
      ok: true,
      result: 'ran',
    });
  });

  it('refuses unknown senders before anything runs', async () => {
    calls.length = 0;
    for (const sender of [
      'https://evil.example/',
      'file:///tmp/x.html',
      'http://127.0.0.1:8080/',
      'studio://other/',
      '',
      null,
      undefined,
      'devtools://devtools/',
    ]) {
      const r = await handleInvoke(service, sender, 'listActors', {});
      expect(r.ok, String(sender)).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/not the Studio/);
    }
    expect(calls).toEqual([]);
  });

  it('refuses crafted payloads for every method with a clear error', async () => {
    calls.length = 0;
    const crafted: unknown[] = [
      42,
      'x',
      [1],
      { __proto__: { path: '/etc' } },
      { actor: { $gt: '' } },
      { hash: '../../etc/passwd' },
      { path: '/a', evil: 1 },
    ];
    for (const method of METHODS) {
      for (const params of crafted) {
        const r = await handleInvoke(service, APP_URL, method, params);
        // Some methods take no params: {} (from the __proto__ case) is valid for them.
        if (r.ok) continue;
        expect(r.error.code, `${method} ${JSON.stringify(params)}`).toBe('bad-request');
        expect(r.error.message).toContain(method);
      }
    }
    // Only the no-param methods accepted the empty object, and nothing else got through.
    expect(calls.every((c) => JSON.stringify((c as { params: unknown }).params) === '{}')).toBe(true);
  });

  it('recognises the app URL exactly', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('studio://app.evil/')).toBe(false);
  });
});

describe('the IPC wiring the app installs (wireIpc with a fake ipcMain)', () => {
  type Listener = Parameters<IpcMainLike['handle']>[1];
  const handlers = new Map<string, Listener>();
  const fakeIpc: IpcMainLike = {
    handle: (channel, listener) => {
      expect(handlers.has(channel), `${channel} registered twice`).toBe(false);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const reached: unknown[] = [];
  const service: Invoker = {
    async invoke(method, params) {
      reached.push(validateRequest(method, params));
      return 'ran';
    },
  };
  const app = { senderFrame: { url: APP_URL } };
  const send = (method: string, event: unknown, ...args: unknown[]) =>
    Promise.resolve(
      handlers.get(invokeChannel(method as (typeof METHODS)[number]))!(event as never, ...args),
    ) as Promise<IpcReply>;

  it('installs exactly one handler per contract method, on the invoke channels, and removes them all', () => {
    const dispose = wireIpc(fakeIpc, service);
    expect([...handlers.keys()].sort()).toEqual(METHODS.map((m) => invokeChannel(m)).sort());
    dispose();
    expect(handlers.size).toBe(0);
    wireIpc(fakeIpc, service);
  });

  it('refuses events from unknown senders, navigated-away frames and forged event objects', async () => {
    reached.length = 0;
    const events = [
      {},
      { senderFrame: null },
      { senderFrame: { url: 'https://evil.example/' } },
      { senderFrame: { url: 'studio://app.evil/index.html' } },
      { senderFrame: { url: 'studio://user@app/index.html' } },
      { senderFrame: { url: 'file:///work/main/dist/renderer/index.html' } },
      { senderFrame: { url: 42 } },
      { sender: { getURL: () => APP_URL } }, // the window's URL is not the sending frame's
    ];
    for (const method of METHODS) {
      for (const e of events) {
        const r = await send(method, e, {});
        expect(r.ok, `${method} ${JSON.stringify(e)}`).toBe(false);
        if (!r.ok) expect(r.error.message).toMatch(/not the Studio/);
      }
    }
    expect(reached).toEqual([]);
  });

  it('answers crafted payloads from the app frame with bad-request replies, never a throw, and pollutes nothing', async () => {
    reached.length = 0;
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const crafted: unknown[] = [
      undefined,
      null,
      42,
      'listActors',
      [{}],
      JSON.parse('{"__proto__":{"polluted":true}}'),
      { constructor: { prototype: { polluted: true } } },
      { actor: 'x'.repeat(5_000_000) },
      { actor: 'counter', hash: 'zz'.repeat(32) },
      { actor: 'counter', limit: -1 },
      { actor: 'counter', limit: 1e308 },
      { actor: 'counter', path: '../../../etc/passwd' },
      { actor: 'counter', id: Number.NaN },
      deep,
      // What else a structured clone (Electron's IPC encoding) can carry: no getters or proxies survive it.
      new Map([['actor', 'counter']]),
      new Set(['counter']),
      new Date(0),
      new Uint8Array(32),
      { actor: 'counter', limit: 10n },
      { actor: ['counter'] },
      Object.assign([], { actor: 'counter' }),
    ];
    for (const method of METHODS) {
      for (const params of crafted) {
        const r = await send(method, app, params);
        if (r.ok) continue; // a payload the method's schema accepts (e.g. {} for no-param methods) is not crafted for it
        expect(r.error.code, `${method} ${String(crafted.indexOf(params))} ${r.error.message.slice(0, 200)}`).toBe(
          'bad-request',
        );
        expect(r.error.message.length).toBeLessThan(2000);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // What reached the service passed validation: only plain, schema-shaped params.
    for (const req of reached as { params: unknown }[]) expect(JSON.stringify(req.params).length).toBeLessThan(10_000);
  });
});
