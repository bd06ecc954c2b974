/**
 * theater:simple/http-server — a real HTTP server on the manifest's port; each request becomes one
 * `handle-request` call, and its response is sent once the call's entries are committed. The sockets live on the
 * process's network thread (http-front.ts); the calls and commits happen here, on the runtime's thread.
 */
import { Worker } from 'node:worker_threads';
import { theaterInterface } from '../component/names.ts';
import type { ExportOutcome } from '../chain/recorder.ts';
import {
  httpFrontScript,
  type FrontReply,
  type FrontToMain,
  type HttpRequestRecord,
  type HttpResponseRecord,
  type MainToFront,
} from '../network/http-front-protocol.ts';
import { ListenError, type Ingress, type ServerHandle } from './types.ts';

export type { HttpRequestRecord, HttpResponseRecord };

export const HTTP_SERVER = theaterInterface('http-server');

export async function serveHttp(
  system: Ingress,
  actorId: string,
  cfg: { host: string; port: number; maxBodyBytes: number },
): Promise<ServerHandle> {
  const front = networkThread();
  const sid = front.nextSid++;
  const listening = new Promise<FrontToMain>((resolve) => front.waiting.set(sid, resolve));
  front.servers.set(sid, async (id, record) => {
    const out = await system.call(actorId, HTTP_SERVER, 'handle-request', [record], 'http');
    front.send({ t: 'response', id, reply: replyFor(out) });
  });
  front.worker.ref();
  front.send({ t: 'listen', sid, cfg });
  const m = await listening;
  if (m.t !== 'listening') {
    closed(front, sid);
    throw new ListenError(
      m.t === 'error' && m.code === 'EADDRINUSE'
        ? `${actorId}: http-server port ${cfg.port} on ${cfg.host} is already in use; change port in the manifest`
        : `${actorId}: http-server cannot listen on ${cfg.host}:${cfg.port}: ${m.t === 'error' ? m.message : m.t}`,
    );
  }
  return {
    port: m.port,
    close: async () => {
      if (thread !== front) return; // the thread died, and the server with it
      const done = new Promise<FrontToMain>((resolve) => front.waiting.set(sid, resolve));
      front.send({ t: 'close', sid });
      await done;
      closed(front, sid);
    },
  };
}

/** The one network thread of this process's http-servers (why a thread: see http-front.ts), started with the first. */
interface NetworkThread {
  readonly worker: Worker;
  send(m: MainToFront): void;
  /** Each server's request handler, by sid. */
  readonly servers: Map<number, (id: number, record: HttpRequestRecord) => Promise<void>>;
  /** The next listening/error/closed answer awaited, by sid. */
  readonly waiting: Map<number, (m: FrontToMain) => void>;
  nextSid: number;
}

let thread: NetworkThread | undefined;

function networkThread(): NetworkThread {
  if (thread) return thread;
  const worker = new Worker(httpFrontScript());
  const t: NetworkThread = {
    worker,
    send: (m) => worker.postMessage(m),
    servers: new Map(),
    waiting: new Map(),
    nextSid: 0,
  };
  worker.on('message', (m: FrontToMain) => {
    if (m.t === 'request') return void t.servers.get(m.sid)?.(m.id, m.record);
    const answer = t.waiting.get(m.sid);
    t.waiting.delete(m.sid);
    answer?.(m);
  });
  worker.on('error', (e) => {
    // The thread died: every server with it. Fail whoever waits; the next server starts a new thread.
    thread = undefined;
    for (const answer of t.waiting.values())
      answer({ t: 'error', sid: -1, code: undefined, message: `network thread failed: ${e.message}` });
  });
  thread = t;
  return t;
}

/** A server is gone: when it was the last, the thread no longer keeps the process alive. */
function closed(t: NetworkThread, sid: number): void {
  t.servers.delete(sid);
  if (t.servers.size === 0) t.worker.unref();
}

const ERROR_STATUS = { 'handler-error': 500, trap: 500, timeout: 504, startup: 503, store: 500 } as const;

function replyFor(out: ExportOutcome): FrontReply {
  if (!out.ok)
    return { status: ERROR_STATUS[out.error.kind], json: { error: out.error.kind, message: out.error.message } };
  const [response] = out.response as readonly [HttpResponseRecord | undefined];
  if (!response || !Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
    return {
      status: 500,
      json: { error: 'bad-response', message: `the actor returned an invalid status ${response?.status}` },
    };
  }
  return { status: response.status, headers: response.headers, body: response.body };
}
