/**
 * The network side of the actors' http-servers, on a thread of its own (one per process, for every actor's
 * server): it accepts connections, parses requests, enforces the body and slow-client limits and writes
 * responses. The actor call and its commit stay on the runtime's main thread (http-server.ts), which sends each
 * response only once its entries are committed.
 *
 * Why a thread: Node accepts one pending connection per event-loop turn, and a runtime saturated by requests has
 * turns of up to ~1 s (one commit of thousands of entries, then every response), so a burst of connects waited
 * in the kernel's accept queue for up to 20 s (docs/reliability.md §5). This thread's turns are short.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import type { FrontListen, FrontReply, FrontToMain, HttpRequestRecord, MainToFront } from './http-front-protocol.ts';

const port = parentPort!;
const post = (m: FrontToMain) => port.postMessage(m);

/** Slow clients are cut off instead of holding a connection (and an actor's queue) open. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Node checks those timeouts every 30 s by default, so a slowloris held on for up to 40 s: check every second. */
const TIMEOUT_CHECK_MS = 1_000;
// Node's default accept backlog (511) overflows when a thousand clients connect at once; the kernel then drops
// SYNs and clients retry after 1, 3, 7, 15 s. somaxconn still caps it.
const LISTEN_BACKLOG = 4096;

const waiting = new Map<number, ServerResponse>();
let nextId = 0;

const servers = new Map<number, Server>();

function listen(sid: number, cfg: FrontListen): void {
  const limits = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  const server = createServer(limits, (req, res) => {
    readBody(req, cfg.maxBodyBytes).then(
      (body) => {
        const id = nextId++;
        waiting.set(id, res);
        const record: HttpRequestRecord = {
          method: req.method ?? 'GET',
          uri: req.url ?? '/',
          headers: headerPairs(req),
          body,
        };
        post({ t: 'request', sid, id, record });
      },
      (e: HttpError) => sendJson(res, e.status, { error: e.message }),
    );
  });
  server.once('error', (e: NodeJS.ErrnoException) => post({ t: 'error', sid, code: e.code, message: e.message }));
  server.listen({ port: cfg.port, host: cfg.host, backlog: LISTEN_BACKLOG }, () => {
    servers.set(sid, server);
    post({ t: 'listening', sid, port: (server.address() as AddressInfo).port });
  });
}

port.on('message', (m: MainToFront) => {
  switch (m.t) {
    case 'listen':
      return listen(m.sid, m.cfg);
    case 'response': {
      const res = waiting.get(m.id);
      waiting.delete(m.id);
      if (res) write(res, m.reply);
      return;
    }
    case 'close': {
      const server = servers.get(m.sid);
      servers.delete(m.sid);
      if (!server) return post({ t: 'closed', sid: m.sid });
      server.close(() => post({ t: 'closed', sid: m.sid }));
      server.closeAllConnections();
      return;
    }
    default:
      assertNever(m);
  }
});

function assertNever(m: never): never {
  throw new Error(`unknown message ${JSON.stringify(m)}`);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
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
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

function write(res: ServerResponse, reply: FrontReply): void {
  if ('json' in reply) return sendJson(res, reply.status, reply.json);
  try {
    for (const [k, v] of reply.headers) res.appendHeader(k, v);
  } catch (e) {
    return sendJson(res, 500, {
      error: 'bad-response',
      message: `the actor returned an invalid header: ${(e as Error).message}`,
    });
  }
  res.statusCode = reply.status;
  res.end(reply.body ?? undefined);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}
