/**
 * The web host: the Studio's renderer and its StudioService in any browser, on 127.0.0.1 only, behind a per-launch
 * token. Used by `npm start` where Electron is absent, by remote/headless users, and by the end-to-end tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServedApi } from '../service/served.ts';
import { checkRequest, sessionCookie, webCsp, type GateConfig } from './gate.ts';
import { openingPage } from './opening-page.ts';
import { serveStatic } from './static-files.ts';
import { serveClient } from './ws-api.ts';

export interface WebHostOptions {
  readonly service: ServedApi;
  /** dist/renderer. */
  readonly staticDir: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Tests pass a fixed token; otherwise a random one per launch. */
  readonly token?: string;
}

export interface WebHost {
  /** http://127.0.0.1:<port>/?token=<token> */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** Loopback only, always: the Studio can start actors and read every chain; it is not a network service. */
export const WEB_HOST_BIND = '127.0.0.1';
/** Uploads of a manifest with its component travel as base64 JSON. */
const MAX_FRAME_BYTES = 96 * 1024 * 1024;

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const downloads = new Map<string, string>();
  let gate: GateConfig = { port: 0, token };

  const server: Server = createServer((req, res) => handleHttp(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  const securityHeaders = (host: string): Record<string, string> => ({
    'content-security-policy': webCsp(host),
    'x-content-type-options': 'nosniff',
    // The page URL carries the token: never send it on as a Referer.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  });

  function refuse(res: ServerResponse, reason: string): void {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'referrer-policy': 'no-referrer' });
    res.end(`403 Forbidden: ${reason}\n`);
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const verdict = checkRequest(gate, req.headers, url);
    if (!verdict.ok) return refuse(res, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return void res.end();
    }
    const headers = securityHeaders(req.headers.host!);
    // The socket's door asked over plain HTTP: a page whose socket will not open asks here whether the gate lets it
    // in (403 above: its token is from another run, so retrying is useless) or something else is wrong.
    if (url.pathname === '/api') {
      res.writeHead(426, { ...headers, upgrade: 'websocket' });
      return void res.end();
    }
    if (verdict.viaQuery) headers['set-cookie'] = sessionCookie(gate);
    const download = /^\/download\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (download) return serveDownload(res, downloads.get(download[1]!), headers);
    serveStatic(opts.staticDir, url.pathname, res, headers, (file) => openingPage(file, opts.service));
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const verdict = checkRequest(gate, req.headers, url);
    if (url.pathname !== '/api' || !verdict.ok) {
      socket.end(
        `HTTP/1.1 ${url.pathname !== '/api' ? '404 Not Found' : '403 Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, opts.service, addDownloadUrl));
  }

  /** An exported bundle is a file on this machine; the browser gets it through an authenticated GET. */
  function addDownloadUrl(method: string, result: unknown): unknown {
    if (method !== 'exportBundle' || result === null || typeof result !== 'object' || !('file' in result))
      return result;
    const id = randomUUID();
    downloads.set(id, String(result.file));
    return { ...result, downloadUrl: `/download/${id}` };
  }

  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, WEB_HOST_BIND, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  gate = { port, token };
  return {
    url: `http://${WEB_HOST_BIND}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveDownload(res: ServerResponse, file: string | undefined, headers: Record<string, string>): void {
  let size: number;
  try {
    if (!file) throw new Error('unknown download');
    size = statSync(file).size;
  } catch {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    return void res.end('no such download (exports are kept for this launch only)');
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': String(size),
    'content-disposition': `attachment; filename="${basename(file).replace(/[^\w.-]/g, '_')}"`,
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}
