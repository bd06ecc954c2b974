import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { OPENING_ELEMENT_ID, headWindow, type ActorView, type OpeningReply } from '../contract.ts';
import { StudioService } from '../service/studio-service.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const TOKEN = 'test-token-0123456789';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the open socket, or rejects with the HTTP status the upgrade was refused with. */
function openWs(port: number, path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket, frame: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('event' in msg) return;
      ws.off('message', onMessage);
      resolve(msg);
    };
    ws.on('message', onMessage);
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('web host doors', () => {
  let dir: string;
  let service: StudioService;
  let host: WebHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-web-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>Studio</title><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    service = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
    host = await startWebHost({ service, staticDir: dist, token: TOKEN });
  });

  afterAll(async () => {
    await host.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with its token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${TOKEN}`);
  });

  it('binds to loopback only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      await expect(
        new Promise((resolve, reject) => {
          const s = connect(host.port, address, () => {
            s.destroy();
            resolve('connected');
          });
          s.on('error', reject);
        }),
      ).rejects.toThrow();
    }
  });

  it('serves the page with the token, sets a strict HttpOnly cookie, and a CSP', async () => {
    const r = await get(host.port, `/?token=${TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Studio</title>');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toContain(`theater_studio_${host.port}=${TOKEN}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    // The cookie then lets assets load without the token.
    const asset = await get(host.port, '/assets/app.js', { cookie: `theater_studio_${host.port}=${TOKEN}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
  });

  it('refuses requests without the token, with a wrong one, a foreign Host or a foreign Origin', async () => {
    expect((await get(host.port, '/')).status).toBe(403);
    expect((await get(host.port, '/assets/app.js')).status).toBe(403);
    expect((await get(host.port, '/?token=wrong')).status).toBe(403);
    expect((await get(host.port, '/', { cookie: `theater_studio_${host.port}=wrong` })).status).toBe(403);
    expect((await get(host.port, `/?token=${TOKEN}`, { host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get(host.port, `/?token=${TOKEN}`, { host: '127.0.0.1:1' })).status).toBe(403);
    expect((await get(host.port, `/?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(host.port, `/?token=${TOKEN}`, { host: `localhost:${host.port}` })).status).toBe(200);
    expect((await get(host.port, `/?token=${TOKEN}`, { origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
  });

  it('says, refusing a page, what to open: the printed URL once, after which copied links open', async () => {
    // A link from Copy link has no token (it may be pasted anywhere); it opens where the Studio's cookie is. Its
    // #actor=… part stays in the browser: the request is for /.
    const link = await get(host.port, '/');
    expect(link.status).toBe(403);
    expect(link.body).toContain('open the URL the Studio printed');
    expect(link.body).toContain('links copied in the Studio (they carry no token) then open here');
    const stale = await get(host.port, '/?token=from-an-earlier-run');
    expect(stale.body).toContain('this URL is from another run of the Studio');
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await get(host.port, `/..%2f..%2fstudio.db?token=${TOKEN}`);
    expect(r.status).not.toBe(200);
    const r2 = await get(host.port, `/%2e%2e/studio.db?token=${TOKEN}`);
    expect(r2.body).not.toContain('SQLite');
  });

  it('refuses WebSocket upgrades without the token, with a wrong token, a foreign Host or Origin', async () => {
    await expect(openWs(host.port, '/api')).rejects.toThrow('status 403');
    await expect(openWs(host.port, '/api?token=nope')).rejects.toThrow('status 403');
    await expect(openWs(host.port, `/api?token=${TOKEN}`, { host: `attacker.example:${host.port}` })).rejects.toThrow(
      'status 403',
    );
    await expect(openWs(host.port, `/api?token=${TOKEN}`, { origin: 'http://attacker.example' })).rejects.toThrow(
      'status 403',
    );
    await expect(openWs(host.port, `/elsewhere?token=${TOKEN}`)).rejects.toThrow('status 404');
  });

  it("answers the socket's door over plain HTTP as the upgrade would: 403 for another run's token, else 426", async () => {
    // A page whose socket does not open asks this to tell a stale token (stop retrying) from anything else.
    expect((await get(host.port, '/api?token=from-an-earlier-run')).status).toBe(403);
    expect((await get(host.port, '/api', { cookie: `theater_studio_${host.port}=earlier` })).status).toBe(403);
    const ok = await get(host.port, `/api?token=${TOKEN}`);
    expect(ok.status).toBe(426);
    expect(ok.headers.upgrade).toBe('websocket');
    expect(ok.body).toBe('');
    expect((await get(host.port, '/api', { cookie: `theater_studio_${host.port}=${TOKEN}` })).status).toBe(426);
  });

  it('accepts the token by query or cookie and answers requests; errors are replies, not crashes', async () => {
    const byCookie = await openWs(host.port, '/api', {
      cookie: `theater_studio_${host.port}=${TOKEN}`,
      origin: `http://127.0.0.1:${host.port}`,
    });
    byCookie.close();
    const ws = await openWs(host.port, `/api?token=${TOKEN}`);
    expect(await rpc(ws, { id: 1, method: 'listActors', params: {} })).toEqual({ id: 1, result: [] });
    expect(await rpc(ws, { id: 2, method: 'recentManifests' })).toEqual({ id: 2, result: [] });
    expect(await rpc(ws, { id: 3, method: 'rm -rf', params: {} })).toMatchObject({
      id: 3,
      error: { code: 'bad-request', message: expect.stringContaining('unknown method') },
    });
    expect(await rpc(ws, { id: 4, method: 'entries', params: { actor: 'x', offset: 'a', limit: 1 } })).toMatchObject({
      id: 4,
      error: { code: 'bad-request' },
    });
    expect(await rpc(ws, { id: 5, method: 'entry', params: { hash: 'f'.repeat(64) } })).toMatchObject({
      id: 5,
      error: { code: 'not-found' },
    });
    expect(await rpc(ws, 'not json')).toMatchObject({ id: null, error: { code: 'bad-request' } });
    expect(await rpc(ws, [1, 2])).toMatchObject({ id: null, error: { code: 'bad-request' } });
    expect(await rpc(ws, { method: 'listActors' })).toMatchObject({ id: null, error: { code: 'bad-request' } });
    // Still alive after all that.
    expect(await rpc(ws, { id: 'last', method: 'listActors', params: {} })).toEqual({ id: 'last', result: [] });
    ws.close();
  });

  it('pushes events to connected clients', async () => {
    const ws = await openWs(host.port, `/api?token=${TOKEN}`);
    const events: string[] = [];
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString()) as { event?: string };
      if (m.event) events.push(m.event);
    });
    await rpc(ws, { id: 1, method: 'verify', params: {} });
    expect(events).toContain('progress');
    ws.close();
  });
});

describe("the page's opening", () => {
  let dir: string;
  let service: StudioService;
  let host: WebHost;
  const cookie = () => ({ cookie: `theater_studio_${host.port}=${TOKEN}` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-web-'));
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), '<!doctype html><head><title>Studio</title></head><body></body>');
    // A folder name a page must not carry raw inside a script element: the manifest's path is in the actor list.
    const example = join(dir, 'odd <!--<script> name');
    mkdirSync(example);
    for (const f of ['manifest.toml', 'counter.wasm'])
      copyFileSync(resolve('assets/examples/counter', f), join(example, f));
    service = StudioService.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true });
    host = await startWebHost({ service, staticDir: dist, token: TOKEN });
    const opened = await service.invoke('openManifest', { path: join(example, 'manifest.toml') });
    expect(opened).toMatchObject({ ok: true, actor: 'counter' });
  });

  afterAll(async () => {
    await host.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The page's opening replies, and the page's text. */
  async function opening(path = '/'): Promise<{ replies: OpeningReply[]; body: string }> {
    const r = await get(host.port, path, cookie());
    expect(r.status).toBe(200);
    const m = new RegExp(`<script type="application/json" id="${OPENING_ELEMENT_ID}">(.*?)</script>\\s*</head>`).exec(
      r.body,
    );
    expect(m, 'the page has no opening element in its head').not.toBeNull();
    return { replies: JSON.parse(m![1]!) as OpeningReply[], body: r.body };
  }

  it("answers the actor list and the shown actor's head window as the service does now, escaped", async () => {
    await service.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
    const { replies, body } = await opening();
    const actors = (await service.invoke('listActors', {})) as ActorView[];
    const window = headWindow(actors[0]!)!;
    const branches = await service.invoke('branches', { actor: 'counter' });
    expect(replies).toEqual([
      { method: 'listActors', params: {}, result: actors },
      { method: 'branches', params: { actor: 'counter' }, result: branches },
      { method: 'graph', params: window, result: await service.invoke('graph', window) },
    ]);
    expect(window.fromSeq).toBe(0);
    expect(actors[0]!.manifest).toContain('<!--<script>');
    expect(body).not.toContain('<!--<script>');
    // A client-side route gets the same page, as of its own request: one more message, a later head.
    await service.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
    const later = await opening('/some/route');
    expect((later.replies[0]!.result as ActorView[])[0]!.seq).toBeGreaterThan(actors[0]!.seq);
  });
});
