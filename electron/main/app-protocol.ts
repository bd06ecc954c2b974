/** Serves dist/renderer on studio://app/ with the CSP on every response. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { protocol, session } from 'electron';
import { resolveStatic } from '../../studio/web/static-files.ts';
import { APP_HOST, APP_SCHEME, ELECTRON_CSP } from './security.ts';

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function serveApp(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (req) => {
    const url = new URL(req.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file =
      resolveStatic(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname) ??
      resolveStatic(rendererDir, '/index.html');
    if (!file) return new Response('The renderer is not built: run npm run build:renderer', { status: 503 });
    return new Response(await readFile(file), {
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': ELECTRON_CSP,
      },
    });
  });
  // Belt and braces: any response the session sees (devtools, a future remote resource) carries the same CSP.
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  // The Studio needs no camera, microphone, notifications or geolocation.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, cb) => cb(false));
}
