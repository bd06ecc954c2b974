import { describe, expect, it } from 'vitest';
import { METHODS } from '../shared/contract.ts';
import { allowNavigation, APP_URL, ELECTRON_CSP, isAppUrl, lockedWebPreferences } from './security.ts';
import { handleInvoke, type Invoker } from './ipc/handle-invoke.ts';
import { validateRequest } from '../service/params.ts';

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
    const directives = Object.fromEntries(ELECTRON_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(ELECTRON_CSP).not.toMatch(/unsafe-eval/);
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
    expect(directives['object-src']).toEqual(["'none'"]);
  });

  it('allows navigation only within the app', () => {
    expect(allowNavigation(APP_URL)).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'studio://evil/index.html', 'studio://user:pw@app/', 'javascript:alert(1)', 'not a url']) {
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
    expect(await handleInvoke(service, 'studio://app/some/route', 'logs', { limit: 5 })).toEqual({ ok: true, result: 'ran' });
  });

  it('refuses unknown senders before anything runs', async () => {
    calls.length = 0;
    for (const sender of ['https://evil.example/', 'file:///tmp/x.html', 'http://127.0.0.1:8080/', 'studio://other/', '', null, undefined, 'devtools://devtools/']) {
      const r = await handleInvoke(service, sender, 'listActors', {});
      expect(r.ok, String(sender)).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/not the Studio/);
    }
    expect(calls).toEqual([]);
  });

  it('refuses crafted payloads for every method with a clear error', async () => {
    calls.length = 0;
    const crafted: unknown[] = [42, 'x', [1], { __proto__: { path: '/etc' } }, { actor: { $gt: '' } }, { hash: '../../etc/passwd' }, { path: '/a', evil: 1 }];
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
