/**
 * theater:simple/http-server — a real HTTP server on the manifest's port; each request becomes one
 * `handle-request` call, and its response is sent once the call's entries are committed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { theaterInterface } from '../component/names.ts';
import type { ExportOutcome } from '../chain/recorder.ts';
import type { ActorSystem } from '../actors/system.ts';

export interface HttpRequestRecord {
  method: string;
  uri: string;
  headers: [string, string][];
  body: Uint8Array | undefined;
}

export interface HttpResponseRecord {
  status: number;
  headers: [string, string][];
  body: Uint8Array | undefined;
}

export interface ServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

export const HTTP_SERVER = theaterInterface('http-server');

/** Slow clients are cut off instead of holding a connection (and an actor's queue) open. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Node checks those timeouts every 30 s by default, so a slowloris held on for up to 40 s: check every second. */
const TIMEOUT_CHECK_MS = 1_000;
const LISTEN_BACKLOG = 4096;

export async function serveHttp(
  system: ActorSystem,
  actorId: string,
  cfg: { host: string; port: number; maxBodyBytes: number },
): Promise<ServerHandle> {
  const limits = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_MS };
  const server = createServer(limits, (req, res) => {
    readBody(req, cfg.maxBodyBytes).then(
      async (body) => {
        const record: HttpRequestRecord = { method: req.method ?? 'GET', uri: req.url ?? '/', headers: headerPairs(req), body };
        writeOutcome(res, await system.call(actorId, HTTP_SERVER, 'handle-request', [record as never], 'http'));
      },
      (e: HttpError) => sendJson(res, e.status, { error: e.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `${actorId}: http-server port ${cfg.port} on ${cfg.host} is already in use; change port in the manifest`
            : `${actorId}: http-server cannot listen on ${cfg.host}:${cfg.port}: ${e.message}`,
        ),
      ),
    );
    // Node's default accept backlog (511) overflows when a thousand clients connect at once; the kernel then drops
    // SYNs and clients retry after 1, 3, 7, 15 s (seen as 20 s timeouts under load). somaxconn still caps it.
    server.listen({ port: cfg.port, host: cfg.host, backlog: LISTEN_BACKLOG }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      req.resume();
      return reject(new HttpError(413, `body of ${declared} bytes exceeds the limit of ${max}`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.destroy();
        reject(new HttpError(413, `body exceeds the limit of ${max} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(size === 0 ? undefined : new Uint8Array(Buffer.concat(chunks))));
    req.on('error', (e) => reject(new HttpError(400, e.message)));
  });
}

function headerPairs(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

const ERROR_STATUS = { 'handler-error': 500, trap: 500, timeout: 504, startup: 503 } as const;

function writeOutcome(res: ServerResponse, out: ExportOutcome): void {
  if (!out.ok) return sendJson(res, ERROR_STATUS[out.error.kind], { error: out.error.kind, message: out.error.message });
  const [response] = out.response as unknown as [HttpResponseRecord];
  if (!response || !Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
    return sendJson(res, 500, { error: 'bad-response', message: `the actor returned an invalid status ${response?.status}` });
  }
  try {
    for (const [k, v] of response.headers) res.appendHeader(k, v);
  } catch (e) {
    return sendJson(res, 500, { error: 'bad-response', message: `the actor returned an invalid header: ${(e as Error).message}` });
  }
  res.statusCode = response.status;
  res.end(response.body ?? undefined);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}
