/** Serving the built renderer (dist/renderer): files under one root only, SPA fallback to index.html. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` that `urlPath` names, or undefined (outside root, missing, a folder). */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const file = resolve(join(base, normalize(decoded)));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Theater Studio</title>
<body style="font:15px system-ui;margin:3em"><h1>The Studio's renderer is not built</h1>
<p>Run <code>npm run build:renderer</code> (or <code>npm start</code>, which builds it) and reload.</p></body>`;

/**
 * Sends the file `urlPath` names under `root` (index.html for client-side routes). `page`, when given, makes the
 * index page's text (the web host adds the opening's replies to it: opening-page.ts).
 */
export function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  headers: Record<string, string>,
  page?: (indexFile: string) => Promise<string>,
): void {
  const index = join(root, 'index.html');
  let file = resolveStatic(root, urlPath === '/' ? '/index.html' : urlPath);
  // Client-side routes (no extension) get the app; a missing asset is a real 404.
  if (!file && extname(urlPath) === '' && existsSync(index)) file = index;
  if (!file) {
    if (!existsSync(index)) {
      res.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      return void res.end(NOT_BUILT);
    }
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    return void res.end('not found');
  }
  const isIndex = file === index;
  const head = {
    ...headers,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Hashed asset names can be cached; the page itself must not be (it is tied to this launch).
    'cache-control': isIndex ? 'no-store' : 'max-age=3600',
  };
  if (isIndex && page) {
    page(file).then(
      (text) => {
        res.writeHead(200, head);
        res.end(text);
      },
      () => {
        res.writeHead(500, { ...headers, 'content-type': 'text/plain' });
        res.end('the Studio page could not be read');
      },
    );
    return;
  }
  res.writeHead(200, head);
  createReadStream(file).pipe(res);
}
